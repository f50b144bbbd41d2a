//! Text and value normalisers: take what a person typed into a cell and give
//! the canonical form the rest of the pipeline compares and adds up.
//!
//! Everything here is pure and allocation-light; each function documents what
//! it accepts. The accepted forms are those of TEMPLATES.md ("1 250,50",
//! "1.3.2016 г.", labels with numbering and Latin look-alike letters).

use chrono::{NaiveDate, NaiveDateTime};
use unicode_normalization::UnicodeNormalization;

/// Folds white space (line breaks, no-break and thin spaces included) to one
/// space, trims, and applies Unicode NFC. This is the form text values are kept in.
pub fn fold_text(raw: &str) -> String {
    // Most cells already are: copied, not rebuilt a character at a time.
    if all_always_nfc(raw) && is_folded(raw) {
        return raw.to_string();
    }
    fold_spaces(&nfc(raw))
}

fn is_fold_space(ch: char) -> bool {
    ch.is_whitespace() || ch == '\u{200B}'
}

/// Whether a text's white space is folded already: single spaces between
/// words, none at either end.
fn is_folded(text: &str) -> bool {
    let mut after_space = true;
    for ch in text.chars() {
        let space = is_fold_space(ch);
        if space && (ch != ' ' || after_space) {
            return false;
        }
        after_space = space;
    }
    !after_space || text.is_empty()
}

/// Folds the white space of a text already in NFC.
fn fold_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if is_fold_space(ch) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(ch);
        }
    }
    out
}

/// The Cyrillic letter a lower-case Latin letter stands for inside a
/// Cyrillic word: the look-alikes of TEMPLATES.md (a, e, o, p, c, x, y and
/// the capitals A, B, E, K, M, H, O, P, C, T, X), after lower-casing.
fn cyrillic_lookalike(ch: char) -> Option<char> {
    Some(match ch {
        'a' => 'а',
        'b' => 'в',
        'c' => 'с',
        'e' => 'е',
        'h' => 'н',
        'k' => 'к',
        'm' => 'м',
        'o' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        _ => return None,
    })
}

fn is_cyrillic(ch: char) -> bool {
    matches!(ch, '\u{0400}'..='\u{04FF}')
}

/// A letter, answered without Unicode tables for the scripts of the returns.
fn is_letter(ch: char) -> bool {
    match ch {
        'a'..='z' | 'A'..='Z' => true,
        // The Cyrillic block, less its signs and combining marks (U+0482–U+0489).
        '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}' => true,
        c if c.is_ascii() => false,
        c => c.is_alphabetic(),
    }
}

fn is_digit(ch: char) -> bool {
    ch.is_ascii_digit() || (!ch.is_ascii() && !is_cyrillic(ch) && ch.is_numeric())
}

/// Pushes the lower case of a letter, without Unicode tables for ASCII and
/// Cyrillic.
fn push_lower(out: &mut Vec<char>, ch: char) {
    match ch {
        'A'..='Z' => out.push(ch.to_ascii_lowercase()),
        // А–Я → а–я, Ѐ–Џ → ѐ–џ.
        '\u{0410}'..='\u{042F}' => out.push(char::from_u32(ch as u32 + 0x20).unwrap_or(ch)),
        '\u{0400}'..='\u{040F}' => out.push(char::from_u32(ch as u32 + 0x50).unwrap_or(ch)),
        c if c.is_ascii() || ('\u{0430}'..='\u{045F}').contains(&c) => out.push(c),
        c => out.extend(c.to_lowercase()),
    }
}

/// Characters that are NFC whatever surrounds them: no decomposition and
/// no combining class (Latin-1, Cyrillic without its combining marks
/// U+0483–U+0489, dashes and quotation marks). The byte scan
/// [`all_always_nfc`] is checked against it for every character.
#[cfg(test)]
fn always_nfc(ch: char) -> bool {
    matches!(ch, '\0'..='\u{02FF}' | '\u{0400}'..='\u{0482}' | '\u{048A}'..='\u{04FF}' | '\u{2010}'..='\u{201F}')
}

