#!/usr/bin/env python3
"""A city's own F1 template, written from the words of the spec (not copied
from samples/), for the test of `kasane mapping draft` (tests/mapping_draft.rs).

Writes to tests/fixtures/draft/ (or the folder given):

* F1_blank.xlsx   the blank template as a city would hand it out: title rows,
                  header labels in the city's own words (報告月, 事業所番号,
                  様式番号 …) in merged cells (エクセル方眼紙), a table whose
                  headings carry ※ notes and line breaks, attribute rows with
                  footnote marks, a 合計 row of SUM formulas, footnotes, and a
                  second sheet 記入上の注意 with no table;
* F1_filled.xlsx  the same template filled in by one agency (CHI-001 of the
                  bundled kyoto registry) with known figures; its 合計 row is
                  typed numbers (openpyxl cannot store formula results);
* F1_expected.json the figures the filled copy holds, computed here
                  independently of kasane: agency, month, every (key, metric,
                  value, cell).

Deterministic: the figures come from a fixed seed, so reruns give the same
files (apart from the workbook timestamps openpyxl writes).

    python3 tools/draft/make_template.py [OUT_DIR]
"""

import json
import random
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

# The spec's F1 figures in this city's words: (metric code, heading text).
# Deliberately not the glossary's exact words everywhere: ※ notes, a line
# break, 件数 added or left off.
COLUMNS = [
    ("new_persons", "新規相談者数\n（実人数）※1"),
    ("continuing_persons", "継続相談者数（実人数）"),
    ("consultations", "延べ相談件数※2"),
    ("visits", "うち訪問・同行件数"),
    ("complex_cases", "うち複合的な課題を抱える相談件数"),
    ("referrals_multi_agency", "多機関協働事業へのつなぎ"),
    ("referrals_other", "他の支援関係機関へのつなぎ件数"),
]

# The spec's five attributes in this city's words, with footnote marks.
ROWS = [
    ("elderly", "高齢者※3"),
    ("disability", "障害者（児）"),
    ("child", "子ども・子育て世帯"),
    ("poverty", "生活困窮者"),
    ("other", "その他"),
]

AGENCY = ("CHI-001", "北区第1地域包括支援センター")
MONTH_TEXT, MONTH = "令和7年4月", "2025-04"
VERSION = "相談F1-2025"

HEADING_ROW = 9
FIRST_ROW = HEADING_ROW + 1
TOTAL_ROW = FIRST_ROW + len(ROWS)

thin = Side(style="thin")
box = Border(left=thin, right=thin, top=thin, bottom=thin)


def merged(ws, cells, value, bold=False):
    ws.merge_cells(cells)
    first = cells.split(":")[0]
    ws[first] = value
    ws[first].alignment = Alignment(wrap_text=True, vertical="center")
    if bold:
        ws[first].font = Font(bold=True)


def figures(seed=20250401):
    """Figures that satisfy the spec's rules inside a row: visits and
    complex cases at most the consultations, new + continuing persons at
    most the consultations."""
    rnd = random.Random(seed)
    out = {}
    for key, _ in ROWS:
        new = rnd.randint(0, 12)
        cont = rnd.randint(0, 30)
        cons = new + cont + rnd.randint(0, 40)
        out[key] = {
            "new_persons": new,
            "continuing_persons": cont,
            "consultations": cons,
            "visits": rnd.randint(0, cons),
            "complex_cases": rnd.randint(0, cons),
            "referrals_multi_agency": rnd.randint(0, 3),
            "referrals_other": rnd.randint(0, 6),
        }
    return out, rnd.randint(0, 4)


