//! The reporting month, `YYYY-MM`, and the fiscal year (年度) it falls in;
//! and the one place where a month or a date is read from what a return
//! holds (issue 16: one parser per concept):
//!
//! * text in every form staff write (spec §1): [`month_from_text`],
//!   [`date_from_text`], with [`western_year`] for the era (和暦) years;
//! * an Excel date serial, with the 1900 leap-year bug handled here only:
//!   [`date_from_serial`], [`month_from_serial`];
//! * a cell: [`parse_month`], [`parse_date`].
//!
//! A bare number is never a month: `2025` (text or number) is no month, and
//! a plain number is not taken for a date serial, since `2025` would read as
//! 1905-07. A number the reader saw under a date format is a
//! [`Cell::Date`] already, and that is a month.

use super::text::value_text;
use super::Cell;
use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// A calendar month. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    /// Western calendar year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
}

impl YearMonth {
    /// The last month of a fiscal year named by its start year (2025年度 →
    /// 2026-03): the month yearly (F5) records carry.
    pub fn fiscal_year_end(fiscal_year: i32) -> YearMonth {
        YearMonth {
            year: fiscal_year + 1,
            month: 3,
        }
    }

    /// A month, if `month` is 1–12 and the year is plausible for this programme.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=2200).contains(&year))
            .then_some(YearMonth { year, month })
    }

    /// The fiscal year (年度, April–March) named by its starting year.
    ///
    /// ```
    /// use kasane::core::YearMonth;
    /// assert_eq!(YearMonth::new(2026, 3).unwrap().fiscal_year(), 2025);
    /// assert_eq!(YearMonth::new(2025, 4).unwrap().fiscal_year(), 2025);
    /// ```
    pub fn fiscal_year(self) -> i32 {
        if self.month >= 4 {
            self.year
        } else {
            self.year - 1
        }
    }

    /// The month after this one.
    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before this one.
    ///
    /// ```
    /// use kasane::core::YearMonth;
    /// assert_eq!(YearMonth::new(2025, 1).unwrap().prev(), YearMonth::new(2024, 12).unwrap());
    /// ```
    pub fn prev(self) -> YearMonth {
        if self.month == 1 {
            YearMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month a date falls in (`None` outside [`YearMonth::new`]'s years).
    pub fn of_date(date: NaiveDate) -> Option<Self> {
        YearMonth::new(date.year(), date.month())
    }

    /// `2025年4月`, for Japanese text.
    pub fn ja(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Error for a `--month` argument that is not `YYYY-MM`.
#[derive(Debug, thiserror::Error)]
#[error("月は YYYY-MM で指定してください (month must be YYYY-MM): {0}")]
pub struct BadMonthArgument(pub String);

impl FromStr for YearMonth {
    type Err = BadMonthArgument;

    /// Parses the strict interface form `YYYY-MM` (returns use
    /// [`parse_month`], which reads every form staff write).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadMonthArgument(s.to_string());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        YearMonth::new(year, month).ok_or_else(bad)
    }
}

// Era and western months, optionally with a day (`2025/4/1` gives April)
// and a trailing 分 (`令和7年4月分`).
static ERA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(令和|平成|R|H)\s*(元|\d{1,2})\s*(?:年|\.|/|-)\s*(\d{1,2})\s*(?:月(?:\s*\d{1,2}\s*日)?|[./-]\s*\d{1,2}\s*日?)?\s*(?:分)?$")
        .expect("valid regex")
});
static WESTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})\s*(?:年|\.|/|-)\s*(\d{1,2})\s*(?:月(?:\s*\d{1,2}\s*日)?|[./-]\s*\d{1,2}\s*日?)?\s*(?:分)?$")
        .expect("valid regex")
});
static COMPACT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})(\d{2})$").expect("valid regex"));
static ERA_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(令和|平成|R|H)(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$")
        .expect("valid regex")
});
static WESTERN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?$").expect("valid regex")
});

