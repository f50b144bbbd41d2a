//! The instructions sheet („Указания“): takes the templates of a workbook and
//! gives a sheet that says, in plain words, how to fill them in — where to
//! write, what each field wants (from the schema's `help`, with the kind of
//! value and its unit, and the rules that tie it to other fields), how to add
//! another service card, how to send the file back. The reader skips it by
//! its name.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::sheets::{Ctx, height};
use super::words::{self, pick};
use crate::issue::Lang;
use crate::reference::Table;
use crate::schema::{Choices, Layout, Role, Rule, Template};

/// Column widths: number, field, required, what to write.
const WIDTHS: [f64; 4] = [5.0, 40.0, 14.0, 90.0];

/// Where a workbook's templates come from, for the first paragraphs.
pub(crate) enum Kind<'a> {
    /// A blank template.
    Blank,
    /// Prefilled from a previous run's data for one municipality.
    Prefilled { municipality: &'a str },
}

/// The extra words a field's rules add to its explanation.
fn rule_notes(ctx: &Ctx, template: &Template, field: usize) -> Vec<String> {
    let lang = ctx.lang;
    let name = |i: usize| words::plain_label(&template.fields[i], lang).to_string();
    let quote = |text: String| match lang {
        Lang::Bg => format!("„{text}“"),
        Lang::En => format!("\"{text}\""),
    };
    let code_names = |when: usize, codes: &[String]| -> String {
        let table = match &template.fields[when].choices {
            Some(Choices::Reference(t)) => *t,
            _ => return codes.join(", "),
        };
        codes
            .iter()
            .map(|c| {
                ctx.schemas
                    .reference
                    .code_index(table, c)
                    .map_or_else(|| c.clone(), |i| names_of(ctx, table, i))
            })
            .collect::<Vec<_>>()
            .join(pick(lang, " или ", " or "))
    };
    let mut notes = Vec::new();
    for rule in &template.rules {
        match rule {
            Rule::Le {
                left,
                right,
                factor,
                severity,
                at,
            } if (*factor - 1.0).abs() < f64::EPSILON && *at == field => {
                let dates = template.fields[*left].kind == crate::schema::FieldType::Date;
                let usually = if *severity == crate::issue::Severity::Warning {
                    pick(lang, "Обикновено ", "Usually ")
                } else {
                    ""
                };
                let note = match (dates, *at == *right) {
                    (true, true) => format!("{} {}.", pick(lang, "Не по-рано от", "Not before"), quote(name(*left))),
                    (true, false) => format!("{} {}.", pick(lang, "Не по-късно от", "Not after"), quote(name(*right))),
                    (false, _) => format!(
                        "{usually}{} {}.",
                        if usually.is_empty() {
                            pick(lang, "Не повече от", "At most")
                        } else {
                            pick(lang, "не повече от", "at most")
                        },
                        quote(name(*right))
                    ),
                };
                notes.push(note);
            }
            Rule::SumLe { left, right, at, .. } if *at == field => {
                let parts: Vec<String> = left.iter().map(|&i| quote(name(i))).collect();
                notes.push(format!(
                    "{} {} {} {}.",
                    pick(lang, "Сборът", "The sum"),
                    parts.join(" + "),
                    pick(lang, "не може да надхвърля", "may not exceed"),
                    quote(name(*right))
                ));
            }
            Rule::RequiredIf {
                field: f, when, codes, ..
            } if *f == field => notes.push(format!(
                "{} {} {}.",
                pick(lang, "Задължително, когато", "Required when"),
                quote(name(*when)),
                format_args!("{} {}", pick(lang, "е", "is"), code_names(*when, codes))
            )),
            Rule::RequiredUnless {
                field: f, when, codes, ..
            } if *f == field => notes.push(format!(
                "{} {} {}.",
                pick(lang, "Задължително, освен когато", "Required unless"),
                quote(name(*when)),
                format_args!("{} {}", pick(lang, "е", "is"), code_names(*when, codes))
            )),
            Rule::ValidThroughPeriod { field: f } if *f == field => notes.push(
                pick(
                    lang,
                    "Лиценз, изтичащ преди края на отчетния период, се отбелязва.",
                    "A licence ending before the end of the reporting period is flagged.",
                )
                .to_string(),
            ),
            Rule::MatchesPeriod { start, end } if *start == field || *end == field => notes.push(
                pick(
                    lang,
                    "Трябва да съвпада с отчетния период от писмото.",
                    "Must be the reporting period named in the letter.",
                )
                .to_string(),
            ),
            _ => {}
        }
    }
    notes
}

fn names_of(ctx: &Ctx, table: Table, index: usize) -> String {
    match ctx.lang {
        Lang::Bg => ctx.schemas.reference.entry(table, index).1.to_string(),
        Lang::En => ctx.schemas.reference.entry_en(table, index).to_string(),
    }
}

