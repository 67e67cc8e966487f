//! One layout file: the TOML that tells how a return of one form is laid out.
//! Raw serde structs (with spans for messages) are checked into the typed
//! [`FormLayout`] that normalization uses.

use super::MappingError;
use crate::core::text::label_key;
use crate::core::{Form, MeetingKind, Metric};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// Labels a heading may carry (aliases), as written in the mapping file.
pub type Labels = Vec<String>;

/// A checked layout file.
#[derive(Debug, Clone)]
pub struct FormLayout {
    /// File name of the layout (`f1.toml`).
    pub file: String,
    /// The form it reads.
    pub form: Form,
    /// Human title.
    pub title: String,
    /// Labels that must all appear on a sheet of this layout.
    pub recognize: Labels,
    /// Header-block values, found by label.
    pub header: Vec<(HeaderField, Labels)>,
    /// Figures in the header block (F1 出席回数), found by label.
    pub header_figures: Vec<(Metric, Labels)>,
    /// Template version expected in the `version` header cell, if any.
    pub version: Option<String>,
    /// The tables.
    pub tables: Vec<Table>,
}

/// A header-block value other than figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderField {
    /// 報告年月.
    Month,
    /// 機関コード.
    AgencyCode,
    /// 機関名.
    AgencyName,
    /// Template version cell.
    Version,
    /// 年度 (yearly forms such as F5).
    FiscalYear,
    /// 提出日 (optional): a later date replaces an earlier return.
    Submitted,
    /// 版 (optional): a higher edition replaces a lower one.
    Edition,
}

impl HeaderField {
    /// Fields a return may leave out without a finding.
    pub fn is_optional(self) -> bool {
        matches!(self, HeaderField::Submitted | HeaderField::Edition)
    }
}

/// How a row's key (its dimension) is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// Through the `keys` code map (attribute labels → `elderly` …).
    Code,
    /// The text as typed (site names).
    Text,
    /// An area code or name from the registry, or a `keys` entry (`HQ`).
    Area,
    /// An agency code.
    Agency,
}

/// A column of a case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseColumn {
    /// 事案番号.
    CaseId,
    /// 会議区分.
    MeetingKind,
    /// 会議日.
    MeetingDate,
    /// 主な課題.
    Issues,
    /// 参加機関コード.
    Participants,
    /// 主担当機関コード.
    LeadAgency,
    /// 役割分担 (optional): `機関コード：役割` entries, one per line.
    Roles,
}

/// A column of a long (one row per figure) table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LongColumn {
    /// The reporting agency.
    AgencyCode,
    /// The reporting month.
    Month,
    /// The row's dimension label.
    Key,
    /// The metric label.
    Metric,
    /// The figure.
    Value,
}

/// A table of a form.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its layout and the labels that locate it.
    pub layout: TableLayout,
}

/// Where a money table (F5) keeps each row's field and unit.
#[derive(Debug, Clone)]
pub struct MoneyColumns {
    /// Heading of the column holding the row's field (`高齢` … or a code).
    pub field_column: Labels,
    /// Heading of the column holding the row's unit (`円` or `千円`); a row
    /// without one is in yen.
    pub unit_column: Labels,
}

