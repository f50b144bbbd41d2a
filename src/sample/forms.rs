//! How people write things down: takes a [`Fact`] (what a field holds, in the
//! domain's terms) and gives the [`Written`] cell, in one of the forms
//! TEMPLATES.md accepts — numbers as cells or as "1 250,50", dates as date
//! cells or "1.3.2016 г.", a municipality as "общ. Русе", a service type by an
//! abbreviation or an alias — and dresses labels up the same way (upper
//! case, a trailing ":", a line break, a Latin look-alike letter).
//!
//! [`Dice`] hands the forms out: each form of each kind is used once before
//! any is used twice, so that a set as small as one oblast shows every shape.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::names;
use super::rng::Rng;
use crate::book::BookValue;
use crate::reference::{Card, ExtraAliases, Reference};
use crate::schema::fields::service;
use crate::schema::{Choices, Field};

/// What a field holds, before it is written down.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fact {
    Text(String),
    Int(i64),
    Decimal(f64),
    /// An amount in stotinki (hundredths of a lev), so that sums are exact.
    Money(i64),
    Date(NaiveDate),
    YesNo(bool),
    Oblast(String),
    Municipality(String),
    ServiceType(String),
    Financing(String),
    Provider(String),
    /// A code of an enumeration the schema lists itself (the age group).
    Choice(String),
}

/// A cell as it is written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Written {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Written {
    pub(crate) fn to_book(&self) -> Option<BookValue> {
        match self {
            Written::Empty => None,
            Written::Text(t) => Some(BookValue::Text(t.clone())),
            Written::Number(n) => Some(BookValue::Number(*n)),
            Written::Date(d) => Some(BookValue::Date(*d)),
        }
    }
}

/// The facts of one record, by field id.
pub(crate) type Facts = BTreeMap<String, Fact>;

/// A whole-number fact.
pub(crate) fn int(facts: &Facts, id: &str) -> Option<i64> {
    match facts.get(id) {
        Some(Fact::Int(n)) => Some(*n),
        _ => None,
    }
}

/// A money fact in stotinki (0 when there is none).
pub(crate) fn money(facts: &Facts, id: &str) -> i64 {
    match facts.get(id) {
        Some(Fact::Money(c)) => *c,
        _ => 0,
    }
}

pub(crate) fn date(facts: &Facts, id: &str) -> Option<NaiveDate> {
    match facts.get(id) {
        Some(Fact::Date(d)) => Some(*d),
        _ => None,
    }
}

pub(crate) fn text<'a>(facts: &'a Facts, id: &str) -> Option<&'a str> {
    match facts.get(id) {
        Some(Fact::Text(t)) => Some(t),
        _ => None,
    }
}

/// Whether the service a card describes is active in the period (opened by
/// its end, not closed before its start).
pub(crate) fn active(facts: &Facts, period: crate::period::Period) -> bool {
    period.is_active(date(facts, service::START_DATE), date(facts, service::END_DATE))
}

/// `date` moved by `days` (either way); a date off the calendar stays put.
pub(crate) fn plus(date: NaiveDate, days: i64) -> NaiveDate {
    let moved = if days >= 0 {
        date.checked_add_days(chrono::Days::new(days as u64))
    } else {
        date.checked_sub_days(chrono::Days::new(days.unsigned_abs()))
    };
    moved.unwrap_or(date)
}

/// Hands out forms so that every form of a kind occurs early.
#[derive(Debug, Default)]
pub(crate) struct Variety {
    used: BTreeMap<&'static str, Vec<bool>>,
}

impl Variety {
    /// An index into `weights`: a form not used yet where one is available
    /// (weight above 0), else one drawn by weight.
    fn pick(&mut self, rng: &mut Rng, kind: &'static str, weights: &[f64]) -> usize {
        let used = self.used.entry(kind).or_insert_with(|| vec![false; weights.len()]);
        if used.len() < weights.len() {
            used.resize(weights.len(), false);
        }
        let fresh: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0.0 && !used[i]).collect();
        let index = if fresh.is_empty() {
            rng.weighted(weights)
        } else {
            fresh[rng.below(fresh.len())]
        };
        used[index] = true;
        index
    }

    /// The kinds with a form never used, for the coverage test.
    #[cfg(test)]
    pub(crate) fn unused(&self) -> Vec<(&'static str, usize)> {
        self.used
            .iter()
            .flat_map(|(kind, used)| used.iter().enumerate().filter(|(_, u)| !**u).map(|(i, _)| (*kind, i)))
            .collect()
    }
}

