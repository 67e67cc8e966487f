#!/usr/bin/env python3
"""Generate kasane's bundled Kyoto sample data.

Writes, under samples/kyoto/, for the month given (default 2025-04):
  templates/F1.xlsx … F5.xlsx        blank city templates (samples/LAYOUT.md);
                                     only the 2025-04 run writes them
  2025-04/                           one return per registry unit, April 2025
  csv-exports/2025-04/               the same returns as Excel "CSV (comma
                                     separated)" grids, CP932, CRLF
  meta/2025-04-*.csv                 what the generator put where (figures,
                                     case list, deliberate text variants)
and likewise 2025-05/, csv-exports/2025-05/, meta/2025-05-*.csv with
--month 2025-05. A month after the first continues from the month before:
its stocks (継続相談者数, 月末 figures) and running totals (累計) start from
meta/<month before>-figures.csv, each 累計 = last month's + this month's flow.

Usage:  python3 tools/make_samples.py [--month YYYY-MM] [--out DIR] [--no-libreoffice]

Needs openpyxl.  Every generated .xlsx is re-saved through headless
LibreOffice (soffice) so that the 合計 formula cells carry cached values;
with --no-libreoffice the 合計 cells are written as typed numbers instead.

Everything is deterministic: fixed seeds, fixed document properties and
fixed ZIP entry timestamps, so two runs give byte-identical files (for a
given LibreOffice and zlib version).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
REGISTRY_DIR = ROOT / "mappings" / "kyoto"
OUT_DIR = ROOT / "samples" / "kyoto"

# The month generated. Module-level so that the builders below (and the
# tools importing this module: make_cumulative_fixtures.py, make_samples_f5.py)
# see April 2025 unless main() is given another --month (set_month).
FIRST_MONTH = "2025-04"   # the first sample month: its run also writes the templates
SEED = 20250401           # YYYYMM01 of the month
YEAR, MONTH = 2025, 4
YYYYMM = f"{YEAR}{MONTH:02d}"        # 202504, used in file names
YYMM = f"{YEAR % 100:02d}{MONTH:02d}"  # 2504, used in case ids
FIXED_TS = dt.datetime(2025, 5, 8, 9, 0, 0)   # workbook created/modified
HOLIDAYS = {dt.date(2025, 4, 29)}              # 昭和の日

# What differs by month besides the seed: public holidays on weekdays (no
# meeting then), when the returns were saved (early the next month), and the
# notes agencies write in F1 備考. Only the months listed can be generated.
MONTHS = {
    "2025-04": {
        "holidays": {dt.date(2025, 4, 29)},                        # 昭和の日
        "fixed_ts": dt.datetime(2025, 5, 8, 9, 0, 0),
        "notes": ["特になし", "年度当初のため新規相談が増加", "職員の異動あり", "出張相談会を実施"],
    },
    "2025-05": {
        "holidays": {dt.date(2025, 5, 3), dt.date(2025, 5, 4),     # 憲法記念日, みどりの日,
                     dt.date(2025, 5, 5), dt.date(2025, 5, 6)},    # こどもの日, 振替休日
        "fixed_ts": dt.datetime(2025, 6, 9, 9, 0, 0),
        "notes": ["特になし", "連休明けに相談が集中", "出張相談会を実施", "地域ケア会議に参加"],
    },
}

# Number formats (the CSV grid shows cells as these formats display them).
NUM_FMT = "#,##0"
DATE_FMT = "yyyy/m/d"
MONTH_FMT = 'yyyy"年"m"月"'

# Month header (B3) variants, assigned round-robin over a shuffled unit list.
DATE_CELL = "<date cell>"
MONTH_VARIANTS = ["令和7年4月", "R7.4", "2025/4", "2025-04", "202504",
                  "令和７年４月", DATE_CELL]

# Share of number cells typed as text the way people do (`12件`, `１２`, `-`).
TEXT_NUMBER_SHARE = 0.05
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

TITLES = {
    "F1": "包括的相談支援 月次報告（様式F1）",
    "F2": "多機関協働 月次報告（様式F2）",
    "F3": "アウトリーチ・参加支援 月次報告（様式F3）",
    "F4": "地域づくり 月次報告（様式F4）",
    "F5": "事業費 年度報告（様式F5）",
}

# F1: rows (attribute code, label) and columns (metric, label, unit for text variants).
F1_ATTRS = [("elderly", "高齢者"), ("disability", "障害者"),
            ("child", "子ども・子育て"), ("poverty", "生活困窮"), ("other", "その他")]
F1_METRICS = [
    ("new_persons", "新規相談者数（実人数）", "人"),
    ("continuing_persons", "継続相談者数（実人数）", "人"),
    ("consultations", "延べ相談件数", "件"),
    ("visits", "うち訪問・同行", "件"),
    ("complex_cases", "うち複合的な課題を抱える相談", "件"),
    ("referrals_multi_agency", "多機関協働事業へのつなぎ件数", "件"),
    ("referrals_other", "他の支援関係機関へのつなぎ件数", "件"),
]
F1_ATTENDANCE_LABEL = "重層支援会議への出席回数"

# F2 section 1 items (metric, label, unit).
F2_ITEMS = [
    ("meetings_with_consent", "重層的支援会議 開催回数", "回"),
    ("cases_with_consent", "重層的支援会議 検討事案件数", "件"),
    ("meetings_without_consent", "支援会議 開催回数", "回"),
    ("cases_without_consent", "支援会議 検討事案件数", "件"),
    ("plans_created", "支援プラン新規作成件数", "件"),
    ("plans_reviewed", "プラン評価件数", "件"),
    ("plans_closed", "支援終結件数", "件"),
]
KIND_LABEL = {"consent": "重層的支援会議", "no_consent": "支援会議"}
ISSUES = ["就労", "住居喪失", "精神疾患", "難病", "金銭管理", "家族関係",
          "ひきこもり", "介護", "子育て"]
# Separators of 参加機関コード, one per centre (LAYOUT.md allows all of them).
PARTICIPANT_SEPARATORS = ["・", "、", ",", ";", "\n"]

# F3 columns (metric, label, unit), from column C.
F3_METRICS = [
    ("staff", "支援員数", "人"),
    ("outreach_active", "継続支援対象者数（月末）", "人"),
    ("outreach_new", "新規把握件数", "件"),
    ("outreach_visits", "訪問・同行件数", "件"),
    ("outreach_closed", "支援終結件数", "件"),
    ("participation_active", "支援対象者数（月末）", "人"),
    ("participation_matches", "マッチング件数", "件"),
    ("participation_followups", "定着支援件数", "件"),
    ("participation_hosts_developed", "受入先開拓件数", "件"),
    ("outreach_closed_cumulative", "支援終結件数（累計）", "件"),
]

# F4 columns (metric, label, unit), from column C.
F4_METRICS = [
    ("sessions", "開催回数", "回"),
    ("participants", "参加者数（延べ）", "人"),
    ("new_activities", "新たに生まれた・充実した地域活動数", "件"),
    ("coordinated_initiatives", "地域支え合い活動調整会議を通じて支援した取組数", "件"),
    ("volunteer_consultations", "ボランティアセンター相談対応件数", "件"),
    ("connection_participants", "つながりを促進する場への参加者数", "人"),
    ("new_activities_cumulative", "新たに生まれた・充実した地域活動数（累計）", "件"),
    ("coordinated_initiatives_cumulative", "地域支え合い活動調整会議を通じて支援した取組数（累計）", "件"),
]

# Running totals (累計) since the plan period began, each with the monthly
# figure it grows by. Their cells are always typed as plain numbers (no text
# variant drawn), so adding them left every other cell's variant as it was.
CUMULATIVE = {
    "outreach_closed_cumulative": "outreach_closed",
    "new_activities_cumulative": "new_activities",
    "coordinated_initiatives_cumulative": "coordinated_initiatives",
}

F5_HEADERS = ["事業", "分野", "総事業費", "寄付金その他の収入額", "対象経費の実支出額", "単位"]

# Job titles for 記入者 (B7): never a person's name.
WRITER_TITLES = {
    "地域包括支援センター": ["社会福祉士", "主任介護支援専門員", "保健師", "センター長"],
    "長寿すこやかセンター": ["相談員", "主任相談員"],
    "障害者基幹相談支援センター": ["相談支援専門員", "センター長"],
    "障害者休日・夜間相談受付センター": ["相談員"],
    "子育てコンシェルジュ": ["子育てコンシェルジュ", "担当係長"],
    "自立相談支援窓口": ["主任相談支援員", "相談支援員"],
    "住居確保給付金相談窓口": ["相談支援員"],
    "よりそい・つなぐ相談窓口": ["相談員", "主任相談員"],
    "保健福祉センター": ["担当係長", "地域支援担当", "保健師"],
    "地域あんしん支援員": ["統括支援員", "事務局"],
}
DEFAULT_WRITER_TITLES = ["事業担当", "事務局", "担当係長"]
F1_NOTES = MONTHS["2025-04"]["notes"]


def month_variants(year: int, month: int) -> list:
    """B3 texts of the month, in MONTH_VARIANTS' order (令和 year = year − 2018)."""
    reiwa = f"令和{year - 2018}年{month}月"
    return [reiwa, f"R{year - 2018}.{month}", f"{year}/{month}", f"{year}-{month:02d}",
            f"{year}{month:02d}", reiwa.translate(FULLWIDTH), DATE_CELL]


