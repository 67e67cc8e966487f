#!/usr/bin/env python3
"""Independent check of the bundled Kyoto samples (samples/kyoto).

Reads every file back (openpyxl with data_only=True for .xlsx, csv with the
cp932 codec for .csv), WITHOUT importing tools/make_samples.py, and checks:

* 109 files in <month>/ and in csv-exports/<month>/ (default 2025-04), every registry code
  exactly once, the form and the format (xlsx / vendor long CSV / grid CSV)
  each unit is meant to send;
* the cell layout of samples/LAYOUT.md (labels where the layout puts them);
* the rules in spec §3/§4 that must give no finding for this month: rows of
  F1, 合計 rows, referrals F1 ↔ F2, meeting counts and case lists, attendance,
  F3 staff, F4 sites and metric columns;
* that the xlsx / long-CSV returns and the csv-exports grids carry identical
  figures, and that meta/<month>-figures.csv lists exactly those figures;
* running totals (累計): when meta/<month before>-figures.csv exists, each
  equals the month before's 累計 of the same agency and key plus this month's
  figure (kasane's cumulative_mismatch rule); otherwise at least the figure;
* meeting dates on working days of the month (no weekend, no holiday);
* the blank templates.

Prints a summary with the expected record count; exits 1 on any failure.
Usage: python3 tools/check_samples.py [--month YYYY-MM]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "kyoto"
TEMPLATE_DIR = SAMPLES / "templates"
# Set by set_month() from --month (default 2025-04).
YEAR, MONTH = 2025, 4
YYYYMM, YYMM = "202504", "2504"
MONTH_DIR = SAMPLES / "2025-04"
EXPORT_DIR = SAMPLES / "csv-exports" / "2025-04"
META = SAMPLES / "meta" / "2025-04-figures.csv"
PREV_META = SAMPLES / "meta" / "2025-03-figures.csv"
# Public holidays falling on weekdays of the sample months (no meeting then).
HOLIDAYS = {dt.date(2025, 4, 29), dt.date(2025, 5, 5), dt.date(2025, 5, 6)}


def set_month(ym: str) -> None:
    global YEAR, MONTH, YYYYMM, YYMM, MONTH_DIR, EXPORT_DIR, META, PREV_META
    m = re.fullmatch(r"(\d{4})-(\d{2})", ym)
    if not m:
        sys.exit(f"--month {ym}: expected YYYY-MM")
    YEAR, MONTH = int(m.group(1)), int(m.group(2))
    YYYYMM, YYMM = f"{YEAR}{MONTH:02d}", f"{YEAR % 100:02d}{MONTH:02d}"
    MONTH_DIR = SAMPLES / ym
    EXPORT_DIR = SAMPLES / "csv-exports" / ym
    META = SAMPLES / "meta" / f"{ym}-figures.csv"
    prev = f"{YEAR}-{MONTH - 1:02d}" if MONTH > 1 else f"{YEAR - 1}-12"
    PREV_META = SAMPLES / "meta" / f"{prev}-figures.csv"

ATTRS = {"高齢者": "elderly", "障害者": "disability", "子ども・子育て": "child",
         "生活困窮": "poverty", "その他": "other"}
F1_COLS = {"新規相談者数（実人数）": "new_persons", "継続相談者数（実人数）": "continuing_persons",
           "延べ相談件数": "consultations", "うち訪問・同行": "visits",
           "うち複合的な課題を抱える相談": "complex_cases",
           "多機関協働事業へのつなぎ件数": "referrals_multi_agency",
           "他の支援関係機関へのつなぎ件数": "referrals_other"}
F2_ITEMS = {"重層的支援会議 開催回数": "meetings_with_consent",
            "重層的支援会議 検討事案件数": "cases_with_consent",
            "支援会議 開催回数": "meetings_without_consent",
            "支援会議 検討事案件数": "cases_without_consent",
            "支援プラン新規作成件数": "plans_created", "プラン評価件数": "plans_reviewed",
            "支援終結件数": "plans_closed"}
F3_COLS = {"支援員数": "staff", "継続支援対象者数（月末）": "outreach_active",
           "新規把握件数": "outreach_new", "訪問・同行件数": "outreach_visits",
           "支援終結件数": "outreach_closed", "支援対象者数（月末）": "participation_active",
           "マッチング件数": "participation_matches", "定着支援件数": "participation_followups",
           "受入先開拓件数": "participation_hosts_developed",
           "支援終結件数（累計）": "outreach_closed_cumulative"}
F4_COLS = {"開催回数": "sessions", "参加者数（延べ）": "participants",
           "新たに生まれた・充実した地域活動数": "new_activities",
           "地域支え合い活動調整会議を通じて支援した取組数": "coordinated_initiatives",
           "ボランティアセンター相談対応件数": "volunteer_consultations",
           "つながりを促進する場への参加者数": "connection_participants",
           "新たに生まれた・充実した地域活動数（累計）": "new_activities_cumulative",
           "地域支え合い活動調整会議を通じて支援した取組数（累計）": "coordinated_initiatives_cumulative"}
# Which optional F4 columns (E–J) each programme fills; all others blank.
F4_OPTIONAL = {"CDK-004": {"new_activities", "coordinated_initiatives",
                           "new_activities_cumulative", "coordinated_initiatives_cumulative"},
               "CDK-008": {"volunteer_consultations", "connection_participants"},
               "CDK-009": {"new_activities", "new_activities_cumulative"}}
# Running totals (累計) and the monthly figure each grows by.
CUMULATIVE = {"outreach_closed_cumulative": "outreach_closed",
              "new_activities_cumulative": "new_activities",
              "coordinated_initiatives_cumulative": "coordinated_initiatives"}
KINDS = {"重層的支援会議": "consent", "支援会議": "no_consent"}
ISSUES = {"就労", "住居喪失", "精神疾患", "難病", "金銭管理", "家族関係", "ひきこもり", "介護", "子育て"}
TITLES = {"F1": "包括的相談支援 月次報告（様式F1）", "F2": "多機関協働 月次報告（様式F2）",
          "F3": "アウトリーチ・参加支援 月次報告（様式F3）", "F4": "地域づくり 月次報告（様式F4）",
          "F5": "事業費 年度報告（様式F5）"}

FAILURES: list[str] = []


def fail(msg: str):
    FAILURES.append(msg)


def expect(cond, msg: str):
    if not cond:
        fail(msg)
    return cond


# ---------------------------------------------------------------- values

def parse_int(v, where: str) -> int:
    """A cell meant as a non-negative integer: numbers, `１２`, `12件`, `-`, `1,234`."""
    if isinstance(v, bool):
        raise ValueError(f"{where}: boolean {v!r}")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        s = unicodedata.normalize("NFKC", v).strip()
        if s in {"-", "―", "—", "‐", "−"}:
            return 0
        s = re.sub(r"(件|人|回)$", "", s.replace(",", ""))
        if re.fullmatch(r"\d+", s):
            return int(s)
    raise ValueError(f"{where}: not an integer: {v!r}")


def parse_month(v, where: str) -> tuple[int, int]:
    if isinstance(v, dt.datetime):
        return v.year, v.month
    s = unicodedata.normalize("NFKC", str(v)).strip()
    for pat, era in [(r"令和(\d+|元)年(\d+)月", 2018), (r"R(\d+)\.(\d+)", 2018),
                     (r"(\d{4})[/-](\d{1,2})", 0), (r"(\d{4})年(\d{1,2})月", 0),
                     (r"(\d{4})(\d{2})", 0)]:
        m = re.fullmatch(pat, s)
        if m:
            y = 1 if m.group(1) == "元" else int(m.group(1))
            return y + era, int(m.group(2))
    raise ValueError(f"{where}: not a month: {v!r}")


def parse_date(v, where: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    m = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", str(v))
    if not m:
        raise ValueError(f"{where}: not a date: {v!r}")
    return dt.date(*map(int, m.groups()))


def col(c: int) -> str:
    return openpyxl.utils.get_column_letter(c)


# ---------------------------------------------------------------- readers

class Grid:
    """Cells by (row, col); empty cells absent. Values: xlsx types or CSV strings."""

    def __init__(self, cells: dict, name: str):
        self.cells, self.name = cells, name

    def get(self, r, c):
        return self.cells.get((r, c))

    def text(self, r, c) -> str:
        v = self.get(r, c)
        return "" if v is None else str(v)

    def num(self, r, c) -> int:
        return parse_int(self.get(r, c), f"{self.name}!{col(c)}{r}")


def read_xlsx(path: Path) -> tuple[Grid, Grid]:
    """(cached values, formulas) of the one sheet."""
    wb_v = openpyxl.load_workbook(path, data_only=True)
    wb_f = openpyxl.load_workbook(path, data_only=False)
    expect(len(wb_v.sheetnames) == 1, f"{path.name}: sheets {wb_v.sheetnames}")
    grids = []
    for wb in (wb_v, wb_f):
        ws = wb.worksheets[0]
        cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row
                 if c.value is not None and c.value != ""}
        grids.append(Grid(cells, f"{path.name}:{ws.title}"))
    expect(wb_v.worksheets[0].title == path.stem.split("_")[-1] or path.parent == TEMPLATE_DIR,
           f"{path.name}: sheet name {wb_v.worksheets[0].title}")
    return grids[0], grids[1]


def read_csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    text = raw.decode("cp932")   # strict: fails on bytes that are not CP932
    expect(not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: has a BOM")
    expect(text.endswith("\r\n"), f"{path.name}: does not end with CRLF")
    # Outside quoted fields every line end must be CRLF.
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" and not quoted and (i == 0 or text[i - 1] != "\r"):
            fail(f"{path.name}: bare LF at char {i}")
            break
    return list(csv.reader(io.StringIO(text, newline="")))


def read_grid_csv(path: Path) -> Grid:
    rows = read_csv_rows(path)
    widths = {len(r) for r in rows}
    expect(len(widths) == 1, f"{path.name}: rows of different widths {widths}")
    cells = {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v != ""}
    return Grid(cells, path.name)


# ---------------------------------------------------------------- parsing returns

def check_total(g: Grid, total_row: int, c: int, first: int, last: int, formulas: Grid | None):
    where = f"{g.name}!{col(c)}{total_row}"
    parts = sum(g.num(r, c) for r in range(first, last + 1) if g.get(r, c) is not None)
    v = g.get(total_row, c)
    if not expect(v is not None, f"{where}: 合計 has no (cached) value"):
        return
    expect(parse_int(v, where) == parts, f"{where}: 合計 {v} != sum {parts}")
    if formulas is not None:
        f = formulas.get(total_row, c)
        # SUM skips text: a formula is right only if every text cell means 0.
        has_text = any(isinstance(g.get(r, c), str) and parse_int(g.get(r, c), where) != 0
                       for r in range(first, last + 1))
        if isinstance(f, str) and f.startswith("="):
            expect(f == f"=SUM({col(c)}{first}:{col(c)}{last})", f"{where}: formula {f}")
            expect(not has_text, f"{where}: SUM over a non-zero text cell")
        else:
            expect(has_text, f"{where}: typed 合計 without a non-zero text cell above it")


def parse_header(g: Grid, form: str) -> dict:
    n = g.name
    expect(g.text(1, 1) == TITLES[form], f"{n}: title {g.text(1, 1)!r}")
    labels = {2: "様式バージョン", 3: "年度" if form == "F5" else "報告年月", 4: "機関コード",
              5: "機関名", 7: "記入者"}
    if form == "F1":
        labels[6] = "重層支援会議への出席回数"
    for r, label in labels.items():
        expect(g.text(r, 1) == label, f"{n}!A{r}: {g.text(r, 1)!r} != {label!r}")
    if form != "F1":
        expect(g.get(6, 1) is None and g.get(6, 2) is None, f"{n}: row 6 not empty")
    expect(g.text(2, 2) == f"kyoto-{form}-v1", f"{n}!B2: {g.text(2, 2)!r}")
    expect(all(g.get(8, c) is None for c in range(1, 12)), f"{n}: row 8 not empty")
    return {"code": g.text(4, 2), "name": g.text(5, 2), "writer": g.text(7, 2),
            "month_raw": g.get(3, 2)}


def parse_f1(g: Grid, formulas: Grid | None) -> dict:
    n = g.name
    expect(g.text(9, 1) == "相談者の属性", f"{n}!A9")
    cols = list(F1_COLS)
    for j, label in enumerate(cols):
        expect(g.text(9, 2 + j) == label, f"{n}!{col(2 + j)}9: {g.text(9, 2 + j)!r}")
    fig = {("", "meeting_attendance"): g.num(6, 2)}
    for i, (label, attr) in enumerate(ATTRS.items()):
        r = 10 + i
        expect(g.text(r, 1) == label, f"{n}!A{r}: {g.text(r, 1)!r}")
        for j, label_c in enumerate(cols):
            fig[(attr, F1_COLS[label_c])] = g.num(r, 2 + j)
    expect(g.text(15, 1) == "合計", f"{n}!A15")
    for j in range(len(cols)):
        check_total(g, 15, 2 + j, 10, 14, formulas)
    expect(g.text(17, 1) == "備考", f"{n}!A17")
    expect(max(r for r, _ in g.cells) <= 17, f"{n}: content below row 17")
    return {"figures": fig}


def parse_f2(g: Grid, formulas: Grid | None) -> dict:
    n = g.name
    expect(g.text(9, 1) == "1. 会議の開催状況", f"{n}!A9")
    expect((g.text(10, 1), g.text(10, 2)) == ("項目", "件数"), f"{n}: row 10")
    fig = {}
    for i, (label, metric) in enumerate(F2_ITEMS.items()):
        expect(g.text(11 + i, 1) == label, f"{n}!A{11 + i}: {g.text(11 + i, 1)!r}")
        fig[("", metric)] = g.num(11 + i, 2)
    expect(g.text(19, 1) == "2. つなぎ受付", f"{n}!A19")
    expect([g.text(20, c) for c in (1, 2, 3)] == ["送付元機関コード", "送付元機関名", "受付件数"],
           f"{n}: row 20")
    referrals, r = [], 21
    while g.text(r, 1) != "合計":
        if not expect(r < 200, f"{n}: no 合計 row in section 2"):
            break
        code = g.text(r, 1)
        referrals.append((code, g.text(r, 2), g.num(r, 3)))
        fig[(code, "referrals_received")] = g.num(r, 3)
        r += 1
    check_total(g, r, 3, 21, r - 1, formulas)
    expect(all(g.get(r + 1, c) is None for c in range(1, 9)), f"{n}: row {r + 1} not empty")
    r += 2
    expect(g.text(r, 1) == "3. 検討事案一覧", f"{n}!A{r}: {g.text(r, 1)!r}")
    header = ["事案番号", "会議区分", "会議日", "主な課題", "参加機関コード", "主担当機関コード"]
    expect([g.text(r + 1, c) for c in range(1, 7)] == header, f"{n}: case header row {r + 1}")
    cases, r = [], r + 2
    while g.get(r, 1) is not None:
        where = f"{n}!row {r}"
        cases.append({
            "id": g.text(r, 1),
            "kind": KINDS.get(g.text(r, 2), "?" + g.text(r, 2)),
            "date": parse_date(g.get(r, 3), where),
            "issues": g.text(r, 4).split("・"),
            "participants": [p for p in re.split(r"[・、,;\n]", g.text(r, 5)) if p],
            "lead": g.text(r, 6),
        })
        r += 1
    expect(max(rr for rr, _ in g.cells) == r - 1, f"{n}: content after the case list")
    return {"figures": fig, "referrals": referrals, "cases": cases}


def parse_f3(g: Grid, formulas: Grid | None, areas: list[tuple[str, str]]) -> dict:
    n = g.name
    header = ["区・支所コード", "区・支所名"] + list(F3_COLS)
    last_col = 2 + len(F3_COLS)
    expect([g.text(9, c) for c in range(1, last_col + 2)] == header + [""],
           f"{n}: row 9 header")
    fig = {}
    for i, (key, name) in enumerate(areas + [("HQ", "統括")]):
        r = 10 + i
        expect((g.text(r, 1), g.text(r, 2)) == (key, name), f"{n}: row {r} {g.text(r, 1)}")
        for j, label in enumerate(F3_COLS):
            fig[(key, F3_COLS[label])] = g.num(r, 3 + j)
    expect(g.text(25, 1) == "合計", f"{n}!A25")
    for c in range(3, last_col + 1):
        check_total(g, 25, c, 10, 24, formulas)
    return {"figures": fig}


def parse_f4(g: Grid, formulas: Grid | None) -> dict:
    n = g.name
    header = ["拠点・活動名", "区・支所"] + list(F4_COLS)
    last_col = 2 + len(F4_COLS)
    expect([g.text(9, c) for c in range(1, last_col + 2)] == header + [""],
           f"{n}: row 9 header")
    fig, sites, r = {}, [], 10
    while g.text(r, 1) != "合計":
        if not expect(r < 200, f"{n}: no 合計 row"):
            break
        name = g.text(r, 1)
        sites.append((name, g.text(r, 2)))
        for j, label in enumerate(F4_COLS):
            if g.get(r, 3 + j) is not None:
                fig[(name, F4_COLS[label])] = g.num(r, 3 + j)
        r += 1
    for c in range(3, last_col + 1):
        check_total(g, r, c, 10, r - 1, formulas)
    return {"figures": fig, "sites": sites}


def parse_long_csv(path: Path) -> dict:
    rows = read_csv_rows(path)
    expect(rows[0] == ["機関コード", "対象年月", "相談者属性", "集計項目", "件数"],
           f"{path.name}: header {rows[0]}")
    fig, codes, months = {}, set(), set()
    for i, row in enumerate(rows[1:], start=2):
        code, month, attr, item, value = row
        codes.add(code)
        months.add(month)
        v = parse_int(value, f"{path.name}: row {i}")
        if attr == "" and item == "重層支援会議への出席回数":
            key = ("", "meeting_attendance")
        else:
            key = (ATTRS[attr], F1_COLS[item])
        expect(key not in fig, f"{path.name}: duplicate {key}")
        fig[key] = v
    expect(len(rows) == 1 + 36, f"{path.name}: {len(rows) - 1} data rows")
    expect(months == {YYYYMM}, f"{path.name}: months {months}")
    expect(len(codes) == 1, f"{path.name}: codes {codes}")
    return {"figures": fig, "header": {"code": codes.pop(), "month": (int(YYYYMM[:4]),
                                                                     int(YYYYMM[4:]))}}


def parse_return(g: Grid, form: str, formulas: Grid | None, areas) -> dict:
    header = parse_header(g, form)
    header["month"] = parse_month(header.pop("month_raw"), f"{g.name}!B3")
    body = {"F1": lambda: parse_f1(g, formulas), "F2": lambda: parse_f2(g, formulas),
            "F3": lambda: parse_f3(g, formulas, areas), "F4": lambda: parse_f4(g, formulas)}[form]()
    body["header"] = header
    return body


# ---------------------------------------------------------------- main checks

def load_registry():
    with open(ROOT / "mappings/kyoto/agencies.csv", encoding="utf-8", newline="") as f:
        agencies = {r["agency_code"]: r for r in csv.DictReader(f)}
    for a in agencies.values():
        a["areas"] = a["area"].split(";")
    with open(ROOT / "mappings/kyoto/areas.csv", encoding="utf-8", newline="") as f:
        areas = [(r["area_code"], r["area_name"]) for r in csv.DictReader(f)]
    return agencies, areas


def expected_format(a) -> str:
    num = int(a["agency_code"].split("-")[1])
    if a["agency_type"] == "地域包括支援センター" and num % 2 == 0:
        return "long_csv"
    if a["agency_type"] == "子育てコンシェルジュ":
        return "grid_csv"
    return "xlsx"


def check_files(agencies) -> dict[str, Path]:
    files = {}
    for folder, exts in ((MONTH_DIR, {"xlsx", "csv"}), (EXPORT_DIR, {"csv"})):
        names = sorted(p.name for p in folder.iterdir())
        expect(len(names) == 109, f"{folder}: {len(names)} files")
        seen = Counter()
        for name in names:
            m = re.fullmatch(rf"([A-Z]{{3}}-\d{{3}})_{YYYYMM}_(F[1-5])\.(xlsx|csv)", name)
            if not expect(m, f"{folder.name}/{name}: bad file name"):
                continue
            code, form, ext = m.groups()
            seen[code] += 1
            a = agencies.get(code)
            if not expect(a, f"{name}: unknown agency"):
                continue
            expect(a["form"] == form, f"{name}: form {form} != registry {a['form']}")
            expect(ext in exts, f"{folder.name}/{name}: extension")
            if folder == MONTH_DIR:
                expect((ext == "xlsx") == (expected_format(a) == "xlsx"), f"{name}: format")
                files[code] = folder / name
        expect(set(seen) == set(agencies) and set(seen.values()) == {1},
               f"{folder}: codes not exactly once each")
    return files


def check_templates(areas):
    for form in ("F1", "F2", "F3", "F4", "F5"):
        path = TEMPLATE_DIR / f"{form}.xlsx"
        if not expect(path.exists(), f"missing template {path}"):
            continue
        g, f = read_xlsx(path)
        expect(g.name.endswith(":" + form), f"{path.name}: sheet name")
        parse_header(g, form)
        for r in (3, 4, 5, 6, 7):
            expect(g.get(r, 2) is None, f"{path.name}!B{r} not blank")
        totals = [(r, c) for (r, c), v in f.cells.items() if isinstance(v, str) and v.startswith("=")]
        if form == "F5":
            expect(not totals, "F5 template has formulas")
            expect([g.text(9, c) for c in range(1, 7)] ==
                   ["事業", "分野", "総事業費", "寄付金その他の収入額", "対象経費の実支出額", "単位"],
                   "F5 template header")
            continue
        expect(totals, f"{path.name}: no 合計 formulas")
        for r, c in totals:
            expect(g.get(r, c) == 0, f"{path.name}!{col(c)}{r}: cached {g.get(r, c)!r}")
        numbers = [k for k, v in g.cells.items() if isinstance(v, (int, float)) and k not in totals]
        expect(not numbers, f"{path.name}: figures in template {numbers}")
        if form == "F3":
            expect([g.text(10 + i, 1) for i in range(15)] == [a for a, _ in areas] + ["HQ"],
                   "F3 template row labels")
        if form == "F1":
            expect([g.text(10 + i, 1) for i in range(5)] == list(ATTRS), "F1 template row labels")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--month", default="2025-04", metavar="YYYY-MM",
                    help="the sample month to check (default 2025-04)")
    set_month(ap.parse_args().month)
    agencies, areas = load_registry()
    files = check_files(agencies)
    check_templates(areas)
    area_names = {name for _, name in areas}

    parsed, exported = {}, {}
    for code, path in sorted(files.items()):
        a = agencies[code]
        form = a["form"]
        try:
            if path.suffix == ".xlsx":
                g, f = read_xlsx(path)
                parsed[code] = parse_return(g, form, f, areas)
            elif expected_format(a) == "long_csv":
                parsed[code] = parse_long_csv(path)
            else:
                parsed[code] = parse_return(read_grid_csv(path), form, None, areas)
                expect(path.read_bytes() == (EXPORT_DIR / path.name).read_bytes(),
                       f"{path.name}: differs from its csv-exports copy")
            exp_path = EXPORT_DIR / f"{path.stem}.csv"
            exported[code] = parse_return(read_grid_csv(exp_path), form, None, areas)
        except (ValueError, KeyError) as e:
            fail(f"{path.name}: {e}")

    # Same figures (and header, case list) in both folders; header matches registry.
    for code, p in parsed.items():
        e = exported.get(code)
        if e is None:
            continue
        expect(p["figures"] == e["figures"], f"{code}: figures differ between xlsx/CSV and export")
        for k in ("cases", "referrals", "sites"):
            expect(p.get(k) == e.get(k), f"{code}: {k} differ between xlsx and export")
        for h in (p["header"], e["header"]):
            expect(h["code"] == code, f"{code}: B4 {h['code']}")
            expect(h["month"] == (YEAR, MONTH), f"{code}: month {h['month']}")
            if "name" in h:
                expect(h["name"] == agencies[code]["agency_name"], f"{code}: B5 {h['name']}")
                expect(h["writer"] and not re.search(r"\d", h["writer"]), f"{code}: B7")

    f1 = {c: p for c, p in parsed.items() if agencies[c]["form"] == "F1"}
    f2 = {c: p for c, p in parsed.items() if agencies[c]["form"] == "F2"}

    # F1 rows.
    for code, p in f1.items():
        fig = p["figures"]
        for attr in ATTRS.values():
            row = {m: fig[(attr, m)] for m in F1_COLS.values()}
            c = row["consultations"]
            expect(row["visits"] <= c, f"{code} {attr}: visits > consultations")
            expect(row["complex_cases"] <= c, f"{code} {attr}: complex > consultations")
            expect(row["new_persons"] + row["continuing_persons"] <= c,
                   f"{code} {attr}: persons > consultations")
        if agencies[code]["agency_type"] == "地域包括支援センター":
            expect(10 <= fig[("elderly", "consultations")] <= 300, f"{code}: elderly implausible")

    # F2: section 1 against the case list; case list contents.
    attended = defaultdict(set)
    centre_area = {c: agencies[c]["areas"][0] for c in f2}
    for code, p in f2.items():
        fig, cases, area = p["figures"], p["cases"], centre_area[code]
        for kind, mk, ck in (("consent", "meetings_with_consent", "cases_with_consent"),
                             ("no_consent", "meetings_without_consent", "cases_without_consent")):
            rows = [c for c in cases if c["kind"] == kind]
            dates = Counter(c["date"] for c in rows)
            expect(fig[("", mk)] == len(dates), f"{code}: {mk} {fig[('', mk)]} != {len(dates)}")
            expect(fig[("", ck)] == len(rows), f"{code}: {ck} {fig[('', ck)]} != {len(rows)}")
            expect(1 <= len(dates) <= 2, f"{code}: {len(dates)} meetings of kind {kind}")
            expect(all(1 <= n <= 4 for n in dates.values()), f"{code}: cases per meeting {dates}")
        expect(fig[("", "plans_created")] <= fig[("", "cases_with_consent")], f"{code}: plans")
        expect(fig[("", "plans_closed")] <= 5 and fig[("", "plans_reviewed")] <= 5, f"{code}: plans")
        for c in cases:
            w = f"{code} case {c['id']}"
            expect(re.fullmatch(rf"{area}-{YYMM}-\d\d", c["id"]), f"{w}: id")
            expect(c["kind"] in ("consent", "no_consent"), f"{w}: kind {c['kind']}")
            expect(c["date"].year == YEAR and c["date"].month == MONTH
                   and c["date"].weekday() < 5 and c["date"] not in HOLIDAYS,
                   f"{w}: date {c['date']}")
            expect(1 <= len(c["issues"]) <= 3 and set(c["issues"]) <= ISSUES, f"{w}: issues")
            parts = c["participants"]
            expect(len(parts) == len(set(parts)), f"{w}: duplicate participant")
            expect(all(x in agencies for x in parts), f"{w}: unknown participant {parts}")
            expect(parts and parts[0] == code, f"{w}: centre not first participant")
            f1_parts = [x for x in parts if x in agencies and agencies[x]["form"] == "F1"]
            others = [x for x in parts[1:] if x not in f1_parts]
            expect(1 <= len(f1_parts) <= 4, f"{w}: {len(f1_parts)} F1 participants")
            expect(set(others) <= {"SKK-001"}, f"{w}: other participants {others}")
            for x in f1_parts:
                ar = agencies[x]["areas"]
                expect(ar == ["ALL"] or area in ar, f"{w}: {x} is not of area {area}")
                attended[x].add((code, c["kind"], c["date"]))
            expect(c["lead"] in parts, f"{w}: lead not a participant")
        # The same case twice only at different meetings.
        keys = Counter((c["id"], c["kind"], c["date"]) for c in cases)
        expect(max(keys.values()) == 1, f"{code}: a case twice at one meeting")

    # Referrals F1 ↔ F2.
    received = Counter()
    for code, p in f2.items():
        area = centre_area[code]
        expect(p["referrals"], f"{code}: no referrals")
        seen = set()
        for sender, name, n in p["referrals"]:
            a = agencies.get(sender)
            if not expect(a and a["form"] == "F1", f"{code}: referral from {sender}"):
                continue
            expect(sender not in seen, f"{code}: {sender} listed twice")
            seen.add(sender)
            expect(name == a["agency_name"], f"{code}: name of {sender}: {name}")
            expect(n > 0, f"{code}: {sender} listed with 0")
            expect(a["areas"] == ["ALL"] or area in a["areas"], f"{code}: {sender} not of {area}")
            received[sender] += n
    for code, p in f1.items():
        sent = sum(p["figures"][(attr, "referrals_multi_agency")] for attr in ATTRS.values())
        expect(sent == received[code], f"{code}: referrals F1 {sent} != F2 {received[code]}")
        att = p["figures"][("", "meeting_attendance")]
        expect(att == len(attended[code]), f"{code}: attendance {att} != {len(attended[code])}")

    # F3.
    for code, p in parsed.items():
        if agencies[code]["form"] != "F3":
            continue
        fig = p["figures"]
        expect(all(fig[(k, "staff")] == 1 for k in [a for a, _ in areas] + ["HQ"]), "F3 staff")

    # F4.
    for code, p in parsed.items():
        if agencies[code]["form"] != "F4":
            continue
        names = [s for s, _ in p["sites"]]
        expect(len(names) == len(set(names)) >= 3, f"{code}: site names")
        expect(all(ar in area_names for _, ar in p["sites"]), f"{code}: area names")
        allowed = {"sessions", "participants"} | F4_OPTIONAL.get(code, set())
        for site in names:
            present = {m for (s, m) in p["figures"] if s == site}
            expect(present == allowed, f"{code} {site}: metrics {sorted(present)}")

    # Running totals: each = the month before's 累計 + this month's figure when
    # the samples hold the month before (its meta figures, which its own check
    # compared with its files); otherwise (April) at least the month's figure.
    prev = None
    if PREV_META.is_file():
        with open(PREV_META, encoding="utf-8", newline="") as f:
            prev = {(r["agency_code"], r["key"], r["metric"]): int(r["value"])
                    for r in csv.DictReader(f)}
    n_cumulative = 0
    for code, p in parsed.items():
        for (key, metric), v in p["figures"].items():
            if metric in CUMULATIVE:
                n_cumulative += 1
                flow = p["figures"].get((key, CUMULATIVE[metric]))
                expect(flow is not None and v >= flow, f"{code} {key}: {metric} {v} < {flow}")
                if prev is not None and flow is not None:
                    before = prev.get((code, key, metric))
                    expect(before is not None and v == before + flow,
                           f"{code} {key}: {metric} {v} != {before} (month before) + {flow}")
    if prev is not None:   # the units that had 累計 the month before still report them
        had = {(c, k, m) for (c, k, m) in prev if m in CUMULATIVE}
        now = {(c, k, m) for c, p in parsed.items() for (k, m) in p["figures"] if m in CUMULATIVE}
        expect(had == now, f"running totals reported differ from the month before: "
               f"{sorted(had ^ now)[:5]}")

    # meta/2025-04-figures.csv lists exactly the figures read back.
    with open(META, encoding="utf-8", newline="") as f:
        meta = {(r["agency_code"], r["key"], r["metric"]): int(r["value"]) for r in csv.DictReader(f)}
    read_back = {(code, k, m): v for code, p in parsed.items() for (k, m), v in p["figures"].items()}
    expect(meta == read_back, f"meta figures differ: {len(meta)} vs {len(read_back)} "
           f"({len(set(meta.items()) ^ set(read_back.items()))} differing)")

    # Summary.
    by_form = Counter()
    for code, p in parsed.items():
        by_form[agencies[code]["form"]] += len(p["figures"])
    n_ref = sum(len(p["referrals"]) for p in f2.values())
    n_cases = sum(len(p["cases"]) for p in f2.values())
    print(f"files: {len(list(MONTH_DIR.iterdir()))} in {MONTH_DIR.name}, "
          f"{len(list(EXPORT_DIR.iterdir()))} in csv-exports/{EXPORT_DIR.name}, "
          f"{len(list(TEMPLATE_DIR.iterdir()))} templates")
    print(f"formats: {Counter(expected_format(a) for a in agencies.values())}")
    print(f"records expected: {sum(by_form.values())} = " +
          " + ".join(f"{f} {n}" for f, n in sorted(by_form.items())) +
          f"  (F2 referral rows {n_ref}; case-list rows {n_cases})")
    print(f"referrals: {sum(received.values())} from {len(received)} agencies; "
          f"F1 agencies attending ≥1 meeting: {sum(1 for c in f1 if attended[c])} of {len(f1)}")
    print(f"running totals (累計): {n_cumulative}, " +
          (f"each = {PREV_META.name} + this month's figure" if prev is not None
           else "no month before in the samples: each ≥ this month's figure"))
    if FAILURES:
        print(f"\n{len(FAILURES)} FAILURES:")
        for m in FAILURES[:200]:
            print("  " + m)
        sys.exit(1)
    print("OK: all checks passed")


if __name__ == "__main__":
    main()