/// The western year of year `year` (`元` is the first) of the era `era` as
/// staff write it: `令和`/`R` (2019 = 令和元年) or `平成`/`H` (1989 = 平成元年).
/// `None` for another era or a year that is no number (or overflows).
///
/// ```
/// use kasane::core::month::western_year;
/// assert_eq!(western_year("令和", "7"), Some(2025));
/// assert_eq!(western_year("R", "元"), Some(2019));
/// assert_eq!(western_year("H", "31"), Some(2019));
/// assert_eq!(western_year("昭和", "60"), None);
/// ```
pub fn western_year(era: &str, year: &str) -> Option<i32> {
    let base: i32 = match era {
        "令和" | "R" => 2018,
        "平成" | "H" => 1988,
        _ => return None,
    };
    let n: i32 = if year == "元" { 1 } else { year.parse().ok()? };
    // checked: "R2147483647" must not overflow (tests/properties.rs).
    base.checked_add(n)
}

/// Reads a reporting month from text in every form staff write (spec §1):
/// `令和7年4月`, `R7.4`, `R07/04`, `2025年4月`, `2025/4`, `2025-04`,
/// `202504`, full-width digits, `令和元年`, a trailing `分`; a date such as
/// `2025/4/15` gives its month. A bare year (`2025`) or month (`4月`) is no
/// month.
///
/// ```
/// use kasane::core::month::month_from_text;
/// let april = |s: &str| month_from_text(s).map(|m| m.to_string());
/// for s in ["令和7年4月", "R7.4", "R07/04", "2025年4月", "2025/4", "2025-04", "202504", "令和７年４月"] {
///     assert_eq!(april(s).as_deref(), Some("2025-04"), "{s}");
/// }
/// assert_eq!(april("令和元年5月").as_deref(), Some("2019-05"));
/// assert_eq!(april("2025"), None);
/// ```
pub fn month_from_text(text: &str) -> Option<YearMonth> {
    let t = value_text(text);
    if let Some(c) = ERA.captures(&t) {
        return YearMonth::new(western_year(&c[1], &c[2])?, c[3].parse().ok()?);
    }
    if let Some(c) = WESTERN.captures(&t) {
        return YearMonth::new(c[1].parse().ok()?, c[2].parse().ok()?);
    }
    let c = COMPACT.captures(&t)?;
    YearMonth::new(c[1].parse().ok()?, c[2].parse().ok()?)
}

/// Reads a date from text: `2025/4/15`, `2025-04-15`, `2025年4月15日`,
/// `令和7年4月15日`, `R7.4.15`, full-width digits.
pub fn date_from_text(text: &str) -> Option<NaiveDate> {
    let t = value_text(text);
    if let Some(c) = ERA_DATE.captures(&t) {
        let year = western_year(&c[1], &c[2])?;
        return NaiveDate::from_ymd_opt(year, c[3].parse().ok()?, c[4].parse().ok()?);
    }
    let c = WESTERN_DATE.captures(&t)?;
    NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
}

/// Excel's largest serial in the 1900 system, 9999-12-31. Serials past it
/// are no dates: a number such as 1e20 must not reach `Duration::days`,
/// which panics out of its range.
const MAX_SERIAL: f64 = 2_958_465.0;

/// The date of an Excel date serial in the book's date system (1900, or
/// 1904 for `date1904` books). The time of day (the fraction) is dropped;
/// serials below 1 are times of day, not dates, and serials past
/// 9999-12-31 are no dates.
///
/// The 1900 system counts a 29 February 1900 that never was (Lotus 1-2-3's
/// bug, kept by Excel): serial 60 is that day and 61 is 1 March. Serial 60
/// gives 1900-02-28, the last real day of the month Excel shows, as
/// calamine does, so its month stays February; serials 1–59 are one day
/// later than a plain count from 1899-12-31 would give.
///
/// ```
/// use kasane::core::month::date_from_serial;
/// use chrono::NaiveDate;
/// assert_eq!(date_from_serial(45748.0, false), NaiveDate::from_ymd_opt(2025, 4, 1));
/// assert_eq!(date_from_serial(61.0, false), NaiveDate::from_ymd_opt(1900, 3, 1));
/// assert_eq!(date_from_serial(0.5, false), None);
/// ```
pub fn date_from_serial(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..MAX_SERIAL + 1.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let (epoch, days) = if is_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else if days >= 61 {
        (NaiveDate::from_ymd_opt(1899, 12, 30)?, days)
    } else if days == 60 {
        // The fictitious 1900-02-29.
        return NaiveDate::from_ymd_opt(1900, 2, 28);
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 31)?, days)
    };
    epoch.checked_add_signed(chrono::Duration::try_days(days)?)
}