/// The table layouts.
#[derive(Debug, Clone)]
pub enum TableLayout {
    /// Rows × columns: a key column and one column per metric.
    Wide {
        /// Labels of the key column's heading.
        key_column: Labels,
        /// How keys are read.
        key_kind: KeyKind,
        /// Code map for keys: label key → code.
        keys: HashMap<String, String>,
        /// Heading of a column holding the row's area, if any.
        area_column: Labels,
        /// Labels of total rows (checked, not copied).
        total_labels: Labels,
        /// Metric columns.
        columns: Vec<(Metric, Labels)>,
        /// Metrics whose blank cells mean "not reported" rather than zero.
        optional: Vec<Metric>,
        /// For amounts of money (F5): the row's field and unit columns.
        money: Option<MoneyColumns>,
        /// Set by recognition, never by the mapping file: the grid column
        /// of the key column when its heading cell is blank but the column
        /// holds the table's row labels.
        key_column_at: Option<usize>,
        /// Set by recognition, never by the mapping file: the grid row of
        /// the key row of a transposed table (attributes across the top)
        /// when its heading cell, the corner, is blank.
        key_row_at: Option<usize>,
    },
    /// One figure per row: a label column and a value column.
    Items {
        /// Heading of the label column.
        label_column: Labels,
        /// Heading of the value column.
        value_column: Labels,
        /// Row labels of each metric.
        items: Vec<(Metric, Labels)>,
    },
    /// An F2 case list, to `cases.csv`.
    Cases {
        /// Column headings.
        columns: Vec<(CaseColumn, Labels)>,
        /// 会議区分 labels: label key → kind.
        meeting_kinds: HashMap<String, MeetingKind>,
    },
    /// One row per figure, as case systems export.
    Long {
        /// Column headings.
        columns: Vec<(LongColumn, Labels)>,
        /// Key labels: label key → code; an empty key is allowed for figures with no key.
        keys: HashMap<String, String>,
        /// Metric labels: label key → metric.
        metrics: HashMap<String, Metric>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    form: Spanned<String>,
    title: String,
    recognize: Vec<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    header: BTreeMap<Spanned<String>, Labels>,
    #[serde(default)]
    header_figures: BTreeMap<Spanned<String>, Labels>,
    #[serde(default)]
    tables: Vec<RawTable>,
}

/// One `[[tables]]` entry as written: every key of every kind, checked
/// against its kind ([`TABLE_KEYS`]) into the tagged [`TableLayout`].
///
/// Not a `#[serde(tag = "layout")]` enum on purpose: serde buffers an
/// internally tagged enum's content before choosing the variant, and toml's
/// `Spanned` (the file:line:col of every message) does not survive that
/// buffering (toml-rs/toml#535). So a key of another kind of table is
/// caught by the per-kind list instead, with its line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    layout: Spanned<String>,
    #[serde(default)]
    key_column: Labels,
    #[serde(default)]
    key_kind: Option<Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Labels>,
    #[serde(default)]
    keys_file: Option<Spanned<String>>,
    #[serde(default)]
    area_column: Labels,
    #[serde(default)]
    total_labels: Labels,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Labels>,
    #[serde(default)]
    optional: Vec<Spanned<String>>,
    #[serde(default)]
    values: Option<Spanned<String>>,
    #[serde(default)]
    field_column: Labels,
    #[serde(default)]
    unit_column: Labels,
    #[serde(default)]
    label_column: Labels,
    #[serde(default)]
    value_column: Labels,
    #[serde(default)]
    items: BTreeMap<Spanned<String>, Labels>,
    #[serde(default)]
    meeting_kinds: BTreeMap<Spanned<String>, Labels>,
    #[serde(default)]
    metrics: BTreeMap<Spanned<String>, Labels>,
}

/// Collects errors with line and column from spans.
struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    errors: Vec<MappingError>,
}

