//! Reporting months in every form staff write them (spec §1): `令和7年4月`,
//! `R7.4`, `R07/04`, `2025年4月`, `2025/4`, `2025-04`, `202504`, full-width
//! digits, `令和元年`, and real date cells (1900 and 1904 systems alike, since
//! the reader has already turned them into dates). Dates such as `2025/4/15`
//! give their month.

use super::text::value_text;
use crate::core::YearMonth;
use crate::read::Cell;
use chrono::{Datelike, NaiveDate};
use regex::Regex;
use std::sync::LazyLock;

static ERA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(令和|平成|R|H)\s*(元|\d{1,2})\s*(?:年|\.|/|-)\s*(\d{1,2})\s*(?:月(?:\s*\d{1,2}\s*日)?|[./-]\s*\d{1,2}\s*日?)?\s*(?:分)?$")
        .expect("valid regex")
});
static WESTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})\s*(?:年|\.|/|-)\s*(\d{1,2})\s*(?:月(?:\s*\d{1,2}\s*日)?|[./-]\s*\d{1,2}\s*日?)?\s*(?:分)?$")
        .expect("valid regex")
});
static ERA_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(令和|平成|R|H)(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$")
        .expect("valid regex")
});
static WESTERN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?$").expect("valid regex")
});
static COMPACT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})(\d{2})$").expect("valid regex"));

/// Reads a reporting month from a cell.
///
/// ```
/// use kasane::normalize::month::parse_month;
/// use kasane::read::Cell;
/// let april = |s: &str| parse_month(&Cell::Text(s.into())).map(|m| m.to_string());
/// for s in ["令和7年4月", "R7.4", "R07/04", "2025年4月", "2025/4", "2025-04", "202504", "令和７年４月"] {
///     assert_eq!(april(s).as_deref(), Some("2025-04"), "{s}");
/// }
/// assert_eq!(april("令和元年5月").as_deref(), Some("2019-05"));
/// ```
pub fn parse_month(cell: &Cell) -> Option<YearMonth> {
    match cell {
        Cell::Date(d) => YearMonth::new(d.year(), d.month()),
        Cell::Number(n) if n.fract() == 0.0 => {
            let n = *n as i64;
            if (190_001..=220_012).contains(&n) {
                YearMonth::new((n / 100) as i32, (n % 100) as u32)
            } else if (1..=2_958_465).contains(&n) {
                // A date serial whose format calamine did not flag as a date
                // (Japan's built-in formats 27–36, 50–58).
                excel_serial_date(n).and_then(|d| YearMonth::new(d.year(), d.month()))
            } else {
                None
            }
        }
        Cell::Text(t) => parse_month_text(t),
        _ => None,
    }
}

fn parse_month_text(original: &str) -> Option<YearMonth> {
    let t = value_text(original);
    if let Some(c) = ERA.captures(&t) {
        let era_year: i32 = if &c[2] == "元" {
            1
        } else {
            c[2].parse().ok()?
        };
        let base = match &c[1] {
            "令和" | "R" => 2018,
            _ => 1988,
        };
        return YearMonth::new(base + era_year, c[3].parse().ok()?);
    }
    if let Some(c) = WESTERN.captures(&t) {
        return YearMonth::new(c[1].parse().ok()?, c[2].parse().ok()?);
    }
    if let Some(c) = COMPACT.captures(&t) {
        return YearMonth::new(c[1].parse().ok()?, c[2].parse().ok()?);
    }
    None
}

/// Reads a date (meeting dates): date cells, `2025/4/15`, `2025-04-15`,
/// `2025年4月15日`, `令和7年4月15日`, `R7.4.15`, and date serials.
pub fn parse_date(cell: &Cell) -> Option<NaiveDate> {
    match cell {
        Cell::Date(d) => Some(*d),
        Cell::Number(n) if n.fract() == 0.0 && *n >= 1.0 => excel_serial_date(*n as i64),
        Cell::Text(t) => {
            let t = value_text(t);
            if let Some(c) = ERA_DATE.captures(&t) {
                let y: i32 = if &c[2] == "元" {
                    1
                } else {
                    c[2].parse().ok()?
                };
                let base = if matches!(&c[1], "令和" | "R") {
                    2018
                } else {
                    1988
                };
                return NaiveDate::from_ymd_opt(base + y, c[3].parse().ok()?, c[4].parse().ok()?);
            }
            let c = WESTERN_DATE.captures(&t)?;
            NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)
        }
        _ => None,
    }
}

