//! `grant.toml`: the parts of the 重層的支援体制整備事業交付金, each with its
//! national rate and base amount, as data finance edits (spec §7), and the
//! computation of the grant from F5 costs.
//!
//! Money stays in whole yen; the only rounding is the final cut below 1,000
//! yen (千円未満切捨て).

use super::MappingError;
use serde::Deserialize;
use std::path::Path;

/// One part × field of the grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantPart {
    /// 包括的相談支援事業分, 地域づくり事業分, 多機関協働事業等分.
    pub part: String,
    /// Field code (`elderly` … `cross`).
    pub field: String,
    /// Projects whose costs fall under it.
    pub projects: Vec<u8>,
    /// National rate as a fraction (numerator, denominator).
    pub rate: (u64, u64),
    /// 基準額 in yen.
    pub base_amount: u64,
    /// (H) 交付決定額, once the grant is decided (for the 精算書), in yen.
    pub decided_amount: Option<u64>,
    /// (I) 受入額, what the city has received, in yen.
    pub received_amount: Option<u64>,
}

/// The columns of the 所要額調書 for one part × field, in yen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GrantLine {
    /// (A) 総事業費.
    pub total_cost: u64,
    /// (B) 寄付金その他の収入額.
    pub other_income: u64,
    /// (C) 差引事業費 = A − B.
    pub net_cost: u64,
    /// (D) 対象経費の実支出額.
    pub eligible: u64,
    /// (E) 基準額.
    pub base_amount: u64,
    /// (F) 選定額 = min(D, E).
    pub selected: u64,
    /// (G) 所要額 = min(F, C) × rate, cut below 1,000 yen.
    pub required: u64,
}

impl GrantPart {
    /// The computation for this part from its summed costs.
    ///
    /// ```
    /// use kasane::mapping::grant::GrantPart;
    /// let p = GrantPart { part: "x".into(), field: "poverty".into(), projects: vec![1], rate: (3, 4), base_amount: 10_000_000, decided_amount: None, received_amount: None };
    /// let g = p.compute(12_345_678, 345_678, 11_000_000);
    /// assert_eq!((g.net_cost, g.selected, g.required), (12_000_000, 10_000_000, 7_500_000));
    /// ```
    pub fn compute(&self, total_cost: u64, other_income: u64, eligible: u64) -> GrantLine {
        let net_cost = total_cost.saturating_sub(other_income);
        let selected = eligible.min(self.base_amount);
        let basis = u128::from(selected.min(net_cost));
        let raw = basis * u128::from(self.rate.0) / u128::from(self.rate.1.max(1));
        let required = (raw / 1000 * 1000) as u64;
        GrantLine {
            total_cost,
            other_income,
            net_cost,
            eligible,
            base_amount: self.base_amount,
            selected,
            required,
        }
    }

    /// The rate as a percentage, for display.
    pub fn rate_percent(&self) -> f64 {
        self.rate.0 as f64 * 100.0 / self.rate.1.max(1) as f64
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    parts: Vec<RawPart>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPart {
    part: String,
    field: String,
    projects: Vec<u8>,
    rate: toml::Spanned<String>,
    base_amount: u64,
    #[serde(default)]
    decided_amount: Option<u64>,
    #[serde(default)]
    received_amount: Option<u64>,
}

/// Parses `grant.toml`.
pub(super) fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<GrantPart>, Vec<MappingError>> {
    let path = path.to_path_buf();
    let text = super::toml_text(&path, bytes).map_err(|e| vec![e])?;
    let raw: RawFile = toml::from_str(&text).map_err(|e| vec![super::toml_error(&path, &e)])?;
    let mut errors = Vec::new();
    let mut parts = Vec::new();
    for p in raw.parts {
        let rate = p.rate.get_ref().split_once('/').and_then(|(a, b)| {
            let (a, b) = (a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?);
            (b > 0 && a <= b).then_some((a, b))
        });
        let Some(rate) = rate else {
            errors.push(super::invalid_at(
                &path,
                &text,
                p.rate.span(),
                format!(
                    "rate {:?} は \"3/4\" や \"385/1000\" のように分数で書いてください",
                    p.rate.get_ref()
                ),
            ));
            continue;
        };
        if !crate::core::metric::FIELDS
            .iter()
            .any(|(c, _)| *c == p.field)
        {
            errors.push(MappingError::Toml {
                path: path.clone(),
                message: format!(
                    "field {:?} は elderly, disability, child, poverty, cross のいずれかです",
                    p.field
                ),
            });
            continue;
        }
        parts.push(GrantPart {
            part: p.part,
            field: p.field,
            projects: p.projects,
            rate,
            base_amount: p.base_amount,
            decided_amount: p.decided_amount,
            received_amount: p.received_amount,
        });
    }
    if errors.is_empty() {
        Ok(parts)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(rate: (u64, u64), base: u64) -> GrantPart {
        GrantPart {
            part: "p".into(),
            field: "elderly".into(),
            projects: vec![1],
            rate,
            base_amount: base,
            decided_amount: None,
            received_amount: None,
        }
    }

    #[test]
    fn the_smallest_of_base_eligible_and_net_cost_is_granted_at_the_rate() {
        // Net cost is the limit: min(min(D, E), C) = C.
        let g = part((385, 1000), 50_000_000).compute(30_000_000, 2_000_000, 29_000_000);
        assert_eq!(g.net_cost, 28_000_000);
        assert_eq!(g.selected, 29_000_000);
        assert_eq!(g.required, 10_780_000);
    }

    #[test]
    fn cut_below_one_thousand_yen_only_at_the_end() {
        // 1/3 of 10,000,000 = 3,333,333.33 → 3,333,000.
        let g = part((1, 3), 99_999_999).compute(10_000_000, 0, 10_000_000);
        assert_eq!(g.required, 3_333_000);
        // Base amount is the limit.
        let g = part((1, 2), 4_000_001).compute(10_000_000, 0, 10_000_000);
        assert_eq!((g.selected, g.required), (4_000_001, 2_000_000));
    }
}