impl Checker<'_> {
    fn err(&mut self, span: Range<usize>, message: String) {
        self.errors
            .push(super::invalid_at(self.path, self.text, span, message));
    }

    fn metric(&mut self, code: &Spanned<String>, form: Form) -> Option<Metric> {
        match Metric::from_code(code.get_ref()) {
            Some(m) if m.form() == form => Some(m),
            Some(m) => {
                self.err(
                    code.span(),
                    format!(
                        "指標 {} は様式 {} のものです (metric belongs to {})",
                        m,
                        m.form(),
                        m.form()
                    ),
                );
                None
            }
            None => {
                self.err(
                    code.span(),
                    format!(
                        "不明な指標コード {:?} (unknown metric code)",
                        code.get_ref()
                    ),
                );
                None
            }
        }
    }

    /// Checks that no label is given to two targets of one table.
    fn unique_labels<'l>(
        &mut self,
        groups: impl IntoIterator<Item = (&'l Spanned<String>, &'l Labels)>,
    ) {
        let mut seen: HashMap<String, String> = HashMap::new();
        for (target, labels) in groups {
            if labels.is_empty() {
                self.err(
                    target.span(),
                    format!("{} に見出しがありません (no labels)", target.get_ref()),
                );
            }
            for l in labels {
                if let Some(prev) = seen.insert(label_key(l), target.get_ref().clone()) {
                    if &prev != target.get_ref() {
                        self.err(
                            target.span(),
                            format!(
                                "見出し {l:?} が {prev} と {} の両方にあります (duplicate alias)",
                                target.get_ref()
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn key_map(map: &BTreeMap<Spanned<String>, Labels>) -> HashMap<String, String> {
    map.iter()
        .flat_map(|(code, labels)| {
            labels
                .iter()
                .chain(std::iter::once(code.get_ref()))
                .map(move |l| (label_key(l), code.get_ref().clone()))
        })
        .collect()
}

/// Largest `keys_file` read (a code list of thousands of rows is a few
/// hundred KiB).
const KEYS_FILE_LIMIT: u64 = 4 * 1024 * 1024;

/// Reads a `keys_file`: a plain file only — a link is not followed (it
/// could point at a device that never ends) — and at most
/// [`KEYS_FILE_LIMIT`] bytes, checked before reading and while reading.
pub(crate) fn read_keys_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "リンクは読みません。ファイルそのものを置いてください (a symbolic link: not followed)",
        ));
    }
    if !meta.is_file() || meta.len() > KEYS_FILE_LIMIT {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "普通のファイルで {} MiB 以下にしてください (not a plain file, or over the limit)",
                KEYS_FILE_LIMIT >> 20
            ),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(KEYS_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > KEYS_FILE_LIMIT {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "大きすぎます (over the limit)",
        ));
    }
    Ok(bytes)
}

impl Checker<'_> {
    /// The key map of a table: `keys` in the TOML plus the rows of
    /// `keys_file` (a `code,label` CSV beside the layout file, for long code
    /// lists that staff keep in Excel). The file must sit in the mappings
    /// folder itself.
    fn keys(&mut self, t: &RawTable) -> HashMap<String, String> {
        let mut map = key_map(&t.keys);
        let Some(name) = &t.keys_file else {
            return map;
        };
        let file = name.get_ref();
        if file.is_empty() || file.contains(['/', '\\']) || file.starts_with('.') {
            self.err(
                name.span(),
                format!("keys_file {file:?} は対応表フォルダ内のファイル名だけを書いてください (must be a file in the mappings folder)"),
            );
            return map;
        }
        let csv_path = self.path.parent().unwrap_or(Path::new(".")).join(file);
        let bytes = match read_keys_file(&csv_path) {
            Ok(b) => b,
            Err(e) => {
                self.err(name.span(), format!("keys_file {file:?} を読めません: {e}"));
                return map;
            }
        };
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text);
        let invalid = |line: u64, message: String| MappingError::Invalid {
            path: csv_path.clone(),
            line: line as usize,
            column: 1,
            message,
        };
        let headers = rdr
            .headers()
            .map(|h| h.iter().map(str::to_string).collect::<Vec<_>>());
        if headers.as_deref().ok() != Some(&["code".to_string(), "label".to_string()][..]) {
            self.errors.push(invalid(
                1,
                "見出し行は code,label にしてください (header must be code,label)".into(),
            ));
            return map;
        }
        for rec in rdr.records() {
            match rec {
                Ok(r) => {
                    let line = r.position().map_or(0, |p| p.line());
                    let (code, label) = (r.get(0).unwrap_or(""), r.get(1).unwrap_or(""));
                    if code.is_empty() || label.is_empty() {
                        self.errors
                            .push(invalid(line, "code と label は空欄にできません".into()));
                        continue;
                    }
                    for l in [label, code] {
                        if let Some(prev) = map.insert(label_key(l), code.to_string()) {
                            if prev != code {
                                self.errors.push(invalid(
                                    line,
                                    format!("見出し {l:?} が {prev} と {code} の両方にあります (duplicate alias)"),
                                ));
                            }
                        }
                    }
                }
                Err(e) => self
                    .errors
                    .push(invalid(e.position().map_or(0, |p| p.line()), e.to_string())),
            }
        }
        map
    }
}

