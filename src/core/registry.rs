//! The municipality's master data: its areas and its reporting units, typed,
//! with their lookups. They are read from `areas.csv` and `agencies.csv` of
//! the mappings folder by [`crate::mapping::registry`]; the core does no I/O.

use super::Form;
use std::collections::BTreeMap;

/// An area (区・支所, 地区): the unit of the monthly meetings and of area totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// Code used in records (`A01`).
    pub code: String,
    /// Name as staff write it (`一区`).
    pub name: String,
    /// Kind (`区`, `支所`, `地区`).
    pub kind: String,
    /// 全国地方公共団体コード (six digits with check digit).
    pub municipal_code: String,
}

/// A reporting unit: an agency that owes returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Code (`AB-001`).
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind of agency (`地域包括支援センター`).
    pub agency_type: String,
    /// Projects it runs (the law's numbering).
    pub projects: Vec<u8>,
    /// Field code (`elderly` … `cross`).
    pub field: String,
    /// Area codes it serves; empty means city-wide (`ALL`).
    pub areas: Vec<String>,
    /// Operation (運営形態).
    pub operation: String,
    /// The form it reports on; `None` for units that owe no return.
    pub form: Option<Form>,
    /// False for units that take part (in meetings, as referral senders)
    /// but owe no return (`reports = none` in agencies.csv).
    pub reports: bool,
}

impl Agency {
    /// The `area_code` of its records: `ALL` for city-wide agencies, the area
    /// codes joined by `;` for agencies serving several areas.
    pub fn area_code(&self) -> String {
        if self.areas.is_empty() {
            "ALL".to_string()
        } else {
            self.areas.join(";")
        }
    }
}

/// The registry of one municipality.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    /// Areas by code, in file order.
    pub areas: Vec<Area>,
    /// Agencies in file order.
    pub agencies: Vec<Agency>,
    by_code: BTreeMap<String, usize>,
}

impl Registry {
    /// A registry from areas and agencies already checked.
    pub fn new(areas: Vec<Area>, agencies: Vec<Agency>) -> Registry {
        let by_code = agencies
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i))
            .collect();
        Registry {
            areas,
            agencies,
            by_code,
        }
    }

    /// The agency with this code.
    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.by_code.get(code).map(|&i| &self.agencies[i])
    }

    /// The area with this code.
    pub fn area(&self, code: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.code == code)
    }

    /// The area whose code or name is `text` (after trimming).
    pub fn area_by_code_or_name(&self, text: &str) -> Option<&Area> {
        let t = text.trim();
        self.areas.iter().find(|a| a.code == t || a.name == t)
    }

    /// Units that owe a return every month.
    pub fn monthly_reporters(&self) -> impl Iterator<Item = &Agency> {
        self.agencies
            .iter()
            .filter(|a| a.reports && a.form.is_some_and(Form::is_monthly))
    }
}