/// The random source of one part of a sample and its variety deck.
#[derive(Debug)]
pub(crate) struct Dice {
    pub(crate) rng: Rng,
    pub(crate) variety: Variety,
}

impl Dice {
    pub(crate) fn new(rng: Rng) -> Dice {
        Dice {
            rng,
            variety: Variety::default(),
        }
    }

    /// One of several shapes of `kind`, each used once before any twice.
    pub(crate) fn shape(&mut self, kind: &'static str, weights: &[f64]) -> usize {
        self.variety.pick(&mut self.rng, kind, weights)
    }

    /// A yes/no shape of `kind`: `true` about once in `1 + odds_against` after both were used.
    pub(crate) fn flag(&mut self, kind: &'static str, odds_against: f64) -> bool {
        self.shape(kind, &[odds_against, 1.0]) == 1
    }
}

/// The written forms of the reference values: names, codes, unambiguous
/// abbreviations and aliases.
#[derive(Debug, Default)]
pub(crate) struct Forms {
    /// Service type code → aliases, each with the card it reads naturally on (None: either).
    service_aliases: BTreeMap<String, Vec<(String, Option<Card>)>>,
    financing_aliases: BTreeMap<String, Vec<String>>,
    provider_aliases: BTreeMap<String, Vec<String>>,
    /// Service types whose abbreviation no other type shares.
    unique_abbreviations: BTreeSet<String>,
    /// Oblast code → the name people write, and whether "Област X" reads unambiguously.
    oblast_names: BTreeMap<String, (String, bool)>,
}

/// The project's extra aliases, as shipped with the built-in schemas.
const ALIASES: &str = include_str!("../../schemas/aliases.toml");

fn split_aliases(aliases: &str) -> impl Iterator<Item = String> + '_ {
    aliases
        .split(';')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
}

/// The card an alias of a service type names by its words ("ДЦ за деца …",
/// "… за пълнолетни лица …"), if it names one.
fn alias_card(alias: &str) -> Option<Card> {
    let lower = alias.to_lowercase();
    if lower.contains("деца") || lower == "дцду" || lower == "цнстдбу" || lower == "цнстдму" {
        Some(Card::Children)
    } else if lower.contains("пълнолетни") || lower.contains("възрастни") || lower.contains("лица") || lower == "дцплу"
    {
        Some(Card::Adults)
    } else {
        None
    }
}

impl Forms {
    pub(crate) fn new(reference: &Reference) -> Forms {
        // The built-in aliases parse (the schema loader checks them); a copy
        // that does not simply gives no alias forms.
        let extra: ExtraAliases = toml::from_str(ALIASES).unwrap_or_default();
        let mut forms = Forms::default();
        for (alias, code) in &extra.service_types {
            forms
                .service_aliases
                .entry(code.clone())
                .or_default()
                .push((alias.clone(), alias_card(alias)));
        }
        for (table, rows, extra) in [
            (
                &mut forms.financing_aliases,
                &reference.financing_types,
                &extra.financing_types,
            ),
            (
                &mut forms.provider_aliases,
                &reference.provider_types,
                &extra.provider_types,
            ),
        ] {
            for row in rows {
                table
                    .entry(row.code.clone())
                    .or_default()
                    .extend(split_aliases(&row.aliases_bg));
            }
            for (alias, code) in extra {
                table.entry(code.clone()).or_default().push(alias.clone());
            }
        }
        for s in &reference.service_types {
            let abbr = s.abbr_bg.to_lowercase();
            let shared = reference
                .service_types
                .iter()
                .filter(|o| !abbr.is_empty() && o.abbr_bg.to_lowercase() == abbr)
                .count();
            if shared == 1 {
                forms.unique_abbreviations.insert(s.code.clone());
            }
        }
        let short = |name: &str| name.split('(').next().unwrap_or(name).trim().to_lowercase();
        for o in &reference.oblasts {
            let clash = reference
                .oblasts
                .iter()
                .any(|other| other.code != o.code && short(&other.name_bg) == o.name_bg.to_lowercase());
            let first_alias = split_aliases(&o.aliases_bg).next();
            let name = match (clash, first_alias) {
                (true, Some(alias)) => (alias, false),
                (true, None) => (o.code.clone(), false),
                (false, _) => (o.name_bg.clone(), true),
            };
            forms.oblast_names.insert(o.code.clone(), name);
        }
        forms
    }