/// `always_nfc` (the tests' reference) for every character of a text, read from its UTF-8 bytes
/// without decoding: ASCII, two-byte Latin-1/Latin Extended (lead bytes
/// C2–CB), two-byte Cyrillic (D0–D3, but not U+0483–U+0489) and the
/// three-byte dashes and quotation marks U+2010–U+201F (E2 80 90–9F).
fn all_always_nfc(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        let ok = match b {
            0xC2..=0xCB | 0xD0 | 0xD1 | 0xD3 => 2,
            0xD2 if !matches!(bytes.get(i + 1), Some(0x83..=0x89)) => 2,
            0xE2 if bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0x90..=0x9F)) => 3,
            _ => return false,
        };
        i += ok;
    }
    true
}

/// The text in NFC, borrowed when it already is (the usual case: a scan
/// for characters outside Latin-1 and Cyrillic before any table lookup).
fn nfc(raw: &str) -> std::borrow::Cow<'_, str> {
    if all_always_nfc(raw) {
        return std::borrow::Cow::Borrowed(raw);
    }
    match unicode_normalization::is_nfc_quick(raw.chars()) {
        unicode_normalization::IsNormalized::Yes => std::borrow::Cow::Borrowed(raw),
        _ => std::borrow::Cow::Owned(raw.nfc().collect()),
    }
}

/// Reads Latin look-alike letters as Cyrillic inside words that hold at least
/// one Cyrillic letter; words written wholly in Latin are left alone. The
/// result is lower case; everything but letters is kept as it is.
pub fn fix_lookalikes(text: &str) -> String {
    key_with(text, |ch| ch)
}

/// The comparison key of a value or label: NFC, lower case, Latin
/// look-alikes read as Cyrillic inside Cyrillic words, every run of
/// characters other than letters and digits (quotes, dashes, brackets, dots,
/// line breaks) folded to one space.
///
/// Two texts that differ only in case, punctuation, quotes or white space have
/// the same key: „Майка и бебе“ and "майка и бебе" both give `майка и бебе`.
/// It runs for every label and value read, so it avoids Unicode tables for
/// the scripts the returns are written in.
pub fn key(raw: &str) -> String {
    key_with(raw, |_| ' ')
}

