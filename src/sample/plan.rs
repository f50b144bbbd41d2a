//! What each return holds and how it is laid out: takes an oblast's world
//! and gives its files — a municipal card per municipality, its service
//! cards (one file each, or all in one workbook for about a quarter of the
//! municipalities), one DSP table (two for a large oblast) — with every value
//! already written the way a person would, every label dressed, every layout
//! choice made. What is left for [`super::layout`] is putting cells in rows.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;

use super::Templates;
use super::forms::{self, Dice, Fact, Facts, Forms, LabelStyle, Suffix, Writer, Written};
use super::mistakes::Mistake;
use super::model::{Municipality, Service};
use super::rng::Rng;
use crate::book::BookFormat;
use crate::period::Period;
use crate::reference::Card;
use crate::schema::fields::{dsp, service};
use crate::schema::{Schemas, Template};

/// One file of the sample.
#[derive(Debug, Clone)]
pub(crate) struct Return {
    /// Relative to the sample's folder, with "/".
    pub(crate) relative: String,
    pub(crate) format: BookFormat,
    pub(crate) oblast: String,
    pub(crate) sheets: Vec<Sheet>,
    /// An instructions sheet ("Указания") before the records.
    pub(crate) instructions: bool,
    /// The hidden marker sheet a generated template carries.
    pub(crate) marker: bool,
    /// An empty "Лист2" after the records, as new workbooks have.
    pub(crate) empty_sheet: bool,
}

/// One sheet with records.
#[derive(Debug, Clone)]
pub(crate) enum Sheet {
    Card(CardSheet),
    Table(TableSheet),
}

/// What a record is about, and the mistakes planted in it.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) subject: Subject,
    pub(crate) municipality: String,
    /// The facts as the sender meant them (mistakes that change a value change them here too).
    pub(crate) facts: Facts,
    /// Mistakes planted in this record, each at a field.
    pub(crate) planted: Vec<(String, Mistake)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Subject {
    MunicipalCard,
    /// A service card; the id is the service's, shared by the copies of a duplicate.
    Service {
        id: usize,
        type_code: String,
        card: Card,
    },
    DspRow,
    /// A row of the strategy's plan, indicators or a municipality's report.
    Strategy,
}

/// A card: one record laid out as labels and values.
#[derive(Debug, Clone)]
pub(crate) struct CardSheet {
    pub(crate) name: String,
    /// Index into the schemas' templates.
    pub(crate) template: usize,
    pub(crate) style: FormStyle,
    /// "Област: Русе" in one cell of the title block, when the style has one.
    pub(crate) oblast_title: Option<String>,
    pub(crate) lines: Vec<Line>,
    pub(crate) record: Record,
}

impl CardSheet {
    /// Rewrites the value of a field (a planted mistake); false when the card has no such line.
    pub(crate) fn set(&mut self, field: &str, value: Written) -> bool {
        match self.lines.iter_mut().find(|l| l.field == field) {
            Some(line) => {
                line.value = value;
                true
            }
            None => false,
        }
    }
}

/// One field of a card: its label as written and its value.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) field: String,
    pub(crate) label: String,
    pub(crate) value: Written,
}

/// How a card is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FormStyle {
    pub(crate) numbering: Numbering,
    /// The column of the labels (0 = A).
    pub(crate) label_col: u16,
    /// Labels merged over three columns, the value after them.
    pub(crate) merged: bool,
    pub(crate) title: TitleBlock,
    pub(crate) spacing: Spacing,
    /// "Приложение № N" above the title.
    pub(crate) annex: bool,
}

