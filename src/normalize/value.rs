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
