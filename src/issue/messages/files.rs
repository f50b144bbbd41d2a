//! Messages about files, sheets and tables that could not be read as
//! records: unreadable files, unknown templates, other schema versions,
//! links not followed, rows after a table, blank cards and empty tables.

use crate::issue::{FileProblem, Lang};

use super::Said;

pub(super) fn unknown_template(s: &Said, whole_file: bool) -> String {
    let text = match (s.lang, whole_file) {
        (Lang::Bg, false) => {
            "Листът не прилича на нито един от образците (липсват заглавие и познати редове); не е прочетен."
        }
        (Lang::En, false) => "The sheet matches no template (no known title or labels); it was not read.",
        (Lang::Bg, true) => "Файлът не съдържа лист по някой от образците; не е прочетен.",
        (Lang::En, true) => "The file holds no sheet that follows a template; it was not read.",
    };
    text.to_string()
}

pub(super) fn schema_version(s: &Said, declared: u32, known: u32, changes: &[String]) -> String {
    let what = if changes.is_empty() {
        "—".to_string()
    } else {
        changes.join("; ")
    };
    match (s.lang, declared > known) {
        (Lang::Bg, true) => format!(
            "Образецът е от по-нова версия на схемата ({declared}) от тази, която програмата познава ({known}); обновете socmon."
        ),
        (Lang::En, true) => format!(
            "The template is from a newer schema version ({declared}) than this tool knows ({known}); update socmon."
        ),
        (Lang::Bg, false) => format!(
            "Образецът е от по-стара версия на схемата ({declared}; текущата е {known}). Промени: {what}. Използвайте новия образец."
        ),
        (Lang::En, false) => format!(
            "The template is from an older schema version ({declared}; current is {known}). Changes: {what}. Use the new template."
        ),
    }
}

pub(super) fn link_not_followed(s: &Said, looped: bool) -> String {
    let text = match (s.lang, looped) {
        (Lang::Bg, true) => "Връзка към папка, която вече е прочетена (кръгова връзка); не е последвана.",
        (Lang::En, true) => "A link to a folder already read (a loop); not followed.",
        (Lang::Bg, false) => "Връзка към несъществуваща или недостъпна папка; не е последвана.",
        (Lang::En, false) => "A link to a folder that does not exist or cannot be read; not followed.",
    };
    text.to_string()
}

pub(super) fn row_after_table(s: &Said) -> String {
    let text = match s.lang {
        Lang::Bg => {
            "Ред след края на таблицата (след празен ред или ред „Общо“); не е прочетен. Махнете празния ред или преместете реда."
        }
        Lang::En => {
            "A row after the end of the table (after an empty row or a totals row); it was not read. Remove the empty row or move the row."
        }
    };
    text.to_string()
}

pub(super) fn blank_card(s: &Said) -> String {
    let text = match s.lang {
        Lang::Bg => "Картата е празна (няма нито една попълнена стойност); не е прочетена.",
        Lang::En => "The card is blank (not one value filled in); it was not read.",
    };
    text.to_string()
}

pub(super) fn empty_table(s: &Said) -> String {
    let text = match s.lang {
        Lang::Bg => "Таблицата има заглавен ред, но няма редове с данни.",
        Lang::En => "The table has a header but no data rows.",
    };
    text.to_string()
}

/// A file that could not be read: why, and what the sender can do.
pub(super) fn unreadable_file(s: &Said, problem: &FileProblem) -> String {
    let lang = s.lang;
    match problem {
        FileProblem::Encrypted => encrypted(lang),
        FileProblem::Empty => empty(lang),
        FileProblem::NotASpreadsheet { looks_like } => not_a_spreadsheet(lang, looks_like.as_deref()),
        FileProblem::Damaged { detail } => damaged(lang, detail),
        FileProblem::TooLarge { bytes, limit } => too_large(lang, *bytes, *limit),
        FileProblem::InflatesTooMuch { bytes, limit } => inflates_too_much(lang, *bytes, *limit),
        FileProblem::TextTooLong { bytes, limit } => text_too_long(lang, *bytes, *limit),
        FileProblem::OverMemoryBudget { bytes, limit } => over_memory_budget(lang, *bytes, *limit),
        FileProblem::TooManyCells { sheet, limit } => too_many_cells(lang, sheet, *limit),
        FileProblem::TooManySheets { sheets, limit } => too_many_sheets(lang, *sheets, *limit),
        FileProblem::Io { detail } => io(lang, detail),
        FileProblem::ReaderFailed { detail } => reader_failed(lang, detail),
    }
}

fn encrypted(lang: Lang) -> String {
    let text = match lang {
        Lang::Bg => "Файлът е защитен с парола и не може да бъде прочетен. Изпратете го без парола.",
        Lang::En => "The file is protected with a password and cannot be read. Send it without a password.",
    };
    text.to_string()
}