def set_month(ym: str) -> None:
    """Make every month-dependent constant that of `ym` (YYYY-MM)."""
    global SEED, YEAR, MONTH, YYYYMM, YYMM, FIXED_TS, HOLIDAYS, MONTH_VARIANTS, F1_NOTES
    if ym not in MONTHS:
        sys.exit(f"--month {ym}: no holidays / timestamp known for it; add it to MONTHS "
                 f"(known: {', '.join(MONTHS)})")
    YEAR, MONTH = int(ym[:4]), int(ym[5:])
    SEED = int(f"{YEAR}{MONTH:02d}01")
    YYYYMM = f"{YEAR}{MONTH:02d}"
    YYMM = f"{YEAR % 100:02d}{MONTH:02d}"
    FIXED_TS = MONTHS[ym]["fixed_ts"]
    HOLIDAYS = set(MONTHS[ym]["holidays"])
    MONTH_VARIANTS = month_variants(YEAR, MONTH)
    F1_NOTES = list(MONTHS[ym]["notes"])


assert month_variants(2025, 4) == MONTH_VARIANTS


def rng_for(purpose: str) -> random.Random:
    """An independent, reproducible random stream per purpose (str seeds are
    hashed with SHA-512 by Python, so they do not depend on PYTHONHASHSEED)."""
    return random.Random(f"{SEED}:{purpose}")


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    type: str
    field: str
    areas: tuple[str, ...]   # ("ALL",) for city-wide units
    form: str

    @property
    def city_wide(self) -> bool:
        return self.areas == ("ALL",)

    @property
    def number(self) -> int:
        return int(self.code.split("-")[1])


def load_registry() -> tuple[list[Agency], list[tuple[str, str]]]:
    with open(REGISTRY_DIR / "agencies.csv", encoding="utf-8", newline="") as f:
        agencies = [Agency(r["agency_code"], r["agency_name"], r["agency_type"], r["field"],
                           tuple(r["area"].split(";")), r["form"])
                    for r in csv.DictReader(f)]
    with open(REGISTRY_DIR / "areas.csv", encoding="utf-8", newline="") as f:
        areas = [(r["area_code"], r["area_name"]) for r in csv.DictReader(f)]
    return agencies, areas


def return_format(a: Agency) -> str:
    """How the unit sends its April return: xlsx, long_csv (vendor) or grid_csv."""
    if a.type == "地域包括支援センター" and a.number % 2 == 0:
        return "long_csv"
    if a.type == "子育てコンシェルジュ":
        return "grid_csv"
    return "xlsx"


# --------------------------------------------------------------------------
# Sheet model: cells with value, style and number format.  The same model is
# written as .xlsx (openpyxl) and as the CSV grid Excel would save.
# --------------------------------------------------------------------------

@dataclass
class Formula:
    expr: str     # without the leading '='
    value: int    # what Excel / LibreOffice computes (shown in the CSV grid)


@dataclass
class Cell:
    value: object
    style: str = "value"
    fmt: str = "General"


@dataclass
class Sheet:
    name: str
    cells: dict = field(default_factory=dict)
    merges: list = field(default_factory=list)
    widths: dict = field(default_factory=dict)
    heights: dict = field(default_factory=dict)

    def put(self, row, col, value, style="value", fmt="General"):
        self.cells[(row, col)] = Cell(value, style, fmt)


