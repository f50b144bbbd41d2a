//! The date of a council decision, read from the free text it is written in:
//! „Решение № 123/25.10.2017", „№ 45 от 27.10.2017 г.", „Решение № 45 по
//! Протокол № 5 от 27.10.2017", „2017-10-27". The first date in the text
//! counts; a text with none, or with a two-digit year or a day that does not
//! exist, has no readable date (the caller warns at its cell and does not
//! judge the council).

use chrono::NaiveDate;

pub use crate::issue::calendar::DecisionDate;

/// The first date written in a decision's text.
///
/// Errors: [`DecisionDate`], why no date could be read.
pub fn decision_date(text: &str) -> Result<NaiveDate, DecisionDate> {
    let chars: Vec<char> = text.chars().collect();
    let mut problem = DecisionDate::NoDate;
    let mut at = 0;
    while at < chars.len() {
        let starts_number = chars[at].is_ascii_digit() && (at == 0 || !chars[at - 1].is_ascii_digit());
        if starts_number && let Some((found, _)) = date_at(&chars, at) {
            match found {
                Ok(day) => return Ok(day),
                // A date may still start further on („№45/ 7.9.2017": not
                // 45/7/9 but 7.9.2017); the first problem is said.
                Err(p) if problem == DecisionDate::NoDate => problem = p,
                Err(_) => {}
            }
        }
        at += 1;
    }
    Err(problem)
}

/// A run of digits from `at`: its value and where it ends.
fn digits(chars: &[char], at: usize) -> Option<(String, usize)> {
    let end = (at..chars.len())
        .find(|&i| !chars[i].is_ascii_digit())
        .unwrap_or(chars.len());
    (end > at).then(|| (chars[at..end].iter().collect(), end))
}

/// Skips spaces, then expects `separator`, then skips spaces.
fn separator(chars: &[char], mut at: usize, separators: &[char]) -> Option<usize> {
    while at < chars.len() && chars[at] == ' ' {
        at += 1;
    }
    if at < chars.len() && separators.contains(&chars[at]) {
        at += 1;
        while at < chars.len() && chars[at] == ' ' {
            at += 1;
        }
        return Some(at);
    }
    None
}

/// A date written from `at` (`d.m.yyyy`, `d/m/yyyy`, `yyyy-mm-dd`): the day,
/// or why it is none, and where it ends; `None` when nothing date-like starts there.
fn date_at(chars: &[char], at: usize) -> Option<(Result<NaiveDate, DecisionDate>, usize)> {
    let (first, end) = digits(chars, at)?;
    if first.len() == 4 {
        let after = separator(chars, end, &['-'])?;
        let (month, end) = digits(chars, after)?;
        let after = separator(chars, end, &['-'])?;
        let (day, end) = digits(chars, after)?;
        return Some((build(&first, &month, &day), end));
    }
    if first.len() > 2 {
        return None;
    }
    let after = separator(chars, end, &['.', '/'])?;
    let (month, end) = digits(chars, after)?;
    if month.len() > 2 {
        return None;
    }
    let after = separator(chars, end, &['.', '/'])?;
    let (year, end) = digits(chars, after)?;
    match year.len() {
        4 => Some((build(&year, &month, &first), end)),
        1 | 2 => Some((Err(DecisionDate::TwoDigitYear), end)),
        _ => None,
    }
}

fn build(year: &str, month: &str, day: &str) -> Result<NaiveDate, DecisionDate> {
    let (Ok(y), Ok(m), Ok(d)) = (year.parse::<i32>(), month.parse::<u32>(), day.parse::<u32>()) else {
        return Err(DecisionDate::NoDate);
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DecisionDate::NoSuchDay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_forms_a_council_decision_is_written_in_give_its_date() {
        for (text, want) in [
            ("Решение № 123/25.10.2017", day(2017, 10, 25)),
            ("№ 45 от 27.10.2017 г.", day(2017, 10, 27)),
            ("Решение № 45 от 27.10.2017г.", day(2017, 10, 27)),
            ("Решение №45/ 7.9.2017 г.", day(2017, 9, 7)),
            ("Решение № 1234 по Протокол № 56 от 27. 10. 2017 г.", day(2017, 10, 27)),
            ("решение 12/2017-10-27", day(2017, 10, 27)),
            ("27.10.2017", day(2017, 10, 27)),
        ] {
            assert_eq!(decision_date(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn a_text_with_no_readable_date_says_why() {
        assert_eq!(decision_date("Решение № 123"), Err(DecisionDate::NoDate));
        assert_eq!(decision_date("предстои"), Err(DecisionDate::NoDate));
        assert_eq!(decision_date(""), Err(DecisionDate::NoDate));
        assert_eq!(decision_date("Решение № 123/25.10.17"), Err(DecisionDate::TwoDigitYear));
        assert_eq!(decision_date("№ 45 от 31.11.2017 г."), Err(DecisionDate::NoSuchDay));
        // The decision's number is no date, even with a slash in it.
        assert_eq!(decision_date("Решение № 123/2017"), Err(DecisionDate::NoDate));
    }
}