/// Excel's 1900 date system (serial 60 is the fictitious 1900-02-29).
/// Serials outside Excel's own range (1 = 1900-01-01 to 2,958,465 =
/// 9999-12-31) are no dates: a number such as 1e20 in a date cell must not
/// reach `Duration::days`, which panics out of its range.
fn excel_serial_date(serial: i64) -> Option<NaiveDate> {
    if !(1..=2_958_465).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if serial < 61 { serial + 1 } else { serial };
    base.checked_add_signed(chrono::Duration::try_days(days)?)
}

/// Reads a fiscal year (年度) as staff write it: `2025`, `2025年度`,
/// `令和7年度`, `R7年度`, `R7`, full-width digits.
///
/// ```
/// use kasane::normalize::month::parse_fiscal_year;
/// use kasane::read::Cell;
/// for s in ["2025", "2025年度", "令和7年度", "R7年度", "Ｒ７"] {
///     assert_eq!(parse_fiscal_year(&Cell::Text(s.into())), Some(2025), "{s}");
/// }
/// assert_eq!(parse_fiscal_year(&Cell::Number(2025.0)), Some(2025));
/// ```
pub fn parse_fiscal_year(cell: &Cell) -> Option<i32> {
    let plausible = |y: i32| (1990..=2200).contains(&y).then_some(y);
    match cell {
        Cell::Number(n) if n.fract() == 0.0 => plausible(*n as i32),
        Cell::Text(t) => {
            let v = value_text(t);
            let v = v.trim_end_matches("年度").trim_end_matches('年').trim();
            if let Some(rest) = v.strip_prefix("令和").or_else(|| v.strip_prefix('R')) {
                let n: i32 = if rest.trim() == "元" {
                    1
                } else {
                    rest.trim().parse().ok()?
                };
                // checked: "R2147483647" must not overflow (tests/properties.rs).
                return plausible(2018i32.checked_add(n)?);
            }
            if let Some(rest) = v.strip_prefix("平成").or_else(|| v.strip_prefix('H')) {
                let n: i32 = if rest.trim() == "元" {
                    1
                } else {
                    rest.trim().parse().ok()?
                };
                return plausible(1988i32.checked_add(n)?);
            }
            (v.len() == 4)
                .then(|| v.parse().ok())
                .flatten()
                .and_then(plausible)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Option<String> {
        parse_month(&Cell::Text(s.into())).map(|m| m.to_string())
    }

    #[test]
    fn every_form_of_spec_section_1() {
        for s in [
            "令和7年4月",
            "R7.4",
            "R07/04",
            "2025年4月",
            "2025/4",
            "2025-04",
            "202504",
            "令和７年４月",
            "２０２５年４月",
            "R7年4月",
            "令和7年4月分",
            "2025/4/1",
            "R7.4.1",
            "2025年4月1日",
        ] {
            assert_eq!(text(s).as_deref(), Some("2025-04"), "{s}");
        }
        assert_eq!(text("令和元年5月").as_deref(), Some("2019-05"));
        assert_eq!(text("平成31年4月").as_deref(), Some("2019-04"));
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(
            parse_month(&Cell::Number(202504.0))
                .map(|m| m.to_string())
                .as_deref(),
            Some("2025-04")
        );
        // 45748 = 2025-04-01 in the 1900 system.
        assert_eq!(
            parse_month(&Cell::Number(45748.0))
                .map(|m| m.to_string())
                .as_deref(),
            Some("2025-04")
        );
        let d = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        assert_eq!(
            parse_month(&Cell::Date(d))
                .map(|m| m.to_string())
                .as_deref(),
            Some("2025-04")
        );
    }

    #[test]
    fn refuses_non_months() {
        for s in ["2025", "4月", "令和7年13月", "abc", "2025/13", ""] {
            assert_eq!(text(s), None, "{s}");
        }
    }

    #[test]
    fn dates_for_meetings() {
        let want = NaiveDate::from_ymd_opt(2025, 4, 15);
        for s in [
            "2025/4/15",
            "2025-04-15",
            "2025年4月15日",
            "令和7年4月15日",
            "R7.4.15",
        ] {
            assert_eq!(parse_date(&Cell::Text(s.into())), want, "{s}");
        }
        assert_eq!(parse_date(&Cell::Number(45762.0)), want);
    }

    /// Found by tests/properties.rs: a huge number in a meeting-date cell
    /// made `chrono::Duration::days` panic ("TimeDelta::days out of bounds").
    #[test]
    fn a_huge_number_in_a_date_cell_is_no_date_not_a_panic() {
        for n in [4.590323250500858e263, 1e20, 9.2e18, 2_958_466.0, f64::MAX] {
            assert_eq!(parse_date(&Cell::Number(n)), None, "{n}");
        }
        assert_eq!(
            parse_date(&Cell::Number(2_958_465.0)),
            NaiveDate::from_ymd_opt(9999, 12, 31)
        );
    }
}