    /// The abbreviation of a service type when other types share it ("ДЦ", "ЦНСТ").
    pub(crate) fn shared_abbreviation<'r>(&self, reference: &'r Reference, code: &str) -> Option<&'r str> {
        let service = reference.service_type(code)?;
        (!service.abbr_bg.is_empty() && !self.unique_abbreviations.contains(code)).then_some(service.abbr_bg.as_str())
    }

    /// The name of an oblast as people write it (an alias where the name is ambiguous).
    pub(crate) fn oblast_name(&self, code: &str) -> String {
        self.oblast_names
            .get(code)
            .map_or_else(|| code.to_string(), |(name, _)| name.clone())
    }
}

/// Digits grouped by threes with `separator` ("1 250 000").
pub(crate) fn grouped(n: i64, separator: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A decimal with a comma, as few decimals as it needs ("12,5", "12").
pub(crate) fn comma_decimal(x: f64) -> String {
    let hundredths = (x * 100.0).round() as i64;
    let whole = hundredths / 100;
    let part = (hundredths % 100).abs();
    match part {
        0 => whole.to_string(),
        p if p % 10 == 0 => format!("{whole},{}", p / 10),
        p => format!("{whole},{p:02}"),
    }
}

/// "01.03.2016".
pub(crate) fn date_text(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// Writes a fact the way one of the people filling the returns would.
pub(crate) struct Writer<'a> {
    pub(crate) reference: &'a Reference,
    pub(crate) forms: &'a Forms,
}

impl Writer<'_> {
    /// The cell for `fact` in `field`; `card` is the service card it is written on, if any.
    pub(crate) fn write(&self, dice: &mut Dice, field: &Field, fact: &Fact, card: Option<Card>) -> Written {
        match fact {
            Fact::Text(t) => Written::Text(t.clone()),
            Fact::Int(n) => match dice.shape("integer", &[6.0, 2.0, 1.0]) {
                0 => Written::Number(*n as f64),
                1 => Written::Text(grouped(*n, " ")),
                _ => Written::Text(grouped(*n, "\u{a0}")),
            },
            Fact::Decimal(x) => match dice.shape("decimal", &[5.0, 3.0, 1.0]) {
                0 => Written::Number(*x),
                1 => Written::Text(comma_decimal(*x)),
                _ => Written::Text(comma_decimal(*x).replace(',', ".")),
            },
            Fact::Money(cents) => {
                let (leva, st) = (cents / 100, cents % 100);
                match dice.shape("money", &[5.0, 2.0, 1.0, 1.0, 1.0]) {
                    0 => Written::Number(*cents as f64 / 100.0),
                    1 => Written::Text(format!("{},{st:02}", grouped(leva, " "))),
                    2 => Written::Text(format!("{},{st:02}", grouped(leva, "."))),
                    3 => Written::Text(format!("{leva}.{st:02} лв.")),
                    _ => Written::Text(format!("{},{st:02} лв.", grouped(leva, " "))),
                }
            }
            Fact::Date(d) => match dice.shape("date", &[6.0, 2.0, 1.0, 1.0]) {
                0 => Written::Date(*d),
                1 => Written::Text(date_text(*d)),
                2 => Written::Text(d.format("%-d.%-m.%Y г.").to_string()),
                _ => Written::Text(d.format("%Y-%m-%d").to_string()),
            },
            Fact::YesNo(true) => match dice.shape("yes", &[2.0, 3.0, 1.0, 1.0, 1.0]) {
                0 => Written::Text("да".into()),
                1 => Written::Text("Да".into()),
                2 => Written::Text("ДА".into()),
                3 => Written::Text("x".into()),
                _ => Written::Number(1.0),
            },
            Fact::YesNo(false) => match dice.shape("no", &[2.0, 3.0, 1.0, 1.0]) {
                0 => Written::Text("не".into()),
                1 => Written::Text("Не".into()),
                2 => Written::Text("НЕ".into()),
                _ => Written::Number(0.0),
            },
            Fact::Oblast(code) => Written::Text(self.oblast(dice, code)),
            Fact::Municipality(code) => Written::Text(self.municipality(dice, code)),
            Fact::ServiceType(code) => Written::Text(self.service_type(dice, code, card)),
            Fact::Financing(code) => {
                let name = self
                    .reference
                    .financing_types
                    .iter()
                    .find(|f| &f.code == code)
                    .map_or(code.as_str(), |f| f.name_bg.as_str());
                Written::Text(self.choice(dice, "financing", code, name, self.forms.financing_aliases.get(code)))
            }
            Fact::Provider(code) => {
                let name = self
                    .reference
                    .provider_types
                    .iter()
                    .find(|f| &f.code == code)
                    .map_or(code.as_str(), |f| f.name_bg.as_str());
                Written::Text(self.choice(dice, "provider", code, name, self.forms.provider_aliases.get(code)))
            }
            Fact::Choice(code) => Written::Text(inline_choice(dice, field, code)),
        }
    }

    /// "Русе", "RSE", "Област Русе", "обл. Русе".
    pub(crate) fn oblast(&self, dice: &mut Dice, code: &str) -> String {
        let (name, prefixable) = self
            .forms
            .oblast_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| (code.to_string(), false));
        let p = if prefixable { 1.0 } else { 0.0 };
        match dice.shape("oblast", &[4.0, 1.0, p, p]) {
            0 => name,
            1 => code.to_string(),
            2 => format!("Област {name}"),
            _ => format!("обл. {name}"),
        }
    }

    /// "Русе", "RSE27", "Община Русе", "общ. Русе".
    pub(crate) fn municipality(&self, dice: &mut Dice, code: &str) -> String {
        let name = self.reference.municipality(code).map_or(code, |m| m.name_bg.as_str());
        match dice.shape("municipality", &[4.0, 1.0, 2.0, 1.0]) {
            0 => name.to_string(),
            1 => code.to_string(),
            2 => format!("Община {name}"),
            _ => format!("общ. {name}"),
        }
    }

    /// The full name, the code, an unambiguous abbreviation, an alias that
    /// fits the card, or the name in lower case.
    fn service_type(&self, dice: &mut Dice, code: &str, card: Option<Card>) -> String {
        let Some(service) = self.reference.service_type(code) else {
            return code.to_string();
        };
        let aliases: Vec<&String> = self
            .forms
            .service_aliases
            .get(code)
            .into_iter()
            .flatten()
            .filter(|(_, fits)| fits.is_none() || card.is_none() || *fits == card)
            .map(|(alias, _)| alias)
            .collect();
        let abbreviation = if self.forms.unique_abbreviations.contains(code) {
            2.0
        } else {
            0.0
        };
        let alias = if aliases.is_empty() { 0.0 } else { 2.0 };
        match dice.shape("service_type", &[4.0, 1.0, abbreviation, alias, 1.0]) {
            0 => service.name_bg.clone(),
            1 => service.code.clone(),
            2 => service.abbr_bg.clone(),
            3 => (*dice.rng.pick(&aliases)).clone(),
            _ => service.name_bg.to_lowercase(),
        }
    }

    fn choice(
        &self,
        dice: &mut Dice,
        kind: &'static str,
        code: &str,
        name: &str,
        aliases: Option<&Vec<String>>,
    ) -> String {
        let aliases = aliases.map_or(&[][..], Vec::as_slice);
        let alias = if aliases.is_empty() { 0.0 } else { 3.0 };
        match dice.shape(kind, &[3.0, 1.0, alias]) {
            0 => name.to_string(),
            1 => code.to_string(),
            _ => dice.rng.pick(aliases).clone(),
        }
    }
}