/// The general paragraphs: what the file is, where to write, lists and
/// formats, the period, copies of cards, protection, the marker, sending back.
fn paragraphs(ctx: &Ctx, templates: &[(&Template, String)], kind: &Kind) -> Vec<String> {
    let lang = ctx.lang;
    let oblast = super::lists::oblast_name(&ctx.schemas.reference, &ctx.schemas.common, ctx.oblast, lang);
    let mut out = Vec::new();
    match kind {
        Kind::Blank => {
            let (template, _) = &templates[0];
            out.push(match lang {
                Lang::Bg => format!(
                    "Този файл е образецът „{}“ за област {oblast}, версия {} на схемата. Изпратен е от звеното за мониторинг и оценка на областната администрация и се попълва и връща по електронна поща.",
                    template.title, template.version
                ),
                Lang::En => format!(
                    "This file is the template \"{}\" for oblast {oblast}, schema version {}. The monitoring unit of the regional administration sends it out; fill it in and send it back by e-mail.",
                    template.title_en, template.version
                ),
            });
        }
        Kind::Prefilled { municipality } => out.push(match lang {
            Lang::Bg => format!(
                "Този файл е за община {municipality} (област {oblast}). Картите в него са попълнени предварително с приетите данни от миналия период, за да промените само това, което се е променило. Проверете всяка стойност. Клетките, които се попълват всеки път (потребители, средства, отчетен период, дата на попълване), са оставени празни."
            ),
            Lang::En => format!(
                "This file is for the municipality of {municipality} (oblast {oblast}). Its cards are prefilled with the data accepted last period, so that you only change what has changed. Check every value. The cells filled in every period (users, funds, the reporting period, the date filled in) are left empty."
            ),
        }),
    }
    let has = |role: Role| templates.iter().any(|(t, _)| t.role == role);
    let forms = templates.iter().any(|(t, _)| t.layout == Layout::Form);
    if forms {
        out.push(
            pick(
                lang,
                "Попълвайте само оцветените клетки в колона C („Стойност“). Не променяйте текстовете в колони A и B: по тях програмата, която обработва отговорите, разпознава полетата. Полетата, отбелязани със *, са задължителни.",
                "Fill in only the shaded cells of column C (\"Value\"). Do not change the texts in columns A and B: the program that reads the returns finds the fields by them. Fields marked * are required.",
            )
            .to_string(),
        );
    }
    if has(Role::Dsp) {
        out.push(
            pick(
                lang,
                "В таблицата на ДСП има по един ред за всяка община на областта. Попълнете редовете на общините, които дирекцията обслужва, а останалите изтрийте (десен бутон върху номера на реда → „Изтриване“). Впишете дирекцията и датата, към която са данните, над таблицата. Редът „Общо“ се изчислява сам.",
                "The DSP table has one row for each municipality of the oblast. Fill in the rows of the municipalities the directorate serves and delete the others (right-click the row number → Delete). Write the directorate and the date of the data above the table. The \"Total\" row adds itself up.",
            )
            .to_string(),
        );
    }
    out.push(
        pick(
            lang,
            "Където клетката има падащ списък (стрелка вдясно от нея), изберете стойност от него. Числата се въвеждат като числа — без интервали между хилядите и без „лв.“; десетичният знак е този на вашия Excel. Датите се въвеждат във формат дд.мм.гггг (например 30.06.2017). Когато изберете клетка, се показва подсказка какво да впишете; неподходяща стойност се отказва със съобщение.",
            "Where a cell has a drop-down list (an arrow to its right), choose a value from it. Type numbers as numbers: no spaces between thousands, no \"BGN\"; the decimal mark is the one of your Excel. Type dates as dd.mm.yyyy (for example 30.06.2017). Selecting a cell shows a hint of what to write; a value that does not fit is refused with a message.",
        )
        .to_string(),
    );
    if has(Role::ServiceCard) || has(Role::MunicipalCard) {
        out.push(
            pick(
                lang,
                "Стойностите „за периода“ се отнасят за отчетния период, посочен в писмото, с което сте получили образеца (например 01.01.2017–30.06.2017).",
                "Values \"for the period\" are for the reporting period named in the letter that came with the template (for example 01.01.2017–30.06.2017).",
            )
            .to_string(),
        );
    }
    if has(Role::ServiceCard) {
        let sheet = templates
            .iter()
            .find(|(t, _)| t.role == Role::ServiceCard)
            .map(|(_, s)| s.as_str())
            .unwrap_or_default();
        out.push(match lang {
            Lang::Bg => format!(
                "Всяка социална услуга се описва в отделна карта, на отделен лист. За още една услуга копирайте листа: щракнете с десния бутон върху името на листа (например „{sheet}“) в долната част на прозореца → „Преместване или копиране…“ → отметнете „Създаване на копие“ → OK. В LibreOffice Calc: десен бутон върху листа → „Преместване или копиране на лист…“ → „Копиране“. Попълнете копието за новата услуга; името на листа може да смените. Услугите за деца се описват в картата за деца, а тези за лица — в картата за лица."
            ),
            Lang::En => format!(
                "Each social service has its own card, on its own sheet. For another service, copy the sheet: right-click the sheet's tab (for example \"{sheet}\") at the bottom of the window → Move or Copy… → tick Create a copy → OK. In LibreOffice Calc: right-click the tab → Move or Copy Sheet… → Copy. Fill the copy in for the new service; you may rename the sheet. Services for children go on the children's card, services for adults on the adults' card."
            ),
        });
    }
    if matches!(kind, Kind::Prefilled { .. }) {
        out.push(
            pick(
                lang,
                "Ако услуга е закрита, впишете датата на закриване в картата ѝ. За нова услуга копирайте лист с карта от същия вид (за лица или за деца) и сменете всички стойности в копието. Не изтривайте карти на услуги, които продължават да работят.",
                "If a service has closed, write its closing date on its card. For a new service, copy the sheet of a card of the same kind (adults or children) and change every value in the copy. Do not delete the cards of services that go on.",
            )
            .to_string(),
        );
    }
    out.push(
        pick(
            lang,
            "Листовете са защитени без парола, за да не се изтрие текст по невнимание. Ако все пак трябва да промените нещо извън оцветените клетки: Преглед → „Премахване на защитата на лист“. Не изтривайте и не показвайте скритите листове: по тях програмата разпознава образеца и версията му.",
            "The sheets are protected without a password so that no text is deleted by mistake. If you must change something outside the shaded cells: Review → Unprotect Sheet. Do not delete or unhide the hidden sheets: the program recognises the template and its version by them.",
        )
        .to_string(),
    );
    out.push(
        pick(
            lang,
            "Запазете файла (.xlsx; приемат се и .xls и .ods) и го изпратете обратно на звеното. Ще получите обратна връзка: списък на клетките, които трябва да се поправят, с лист, клетка и какво не е наред. Поправете ги в същия файл и го изпратете отново.",
            "Save the file (.xlsx; .xls and .ods are accepted too) and send it back to the unit. You will get feedback: a list of the cells to correct, with the sheet, the cell and what is wrong. Correct them in the same file and send it again.",
        )
        .to_string(),
    );
    out
}

