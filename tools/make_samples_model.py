#!/usr/bin/env python3
"""Generate kasane's bundled sample data for the model ward (seed 002).

Writes, under samples/model/:
  templates/F1.xlsx … F4.xlsx   blank templates of the model ward
                                (samples/model/LAYOUT.md)
  2025-04/                      one return per reporting unit, April 2025
  meta/2025-04-*.csv            what the generator put where (figures, case
                                list with roles, deliberate text variants)

Usage:  python3 tools/make_samples_model.py [--no-libreoffice]

The registry is mappings/model/ (built from seed 002; illustrative names and
codes).  The approach is tools/make_samples.py's, whose generic pieces (sheet
model, Filler, LibreOffice re-save, ZIP normalisation) are imported: openpyxl
writes the workbooks, headless LibreOffice re-saves them so the 合計 formulas
carry cached values, CSVs are CP932 with CRLF.  Fixed seeds, fixed document
properties and ZIP timestamps: two runs give byte-identical files.

The case list is modelled on the seed's two 事例 (support meetings with the
agencies taking part and a role per agency).  It is anonymous: case ids,
issue tags, agency codes and role texts only.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_samples import (  # noqa: E402  (generic helpers of the Kyoto generator)
    DATE_FMT, MONTH_FMT, NUM_FMT, STYLES, Filler, Formula, Sheet, a1, display,
    normalize_xlsx, recalc_with_libreoffice,
)

ROOT = Path(__file__).resolve().parent.parent
REGISTRY_DIR = ROOT / "mappings" / "model"
OUT_DIR = ROOT / "samples" / "model"

SEED = 20250402
YEAR, MONTH = 2025, 4
YM = f"{YEAR}-{MONTH:02d}"
YYYYMM = f"{YEAR}{MONTH:02d}"
YYMM = f"{YEAR % 100:02d}{MONTH:02d}"
FIXED_TS = dt.datetime(2025, 5, 8, 9, 0, 0)
CREATOR = "kasane tools/make_samples_model.py"

DATE_CELL = "<date cell>"
MONTH_VARIANTS = ["令和7年4月", "R7.4", "2025年4月", DATE_CELL, "2025/4", "令和７年４月"]

TITLES = {
    "F1": "包括的相談支援 月次報告（モデル区 様式F1）",
    "F2": "多機関協働 月次報告（モデル区 様式F2）",
    "F3": "参加支援・アウトリーチ 月次報告（モデル区 様式F3）",
    "F4": "地域づくり 月次報告（モデル区 様式F4）",
}

# F1: rows (attribute, label) and columns (metric, label, unit) in the model
# ward's order: consultations first, persons after.
F1_ATTRS = [("elderly", "高齢"), ("disability", "障がい"), ("child", "子ども・子育て"),
            ("poverty", "生活困窮"), ("other", "その他")]
F1_METRICS = [
    ("consultations", "延べ相談件数", "件"),
    ("visits", "うち訪問・同行", "件"),
    ("complex_cases", "うち複合的な課題を抱える相談", "件"),
    ("new_persons", "新規相談者数（実人数）", "人"),
    ("continuing_persons", "継続相談者数（実人数）", "人"),
    ("referrals_multi_agency", "多機関協働事業へのつなぎ件数", "件"),
    ("referrals_other", "他機関へのつなぎ件数", "件"),
]
F1_ATTENDANCE_LABEL = "重層支援会議への出席回数"

# The elderly-care centres' case system (f1_vendor_csv.toml).
VENDOR_ATTRS = {"elderly": "高齢", "disability": "障害", "child": "子ども",
                "poverty": "生活困窮", "other": "その他"}
VENDOR_METRICS = {
    "new_persons": "新規相談実人数", "continuing_persons": "継続相談実人数",
    "consultations": "相談延べ件数", "visits": "訪問・同行件数",
    "complex_cases": "複合課題相談件数", "referrals_multi_agency": "多機関協働つなぎ件数",
    "referrals_other": "他機関つなぎ件数",
}
VENDOR_ORDER = ["new_persons", "continuing_persons", "consultations", "visits",
                "complex_cases", "referrals_multi_agency", "referrals_other"]
VENDOR_ATTENDANCE = "重層支援会議出席回数"

F2_ITEMS = [
    ("meetings_with_consent", "重層的支援会議 開催回数", "回"),
    ("cases_with_consent", "重層的支援会議 検討事案数", "件"),
    ("meetings_without_consent", "支援会議 開催回数", "回"),
    ("cases_without_consent", "支援会議 検討事案数", "件"),
    ("plans_created", "支援プラン作成件数（新規）", "件"),
    ("plans_reviewed", "支援プラン評価件数", "件"),
    ("plans_closed", "支援終結件数", "件"),
]
KIND_LABEL = {"consent": "重層的支援会議", "no_consent": "支援会議"}
CASE_HEADERS = ["事案番号", "会議区分", "開催日", "担当地区", "課題（タグ）", "参加機関コード",
                "主担当機関コード", "役割分担"]

F3_METRICS = [
    ("staff", "CSW配置数", "人"),
    ("outreach_active", "継続支援対象者数（月末）", "人"),
    ("outreach_new", "新規把握件数", "件"),
    ("outreach_visits", "訪問・同行件数", "件"),
    ("outreach_closed", "アウトリーチ終結件数", "件"),
    ("participation_active", "参加支援対象者数（月末）", "人"),
    ("participation_matches", "マッチング件数", "件"),
    ("participation_followups", "定着支援件数", "件"),
    ("participation_hosts_developed", "受入先開拓件数", "件"),
]

F4_METRICS = [
    ("sessions", "実施回数", "回"),
    ("participants", "参加者数（延べ）", "人"),
    ("new_activities", "新たに生まれた・充実した地域活動数", "件"),
    ("coordinated_initiatives", "協議体を通じて支援した取組数", "件"),
    ("volunteer_consultations", "ボランティアセンター相談対応件数", "件"),
    ("connection_participants", "つながりを促進する場への参加者数", "人"),
]

WRITER_TITLES = {
    "F1": ["相談支援員", "社会福祉士", "主任介護支援専門員", "保健師", "係長"],
    "F2": ["事業担当", "係長"],
    "F3": ["統括CSW", "事務局"],
    "F4": ["事業担当", "コーディネーター", "事務局"],
}
F1_NOTES = ["特になし", "年度当初のため新規相談が増加", "出張相談会を実施"]


def rng_for(purpose: str) -> random.Random:
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
    areas: tuple[str, ...]
    form: str
    reports: str

    @property
    def city_wide(self) -> bool:
        return self.areas == ("ALL",)


def load_registry():
    with open(REGISTRY_DIR / "agencies.csv", encoding="utf-8", newline="") as f:
        agencies = [Agency(r["agency_code"], r["agency_name"], r["agency_type"], r["field"],
                           tuple(r["area"].split(";")), r["form"], r["reports"])
                    for r in csv.DictReader(f)]
    with open(REGISTRY_DIR / "areas.csv", encoding="utf-8", newline="") as f:
        areas = [(r["area_code"], r["area_name"]) for r in csv.DictReader(f)]
    return agencies, areas


def return_format(a: Agency) -> str:
    """xlsx, long_csv (case-system export) or grid_csv (Excel's CSV save)."""
    if a.code in ("HKT-02", "HKT-04"):
        return "long_csv"
    if a.type == "利用者支援事業" or a.code == "HRB-01":
        return "grid_csv"
    return "xlsx"


# --------------------------------------------------------------------------
# Sheets (samples/model/LAYOUT.md)
# --------------------------------------------------------------------------

def header_block(s: Sheet, form: str, month=None, agency: Agency | None = None, writer=None):
    """Rows 1–7: labels in A (merged A:B), values two cells to the right in C."""
    s.put(1, 1, TITLES[form], "title")
    s.merges.append("A1:H1")
    s.heights[1] = 24
    rows = [(2, "様式ID", f"model-{form}-v1"), (3, "報告月", month),
            (4, "事業所コード", agency.code if agency else None),
            (5, "事業所名", agency.name if agency else None)]
    if form == "F1":
        rows.append((6, F1_ATTENDANCE_LABEL, None))
    rows.append((7, "記入者（職名）", writer))
    for r, label, value in rows:
        s.put(r, 1, label, "label")
        s.merges.append(f"A{r}:B{r}")
        if isinstance(value, dt.date):
            s.put(r, 3, value, "value", MONTH_FMT)
        else:
            s.put(r, 3, value, "value")
    s.merges.append("C5:F5")


def header_row(s: Sheet, row: int, labels: list[str], height=48):
    for i, label in enumerate(labels):
        s.put(row, 1 + i, label, "header")
    s.heights[row] = height


def total_row(s: Sheet, filler: Filler | None, row: int, cols: range, first: int, typed: bool):
    s.put(row, 1, "合計", "total_label")
    for col in cols:
        if filler:
            filler.total(row, col, first, row - 1, typed=typed)
        else:
            L = get_column_letter(col)
            s.put(row, col, Formula(f"SUM({L}{first}:{L}{row - 1})", 0), "total", NUM_FMT)


def build_f1(agency=None, month=None, writer=None, fig=None, attendance=None, note=None,
             filler: Filler | None = None, typed=False) -> Sheet:
    s = filler.sheet if filler else Sheet("F1")
    header_block(s, "F1", month, agency, writer)
    if filler:
        filler.number(6, 3, attendance, "回", "", "meeting_attendance", fmt="General",
                      style="value")
    header_row(s, 9, ["主な属性"] + [label for _, label, _ in F1_METRICS])
    for i, (attr, label) in enumerate(F1_ATTRS):
        r = 10 + i
        s.put(r, 1, label, "rowlabel")
        for j, (metric, _, unit) in enumerate(F1_METRICS):
            if filler:
                filler.number(r, 2 + j, fig[attr][metric], unit, attr, metric)
            else:
                s.put(r, 2 + j, None, "data", NUM_FMT)
    total_row(s, filler, 15, range(2, 2 + len(F1_METRICS)), 10, typed)
    s.put(17, 1, "備考", "label")
    s.merges.append("A17:B17")
    s.put(17, 3, note)
    s.widths = {"A": 14, "B": 14, **{get_column_letter(c): 15 for c in range(3, 9)}}
    return s


def build_f2(agency=None, month=None, writer=None, plan=None, filler: Filler | None = None,
             typed=False) -> Sheet:
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
    refs = plan["referrals"] if filler else [None] * 8
    r = 21
    for ref in refs:
        if ref:
            code, name, n = ref
            s.put(r, 1, code, "data")
            s.put(r, 2, name, "data")
            filler.number(r, 3, n, "件", code, "referrals_received")
        else:
            for c in (1, 2, 3):
                s.put(r, c, None, "data", NUM_FMT if c == 3 else "General")
        r += 1
    s.put(r, 2, None, "total")
    total_row(s, filler, r, range(3, 4), 21, typed)
    r += 2
    s.put(r, 1, "3. 検討事案一覧（氏名・連絡先など個人を特定できる情報は記入しないこと）", "section")
    r += 1
    header_row(s, r, CASE_HEADERS, height=20)
    r += 1
    if filler:
        for case in plan["cases"]:
            s.put(r, 1, case["id"], "data")
            s.put(r, 2, KIND_LABEL[case["kind"]], "data")
            s.put(r, 3, case["date"], "data", DATE_FMT)
            s.put(r, 4, case["district"], "data")
            s.put(r, 5, "・".join(case["issues"]), "data")
            s.put(r, 6, "\n".join(case["participants"]), "text")
            s.put(r, 7, case["lead"], "data")
            s.put(r, 8, "\n".join(f"{code}：{role}" for code, role in case["roles"]), "text")
            r += 1
    else:
        for _ in range(10):
            for c in range(1, 9):
                s.put(r, c, None, "data", DATE_FMT if c == 3 else "General")
            r += 1
    s.widths = {"A": 30, "B": 40, "C": 12, "D": 12, "E": 30, "F": 14, "G": 16, "H": 70}
    return s


def build_f3(agency=None, month=None, writer=None, rows=None, areas=None,
             filler: Filler | None = None, typed=False) -> Sheet:
    s = filler.sheet if filler else Sheet("F3")
    header_block(s, "F3", month, agency, writer)
    # Group labels over the sub-columns (row 8): a note row for kasane.
    s.put(8, 3, "アウトリーチ等を通じた継続的支援", "section")
    s.merges.append("C8:F8")
    s.put(8, 7, "参加支援", "section")
    s.merges.append("G8:J8")
    header_row(s, 9, ["地区"] + [label for _, label, _ in F3_METRICS])
    keys = [(code, name) for code, name in areas] + [("HQ", "統括")]
    for i, (key, name) in enumerate(keys):
        r = 10 + i
        s.put(r, 1, name, "rowlabel")
        for j, (metric, _, unit) in enumerate(F3_METRICS):
            if filler:
                filler.number(r, 2 + j, rows[key][metric], unit, key, metric)
            else:
                s.put(r, 2 + j, None, "data", NUM_FMT)
    total_row(s, filler, 10 + len(keys), range(2, 2 + len(F3_METRICS)), 10, typed)
    s.widths = {"A": 14, **{get_column_letter(c): 13 for c in range(2, 11)}}
    return s


def build_f4(agency=None, month=None, writer=None, sites=None, filler: Filler | None = None,
             typed=False) -> Sheet:
    s = filler.sheet if filler else Sheet("F4")
    header_block(s, "F4", month, agency, writer)
    header_row(s, 9, ["事業・拠点名", "地区"] + [label for _, label, _ in F4_METRICS], height=64)
    rows = sites if filler else [None] * 16
    r = 10
    for site in rows:
        if site:
            name, area_name, values = site
            s.put(r, 1, name, "data")
            s.put(r, 2, area_name, "data")
            for j, (metric, _, unit) in enumerate(F4_METRICS):
                v = values.get(metric)
                if v is None:
                    s.put(r, 3 + j, None, "data", NUM_FMT)
                else:
                    filler.number(r, 3 + j, v, unit, name, metric)
        else:
            for c in range(1, 9):
                s.put(r, c, None, "data", NUM_FMT if c >= 3 else "General")
        r += 1
    s.put(r, 2, None, "total")
    total_row(s, filler, r, range(3, 3 + len(F4_METRICS)), 10, typed)
    s.widths = {"A": 44, "B": 12, **{get_column_letter(c): 16 for c in range(3, 9)}}
    return s


# --------------------------------------------------------------------------
# April 2025: meetings modelled on the seed's 事例, referrals, figures
# --------------------------------------------------------------------------

# Meetings of the hub (TKK-01), all on working days of April 2025.
# Each case: id, district, issues, participants, lead, roles (code, role).
# The participants of 事例1 / 事例2 are the seed's 支援関係機関; their roles are
# the seed's 支援方針・役割分担, reworded, with no personal detail.
MEETINGS = [
    ("no_consent", dt.date(2025, 4, 3), [
        {"id": f"TK-{YYMM}-01", "district": "D01",
         "issues": ["就労", "住居喪失", "精神疾患", "家族関係"],
         "participants": ["TKK-01", "SFK-01", "FSS-01", "SGK-01", "CHK-01", "CSW-01"],
         "lead": "FSS-01",
         "roles": [("FSS-01", "医療受診の必要性について本人の理解を深め、受診と診断につなげる"),
                   ("FSS-01", "診断結果を受けて、特性を理解した継続的な支援を行う若者支援の事業・団体につなぐ")]},
        {"id": f"TK-{YYMM}-02", "district": "D03",
         "issues": ["精神疾患", "難病", "金銭管理"],
         "participants": ["TKK-01", "FSS-01", "SGK-01", "CHK-01", "RYS-01", "HKT-03", "CSW-01"],
         "lead": "HKT-03",
         "roles": [("CHK-01", "精神疾患の治療のため訪問診療と訪問看護を導入し、自立支援医療を申請する"),
                   ("HKT-03", "配偶者の病状の進行に合わせて、必要な医療・介護サービスを導入する"),
                   ("RYS-01", "子の状況を把握し、必要に応じて心理職の面談につなぐ"),
                   ("FSS-01", "世帯の経済状況を把握し、必要に応じて家計相談につなぐ"),
                   ("HKT-03", "住環境の改善のため、自費の清掃ヘルパーの利用を調整する")]},
    ]),
    ("consent", dt.date(2025, 4, 10), [
        # 事例1, examined again after the person's consent.
        {"id": f"TK-{YYMM}-01", "district": "D01",
         "issues": ["就労", "住居喪失", "精神疾患", "家族関係"],
         "participants": ["TKK-01", "FSS-01", "CHK-01", "CSW-01"],
         "lead": "FSS-01",
         "roles": [("FSS-01", "住まいの確保に向けた手続きに同行する"),
                   ("CHK-01", "受診の結果を共有し、服薬の継続を支える"),
                   ("CSW-01", "若者の居場所と就労体験の受入先を開拓し、マッチングする")]},
        {"id": f"TK-{YYMM}-03", "district": "D01",
         "issues": ["介護", "家族関係"],
         "participants": ["TKK-01", "HKT-01", "KIK-01"],
         "lead": "HKT-01",
         "roles": [("HKT-01", "介護サービスの利用を調整し、介護者の負担を軽くする"),
                   ("KIK-01", "同居する家族の障害福祉サービスの利用を調整する")]},
    ]),
    ("no_consent", dt.date(2025, 4, 17), [
        {"id": f"TK-{YYMM}-04", "district": "D05",
         "issues": ["ひきこもり", "就労"],
         "participants": ["TKK-01", "CSW-01", "FSS-01", "CHK-01", "HKT-05"],
         "lead": "CSW-01",
         "roles": [("CSW-01", "訪問を続けて信頼関係を築き、本人の希望を確かめる"),
                   ("FSS-01", "世帯の家計の状況を確かめる"),
                   ("HKT-05", "親の介護の相談を受け、世帯の状況を共有する")]},
        {"id": f"TK-{YYMM}-05", "district": "D02",
         "issues": ["子育て", "金銭管理"],
         "participants": ["TKK-01", "RYS-02", "FSS-01", "SFK-01"],
         "lead": "RYS-02",
         "roles": [("RYS-02", "子育ての相談を継続し、ひろばの利用につなぐ"),
                   ("FSS-01", "家計の見直しを一緒に行う")]},
    ]),
    ("consent", dt.date(2025, 4, 24), [
        {"id": f"TK-{YYMM}-06", "district": "D04",
         "issues": ["精神疾患", "住居喪失"],
         "participants": ["TKK-01", "KIK-01", "SGK-01", "CHK-01", "HKT-04", "FSS-01"],
         "lead": "KIK-01",
         "roles": [("KIK-01", "地域移行に向けて相談支援を行う"),
                   ("FSS-01", "住まいの確保に向けて住居の情報を提供する"),
                   ("HKT-04", "同居する親の見守りを続ける")]},
        {"id": f"TK-{YYMM}-07", "district": "D05",
         "issues": ["難病", "介護", "金銭管理"],
         "participants": ["TKK-01", "HKT-05", "CHK-01", "RYS-04"],
         "lead": "HKT-05",
         "roles": [("HKT-05", "介護保険の申請を支援する"),
                   ("CHK-01", "療養の相談と受診の支援を行う"),
                   ("RYS-04", "きょうだいの子育ての相談を受ける")]},
    ]),
]


def plan_cases(area_names: dict[str, str]) -> list[dict]:
    cases = []
    for kind, date, rows in MEETINGS:
        for c in rows:
            assert {code for code, _ in c["roles"]} <= set(c["participants"]), c["id"]
            assert c["lead"] in c["participants"], c["id"]
            cases.append({**c, "kind": kind, "date": date,
                          "district": area_names[c["district"]]})
    return cases


def meetings_attended(cases: list[dict]) -> dict[str, int]:
    """Agency code → distinct meetings (centre, kind, date) naming it."""
    seen = defaultdict(set)
    for c in cases:
        for p in set(c["participants"]) | {c["lead"]} | {code for code, _ in c["roles"]}:
            seen[p].add(("TKK-01", c["kind"], c["date"]))
    return {k: len(v) for k, v in seen.items()}


def plan_referrals(f1: list[Agency]) -> dict[str, int]:
    """Referrals each F1 agency sent to the hub this month (all received by TKK-01)."""
    rng = rng_for("referrals")
    share = {"福祉の総合相談窓口": 1.0, "基幹相談支援センター": 0.9,
             "地域包括支援センター": 0.6, "利用者支援事業": 0.5}
    totals = {}
    for a in f1:
        if rng.random() < share[a.type]:
            top = 4 if a.city_wide else 2
            totals[a.code] = rng.randint(1, top)
        else:
            totals[a.code] = 0
    return totals


F1_PROFILES = {
    "福祉の総合相談窓口": {"elderly": (8, 25), "disability": (6, 18), "child": (3, 10),
                  "poverty": (70, 140), "other": (8, 20)},
    "地域包括支援センター": {"elderly": (45, 130), "disability": (0, 6), "child": (0, 3),
                   "poverty": (0, 6), "other": (0, 4)},
    "基幹相談支援センター": {"elderly": (2, 10), "disability": (60, 140), "child": (3, 12),
                   "poverty": (2, 8), "other": (0, 5)},
    "利用者支援事業": {"elderly": (0, 1), "disability": (0, 4), "child": (20, 80),
                "poverty": (0, 4), "other": (0, 3)},
}
VISIT_RATES = {"福祉の総合相談窓口": (0.05, 0.15), "地域包括支援センター": (0.3, 0.5),
               "基幹相談支援センター": (0.2, 0.4), "利用者支援事業": (0.05, 0.2)}


def plan_f1(a: Agency, referrals: int, rng: random.Random) -> dict[str, dict[str, int]]:
    profile = F1_PROFILES[a.type]
    consult = {attr: rng.randint(*profile[attr]) for attr, _ in F1_ATTRS}
    refs = Counter()
    attrs = [attr for attr, _ in F1_ATTRS]
    for _ in range(referrals):
        refs[rng.choices(attrs, weights=[consult[x] for x in attrs])[0]] += 1
    rows = {}
    for attr in attrs:
        c = max(consult[attr], refs[attr])
        if c == 0:
            rows[attr] = {m: 0 for m, _, _ in F1_METRICS}
            continue
        persons = max(1, round(c / rng.uniform(1.4, 2.8)))
        new = round(persons * rng.uniform(0.25, 0.55))
        lo, hi = VISIT_RATES[a.type]
        rows[attr] = {
            "new_persons": new,
            "continuing_persons": persons - new,
            "consultations": c,
            "visits": min(c, round(c * rng.uniform(lo, hi))),
            "complex_cases": min(c, max(refs[attr], round(c * rng.uniform(0.03, 0.15)))),
            "referrals_multi_agency": refs[attr],
            "referrals_other": min(c, round(c * rng.uniform(0.02, 0.12))),
        }
    return rows


def plan_f2_items(cases: list[dict], rng: random.Random) -> dict[str, int]:
    def count(kind):
        rows = [c for c in cases if c["kind"] == kind]
        return len({c["date"] for c in rows}), len(rows)
    m_c, c_c = count("consent")
    m_n, c_n = count("no_consent")
    reviewed = rng.choice([1, 2, 3])
    return {"meetings_with_consent": m_c, "cases_with_consent": c_c,
            "meetings_without_consent": m_n, "cases_without_consent": c_n,
            "plans_created": rng.randint((c_c + 1) // 2, c_c),
            "plans_reviewed": reviewed, "plans_closed": rng.randint(0, min(reviewed, 1))}


def plan_f3(areas, rng: random.Random) -> dict[str, dict[str, int]]:
    rows = {}
    for code, _ in areas:   # 5地区担当制: one or two CSW per district
        rows[code] = {
            "staff": rng.choice([1, 2]),
            "outreach_active": rng.randint(3, 10),
            "outreach_new": rng.choices([0, 1, 2], weights=[3, 4, 2])[0],
            "outreach_visits": rng.randint(5, 20),
            "outreach_closed": rng.choices([0, 1], weights=[4, 1])[0],
            "participation_active": rng.randint(1, 5),
            "participation_matches": rng.choices([0, 1, 2], weights=[4, 3, 1])[0],
            "participation_followups": rng.randint(0, 4),
            "participation_hosts_developed": rng.choices([0, 1], weights=[3, 1])[0],
        }
    rows["HQ"] = {m: 0 for m, _, _ in F3_METRICS}
    rows["HQ"].update(staff=1, outreach_visits=rng.randint(0, 3),
                      participation_hosts_developed=rng.randint(0, 2))
    return rows


HIROBA_PLAN = [  # (district code, operation) for the 16 子育てひろば of ⑨
    ("D01", "直営"), ("D01", "委託"), ("D01", "民間"), ("D01", "民間"),
    ("D02", "直営"), ("D02", "委託"), ("D02", "民間"),
    ("D03", "直営"), ("D03", "委託"), ("D03", "民間"),
    ("D04", "直営"), ("D04", "委託"), ("D04", "民間"),
    ("D05", "委託"), ("D05", "民間"), ("D05", "民間"),
]


def plan_f4(a: Agency, areas, rng: random.Random) -> list[tuple[str, str, dict]]:
    name_of = dict(areas)
    codes = [code for code, _ in areas]
    if a.code == "KYB-01":   # ⑥ 直営, two bases (中央・南部)
        rows = [(f"介護予防出前講座（{name_of[c]}）", name_of[c],
                 {"sessions": rng.randint(2, 6), "participants": rng.randint(30, 120)})
                for c in codes]
        for c in ("D01", "D04"):
            rows.append((f"介護予防講習会（{name_of[c]}拠点）", name_of[c],
                         {"sessions": rng.randint(4, 8), "participants": rng.randint(60, 160)}))
        rows.append(("シニア健康応援隊養成講座・活動支援", name_of["D01"],
                     {"sessions": rng.randint(1, 3), "participants": rng.randint(15, 40)}))
        rows.append(("シニアいきいきポイント事業（活動登録・交換会）", name_of["D04"],
                     {"sessions": rng.randint(1, 2), "participants": rng.randint(40, 90)}))
        return rows
    if a.code == "SST-01":   # ⑦ coordinators, 5地区担当制
        return [(f"生活支援コーディネーター（{name_of[c]}）", name_of[c],
                 {"sessions": rng.randint(2, 6), "participants": rng.randint(20, 80),
                  "new_activities": rng.choices([0, 1], weights=[2, 1])[0],
                  "coordinated_initiatives": rng.choices([0, 1, 2], weights=[2, 3, 1])[0]})
                for c in codes]
    if a.code == "KTS-01":   # ⑧ one centre
        return [(f"地域活動支援センター {act}", name_of["D03"],
                 {"sessions": rng.randint(15, 21), "participants": rng.randint(120, 300)})
                for act in ("創作・生産活動", "地域交流の集い")]
    if a.code == "HRB-01":   # ⑨ 16 sites, 直営・委託・民間
        seq = Counter()
        rows = []
        for c, op in HIROBA_PLAN:
            seq[c] += 1
            rows.append((f"子育てひろば {name_of[c]}{seq[c]}（{op}）", name_of[c],
                         {"sessions": rng.randint(12, 22), "participants": rng.randint(150, 600)}))
        return rows
    if a.code == "CSW-02":   # ⑩ CSW community building, per district
        return [(f"地域のつながりづくり（{name_of[c]}）", name_of[c],
                 {"sessions": rng.randint(2, 8), "participants": rng.randint(20, 90),
                  "new_activities": rng.choices([0, 1], weights=[2, 1])[0],
                  "volunteer_consultations": rng.randint(3, 15),
                  "connection_participants": rng.randint(5, 25)})
                for c in codes]
    raise ValueError(f"no F4 profile for {a.code}")


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------

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
    p.creator = p.lastModifiedBy = CREATOR
    p.title = TITLES[s.name]
    p.created = p.modified = FIXED_TS
    wb.save(path)


def write_grid_csv(s: Sheet, path: Path):
    """Excel's 「CSV（コンマ区切り）」 save of the sheet: used range as displayed."""
    used = [(r, c) for (r, c), cell in s.cells.items() if display(cell) != ""]
    max_r = max(r for r, _ in used)
    max_c = max([8] + [c for _, c in used])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for r in range(1, max_r + 1):
        w.writerow([display(s.cells.get((r, c))) for c in range(1, max_c + 1)])
    path.write_bytes(buf.getvalue().encode("cp932"))


def write_long_csv(a: Agency, fig: dict, attendance: int, path: Path):
    """The centres' case-system export (f1_vendor_csv.toml), CP932, CRLF.
    Returns the figures as (key, metric, value, cell) with CSV cells."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["事業所番号", "集計月", "属性", "項目名", "値"])
    figures, row = [], 1
    for attr, _ in F1_ATTRS:
        for metric in VENDOR_ORDER:
            row += 1
            w.writerow([a.code, YM, VENDOR_ATTRS[attr], VENDOR_METRICS[metric], fig[attr][metric]])
            figures.append((attr, metric, fig[attr][metric], f"row {row}, column 5"))
    row += 1
    w.writerow([a.code, YM, "", VENDOR_ATTENDANCE, attendance])
    figures.append(("", "meeting_attendance", attendance, f"row {row}, column 5"))
    path.write_bytes(buf.getvalue().encode("cp932"))
    return figures


def grid_cell(cell: str) -> str:
    """A1 → the `row N, column M` kasane cites for CSV files."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return f"row {cell[len(letters):]}, column {col}"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-libreoffice", action="store_true",
                    help="write 合計 cells as typed numbers instead of formulas")
    args = ap.parse_args()
    typed = args.no_libreoffice

    agencies, areas = load_registry()
    area_names = dict(areas)
    units = [a for a in agencies if a.reports == "monthly"]
    f1 = [a for a in units if a.form == "F1"]
    known = {a.code for a in agencies}
    cases = plan_cases(area_names)
    for c in cases:
        for code in set(c["participants"]) | {c["lead"]}:
            assert code in known, code
    attendance = meetings_attended(cases)
    ref_totals = plan_referrals(f1)
    by_code = {a.code: a for a in agencies}

    order = [a.code for a in units]
    rng_for("month-variants").shuffle(order)
    month_variant = {code: MONTH_VARIANTS[i % len(MONTH_VARIANTS)] for i, code in enumerate(order)}

    variant_log: list[tuple] = []
    returns = []   # (agency, stem, filler, extra)
    for a in units:
        stem = f"{a.code}_{YYYYMM}_{a.form}"
        rng = rng_for(f"figures:{a.code}")
        writer = rng.choice(WRITER_TITLES[a.form])
        v = month_variant[a.code]
        month = dt.datetime(YEAR, MONTH, 1) if v == DATE_CELL else v
        filler = Filler(stem, a, Sheet(a.form), rng_for(f"variants:{a.code}"), variant_log,
                        variants=return_format(a) != "long_csv")
        extra = {}
        if a.form == "F1":
            fig = plan_f1(a, ref_totals[a.code], rng)
            note = rng.choice(F1_NOTES) if rng.random() < 0.3 else None
            extra = {"fig": fig, "attendance": attendance.get(a.code, 0)}
            build_f1(a, month, writer, fig, extra["attendance"], note, filler, typed)
        elif a.form == "F2":
            plan = {"cases": cases, "items": plan_f2_items(cases, rng),
                    "referrals": [(code, by_code[code].name, n)
                                  for code, n in sorted(ref_totals.items()) if n > 0]}
            build_f2(a, month, writer, plan, filler, typed)
        elif a.form == "F3":
            build_f3(a, month, writer, plan_f3(areas, rng), areas, filler, typed)
        elif a.form == "F4":
            build_f4(a, month, writer, plan_f4(a, areas, rng), filler, typed)
        returns.append((a, stem, filler, extra))

    templates_dir = OUT_DIR / "templates"
    month_dir = OUT_DIR / YM
    meta_dir = OUT_DIR / "meta"
    for d in (templates_dir, month_dir, meta_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)

    figures_out = []   # (agency, file, key, metric, value, cell)
    with tempfile.TemporaryDirectory(prefix="kasane-model-samples-") as tmp:
        work = Path(tmp)
        raw = work / "raw"
        raw.mkdir()
        pending = []
        for s in [build_f1(), build_f2(), build_f3(areas=areas), build_f4()]:
            src = raw / f"{s.name}.xlsx"
            write_xlsx(s, src)
            pending.append((src, templates_dir / f"{s.name}.xlsx"))
        for a, stem, filler, extra in returns:
            fmt = return_format(a)
            if fmt == "xlsx":
                src = raw / f"{stem}.xlsx"
                write_xlsx(filler.sheet, src)
                pending.append((src, month_dir / f"{stem}.xlsx"))
                figures_out += [(a, f"{stem}.xlsx", *f) for f in filler.figures]
            elif fmt == "long_csv":
                figs = write_long_csv(a, extra["fig"], extra["attendance"],
                                      month_dir / f"{stem}.csv")
                figures_out += [(a, f"{stem}.csv", *f) for f in figs]
            else:
                write_grid_csv(filler.sheet, month_dir / f"{stem}.csv")
                figures_out += [(a, f"{stem}.csv", k, m, v, grid_cell(c))
                                for k, m, v, c in filler.figures]
        saved = {src: src for src, _ in pending} if typed else \
            recalc_with_libreoffice([src for src, _ in pending], work)
        for src, dst in pending:
            normalize_xlsx(saved[src], dst)

    write_meta(meta_dir, returns, figures_out, cases, month_variant, variant_log)
    print(f"returns: {len(returns)}, figures (expected records): {len(figures_out)}, "
          f"case rows: {len(cases)}, text variants: "
          f"{sum(1 for v in variant_log if v[2] != 'typed_total')}")


def write_meta(meta_dir: Path, returns, figures_out, cases, month_variant, variant_log):
    with open(meta_dir / f"{YM}-figures.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["month", "agency_code", "form", "key", "metric", "value", "file", "cell"])
        for a, file, key, metric, value, cell in figures_out:
            w.writerow([YM, a.code, a.form, key, metric, value, file, cell])
    with open(meta_dir / f"{YM}-cases.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["month", "center_agency_code", "case_id", "meeting_kind", "meeting_date",
                    "issues", "participants", "lead_agency", "roles"])
        for c in cases:
            w.writerow([YM, "TKK-01", c["id"], c["kind"], c["date"].isoformat(),
                        ";".join(c["issues"]), ";".join(c["participants"]), c["lead"],
                        ";".join(f"{code}:{role}" for code, role in c["roles"])])
    with open(meta_dir / f"{YM}-variants.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file_stem", "format", "cell", "kind", "text", "value"])
        fmt = {stem: return_format(a) for a, stem, _, _ in returns}
        for a, stem, _, _ in returns:
            if fmt[stem] == "long_csv":
                continue
            v = month_variant[a.code]
            text = f"{YEAR}年{MONTH}月" if v == DATE_CELL else v
            w.writerow([stem, fmt[stem], "C3", "month_date_cell" if v == DATE_CELL
                        else "month_text", text, YM])
        for stem, cell, kind, text, value in variant_log:
            w.writerow([stem, fmt[stem], cell, kind, text, value])


if __name__ == "__main__":
    main()