/// The label, an alias or the code of a value of an enumeration the schema lists itself.
fn inline_choice(dice: &mut Dice, field: &Field, code: &str) -> String {
    let Some(Choices::Inline { values, .. }) = &field.choices else {
        return code.to_string();
    };
    let Some(value) = values.iter().find(|v| v.code == code) else {
        return code.to_string();
    };
    let alias = if value.aliases.is_empty() { 0.0 } else { 2.0 };
    match dice.shape("choice", &[3.0, alias, 1.0]) {
        0 => value.label.clone(),
        1 => dice.rng.pick(&value.aliases).clone(),
        _ => value.code.clone(),
    }
}

/// How one card writes its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LabelStyle {
    pub(crate) upper: bool,
    pub(crate) suffix: Suffix,
    /// Use a field's aliases instead of its label about a third of the time.
    pub(crate) aliases: bool,
}

/// What a card writes after its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suffix {
    None,
    Colon,
    /// A "*" after the labels of required fields.
    Star,
}

/// A field's label as this card writes it.
pub(crate) fn label(rng: &mut Rng, field: &Field, style: LabelStyle) -> String {
    let mut text = if style.aliases && !field.aliases.is_empty() && rng.chance(0.35) {
        rng.pick(&field.aliases).clone()
    } else {
        field.label.clone()
    };
    if style.upper {
        text = text.to_uppercase();
    }
    match style.suffix {
        Suffix::Colon => text.push(':'),
        Suffix::Star if field.required => text.push_str(if rng.chance(0.5) { " *" } else { "*" }),
        _ => {}
    }
    text
}

