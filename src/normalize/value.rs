//! Counts as staff type them: numbers, numeric text, full-width digits,
//! thousands separators, units (件, 人, 回), and dashes meaning zero. Anything
//! else is refused with the text quoted, never read as zero.

use super::text::value_text;
use crate::read::Cell;

/// What a cell holds, read as a non-negative count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Count {
    /// A count (dashes read as 0).
    Value(u64),
    /// Nothing typed.
    Blank,
    /// Not a non-negative integer; the text found, for the message.
    Bad(String),
}

impl Count {
    /// The count, if there is one.
    pub fn value(&self) -> Option<u64> {
        match self {
            Count::Value(v) => Some(*v),
            _ => None,
        }
    }
}

const UNITS: &[&str] = &["件", "人", "回", "か所", "箇所", "ヶ所", "名"];

/// Reads a cell as a non-negative integer count.
///
/// ```
/// use kasane::normalize::value::{parse_count, Count};
/// use kasane::read::Cell;
/// assert_eq!(parse_count(&Cell::Text("３,１９８件".into())), Count::Value(3198));
/// assert_eq!(parse_count(&Cell::Text("－".into())), Count::Value(0));
/// assert_eq!(parse_count(&Cell::Text("約10".into())), Count::Bad("約10".into()));
/// ```
pub fn parse_count(cell: &Cell) -> Count {
    match cell {
        Cell::Empty => Count::Blank,
        Cell::Number(n) => {
            if n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n < 1e15 {
                Count::Value(*n as u64)
            } else {
                Count::Bad(cell.as_text())
            }
        }
        Cell::Text(t) => parse_count_text(t),
        Cell::Date(_) | Cell::Bool(_) | Cell::Error(_) | Cell::FormulaWithoutValue(_) => {
            Count::Bad(cell.as_text())
        }
    }
}

fn parse_count_text(original: &str) -> Count {
    let t = value_text(original);
    if t.is_empty() {
        return Count::Blank;
    }
    if t == "-" {
        return Count::Value(0);
    }
    let mut digits = t.as_str();
    for unit in UNITS {
        if let Some(rest) = digits.strip_suffix(unit) {
            digits = rest.trim_end();
            break;
        }
    }
    let plain: String = if digits.contains(',') {
        if !is_grouped(digits) {
            return Count::Bad(original.to_string());
        }
        digits.replace(',', "")
    } else {
        digits.to_string()
    };
    if plain.is_empty() || !plain.bytes().all(|b| b.is_ascii_digit()) || plain.len() > 15 {
        return Count::Bad(original.to_string());
    }
    plain
        .parse()
        .map_or_else(|_| Count::Bad(original.to_string()), Count::Value)
}