/// One pass over the text: lower-cases letters, maps look-alikes per word,
/// keeps digits, and writes every other character as `other(ch)` (a space
/// for [`key`], the character itself for [`fix_lookalikes`]), spaces folded.
fn key_with(raw: &str, other: impl Fn(char) -> char) -> String {
    let text = nfc(raw);
    let mut out = String::with_capacity(text.len());
    let mut word: Vec<char> = Vec::with_capacity(32);
    let (mut cyrillic, mut latin) = (false, false);
    let flush = |out: &mut String, word: &mut Vec<char>, cyrillic: bool, latin: bool| {
        if cyrillic && latin {
            out.extend(word.iter().map(|&c| cyrillic_lookalike(c).unwrap_or(c)));
        } else {
            out.extend(word.iter());
        }
        word.clear();
    };
    for ch in text.chars() {
        if is_letter(ch) {
            cyrillic |= is_cyrillic(ch);
            latin |= ch.is_ascii();
            push_lower(&mut word, ch);
            continue;
        }
        flush(&mut out, &mut word, cyrillic, latin);
        (cyrillic, latin) = (false, false);
        if is_digit(ch) {
            out.push(ch);
            continue;
        }
        let written = other(ch);
        if written != ' ' {
            out.push(written);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    flush(&mut out, &mut word, cyrillic, latin);
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Drops the numbering a label may start with: "5.", "5)", "5.1.", "5.1",
/// "5 " (when a letter follows), "V." is not numbering and is kept.
pub fn strip_numbering(label: &str) -> &str {
    let trimmed = label.trim_start();
    let bytes = trimmed.as_bytes();
    let mut i = 0;
    let mut saw_digit = false;
    let mut saw_mark = false;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => saw_digit = true,
            b'.' | b')' if saw_digit => saw_mark = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digit {
        return trimmed;
    }
    let rest = &trimmed[i..];
    let rest_trimmed = rest.trim_start();
    let separated = rest_trimmed.len() < rest.len();
    // A label such as "0–17 години" starts with a number that is not numbering:
    // numbering ends in "." or ")" or is followed by white space and a letter.
    let next_is_letter = rest_trimmed.chars().next().is_some_and(char::is_alphabetic);
    if (saw_mark || separated) && next_is_letter {
        rest_trimmed
    } else {
        trimmed
    }
}

/// The key of a label as found in a sheet: numbering dropped, then [`key`]
/// (which also drops the trailing ":" or "*").
pub fn label_key(raw: &str) -> String {
    key(strip_numbering(raw))
}

/// Whether a label starts with numbering that [`strip_numbering`] drops;
/// the [`label_key`] of a text without is its [`key`].
pub fn has_numbering(label: &str) -> bool {
    strip_numbering(label).len() < label.trim_start().len()
}

/// Whether a label is numbering and nothing else ("5.", "1.2)", "3"), so
/// that whether [`strip_numbering`] drops it depends on what follows.
fn is_only_numbering(label: &str) -> bool {
    let trimmed = label.trim_start();
    let mut saw_digit = false;
    let rest = trimmed.trim_start_matches(|c: char| {
        let numbering = c.is_ascii_digit() || (saw_digit && matches!(c, '.' | ')'));
        saw_digit |= c.is_ascii_digit();
        numbering
    });
    saw_digit && rest.trim_start().is_empty()
}

/// The label key of two texts written one after the other with a space
/// between ("{first} {second}": a two-row header, a group header over its
/// sub-header), built from the label keys the parts already have.
///
/// It equals `label_key(&format!("{first} {second}"))`: a space ends a
/// word and is a starter NFC never composes across, so the key of the
/// joined text is the two keys joined by a space (or the one that is not
/// empty). The numbering of `first` is dropped as it is alone; a `first`
/// that is only numbering ("5.") is dropped when `second` starts with a
/// letter, and kept (as its key keeps it) otherwise. `second` keeps its
/// numbering in the joined text, so a numbered `second` is keyed from the
/// joined text.
pub fn joined_label_key(first: &str, first_key: &str, second: &str, second_key: &str) -> String {
    let second_starts_word = second.trim_start().chars().next().is_some_and(char::is_alphabetic);
    if is_only_numbering(first) && second_starts_word {
        return second_key.to_string();
    }
    if has_numbering(second) {
        return label_key(&format!("{first} {second}"));
    }
    match (first_key.is_empty(), second_key.is_empty()) {
        (true, _) => second_key.to_string(),
        (false, true) => first_key.to_string(),
        (false, false) => {
            let mut joined = String::with_capacity(first_key.len() + 1 + second_key.len());
            joined.push_str(first_key);
            joined.push(' ');
            joined.push_str(second_key);
            joined
        }
    }
}

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Nothing that reads as a number.
    NotANumber,
    /// Thousands groups that are not three digits ("12 34"), or an ambiguous
    /// mix of separators.
    BadGrouping,
}

fn is_group_space(ch: char) -> bool {
    matches!(ch, ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\u{2007}')
}

/// Reads a number written the Bulgarian or the international way:
/// "12", "12,5", "1 250", "1 250,50", "1.250,50", "1250.50", "1250.50 лв.",
/// "-3", "−3". A space, a no-break space or "." separate thousands when a ","
/// decimal follows; a lone "." or "," is the decimal mark.
///
/// `suffixes` are the currency words that may follow the number (lower case).
pub fn parse_number(raw: &str, suffixes: &[String]) -> Result<f64, NumberError> {
    let folded = fold_text(raw);
    let mut text = folded.trim().to_lowercase();
    for suffix in suffixes {
        if let Some(stripped) = text.strip_suffix(suffix.as_str()) {
            text = stripped.trim_end().to_string();
            break;
        }
    }
    let (negative, body) = if let Some(rest) = text.strip_prefix(['-', '−', '–']) {
        (true, rest.trim_start())
    } else if let Some(rest) = text.strip_prefix('+') {
        (false, rest.trim_start())
    } else {
        (false, text.as_str())
    };
    let allowed = |c: char| c.is_ascii_digit() || c == ',' || c == '.' || is_group_space(c);
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == ',' || c == '.') || !body.chars().all(allowed) {
        return Err(NumberError::NotANumber);
    }
    let commas = body.matches(',').count();
    let dots = body.matches('.').count();
    let (decimal_mark, group_mark) = match (commas, dots) {
        (0, 0) => (None, None),
        (1, 0) => (Some(','), None),
        (0, 1) => (Some('.'), None),
        (0, _) => (None, Some('.')),
        // "1.250,50" or "1,250.50": the later mark is the decimal one.
        (1, 1) if body.rfind('.') > body.rfind(',') => (Some('.'), Some(',')),
        (1, _) => (Some(','), Some('.')),
        // "1,250.50": with one dot after the commas, the dot is the decimal mark.
        (_, 1) => (Some('.'), Some(',')),
        _ => return Err(NumberError::BadGrouping),
    };
    let (int_part, frac_part) = match decimal_mark {
        Some(mark) => {
            let at = body.rfind(mark).ok_or(NumberError::NotANumber)?;
            (&body[..at], &body[at + 1..])
        }
        None => (body, ""),
    };
    if frac_part.chars().any(|c| !c.is_ascii_digit()) {
        return Err(NumberError::BadGrouping);
    }
    let groups: Vec<&str> = int_part
        .split(|c: char| is_group_space(c) || Some(c) == group_mark)
        .collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return Err(NumberError::BadGrouping);
        }
    }
    let digits: String = groups.concat();
    if digits.is_empty() && frac_part.is_empty() {
        return Err(NumberError::NotANumber);
    }
    let canonical = format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        if digits.is_empty() { "0" } else { &digits },
        if frac_part.is_empty() { "0" } else { frac_part }
    );
    canonical.parse::<f64>().map_err(|_| NumberError::NotANumber)
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not written as a date at all.
    NotADate,
    /// A two-digit year ("01.03.16"): which century is a guess, so it is refused.
    TwoDigitYear,
    /// Written as a date, but no such day exists ("31.02.2016").
    NoSuchDay,
}