/// The label with one space turned into a line break (as a wrapped cell
/// typed with Alt+Enter), if it has a space past its first word.
pub(crate) fn with_line_break(rng: &mut Rng, label: &str) -> Option<String> {
    let spaces: Vec<usize> = label.match_indices(' ').map(|(i, _)| i).filter(|&i| i > 8).collect();
    if spaces.is_empty() {
        return None;
    }
    let at = *rng.pick(&spaces);
    Some(format!("{}\n{}", &label[..at], &label[at + 1..]))
}

/// The label with one Cyrillic letter typed as its Latin look-alike, inside
/// a Cyrillic word of three or more letters.
pub(crate) fn with_lookalike(rng: &mut Rng, label: &str) -> Option<String> {
    let chars: Vec<char> = label.chars().collect();
    let mut candidates = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let end = chars[start..]
            .iter()
            .position(|c| !c.is_alphabetic())
            .map_or(chars.len(), |n| start + n);
        let word = &chars[start..end];
        if word.len() >= 3 && word.iter().all(|c| matches!(c, '\u{0400}'..='\u{04FF}')) {
            candidates.extend((start..end).filter(|&i| names::latin_lookalike(chars[i]).is_some()));
        }
        start = end + 1;
    }
    if candidates.is_empty() {
        return None;
    }
    let at = *rng.pick(&candidates);
    let mut out = chars;
    out[at] = names::latin_lookalike(out[at])?;
    Some(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{key, label_key};

    #[test]
    fn numbers_are_written_the_bulgarian_way() {
        assert_eq!(grouped(1_250_000, " "), "1 250 000");
        assert_eq!(grouped(250, "."), "250");
        assert_eq!(comma_decimal(12.5), "12,5");
        assert_eq!(comma_decimal(12.0), "12");
        assert_eq!(comma_decimal(1.25), "1,25");
    }

    #[test]
    fn dressed_labels_keep_their_key() {
        let mut rng = Rng::new(3);
        let label = "Среден брой потребители за периода";
        for _ in 0..20 {
            let broken = with_line_break(&mut rng, label).unwrap();
            assert!(broken.contains('\n'));
            assert_eq!(label_key(&broken), label_key(label));
            let latin = with_lookalike(&mut rng, label).unwrap();
            assert_ne!(latin, label);
            assert_eq!(key(&latin), key(label));
        }
    }

    #[test]
    fn every_form_is_used_before_one_is_used_twice() {
        let mut dice = Dice::new(Rng::new(9));
        let first: BTreeSet<usize> = (0..4).map(|_| dice.shape("date", &[6.0, 2.0, 1.0, 1.0])).collect();
        assert_eq!(first.len(), 4);
        assert!(dice.variety.unused().is_empty());
    }
}
