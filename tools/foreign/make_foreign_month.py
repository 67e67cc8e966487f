#!/usr/bin/env python3
"""Generate the "foreign" month of Kyoto returns (issue 14: read what other hands write).

Written from the words of spec §3 alone, laid out the way agencies' own
offices lay things out (not the city's templates). Deterministic figures
(fixed seed); every figure's cell is recorded in cells.csv so that
read_expected.py can read it back independently.

    python3 tools/foreign/make_foreign_month.py      # writes tests/fixtures/foreign_month/
    python3 tools/foreign/read_expected.py           # reads it back, writes expected_*.csv

Writers: openpyxl (.xlsx), LibreOffice headless (.xls, .ods and re-saved
.xlsx with recalculated formulas), Python's csv + cp932 / utf-8-sig codecs.
"""
import csv
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REG = os.path.join(ROOT, "mappings", "kyoto")
OUT = os.path.join(ROOT, "tests", "fixtures", "foreign_month")
MONTH = "2025-04"
MDIR = os.path.join(OUT, MONTH)
EDGE = os.path.join(OUT, "edge")
SEED = 20250401

rng = random.Random(SEED)

# ---------------------------------------------------------------- registry
AREAS = []  # (code, name)
with open(os.path.join(REG, "areas.csv"), encoding="utf-8") as f:
    for r in csv.DictReader(f):
        AREAS.append((r["area_code"], r["area_name"]))
AREA_NAME = dict(AREAS)
AGENCIES = []
with open(os.path.join(REG, "agencies.csv"), encoding="utf-8") as f:
    for r in csv.DictReader(f):
        AGENCIES.append(r)
AG = {a["agency_code"]: a for a in AGENCIES}
FIELD = {"高齢": "elderly", "障害": "disability", "子ども": "child", "生活困窮": "poverty", "横断": "cross"}
HFC_OF_AREA = {a["area"]: a["agency_code"] for a in AGENCIES if a["form"] == "F2"}
F1_AGENCIES = [a["agency_code"] for a in AGENCIES if a["form"] == "F1"]
F2_AGENCIES = [a["agency_code"] for a in AGENCIES if a["form"] == "F2"]
# Short area names for anonymous case ids (R7-04-北-001)
SHORT = {c: n.replace("区", "").replace("支所", "") for c, n in AREAS}

ATTRS = ["elderly", "disability", "child", "poverty", "other"]
ATTR_JA = {"elderly": "高齢者", "disability": "障害者", "child": "子ども・子育て", "poverty": "生活困窮", "other": "その他"}
PRIMARY = {"高齢": "elderly", "障害": "disability", "子ども": "child", "生活困窮": "poverty"}
F1M = ["new_persons", "continuing_persons", "consultations", "visits", "complex_cases",
       "referrals_multi_agency", "referrals_other"]
F1_LABEL = {
    "new_persons": "新規相談者数（実人数）",
    "continuing_persons": "継続相談者数（実人数）",
    "consultations": "延べ相談件数",
    "visits": "うち訪問・同行",
    "complex_cases": "うち複合的な課題を抱える相談",
    "referrals_multi_agency": "多機関協働事業へのつなぎ件数",
    "referrals_other": "他の支援関係機関へのつなぎ件数",
}
F2_PROJECT = {"meetings_with_consent": 5, "cases_with_consent": 5, "meetings_without_consent": 5,
              "cases_without_consent": 5, "plans_created": 6, "plans_reviewed": 6, "plans_closed": 6,
              "referrals_received": 5}
F3M = ["staff", "outreach_active", "outreach_new", "outreach_visits", "outreach_closed",
       "participation_active", "participation_matches", "participation_followups",
       "participation_hosts_developed"]
F3_PROJECT = {m: (2 if m.startswith("participation") else 4) for m in F3M}
F3_LABEL = {
    "staff": "支援員数", "outreach_active": "継続支援対象者数（月末）", "outreach_new": "新規把握件数",
    "outreach_visits": "訪問・同行件数", "outreach_closed": "支援終結件数",
    "participation_active": "支援対象者数（月末）", "participation_matches": "マッチング件数",
    "participation_followups": "定着支援件数", "participation_hosts_developed": "受入先開拓件数",
}
F4_LABEL = {
    "sessions": "開催回数", "participants": "参加者数（延べ）",
    "new_activities": "新たに生まれた・充実した地域活動数",
    "coordinated_initiatives": "地域支え合い活動調整会議を通じて支援した取組数",
    "volunteer_consultations": "ボランティアセンター相談対応件数",
    "connection_participants": "つながりを促進する場への参加者数",
}
KIND_JA = {"consent": "重層的支援会議", "no_consent": "支援会議"}
ISSUES = ["就労", "住居喪失", "精神疾患", "難病", "家族関係", "金銭管理", "ひきこもり", "介護", "虐待の疑い",
          "不登校", "多重債務", "ごみ屋敷", "8050"]
WRITER_ROLE = ["管理者", "主任相談員", "事務担当", "センター長", "相談支援係", "担当係長"]

