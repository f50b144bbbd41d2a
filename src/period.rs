//! The reporting period: takes what the user wrote (`2017Q2`, `2017`,
//! `2016H1`, `2017-03`, `2016-01-01..2017-06-30`) and gives the first and
//! last day, with the rule for a service being active in it.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// A closed range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The period of the first monitoring report: 01.01.2016–30.06.2017.
    pub fn report_2016_2017() -> Period {
        Period {
            start: NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2017, 6, 30).unwrap_or_default(),
        }
    }

    /// Active in the period: opened on or before its last day and not
    /// closed before its first.
    pub fn is_active(&self, opened: Option<NaiveDate>, closed: Option<NaiveDate>) -> bool {
        opened.is_some_and(|o| o <= self.end) && closed.is_none_or(|c| c >= self.start)
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// "01.01.2016–30.06.2017", as Bulgarian documents write it.
    pub fn display_bg(&self) -> String {
        format!("{}–{}", self.start.format("%d.%m.%Y"), self.end.format("%d.%m.%Y"))
    }

    /// A short name: "2017Q2", "2017", "2016H1", "2017-03", or the ISO range.
    pub fn name(&self) -> String {
        let (y, m, d) = (self.start.year(), self.start.month(), self.start.day());
        let end_is = |ey: i32, em: u32| last_day(ey, em).is_some_and(|last| last == self.end);
        if d == 1 {
            if m == 1 && end_is(y, 12) {
                return format!("{y}");
            }
            if (m == 1 || m == 7) && end_is(y, m + 5) {
                return format!("{y}H{}", if m == 1 { 1 } else { 2 });
            }
            if (m - 1) % 3 == 0 && end_is(y, m + 2) {
                return format!("{y}Q{}", (m - 1) / 3 + 1);
            }
            if end_is(y, m) {
                return format!("{y}-{m:02}");
            }
        }
        format!("{}..{}", self.start, self.end)
    }

    /// How many days it covers.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

fn months(year: i32, first: u32, last: u32) -> Option<Period> {
    Some(Period {
        start: NaiveDate::from_ymd_opt(year, first, 1)?,
        end: last_day(year, last)?,
    })
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Why a period could not be read; the message says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError(pub String);

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read the period \"{}\"; write 2017Q2, 2017, 2016H1, 2017-03 or 2016-01-01..2017-06-30",
            self.0
        )
    }
}

impl std::error::Error for PeriodError {}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .or_else(|| crate::normalize::parse_date_text(text).ok())
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Period, PeriodError> {
        let err = || PeriodError(text.to_string());
        let t = text.trim().to_uppercase();
        if let Some((a, b)) = t.split_once("..") {
            let (start, end) = (parse_day(a).ok_or_else(err)?, parse_day(b).ok_or_else(err)?);
            if end < start {
                return Err(err());
            }
            return Ok(Period { start, end });
        }
        let year = |s: &str| -> Result<i32, PeriodError> {
            if s.len() == 4 {
                s.parse::<i32>().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        if let Some((y, q)) = t.split_once('Q') {
            let q: u32 = q.parse().map_err(|_| err())?;
            if !(1..=4).contains(&q) {
                return Err(err());
            }
            return months(year(y)?, 3 * q - 2, 3 * q).ok_or_else(err);
        }
        if let Some((y, h)) = t.split_once('H') {
            return match h {
                "1" => months(year(y)?, 1, 6),
                "2" => months(year(y)?, 7, 12),
                _ => None,
            }
            .ok_or_else(err);
        }
        if let Some((y, m)) = t.split_once('-') {
            let m: u32 = m.parse().map_err(|_| err())?;
            return months(year(y)?, m, m).ok_or_else(err);
        }
        months(year(&t)?, 1, 12).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_are_read_in_every_documented_form() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert_eq!(
            p("2017Q2"),
            Period {
                start: day(2017, 4, 1),
                end: day(2017, 6, 30)
            }
        );
        assert_eq!(
            p("2017q4"),
            Period {
                start: day(2017, 10, 1),
                end: day(2017, 12, 31)
            }
        );
        assert_eq!(
            p("2017"),
            Period {
                start: day(2017, 1, 1),
                end: day(2017, 12, 31)
            }
        );
        assert_eq!(
            p("2016H1"),
            Period {
                start: day(2016, 1, 1),
                end: day(2016, 6, 30)
            }
        );
        assert_eq!(
            p("2016-02"),
            Period {
                start: day(2016, 2, 1),
                end: day(2016, 2, 29)
            }
        );
        assert_eq!(p("2016-01-01..2017-06-30"), Period::report_2016_2017());
        assert_eq!(p("01.01.2016..30.06.2017"), Period::report_2016_2017());
        for bad in ["2017Q5", "17", "2017H3", "2017-06-30..2016-01-01", "шест месеца"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn names_round_trip() {
        for name in ["2017Q2", "2017", "2016H1", "2016-02", "2016-01-01..2017-06-30"] {
            assert_eq!(name.parse::<Period>().unwrap().name(), name);
        }
        assert_eq!(Period::report_2016_2017().display_bg(), "01.01.2016–30.06.2017");
    }

    #[test]
    fn a_service_is_active_when_open_on_any_day_of_the_period() {
        let p = Period::report_2016_2017();
        assert!(p.is_active(Some(day(2010, 1, 1)), None));
        assert!(p.is_active(Some(day(2017, 6, 30)), None));
        assert!(!p.is_active(Some(day(2017, 7, 1)), None));
        assert!(p.is_active(Some(day(2010, 1, 1)), Some(day(2016, 1, 1))));
        assert!(!p.is_active(Some(day(2010, 1, 1)), Some(day(2015, 12, 31))));
        assert!(!p.is_active(None, None));
    }
}