/// `1,234,567`: one to three digits, then groups of exactly three.
fn is_grouped(s: &str) -> bool {
    let mut parts = s.split(',');
    let first = parts.next().unwrap_or("");
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && parts.all(|p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads an amount of money as finance writes it: numbers or text with
/// thousands separators, `¥` or `円`, full-width digits, and `△`, `▲` or `-`
/// for minus. `yen_per_unit` is 1 for 円 and 1,000 for 千円. The result is in
/// whole yen; `Ok(None)` for a blank cell; the text found when it is not an
/// amount (or not a whole number of yen).
///
/// ```
/// use kasane::normalize::value::parse_amount;
/// use kasane::read::Cell;
/// assert_eq!(parse_amount(&Cell::Text("12,345千円".into()), 1000), Ok(Some(12_345_000)));
/// assert_eq!(parse_amount(&Cell::Text("△1,500".into()), 1), Ok(Some(-1_500)));
/// assert_eq!(parse_amount(&Cell::Number(2.5), 1000), Ok(Some(2_500)));
/// ```
pub fn parse_amount(cell: &Cell, yen_per_unit: i64) -> Result<Option<i64>, String> {
    let (negative, magnitude) = match cell {
        Cell::Empty => return Ok(None),
        Cell::Number(n) if n.is_finite() => (*n < 0.0, n.abs()),
        Cell::Text(t) => {
            let v = value_text(t);
            if v.is_empty() {
                return Ok(None);
            }
            if v == "-" {
                return Ok(Some(0));
            }
            let (negative, rest) = match v.strip_prefix(['△', '▲', '-']) {
                Some(rest) => (true, rest.trim()),
                None => (false, v.as_str()),
            };
            let rest = rest.trim_start_matches('¥').trim_start_matches('\\');
            let rest = ["千円", "円"]
                .iter()
                .find_map(|u| rest.strip_suffix(u))
                .unwrap_or(rest)
                .trim();
            let plain = if rest.contains(',') {
                if !is_grouped(rest.split('.').next().unwrap_or("")) {
                    return Err(t.clone());
                }
                rest.replace(',', "")
            } else {
                rest.to_string()
            };
            match plain.parse::<f64>() {
                Ok(m)
                    if m.is_finite() && plain.bytes().all(|b| b.is_ascii_digit() || b == b'.') =>
                {
                    (negative, m)
                }
                _ => return Err(t.clone()),
            }
        }
        other => return Err(other.as_text()),
    };
    let yen = magnitude * yen_per_unit as f64;
    // Money stays in whole yen: 1.5 円 is a typing error, 1.5 千円 is 1,500 円.
    if yen.fract() != 0.0 || yen > 1e15 {
        return Err(cell.as_text());
    }
    let yen = yen as i64;
    Ok(Some(if negative { -yen } else { yen }))
}

#[cfg(test)]
mod amount_tests {
    use super::*;

    #[test]
    fn amounts_as_finance_writes_them() {
        let t = |s: &str, unit| parse_amount(&Cell::Text(s.into()), unit);
        assert_eq!(t("3,198,000", 1), Ok(Some(3_198_000)));
        assert_eq!(t("３，１９８", 1000), Ok(Some(3_198_000)));
        assert_eq!(t("¥12,000円", 1), Ok(Some(12_000)));
        assert_eq!(t("▲250", 1000), Ok(Some(-250_000)));
        assert_eq!(t("△ 1,000", 1), Ok(Some(-1_000)));
        assert_eq!(t("", 1), Ok(None));
        assert_eq!(t("-", 1), Ok(Some(0)));
        for bad in ["約100", "1,00", "12.5", "１２円５０銭", "#REF!"] {
            assert!(t(bad, 1).is_err(), "{bad}");
        }
        assert_eq!(parse_amount(&Cell::Number(-3.0), 1000), Ok(Some(-3_000)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Count {
        parse_count(&Cell::Text(s.into()))
    }

    #[test]
    fn accepts_what_staff_type() {
        assert_eq!(text("12"), Count::Value(12));
        assert_eq!(text("１２"), Count::Value(12));
        assert_eq!(text("150件"), Count::Value(150));
        assert_eq!(text("12 人"), Count::Value(12));
        assert_eq!(text("5回"), Count::Value(5));
        assert_eq!(text("3,198"), Count::Value(3198));
        for dash in ["-", "－", "―", "—"] {
            assert_eq!(text(dash), Count::Value(0), "{dash}");
        }
        assert_eq!(text("  "), Count::Blank);
        assert_eq!(parse_count(&Cell::Number(7.0)), Count::Value(7));
    }

    #[test]
    fn refuses_everything_else_quoting_it() {
        for bad in ["約10", "10?", "-3", "1.5", "#REF!", "1,2", "12,34", "件"] {
            assert_eq!(text(bad), Count::Bad(bad.into()), "{bad}");
        }
        assert!(matches!(parse_count(&Cell::Number(-3.0)), Count::Bad(_)));
        assert!(matches!(parse_count(&Cell::Number(1.5)), Count::Bad(_)));
        assert!(matches!(
            parse_count(&Cell::Error("#REF!".into())),
            Count::Bad(_)
        ));
        assert!(matches!(
            parse_count(&Cell::FormulaWithoutValue("SUM(A1:A2)".into())),
            Count::Bad(_)
        ));
    }
}