/// Parses and checks one layout file.
pub(super) fn parse(path: &Path, text: &str) -> Result<FormLayout, Vec<MappingError>> {
    let raw: RawLayout = toml::from_str(text).map_err(|e| {
        vec![MappingError::Toml {
            path: path.to_path_buf(),
            message: e.to_string(),
        }]
    })?;
    let mut ck = Checker {
        path,
        text,
        errors: Vec::new(),
    };
    let form = Form::from_code(raw.form.get_ref());
    if form.is_none() {
        ck.err(
            raw.form.span(),
            format!("不明な様式 {:?} (form must be F1–F5)", raw.form.get_ref()),
        );
    }
    let form = form.unwrap_or(Form::F1);
    if raw.recognize.is_empty() {
        ck.err(
            raw.form.span(),
            "recognize に見出しを1つ以上書いてください (recognize is empty)".into(),
        );
    }
    let mut header = Vec::new();
    ck.unique_labels(raw.header.iter());
    for (name, labels) in &raw.header {
        let field = match name.get_ref().as_str() {
            "month" => HeaderField::Month,
            "agency_code" => HeaderField::AgencyCode,
            "agency_name" => HeaderField::AgencyName,
            "version" => HeaderField::Version,
            "fiscal_year" => HeaderField::FiscalYear,
            "submitted" => HeaderField::Submitted,
            "edition" => HeaderField::Edition,
            other => {
                ck.err(
                    name.span(),
                    format!("header の項目 {other:?} は不明です (expected month, fiscal_year, agency_code, agency_name, version, submitted, edition)"),
                );
                continue;
            }
        };
        header.push((field, labels.clone()));
    }
    let mut header_figures = Vec::new();
    ck.unique_labels(raw.header_figures.iter());
    for (code, labels) in &raw.header_figures {
        if let Some(m) = ck.metric(code, form) {
            header_figures.push((m, labels.clone()));
        }
    }
    let mut tables = Vec::new();
    for t in &raw.tables {
        if let Some(layout) = check_table(&mut ck, t, form) {
            tables.push(Table { layout });
        }
    }
    if tables.is_empty() && header_figures.is_empty() {
        ck.err(
            raw.form.span(),
            "表 (tables) がありません (no tables)".into(),
        );
    }
    if !ck.errors.is_empty() {
        return Err(ck.errors);
    }
    Ok(FormLayout {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        form,
        title: raw.title,
        recognize: raw.recognize,
        header,
        header_figures,
        version: raw.version,
        tables,
    })
}

/// The keys each kind of table takes; a key of another kind is a mistake
/// (it would otherwise be silently ignored).
const TABLE_KEYS: &[(&str, &[&str])] = &[
    (
        "wide",
        &[
            "key_column",
            "key_kind",
            "keys",
            "keys_file",
            "area_column",
            "total_labels",
            "columns",
            "optional",
            "values",
            "field_column",
            "unit_column",
        ],
    ),
    ("items", &["label_column", "value_column", "items"]),
    ("cases", &["columns", "meeting_kinds"]),
    ("long", &["columns", "keys", "keys_file", "metrics"]),
];

/// The keys a raw table sets (beside `layout`).
fn keys_set(t: &RawTable) -> Vec<&'static str> {
    let mut v = Vec::new();
    let mut add = |set: bool, k: &'static str| {
        if set {
            v.push(k);
        }
    };
    add(!t.key_column.is_empty(), "key_column");
    add(t.key_kind.is_some(), "key_kind");
    add(!t.keys.is_empty(), "keys");
    add(t.keys_file.is_some(), "keys_file");
    add(!t.area_column.is_empty(), "area_column");
    add(!t.total_labels.is_empty(), "total_labels");
    add(!t.columns.is_empty(), "columns");
    add(!t.optional.is_empty(), "optional");
    add(t.values.is_some(), "values");
    add(!t.field_column.is_empty(), "field_column");
    add(!t.unit_column.is_empty(), "unit_column");
    add(!t.label_column.is_empty(), "label_column");
    add(!t.value_column.is_empty(), "value_column");
    add(!t.items.is_empty(), "items");
    add(!t.meeting_kinds.is_empty(), "meeting_kinds");
    add(!t.metrics.is_empty(), "metrics");
    v
}

/// The byte offset of the line where `key` is set in the table that starts
/// at `from` (`key = …`, `key.x = …` or a `[tables.key]` header), before
/// the next `[[tables]]`.
fn key_offset(text: &str, from: usize, key: &str) -> usize {
    let rest = &text[from.min(text.len())..];
    let end = rest.find("[[tables]]").unwrap_or(rest.len());
    let mut offset = from;
    for line in rest[..end].split_inclusive('\n') {
        let l = line.trim_start();
        let bare = l.strip_prefix(key).is_some_and(|after| {
            let after = after.trim_start();
            after.starts_with('=') || after.starts_with('.')
        });
        if bare || l.starts_with(&format!("[tables.{key}]")) {
            return offset + (line.len() - l.len());
        }
        offset += line.len();
    }
    from
}