# ---------------------------------------------------------------- figures (the intent)
F1 = {}      # agency -> {attr: {metric: v}}
ATT = {}     # agency -> meeting attendance
for code in F1_AGENCIES:
    a = AG[code]
    prim = PRIMARY[a["field"]]
    big = 1.0 if a["agency_type"] == "地域包括支援センター" else 1.6 if a["area"] == "ALL" else 1.2
    rows = {}
    for at in ATTRS:
        if at == prim:
            c = int(rng.randint(40, 160) * big)
        else:
            c = rng.choice([0, 0, 1, 2, 3, 5, 8, 12])
        new = rng.randint(0, c // 3)
        cont = rng.randint(0, max(0, (c - new) // 2))
        vis = rng.randint(0, c // 3)
        cx = rng.randint(0, c // 4)
        rma = (rng.choice([0, 0, 1, 1, 2, 3]) if at == prim else rng.choice([0] * 6 + [1])) if c else 0
        rot = rng.randint(0, min(6, c))
        rows[at] = dict(new_persons=new, continuing_persons=cont, consultations=c, visits=vis,
                        complex_cases=cx, referrals_multi_agency=rma, referrals_other=rot)
    F1[code] = rows


def areas_of(code):
    ar = AG[code]["area"]
    return [c for c, _ in AREAS] if ar == "ALL" else ar.split(";")


# referrals: every unit sent goes to the HFC of one of the sender's areas
REFERRALS = {h: {} for h in F2_AGENCIES}   # hfc -> {sender: n}
for code in F1_AGENCIES:
    total = sum(F1[code][at]["referrals_multi_agency"] for at in ATTRS)
    for _ in range(total):
        h = HFC_OF_AREA[rng.choice(areas_of(code))]
        REFERRALS[h][code] = REFERRALS[h].get(code, 0) + 1

# meetings and the case list
APRIL_WEEKDAYS = [dt.date(2025, 4, d) for d in range(1, 31) if dt.date(2025, 4, d).weekday() < 5]
CASES = {}   # hfc -> list of case dicts
F2 = {}
for h in F2_AGENCIES:
    area = AG[h]["area"]
    local = [c for c in F1_AGENCIES if area in areas_of(c) and AG[c]["area"] != "ALL"]
    citywide = [c for c in F1_AGENCIES if AG[c]["area"] == "ALL"] + ["SKK-001"]
    days = rng.sample(APRIL_WEEKDAYS, 4)
    n_cons, n_nocons = rng.choice([1, 1, 2]), rng.choice([1, 2])
    meetings = [("consent", d) for d in sorted(days[:n_cons])] + [("no_consent", d) for d in sorted(days[2:2 + n_nocons])]
    cases = []
    seq = 0
    for kind, day in meetings:
        for _ in range(rng.randint(1, 3)):
            seq += 1
            k = rng.randint(1, 3)
            parts = rng.sample(local, min(k, len(local)))
            if rng.random() < 0.5:
                parts.append(rng.choice(citywide))
            parts = [h] + parts
            lead = rng.choice(parts[1:]) if rng.random() < 0.8 else h
            cases.append(dict(center=h, case_id=f"R7-04-{SHORT[area]}-{seq:03d}", kind=kind,
                              date=day, issues=rng.sample(ISSUES, rng.randint(1, 3)),
                              participants=parts, lead=lead))
    cases.sort(key=lambda c: (c["date"], c["case_id"]))
    CASES[h] = cases
    mc = len({c["date"] for c in cases if c["kind"] == "consent"})
    cc = sum(1 for c in cases if c["kind"] == "consent")
    mn = len({c["date"] for c in cases if c["kind"] == "no_consent"})
    cn = sum(1 for c in cases if c["kind"] == "no_consent")
    F2[h] = dict(meetings_with_consent=mc, cases_with_consent=cc, meetings_without_consent=mn,
                 cases_without_consent=cn, plans_created=rng.randint(0, cc), plans_reviewed=rng.randint(0, 3),
                 plans_closed=rng.randint(0, 2))

for code in F1_AGENCIES:
    met = set()
    for h in F2_AGENCIES:
        for c in CASES[h]:
            if code in c["participants"] or code == c["lead"]:
                met.add((h, c["kind"], c["date"]))
    ATT[code] = len(met)

# F3: one row per area + 統括
F3 = {}
for ac, _ in AREAS:
    F3[ac] = dict(staff=1, outreach_active=rng.randint(4, 16), outreach_new=rng.randint(0, 4),
                  outreach_visits=rng.randint(6, 30), outreach_closed=rng.randint(0, 3),
                  participation_active=rng.randint(2, 10), participation_matches=rng.randint(0, 3),
                  participation_followups=rng.randint(0, 5), participation_hosts_developed=rng.randint(0, 2))
F3["HQ"] = dict(staff=1, outreach_active=0, outreach_new=0, outreach_visits=rng.randint(0, 4), outreach_closed=0,
                participation_active=0, participation_matches=0, participation_followups=0,
                participation_hosts_developed=rng.randint(0, 3))

# F4: sites per programme (site name, area code, metrics)
ALL_AREAS = [c for c, _ in AREAS]


def sites(code):
    if code == "CDK-001":
        ac = [c for c in ALL_AREAS if c not in ("C11", "C13")]
        return [(f"{AREA_NAME[c].replace('区', '').replace('支所', '')}地域介護予防推進センター", c) for c in ac]
    if code == "CDK-002":
        return [(f"{AREA_NAME[c]}健康すこやか学級", c) for c in ALL_AREAS]
    if code == "CDK-003":
        return [(f"{AREA_NAME[c]}内健康長寿サロン", c) for c in ALL_AREAS]
    if code == "CDK-004":
        return [(f"支え合い活動創出コーディネーター{AREA_NAME[c]}", c) for c in ["C01", "C02", "C06", "C08", "C09", "C10", "C12", "C13"]]
    if code == "CDK-005":
        names = ["地域活動支援センターあおば", "地域活動支援センターかもがわ", "地域活動支援センターひがしやま",
                 "地域活動支援センターすざく", "地域活動支援センターさがの", "地域活動支援センターにしやま",
                 "地域活動支援センターふしみ", "地域活動支援センターふかくさ", "地域活動支援センターやましな"]
        ac = ["C01", "C03", "C05", "C07", "C09", "C10", "C12", "C13", "C06"]
        return list(zip(names, ac))
    if code == "CDK-006":
        return [(f"{AREA_NAME[c]}内児童館", c) for c in ALL_AREAS]
    if code == "CDK-007":
        return [(f"つどいの広場{AREA_NAME[c]}", c) for c in ALL_AREAS]
    if code == "CDK-008":
        return [(f"{AREA_NAME[c]}ボランティアセンター", c) for c in ALL_AREAS]
    if code == "CDK-009":
        return [("町家を活かした多世代交流", "C02"), ("商店街の空き店舗を活かした居場所", "C04"),
                ("寺院と連携したつながりの場", "C05"), ("企業と連携した就労体験の場", "C08"),
                ("農園を活かした交流活動", "C10")]


F4_METRICS = {c: ["sessions", "participants"] for c in ["CDK-001", "CDK-002", "CDK-003", "CDK-005", "CDK-006", "CDK-007"]}
F4_METRICS["CDK-004"] = ["sessions", "participants", "new_activities", "coordinated_initiatives"]
F4_METRICS["CDK-008"] = ["sessions", "participants", "volunteer_consultations", "connection_participants"]
F4_METRICS["CDK-009"] = ["sessions", "participants", "new_activities"]
F4 = {}
for code in sorted(F4_METRICS):
    rows = []
    for name, ac in sites(code):
        v = {}
        for m in F4_METRICS[code]:
            v[m] = {"sessions": rng.randint(2, 45), "participants": rng.randint(20, 480),
                    "new_activities": rng.randint(0, 3), "coordinated_initiatives": rng.randint(0, 4),
                    "volunteer_consultations": rng.randint(10, 60),
                    "connection_participants": rng.randint(20, 140)}[m]
        rows.append((name, ac, v))
    F4[code] = rows

# ---------------------------------------------------------------- recording
CELLS = []   # manifest rows for the reader
FILES = []   # file -> classes, writer


def rec_cell(file, sheet, cell, agency, form, key, metric, value, area=None):
    a = AG[agency]
    if area is None:
        area = a["area"]
    if form == "F1":
        project = 1
    elif form == "F2":
        project = F2_PROJECT[metric]
    elif form == "F3":
        project = F3_PROJECT[metric]
    else:
        project = 3
    CELLS.append(dict(role="record", file=file, sheet=sheet, cell=cell, month=MONTH, agency_code=agency,
                      area_code=area, project=project, field=FIELD[a["field"]], form=form, key=key,
                      metric=metric, value=value))


def total_cell(file, sheet, cell, value):
    CELLS.append(dict(role="total", file=file, sheet=sheet, cell=cell, value=value))


def case_cells(file, sheet, center, case, cells):
    """cells: dict field -> A1 (id, kind, date, issues, participants, lead)."""
    for fld, c in cells.items():
        CELLS.append(dict(role="case_" + fld, file=file, sheet=sheet, cell=c, agency_code=center,
                          key=case["case_id"], month=MONTH))


def A1(r, c):
    return f"{get_column_letter(c)}{r}"


FW = str.maketrans("0123456789", "０１２３４５６７８９")


def render(v, style, unit="件"):
    """A figure as an office writes it (the reader parses it back)."""
    if style == "int":
        return v
    if style == "text":
        return str(v)
    if style == "fw":
        return str(v).translate(FW)
    if style == "unit":
        return f"{v}{unit}"
    if style == "dash":
        return "－" if v == 0 else v
    if style == "comma":
        return f"{v:,}"
    raise ValueError(style)


MONTHS_JA = {4: "令和7年4月", 5: "令和7年5月"}


def month_value(style, m=4):
    y = 2025 if m >= 4 else 2026
    r = y - 2018
    return {
        "reiwa": f"令和{r}年{m}月", "reiwa_fw": f"令和{r}年{m}月".translate(FW), "R.": f"R{r}.{m}",
        "R0/": f"R{r:02d}/{m:02d}", "seireki": f"{y}年{m}月", "slash": f"{y}/{m}",
        "date": dt.datetime(y, m, 1), "ym": f"{y}{m:02d}", "iso": f"{y}-{m:02d}",
    }[style]


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


class Sh:
    """A worksheet wrapper that writes cells and records figure cells."""

    def __init__(self, ws, file):
        self.ws, self.file = ws, file

    @property
    def name(self):
        return self.ws.title

    def put(self, r, c, v, span=(1, 1), box=False, wrap=False, bold=False):
        cell = self.ws.cell(row=r, column=c, value=v)
        if span != (1, 1):
            self.ws.merge_cells(start_row=r, start_column=c, end_row=r + span[0] - 1, end_column=c + span[1] - 1)
        if box:
            for rr in range(r, r + span[0]):
                for cc in range(c, c + span[1]):
                    self.ws.cell(row=rr, column=cc).border = BOX
        if wrap or (isinstance(v, str) and "\n" in v):
            cell.alignment = WRAP
        if bold:
            cell.font = Font(bold=True)
        if isinstance(v, dt.datetime) and v.day == 1 and v.hour == 0:
            cell.number_format = 'yyyy"年"m"月"'
        elif isinstance(v, (dt.datetime, dt.date)):
            cell.number_format = "yyyy/m/d"
        return A1(r, c)

    def fig(self, r, c, v, style, agency, form, key, metric, span=(1, 1), area=None, record=True):
        unit = "人" if metric.endswith("persons") or metric in ("participants", "connection_participants", "staff") else "件"
        self.put(r, c, render(v, style, unit), span=span, box=True)
        if record:
            rec_cell(self.file, self.name, A1(r, c), agency, form, key, metric, v, area=area)
        return A1(r, c)


def pick_style(v, mix):
    """mix: the file's habit of writing numbers."""
    if mix == "plain":
        return "int"
    if mix == "text":
        return "text"
    if mix == "dash":
        return "dash" if v == 0 else "int"
    if mix == "mixed":
        return rng.choice(["int", "int", "int", "text", "fw", "dash" if v == 0 else "int", "unit"])
    if mix == "fw":
        return "fw"
    if mix == "unit":
        return "unit"
    return "int"


# ---------------------------------------------------------------- F1 layouts
def f1_header(sh, r, c, code, cfg, month=4, attendance=None):
    """Header block; returns next free row. cfg: dict of options."""
    fields = cfg.get("fields", ["month", "code", "name", "att", "writer"])
    lab = cfg.get("labels", {})
    gap = cfg.get("gap", 1)
    pairs = cfg.get("pairs", False)
    att = ATT[code] if attendance is None else attendance
    defaults = {"month": "報告年月", "code": "機関コード", "name": "機関名", "att": "重層支援会議への出席回数",
                "writer": "記入者", "version": "様式バージョン", "submitted": "提出日"}
    col = c
    row = r
    for i, fld in enumerate(fields):
        label = lab.get(fld, defaults[fld])
        sh.put(row, col, label, wrap="\n" in label)
        vc = col + gap
        if fld == "month":
            sh.put(row, vc, month_value(cfg.get("month_style", "reiwa"), month))
        elif fld == "code":
            sh.put(row, vc, code)
        elif fld == "name":
            sh.put(row, vc, AG[code]["agency_name"])
        elif fld == "att":
            if att == 0 and cfg.get("blank_att"):
                sh.ws.cell(row=row, column=vc).border = BOX
                if month == 4:
                    rec_cell(sh.file, sh.name, A1(row, vc), code, "F1", "", "meeting_attendance", 0)
            else:
                sh.put(row, vc, render(att, cfg.get("att_style", "int"), "回"))
                if month == 4:
                    rec_cell(sh.file, sh.name, A1(row, vc), code, "F1", "", "meeting_attendance", att)
            if cfg.get("att_unit"):
                sh.put(row, vc + 1, "回")
        elif fld == "writer":
            sh.put(row, vc, rng.choice(WRITER_ROLE))
        elif fld == "version":
            sh.put(row, vc, "2025年度版")
        elif fld == "submitted":
            sh.put(row, vc, dt.datetime(2025, 5, 8) if month == 4 else dt.datetime(2025, 6, 9))
        if pairs and i % 2 == 0:
            col = c + gap + 3
        else:
            col = c
            row += 1
    return row + 1


F1_VARIANTS = {
    "new_persons": ["新規相談者数（実人数）", "新規相談者数\n（実人数）", "新規相談者数(実人数)", "新規相談者数（実人数）※1"],
    "continuing_persons": ["継続相談者数（実人数）", "継続相談者数\n（実人数）", "継続相談者数(実人数)", "継続相談者数（実人数）※2"],
    "consultations": ["延べ相談件数", "延べ相談件数※1", "延べ\n相談件数", "延べ相談件数 ※3"],
    "visits": ["うち訪問・同行", "うち\n訪問・同行", "うち訪問・同行※2", "うち訪問･同行"],
    "complex_cases": ["うち複合的な課題を抱える相談", "うち複合的な課題を\n抱える相談", "うち複合的な課題を抱える相談※4"],
    "referrals_multi_agency": ["多機関協働事業へのつなぎ件数", "多機関協働事業への\nつなぎ件数", "多機関協働事業へのつなぎ件数※5"],
    "referrals_other": ["他の支援関係機関へのつなぎ件数", "他の支援関係機関への\nつなぎ件数", "他の支援関係機関へのつなぎ件数※6"],
}
ATTR_VARIANTS = {"child": ["子ども・子育て", "子ども･子育て", "子ども・\n子育て"], "elderly": ["高齢者"], "disability": ["障害者"],
                 "poverty": ["生活困窮"], "other": ["その他"]}
NOTES = ["※1 延べ相談件数は来所・電話・訪問・メール等すべての相談の延べ件数。",
         "※2 訪問・同行は延べ相談件数の内数。",
         "※ 重層支援会議への出席回数は、当月に出席した重層的支援会議及び支援会議の回数。",
         "※ 属性は相談者の主たる属性で計上すること。"]


def f1_table(sh, r, c, code, cfg, data, month=4, record=True):
    """Wide F1 table (attributes down, metrics across). Returns next free row."""
    order = cfg.get("order", F1M)
    labels = cfg.get("col_labels", {})
    attr_head = cfg.get("attr_head", "相談者属性")
    two_row = cfg.get("two_row", False)
    mix = cfg.get("mix", "plain")
    if cfg.get("total") == "formula" and mix not in ("plain", "dash"):
        mix = "plain"   # =SUM() skips numbers written as text: keep them numbers under a formula total
    gapcol = cfg.get("gapcol")  # index in order after which an empty column sits
    cols = {}
    cc = c + 1
    for i, m in enumerate(order):
        cols[m] = cc
        cc += 1
        if gapcol is not None and i == gapcol:
            cc += 1
    hr = r
    if two_row:
        sh.put(hr, c, attr_head, span=(2, 1), box=True, wrap=True)
        done = set()
        for m in order:
            if m in ("new_persons", "continuing_persons") and cols.get("continuing_persons") == cols.get("new_persons", -9) + 1:
                if m == "new_persons":
                    sh.put(hr, cols[m], "相談者数（実人数）", span=(1, 2), box=True)
                    sh.put(hr + 1, cols["new_persons"], "新規", box=True)
                    sh.put(hr + 1, cols["continuing_persons"], "継続", box=True)
                done.add(m)
                continue
            sh.put(hr, cols[m], labels.get(m, F1_LABEL[m]), span=(2, 1), box=True, wrap=True)
        r = hr + 2
    else:
        sh.put(hr, c, attr_head if attr_head else None, box=True, wrap=True)
        for m in order:
            sh.put(hr, cols[m], labels.get(m, F1_LABEL[m]), box=True, wrap=True)
        r = hr + 1
    first = r
    for at in cfg.get("attr_order", ATTRS):
        sh.put(r, c, rng.choice(ATTR_VARIANTS[at]) if cfg.get("attr_vary") else ATTR_JA[at], box=True)
        for m in order:
            v = data[at][m]
            sh.fig(r, cols[m], v, pick_style(v, mix), code, "F1", at, m, record=record)
        r += 1
    tot = cfg.get("total")
    if tot:
        sh.put(r, c, cfg.get("total_label", "合計"), box=True)
        for m in order:
            s = sum(data[at][m] for at in ATTRS)
            L = get_column_letter(cols[m])
            if tot == "formula":
                sh.put(r, cols[m], f"=SUM({L}{first}:{L}{r - 1})", box=True)
            else:
                sh.put(r, cols[m], s, box=True)
            if record:
                total_cell(sh.file, sh.name, A1(r, cols[m]), s)
        r += 1
    if cfg.get("notes"):
        r += 1
        for n in cfg["notes"]:
            sh.put(r, c, n)
            r += 1
    for m, cl in cols.items():
        sh.ws.column_dimensions[get_column_letter(cl)].width = 14
    sh.ws.column_dimensions[get_column_letter(c)].width = 16
    return r + 1


def f1_sheet(sh, code, cfg, month=4, data=None, record=True):
    data = data or F1[code]
    r = cfg.get("top", 1)
    c = cfg.get("left", 1)
    if cfg.get("title"):
        sh.put(r, c, cfg["title"], span=(1, 6), bold=True)
        r += 2
    r = f1_header(sh, r, c, code, cfg, month=month, attendance=None if record else rng.randint(0, 3))
    r += cfg.get("blank_rows", 0)
    if cfg.get("unit_note"):
        sh.put(r, c + 6, "（単位：人・件）")
        r += 1
    return f1_table(sh, r, c, code, cfg, data, month=month, record=record)


def f1_transposed(sh, code, cfg):
    """Attributes across the top, metrics down the side."""
    data = F1[code]
    r, c = cfg.get("top", 1), cfg.get("left", 1)
    if cfg.get("title"):
        sh.put(r, c, cfg["title"], span=(1, 7), bold=True)
        r += 2
    r = f1_header(sh, r, c, code, cfg)
    sh.put(r, c, cfg.get("corner", "項目＼属性"), box=True)
    for j, at in enumerate(ATTRS):
        sh.put(r, c + 1 + j, ATTR_JA[at], box=True)
    if cfg.get("total"):
        sh.put(r, c + 6, "合計", box=True)
    r += 1
    for m in cfg.get("order", F1M):
        sh.put(r, c, cfg.get("col_labels", {}).get(m, F1_LABEL[m]), box=True, wrap=True)
        for j, at in enumerate(ATTRS):
            v = data[at][m]
            sh.fig(r, c + 1 + j, v, pick_style(v, cfg.get("mix", "plain") if cfg.get("total") != "formula" else "plain"),
                   code, "F1", at, m)
        if cfg.get("total"):
            s = sum(data[at][m] for at in ATTRS)
            if cfg["total"] == "formula":
                sh.put(r, c + 6, f"=SUM({A1(r, c + 1)}:{A1(r, c + 5)})", box=True)
            else:
                sh.put(r, c + 6, s, box=True)
            total_cell(sh.file, sh.name, A1(r, c + 6), s)
        r += 1
    sh.ws.column_dimensions[get_column_letter(c)].width = 34
    if cfg.get("notes"):
        r += 1
        for n in cfg["notes"]:
            sh.put(r, c, n)
            r += 1


def grid(ws, ncols=64, width=2.6):
    for i in range(1, ncols + 1):
        ws.column_dimensions[get_column_letter(i)].width = width


def f1_hogan(sh, code, cfg):
    """エクセル方眼紙: narrow grid columns, merged label and value cells far apart."""
    grid(sh.ws)
    data = F1[code]
    sh.put(2, 2, cfg.get("title", "包括的相談支援　月次報告書"), span=(1, 40), bold=True)
    sh.put(4, 2, "報告年月", span=(1, 6), box=True)
    sh.put(4, 14, month_value(cfg.get("month_style", "reiwa")), span=(1, 8), box=True)
    sh.put(4, 26, "機関コード", span=(1, 6), box=True)
    sh.put(4, 36, code, span=(1, 8), box=True)
    sh.put(5, 2, "機関名", span=(1, 6), box=True)
    sh.put(5, 14, AG[code]["agency_name"], span=(1, 30), box=True)
    sh.put(6, 2, "重層支援会議への出席回数", span=(1, 10), box=True)
    sh.put(6, 22, render(ATT[code], "int"), span=(1, 4), box=True)
    rec_cell(sh.file, sh.name, A1(6, 22), code, "F1", "", "meeting_attendance", ATT[code])
    sh.put(6, 26, "回", span=(1, 2))
    sh.put(7, 2, "記入者", span=(1, 6), box=True)
    sh.put(7, 14, rng.choice(WRITER_ROLE), span=(1, 10), box=True)
    top = 9
    w = cfg.get("w", 5)
    sh.put(top, 2, cfg.get("attr_head", "主たる属性"), span=(2, 6), box=True, wrap=True)
    col = 8
    cols = {}
    for m in F1M:
        sh.put(top, col, cfg.get("col_labels", {}).get(m, F1_VARIANTS[m][1]), span=(2, w), box=True, wrap=True)
        cols[m] = col
        col += w
    sh.ws.row_dimensions[top].height = 30
    sh.ws.row_dimensions[top + 1].height = 30
    r = top + 2
    for at in ATTRS:
        sh.put(r, 2, ATTR_JA[at], span=(1, 6), box=True)
        for m in F1M:
            v = data[at][m]
            sh.fig(r, cols[m], v, pick_style(v, cfg.get("mix", "plain")), code, "F1", at, m, span=(1, w))
        r += 1
    sh.put(r, 2, "合　計", span=(1, 6), box=True)
    for m in F1M:
        s = sum(data[at][m] for at in ATTRS)
        sh.put(r, cols[m], s, span=(1, w), box=True)
        total_cell(sh.file, sh.name, A1(r, cols[m]), s)
    r += 2
    for n in NOTES[:3]:
        sh.put(r, 2, n, span=(1, 40))
        r += 1


def f1_other_month(code, m):
    """Figures of another month (annual workbooks): different, and never expected."""
    out = {}
    for at in ATTRS:
        base = F1[code][at]
        c = max(0, base["consultations"] + rng.randint(-5, 9))
        new = min(base["new_persons"], c // 3)
        cont = min(base["continuing_persons"], max(0, c - new) // 2)
        out[at] = dict(new_persons=new, continuing_persons=cont, consultations=c,
                       visits=min(base["visits"], c), complex_cases=min(base["complex_cases"], c),
                       referrals_multi_agency=rng.randint(0, 1), referrals_other=min(base["referrals_other"], c))
    return out


# ---------------------------------------------------------------- F1 CSV exports
CSV_VENDORS = {
    # header, month style, attribute words, item words, encoding
    "A": dict(head=["事業所番号", "対象月", "属性", "項目", "値"], month="ym", enc="cp932"),
    "B": dict(head=["機関コード", "対象年月", "相談者属性", "集計項目", "件数"], month="reiwa", enc="utf-8-sig"),
    "C": dict(head=["ｾﾝﾀｰｺｰﾄﾞ", "報告月", "主たる属性", "集計項目名", "実績"], month="ym", enc="cp932"),
    "D": dict(head=["報告年月", "機関コード", "機関名", "相談者属性", "集計項目", "件数"], month="slash", enc="cp932"),
}


def write_csv(path, code, vendor):
    v = CSV_VENDORS[vendor]
    fname = os.path.basename(path)
    rows = [v["head"]]
    mval = month_value(v["month"])
    for at in ATTRS:
        for m in F1M:
            val = F1[code][at][m]
            line = {"事業所番号": code, "機関コード": code, "ｾﾝﾀｰｺｰﾄﾞ": code, "機関名": AG[code]["agency_name"],
                    "対象月": mval, "対象年月": mval, "報告月": mval, "報告年月": mval,
                    "属性": ATTR_JA[at], "相談者属性": ATTR_JA[at], "主たる属性": ATTR_JA[at],
                    "項目": F1_LABEL[m], "集計項目": F1_LABEL[m], "集計項目名": F1_LABEL[m],
                    "値": val, "件数": val, "実績": val}
            rows.append([line[h] for h in v["head"]])
            rec_cell(fname, "", f"row {len(rows)}, column {len(v['head'])}", code, "F1", at, m, val)
    # the attendance figure: a row with no attribute
    line = {h: "" for h in v["head"]}
    for h in v["head"]:
        if h in ("事業所番号", "機関コード", "ｾﾝﾀｰｺｰﾄﾞ"):
            line[h] = code
        if h in ("対象月", "対象年月", "報告月", "報告年月"):
            line[h] = mval
        if h == "機関名":
            line[h] = AG[code]["agency_name"]
        if h in ("項目", "集計項目", "集計項目名"):
            line[h] = "重層支援会議への出席回数"
        if h in ("値", "件数", "実績"):
            line[h] = ATT[code]
    rows.append([line[h] for h in v["head"]])
    rec_cell(fname, "", f"row {len(rows)}, column {len(v['head'])}", code, "F1", "", "meeting_attendance", ATT[code])
    with open(path, "w", encoding=v["enc"], newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerows(rows)


# ---------------------------------------------------------------- F2 layouts
def sep_join(codes, sep):
    return sep.join(codes)


def f2_header(sh, r, c, code, cfg):
    gap = cfg.get("gap", 1)
    labels = cfg.get("labels", {})
    items = [("month", labels.get("month", "報告年月"), month_value(cfg.get("month_style", "reiwa"))),
             ("code", labels.get("code", "機関コード"), code),
             ("name", labels.get("name", "機関名"), AG[code]["agency_name"]),
             ("writer", "記入者", rng.choice(WRITER_ROLE))]
    for fld, lab, val in items:
        if fld in cfg.get("omit", []):
            continue
        sh.put(r, c, lab)
        sh.put(r, c + gap, val)
        r += 1
    return r + 1


def f2_sec1(sh, r, c, code, cfg):
    d = F2[code]
    st = cfg.get("sec1", "list")
    sh.put(r, c, cfg.get("h1", "１．会議の開催状況"), bold=True)
    r += 1
    mix = cfg.get("mix", "plain")
    if st == "list":
        lab = cfg.get("sec1_labels", {})
        for m, default in [("meetings_with_consent", "重層的支援会議　開催回数"), ("cases_with_consent", "重層的支援会議　検討事案件数"),
                           ("meetings_without_consent", "支援会議　開催回数"), ("cases_without_consent", "支援会議　検討事案件数"),
                           ("plans_created", "支援プラン新規作成件数"), ("plans_reviewed", "プラン評価件数"),
                           ("plans_closed", "支援終結件数")]:
            sh.put(r, c, lab.get(m, default), box=True, wrap=True)
            sh.fig(r, c + 1, d[m], pick_style(d[m], mix), code, "F2", "", m)
            r += 1
    else:  # matrix: kind x (開催回数, 検討事案件数), then the plan figures
        sh.put(r, c, cfg.get("matrix_corner", "会議区分"), box=True)
        sh.put(r, c + 1, "開催回数", box=True)
        sh.put(r, c + 2, "検討事案件数" + cfg.get("mark", ""), box=True)
        r += 1
        for kind, mm, cm in [("重層的支援会議", "meetings_with_consent", "cases_with_consent"),
                             ("支援会議", "meetings_without_consent", "cases_without_consent")]:
            sh.put(r, c, kind, box=True)
            sh.fig(r, c + 1, d[mm], pick_style(d[mm], mix), code, "F2", "", mm)
            sh.fig(r, c + 2, d[cm], pick_style(d[cm], mix), code, "F2", "", cm)
            r += 1
        r += 1
        for m, label in [("plans_created", "支援プラン新規作成件数"), ("plans_reviewed", "プラン評価件数"),
                         ("plans_closed", "支援終結件数")]:
            sh.put(r, c, label, box=True)
            sh.fig(r, c + 1, d[m], pick_style(d[m], mix), code, "F2", "", m)
            r += 1
    return r + 1


def f2_sec2(sh, r, c, code, cfg):
    sh.put(r, c, cfg.get("h2", "２．つなぎ受付"), bold=True)
    r += 1
    heads = cfg.get("sec2_heads", ["送付元機関コード", "送付元機関名", "受付件数"])
    for j, h in enumerate(heads):
        sh.put(r, c + j, h, box=True, wrap=True)
    r += 1
    first = r
    items = sorted(REFERRALS[code].items())
    for sender, n in items:
        sh.put(r, c, sender, box=True)
        sh.put(r, c + 1, AG[sender]["agency_name"], box=True)
        sh.fig(r, c + 2, n, pick_style(n, cfg.get("mix", "plain")), code, "F2", sender, "referrals_received")
        r += 1
    if cfg.get("total2"):
        s = sum(n for _, n in items)
        sh.put(r, c, "合計", box=True)
        sh.put(r, c + 1, None, box=True)
        L = get_column_letter(c + 2)
        sh.put(r, c + 2, f"=SUM({L}{first}:{L}{r - 1})" if cfg["total2"] == "formula" else s, box=True)
        total_cell(sh.file, sh.name, A1(r, c + 2), s)
        r += 1
    return r + 1


def f2_date(d, style):
    if style == "date":
        return dt.datetime(d.year, d.month, d.day)
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "reiwa":
        return f"令和{d.year - 2018}年{d.month}月{d.day}日"
    if style == "R.":
        return f"R{d.year - 2018}.{d.month}.{d.day}"
    raise ValueError(style)


def f2_sec3(sh, r, c, code, cfg):
    sh.put(r, c, cfg.get("h3", "３．検討事案一覧"), bold=True)
    r += 1
    heads = cfg.get("sec3_heads", ["事案番号", "会議区分", "会議日", "主な課題", "参加機関コード", "主担当機関コード"])
    for j, h in enumerate(heads):
        sh.put(r, c + j, h, box=True, wrap=True)
    r += 1
    seps = cfg.get("seps", ["・"])
    for i, case in enumerate(CASES[code]):
        sep = seps[i % len(seps)]
        isep = cfg.get("issue_sep", "・")
        sh.put(r, c, case["case_id"], box=True)
        sh.put(r, c + 1, KIND_JA[case["kind"]], box=True)
        sh.put(r, c + 2, f2_date(case["date"], cfg.get("date_style", "date")), box=True)
        sh.ws.cell(row=r, column=c + 2).number_format = "yyyy/m/d"
        sh.put(r, c + 3, isep.join(case["issues"]), box=True)
        sh.put(r, c + 4, sep.join(case["participants"]), box=True, wrap=(sep == "\n"))
        sh.put(r, c + 5, case["lead"], box=True)
        case_cells(sh.file, sh.name, code, case, dict(id=A1(r, c), kind=A1(r, c + 1), date=A1(r, c + 2),
                                                       issues=A1(r, c + 3), participants=A1(r, c + 4),
                                                       lead=A1(r, c + 5)))
        r += 1
    if cfg.get("notes3"):
        r += 1
        for n in cfg["notes3"]:
            sh.put(r, c, n)
            r += 1
    return r + 1


def f2_widths(ws, c0=1):
    for j, w in enumerate([26, 16, 14, 22, 34, 16, 4]):
        ws.column_dimensions[get_column_letter(c0 + j)].width = w


def f2_book(wb, file, code, cfg):
    arr = cfg["arr"]
    if arr == "sheets":
        ws = wb.active
        ws.title = cfg.get("sheet_names", ["会議", "つなぎ受付", "検討事案一覧"])[0]
        sh = Sh(ws, file)
        r = 1
        if cfg.get("title"):
            sh.put(1, 1, cfg["title"], span=(1, 4), bold=True)
            r = 3
        r = f2_header(sh, r, 1, code, cfg)
        f2_sec1(sh, r, 1, code, cfg)
        f2_widths(ws)
        names = cfg.get("sheet_names", ["会議", "つなぎ受付", "検討事案一覧"])
        for name, fn in [(names[1], f2_sec2), (names[2], f2_sec3)]:
            ws2 = wb.create_sheet(name)
            sh2 = Sh(ws2, file)
            r = 1
            if cfg.get("code_each_sheet"):
                sh2.put(1, 1, "機関コード")
                sh2.put(1, 2, code)
                r = 3
            fn(sh2, r, 1, code, cfg)
            f2_widths(ws2)
    elif arr == "stacked":
        ws = wb.active
        ws.title = cfg.get("sheet", "F2")
        sh = Sh(ws, file)
        r = cfg.get("top", 1)
        c = cfg.get("left", 1)
        if cfg.get("title"):
            sh.put(r, c, cfg["title"], span=(1, 5), bold=True)
            r += 2
        r = f2_header(sh, r, c, code, cfg)
        r = f2_sec1(sh, r, c, code, cfg)
        r = f2_sec2(sh, r, c, code, cfg)
        f2_sec3(sh, r, c, code, cfg)
        f2_widths(ws, c)
    elif arr in ("side", "side2"):
        ws = wb.active
        ws.title = cfg.get("sheet", "報告")
        sh = Sh(ws, file)
        sh.put(1, 1, cfg.get("title", "多機関協働事業　月次報告"), span=(1, 6), bold=True)
        r = f2_header(sh, 3, 1, code, cfg)
        r1 = f2_sec1(sh, r, 1, code, cfg)
        c2 = 5
        r2 = f2_sec2(sh, r, c2, code, cfg)
        if arr == "side":
            f2_sec3(sh, r, 9, code, cfg)
        else:
            f2_sec3(sh, max(r1, r2), 1, code, cfg)
        for j, w in enumerate([26, 10, 12, 3, 16, 34, 10, 3, 16, 16, 12, 22, 34, 12]):
            ws.column_dimensions[get_column_letter(1 + j)].width = w
    elif arr == "hogan":
        ws = wb.active
        ws.title = "様式"
        sh = Sh(ws, file)
        grid(ws, 70)
        d = F2[code]
        sh.put(2, 2, "多機関協働事業　月次報告書", span=(1, 40), bold=True)
        sh.put(4, 2, "報告年月：", span=(1, 6), box=True)
        sh.put(4, 16, month_value("reiwa"), span=(1, 8), box=True)
        sh.put(5, 2, "機関コード：", span=(1, 6), box=True)
        sh.put(5, 16, code, span=(1, 8), box=True)
        sh.put(6, 2, "機関名：", span=(1, 6), box=True)
        sh.put(6, 16, AG[code]["agency_name"], span=(1, 20), box=True)
        r = 8
        sh.put(r, 2, "１．会議の開催状況", span=(1, 12), bold=True)
        r += 1
        for m, label in [("meetings_with_consent", "重層的支援会議　開催回数"), ("cases_with_consent", "重層的支援会議　検討事案件数"),
                         ("meetings_without_consent", "支援会議　開催回数"), ("cases_without_consent", "支援会議　検討事案件数"),
                         ("plans_created", "支援プラン新規作成件数"), ("plans_reviewed", "プラン評価件数"), ("plans_closed", "支援終結件数")]:
            sh.put(r, 2, label, span=(1, 14), box=True)
            sh.fig(r, 24, d[m], "int", code, "F2", "", m, span=(1, 4))
            sh.put(r, 28, "件" if "件数" in label else "回", span=(1, 2))
            r += 1
        r += 1
        sh.put(r, 2, "２．つなぎ受付", span=(1, 12), bold=True)
        r += 1
        sh.put(r, 2, "送付元機関コード", span=(1, 8), box=True)
        sh.put(r, 10, "送付元機関名", span=(1, 20), box=True)
        sh.put(r, 30, "受付件数", span=(1, 5), box=True)
        r += 1
        for sender, n in sorted(REFERRALS[code].items()):
            sh.put(r, 2, sender, span=(1, 8), box=True)
            sh.put(r, 10, AG[sender]["agency_name"], span=(1, 20), box=True)
            sh.fig(r, 30, n, "int", code, "F2", sender, "referrals_received", span=(1, 5))
            r += 1
        r += 1
        sh.put(r, 2, "３．検討事案一覧", span=(1, 12), bold=True)
        r += 1
        spans = [(2, 8), (10, 8), (18, 6), (24, 10), (34, 16), (50, 8)]
        for (c0, w), h in zip(spans, ["事案番号", "会議区分", "会議日", "主な課題", "参加機関コード", "主担当機関コード"]):
            sh.put(r, c0, h, span=(1, w), box=True)
        r += 1
        for case in CASES[code]:
            vals = [case["case_id"], KIND_JA[case["kind"]], dt.datetime(case["date"].year, case["date"].month, case["date"].day),
                    "、".join(case["issues"]), "・".join(case["participants"]), case["lead"]]
            for (c0, w), v in zip(spans, vals):
                sh.put(r, c0, v, span=(1, w), box=True)
            ws.cell(row=r, column=18).number_format = "yyyy/m/d"
            case_cells(file, ws.title, code, case, dict(id=A1(r, 2), kind=A1(r, 10), date=A1(r, 18), issues=A1(r, 24),
                                                         participants=A1(r, 34), lead=A1(r, 50)))
            r += 1


# ---------------------------------------------------------------- F3
def f3_book(wb, file, code="SKK-001"):
    ws = wb.active
    ws.title = "アウトリーチ・参加支援"
    sh = Sh(ws, file)
    sh.put(1, 2, "令和7年度　アウトリーチ等を通じた継続的支援事業・参加支援事業　月次報告", span=(1, 10), bold=True)
    sh.put(3, 2, "報告年月：")
    sh.put(3, 3, month_value("reiwa"))
    sh.put(4, 2, "機関コード：")
    sh.put(4, 3, code)
    sh.put(5, 2, "機関名：")
    sh.put(5, 3, AG[code]["agency_name"])
    top = 7
    sh.put(top, 2, "区・支所", span=(2, 1), box=True)
    sh.put(top, 3, "支援員数※1", span=(2, 1), box=True, wrap=True)
    sh.put(top, 4, "アウトリーチ（アウトリーチ等を通じた継続的支援）", span=(1, 4), box=True)
    sh.put(top, 8, "参加支援", span=(1, 4), box=True)
    cols = {"staff": 3}
    for j, m in enumerate(F3M[1:5]):
        lab = {"outreach_active": "継続支援対象者数\n（月末）"}.get(m, F3_LABEL[m])
        sh.put(top + 1, 4 + j, lab, box=True, wrap=True)
        cols[m] = 4 + j
    for j, m in enumerate(F3M[5:]):
        lab = {"participation_active": "支援対象者数\n（月末）"}.get(m, F3_LABEL[m])
        sh.put(top + 1, 8 + j, lab, box=True, wrap=True)
        cols[m] = 8 + j
    ws.row_dimensions[top + 1].height = 36
    r = top + 2
    first = r
    for key in [c for c, _ in AREAS] + ["HQ"]:
        sh.put(r, 2, AREA_NAME[key] if key != "HQ" else "統括", box=True)
        for m in F3M:
            v = F3[key][m]
            sh.fig(r, cols[m], v, "int", code, "F3", key, m, area=(key if key != "HQ" else "ALL"))
        r += 1
    sh.put(r, 2, "合計", box=True)
    for m in F3M:
        L = get_column_letter(cols[m])
        sh.put(r, cols[m], f"=SUM({L}{first}:{L}{r - 1})", box=True)
        total_cell(file, ws.title, A1(r, cols[m]), sum(F3[k][m] for k in F3))
    r += 2
    for n in ["※1 支援員は参加支援事業とアウトリーチ等事業を兼務しているため、1人として計上。",
              "※ 月末の人数は4月30日時点。", "※ 統括は市社協本部の統括支援員。"]:
        sh.put(r, 2, n)
        r += 1
    ws.column_dimensions["A"].width = 2
    ws.column_dimensions["B"].width = 12
    for cc in range(3, 12):
        ws.column_dimensions[get_column_letter(cc)].width = 13


# ---------------------------------------------------------------- F4
def f4_sheet(sh, code, cfg, rows=None, record=True, month=4):
    rows = rows if rows is not None else F4[code]
    metrics = F4_METRICS[code]
    r, c = cfg.get("top", 1), cfg.get("left", 1)
    if cfg.get("title"):
        sh.put(r, c, cfg["title"], span=(1, 6), bold=True)
        r += 2
    for lab, val in [(cfg.get("lm", "報告年月"), month_value(cfg.get("month_style", "reiwa"), month)),
                     (cfg.get("lc", "機関コード"), code), ("機関名", AG[code]["agency_name"])]:
        if lab == "機関名" and cfg.get("no_name"):
            continue
        sh.put(r, c, lab)
        sh.put(r, c + cfg.get("gap", 1), val)
        r += 1
    r += 1
    key_head = cfg.get("key_head", "区・支所")
    heads = [cfg.get("site_head", "拠点・活動名"), key_head] + [cfg.get("labels", {}).get(m, F4_LABEL[m]) for m in metrics]
    if cfg.get("area_first"):
        heads[0], heads[1] = heads[1], heads[0]
    for j, h in enumerate(heads):
        sh.put(r, c + j, h, box=True, wrap=True)
    r += 1
    first = r
    for name, ac, v in rows:
        ak = ac if cfg.get("area_codes") else AREA_NAME[ac]
        if cfg.get("area_first"):
            sh.put(r, c, ak, box=True)
            sh.put(r, c + 1, name, box=True)
        else:
            sh.put(r, c, name, box=True)
            sh.put(r, c + 1, ak, box=True)
        for j, m in enumerate(metrics):
            sh.fig(r, c + 2 + j, v[m], pick_style(v[m], cfg.get("mix", "plain")), code, "F4", name, m, area=ac,
                   record=record)
        r += 1
    if cfg.get("total"):
        sh.put(r, c, "合計", box=True)
        sh.put(r, c + 1, None, box=True)
        for j, m in enumerate(metrics):
            L = get_column_letter(c + 2 + j)
            s = sum(v[m] for _, _, v in rows)
            sh.put(r, c + 2 + j, f"=SUM({L}{first}:{L}{r - 1})" if cfg["total"] == "formula" else s, box=True)
            if record:
                total_cell(sh.file, sh.name, A1(r, c + 2 + j), s)
        r += 1
    if cfg.get("notes"):
        r += 1
        for n in cfg["notes"]:
            sh.put(r, c, n)
            r += 1
    sh.ws.column_dimensions[get_column_letter(c)].width = 30
    sh.ws.column_dimensions[get_column_letter(c + 1)].width = 12
    for j in range(len(metrics)):
        sh.ws.column_dimensions[get_column_letter(c + 2 + j)].width = 16


def f4_hogan(sh, code):
    grid(sh.ws, 60)
    metrics = F4_METRICS[code]
    sh.put(2, 2, "地域づくり事業　月次報告書", span=(1, 30), bold=True)
    sh.put(4, 2, "報告年月", span=(1, 6), box=True)
    sh.put(4, 12, month_value("R."), span=(1, 6), box=True)
    sh.put(5, 2, "機関コード", span=(1, 6), box=True)
    sh.put(5, 12, code, span=(1, 6), box=True)
    sh.put(6, 2, "機関名", span=(1, 6), box=True)
    sh.put(6, 12, AG[code]["agency_name"], span=(1, 24), box=True)
    r = 8
    spans = [(2, 14), (16, 6), (22, 6), (28, 6)]
    for (c0, w), h in zip(spans, ["拠点・活動名", "区・支所", "開催回数", "参加者数\n（延べ）"]):
        sh.put(r, c0, h, span=(2, w), box=True, wrap=True)
    r += 2
    for name, ac, v in F4[code]:
        sh.put(r, 2, name, span=(1, 14), box=True)
        sh.put(r, 16, AREA_NAME[ac], span=(1, 6), box=True)
        for (c0, w), m in zip(spans[2:], metrics):
            sh.fig(r, c0, v[m], "int", code, "F4", name, m, span=(1, w), area=ac)
        r += 1


def f4_csv(path, code):
    fname = os.path.basename(path)
    head = ["事業所番号", "対象年月", "拠点・活動名", "区・支所", "開催回数", "参加者数（延べ）"]
    rows = [head]
    for name, ac, v in F4[code]:
        rows.append([code, "令和7年4月", name, AREA_NAME[ac], v["sessions"], v["participants"]])
        n = len(rows)
        rec_cell(fname, "", f"row {n}, column 5", code, "F4", name, "sessions", v["sessions"], area=ac)
        rec_cell(fname, "", f"row {n}, column 6", code, "F4", name, "participants", v["participants"], area=ac)
    with open(path, "w", encoding="cp932", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


# ---------------------------------------------------------------- the month's plan
PLAN = []   # (final file name, writer, classes, builder(wb, file) or csv writer(path))


def add(name, writer, classes, build):
    PLAN.append((name, writer, classes, build))


MONTH_STYLES = ["reiwa", "R.", "seireki", "date", "reiwa_fw", "R0/", "slash", "reiwa"]
MIXES = ["plain", "plain", "text", "dash", "mixed", "plain", "fw", "unit", "plain", "mixed"]


def vcfg(i, code):
    """A vertical F1 layout of the office's own making (options drawn per file)."""
    cfg = {}
    cfg["attr_head"] = ["相談者属性", "属性", "主たる属性", "", "相談者属性", "属性"][i % 6]
    cfg["labels"] = {
        "month": ["報告年月", "報告年月：", "報告年月:", "報告年月"][i % 4],
        "code": ["機関コード", "機関コード：", "機関ｺｰﾄﾞ", "機関コード", "機関ｺｰﾄﾞ："][i % 5],
        "name": ["機関名", "機関名：", "機関名"][i % 3],
        "att": ["重層支援会議への出席回数", "重層支援会議への\n出席回数", "重層支援会議への出席回数：",
                "重層支援会議への出席回数※", "重層支援会議への出席回数"][i % 5],
        "writer": ["記入者", "記入者：", "記入者"][i % 3],
    }
    cfg["fields"] = [["month", "code", "name", "att", "writer"], ["month", "code", "att"],
                     ["month", "code", "name", "att"], ["month", "code", "att", "writer"],
                     ["month", "code", "name", "submitted", "att", "writer"], ["code", "month", "name", "att", "writer"]][i % 6]
    cfg["month_style"] = MONTH_STYLES[i % len(MONTH_STYLES)]
    cfg["gap"] = [1, 2, 1, 1, 2][i % 5]
    cfg["pairs"] = i % 7 == 3
    cfg["two_row"] = i % 4 == 1
    cfg["col_labels"] = {m: rng.choice(F1_VARIANTS[m]) for m in F1M}
    if cfg["two_row"]:
        # The label is merged down over both heading rows and keeps its
        # whole text, line break included (an earlier version kept only the
        # first line, leaving 「うち」 or 「延べ」 alone: no reader, person or
        # program, could tell which figure such a column holds).
        pass
    orders = [F1M, ["consultations", "visits", "complex_cases", "new_persons", "continuing_persons",
                    "referrals_multi_agency", "referrals_other"],
              ["new_persons", "continuing_persons", "consultations", "complex_cases", "visits",
               "referrals_other", "referrals_multi_agency"]]
    cfg["order"] = orders[i % 3] if not cfg["two_row"] else F1M
    cfg["mix"] = MIXES[i % len(MIXES)]
    cfg["top"] = [1, 2, 1, 3][i % 4]
    cfg["left"] = [1, 2, 1][i % 3]
    cfg["title"] = [None, "包括的相談支援事業　月次報告", "令和7年度　包括的相談支援　月次実績報告（4月分）", None][i % 4]
    cfg["total"] = [None, "typed", None, "formula"][i % 4]
    cfg["total_label"] = ["合計", "計", "合　計"][i % 3]
    cfg["notes"] = NOTES[: 1 + i % 4] if i % 3 == 0 else None
    cfg["blank_rows"] = [0, 1, 0, 2][i % 4]
    cfg["unit_note"] = i % 5 == 2
    cfg["gapcol"] = 2 if i % 9 == 4 else None
    cfg["attr_vary"] = i % 2 == 0
    cfg["blank_att"] = True
    cfg["att_unit"] = i % 6 == 2
    cfg["att_style"] = "int" if cfg["att_unit"] else {5: "unit", 6: "fw", 1: "text"}.get(i % 8, "int")
    return cfg


def classes_of(cfg):
    cl = ["1"]
    if "name" not in cfg["fields"] or "writer" not in cfg["fields"] or cfg.get("blank_att"):
        cl.append("2")
    if cfg.get("total") or cfg.get("notes") or cfg.get("title") or cfg.get("blank_rows") or cfg.get("gapcol") is not None:
        cl.append("10")
    if cfg.get("mix") not in ("plain",):
        cl.append("num")
    return cl


def one_sheet(code, cfg, sheet="F1"):
    def build(wb, file):
        ws = wb.active
        ws.title = sheet
        f1_sheet(Sh(ws, file), code, cfg)
    return build


def safe(s):
    return s.replace("/", "・")


USED = set()

# -- ward office forwarding: 伏見区 (one .xlsx, a cover sheet and one sheet per centre)
fushimi = [f"CHI-{n:03d}" for n in range(44, 52)]


def build_fushimi(wb, file):
    ws = wb.active
    ws.title = "送付状"
    s = Sh(ws, file)
    s.put(2, 2, "伏見区役所 保健福祉センター　健康長寿推進課", span=(1, 6))
    s.put(4, 2, "令和7年4月分　地域包括支援センター月次報告の送付について", span=(1, 8), bold=True)
    s.put(6, 2, "区内の地域包括支援センター8か所分の報告を、センターごとのシートにまとめて送付します。", span=(1, 10))
    for j, c in enumerate(fushimi):
        s.put(8 + j, 3, f"シート「{AG[c]['agency_name'].replace('伏見区', '').replace('地域包括支援センター', '')}包括」")
    for j, c in enumerate(fushimi):
        w2 = wb.create_sheet(AG[c]["agency_name"].replace("伏見区", "").replace("地域包括支援センター", "") + "包括")
        cfg = vcfg(3 + j, c)
        cfg["total"] = "typed" if cfg["total"] else None
        f1_sheet(Sh(w2, file), c, cfg)


add("伏見区_地域包括支援センター月報_R7.4.xlsx", "openpyxl", ["7", "1", "2", "10"], build_fushimi)
USED.update(fushimi)

# -- ward office forwarding: 左京区 (.xls, one sheet per centre, no cover)
sakyo = [f"CHI-{n:03d}" for n in range(9, 15)]


def build_sakyo(wb, file):
    wb.remove(wb.active)
    for j, c in enumerate(sakyo):
        ws = wb.create_sheet(f"第{j + 1}包括")
        cfg = vcfg(11 + j, c)
        cfg["total"] = "formula" if j % 2 else "typed"
        f1_sheet(Sh(ws, file), c, cfg)


add("左京区包括6センター_4月報告.xls", "lo-xls", ["7", "1", "2", "10"], build_sakyo)
USED.update(sakyo)

# -- ward office forwarding: 醍醐支所, five of its six centres (re-saved by LibreOffice, sheets named by the full centre name, =SUM totals)
daigo = ["CHI-056", "CHI-058", "CHI-059", "CHI-060", "CHI-061"]   # CHI-057 sends its own CSV export


def build_daigo(wb, file):
    wb.remove(wb.active)
    for j, c in enumerate(daigo):
        ws = wb.create_sheet(AG[c]["agency_name"])
        cfg = vcfg(20 + j, c)
        cfg["total"] = "formula"
        cfg["title"] = "包括的相談支援　月次報告（令和7年4月分）"
        f1_sheet(Sh(ws, file), c, cfg)


add("醍醐支所_包括月報まとめ（4月）.xlsx", "lo-xlsx", ["7", "1", "2", "10"], build_daigo)
USED.update(daigo)


# -- annual workbooks: one sheet per month, April is the return
def fiscal_sheet_names(style):
    ms = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
    if style == "short":
        return [(m, f"{m}月") for m in ms]
    return [(m, f"令和{7 if m >= 4 else 8}年{m}月") for m in ms]


def build_annual(code, style, other, cfg):
    def build(wb, file):
        wb.remove(wb.active)
        for m, name in fiscal_sheet_names(style):
            ws = wb.create_sheet(name)
            sh = Sh(ws, file)
            if m == 4:
                f1_sheet(sh, code, cfg, month=4)
            elif m == 5 and other == "figures":
                f1_sheet(sh, code, cfg, month=5, data=f1_other_month(code, 5), record=False)
            else:
                c2 = dict(cfg, total=None, mix="plain")
                f1_sheet_empty(sh, code, c2, m)
        if other == "figures":
            wb.active = 1   # saved while looking at May: April is not the active sheet
    return build


def f1_sheet_empty(sh, code, cfg, m):
    """A month's sheet not filled in yet: the template with its labels only."""
    r = cfg.get("top", 1)
    c = cfg.get("left", 1)
    if cfg.get("title"):
        sh.put(r, c, cfg["title"], span=(1, 6), bold=True)
        r += 2
    gap = cfg.get("gap", 1)
    for lab, val in [("報告年月", month_value(cfg.get("month_style", "reiwa"), m)), ("機関コード", code),
                     ("重層支援会議への出席回数", None)]:
        sh.put(r, c, lab)
        sh.put(r, c + gap, val)
        r += 1
    r += 1
    sh.put(r, c, cfg.get("attr_head", "相談者属性"), box=True)
    for j, mm in enumerate(F1M):
        sh.put(r, c + 1 + j, F1_LABEL[mm], box=True, wrap=True)
    for at in ATTRS:
        r += 1
        sh.put(r, c, ATTR_JA[at], box=True)
        for j in range(len(F1M)):
            sh.put(r, c + 1 + j, None, box=True)


cfg = vcfg(0, "CHI-001"); cfg.update(fields=["month", "code", "name", "att"], total=None, month_style="reiwa")
add("CHI-001_令和7年度月次報告.xlsx", "openpyxl", ["6", "1"], build_annual("CHI-001", "short", "empty", cfg))
cfg = vcfg(5, "CHI-026"); cfg.update(total="formula", month_style="reiwa", fields=["month", "code", "name", "att", "writer"])
add("下京区第1包括_年間報告_令和7年度.xlsx", "lo-xlsx", ["6", "1", "10"], build_annual("CHI-026", "long", "figures", cfg))
cfg = vcfg(2, "KOC-003"); cfg.update(month_style="R.", total="typed", fields=["month", "code", "name", "att"])
add("KOC-003_子育てコンシェルジュ_R7年度.ods", "lo-ods", ["6", "1", "10"], build_annual("KOC-003", "short", "figures", cfg))
cfg = vcfg(7, "SKI-002"); cfg.update(month_style="reiwa", fields=["month", "code", "att"], total=None)
add("SKI-002 月報（年間）.xlsx", "openpyxl", ["6", "1", "2"], build_annual("SKI-002", "long", "empty", cfg))
USED.update(["CHI-001", "CHI-026", "KOC-003", "SKI-002"])


# -- transposed F1
def build_transposed(code, cfg):
    def build(wb, file):
        ws = wb.active
        ws.title = cfg.get("sheet", "報告")
        f1_transposed(Sh(ws, file), code, cfg)
    return build


for i, (code, writer, extra) in enumerate([
        ("CHI-030", "openpyxl", dict(title="包括的相談支援　月次報告", corner="項目", total="typed")),
        ("CHI-031", "lo-ods", dict(corner="", notes=NOTES[:2])),
        ("KOC-006", "openpyxl", dict(corner="属性", mix="dash", fields=["month", "code", "att"])),
        ("SKI-004", "lo-xlsx", dict(total="formula", corner="主たる属性→", col_labels={"consultations": "延べ相談件数※1", "visits": "うち訪問・同行※2"})),
        ("JKK-001", "openpyxl", dict(corner="相談者属性", mix="text", top=3))]):
    cfg = dict(fields=["month", "code", "name", "att", "writer"], labels={"month": "報告年月：", "code": "機関コード："},
               month_style=["reiwa", "slash", "R.", "date", "seireki"][i])
    cfg.update(extra)
    cl = ["8", "1"] + (["10"] if cfg.get("total") or cfg.get("notes") or cfg.get("title") else [])
    name = {"CHI-030": "南区第2包括_R7.4報告.xlsx", "CHI-031": "CHI-031_2025-04.ods", "KOC-006": "山科区子育てコンシェルジュ4月分.xlsx",
            "SKI-004": "右京・西京基幹_202504月報.xlsx", "JKK-001": "JKK-001_住居確保給付金_令和7年4月.xlsx"}[code]
    add(name, writer, cl, build_transposed(code, cfg))
    USED.add(code)


# -- エクセル方眼紙
def build_hogan(code, cfg):
    def build(wb, file):
        ws = wb.active
        ws.title = cfg.get("sheet", "月次報告")
        f1_hogan(Sh(ws, file), code, cfg)
    return build


for code, writer, extra, name in [
        ("CHI-040", "openpyxl", dict(), "西京区第2地域包括支援センター（4月）.xlsx"),
        ("CHI-041", "lo-xls", dict(month_style="R0/", mix="dash"), "CHI-041_R7-04.xls"),
        ("CHO-001", "openpyxl", dict(attr_head="相談者の\n主たる属性", w=6), "長寿すこやかセンター_月次報告_2025年4月.xlsx"),
        ("KOC-010", "openpyxl", dict(month_style="date", col_labels={m: F1_VARIANTS[m][0] for m in F1M}), "KOC-010.xlsx"),
        ("SYK-001", "lo-ods", dict(mix="fw", w=4), "障害者休日夜間相談_令和7年4月報告.ods")]:
    add(name, writer, ["5", "1"] + (["num"] if extra.get("mix") else []), build_hogan(code, extra))
    USED.add(code)

# -- CSV exports (long layout)
for code, vendor in [("CHI-002", "A"), ("CHI-016", "A"), ("CHI-034", "A"), ("CHI-052", "A"),
                     ("CHI-006", "B"), ("CHI-057", "B"), ("KOC-012", "B"),
                     ("CHI-020", "C"), ("CHI-037", "C"), ("YRS-001", "C"),
                     ("CHI-055", "D"), ("KOC-008", "D")]:
    enc = CSV_VENDORS[vendor]["enc"]
    name = {"A": f"export_{code}_202504.csv", "B": f"{code}_集計_令和7年4月.csv", "C": f"soudan_{code}_2504.csv",
            "D": f"月次集計_{code}.csv"}[vendor]
    add(name, "csv-" + ("cp932" if enc == "cp932" else "utf8bom"), ["9"],
        (lambda code, vendor: (lambda path: write_csv(path, code, vendor)))(code, vendor))
    USED.add(code)

# -- the rest of F1: vertical layouts of many hands
rest = [c for c in F1_AGENCIES if c not in USED]
NAME_PATTERNS = [
    lambda c: f"{c}_202504.xlsx",
    lambda c: f"R7.4月分_{AG[c]['agency_name']}.xlsx",
    lambda c: f"月次報告（{AG[c]['agency_name']}）令和7年4月",
    lambda c: f"{c} 4月実績.xlsx",
    lambda c: f"2025年4月_包括的相談支援_{c}.xlsx",
    lambda c: f"{AG[c]['agency_name']}_月報.xlsx",
]
for i, code in enumerate(rest):
    cfg = vcfg(i, code)
    if i % 11 == 7:
        writer = "lo-xls"
    elif i % 11 == 9:
        writer = "lo-ods"
    elif cfg["total"] == "formula":
        writer = "lo-xlsx"
    else:
        writer = "openpyxl"
    stem = NAME_PATTERNS[i % len(NAME_PATTERNS)](code)
    stem = stem[:-5] if stem.endswith(".xlsx") else stem
    ext = {"lo-xls": ".xls", "lo-ods": ".ods"}.get(writer, ".xlsx")
    cl = classes_of(cfg)
    if "2" in cl and "name" in cfg["fields"] and "writer" in cfg["fields"] and ATT[code] != 0:
        cl.remove("2")
    add(safe(stem) + ext, writer, cl, one_sheet(code, cfg, sheet=["F1", "報告", "Sheet1", "4月"][i % 4]))

# -- F2: one per 保健福祉センター
F2_PLAN = [
    ("HFC-001", "openpyxl", dict(arr="sheets", sec1="list"), "北区保健福祉センター_多機関協働_R7.4.xlsx"),
    ("HFC-004", "openpyxl", dict(arr="sheets", sec1="matrix", code_each_sheet=True, seps=["、"], date_style="slash",
                                 sheet_names=["1 会議", "2 つなぎ受付", "3 検討事案一覧"]), "HFC-004_202504.xlsx"),
    ("HFC-009", "lo-ods", dict(arr="sheets", sec1="list", seps=["\n"], total2="typed", title="多機関協働事業　月次報告"), "右京区HFC_多機関協働月報.ods"),
    ("HFC-012", "lo-xlsx", dict(arr="sheets", sec1="matrix", seps=[";"], total2="formula", mark="※"), "伏見区_多機関協働事業_2025年4月.xlsx"),
    ("HFC-002", "openpyxl", dict(arr="stacked", sec1="list", seps=["・"], title="多機関協働事業　月次報告書"), "上京区_多機関協働_4月.xlsx"),
    ("HFC-003", "lo-xls", dict(arr="stacked", sec1="matrix", seps=[","], month_style="R.", h1="【会議】", h2="【つなぎ受付】", h3="【検討事案一覧】"), "HFC-003_R7.4.xls"),
    ("HFC-005", "openpyxl", dict(arr="stacked", sec1="list", seps=["、", "・"], labels={"month": "報告年月：", "code": "機関コード："},
                                 sec1_labels={"cases_with_consent": "重層的支援会議　検討事案件数※1", "cases_without_consent": "支援会議　検討事案件数※1"},
                                 notes3=["※1 検討事案件数は検討事案一覧の件数と一致させること。", "※ 事案番号は匿名の番号とし、氏名等は記載しない。"]),
     "東山区保健福祉センター月次（多機関協働）.xlsx"),
    ("HFC-007", "lo-xlsx", dict(arr="stacked", sec1="matrix", seps=["\n"], total2="formula", top=2, left=2, date_style="reiwa"), "HFC-007_下京_202504.xlsx"),
    ("HFC-010", "openpyxl", dict(arr="stacked", sec1="list", seps=[";", "、"], omit=["writer"], month_style="date", mix="text",
                                 sec3_heads=["事案番号", "会議区分", "会議日", "主な課題", "参加機関コード\n（複数可）", "主担当\n機関コード"]), "西京区_多機関協働事業報告_R7-4.xlsx"),
    ("HFC-013", "openpyxl", dict(arr="stacked", sec1="list", seps=["，"], gap=2, issue_sep="、",
                                 sec1_labels={"meetings_with_consent": "重層的支援会議\n開催回数", "cases_with_consent": "重層的支援会議\n検討事案件数",
                                              "meetings_without_consent": "支援会議\n開催回数", "cases_without_consent": "支援会議\n検討事案件数"}),
     "深草支所HFC_4月分.xlsx"),
    ("HFC-006", "openpyxl", dict(arr="side", sec1="list", seps=["・"]), "山科区_多機関協働_令和7年4月.xlsx"),
    ("HFC-008", "openpyxl", dict(arr="side2", sec1="matrix", seps=["、"], date_style="R."), "HFC-008_月次報告.xlsx"),
    ("HFC-011", "lo-xls", dict(arr="side", sec1="list", seps=[";"], total2="typed"), "洛西支所_多機関協働_202504.xls"),
    ("HFC-014", "openpyxl", dict(arr="hogan"), "醍醐支所保健福祉センター_月次報告.xlsx"),
]
for code, writer, cfg, name in F2_PLAN:
    cl = ["3"] + (["5"] if cfg["arr"] == "hogan" else []) + (["1"] if cfg.get("labels") or cfg.get("sec1_labels") or cfg.get("mark") or cfg.get("sec3_heads") else []) \
        + (["10"] if cfg.get("title") or cfg.get("total2") or cfg.get("notes3") or cfg.get("top") else []) + (["2"] if cfg.get("omit") else [])
    add(name, writer, cl, (lambda code, cfg: (lambda wb, file: f2_book(wb, file, code, cfg)))(code, cfg))

# -- F3
add("地域あんしん支援員_月次報告_令和7年4月.xlsx", "lo-xlsx", ["4", "1", "10"], lambda wb, file: f3_book(wb, file))


# -- F4
def build_f4(code, cfg, sheet="地域づくり"):
    def build(wb, file):
        ws = wb.active
        ws.title = sheet
        f4_sheet(Sh(ws, file), code, cfg)
    return build


def build_f4_annual(code, cfg):
    def build(wb, file):
        wb.remove(wb.active)
        for m, name in fiscal_sheet_names("short"):
            ws = wb.create_sheet(name)
            if m == 4:
                f4_sheet(Sh(ws, file), code, cfg)
            elif m == 5:
                other = [(n, a, {k: max(0, x + rng.randint(-3, 5)) for k, x in v.items()}) for n, a, v in F4[code]]
                f4_sheet(Sh(ws, file), code, cfg, rows=other, record=False, month=5)
            else:
                f4_sheet(Sh(ws, file), code, cfg, rows=[(n, a, {k: None for k in v}) for n, a, v in F4[code]],
                         record=False, month=m)
    return build


add("CDK-001_地域介護予防推進センター_R7.4.xlsx", "lo-xlsx", ["4", "10"], build_f4("CDK-001", dict(total="formula", title="地域介護予防推進センター　実施状況（月次）")))
add("健康すこやか学級_令和7年4月.ods", "lo-ods", ["4", "1"], build_f4("CDK-002", dict(lm="報告年月：", lc="機関コード：", labels={"participants": "参加者数\n（延べ）"})))
add("CDK-003_サロン月報.xlsx", "openpyxl", ["5", "4"], lambda wb, file: (setattr(wb.active, "title", "報告書"), f4_hogan(Sh(wb.active, file), "CDK-003")))
add("支え合い活動創出_令和7年度月報.xlsx", "openpyxl", ["6", "4", "1"],
    build_f4_annual("CDK-004", dict(labels={"new_activities": "新たに生まれた・充実した地域活動数※1",
                                            "coordinated_initiatives": "地域支え合い活動調整会議を通じて\n支援した取組数※2"},
                                    notes=["※1 当月に新たに生まれた、又は充実した地域活動の数。", "※2 当月に調整会議を通じて支援した取組の数。"])))
add("CDK-005_地域活動支援センター_202504.csv", "csv-cp932", ["9", "4"], lambda path: f4_csv(path, "CDK-005"))
add("児童館事業_4月実績.xlsx", "openpyxl", ["4", "10"], build_f4("CDK-006", dict(key_head="区・支所コード", area_codes=True, top=2, left=2, total="typed")))
add("つどいの広場_R7.4.xls", "lo-xls", ["4", "1"], build_f4("CDK-007", dict(area_first=True, month_style="R0/", mix="dash")))
add("CDK-008_福祉のまちづくり_令和7年4月.xlsx", "openpyxl", ["4", "1", "10"],
    build_f4("CDK-008", dict(labels={"volunteer_consultations": "ボランティアセンター\n相談対応件数※1",
                                     "connection_participants": "つながりを促進する場への\n参加者数※2"},
                             notes=["※1 区ボランティアセンターでの相談対応の延べ件数。", "※2 つながりを促進する場への参加者の延べ人数。"], mix="comma")))
add("つながり・支え合い創出事業_月次.xlsx", "openpyxl", ["4", "10", "2"],
    build_f4("CDK-009", dict(title="地域資源を活かしたつながり・支え合い創出事業　月次報告", top=3, left=3, no_name=True, site_head="拠点・活動名")))


# ---------------------------------------------------------------- edge files (not part of the clean month)
def edge_plan(month_files):
    """Returns [(name, writer, what, build or bytes source)] and records their cells in EDGE_CELLS."""
    items = []

    def f5(wb, file):
        ws = wb.active
        ws.title = "事業費"
        sh = Sh(ws, file)
        code = "KOC-001"
        sh.put(1, 1, "重層的支援体制整備事業　事業費報告（令和7年度）", span=(1, 5), bold=True)
        sh.put(3, 1, "年度")
        sh.put(3, 2, "令和7年度")
        sh.put(4, 1, "機関コード")
        sh.put(4, 2, code)
        sh.put(5, 1, "機関名")
        sh.put(5, 2, AG[code]["agency_name"])
        for j, h in enumerate(["事業", "分野", "総事業費", "寄付金その他の収入額", "対象経費の実支出額"]):
            sh.put(7, 1 + j, h, box=True, wrap=True)
        sh.put(8, 1, "包括的相談支援事業", box=True)
        sh.put(8, 2, "子ども", box=True)
        for j, v in enumerate([18_420_000, 320_000, 17_950_000]):
            sh.put(8, 3 + j, f"{v:,}", box=True)
        sh.put(10, 1, "（単位：円）")
    items.append(("KOC-001_事業費_令和7年度.xlsx", "openpyxl", "F5 cost return (年度 2025) dropped into the month: read as F5 of FY2025, not a missing/duplicate F1", f5))

    def may(wb, file):
        ws = wb.active
        ws.title = "F1"
        cfg = vcfg(4, "KOC-014")
        cfg.update(month_style="reiwa", fields=["month", "code", "name", "att"])
        f1_sheet(Sh(ws, file), "KOC-014", cfg, month=5, data=f1_other_month("KOC-014", 5), record=False)
    items.append(("KOC-014_令和7年5月分.xlsx", "openpyxl", "a return dated 2025-05 among April's: month_mismatch (KOC-014's April return is in the month)", may))

    src = next(n for n, w, _, _ in month_files if w == "openpyxl" and n.endswith(".xlsx") and "CHI-0" in n and "_202504" in n)
    items.append((src[:-5] + " (1).xlsx", "copy", f"byte-identical second copy of the clean month's {src}", ("copy", src)))
    def file_of(code):
        return next(c["file"] for c in CELLS if c.get("agency_code") == code and c["role"] == "record")
    src2 = file_of("CHI-019")
    items.append(("CHI-019_202504_F1.xlsx", "truncated", f"first 2048 bytes of {src2}: unreadable_file tied to CHI-019", ("trunc", src2)))

    def other_table(wb, file):
        ws = wb.active
        ws.title = "研修記録"
        sh = Sh(ws, file)
        sh.put(1, 1, "職員研修 参加記録（令和7年度）", bold=True)
        for j, h in enumerate(["研修名", "開催日", "主催", "参加人数"]):
            sh.put(3, 1 + j, h, box=True)
        for i, (t, d, o, n) in enumerate([("権利擁護研修", dt.datetime(2025, 4, 14), "京都市", 2),
                                          ("認知症ケア研修", dt.datetime(2025, 4, 22), "区役所", 1),
                                          ("ケアマネジメント研修", dt.datetime(2025, 4, 25), "府", 3)]):
            for j, v in enumerate([t, d, o, n]):
                sh.put(4 + i, 1 + j, v, box=True)
    items.append(("CHI-019_研修参加記録.xlsx", "openpyxl", "an unrecognizable workbook of CHI-019 (some other table): reported, never read as a return", other_table))

    def no_code(wb, file):
        ws = wb.active
        ws.title = "F1"
        cfg = vcfg(2, "CHI-028")
        cfg.update(fields=["month", "name", "att", "writer"], total="typed")
        f1_sheet(Sh(ws, file), "CHI-028", cfg)
    items.append(("R7.4月分報告.xlsx", "openpyxl", f"CHI-028's return with no 機関コード cell; 機関名 is the registry name exactly (substitute for the clean month's `{file_of('CHI-028')}`)", no_code))

    def none(wb, file):
        ws = wb.active
        ws.title = "F1"
        cfg = vcfg(6, "KOC-013")
        cfg.update(fields=["month", "att"], total=None)
        f1_sheet(Sh(ws, file), "KOC-013", cfg)
    items.append(("KOC-013_4月.xlsx", "openpyxl", f"KOC-013's return with neither code nor name inside; the code is in the file name (substitute for the clean month's `{file_of('KOC-013')}`)", none))
    return items


# ---------------------------------------------------------------- main
def soffice(fmt, files, outdir):
    if not files:
        return
    cmd = ["soffice", "--headless", "--norestore", "--convert-to", fmt, "--outdir", outdir] + files
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, HOME=tempfile.gettempdir()))


def build_all(plan, outdir, stage):
    conv = {"lo-xls": [], "lo-ods": [], "lo-xlsx": []}
    for name, writer, classes, build in plan:
        if writer.startswith("csv"):
            build(os.path.join(outdir, name))
            continue
        if writer in ("copy", "truncated"):
            continue
        wb = Workbook()
        build(wb, name)
        if writer == "openpyxl":
            wb.save(os.path.join(outdir, name))
        else:
            p = os.path.join(stage, os.path.splitext(name)[0] + ".xlsx")
            wb.save(p)
            conv[writer].append(p)
    soffice("xls:MS Excel 97", conv["lo-xls"], outdir)
    soffice("ods", conv["lo-ods"], outdir)
    soffice("xlsx:Calc MS Excel 2007 XML", conv["lo-xlsx"], outdir)
    for name, *_ in plan:
        if _[0] not in ("copy", "truncated"):
            assert os.path.exists(os.path.join(outdir, name)), name


def write_csv_rows(path, head, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=head, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


CELL_HEAD = ["role", "file", "sheet", "cell", "month", "agency_code", "area_code", "project", "field", "form", "key",
             "metric", "value"]
REC_HEAD = ["month", "agency_code", "area_code", "project", "field", "form", "key", "metric", "value",
            "source_file", "source_sheet", "source_cell"]
CASE_HEAD = ["month", "center_code", "case_id", "meeting_kind", "meeting_date", "issues", "participants",
             "lead_agency", "source_file", "source_sheet", "source_cell"]


def intent_records(cells):
    out = []
    for c in cells:
        if c["role"] != "record":
            continue
        r = {k: c[k] for k in REC_HEAD[:9]}
        r.update(source_file=c["file"], source_sheet=c["sheet"], source_cell=c["cell"])
        out.append(r)
    return out


def intent_cases(cells, files_of_center):
    out = []
    for h in F2_AGENCIES:
        for case in CASES[h]:
            idc = next(c for c in cells if c["role"] == "case_id" and c["agency_code"] == h and c["key"] == case["case_id"])
            out.append(dict(month=MONTH, center_code=h, case_id=case["case_id"], meeting_kind=case["kind"],
                            meeting_date=case["date"].isoformat(), issues=";".join(case["issues"]),
                            participants=";".join(case["participants"]), lead_agency=case["lead"],
                            source_file=idc["file"], source_sheet=idc["sheet"], source_cell=idc["cell"]))
    return out


def main():
    global CELLS
    for d in (MDIR, EDGE):
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
    names = [p[0] for p in PLAN]
    assert len(names) == len(set(names)), "file names must be unique"
    stage = tempfile.mkdtemp(prefix="foreign-stage-")
    build_all(PLAN, MDIR, stage)
    month_cells = CELLS
    # every F1..F4 agency sends exactly one return, and every figure is recorded once
    agencies_seen = {c["agency_code"] for c in month_cells if c["role"] == "record"}
    assert agencies_seen == {a["agency_code"] for a in AGENCIES}, set(a["agency_code"] for a in AGENCIES) ^ agencies_seen
    keys = [(c["agency_code"], c["form"], c["key"], c["metric"]) for c in month_cells if c["role"] == "record"]
    assert len(keys) == len(set(keys))

    eplan = edge_plan(PLAN)
    CELLS = []
    stage2 = tempfile.mkdtemp(prefix="foreign-stage-edge-")
    build_all([(n, w, [], b) for n, w, _, b in eplan], EDGE, stage2)
    for n, w, _, b in eplan:
        if w == "copy":
            shutil.copyfile(os.path.join(MDIR, b[1]), os.path.join(EDGE, n))
        elif w == "truncated":
            with open(os.path.join(MDIR, b[1]), "rb") as f:
                data = f.read(2048)
            with open(os.path.join(EDGE, n), "wb") as f:
                f.write(data)
    edge_cells = CELLS
    CELLS = month_cells

    write_csv_rows(os.path.join(OUT, "cells.csv"), CELL_HEAD, month_cells)
    write_csv_rows(os.path.join(EDGE, "cells.csv"), CELL_HEAD, edge_cells)
    write_csv_rows(os.path.join(OUT, "intent_records.csv"), REC_HEAD, intent_records(month_cells))
    write_csv_rows(os.path.join(OUT, "intent_cases.csv"), CASE_HEAD, intent_cases(month_cells, None))
    write_csv_rows(os.path.join(EDGE, "intent_records.csv"), REC_HEAD, intent_records(edge_cells))
    files = []
    for name, writer, classes, _ in PLAN:
        ags = sorted({c["agency_code"] for c in month_cells if c["file"] == name and c["role"] == "record"})
        form = sorted({c["form"] for c in month_cells if c["file"] == name and c["role"] == "record"})
        files.append(dict(file=name, writer=writer, form=";".join(form), classes=";".join(sorted(set(classes), key=lambda x: (len(x), x))),
                          agencies=";".join(ags)))
    write_csv_rows(os.path.join(OUT, "files.csv"), ["file", "writer", "form", "classes", "agencies"], files)
    with open(os.path.join(EDGE, "EXPECTED.md"), "w", encoding="utf-8") as f:
        f.write("# Edge files (not part of the clean month) / 境界ケース\n\n"
                "Each is tested by copying the clean month `../2025-04/` and adding (or, where it says so, substituting) the file.\n"
                "Figures the two substitute returns should yield are in `intent_records.csv` (cells in `cells.csv`).\n\n"
                "| file | writer | what kasane should do |\n|---|---|---|\n")
        for n, w, what, _ in eplan:
            f.write(f"| `{n}` | {w} | {what} |\n")
    shutil.rmtree(stage)
    shutil.rmtree(stage2)
    print(f"{len(PLAN)} files, {sum(1 for c in month_cells if c['role'] == 'record')} figures, "
          f"{sum(len(v) for v in CASES.values())} cases; edge: {len(eplan)} files")


if __name__ == "__main__":
    main()
