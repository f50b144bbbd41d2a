//! The wording of findings: what is wrong and what is expected, in the
//! user's language. Each kind of finding has one small function that gives
//! its message, the Bulgarian and the English text side by side; the match
//! in [`Messages::message`] only picks the function.
//!
//! By area: `values.rs` (one value: required, type, range, choices,
//! municipality and oblast names, e-mail), `records.rs` (a record against
//! itself, the run and other records: cross-field rules, licences, periods,
//! oblasts, duplicates, counts, missing submissions), `files.rs` (files,
//! sheets and tables that could not be read as records), `outliers.rs`
//! (values that deserve a second look).
//!
//! Field labels and template titles come from the schemas through
//! [`Labels`], so the findings name no schema type (the schemas use
//! [`Severity`], and data flows one way).

mod calendar;
mod files;
mod outliers;
mod records;
mod strategy;
mod values;
mod visits;

use super::{Finding, Issue, Lang, Severity};

/// Where messages take the names users know: field labels and template
/// titles, in either language (implemented by the schemas).
pub trait Labels {
    /// The label of a field in `lang`: of `template`'s field when that
    /// template has it, else of the first template with a field of this id;
    /// `None` when no template has it.
    fn field_label(&self, template: Option<&str>, field: &str, lang: Lang) -> Option<String>;

    /// The title of a template in `lang`; `None` for an unknown template.
    fn template_title(&self, template: &str, lang: Lang) -> Option<String>;
}

/// Renders messages in the user's language; field labels come from the schemas.
pub struct Messages<'a> {
    pub lang: Lang,
    /// The schemas, for field labels and template titles.
    pub schemas: &'a dyn Labels,
}

impl Severity {
    /// How users read the severity.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Error, Lang::Bg) => "грешка",
            (Severity::Warning, Lang::Bg) => "предупреждение",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::En) => "warning",
        }
    }
}

impl Messages<'_> {
    /// The label of a field in the user's language (the id when unknown).
    pub fn field_label(&self, template: Option<&str>, field: &str) -> String {
        self.schemas
            .field_label(template, field, self.lang)
            .unwrap_or_else(|| field.to_string())
    }

    /// The template's title in the user's language (the id when unknown).
    pub fn template_title(&self, template: &str) -> String {
        self.schemas
            .template_title(template, self.lang)
            .unwrap_or_else(|| template.to_string())
    }

    /// The message of an issue: what is wrong and what is expected.
    pub fn message(&self, issue: &Issue) -> String {
        let s = &Said::new(self, issue);
        use Finding::*;
        match &issue.finding {
            Required => values::required(s),
            LabelMissing => values::label_missing(s),
            RequiredBecause {
                other_field,
                other_value,
            } => values::required_because(s, other_field, other_value),
            NotA { expected } => values::not_a(s, *expected),
            Fraction => values::fraction(s),
            BadGrouping => values::bad_grouping(s),
            TwoDigitYear => values::two_digit_year(s),
            NoSuchDay => values::no_such_day(s),
            BelowMin { min } => values::below_min(s, *min),
            AboveMax { max } => values::above_max(s, *max),
            UnknownChoice { closest, allowed } => values::unknown_choice(s, closest, allowed),
            AmbiguousChoice { candidates } => values::ambiguous_choice(s, candidates),
            WrongCard { service_type, card } => values::wrong_card(s, service_type, card),
            UnknownMunicipality { closest } => values::unknown_municipality(s, closest),
            AmbiguousMunicipality { candidates } => values::ambiguous_municipality(s, candidates),
            UnknownOblast { closest } => values::unknown_oblast(s, closest),
            AmbiguousOblast { candidates } => values::ambiguous_oblast(s, candidates),
            BadEmail => values::bad_email(s),
            MunicipalityNotInOblast {
                municipality,
                its_oblast,
                stated_oblast,
            } => records::municipality_not_in_oblast(s, municipality, its_oblast, stated_oblast),
            OtherOblast { oblast, run_oblast } => records::other_oblast(s, oblast, run_oblast),
            Conflict { other, other_value } => records::conflict(s, *other, other_value),
            NotAtMost {
                other_field,
                other_value,
                factor,
            } => records::not_at_most(s, other_field, other_value, *factor),
            SumNotAtMost {
                fields,
                sum,
                other_field,
                other_value,
            } => records::sum_not_at_most(s, fields, sum, other_field, other_value),
            DateBefore {
                other_field,
                other_value,
            } => records::date_before(s, other_field, other_value),
            EndsInPeriod { period_end } => records::ends_in_period(s, period_end),
            EndedBeforePeriod { period_start } => records::ended_before_period(s, period_start),
            PeriodDiffers {
                card_period,
                run_period,
            } => records::period_differs(s, card_period, run_period),
            Duplicate { other, counted } => records::duplicate(s, other, *counted),
            DuplicateInFile { other } => records::duplicate_in_file(s, *other),
            CardCount { declared, received } => records::card_count(s, *declared, *received),
            MissingMunicipalCard { municipality } => records::missing_municipal_card(s, municipality),
            MissingDspRow { municipality } => records::missing_dsp_row(s, municipality),
            UnreadableFile { problem } => files::unreadable_file(s, problem),
            UnknownTemplate { .. } => files::unknown_template(s, issue.location.sheet.is_empty()),
            SchemaVersion {
                declared,
                known,
                changes,
            } => files::schema_version(s, *declared, *known, changes),
            LinkNotFollowed { looped } => files::link_not_followed(s, *looped),
            RowAfterTable => files::row_after_table(s),
            BlankCard => files::blank_card(s),
            EmptyTable => files::empty_table(s),
            Outlier(check) => outliers::outlier(s, check),
            Strategy(finding) => strategy::strategy(self, issue, finding),
            Visit(visit) => visits::message(self, issue, visit, &s.label),
            Calendar(c) => calendar::message(c, s.lang),
        }
    }
}

/// What the message of one issue may name, ready in the user's language.
struct Said<'a> {
    lang: Lang,
    messages: &'a Messages<'a>,
    template: Option<&'a str>,
    /// The issue's field label, quoted ("" when the issue is about no field).
    label: String,
    /// The value as written, quoted.
    value: String,
    /// The value as written.
    written: &'a str,
}

impl<'a> Said<'a> {
    fn new(messages: &'a Messages<'a>, issue: &'a Issue) -> Said<'a> {
        let lang = messages.lang;
        let template = issue.template.as_deref();
        Said {
            lang,
            messages,
            template,
            label: issue
                .field
                .as_deref()
                .map(|f| quote(lang, &messages.field_label(template, f)))
                .unwrap_or_default(),
            value: quote(lang, &issue.value),
            written: &issue.value,
        }
    }

    /// Another field of the issue's template, by its quoted label.
    fn other(&self, field: &str) -> String {
        quote(self.lang, &self.messages.field_label(self.template, field))
    }

    fn quote(&self, text: &str) -> String {
        quote(self.lang, text)
    }
}

fn quote(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Bg => format!("„{text}“"),
        Lang::En => format!("\"{text}\""),
    }
}

/// "name (code); name (code)".
fn list_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(code, name)| format!("{name} ({code})"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn number(n: f64) -> String {
    crate::sheet::format_number(n)
}