/// Reads a date written as text: "01.03.2016", "1.3.2016 г.", "1.3.2016г",
/// "01/03/2016", "2016-03-01" (ISO, also with a time part as .ods gives it).
/// Day comes first in the dotted and slashed forms.
pub fn parse_date_text(raw: &str) -> Result<NaiveDate, DateError> {
    let folded = fold_text(raw).to_lowercase();
    let mut text = folded.trim();
    for suffix in ["година", "год.", "год", "г.", "г"] {
        if let Some(stripped) = text.strip_suffix(suffix) {
            text = stripped.trim_end();
            break;
        }
    }
    // "1. 3. 2016": white space around the separators does not count.
    let mut compact = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '.' | '/' | '-') {
            while compact.ends_with(' ') {
                compact.pop();
            }
        } else if ch == ' ' && compact.ends_with(['.', '/', '-']) {
            continue;
        }
        compact.push(ch);
    }
    let text = compact.as_str();
    // A time of day after the date ("01.03.2016 00:00:00", "2016-03-01T00:00:00").
    let date_part = text.split(['t', ' ']).next().unwrap_or("").trim();
    let rest = text[date_part.len()..].trim_start_matches(['t', ' ']);
    if !rest.is_empty() && !rest.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '.') {
        return Err(DateError::NotADate);
    }
    let parts: Vec<&str> = date_part.split(['.', '/', '-']).map(str::trim).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(DateError::NotADate);
    }
    let (year, month, day) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else {
        (parts[2], parts[1], parts[0])
    };
    if year.len() != 4 {
        return if year.len() <= 2 {
            Err(DateError::TwoDigitYear)
        } else {
            Err(DateError::NotADate)
        };
    }
    if month.len() > 2 || day.len() > 2 {
        return Err(DateError::NotADate);
    }
    let (Ok(y), Ok(m), Ok(d)) = (year.parse::<i32>(), month.parse::<u32>(), day.parse::<u32>()) else {
        return Err(DateError::NotADate);
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::NoSuchDay)
}

