//! The reporting month, `YYYY-MM`, and the fiscal year (年度) it falls in.

use std::fmt;
use std::str::FromStr;

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
    /// [`crate::normalize::month::parse_month`], which reads every form staff write).
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
}