/// The month of an Excel date serial ([`date_from_serial`]); serial 60, the
/// fictitious 1900-02-29, is in February 1900.
pub fn month_from_serial(serial: f64, is_1904: bool) -> Option<YearMonth> {
    YearMonth::of_date(date_from_serial(serial, is_1904)?)
}

/// Reads a reporting month from a cell: a date cell gives its month, text
/// is read by [`month_from_text`], and a whole number written `YYYYMM`
/// (`202504`, as a number cell holds it when typed) reads as the same text
/// would. Any other number is no month: `2025` is a year, and a plain
/// number is not taken for a date serial (a serial under a date format is
/// already a [`Cell::Date`]).
///
/// ```
/// use kasane::core::month::parse_month;
/// use kasane::core::Cell;
/// assert_eq!(parse_month(&Cell::Text("R7.4".into())).map(|m| m.to_string()).as_deref(), Some("2025-04"));
/// assert_eq!(parse_month(&Cell::Number(2025.0)), None);
/// assert_eq!(parse_month(&Cell::Number(45748.0)), None);
/// ```
pub fn parse_month(cell: &Cell) -> Option<YearMonth> {
    match cell {
        Cell::Date(d) => YearMonth::of_date(*d),
        Cell::Number(n) if n.fract() == 0.0 && (190_001.0..=220_012.0).contains(n) => {
            let n = *n as i64;
            YearMonth::new((n / 100) as i32, (n % 100) as u32)
        }
        Cell::Text(t) => month_from_text(t),
        _ => None,
    }
}