/// Writes the instructions sheet of a workbook whose card sheets are
/// `templates` (each template once, with the name of a sheet that carries it).
pub(crate) fn instructions_sheet(
    ctx: &mut Ctx,
    templates: &[(&Template, String)],
    kind: &Kind,
) -> Result<Worksheet, XlsxError> {
    let lang = ctx.lang;
    let mut ws = Worksheet::new();
    ws.set_name(words::instructions_sheet(lang))?;
    for (col, width) in WIDTHS.iter().enumerate() {
        ws.set_column_width(col as u16, *width)?;
    }
    let full_width: f64 = WIDTHS.iter().sum();
    let heading = pick(lang, "Указания за попълване", "How to fill in");
    ws.write_string_with_format(0, 0, heading, &ctx.styles.title)?;
    let mut row = 2;
    for text in paragraphs(ctx, templates, kind) {
        ws.merge_range(row, 0, row, 3, &text, &ctx.styles.paragraph)?;
        ws.set_row_height(row, height(text_lines(&text, full_width)))?;
        row += 2;
    }
    for (template, sheet) in templates {
        row += 1;
        let heading = match lang {
            Lang::Bg => format!("{} (лист „{sheet}“)", template.title),
            Lang::En => format!("{} (sheet \"{sheet}\")", template.title_en),
        };
        ws.write_string_with_format(row, 0, &heading, &ctx.styles.title)?;
        row += 1;
        let header = match lang {
            Lang::Bg => ["№", "Поле", "Задължително", "Какво да впишете"],
            Lang::En => ["№", "Field", "Required", "What to write"],
        };
        for (col, text) in header.iter().enumerate() {
            ws.write_string_with_format(row, col as u16, *text, &ctx.styles.header)?;
        }
        row += 1;
        // Title-block fields first (the DSP table), then the fields in order.
        let order: Vec<usize> = (0..template.fields.len())
            .filter(|&i| template.fields[i].in_title)
            .chain((0..template.fields.len()).filter(|&i| !template.fields[i].in_title))
            .collect();
        for (n, &i) in order.iter().enumerate() {
            let field = &template.fields[i];
            let mut what = words::explanation(field, lang);
            what.extend(rule_notes(ctx, template, i));
            let what = what.join(" ");
            let required = if field.required { pick(lang, "да", "yes") } else { "" };
            ws.write_string_with_format(row, 0, format!("{}.", n + 1), &ctx.styles.cell)?;
            ws.write_string_with_format(row, 1, words::plain_label(field, lang), &ctx.styles.cell)?;
            ws.write_string_with_format(row, 2, required, &ctx.styles.cell)?;
            ws.write_string_with_format(row, 3, &what, &ctx.styles.cell)?;
            let needed = text_lines(&what, WIDTHS[3]).max(text_lines(words::plain_label(field, lang), WIDTHS[1]));
            ws.set_row_height(row, height(needed))?;
            row += 1;
        }
    }
    ws.protect();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(ws)
}

/// Lines a wrapped text needs in a column this wide.
fn text_lines(text: &str, width: f64) -> u32 {
    let per_line = (width * 1.1).max(1.0) as usize;
    text.chars().count().div_ceil(per_line).max(1) as u32
}