impl FormStyle {
    pub(crate) fn value_col(&self) -> u16 {
        self.label_col + if self.merged { 3 } else { 1 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Numbering {
    None,
    /// "5. Капацитет" in the label's cell.
    InLabel,
    /// 5 in a cell of its own, left of the label.
    OwnColumnNumber,
    /// "5." in a cell of its own.
    OwnColumnText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TitleBlock {
    None,
    Title,
    /// The title and "Област: Русе" in one cell below it.
    TitleWithOblast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spacing {
    Dense,
    BlankRows,
    /// Blank rows with a numbered section heading ("II. Капацитет и потребители").
    Sections,
}

/// A DSP table.
#[derive(Debug, Clone)]
pub(crate) struct TableSheet {
    pub(crate) name: String,
    pub(crate) template: usize,
    pub(crate) style: TableStyle,
    /// The title block, top to bottom: text cells, or a label cell with its value beside it.
    pub(crate) title: Vec<TitleLine>,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: Vec<Row>,
    /// The totals row's label ("Общо"), when the table has one.
    pub(crate) totals: Option<&'static str>,
    /// "Изготвил: …" under the table.
    pub(crate) footer: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum TitleLine {
    Text(String),
    Pair(String, Written),
}

/// A column of a table: its field and its header (under a group header in a two-row header).
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) field: String,
    pub(crate) group: Option<&'static str>,
    pub(crate) header: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) values: BTreeMap<String, Written>,
    pub(crate) record: Record,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TableStyle {
    /// A "№" column numbering the rows.
    pub(crate) number_column: bool,
    /// Group headers ("Деца", "Лица с увреждания") merged above the column headers.
    pub(crate) two_row_header: bool,
    /// A row "1 2 3 …" under the header.
    pub(crate) column_numbers: bool,
}

/// The headers of a DSP column under a group header: (group, sub-header).
fn dsp_group(field: &str) -> Option<(&'static str, &'static str)> {
    Some(match field {
        dsp::CHILDREN_TOTAL => ("Деца", "0–17 г. – общо"),
        dsp::CHILDREN_DISABLED => ("Деца", "с увреждания"),
        dsp::CHILDREN_AT_RISK => ("Деца", "в риск"),
        dsp::CHILDREN_FOSTER => ("Деца", "в приемни семейства"),
        dsp::CHILDREN_KINSHIP => ("Деца", "настанени при близки и роднини"),
        dsp::CHILDREN_RESIDENTIAL => ("Деца", "в резидентни услуги"),
        dsp::CHILDREN_INSTITUTIONS => ("Деца", "в специализирани институции"),
        dsp::ADULTS_DISABLED => ("Лица с увреждания", "над 18 г. (с решение на ТЕЛК/НЕЛК)"),
        dsp::ADULTS_DISABLED_90 => ("Лица с увреждания", "в т.ч. с над 90 % степен на увреждане"),
        _ => return None,
    })
}

/// A title field's label, or now and then one of its aliases ("ДСП", "Данни към").
fn label_or_alias(rng: &mut Rng, field: &crate::schema::Field) -> String {
    if field.aliases.is_empty() || rng.chance(0.7) {
        field.label.clone()
    } else {
        rng.pick(&field.aliases).clone()
    }
}

/// A short name of a service type for sheet and file names ("ЦНСТ", "Патронаж").
pub(crate) fn short_name(schemas: &Schemas, code: &str) -> String {
    let Some(service) = schemas.reference.service_type(code) else {
        return code.to_string();
    };
    if !service.abbr_bg.is_empty() {
        return service.abbr_bg.clone();
    }
    match code {
        "HOME_PATRONAGE" => "Патронаж".to_string(),
        _ => service.name_bg.split_whitespace().next().unwrap_or(code).to_string(),
    }
}

/// Drops what file systems and sheet names refuse.
fn clean_name(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !matches!(
                c,
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '[' | ']' | '„' | '“'
            )
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The nickname of a service („Слънце"), if its name has one.
fn nickname(name: &str) -> Option<&str> {
    let start = name.find('„')? + '„'.len_utf8();
    let end = start + name[start..].find('“')?;
    Some(&name[start..end])
}

/// Plans the returns of one oblast.
pub(crate) struct Planner<'a> {
    pub(crate) schemas: &'a Schemas,
    pub(crate) templates: &'a Templates,
    pub(crate) writer: Writer<'a>,
    pub(crate) period: Period,
    pub(crate) dice: Dice,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(
        schemas: &'a Schemas,
        templates: &'a Templates,
        forms: &'a Forms,
        period: Period,
        rng: Rng,
    ) -> Planner<'a> {
        Planner {
            schemas,
            templates,
            writer: Writer {
                reference: &schemas.reference,
                forms,
            },
            period,
            dice: Dice::new(rng),
        }
    }

    /// Lays out one record as a card of `template`.
    pub(crate) fn card(&mut self, template: usize, name: String, record: Record, card: Option<Card>) -> CardSheet {
        let schemas = self.schemas;
        let t: &Template = &schemas.templates[template];
        let dice = &mut self.dice;
        let numbering = [
            Numbering::None,
            Numbering::InLabel,
            Numbering::OwnColumnNumber,
            Numbering::OwnColumnText,
        ][dice.shape("numbering", &[3.0, 2.0, 1.0, 1.0])];
        let own_column = matches!(numbering, Numbering::OwnColumnNumber | Numbering::OwnColumnText);
        let label_col = if own_column {
            1
        } else {
            dice.shape("label_column", &[3.0, 1.0]) as u16
        };
        let style = FormStyle {
            numbering,
            label_col,
            merged: dice.flag("merged_label", 2.0),
            title: [TitleBlock::None, TitleBlock::Title, TitleBlock::TitleWithOblast]
                [dice.shape("title", &[1.0, 3.0, 2.0])],
            spacing: [Spacing::Dense, Spacing::BlankRows, Spacing::Sections][dice.shape("spacing", &[3.0, 1.0, 1.0])],
            annex: dice.flag("annex", 3.0),
        };
        let labels = LabelStyle {
            upper: dice.flag("upper_case", 3.0),
            suffix: [Suffix::None, Suffix::Colon, Suffix::Star][dice.shape("suffix", &[3.0, 1.0, 1.0])],
            aliases: dice.flag("aliases", 2.0),
        };
        let mut lines: Vec<Line> = t
            .body_fields()
            .map(|(_, field)| {
                let label = forms::label(&mut dice.rng, field, labels);
                let value = match record.facts.get(&field.id) {
                    Some(fact) => self.writer.write(dice, field, fact, card),
                    None => [Written::Empty, Written::Text("-".into()), Written::Text("н/п".into())]
                        [dice.shape("blank", &[8.0, 1.0, 1.0])]
                    .clone(),
                };
                Line {
                    field: field.id.clone(),
                    label,
                    value,
                }
            })
            .collect();
        if dice.flag("line_break", 2.0) {
            let long: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].label.chars().count() > 24)
                .collect();
            if !long.is_empty() {
                let i = long[dice.rng.below(long.len())];
                if let Some(broken) = forms::with_line_break(&mut dice.rng, &lines[i].label) {
                    lines[i].label = broken;
                }
            }
        }
        if dice.flag("lookalike", 2.0) && !lines.is_empty() {
            let i = dice.rng.below(lines.len());
            if let Some(latin) = forms::with_lookalike(&mut dice.rng, &lines[i].label) {
                lines[i].label = latin;
            }
        }
        let oblast_title = match (style.title, record.facts.get(dsp::OBLAST)) {
            (TitleBlock::TitleWithOblast, Some(Fact::Oblast(code))) => {
                let written = self.writer.oblast(dice, code);
                // Half of such cards name the oblast only in the title.
                if dice.rng.chance(0.5) {
                    lines.retain(|l| l.field != dsp::OBLAST);
                }
                Some(format!("Област: {written}"))
            }
            _ => None,
        };
        CardSheet {
            name,
            template,
            style,
            oblast_title,
            lines,
            record,
        }
    }

    /// Lays out the DSP rows of some municipalities as one table.
    fn dsp_table(&mut self, oblast: &str, directorate: &str, rows: Vec<Record>, two_row_header: bool) -> TableSheet {
        let schemas = self.schemas;
        let t = &schemas.templates[self.templates.dsp];
        let dice = &mut self.dice;
        let style = TableStyle {
            number_column: dice.flag("dsp_number_column", 1.0),
            two_row_header,
            column_numbers: dice.flag("dsp_column_numbers", 1.0),
        };
        let labels = LabelStyle {
            upper: false,
            suffix: Suffix::None,
            aliases: dice.flag("dsp_aliases", 2.0),
        };
        let mut columns = Vec::new();
        for (_, f) in t.body_fields() {
            // Some DSPs leave out a column or two they do not keep.
            if !f.required && f.id != dsp::CHILDREN_TOTAL && dice.rng.chance(0.15) {
                continue;
            }
            columns.push(match dsp_group(&f.id).filter(|_| two_row_header) {
                Some((group, header)) => Column {
                    field: f.id.clone(),
                    group: Some(group),
                    header: header.to_string(),
                },
                None => Column {
                    field: f.id.clone(),
                    group: None,
                    header: forms::label(&mut dice.rng, f, labels),
                },
            });
        }
        let title_field = |id: &str| t.fields.iter().find(|f| f.in_title && f.id == id);
        let mut title = vec![TitleLine::Text(if dice.flag("dsp_upper_title", 2.0) {
            t.title.to_uppercase()
        } else {
            t.title.clone()
        })];
        if let Some(f) = title_field("directorate") {
            let label = label_or_alias(&mut dice.rng, f);
            title.push(TitleLine::Text(format!("{label} – {directorate}")));
        }
        if let Some(f) = title_field(dsp::OBLAST) {
            let written = self.writer.oblast(dice, oblast);
            title.push(if dice.flag("dsp_oblast_inline", 1.0) {
                TitleLine::Text(format!("{}: {written}", f.label))
            } else {
                TitleLine::Pair(format!("{}:", f.label), Written::Text(written))
            });
        }
        if let Some(f) = title_field("data_date") {
            let date = Fact::Date(self.period.end);
            let label = label_or_alias(&mut dice.rng, f);
            title.push(if dice.flag("dsp_date_inline", 1.0) {
                TitleLine::Text(format!("{label}: {}", forms::date_text(self.period.end)))
            } else {
                TitleLine::Pair(format!("{label}:"), self.writer.write(dice, f, &date, None))
            });
        }
        let rows = rows
            .into_iter()
            .map(|record| {
                let values = columns
                    .iter()
                    .filter_map(|c| {
                        let field = t.fields.iter().find(|f| f.id == c.field)?;
                        let fact = record.facts.get(&c.field)?;
                        Some((c.field.clone(), self.writer.write(dice, field, fact, None)))
                    })
                    .collect();
                Row { values, record }
            })
            .collect();
        let totals =
            [Some("Общо"), Some("ОБЩО"), Some("Всичко"), None][dice.shape("dsp_totals", &[5.0, 2.0, 1.0, 1.0])];
        let (first, last) = super::names::person(&mut dice.rng);
        let footer = dice.rng.chance(0.6).then(|| format!("Изготвил: {first} {last}"));
        let name = ["ДСП", "Лист1", "Справка", "Sheet1"][dice.rng.below(4)].to_string();
        TableSheet {
            name,
            template: self.templates.dsp,
            style,
            title,
            columns,
            rows,
            totals,
            footer,
        }
    }

    /// The file's own choices: an instructions sheet, the marker, an empty sheet.
    fn new_return(&mut self, relative: String, oblast: &str, sheets: Vec<Sheet>) -> Return {
        Return {
            relative,
            format: BookFormat::Xlsx,
            oblast: oblast.to_string(),
            sheets,
            instructions: self.dice.flag("instructions", 4.0),
            marker: self.dice.flag("marker", 3.0),
            empty_sheet: self.dice.flag("empty_sheet", 5.0),
        }
    }

    /// A service card's record and layout.
    pub(crate) fn service_card(&mut self, m: &Municipality, service: &Service, sheet_name: String) -> CardSheet {
        let template = match service.card {
            Card::Children => self.templates.children,
            _ => self.templates.adults,
        };
        let record = Record {
            subject: Subject::Service {
                id: service.id,
                type_code: service.type_code.clone(),
                card: service.card,
            },
            municipality: m.code.clone(),
            facts: service.facts.clone(),
            planted: Vec::new(),
        };
        self.card(template, sheet_name, record, Some(service.card))
    }

    /// A file name for a single service card, other than those in `taken`
    /// (lower-case paths without extension) where one of the usual patterns allows.
    fn service_file_name(
        &mut self,
        folder: &str,
        m: &Municipality,
        service: &Service,
        index: usize,
        taken: &BTreeSet<String>,
    ) -> String {
        let short = short_name(self.schemas, &service.type_code);
        let name = forms::text(&service.facts, service::SERVICE_NAME).unwrap_or("");
        let nick = nickname(name).map(str::to_string);
        let settlement = forms::text(&service.facts, service::SETTLEMENT).unwrap_or("");
        let place = settlement.split_once(' ').map_or(settlement, |(_, p)| p);
        let underscored = m.name.replace(' ', "_");
        let mut patterns = vec![
            match &nick {
                Some(nick) => format!("{short}_{nick}"),
                None => format!("{short}_{}", place.replace(' ', "_")),
            },
            format!("Карта_{short}_{underscored}"),
            format!("{short} {place}"),
            format!("Карта за услуга - {short} {}", nick.as_deref().unwrap_or(&m.name)),
            format!("{:02}_{short}", index + 1),
        ];
        // One pattern, chosen at random, unless another file took it already.
        let first = self.dice.rng.below(patterns.len());
        patterns.rotate_left(first);
        patterns.push(format!("{:02}_{short}_{}", index + 1, place.replace(' ', "_")));
        patterns
            .into_iter()
            .map(|p| clean_name(&p))
            .find(|p| !taken.contains(&format!("{folder}{p}").to_lowercase()))
            .unwrap_or_else(|| clean_name(&format!("{:02}_{short}", index + 1)))
    }

    /// The returns of one oblast: municipal cards, service cards, DSP tables.
    /// `base` is the folder of the oblast inside the sample ("" for a one-oblast sample).
    pub(crate) fn oblast_returns(&mut self, oblast: &str, base: &str, municipalities: &[Municipality]) -> Vec<Return> {
        let mut returns = Vec::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let year = self.period.end.year();
        // About a quarter of the municipalities send all their service cards in one workbook.
        let mut order: Vec<usize> = (0..municipalities.len()).collect();
        self.dice.rng.shuffle(&mut order);
        let workbooks: BTreeSet<usize> = order
            .into_iter()
            .take(((municipalities.len() as f64 * 0.25).round() as usize).max(1))
            .collect();
        for (index, m) in municipalities.iter().enumerate() {
            let folder = format!("{base}{}/", m.name);
            let record = Record {
                subject: Subject::MunicipalCard,
                municipality: m.code.clone(),
                facts: m.card.clone(),
                planted: Vec::new(),
            };
            let sheet = ["Карта", "Лист1", "Информация", "Sheet1", "Община"][self.dice.rng.below(5)].to_string();
            let card = self.card(self.templates.municipal, sheet, record, None);
            let underscored = m.name.replace(' ', "_");
            let stem = match self.dice.rng.below(5) {
                0 => format!("Карта_общинска_администрация_{underscored}"),
                1 => format!("Информация от общинска администрация - {}", m.name),
                2 => format!("Карта общинска администрация {} {year}", m.name),
                3 => format!("{}_карта_община", m.code),
                _ => format!("Община {} - карта", m.name),
            };
            returns.push(self.new_return(
                format!("{folder}{}", clean_name(&stem)),
                oblast,
                vec![Sheet::Card(card)],
            ));

            if workbooks.contains(&index) {
                let shorts: Vec<String> = m
                    .services
                    .iter()
                    .map(|s| short_name(self.schemas, &s.type_code))
                    .collect();
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                let mut used: BTreeSet<String> = BTreeSet::new();
                let mut sheets = Vec::new();
                for (service, short) in m.services.iter().zip(&shorts) {
                    let repeated = shorts.iter().filter(|s| *s == short).count() > 1;
                    let n = seen.entry(short.clone()).or_default();
                    *n += 1;
                    let mut name: String = clean_name(&if repeated {
                        format!("{short} {n}")
                    } else {
                        short.clone()
                    })
                    .chars()
                    .take(28)
                    .collect();
                    while !used.insert(name.to_lowercase()) {
                        name.push('_');
                    }
                    sheets.push(Sheet::Card(self.service_card(m, service, name)));
                }
                if !sheets.is_empty() {
                    let stem = match self.dice.rng.below(3) {
                        0 => format!("Карти_социални_услуги_{underscored}"),
                        1 => format!("Социални услуги {} - карти", m.name),
                        _ => format!("{underscored}_карти_услуги_{year}"),
                    };
                    returns.push(self.new_return(format!("{folder}{}", clean_name(&stem)), oblast, sheets));
                }
            } else {
                for (i, service) in m.services.iter().enumerate() {
                    let sheet = ["Карта", "Лист1", "Sheet1", "Карта услуга"][self.dice.rng.below(4)].to_string();
                    let card = self.service_card(m, service, sheet);
                    let stem = self.service_file_name(&folder, m, service, i, &taken);
                    taken.insert(format!("{folder}{stem}").to_lowercase());
                    returns.push(self.new_return(format!("{folder}{stem}"), oblast, vec![Sheet::Card(card)]));
                }
            }
        }

        // The DSP table(s): one per oblast, two for an oblast of ten or more municipalities.
        let oblast_name = self.writer.forms.oblast_name(oblast);
        let groups: Vec<&[Municipality]> = if municipalities.len() >= 10 {
            let (a, b) = municipalities.split_at(municipalities.len() / 2);
            vec![a, b]
        } else {
            vec![municipalities]
        };
        for (i, group) in groups.iter().enumerate() {
            let Some(first) = group.first() else { continue };
            let directorate = if groups.len() == 1 {
                oblast_name.clone()
            } else {
                first.name.clone()
            };
            let rows = group
                .iter()
                .map(|m| Record {
                    subject: Subject::DspRow,
                    municipality: m.code.clone(),
                    facts: m.dsp.clone(),
                    planted: Vec::new(),
                })
                .collect();
            // The first table of an oblast always has the usual two-row header.
            let two_row_header = i == 0 || self.dice.rng.chance(0.5);
            let table = self.dsp_table(oblast, &directorate, rows, two_row_header);
            let stem = if groups.len() == 1 {
                format!("ДСП_{}_деца_и_лица_с_увреждания", oblast_name.replace(' ', "_"))
            } else {
                format!("Информация_ДСП_{}", directorate.replace(' ', "_"))
            };
            returns.push(self.new_return(
                format!("{base}ДСП/{}", clean_name(&stem)),
                oblast,
                vec![Sheet::Table(table)],
            ));
        }

        // Formats in the shares real returns come in, exactly: ~92 % .xlsx, 5 % .xls, 3 % .ods.
        let n = returns.len();
        let xls = ((n as f64 * 0.05).round() as usize).max(1);
        let ods = ((n as f64 * 0.03).round() as usize).max(1);
        let mut formats: Vec<BookFormat> = (0..n)
            .map(|i| match i {
                i if i < xls => BookFormat::Xls,
                i if i < xls + ods => BookFormat::Ods,
                _ => BookFormat::Xlsx,
            })
            .collect();
        self.dice.rng.shuffle(&mut formats);
        for (r, format) in returns.iter_mut().zip(formats) {
            r.format = format;
        }
        unique_names(&mut returns);
        returns
    }
}

/// The extension of a format.
pub(crate) fn extension(format: BookFormat) -> &'static str {
    match format {
        BookFormat::Xlsx => "xlsx",
        BookFormat::Xls => "xls",
        BookFormat::Ods => "ods",
    }
}

/// Adds the extensions and keeps names unique (ignoring case): " (2)" after a repeat.
pub(crate) fn unique_names(returns: &mut [Return]) {
    let mut used: BTreeSet<String> = BTreeSet::new();
    for r in returns.iter_mut() {
        let stem = r.relative.clone();
        let ext = extension(r.format);
        let mut candidate = format!("{stem}.{ext}");
        let mut n = 2;
        while !used.insert(candidate.to_lowercase()) {
            candidate = format!("{stem} ({n}).{ext}");
            n += 1;
        }
        r.relative = candidate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_and_names_are_cleaned() {
        assert_eq!(
            nickname("Дневен център за стари хора „Слънце“ – гр. Бяла"),
            Some("Слънце")
        );
        assert_eq!(nickname("Домашен социален патронаж – гр. Бяла"), None);
        assert_eq!(clean_name(" ЦНСТ „Дъга“: 1/2 "), "ЦНСТ Дъга 12");
    }
}