def template(filled):
    wb = Workbook()
    ws = wb.active
    ws.title = "月次報告"
    for col in range(1, 10):
        ws.column_dimensions[get_column_letter(col)].width = 14
    merged(ws, "A1:I1", "令和　年度　包括的相談支援事業　実施状況報告書（月報）", bold=True)
    merged(ws, "A2:I2", "※太枠内に入力してください。合計欄は自動計算です。")
    # Header block: label over two merged cells, value over three (方眼紙).
    merged(ws, "A4:B4", "報告月")
    merged(ws, "C4:E4", MONTH_TEXT if filled else "令和　年　月")
    merged(ws, "F4:G4", "様式番号")
    merged(ws, "H4:I4", VERSION)
    merged(ws, "A5:B5", "事業所番号")
    merged(ws, "C5:E5", AGENCY[0] if filled else None)
    merged(ws, "F5:G5", "事業所名称")
    merged(ws, "H5:I5", AGENCY[1] if filled else None)
    merged(ws, "A6:D6", "重層的支援会議等への出席回数（回）")
    data, attendance = figures()
    ws["E6"] = attendance if filled else None
    merged(ws, "A7:B7", "記入者職名")
    merged(ws, "C7:E7", "相談員" if filled else None)
    # The table.
    ws.cell(HEADING_ROW, 1, "対象者区分")
    for j, (_, heading) in enumerate(COLUMNS):
        c = ws.cell(HEADING_ROW, 2 + j, heading)
        c.alignment = Alignment(wrap_text=True)
    for i, (key, label) in enumerate(ROWS):
        r = FIRST_ROW + i
        ws.cell(r, 1, label)
        for j, (metric, _) in enumerate(COLUMNS):
            ws.cell(r, 2 + j, data[key][metric] if filled else None)
    ws.cell(TOTAL_ROW, 1, "合計")
    for j, (metric, _) in enumerate(COLUMNS):
        col = get_column_letter(2 + j)
        if filled:
            value = sum(data[k][metric] for k, _ in ROWS)
        else:
            value = f"=SUM({col}{FIRST_ROW}:{col}{TOTAL_ROW - 1})"
        ws.cell(TOTAL_ROW, 2 + j, value)
    for r in range(HEADING_ROW, TOTAL_ROW + 1):
        for c in range(1, 2 + len(COLUMNS)):
            ws.cell(r, c).border = box
    notes = [
        "※1 実人数は当月中に初めて相談を受けた人数を計上してください。",
        "※2 電話・来所・訪問を含みます。",
        "※3 おおむね65歳以上の方。",
    ]
    for i, note in enumerate(notes):
        ws.cell(TOTAL_ROW + 2 + i, 1, note)
    # A second sheet with instructions only (no table): the draft must
    # choose the first sheet.
    guide = wb.create_sheet("記入上の注意")
    for i, line in enumerate([
        "記入上の注意",
        "1. 報告月は和暦で記入してください（例：令和7年4月）。",
        "2. 事業所番号は市から通知された番号を記入してください。",
        "3. 該当がない欄は 0 を記入してください。",
    ]):
        guide.cell(1 + i, 1, line)
    return wb, data, attendance


def expected(data, attendance):
    figs = []
    for i, (key, _) in enumerate(ROWS):
        for j, (metric, _) in enumerate(COLUMNS):
            cell = f"{get_column_letter(2 + j)}{FIRST_ROW + i}"
            figs.append({"key": key, "metric": metric, "value": data[key][metric],
                         "cell": cell})
    figs.append({"key": "", "metric": "meeting_attendance", "value": attendance,
                 "cell": "E6"})
    figs.sort(key=lambda f: (f["metric"], f["key"]))
    totals = {m: sum(data[k][m] for k, _ in ROWS) for m, _ in COLUMNS}
    return {
        "file": "F1_filled.xlsx",
        "sheet": "月次報告",
        "form": "F1",
        "agency_code": AGENCY[0],
        "month": MONTH,
        "version": VERSION,
        "figures": figs,
        "totals": dict(sorted(totals.items())),
    }


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "draft")
    out.mkdir(parents=True, exist_ok=True)
    blank, _, _ = template(filled=False)
    blank.save(out / "F1_blank.xlsx")
    filled, data, attendance = template(filled=True)
    filled.save(out / "F1_filled.xlsx")
    (out / "F1_expected.json").write_text(
        json.dumps(expected(data, attendance), ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")
    print(f"wrote {out}/F1_blank.xlsx, F1_filled.xlsx, F1_expected.json")


if __name__ == "__main__":
    main()
