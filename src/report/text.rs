//! The words of the outputs in both languages: sheet names, column headers,
//! yes/no, statuses. Messages of findings live with the findings
//! (`crate::issue::Messages`).

use crate::aggregate::Status;
use crate::issue::Lang;
use crate::reference::Card;

/// Picks the Bulgarian or the English text.
pub fn tr(lang: Lang, bg: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Bg => bg,
        Lang::En => en,
    }
}

pub fn yes_no(lang: Lang, value: bool) -> &'static str {
    match (lang, value) {
        (Lang::Bg, true) => "да",
        (Lang::Bg, false) => "не",
        (Lang::En, true) => "yes",
        (Lang::En, false) => "no",
    }
}

pub fn status(lang: Lang, status: Status) -> &'static str {
    match (lang, status) {
        (Lang::Bg, Status::Complete) => "пълни",
        (Lang::Bg, Status::Incomplete) => "непълни",
        (Lang::Bg, Status::Missing) => "липсват",
        (Lang::En, Status::Complete) => "complete",
        (Lang::En, Status::Incomplete) => "incomplete",
        (Lang::En, Status::Missing) => "missing",
    }
}

pub fn card(lang: Lang, card: Card) -> &'static str {
    match (lang, card) {
        (Lang::Bg, Card::Children) => "за деца",
        (Lang::Bg, _) => "за лица",
        (Lang::En, Card::Children) => "children",
        (Lang::En, _) => "adults",
    }
}

/// Sheet names of the workbook (each at most 31 characters).
pub struct SheetNames {
    pub summary: &'static str,
    pub annexes: [&'static str; 5],
    pub comparison: &'static str,
    pub trends: &'static str,
    pub outliers: &'static str,
    pub submissions: &'static str,
    pub reminders: &'static str,
    pub issues: &'static str,
}

pub fn sheet_names(lang: Lang) -> SheetNames {
    match lang {
        Lang::Bg => SheetNames {
            summary: "Резюме",
            annexes: [
                "Приложение 1",
                "Приложение 2",
                "Приложение 3",
                "Приложение 4",
                "Приложение 5",
            ],
            comparison: "Сравнение",
            trends: "Динамика",
            outliers: "Отклонения",
            submissions: "Подадени данни",
            reminders: "Напомняния",
            issues: "Грешки",
        },
        Lang::En => SheetNames {
            summary: "Summary",
            annexes: ["Annex 1", "Annex 2", "Annex 3", "Annex 4", "Annex 5"],
            comparison: "Comparison",
            trends: "Trends",
            outliers: "Outliers",
            submissions: "Submissions",
            reminders: "Reminders",
            issues: "Issues",
        },
    }
}