/// Reads the ISO date-time text calamine gives for .ods date cells.
pub fn parse_iso_datetime(raw: &str) -> Option<NaiveDate> {
    let date = raw.split('T').next()?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// An Excel serial day number (1900 system) read as a date, for date fields
/// that hold a bare number; only years 1950–2100 are taken, so that a count
/// typed into a date field is not silently read as a date in 1900.
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(18_264.0..=73_051.0).contains(&serial) || serial.fract() != 0.0 {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_days(chrono::Days::new(serial as u64))
}

/// The date part of a date-time cell.
pub fn date_of(datetime: NaiveDateTime) -> NaiveDate {
    datetime.date()
}

/// Levenshtein distance between two short strings, in characters; used to
/// name the closest known values in messages.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Whether a text contains something that looks like an e-mail address, and
/// whether every such candidate is well formed. `None`: no "@" at all.
pub fn email_is_well_formed(text: &str) -> Option<bool> {
    if !text.contains('@') {
        return None;
    }
    let ok = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|word| word.contains('@'))
        .all(|word| {
            let word = word.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '.' | '"'));
            let mut parts = word.split('@');
            let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
                return false;
            };
            let domain_ok = domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
            let local_ok = !local.is_empty() && local.chars().all(|c| c.is_alphanumeric() || "._%+-'".contains(c));
            domain_ok && local_ok
        });
    Some(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lv() -> Vec<String> {
        ["лв.", "лв", "лева", "bgn"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_nfc_fast_path_holds_only_characters_that_never_compose() {
        for ch in (0..=0x2FFFu32).filter_map(char::from_u32).filter(|&c| always_nfc(c)) {
            assert_eq!(
                unicode_normalization::is_nfc_quick(std::iter::once(ch)),
                unicode_normalization::IsNormalized::Yes,
                "U+{:04X}",
                ch as u32
            );
            assert_eq!(
                unicode_normalization::char::canonical_combining_class(ch),
                0,
                "U+{:04X}",
                ch as u32
            );
        }
        // The byte scan agrees with the character test on every character.
        for ch in (0..=0x3000u32).filter_map(char::from_u32) {
            assert_eq!(all_always_nfc(&ch.to_string()), always_nfc(ch), "U+{:04X}", ch as u32);
        }
        // „Й“ typed as И + combining breve reads as the composed letter.
        assert_eq!(
            key("Краен срок на лиценза (И\u{0306})"),
            key("Краен срок на лиценза (Й)")
        );
        assert_eq!(fold_text("Сте\u{0301}ла"), "Сте\u{0301}ла".nfc().collect::<String>());
    }

    #[test]
    fn fold_text_folds_white_space_and_line_breaks() {
        assert_eq!(
            fold_text("  Дневен\n център\u{00A0} за\tстари  хора "),
            "Дневен център за стари хора"
        );
        assert_eq!(fold_text(""), "");
        // A text folded already is taken as it is, and only then.
        for text in [
            "",
            " ",
            "Русе",
            "Дневен център",
            "Дневен  център",
            " Русе",
            "Русе ",
            "a\u{00A0}b",
            "a\u{200B}b",
            "a\nb",
            "Сте\u{0301}ла",
        ] {
            assert_eq!(fold_text(text), fold_spaces(&nfc(text)), "{text:?}");
        }
    }

    #[test]
    fn key_ignores_case_punctuation_quotes_and_lookalikes() {
        assert_eq!(key("Звено „Майка и бебе“"), key("звено \"майка и бебе\""));
        // "Капацитет" typed with Latin K, a, p, e.
        assert_eq!(key("KaпaцитeT"), key("Капацитет"));
        // Latin words stay Latin.
        assert_eq!(key("e-mail"), "e mail");
        assert_eq!(key("Капацитет (брой места):"), "капацитет брой места");
        assert_eq!(key("Община*"), "община");
    }

    #[test]
    fn labels_lose_their_numbering() {
        assert_eq!(label_key("5. Капацитет"), "капацитет");
        assert_eq!(label_key("5) Капацитет"), "капацитет");
        assert_eq!(label_key("5.1. в т.ч. лица с увреждания"), "в т ч лица с увреждания");
        assert_eq!(label_key("12 Адрес"), "адрес");
        assert_eq!(label_key("0–17 години"), "0 17 години");
        assert_eq!(strip_numbering("Адрес"), "Адрес");
        for text in ["5. Капацитет", " 12 Адрес", "0–17 години", "Адрес", "5.", "V. Общо"]
        {
            assert_eq!(has_numbering(text), label_key(text) != key(text), "{text}");
        }
    }

    #[test]
    fn a_joined_label_key_is_the_key_of_the_joined_text() {
        let parts = [
            "Деца с увреждания",
            "5. Капацитет",
            "5.",
            "5",
            " 12 ",
            "5 6",
            "1.2)",
            ".5 места",
            "0–17 години",
            "в т.ч. с над 90 %",
            "KaпaцитeT:",
            "e-mail",
            "„Майка и бебе“",
            "-",
            "№",
            "(И\u{0306})",
            "\u{0306}б",
            "общо\n",
            "V. Общо",
            "3) ",
            "1",
            "2.",
            " 4 ",
            "Ѐ. ред",
        ];
        for first in parts {
            for second in parts {
                assert_eq!(
                    joined_label_key(first, &label_key(first), second, &label_key(second)),
                    label_key(&format!("{first} {second}")),
                    "{first:?} + {second:?}"
                );
            }
        }
    }

    #[test]
    fn numbers_are_read_the_bulgarian_way() {
        let s = lv();
        assert_eq!(parse_number("12", &s), Ok(12.0));
        assert_eq!(parse_number("1 250", &s), Ok(1250.0));
        assert_eq!(parse_number("1 250,50", &s), Ok(1250.5));
        assert_eq!(parse_number("1\u{00A0}250,50", &s), Ok(1250.5));
        assert_eq!(parse_number("1.250,50", &s), Ok(1250.5));
        assert_eq!(parse_number("1250.50 лв.", &s), Ok(1250.5));
        assert_eq!(parse_number("1 250,50лв", &s), Ok(1250.5));
        assert_eq!(parse_number("12,5", &s), Ok(12.5));
        assert_eq!(parse_number("12.5", &s), Ok(12.5));
        assert_eq!(parse_number("1.250.000", &s), Ok(1_250_000.0));
        assert_eq!(parse_number("1,250.50", &s), Ok(1250.5));
        assert_eq!(parse_number("-3", &s), Ok(-3.0));
        assert_eq!(parse_number("−3", &s), Ok(-3.0));
        assert_eq!(parse_number(",5", &s), Ok(0.5));
    }

    #[test]
    fn malformed_numbers_are_refused() {
        let s = lv();
        assert_eq!(parse_number("дванадесет", &s), Err(NumberError::NotANumber));
        assert_eq!(parse_number("12 места", &s), Err(NumberError::NotANumber));
        assert_eq!(parse_number("", &s), Err(NumberError::NotANumber));
        assert_eq!(parse_number("12 34", &s), Err(NumberError::BadGrouping));
        assert_eq!(parse_number("1,2,3", &s), Err(NumberError::BadGrouping));
        assert_eq!(parse_number("1,250,50.5", &s), Err(NumberError::BadGrouping));
        assert_eq!(parse_number("1.25,5.0", &s), Err(NumberError::BadGrouping));
    }

    #[test]
    fn dates_are_read_day_first() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_date_text("01.03.2016"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date_text("1.3.2016 г."), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date_text("1.3.2016г"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date_text("01/03/2016"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date_text("2016-03-01"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date_text("2016-03-01T00:00:00"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date_text("01.03.2016 00:00:00"), Ok(d(2016, 3, 1)));
        assert_eq!(parse_date_text(" 1. 3. 2016 "), Ok(d(2016, 3, 1)));
    }

    #[test]
    fn ambiguous_and_impossible_dates_are_refused() {
        assert_eq!(parse_date_text("01.03.16"), Err(DateError::TwoDigitYear));
        assert_eq!(parse_date_text("31.02.2016"), Err(DateError::NoSuchDay));
        assert_eq!(parse_date_text("март 2016"), Err(DateError::NotADate));
        assert_eq!(parse_date_text("2016"), Err(DateError::NotADate));
        assert_eq!(parse_date_text("01.03.2016 обед"), Err(DateError::NotADate));
    }

    #[test]
    fn excel_serials_in_a_plausible_range_are_dates() {
        assert_eq!(excel_serial_date(42430.0), NaiveDate::from_ymd_opt(2016, 3, 1));
        assert_eq!(excel_serial_date(12.0), None);
        assert_eq!(excel_serial_date(42430.5), None);
    }

    #[test]
    fn emails_are_checked_only_where_present() {
        assert_eq!(email_is_well_formed("082 123 456"), None);
        assert_eq!(email_is_well_formed("082 123 456, soc@ruse.bg"), Some(true));
        assert_eq!(email_is_well_formed("soc@ruse"), Some(false));
        assert_eq!(email_is_well_formed("soc@@ruse.bg"), Some(false));
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("русе", "руse"), 2);
        assert_eq!(edit_distance("горна баня", "горна малина"), 4);
        assert_eq!(edit_distance("", "абв"), 3);
    }
}