fn check_table(ck: &mut Checker<'_>, t: &RawTable, form: Form) -> Option<TableLayout> {
    let kind = t.layout.get_ref().as_str();
    if let Some((_, allowed)) = TABLE_KEYS.iter().find(|(k, _)| *k == kind) {
        for key in keys_set(t) {
            if !allowed.contains(&key) {
                let owners: Vec<&str> = TABLE_KEYS
                    .iter()
                    .filter(|(_, keys)| keys.contains(&key))
                    .map(|(k, _)| *k)
                    .collect();
                let at = key_offset(ck.text, t.layout.span().start, key);
                ck.err(
                    at..at,
                    format!(
                        "{key} は layout = \"{kind}\" の表には書けません（{} の表の項目です） ({key} belongs to {} tables, not {kind})",
                        owners.join("・"),
                        owners.join(", ")
                    ),
                );
            }
        }
    }
    let metrics_of =
        |ck: &mut Checker<'_>, map: &BTreeMap<Spanned<String>, Labels>| -> Vec<(Metric, Labels)> {
            ck.unique_labels(map.iter());
            map.iter()
                .filter_map(|(code, labels)| ck.metric(code, form).map(|m| (m, labels.clone())))
                .collect()
        };
    match t.layout.get_ref().as_str() {
        "wide" => {
            if t.key_column.is_empty() {
                ck.err(
                    t.layout.span(),
                    "wide の表には key_column が必要です".into(),
                );
            }
            let key_kind = match t
                .key_kind
                .as_ref()
                .map(|k| (k.get_ref().as_str(), k.span()))
            {
                None | Some(("code", _)) => KeyKind::Code,
                Some(("text", _)) => KeyKind::Text,
                Some(("area", _)) => KeyKind::Area,
                Some(("agency", _)) => KeyKind::Agency,
                Some((other, span)) => {
                    ck.err(
                        span,
                        format!("key_kind {other:?} は不明です (code, text, area, agency)"),
                    );
                    KeyKind::Code
                }
            };
            if key_kind == KeyKind::Code && t.keys.is_empty() && t.keys_file.is_none() {
                ck.err(
                    t.layout.span(),
                    "key_kind = \"code\" の表には keys が必要です".into(),
                );
            }
            ck.unique_labels(t.keys.iter());
            let columns = metrics_of(ck, &t.columns);
            let mut optional = Vec::new();
            for code in &t.optional {
                if let Some(m) = ck.metric(code, form) {
                    if !columns.iter().any(|(c, _)| *c == m) {
                        ck.err(
                            code.span(),
                            format!("optional の {m} は columns にありません"),
                        );
                    }
                    optional.push(m);
                }
            }
            let money = match t.values.as_ref().map(|v| (v.get_ref().as_str(), v.span())) {
                None | Some(("count", _)) => None,
                Some(("money", _)) => Some(MoneyColumns {
                    field_column: t.field_column.clone(),
                    unit_column: t.unit_column.clone(),
                }),
                Some((other, span)) => {
                    ck.err(span, format!("values {other:?} は count か money です"));
                    None
                }
            };
            Some(TableLayout::Wide {
                key_column: t.key_column.clone(),
                key_kind,
                keys: ck.keys(t),
                area_column: t.area_column.clone(),
                total_labels: t.total_labels.clone(),
                columns,
                optional,
                money,
                key_column_at: None,
                key_row_at: None,
            })
        }
        "items" => {
            if t.label_column.is_empty() || t.value_column.is_empty() {
                ck.err(
                    t.layout.span(),
                    "items の表には label_column と value_column が必要です".into(),
                );
            }
            let items = metrics_of(ck, &t.items);
            Some(TableLayout::Items {
                label_column: t.label_column.clone(),
                value_column: t.value_column.clone(),
                items,
            })
        }
        "cases" => {
            ck.unique_labels(t.columns.iter());
            let mut columns = Vec::new();
            for (name, labels) in &t.columns {
                let col = match name.get_ref().as_str() {
                    "case_id" => CaseColumn::CaseId,
                    "meeting_kind" => CaseColumn::MeetingKind,
                    "meeting_date" => CaseColumn::MeetingDate,
                    "issues" => CaseColumn::Issues,
                    "participants" => CaseColumn::Participants,
                    "lead_agency" => CaseColumn::LeadAgency,
                    "roles" => CaseColumn::Roles,
                    other => {
                        ck.err(name.span(), format!("事案一覧の列 {other:?} は不明です"));
                        continue;
                    }
                };
                columns.push((col, labels.clone()));
            }
            if columns
                .iter()
                .filter(|(c, _)| *c != CaseColumn::Roles)
                .count()
                != 6
            {
                ck.err(t.layout.span(), "cases の表には6列すべての見出しが必要です (case_id, meeting_kind, meeting_date, issues, participants, lead_agency)".into());
            }
            ck.unique_labels(t.meeting_kinds.iter());
            let mut meeting_kinds = HashMap::new();
            for (name, labels) in &t.meeting_kinds {
                let kind = match name.get_ref().as_str() {
                    "consent" => MeetingKind::Consent,
                    "no_consent" => MeetingKind::NoConsent,
                    other => {
                        ck.err(
                            name.span(),
                            format!("会議区分 {other:?} は不明です (consent, no_consent)"),
                        );
                        continue;
                    }
                };
                for l in labels {
                    meeting_kinds.insert(label_key(l), kind);
                }
            }
            Some(TableLayout::Cases {
                columns,
                meeting_kinds,
            })
        }
        "long" => {
            ck.unique_labels(t.columns.iter());
            let mut columns = Vec::new();
            for (name, labels) in &t.columns {
                let col = match name.get_ref().as_str() {
                    "agency_code" => LongColumn::AgencyCode,
                    "month" => LongColumn::Month,
                    "key" => LongColumn::Key,
                    "metric" => LongColumn::Metric,
                    "value" => LongColumn::Value,
                    other => {
                        ck.err(name.span(), format!("long の列 {other:?} は不明です"));
                        continue;
                    }
                };
                columns.push((col, labels.clone()));
            }
            if columns.len() != 5 {
                ck.err(t.layout.span(), "long の表には5列すべての見出しが必要です (agency_code, month, key, metric, value)".into());
            }
            ck.unique_labels(t.keys.iter());
            let metrics: HashMap<String, Metric> = metrics_of(ck, &t.metrics)
                .into_iter()
                .flat_map(|(m, labels)| {
                    labels
                        .into_iter()
                        .chain(std::iter::once(m.code().to_string()))
                        .map(move |l| (label_key(&l), m))
                })
                .collect();
            Some(TableLayout::Long {
                columns,
                keys: ck.keys(t),
                metrics,
            })
        }
        other => {
            ck.err(
                t.layout.span(),
                format!("layout {other:?} は不明です (wide, items, cases, long)"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_metric_is_reported_with_line_and_column() {
        let text = "form = \"F1\"\ntitle = \"t\"\nrecognize = [\"a\"]\n[[tables]]\nlayout = \"wide\"\nkey_column = [\"属性\"]\nkeys = { elderly = [\"高齢者\"] }\n[tables.columns]\nnew_persons = [\"新規\"]\nnew_person = [\"新\"]\n";
        let errs = parse(Path::new("f1.toml"), text).unwrap_err();
        let msg = errs[0].to_string();
        assert!(msg.starts_with("f1.toml:10:1:"), "{msg}");
        assert!(msg.contains("new_person"), "{msg}");
    }

    #[test]
    fn duplicate_alias_is_reported() {
        let text = "form = \"F1\"\ntitle = \"t\"\nrecognize = [\"a\"]\n[[tables]]\nlayout = \"wide\"\nkey_column = [\"属性\"]\nkeys = { elderly = [\"高齢者\"], other = [\"高齢者\"] }\n[tables.columns]\nnew_persons = [\"新規\"]\n";
        let errs = parse(Path::new("f1.toml"), text).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.to_string().contains("duplicate alias")),
            "{errs:?}"
        );
    }

    #[test]
    fn a_key_of_another_kind_of_table_fails_at_load_with_its_line() {
        let text = "form = \"F2\"\ntitle = \"t\"\nrecognize = [\"a\"]\n[[tables]]\nlayout = \"items\"\nlabel_column = [\"項目\"]\nvalue_column = [\"件数\"]\nkey_column = [\"属性\"]\n[tables.items]\nplans_created = [\"支援プラン新規作成件数\"]\n";
        let errs = parse(Path::new("f2.toml"), text).unwrap_err();
        let msg = errs[0].to_string();
        assert!(msg.starts_with("f2.toml:8:1:"), "{msg}");
        assert!(msg.contains("key_column") && msg.contains("wide"), "{msg}");
    }

    #[test]
    fn unknown_keys_fail_at_load() {
        let text = "form = \"F1\"\ntitle = \"t\"\nrecognize = [\"a\"]\ncolour = \"red\"\n";
        let errs = parse(Path::new("f1.toml"), text).unwrap_err();
        assert!(errs[0].to_string().contains("colour"), "{errs:?}");
    }
}