fn empty(lang: Lang) -> String {
    let text = match lang {
        Lang::Bg => "Файлът е празен (0 байта).",
        Lang::En => "The file is empty (0 bytes).",
    };
    text.to_string()
}

fn not_a_spreadsheet(lang: Lang, looks_like: Option<&str>) -> String {
    match (lang, looks_like) {
        (Lang::Bg, Some(kind)) => {
            format!("Файлът не е електронна таблица (прилича на {kind}). Изпратете го като .xlsx, .xls или .ods.")
        }
        (Lang::En, Some(kind)) => {
            format!("The file is not a spreadsheet (it looks like {kind}). Send it as .xlsx, .xls or .ods.")
        }
        (Lang::Bg, None) => {
            "Файлът не е електронна таблица, която може да се прочете. Изпратете го като .xlsx, .xls или .ods.".into()
        }
        (Lang::En, None) => "The file is not a spreadsheet that can be read. Send it as .xlsx, .xls or .ods.".into(),
    }
}

fn damaged(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::Bg => format!("Файлът е повреден или непълен ({detail}). Запишете го отново и го изпратете пак."),
        Lang::En => format!("The file is damaged or incomplete ({detail}). Save it again and resend it."),
    }
}

fn too_large(lang: Lang, bytes: u64, limit: u64) -> String {
    let (bytes, limit) = (mib(lang, bytes), mib(lang, limit));
    match lang {
        Lang::Bg => format!("Файлът е твърде голям ({bytes}; границата е {limit})."),
        Lang::En => format!("The file is too large ({bytes}; the limit is {limit})."),
    }
}

fn inflates_too_much(lang: Lang, bytes: u64, limit: u64) -> String {
    let (bytes, limit) = (mib(lang, bytes), mib(lang, limit));
    match lang {
        Lang::Bg => format!("Съдържанието на файла се разгъва до {bytes} (границата е {limit}); не е прочетен."),
        Lang::En => format!("The file's content inflates to {bytes} (the limit is {limit}); it was not read."),
    }
}

fn text_too_long(lang: Lang, bytes: u64, limit: u64) -> String {
    let (bytes, limit) = (mib(lang, bytes), mib(lang, limit));
    match lang {
        Lang::Bg => format!(
            "Текстът в клетките на файла възлиза на над {bytes} (границата за файл с такъв размер е {limit}); файлът не е прочетен."
        ),
        Lang::En => format!(
            "The text in the file's cells comes to over {bytes} (the limit for a file of this size is {limit}); the file was not read."
        ),
    }
}

fn over_memory_budget(lang: Lang, bytes: u64, limit: u64) -> String {
    let (bytes, limit) = (mib(lang, bytes), mib(lang, limit));
    match lang {
        Lang::Bg => format!(
            "Прочитането на файла би изисквало до {bytes} памет, повече от разрешените {limit} (--max-memory); файлът не е прочетен."
        ),
        Lang::En => format!(
            "Reading the file could take up to {bytes} of memory, more than the {limit} allowed (--max-memory); the file was not read."
        ),
    }
}

fn too_many_cells(lang: Lang, sheet: &str, limit: u64) -> String {
    let limit = thousands(limit);
    match lang {
        Lang::Bg => format!(
            "Листът „{sheet}“ има повече от {limit} попълнени клетки (или обхваща повече от {limit} клетки); файлът не е прочетен."
        ),
        Lang::En => format!(
            "Sheet \"{sheet}\" has more than {limit} filled cells (or spans more than {limit} cells); the file was not read."
        ),
    }
}

fn too_many_sheets(lang: Lang, sheets: usize, limit: usize) -> String {
    match lang {
        Lang::Bg => format!("Файлът има {sheets} листа (границата е {limit}); не е прочетен."),
        Lang::En => format!("The file has {sheets} sheets (the limit is {limit}); it was not read."),
    }
}

fn io(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::Bg => format!("Файлът не може да бъде отворен ({detail})."),
        Lang::En => format!("The file cannot be opened ({detail})."),
    }
}

fn reader_failed(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::Bg => format!("Четенето на файла се провали ({detail}); файлът е пропуснат."),
        Lang::En => format!("Reading the file failed ({detail}); the file was skipped."),
    }
}

/// "1024,0 MiB" in Bulgarian, "1024.0 MiB" in English.
fn mib(lang: Lang, bytes: u64) -> String {
    let text = format!("{:.1} MiB", bytes as f64 / 1_048_576.0);
    match lang {
        Lang::Bg => text.replace('.', ","),
        Lang::En => text,
    }
}

/// 1000000 → "1 000 000", as Bulgarian (and SI) writing groups digits.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}
