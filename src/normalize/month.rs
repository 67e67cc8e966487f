//! Fiscal years (年度) as staff write them. Months and dates are read by
//! the core ([`crate::core::month`]: text in every form of spec §1, Excel
//! serials, cells), the one parser every stage uses; the era years here are
//! its [`western_year`] too.

use super::text::value_text;
use crate::core::month::western_year;
use crate::read::Cell;

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
            for era in ["令和", "R", "平成", "H"] {
                if let Some(rest) = v.strip_prefix(era) {
                    return plausible(western_year(era, rest.trim())?);
                }
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

    #[test]
    fn fiscal_years_in_every_era_spelling() {
        for s in [
            "2025",
            "2025年度",
            "令和7年度",
            "R7年度",
            "Ｒ７",
            "R 7",
            "令和7年",
        ] {
            assert_eq!(parse_fiscal_year(&Cell::Text(s.into())), Some(2025), "{s}");
        }
        assert_eq!(
            parse_fiscal_year(&Cell::Text("平成31年度".into())),
            Some(2019)
        );
        assert_eq!(parse_fiscal_year(&Cell::Text("H2年度".into())), Some(1990));
        assert_eq!(
            parse_fiscal_year(&Cell::Text("令和元年度".into())),
            Some(2019)
        );
        for s in ["R2147483647", "1989", "abc", "R", "20255"] {
            assert_eq!(parse_fiscal_year(&Cell::Text(s.into())), None, "{s}");
        }
    }
}