def a1(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def display(cell: Cell | None) -> str:
    """The text Excel shows for a cell (what its CSV save writes)."""
    if cell is None:
        return ""
    v = cell.value.value if isinstance(cell.value, Formula) else cell.value
    if v is None:
        return ""
    if isinstance(v, int):
        return f"{v:,}" if cell.fmt == NUM_FMT else str(v)
    if isinstance(v, (dt.date, dt.datetime)):
        if cell.fmt == DATE_FMT:
            return f"{v.year}/{v.month}/{v.day}"
        if cell.fmt == MONTH_FMT:
            return f"{v.year}年{v.month}月"
        raise ValueError(f"no display rule for date format {cell.fmt}")
    return str(v)


class Filler:
    """Fills one return's sheet and logs every figure and every deliberate
    text variant (the manifest the tests can use)."""

    def __init__(self, file_stem: str, agency: Agency, sheet: Sheet, rng: random.Random,
                 log: list, variants: bool = True):
        self.file_stem, self.agency, self.sheet = file_stem, agency, sheet
        self.rng, self.log, self.variants = rng, log, variants
        self.figures: list[tuple[str, str, int, str]] = []   # key, metric, value, cell

    def number(self, row, col, value: int, unit: str, key: str | None, metric: str | None,
               fmt: str = NUM_FMT, style: str = "data"):
        """Write an integer, sometimes typed as text; record it as a figure."""
        shown: object = value
        if self.variants and metric not in CUMULATIVE and self.rng.random() < TEXT_NUMBER_SHARE:
            if value == 0:
                shown, kind = "-", "dash_zero"
            elif self.rng.random() < 0.5:
                shown, kind = f"{value}{unit}", "unit_suffix"
            else:
                shown, kind = str(value).translate(FULLWIDTH), "fullwidth_digits"
            self.log.append((self.file_stem, a1(row, col), kind, shown, value))
        self.sheet.put(row, col, shown, style, fmt)
        if metric is not None:
            self.figures.append((key or "", metric, value, a1(row, col)))

    def total(self, row, col, first, last, style="total", fmt=NUM_FMT, typed=False):
        """合計 cell: a SUM formula, or a typed number when a cell of the range
        holds a non-zero number as text (SUM would skip it and come out wrong;
        a `-` is skipped too, which is right) or when formulas are switched off."""
        has_text = any(isinstance(getattr(self.sheet.cells.get((r, col)), "value", None), str)
                       and self.parsed(r, col) != 0 for r in range(first, last + 1))
        value = sum(self.parsed(r, col) for r in range(first, last + 1))
        if has_text or typed:
            self.sheet.put(row, col, value, style, fmt)
            if has_text:
                self.log.append((self.file_stem, a1(row, col), "typed_total", str(value), value))
        else:
            rng = f"{get_column_letter(col)}{first}:{get_column_letter(col)}{last}"
            self.sheet.put(row, col, Formula(f"SUM({rng})", value), style, fmt)

    def parsed(self, row, col) -> int:
        """The integer a (possibly text) cell of this return means."""
        for key, metric, value, cell in self.figures:
            if cell == a1(row, col):
                return value
        return 0


# --------------------------------------------------------------------------
# Sheet layout (samples/LAYOUT.md)
# --------------------------------------------------------------------------

def header_block(s: Sheet, form: str, month=None, agency: Agency | None = None,
                 writer: str | None = None):
    """Rows 1–7 common to all forms; month is a str or a date (B3)."""
    s.put(1, 1, TITLES[form], "title")
    s.merges.append("A1:H1")
    s.heights[1] = 24
    s.put(2, 1, "様式バージョン", "label")
    s.put(2, 2, f"kyoto-{form}-v1")
    s.put(3, 1, "年度" if form == "F5" else "報告年月", "label")
    if isinstance(month, dt.date):
        s.put(3, 2, month, fmt=MONTH_FMT)
    else:
        s.put(3, 2, month)
    s.put(4, 1, "機関コード", "label")
    s.put(4, 2, agency.code if agency else None)
    s.put(5, 1, "機関名", "label")
    s.put(5, 2, agency.name if agency else None)
    if form == "F1":
        s.put(6, 1, F1_ATTENDANCE_LABEL, "label")
        s.put(6, 2, None)
    s.put(7, 1, "記入者", "label")
    s.put(7, 2, writer)


def header_row(s: Sheet, row: int, labels: list[str], first_col: int = 1, height=48):
    for i, label in enumerate(labels):
        s.put(row, first_col + i, label, "header")
    s.heights[row] = height


def build_f1(agency=None, month=None, writer=None, fig=None, attendance=None, note=None,
             filler: Filler | None = None, typed_totals=False) -> Sheet:
    s = filler.sheet if filler else Sheet("F1")
    header_block(s, "F1", month, agency, writer)
    if filler:
        filler.number(6, 2, attendance, "回", "", "meeting_attendance", fmt="General", style="value")
    header_row(s, 9, ["相談者の属性"] + [label for _, label, _ in F1_METRICS])
    for i, (attr, label) in enumerate(F1_ATTRS):
        r = 10 + i
        s.put(r, 1, label, "rowlabel")
        for j, (metric, _, unit) in enumerate(F1_METRICS):
            if filler:
                filler.number(r, 2 + j, fig[attr][metric], unit, attr, metric)
            else:
                s.put(r, 2 + j, None, "data", NUM_FMT)
    s.put(15, 1, "合計", "total_label")
    for j in range(len(F1_METRICS)):
        if filler:
            filler.total(15, 2 + j, 10, 14, typed=typed_totals)
        else:
            col = get_column_letter(2 + j)
            s.put(15, 2 + j, Formula(f"SUM({col}10:{col}14)", 0), "total", NUM_FMT)
    s.put(17, 1, "備考", "label")
    s.put(17, 2, note)
    s.widths = {"A": 22, **{get_column_letter(c): 15 for c in range(2, 9)}}
    return s


def build_f2(agency=None, month=None, writer=None, plan=None, filler: Filler | None = None,
             typed_totals=False) -> Sheet:
    """plan: dict with 'items' (metric→int), 'referrals' [(code, name, n)], 'cases'."""
    s = filler.sheet if filler else Sheet("F2")
    header_block(s, "F2", month, agency, writer)
    s.put(9, 1, "1. 会議の開催状況", "section")
    header_row(s, 10, ["項目", "件数"], height=20)
    for i, (metric, label, unit) in enumerate(F2_ITEMS):
        s.put(11 + i, 1, label, "rowlabel")
        if filler:
            filler.number(11 + i, 2, plan["items"][metric], unit, "", metric, fmt="General")
        else:
            s.put(11 + i, 2, None, "data")
    s.put(19, 1, "2. つなぎ受付", "section")
    header_row(s, 20, ["送付元機関コード", "送付元機関名", "受付件数"], height=20)
    referrals = plan["referrals"] if filler else [None] * 8
    r = 21
    for ref in referrals:
        if ref:
            code, name, n = ref
            s.put(r, 1, code, "data")
            s.put(r, 2, name, "data")
            filler.number(r, 3, n, "件", code, "referrals_received")
        else:
            for c in (1, 2, 3):
                s.put(r, c, None, "data", NUM_FMT if c == 3 else "General")
        r += 1
    s.put(r, 1, "合計", "total_label")
    s.put(r, 2, None, "total")
    if filler:
        filler.total(r, 3, 21, r - 1, typed=typed_totals)
    else:
        s.put(r, 3, Formula(f"SUM(C21:C{r - 1})", 0), "total", NUM_FMT)
    r += 2
    s.put(r, 1, "3. 検討事案一覧", "section")
    header_row(s, r + 1, ["事案番号", "会議区分", "会議日", "主な課題", "参加機関コード",
                          "主担当機関コード"], height=20)
    r += 2
    if filler:
        sep = plan["separator"]
        for case in plan["cases"]:
            s.put(r, 1, case["id"], "data")
            s.put(r, 2, KIND_LABEL[case["kind"]], "data")
            s.put(r, 3, case["date"], "data", DATE_FMT)
            s.put(r, 4, "・".join(case["issues"]), "data")
            s.put(r, 5, sep.join(case["participants"]), "text")
            s.put(r, 6, case["lead"], "data")
            r += 1
    else:
        for _ in range(10):
            for c in range(1, 7):
                s.put(r, c, None, "data", DATE_FMT if c == 3 else "General")
            r += 1
    s.widths = {"A": 30, "B": 46, "C": 12, "D": 24, "E": 34, "F": 16, "G": 10, "H": 10}
    return s


def build_f3(agency=None, month=None, writer=None, rows=None, areas=None,
             filler: Filler | None = None, typed_totals=False) -> Sheet:
    """rows: key (area code or HQ) → metric → int."""
    s = filler.sheet if filler else Sheet("F3")
    header_block(s, "F3", month, agency, writer)
    header_row(s, 9, ["区・支所コード", "区・支所名"] + [label for _, label, _ in F3_METRICS])
    keys = [(code, name) for code, name in areas] + [("HQ", "統括")]
    for i, (key, name) in enumerate(keys):
        r = 10 + i
        s.put(r, 1, key, "rowlabel")
        s.put(r, 2, name, "rowlabel")
        for j, (metric, _, unit) in enumerate(F3_METRICS):
            if filler:
                filler.number(r, 3 + j, rows[key][metric], unit, key, metric)
            else:
                s.put(r, 3 + j, None, "data", NUM_FMT)
    last = 9 + len(keys)   # row 24
    s.put(last + 1, 1, "合計", "total_label")
    s.put(last + 1, 2, None, "total")
    for j in range(len(F3_METRICS)):
        col = 3 + j
        if filler:
            filler.total(last + 1, col, 10, last, typed=typed_totals)
        else:
            L = get_column_letter(col)
            s.put(last + 1, col, Formula(f"SUM({L}10:{L}{last})", 0), "total", NUM_FMT)
    s.widths = {"A": 14, "B": 14,
                **{get_column_letter(c): 13 for c in range(3, 3 + len(F3_METRICS))}}
    return s


def build_f4(agency=None, month=None, writer=None, sites=None, filler: Filler | None = None,
             typed_totals=False) -> Sheet:
    """sites: list of (site name, area name, metric → int or None)."""
    s = filler.sheet if filler else Sheet("F4")
    header_block(s, "F4", month, agency, writer)
    header_row(s, 9, ["拠点・活動名", "区・支所"] + [label for _, label, _ in F4_METRICS], height=64)
    rows = sites if filler else [None] * 20
    r = 10
    for site in rows:
        if site:
            name, area_name, values = site
            s.put(r, 1, name, "data")
            s.put(r, 2, area_name, "data")
            for j, (metric, _, unit) in enumerate(F4_METRICS):
                v = values.get(metric)
                if v is None:
                    s.put(r, 3 + j, None, "data", NUM_FMT)   # programme has no such figure
                else:
                    filler.number(r, 3 + j, v, unit, name, metric)
        else:
            for c in range(1, 3 + len(F4_METRICS)):
                s.put(r, c, None, "data", NUM_FMT if c >= 3 else "General")
        r += 1
    s.put(r, 1, "合計", "total_label")
    s.put(r, 2, None, "total")
    for j in range(len(F4_METRICS)):
        col = 3 + j
        if filler:
            filler.total(r, col, 10, r - 1, typed=typed_totals)
        else:
            L = get_column_letter(col)
            s.put(r, col, Formula(f"SUM({L}10:{L}{r - 1})", 0), "total", NUM_FMT)
    s.widths = {"A": 42, "B": 12,
                **{get_column_letter(c): 16 for c in range(3, 3 + len(F4_METRICS))}}
    return s


def build_f5_template() -> Sheet:
    s = Sheet("F5")
    header_block(s, "F5")
    header_row(s, 9, F5_HEADERS, height=32)
    for r in range(10, 22):
        for c in range(1, 7):
            s.put(r, c, None, "data", NUM_FMT if c in (3, 4, 5) else "General")
    s.widths = {"A": 10, "B": 12, "C": 18, "D": 20, "E": 20, "F": 8, "G": 10, "H": 10}
    return s


# --------------------------------------------------------------------------
# April 2025 figures
# --------------------------------------------------------------------------

def business_days(year: int, month: int) -> list[dt.date]:
    d, days = dt.date(year, month, 1), []
    while d.month == month:
        if d.weekday() < 5 and d not in HOLIDAYS:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def prev_month_of(year: int, month: int) -> str:
    return f"{year}-{month - 1:02d}" if month > 1 else f"{year - 1}-12"


def business_days_of(ym: str) -> list[dt.date]:
    """Working days of another month of MONTHS (its own holidays)."""
    y, m = int(ym[:4]), int(ym[5:])
    d, days = dt.date(y, m, 1), []
    while d.month == m:
        if d.weekday() < 5 and d not in MONTHS[ym]["holidays"]:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


# Agency types a meeting is likely to invite for an issue.
ISSUE_AGENCY_TYPES = {
    "就労": ["自立相談支援窓口"],
    "住居喪失": ["住居確保給付金相談窓口", "自立相談支援窓口"],
    "精神疾患": ["障害者基幹相談支援センター", "障害者休日・夜間相談受付センター"],
    "難病": ["障害者基幹相談支援センター"],
    "金銭管理": ["自立相談支援窓口", "地域包括支援センター"],
    "家族関係": ["地域包括支援センター", "子育てコンシェルジュ"],
    "ひきこもり": ["よりそい・つなぐ相談窓口"],
    "介護": ["地域包括支援センター", "長寿すこやかセンター"],
    "子育て": ["子育てコンシェルジュ"],
}


def plan_meetings(agencies: list[Agency]) -> dict[str, dict]:
    """Per centre (F2): meetings, case list and participant separator."""
    rng = rng_for("meetings")
    centres = [a for a in agencies if a.form == "F2"]
    f1 = [a for a in agencies if a.form == "F1"]
    skk = next(a for a in agencies if a.form == "F3")
    days = business_days(YEAR, MONTH)
    seps = [PARTICIPANT_SEPARATORS[i % len(PARTICIPANT_SEPARATORS)] for i in range(len(centres))]
    rng.shuffle(seps)
    plans = {}
    for centre, sep in zip(centres, seps):
        area = centre.areas[0]
        local = [a for a in f1 if area in a.areas]
        candidates = local + [a for a in f1 if a.city_wide]
        n_consent, n_no = rng.choice([1, 2]), rng.choice([1, 2])
        dates = sorted(rng.sample(days, n_consent + n_no))
        kinds = ["consent"] * n_consent + ["no_consent"] * n_no
        rng.shuffle(kinds)
        cases, seq = [], 0
        for date, kind in zip(dates, kinds):
            for _ in range(rng.choices([1, 2, 3, 4], weights=[3, 4, 2, 1])[0]):
                seq += 1
                issues = rng.sample(ISSUES, rng.choices([1, 2, 3], weights=[3, 4, 2])[0])
                k = rng.choices([1, 2, 3, 4], weights=[3, 4, 2, 1])[0]
                chosen: list[Agency] = []
                for issue in issues:   # invite who fits the issue first
                    fit = [a for a in candidates
                           if a.type in ISSUE_AGENCY_TYPES[issue] and a not in chosen]
                    if fit and len(chosen) < k:
                        chosen.append(rng.choice(fit))
                while len(chosen) < k:
                    rest = [a for a in candidates if a not in chosen]
                    weights = [3 if a in local else 1 for a in rest]
                    chosen.append(rng.choices(rest, weights=weights)[0])
                chosen.sort(key=lambda a: a.code)
                participants = [centre.code] + [a.code for a in chosen]
                if rng.random() < 0.3:
                    participants.append(skk.code)
                lead = centre.code if rng.random() < 0.55 else rng.choice(participants[1:])
                cases.append({"id": f"{area}-{YYMM}-{seq:02d}", "kind": kind, "date": date,
                              "issues": issues, "participants": participants, "lead": lead})
        # Now and then a case first discussed without consent comes back, after
        # consent, to a later 重層的支援会議 (same case id, a second case-list row).
        later_consent = [d for d, k in zip(dates, kinds) if k == "consent"]
        earlier = [c for c in cases if c["kind"] == "no_consent"
                   and any(d > c["date"] for d in later_consent)]
        if earlier and rng.random() < 0.25:
            first = rng.choice(earlier)
            date = min(d for d in later_consent if d > first["date"])
            if sum(1 for c in cases if c["date"] == date) < 4:
                cases.append({**first, "kind": "consent", "date": date})
        cases.sort(key=lambda c: (c["date"], c["id"]))
        plans[centre.code] = {"centre": centre, "cases": cases, "separator": sep}
    return plans


def meetings_attended(plans: dict) -> dict[str, int]:
    """Agency code → number of distinct meetings (centre, kind, date) naming it."""
    seen = defaultdict(set)
    for code, plan in plans.items():
        for case in plan["cases"]:
            for p in case["participants"]:
                seen[p].add((code, case["kind"], case["date"]))
    return {k: len(v) for k, v in seen.items()}


def plan_referrals(agencies: list[Agency]) -> tuple[dict[str, int], dict[str, Counter]]:
    """Referral totals per F1 agency and what each centre receives from whom."""
    rng = rng_for("referrals")
    centres = {a.areas[0]: a for a in agencies if a.form == "F2"}
    f1 = [a for a in agencies if a.form == "F1"]
    share = {"地域包括支援センター": 0.45, "子育てコンシェルジュ": 0.4,
             "障害者基幹相談支援センター": 0.9, "自立相談支援窓口": 1.0,
             "よりそい・つなぐ相談窓口": 0.9, "長寿すこやかセンター": 0.8}
    totals: dict[str, int] = {}
    for a in f1:
        if rng.random() < share.get(a.type, 0.4):
            top = 6 if a.city_wide else 3
            totals[a.code] = rng.choices(range(1, top + 1), weights=[6, 3, 1, 1, 1, 1][:top])[0]
        else:
            totals[a.code] = 0
    received = {c.code: Counter() for c in centres.values()}

    def eligible(a: Agency) -> list[Agency]:
        return list(centres.values()) if a.city_wide else [centres[x] for x in a.areas]

    for a in f1:
        for _ in range(totals[a.code]):
            received[rng.choice(eligible(a)).code][a.code] += 1
    # Every centre receives something: an area CHI refers one more case.
    for area, centre in centres.items():
        if not received[centre.code]:
            chi = [a for a in f1 if a.areas == (area,) and a.type == "地域包括支援センター"]
            a = rng.choice(chi)
            totals[a.code] += 1
            received[centre.code][a.code] += 1
    return totals, received


F1_PROFILES = {   # consultations per attribute: (low, high)
    "地域包括支援センター": {"elderly": (55, 170), "disability": (0, 8), "child": (0, 3),
                     "poverty": (0, 8), "other": (0, 5)},
    "長寿すこやかセンター": {"elderly": (80, 160), "disability": (0, 6), "child": (0, 2),
                   "poverty": (0, 5), "other": (2, 12)},
    "障害者基幹相談支援センター": {"elderly": (2, 12), "disability": (80, 200), "child": (3, 15),
                      "poverty": (2, 10), "other": (0, 6)},
    "障害者休日・夜間相談受付センター": {"elderly": (0, 5), "disability": (40, 100), "child": (0, 5),
                           "poverty": (0, 5), "other": (2, 10)},
    "子育てコンシェルジュ": {"elderly": (0, 1), "disability": (0, 4), "child": (30, 120),
                   "poverty": (0, 4), "other": (0, 3)},
    "自立相談支援窓口": {"elderly": (5, 20), "disability": (5, 15), "child": (2, 8),
                 "poverty": (150, 300), "other": (5, 15)},
    "住居確保給付金相談窓口": {"elderly": (2, 10), "disability": (1, 5), "child": (0, 4),
                    "poverty": (50, 110), "other": (0, 5)},
    "よりそい・つなぐ相談窓口": {"elderly": (0, 5), "disability": (3, 10), "child": (2, 8),
                     "poverty": (10, 25), "other": (30, 70)},
}
VISIT_RATES = {   # share of consultations that are visits or accompanying
    "地域包括支援センター": (0.3, 0.5), "長寿すこやかセンター": (0.05, 0.15),
    "障害者基幹相談支援センター": (0.2, 0.4), "障害者休日・夜間相談受付センター": (0.0, 0.0),
    "子育てコンシェルジュ": (0.05, 0.2), "自立相談支援窓口": (0.1, 0.2),
    "住居確保給付金相談窓口": (0.0, 0.1), "よりそい・つなぐ相談窓口": (0.2, 0.4),
}


def plan_f1(a: Agency, referrals: int, rng: random.Random,
            prev: dict[str, dict[str, int]] | None = None) -> dict[str, dict[str, int]]:
    """Rows of one F1 return that satisfy the in-return rules. With `prev`
    (the same agency's rows the month before) the month continues from it."""
    if prev is not None:
        return plan_f1_after(a, referrals, rng, prev)
    profile = F1_PROFILES[a.type]
    consult = {attr: rng.randint(*profile[attr]) for attr, _ in F1_ATTRS}
    refs = Counter()
    for _ in range(referrals):   # referrals fall on the busy attributes
        attrs = [attr for attr, _ in F1_ATTRS]
        refs[rng.choices(attrs, weights=[consult[x] for x in attrs])[0]] += 1
    rows = {}
    for attr, _ in F1_ATTRS:
        c = max(consult[attr], refs[attr])
        if c == 0:
            rows[attr] = {m: 0 for m, _, _ in F1_METRICS}
            continue
        persons = max(1, round(c / rng.uniform(1.4, 2.8)))
        new = round(persons * rng.uniform(0.25, 0.55))
        lo, hi = VISIT_RATES[a.type]
        rows[attr] = f1_row(new, persons - new, c, refs[attr], (lo, hi), rng)
    return rows


def f1_row(new: int, continuing: int, consultations: int, referrals: int,
           visit_rate: tuple[float, float], rng: random.Random) -> dict[str, int]:
    """One attribute's F1 row once its persons are known: visits, complex
    cases and other referrals drawn (in this order) within the consultations."""
    c = consultations
    return {
        "new_persons": new,
        "continuing_persons": continuing,
        "consultations": c,
        "visits": min(c, round(c * rng.uniform(*visit_rate))),
        "complex_cases": min(c, max(referrals, round(c * rng.uniform(0.03, 0.15)))),
        "referrals_multi_agency": referrals,
        "referrals_other": min(c, round(c * rng.uniform(0.02, 0.12))),
    }


def plan_f1_after(a: Agency, referrals: int, rng: random.Random,
                  prev: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """A month after the first: each attribute's consultations are last month's
    ±15 % scaled by the month's working days (May has Golden Week); the
    continuing persons (a stock) are most of last month's continuing persons
    plus part of last month's new ones, as far as the consultations allow."""
    scale = len(business_days(YEAR, MONTH)) / len(business_days_of(prev_month_of(YEAR, MONTH)))
    consult = {}
    for attr, _ in F1_ATTRS:
        before = prev[attr]["consultations"]
        consult[attr] = (round(before * rng.uniform(0.85, 1.15) * scale) if before
                         else rng.choices([0, 1, 2], weights=[6, 3, 1])[0])
    refs = Counter()
    for _ in range(referrals):   # referrals fall on the busy attributes
        attrs = [attr for attr, _ in F1_ATTRS]
        refs[rng.choices(attrs, weights=[consult[x] + 1 for x in attrs])[0]] += 1
    lo, hi = VISIT_RATES[a.type]
    rows = {}
    for attr, _ in F1_ATTRS:
        c = max(consult[attr], refs[attr])
        if c == 0:
            rows[attr] = {m: 0 for m, _, _ in F1_METRICS}
            continue
        p = prev[attr]
        new = min(c, round(c / rng.uniform(1.4, 2.8) * rng.uniform(0.2, 0.45)))
        carried = round(p["continuing_persons"] * rng.uniform(0.85, 1.0)
                        + p["new_persons"] * rng.uniform(0.25, 0.5))
        if carried == 0 and new == 0:
            new = 1
        rows[attr] = f1_row(new, max(0, min(carried, c - new)), c, refs[attr], (lo, hi), rng)
    return rows


def plan_f2_items(cases: list[dict], rng: random.Random) -> dict[str, int]:
    def count(kind):
        rows = [c for c in cases if c["kind"] == kind]
        return len({c["date"] for c in rows}), len(rows)
    m_c, c_c = count("consent")
    m_n, c_n = count("no_consent")
    reviewed = rng.choice([0, 1, 1, 2, 3])
    return {"meetings_with_consent": m_c, "cases_with_consent": c_c,
            "meetings_without_consent": m_n, "cases_without_consent": c_n,
            "plans_created": rng.randint((c_c + 1) // 2, c_c),
            "plans_reviewed": reviewed,
            "plans_closed": rng.randint(0, min(reviewed, 2))}


def plan_f3(areas, rng: random.Random, prev: dict | None = None) -> dict[str, dict[str, int]]:
    """prev: key → metric → value of the month before, if any."""
    if prev is not None:
        return plan_f3_after(areas, rng, prev)
    rows = {}
    for code, _ in areas:
        rows[code] = {
            "staff": 1,
            "outreach_active": rng.randint(4, 14),
            "outreach_new": rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0],
            "outreach_visits": rng.randint(6, 28),
            "outreach_closed": rng.choices([0, 1], weights=[4, 1])[0],
            "participation_active": rng.randint(1, 6),
            "participation_matches": rng.choices([0, 1, 2], weights=[4, 3, 1])[0],
            "participation_followups": rng.randint(0, 5),
            "participation_hosts_developed": rng.choices([0, 1], weights=[3, 1])[0],
        }
    rows["HQ"] = {m: 0 for m, _, _ in F3_METRICS}
    rows["HQ"].update(staff=1, outreach_visits=rng.randint(0, 3),
                      participation_hosts_developed=rng.randint(0, 2))
    return rows


def plan_f3_after(areas, rng: random.Random, prev: dict) -> dict[str, dict[str, int]]:
    """A month after the first: the 月末 stocks continue from last month's
    (outreach: + some of the newly found − the closed; participation: ±1)."""
    rows = {}
    for code, _ in areas:
        p = prev[code]
        new = rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0]
        closed = rng.choices([0, 1], weights=[4, 1])[0]
        active = max(1, p["outreach_active"] + rng.randint(0, new) - closed)
        rows[code] = {
            "staff": p["staff"],
            "outreach_active": active,
            "outreach_new": new,
            "outreach_visits": rng.randint(max(4, active), max(10, 2 * active)),
            "outreach_closed": closed,
            "participation_active": max(0, p["participation_active"]
                                        + rng.choice([-1, 0, 0, 0, 1])),
            "participation_matches": rng.choices([0, 1, 2], weights=[4, 3, 1])[0],
            "participation_followups": rng.randint(0, 5),
            "participation_hosts_developed": rng.choices([0, 1], weights=[3, 1])[0],
        }
    rows["HQ"] = {m: 0 for m, _, _ in F3_METRICS}
    rows["HQ"].update(staff=prev["HQ"]["staff"], outreach_visits=rng.randint(0, 3),
                      participation_hosts_developed=rng.randint(0, 2))
    return rows


# Where each running total stood at the end of FY2024 (the plan's baselines,
# spec §5), spread over the rows that report it; new_activities has none.
CUMULATIVE_BASELINE = {
    "outreach_closed_cumulative": 256,
    "coordinated_initiatives_cumulative": 313,
    "new_activities_cumulative": 0,
}


def add_running_totals(code: str, rows: dict[str, dict]) -> None:
    """Give every row that reports a flow of CUMULATIVE its 累計: a share of
    the baseline plus this month's figure. Its own random stream, so adding
    them changed no other figure. The 統括 row (HQ) closes no cases: 0."""
    for cumulative, flow in CUMULATIVE.items():
        keys = [k for k, v in rows.items() if v.get(flow) is not None and k != "HQ"]
        if not keys:
            continue
        rng = rng_for(f"cumulative:{code}:{cumulative}")
        weights = [rng.randint(1, 10) for _ in keys]
        total = CUMULATIVE_BASELINE[cumulative]
        shares = [total * w // sum(weights) for w in weights]
        for i in range(total - sum(shares)):
            shares[i % len(shares)] += 1
        for k, share in zip(keys, shares):
            rows[k][cumulative] = share + rows[k][flow]
        if "HQ" in rows and rows["HQ"].get(flow) is not None:
            rows["HQ"][cumulative] = rows["HQ"][flow]


def continue_running_totals(code: str, rows: dict[str, dict], prev: dict) -> None:
    """A month after the first: each 累計 = last month's 累計 of the same
    agency and key + this month's flow (the cumulative_mismatch rule).
    prev: key → metric → value of the month before. Every key reporting a
    flow reported its 累計 the month before (the sites carry over)."""
    for cumulative, flow in CUMULATIVE.items():
        for k, values in rows.items():
            if values.get(flow) is None:
                continue
            before = prev.get(k, {}).get(cumulative)
            if before is None:
                sys.exit(f"{code} {k}: no {cumulative} the month before to continue from")
            values[cumulative] = before + values[flow]


CDK009_ACTIVITIES = [   # (activity, area name)
    ("寺院と連携したつながりの場", "東山区"), ("商店街の空き店舗を活かした居場所", "中京区"),
    ("大学と連携した多世代の学びの場", "左京区"), ("農園を活かした交流活動", "西京区"),
    ("銭湯を活かした地域の集い", "下京区"), ("町家を活かした多世代交流", "上京区"),
    ("団地集会所のつながりカフェ", "醍醐支所"), ("企業と連携した就労体験の場", "南区"),
]


def plan_f4(a: Agency, areas, rng: random.Random,
            prev_sites: list[str] | None = None) -> list[tuple[str, str, dict]]:
    """Sites of one community-building programme with plausible monthly figures.
    prev_sites: the programme's site names the month before; the programmes
    that report only some areas or activities (CDK-004, 005, 009) keep them."""
    names = [name for _, name in areas]
    if prev_sites is not None and a.code in ("CDK-004", "CDK-005", "CDK-009"):
        return plan_f4_same_sites(a, prev_sites, rng)

    def per_area(label, sessions, participants, extra=lambda: {}):
        return [(f"{label}（{n}）", n, {"sessions": rng.randint(*sessions),
                                       "participants": rng.randint(*participants), **extra()})
                for n in names]

    code = a.code
    if code == "CDK-001":   # 12 centres: wards plus 醍醐支所
        keep = [n for n in names if n not in ("洛西支所", "深草支所")]
        return [(f"地域介護予防推進センター（{n}）", n,
                 {"sessions": rng.randint(20, 45), "participants": rng.randint(300, 700)})
                for n in keep]
    if code == "CDK-002":
        return per_area("健康すこやか学級", (8, 30), (120, 480))
    if code == "CDK-003":
        return per_area("健康長寿サロン", (15, 60), (200, 900))
    if code == "CDK-004":   # coordinators: 8 areas this month
        chosen = sorted(rng.sample(names, 8), key=names.index)
        return [(f"支え合い活動創出コーディネーター（{n}）", n,
                 {"sessions": rng.randint(2, 8), "participants": rng.randint(20, 120),
                  "new_activities": rng.choices([0, 1], weights=[2, 1])[0],
                  "coordinated_initiatives": rng.choices([0, 1, 2], weights=[2, 3, 1])[0]})
                for n in chosen]
    if code == "CDK-005":
        chosen = sorted(rng.sample(names, 9), key=names.index)
        return [(f"地域活動支援センター第{i}（{n}）", n,
                 {"sessions": rng.randint(18, 22), "participants": rng.randint(150, 450)})
                for i, n in enumerate(chosen, start=1)]
    if code == "CDK-006":
        return per_area("児童館", (40, 150), (3800, 14000))
    if code == "CDK-007":
        return per_area("つどいの広場", (30, 70), (450, 1800))
    if code == "CDK-008":   # ~270 volunteer consultations, ~110 participants city-wide
        return per_area("区ボランティアセンター", (4, 12), (40, 200),
                        lambda: {"volunteer_consultations": rng.randint(12, 27),
                                 "connection_participants": rng.randint(4, 12)})
    if code == "CDK-009":
        chosen = sorted(rng.sample(CDK009_ACTIVITIES, 5), key=lambda x: names.index(x[1]))
        return [(f"{act}（{n}）", n,
                 {"sessions": rng.randint(2, 8), "participants": rng.randint(15, 80),
                  "new_activities": rng.choices([0, 1], weights=[2, 1])[0]})
                for act, n in chosen]
    raise ValueError(f"no F4 profile for {code}")


def site_area(site: str) -> str:
    """Sample site names end in （area name）."""
    return site[site.rindex("（") + 1:-1]


def plan_f4_same_sites(a: Agency, sites: list[str], rng: random.Random):
    """The month before's sites of CDK-004, 005 or 009 with this month's figures
    (the same ranges as plan_f4)."""
    out = []
    for site in sites:
        if a.code == "CDK-004":
            values = {"sessions": rng.randint(2, 8), "participants": rng.randint(20, 120),
                      "new_activities": rng.choices([0, 1], weights=[2, 1])[0],
                      "coordinated_initiatives": rng.choices([0, 1, 2], weights=[2, 3, 1])[0]}
        elif a.code == "CDK-005":
            values = {"sessions": rng.randint(18, 22), "participants": rng.randint(150, 450)}
        else:
            values = {"sessions": rng.randint(2, 8), "participants": rng.randint(15, 80),
                      "new_activities": rng.choices([0, 1], weights=[2, 1])[0]}
        out.append((site, site_area(site), values))
    return out


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
STYLES = {
    "title": {"font": Font(bold=True, size=14), "alignment": Alignment(vertical="center")},
    "label": {"font": Font(bold=True)},
    "section": {"font": Font(bold=True, size=12)},
    "value": {"border": BORDER},
    "header": {"font": Font(bold=True), "fill": HEADER_FILL, "border": BORDER,
               "alignment": Alignment(wrap_text=True, horizontal="center", vertical="center")},
    "rowlabel": {"border": BORDER},
    "data": {"border": BORDER},
    "text": {"border": BORDER, "alignment": Alignment(wrap_text=True, vertical="top")},
    "total_label": {"font": Font(bold=True), "border": BORDER, "fill": TOTAL_FILL},
    "total": {"font": Font(bold=True), "border": BORDER, "fill": TOTAL_FILL},
}


def write_xlsx(s: Sheet, path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = s.name
    for (r, c), cell in sorted(s.cells.items()):
        x = ws.cell(row=r, column=c)
        v = cell.value
        x.value = f"={v.expr}" if isinstance(v, Formula) else v
        for attr, val in STYLES[cell.style].items():
            setattr(x, attr, val)
        x.number_format = cell.fmt
    for rng in s.merges:
        ws.merge_cells(rng)
    for col, w in s.widths.items():
        ws.column_dimensions[col].width = w
    for row, h in s.heights.items():
        ws.row_dimensions[row].height = h
    p = wb.properties
    p.creator = p.lastModifiedBy = "kasane tools/make_samples.py"
    p.title = TITLES[s.name]
    p.created = p.modified = FIXED_TS
    wb.save(path)


def write_grid_csv(s: Sheet, path: Path):
    """Excel's 「CSV（コンマ区切り）」 save: the sheet's used range as displayed,
    rows padded to the used width (title merge A1:H1 makes it at least 8)."""
    used = [(r, c) for (r, c), cell in s.cells.items() if display(cell) != ""]
    max_r = max(r for r, _ in used)
    max_c = max([8] + [c for _, c in used])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for r in range(1, max_r + 1):
        w.writerow([display(s.cells.get((r, c))) for c in range(1, max_c + 1)])
    path.write_bytes(buf.getvalue().encode("cp932"))


def write_long_csv(a: Agency, fig: dict, attendance: int, path: Path):
    """Vendor case-system export: one row per attribute × metric, CP932, CRLF."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["機関コード", "対象年月", "相談者属性", "集計項目", "件数"])
    for attr, attr_label in F1_ATTRS:
        for metric, label, _ in F1_METRICS:
            w.writerow([a.code, YYYYMM, attr_label, label, fig[attr][metric]])
    w.writerow([a.code, YYYYMM, "", F1_ATTENDANCE_LABEL, attendance])
    path.write_bytes(buf.getvalue().encode("cp932"))


def normalize_xlsx(src: Path, dst: Path):
    """Rewrite the ZIP with fixed timestamps and a fixed modified date."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TS.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + stamp + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TS.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)


def recalc_with_libreoffice(files: list[Path], work: Path) -> dict[Path, Path]:
    """Re-save xlsx files through headless LibreOffice so formulas carry cached
    values. Returns source → re-saved file."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("soffice not found: install libreoffice-calc-nogui, or run with "
                 "--no-libreoffice to write 合計 cells as typed numbers")
    out = work / "lo-out"
    out.mkdir()
    profile = (work / "lo-profile").as_uri()
    result = {}
    for chunk in range(0, len(files), 40):
        batch = files[chunk:chunk + 40]
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                        "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out)]
                       + [str(f) for f in batch],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for f in batch:
            saved = out / f.name
            if not saved.exists():
                sys.exit(f"LibreOffice did not convert {f.name}")
            result[f] = saved
    return result


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def month_value(variant: str):
    return dt.datetime(YEAR, MONTH, 1) if variant == DATE_CELL else variant


def load_prev_figures(ym: str) -> dict[str, dict[str, dict[str, int]]] | None:
    """agency → key → metric → value of meta/<ym>-figures.csv, read from the
    output folder if it holds that month, else from the bundled samples."""
    for base in (OUT_DIR, ROOT / "samples" / "kyoto"):
        path = base / "meta" / f"{ym}-figures.csv"
        if path.is_file():
            break
    else:
        return None
    prev: dict = defaultdict(lambda: defaultdict(dict))
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            prev[r["agency_code"]][r["key"]][r["metric"]] = int(r["value"])
    return prev


def sites_of(prev_agency: dict) -> list[str]:
    """A programme's F4 site names the month before, in its row order."""
    return list(prev_agency)


def main():
    global OUT_DIR
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--month", default=FIRST_MONTH, metavar="YYYY-MM",
                    help=f"month to generate (default {FIRST_MONTH}; known: {', '.join(MONTHS)})")
    ap.add_argument("--out", type=Path, default=OUT_DIR, metavar="DIR",
                    help="folder to write into instead of samples/kyoto (e.g. to compare a "
                         "regenerated month with the bundled one)")
    ap.add_argument("--no-libreoffice", action="store_true",
                    help="write 合計 cells as typed numbers instead of formulas")
    args = ap.parse_args()
    typed = args.no_libreoffice
    set_month(args.month)
    OUT_DIR = args.out.resolve()
    first = args.month == FIRST_MONTH
    prev = None
    if not first:
        before = prev_month_of(YEAR, MONTH)
        prev = load_prev_figures(before)
        if prev is None:
            sys.exit(f"meta/{before}-figures.csv not found: generate {before} first")

    agencies, areas = load_registry()
    assert len(agencies) == 109, len(agencies)
    meetings = plan_meetings(agencies)
    attendance = meetings_attended(meetings)
    ref_totals, received = plan_referrals(agencies)
    by_code = {a.code: a for a in agencies}

    # Month header variant per unit: round-robin over a shuffled list.
    order = [a.code for a in agencies]
    rng_for("month-variants").shuffle(order)
    month_variant = {code: MONTH_VARIANTS[i % len(MONTH_VARIANTS)] for i, code in enumerate(order)}

    variant_log: list[tuple] = []
    returns = []   # (agency, stem, sheet, filler, extra)
    for a in agencies:
        stem = f"{a.code}_{YYYYMM}_{a.form}"
        rng = rng_for(f"figures:{a.code}")
        writer = rng.choice(WRITER_TITLES.get(a.type, DEFAULT_WRITER_TITLES))
        month = month_value(month_variant[a.code])
        filler = Filler(stem, a, Sheet(a.form), rng_for(f"variants:{a.code}"), variant_log)
        extra = {}
        before = None if prev is None else prev[a.code]
        if a.form == "F1":
            fig = plan_f1(a, ref_totals[a.code], rng, before)
            note = rng.choice(F1_NOTES) if rng.random() < 0.25 else None
            extra = {"fig": fig, "attendance": attendance.get(a.code, 0)}
            build_f1(a, month, writer, fig, extra["attendance"], note, filler, typed)
        elif a.form == "F2":
            plan = meetings[a.code]
            plan["items"] = plan_f2_items(plan["cases"], rng)
            plan["referrals"] = [(code, by_code[code].name, n)
                                 for code, n in sorted(received[a.code].items())]
            build_f2(a, month, writer, plan, filler, typed)
        elif a.form == "F3":
            rows = plan_f3(areas, rng, before)
            if before is None:
                add_running_totals(a.code, rows)
            else:
                continue_running_totals(a.code, rows, before)
            build_f3(a, month, writer, rows, areas, filler, typed)
        elif a.form == "F4":
            sites = plan_f4(a, areas, rng, None if before is None else sites_of(before))
            if before is None:
                add_running_totals(a.code, {name: values for name, _, values in sites})
            else:
                continue_running_totals(a.code, {name: values for name, _, values in sites},
                                        before)
            build_f4(a, month, writer, sites, filler, typed)
        returns.append((a, stem, filler, extra))

    # Fresh output folders (only the generated ones). The templates carry the
    # first month's timestamps: only that month's run rewrites them.
    templates_dir = OUT_DIR / "templates"
    month_dir = OUT_DIR / f"{YEAR}-{MONTH:02d}"
    export_dir = OUT_DIR / "csv-exports" / f"{YEAR}-{MONTH:02d}"
    meta_dir = OUT_DIR / "meta"
    for d in ((templates_dir,) if first else ()) + (month_dir, export_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    # meta/ also holds tools/make_samples_f5.py's FY*-costs.csv: replace only
    # this month's side files.
    meta_dir.mkdir(parents=True, exist_ok=True)
    for old in meta_dir.glob(f"{YEAR}-{MONTH:02d}-*.csv"):
        old.unlink()

    with tempfile.TemporaryDirectory(prefix="kasane-samples-") as tmp:
        work = Path(tmp)
        raw = work / "raw"
        raw.mkdir()
        pending: list[tuple[Path, Path]] = []   # raw xlsx → final path

        templates = [build_f1(), build_f2(), build_f3(areas=areas), build_f4(),
                     build_f5_template()] if first else []
        for s in templates:
            src = raw / f"{s.name}.xlsx"
            write_xlsx(s, src)
            pending.append((src, templates_dir / f"{s.name}.xlsx"))

        for a, stem, filler, extra in returns:
            write_grid_csv(filler.sheet, export_dir / f"{stem}.csv")
            fmt = return_format(a)
            if fmt == "xlsx":
                src = raw / f"{stem}.xlsx"
                write_xlsx(filler.sheet, src)
                pending.append((src, month_dir / f"{stem}.xlsx"))
            elif fmt == "long_csv":
                write_long_csv(a, extra["fig"], extra["attendance"], month_dir / f"{stem}.csv")
            else:
                write_grid_csv(filler.sheet, month_dir / f"{stem}.csv")

        saved = {src: src for src, _ in pending} if typed else \
            recalc_with_libreoffice([src for src, _ in pending], work)
        for src, dst in pending:
            normalize_xlsx(saved[src], dst)

    write_meta(meta_dir, returns, meetings, month_variant, variant_log)
    n_records = sum(len(f.figures) for _, _, f, _ in returns)
    print(f"templates: {len(templates)}, returns: {len(returns)}, "
          f"text variants: {sum(1 for v in variant_log if v[2] != 'typed_total')}, "
          f"figures (expected records): {n_records}")


def write_meta(meta_dir: Path, returns, meetings, month_variant, variant_log):
    """UTF-8 side files for tests: every figure, the case list, and the variants."""
    ym = f"{YEAR}-{MONTH:02d}"

    def ext(a):
        return "xlsx" if return_format(a) == "xlsx" else "csv"

    with open(meta_dir / f"{ym}-figures.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["month", "agency_code", "form", "key", "metric", "value", "file",
                    "sheet_cell"])
        for a, stem, filler, _ in returns:
            for key, metric, value, cell in filler.figures:
                w.writerow([ym, a.code, a.form, key, metric, value, f"{stem}.{ext(a)}", cell])

    with open(meta_dir / f"{ym}-cases.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["month", "center_agency_code", "case_id", "meeting_kind", "meeting_date",
                    "issues", "participants", "lead_agency"])
        for code, plan in meetings.items():
            for c in plan["cases"]:
                w.writerow([ym, code, c["id"], c["kind"], c["date"].isoformat(),
                            ";".join(c["issues"]), ";".join(c["participants"]), c["lead"]])

    with open(meta_dir / f"{ym}-variants.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file_stem", f"format_{YEAR}_{MONTH:02d}", "cell", "kind", "text", "value"])
        fmt = {stem: return_format(a) for a, stem, _, _ in returns}
        for a, stem, _, _ in returns:
            v = month_variant[a.code]
            text = f"{YEAR}年{MONTH}月" if v == DATE_CELL else v
            w.writerow([stem, fmt[stem], "B3", "month_date_cell" if v == DATE_CELL
                        else "month_text", text, ym])
        for stem, cell, kind, text, value in variant_log:
            w.writerow([stem, fmt[stem], cell, kind, text, value])
        for code, plan in meetings.items():
            stem = f"{code}_{YYYYMM}_F2"
            w.writerow([stem, fmt[stem], "E (case list)", "participant_separator",
                        plan["separator"].replace("\n", "\\n"), ""])


if __name__ == "__main__":
    main()