/// Reads a date (meeting and submission dates) from a cell: a date cell,
/// text by [`date_from_text`], or a whole number as a serial of the 1900
/// system (a date column holds dates, so there a number is one; a month
/// never is, see [`parse_month`]).
pub fn parse_date(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) if n.fract() == 0.0 => date_from_serial(*n, false),
        Cell::Text(t) => date_from_text(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_the_interface_form() {
        assert_eq!(
            "2025-04".parse::<YearMonth>().unwrap().to_string(),
            "2025-04"
        );
        assert!("2025-4".parse::<YearMonth>().is_err());
        assert!("2025-13".parse::<YearMonth>().is_err());
        assert!("202504".parse::<YearMonth>().is_err());
    }

    #[test]
    fn next_wraps_the_year() {
        assert_eq!(
            YearMonth::new(2025, 12).unwrap().next().to_string(),
            "2026-01"
        );
    }

    fn text(s: &str) -> Option<String> {
        month_from_text(s).map(|m| m.to_string())
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    /// Every spelling the readers of normalize, identity and the cell
    /// parser accepted before they were one (spec §1).
    #[test]
    fn every_spelling_of_a_month() {
        for s in [
            "令和7年4月",
            "R7.4",
            "R07/04",
            "R7-4",
            "R 7 年 4 月",
            "2025年4月",
            "2025/4",
            "2025/04",
            "2025-04",
            "2025.4",
            "202504",
            "令和７年４月",
            "２０２５年４月",
            "２０２５／４",
            "Ｒ７．４",
            "R7年4月",
            "令和7年4月分",
            "2025年4月分",
            "2025/4/1",
            "2025-04-01",
            "R7.4.1",
            "2025年4月1日",
            "令和7年4月1日",
            " 2025-04 ",
        ] {
            assert_eq!(text(s).as_deref(), Some("2025-04"), "{s}");
        }
        assert_eq!(text("令和元年5月").as_deref(), Some("2019-05"));
        assert_eq!(text("R元.5").as_deref(), Some("2019-05"));
        assert_eq!(text("平成31年4月").as_deref(), Some("2019-04"));
        assert_eq!(text("H31/4").as_deref(), Some("2019-04"));
    }

    #[test]
    fn text_that_is_no_month() {
        for s in [
            "2025",
            "２０２５",
            "4月",
            "令和7年13月",
            "abc",
            "2025/13",
            "",
            "202513",
            "20250",
            "昭和60年4月",
            "R2147483647年4月",
        ] {
            assert_eq!(text(s), None, "{s}");
        }
    }

    #[test]
    fn every_spelling_of_a_date() {
        for s in [
            "2025/4/15",
            "2025-04-15",
            "2025.4.15",
            "2025年4月15日",
            "令和7年4月15日",
            "R7.4.15",
            "２０２５／４／１５",
        ] {
            assert_eq!(date_from_text(s), day(2025, 4, 15), "{s}");
        }
        assert_eq!(date_from_text("2025/2/30"), None);
        assert_eq!(date_from_text("2025/4"), None);
    }

    #[test]
    fn serials_and_the_1900_leap_year_bug() {
        assert_eq!(date_from_serial(1.0, false), day(1900, 1, 1));
        assert_eq!(date_from_serial(59.0, false), day(1900, 2, 28));
        // 60 is Excel's fictitious 1900-02-29: its month is February.
        assert_eq!(date_from_serial(60.0, false), day(1900, 2, 28));
        assert_eq!(
            month_from_serial(60.0, false)
                .map(|m| m.to_string())
                .as_deref(),
            Some("1900-02")
        );
        assert_eq!(date_from_serial(61.0, false), day(1900, 3, 1));
        assert_eq!(date_from_serial(44994.0, false), day(2023, 3, 9));
        assert_eq!(date_from_serial(45748.5, false), day(2025, 4, 1));
        assert_eq!(date_from_serial(MAX_SERIAL, false), day(9999, 12, 31));
        // The 1904 system has no fictitious day: 0 is 1904-01-01 but, as in
        // the 1900 system, serials below 1 are times of day.
        assert_eq!(date_from_serial(44994.0 - 1462.0, true), day(2023, 3, 9));
        assert_eq!(date_from_serial(1.0, true), day(1904, 1, 2));
        for n in [
            0.0,
            0.25,
            -1.0,
            MAX_SERIAL + 1.0,
            1e20,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(date_from_serial(n, false), None, "{n}");
        }
        assert_eq!(
            month_from_serial(45748.0, false)
                .map(|m| m.to_string())
                .as_deref(),
            Some("2025-04")
        );
    }

    #[test]
    fn a_bare_number_is_never_a_month() {
        for n in [2025.0, 45748.0, 4.0, 1.0, 60.0, 202513.0, 2025.04, 202504.5] {
            assert_eq!(parse_month(&Cell::Number(n)), None, "{n}");
        }
        assert_eq!(parse_month(&Cell::Text("2025".into())), None);
        assert_eq!(parse_month(&Cell::Text("45748".into())), None);
        // A whole number written YYYYMM reads as the same digits as text.
        assert_eq!(
            parse_month(&Cell::Number(202504.0)),
            month_from_text("202504")
        );
        assert!(parse_month(&Cell::Number(202504.0)).is_some());
    }

    #[test]
    fn cells_that_are_months() {
        let april = YearMonth::new(2025, 4);
        assert_eq!(parse_month(&Cell::Date(day(2025, 4, 1).unwrap())), april);
        assert_eq!(parse_month(&Cell::Text("令和7年4月".into())), april);
        assert_eq!(parse_month(&Cell::Bool(true)), None);
        assert_eq!(parse_month(&Cell::Empty), None);
        assert_eq!(parse_month(&Cell::Error("#REF!".into())), None);
    }

    #[test]
    fn cells_that_are_dates() {
        let want = day(2025, 4, 15);
        assert_eq!(parse_date(&Cell::Text("R7.4.15".into())), want);
        assert_eq!(parse_date(&Cell::Date(want.unwrap())), want);
        // A date column's whole number is a serial of the 1900 system.
        assert_eq!(parse_date(&Cell::Number(45762.0)), want);
        assert_eq!(parse_date(&Cell::Number(45762.5)), None);
        assert_eq!(parse_date(&Cell::Number(0.0)), None);
    }

    /// Found by tests/properties.rs: a huge number in a meeting-date cell
    /// made `chrono::Duration::days` panic ("TimeDelta::days out of bounds").
    #[test]
    fn a_huge_number_in_a_date_cell_is_no_date_not_a_panic() {
        for n in [4.590323250500858e263, 1e20, 9.2e18, 2_958_466.0, f64::MAX] {
            assert_eq!(parse_date(&Cell::Number(n)), None, "{n}");
        }
        assert_eq!(parse_date(&Cell::Number(2_958_465.0)), day(9999, 12, 31));
    }
}
