//! Whom to call: takes the municipal card's „Попълнил (име, длъжност)" and
//! „Телефон, e-mail" texts, written any way („Мария Иванова, главен експерт";
//! „082 123 456, m.ivanova@ruse.bg"; „тел. 0888 12 34 56; e-mail: x@abv.bg")
//! and gives the person, the phone and the e-mail apart.

/// A contact split into its parts; each may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    pub email: String,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.phone.is_empty() && self.email.is_empty()
    }
}

/// The parts of a contact text, split at commas, semicolons and line breaks.
fn parts(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';', '\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// The phone in a part: from its first digit (or „+") to its last digit,
/// when it holds at least six digits.
fn phone_in(part: &str) -> Option<String> {
    if part.chars().filter(char::is_ascii_digit).count() < 6 {
        return None;
    }
    let start = part.find(|c: char| c.is_ascii_digit() || c == '+')?;
    let end = part.rfind(|c: char| c.is_ascii_digit())? + 1;
    Some(part[start..end].trim().to_string())
}

/// The e-mail in a part: the word holding „@".
fn email_in(part: &str) -> Option<String> {
    part.split(|c: char| c.is_whitespace() || c == ':')
        .find(|w| w.contains('@'))
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '.'))
                .to_string()
        })
}

/// A part that names a person: letters, no digits, no „@".
fn name_in(part: &str) -> Option<String> {
    let has_letters = part.chars().any(char::is_alphabetic);
    (has_letters && !part.contains('@') && !part.chars().any(|c| c.is_ascii_digit())).then(|| part.to_string())
}

/// Splits the card's texts: the person is the first part of `filled_by`
/// (its name before the position), else a name written in `contact`; the
/// phone and e-mail are found in `contact`, else in `filled_by`.
pub fn split(filled_by: Option<&str>, contact: Option<&str>) -> Contact {
    let filled_by = filled_by.unwrap_or("");
    let contact = contact.unwrap_or("");
    let mut found = Contact::default();
    for text in [contact, filled_by] {
        for part in parts(text) {
            if found.email.is_empty()
                && let Some(email) = email_in(part)
            {
                found.email = email;
            } else if found.phone.is_empty()
                && let Some(phone) = phone_in(part)
            {
                found.phone = phone;
            }
        }
    }
    found.name = parts(filled_by)
        .find_map(name_in)
        .or_else(|| parts(contact).find_map(name_in))
        .unwrap_or_default();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_person_phone_and_email_are_told_apart() {
        let c = split(
            Some("Мария Иванова, главен експерт"),
            Some("082 123 456, m.ivanova@ruse.bg"),
        );
        assert_eq!(c.name, "Мария Иванова");
        assert_eq!(c.phone, "082 123 456");
        assert_eq!(c.email, "m.ivanova@ruse.bg");
    }

    #[test]
    fn prefixes_and_other_separators_are_left_out() {
        let c = split(None, Some("Петър Петров; тел. 0888 12 34 56; e-mail: p.petrov@abv.bg."));
        assert_eq!(c.name, "Петър Петров");
        assert_eq!(c.phone, "0888 12 34 56");
        assert_eq!(c.email, "p.petrov@abv.bg");
        let c = split(Some("Иван Иванов"), Some("+359 82 123 456"));
        assert_eq!(
            (c.name.as_str(), c.phone.as_str(), c.email.as_str()),
            ("Иван Иванов", "+359 82 123 456", "")
        );
    }

    #[test]
    fn a_card_without_a_contact_gives_nothing() {
        assert!(split(None, None).is_empty());
        let c = split(Some("главен експерт"), Some("няма"));
        assert_eq!(c.phone, "");
        assert_eq!(c.email, "");
    }
}
