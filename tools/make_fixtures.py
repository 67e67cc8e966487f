#!/usr/bin/env python3
"""Build the drifted F1 returns of tests/fixtures/drift/ (tests/readers.rs).

Each fixture is an F1 return in the Kyoto layout (samples/LAYOUT.md,
mappings/kyoto/f1.toml and f1_vendor_csv.toml) as some other software or
some person would really make it: titles inserted, columns reordered,
headers broken over lines or over two rows, half-width katakana, the value
two cells right of its label, notes, a typed 合計, extra and hidden sheets,
re-saved as .xls / .ods / .xlsm by LibreOffice, and CSV / text exports in
CP932, UTF-8 with BOM and UTF-16 (tab-separated), with CRLF, ragged rows,
quoted newlines, bad values and one invalid byte.

Writes, besides the fixtures:
  expected_figures.csv   file, key, metric, value: every figure typed in
  expected_problems.csv  file, rule, cell, actual: every problem planted
  expected_errors.csv    file, kind, place: files that must not read at all

Usage:  python3 tools/make_fixtures.py [--no-libreoffice]
Deterministic: fixed figures, fixed document properties.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "drift"

ATTRS = [  # (key code, label as typed)
    ("elderly", "高齢者"),
    ("disability", "障害者"),
    ("child", "子ども・子育て"),
    ("poverty", "生活困窮"),
    ("other", "その他"),
]
METRICS = [  # (metric, template label)
    ("new_persons", "新規相談者数（実人数）"),
    ("continuing_persons", "継続相談者数（実人数）"),
    ("consultations", "延べ相談件数"),
    ("visits", "うち訪問・同行"),
    ("complex_cases", "うち複合的な課題を抱える相談"),
    ("referrals_multi_agency", "多機関協働事業へのつなぎ件数"),
    ("referrals_other", "他の支援関係機関へのつなぎ件数"),
]

expected_figures: list[tuple[str, str, str, int]] = []
expected_problems: list[tuple[str, str, str, str]] = []
expected_errors: list[tuple[str, str, str]] = []


def figures(seed: int) -> dict[tuple[str, str], int]:
    """A consistent table: visits and complex cases within consultations."""
    out = {}
    for i, (key, _) in enumerate(ATTRS):
        new = (seed + 3 * i) % 7 + 1
        cont = (seed + 5 * i) % 9 + 2
        cons = new + cont + (seed + i) % 11 + 3
        out[(key, "new_persons")] = new
        out[(key, "continuing_persons")] = cont
        out[(key, "consultations")] = cons
        out[(key, "visits")] = (seed + 2 * i) % 4
        out[(key, "complex_cases")] = (seed + i) % 3
        out[(key, "referrals_multi_agency")] = (seed * i) % 2
        out[(key, "referrals_other")] = (seed + 7 * i) % 5
    return out


def expect(file: str, table: dict, attendance: int | None, skip=()) -> None:
    for (key, metric), v in sorted(table.items()):
        if (key, metric) not in skip:
            expected_figures.append((file, key, metric, v))
    if attendance is not None:
        expected_figures.append((file, "", "meeting_attendance", attendance))


def fixed_properties(wb: openpyxl.Workbook) -> None:
    stamp = dt.datetime(2025, 5, 1, 9, 0, 0)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "kasane tools/make_fixtures.py"
    wb.properties.lastModifiedBy = None


def header_block(ws, row: int, label_col: int, gap: int, code: str, month, att: int,
                 code_label: str = "機関コード") -> int:
    """Header labels in label_col, values `gap` columns to the right."""
    items = [
        ("様式バージョン", "kyoto-F1-v1"),
        ("報告年月", month),
        (code_label, code),
        ("機関名", "ドリフト検証用センター"),
        ("重層支援会議への出席回数", att),
        ("記入者", "相談員"),
    ]
    for i, (label, value) in enumerate(items):
        ws.cell(row=row + i, column=label_col, value=label)
        ws.cell(row=row + i, column=label_col + gap, value=value)
    return row + len(items)


def one_row_table(ws, top: int, order: list[int], labels: list[str], table: dict,
                  total: bool, cells: dict | None = None) -> int:
    """Heading at `top`, attribute rows below; returns the next free row."""
    ws.cell(row=top, column=1, value="相談者の属性")
    for j, m in enumerate(order):
        ws.cell(row=top, column=2 + j, value=labels[m])
    for i, (key, label) in enumerate(ATTRS):
        r = top + 1 + i
        ws.cell(row=r, column=1, value=label)
        for j, m in enumerate(order):
            metric = METRICS[m][0]
            v = (cells or {}).get((key, metric), table[(key, metric)])
            ws.cell(row=r, column=2 + j, value=v)
    r = top + 1 + len(ATTRS)
    if total:
        ws.cell(row=r, column=1, value="合計")
        for j, m in enumerate(order):
            ws.cell(row=r, column=2 + j,
                    value=sum(table[(k, METRICS[m][0])] for k, _ in ATTRS))
        r += 1
    return r


def d01_title_rows_reordered(path: Path) -> None:
    """openpyxl: title rows, hidden old copy first, header values two to the
    right, reordered columns, line breaks and half-width katakana in labels,
    typed 合計, notes rows, a second visible sheet."""
    name = path.name
    wb = openpyxl.Workbook()
    fixed_properties(wb)
    # An old copy with other figures, hidden, placed first: must be ignored.
    old = wb.active
    old.title = "旧様式（使わない）"
    header_block(old, 1, 1, 1, "CHI-011", "令和7年3月", 9)
    one_row_table(old, 9, list(range(7)), [m[1] for m in METRICS], figures(99), True)
    old.sheet_state = "hidden"
    ws = wb.create_sheet("報告")
    ws["A1"] = "包括的相談支援 月次報告（様式F1）"
    ws.merge_cells("A1:H1")
    ws["A2"] = "京都市 重層的支援体制整備事業"
    ws.merge_cells("A2:H2")
    table = figures(11)
    # Value two cells right of its label; 機関ｺｰﾄﾞ in half-width katakana.
    nxt = header_block(ws, 4, 1, 2, "CHI-011", "令和７年４月", 3, code_label="機関ｺｰﾄﾞ")
    order = [2, 0, 1, 6, 5, 3, 4]  # columns in another order
    labels = [m[1] for m in METRICS]
    labels[0] = "新規相談者数\n（実人数）"
    labels[1] = "継続相談者数\r\n（実人数）"
    labels[4] = "うち複合的な課題を\n抱える相談"
    labels[5] = "多機関協働事業への\nつなぎ件数"
    r = one_row_table(ws, nxt + 2, order, labels, table, total=True)
    ws.cell(row=r + 1, column=1, value="備考")
    ws.cell(row=r + 1, column=2, value="4月は訪問強化月間")
    ws.cell(row=r + 2, column=1, value="※ 実人数は月内の重複を除く")
    notes = wb.create_sheet("記入上の注意")
    notes["A1"] = "延べ相談件数には電話相談を含めてください。"
    notes["A2"] = "様式は変更しないでください。"
    wb.save(path)
    expect(name, table, 3)


def d02_two_row_header(path: Path) -> None:
    """openpyxl: a group label merged over 新規 / 継続, the key heading merged
    down over both rows, and the month as a date cell under a 和暦 format."""
    name = path.name
    wb = openpyxl.Workbook()
    fixed_properties(wb)
    ws = wb.active
    ws.title = "F1"
    ws["A1"] = "包括的相談支援 月次報告"
    ws.merge_cells("A1:I1")
    header_block(ws, 2, 1, 1, "CHI-012", dt.datetime(2025, 4, 1), 2)
    ws["B3"].number_format = '[$-411]ggge"年"m"月"'
    table = figures(12)
    top = 10
    ws.cell(row=top, column=1, value="相談者の属性")
    ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
    ws.cell(row=top, column=2, value="相談者数\n（実人数）")
    ws.merge_cells(start_row=top, start_column=2, end_row=top, end_column=3)
    ws.cell(row=top + 1, column=2, value="新規")
    ws.cell(row=top + 1, column=3, value="継続")
    for j, m in enumerate(range(2, 7)):
        col = 4 + j
        ws.cell(row=top, column=col, value=METRICS[m][1])
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
    for i, (key, label) in enumerate(ATTRS):
        r = top + 2 + i
        ws.cell(row=r, column=1, value=label)
        for j, (metric, _) in enumerate(METRICS):
            ws.cell(row=r, column=2 + j, value=table[(key, metric)])
    wb.save(path)
    expect(name, table, 2)


def d03_bad_values(path: Path) -> None:
    """openpyxl: values a person cannot read as counts, and a formula that
    was never calculated (openpyxl saves no cached result)."""
    name = path.name
    wb = openpyxl.Workbook()
    fixed_properties(wb)
    ws = wb.active
    ws.title = "F1"
    header_block(ws, 2, 1, 1, "CHI-013", "R7.4", 1)
    table = figures(13)
    bad = {
        ("elderly", "new_persons"): "約10",
        ("disability", "consultations"): "10?",
        ("child", "visits"): -3,
        ("poverty", "complex_cases"): 1.5,
        ("other", "referrals_other"): "#REF!",
        ("other", "new_persons"): "=B10+1",
    }
    top = 9
    one_row_table(ws, top, list(range(7)), [m[1] for m in METRICS], table, False, bad)
    # Full-width digits, units, separators and dashes are all readable.
    good = {
        ("elderly", "consultations"): ("１２件", 12),
        ("disability", "new_persons"): ("3人", 3),
        ("child", "referrals_multi_agency"): ("－", 0),
        ("poverty", "consultations"): ("1,024", 1024),
    }
    for (key, metric), (typed, value) in good.items():
        r = top + 1 + [k for k, _ in ATTRS].index(key)
        c = 2 + [m for m, _ in METRICS].index(metric)
        ws.cell(row=r, column=c, value=typed)
        table[(key, metric)] = value
    wb.save(path)
    for (key, metric), typed in bad.items():
        r = top + 1 + [k for k, _ in ATTRS].index(key)
        c = 2 + [m for m, _ in METRICS].index(metric)
        actual = {-3: "-3", 1.5: "1.5"}.get(typed, typed) if not isinstance(typed, str) else typed
        expected_problems.append((name, "bad_value", f"{get_column_letter(c)}{r}", str(actual)))
    expect(name, table, 1, skip=set(bad))


def libreoffice(src: Path, fmt: str, dest: Path) -> bool:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp, "profile").as_uri()
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                        "--norestore", "--convert-to", fmt, "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=180)
        produced = [p for p in Path(tmp).iterdir() if p.is_file()]
        if len(produced) != 1:
            return False
        shutil.move(str(produced[0]), dest)
    return True


def d04_formula_total(path: Path) -> Path:
    """openpyxl source for LibreOffice: a 合計 row of SUM formulas (LibreOffice
    saves their results), month as 2025/4."""
    wb = openpyxl.Workbook()
    fixed_properties(wb)
    ws = wb.active
    ws.title = "F1"
    ws["A1"] = "包括的相談支援 月次報告（様式F1）"
    ws.merge_cells("A1:H1")
    header_block(ws, 2, 1, 1, "CHI-014", "2025/4", 4)
    table = figures(14)
    r = one_row_table(ws, 9, list(range(7)), [m[1] for m in METRICS], table, False)
    ws.cell(row=r, column=1, value="合計")
    for j in range(7):
        col = get_column_letter(2 + j)
        ws.cell(row=r, column=2 + j, value=f"=SUM({col}10:{col}14)")
    wb.save(path)
    return path


def write_text(path: Path, rows: list[list[str]], encoding: str, sep: str = ",",
               newline: str = "\r\n", bom: bytes = b"") -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    w.writerows(rows)
    path.write_bytes(bom + buf.getvalue().encode(encoding))


def long_rows(code: str, month: str, table: dict, attendance: int) -> list[list[str]]:
    rows = [["機関コード", "対象年月", "相談者属性", "集計項目", "件数"]]
    for key, label in ATTRS:
        for metric, mlabel in METRICS:
            rows.append([code, month, label, mlabel, str(table[(key, metric)])])
    rows.append([code, month, "", "重層支援会議への出席回数", str(attendance)])
    return rows


def csv_fixtures(out: Path) -> None:
    # CP932, CRLF, half-width katakana in the header, a ragged trailing row.
    name = "d10_vendor_cp932_crlf.csv"
    table = figures(20)
    rows = long_rows("CHI-020", "202504", table, 5)
    rows[0][0] = "機関ｺｰﾄﾞ"
    rows[3] = rows[3] + ["", ""]  # extra empty fields (ragged)
    write_text(out / name, rows, "cp932")
    expect(name, table, 5)

    # UTF-8 with BOM, LF only, quoted line breaks inside labels.
    name = "d11_vendor_utf8bom.csv"
    table = figures(21)
    rows = long_rows("CHI-021", "2025-04", table, 0)
    for row in rows[1:]:
        if row[3] == "延べ相談件数":
            row[3] = "延べ\n相談件数"
    write_text(out / name, rows, "utf-8", newline="\n", bom=b"\xef\xbb\xbf")
    expect(name, table, 0)

    # Excel's 「Unicode テキスト」: the F1 sheet as UTF-16LE, tab-separated.
    name = "d12_sheet_unicode_text.txt"
    table = figures(22)
    grid = [["包括的相談支援 月次報告（様式F1）"], ["様式バージョン", "kyoto-F1-v1"],
            ["報告年月", "令和7年4月"], ["機関コード", "CHI-022"], ["機関名", "テキスト保存"],
            ["重層支援会議への出席回数", "6"], ["記入者", "相談員"], [],
            ["相談者の属性"] + [m[1] for m in METRICS]]
    for key, label in ATTRS:
        grid.append([label] + [str(table[(key, m)]) for m, _ in METRICS])
    grid.append(["合計"] + [str(sum(table[(k, m)] for k, _ in ATTRS)) for m, _ in METRICS])
    write_text(out / name, grid, "utf-16-le", sep="\t", bom=b"\xff\xfe")
    expect(name, table, 6)

    # Excel's 「CSV（コンマ区切り）」 of the F1 sheet: CP932, ragged rows.
    name = "d13_sheet_excel_csv_cp932.csv"
    table = figures(23)
    grid = [["包括的相談支援 月次報告（様式F1）", "", "", ""], ["様式バージョン", "kyoto-F1-v1"],
            ["報告年月", "R07/04"], ["機関コード", "ＣＨＩ－０２３"], ["機関名", "ＣＳＶ保存"],
            ["重層支援会議への出席回数", "２"], ["記入者", "相談員"], [],
            ["相談者の属性"] + [m[1] for m in METRICS]]
    for key, label in ATTRS:
        grid.append([label] + [str(table[(key, m)]) for m, _ in METRICS])
    grid.append(["備考", "実人数は重複除く"])
    write_text(out / name, grid, "cp932")
    expect(name, table, 2)

    # Bad values in a vendor CSV: each a bad_value at row N, column 5.
    name = "d14_vendor_bad_values.csv"
    table = figures(24)
    rows = long_rows("CHI-024", "202504", table, 1)
    bad_at = {2: "約10", 9: "10?", 16: "-3", 23: "1.5", 30: "#REF!"}
    skip = set()
    for i, text in bad_at.items():
        row = rows[i]
        key = next(k for k, label in ATTRS if label == row[2])
        metric = next(m for m, label in METRICS if label == row[3])
        row[4] = text
        skip.add((key, metric))
        expected_problems.append((name, "bad_value", f"row {i + 1}, column 5", text))
    write_text(out / name, rows, "cp932")
    expect(name, table, 1, skip=skip)

    # One byte that is neither UTF-8 nor CP932, in a CP932 file.
    name = "e01_invalid_byte.csv"
    data = "\r\n".join(",".join(r) for r in long_rows("CHI-025", "202504", figures(25), 1))
    raw = data.encode("cp932")
    at = raw.index("延べ相談件数".encode("cp932"))
    raw = raw[:at] + b"\xff" + raw[at + 1:]
    (out / name).write_bytes(raw)
    expected_errors.append((name, "encoding", f"byte {at}"))

    # A quote opened and never closed.
    name = "e02_unterminated_quote.csv"
    rows = long_rows("CHI-026", "202504", figures(26), 1)
    text = "\r\n".join(",".join(r) for r in rows[:5])
    text += '\r\nCHI-026,202504,"高齢者,延べ相談件数,3\r\n' + "\r\n".join(",".join(r) for r in rows[6:])
    (out / name).write_bytes(text.encode("cp932"))
    expected_errors.append((name, "unterminated_quote", "row 6, column 3"))


def plain_f1(path: Path, code: str, seed: int, attendance: int) -> dict:
    """A clean F1 in the template layout; returns its figures."""
    wb = openpyxl.Workbook()
    fixed_properties(wb)
    ws = wb.active
    ws.title = "F1"
    ws["A1"] = "包括的相談支援 月次報告（様式F1）"
    header_block(ws, 2, 1, 1, code, "2025-04", attendance)
    table = figures(seed)
    one_row_table(ws, 9, list(range(7)), [m[1] for m in METRICS], table, True)
    return wb, ws, table


def with_sheet_xml(src: Path, dest: Path, sheet_xml: bytes) -> None:
    """`src` with xl/worksheets/sheet1.xml replaced (deflated)."""
    import zipfile
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            info = zipfile.ZipInfo(item.filename, date_time=(2025, 5, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data, compresslevel=9)


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<dimension ref="A1"/><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def hostile(out: Path) -> None:
    """Files that must be refused (or read cheaply), each with its place."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.xlsx"
        wb, ws, _ = plain_f1(base, "CHI-030", 30, 1)
        wb.save(base)
        # h01: saved with a password (an encrypted package in a CFB container).
        try:
            from msoffcrypto.format.ooxml import OOXMLFile
        except ImportError:
            sys.exit("pip install msoffcrypto-tool (to write the password-protected fixture)")
        with open(base, "rb") as f, open(out / "h01_password.xlsx", "wb") as g:
            OOXMLFile(f).encrypt("kasane", g)
        # h02: a sheet whose XML inflates to 200 MB (compresses to ~200 kB).
        row = b"<row>" + b"<c><v>0</v></c>" * 1000 + b"</row>"
        bomb = SHEET_HEAD + row * (200_000_000 // len(row)) + SHEET_TAIL
        with_sheet_xml(base, out / "h02_zip_bomb.xlsx", bomb)
        # h03: 1,100,000 non-empty cells in 1,100 rows (over MAX_SHEET_CELLS),
        # in a member small enough to pass the zip checks.
        many = SHEET_HEAD + row.replace(b"<v>0</v>", b"<v>1</v>") * 1100 + SHEET_TAIL
        with_sheet_xml(base, out / "h03_many_cells.xlsx", many)
    # h05: an .ods whose one cell is repeated 16,000 columns × 1,000 rows:
    # calamine would expand it into a dense grid when opening the book.
    import zipfile
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
               ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
               ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
               '<office:body><office:spreadsheet><table:table table:name="F1">'
               '<table:table-row table:number-rows-repeated="1000">'
               '<table:table-cell office:value-type="float" office:value="1"'
               ' table:number-columns-repeated="16000"><text:p>1</text:p></table:table-cell>'
               '</table:table-row></table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
                ' manifest:version="1.3"><manifest:file-entry manifest:full-path="/"'
                ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(out / "h05_ods_repeats.ods", "w") as z:
        for name, data, method in [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED),
            ("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED),
            ("content.xml", content, zipfile.ZIP_DEFLATED),
        ]:
            info = zipfile.ZipInfo(name, date_time=(2025, 5, 1, 9, 0, 0))
            info.compress_type = method
            z.writestr(info, data)
    # h04: a clean F1 and one stray cell at XFD1048576.
    wb, ws, table = plain_f1(out / "h04_stray_cell.xlsx", "CHI-031", 31, 2)
    ws["XFD1048576"] = "x"
    wb.save(out / "h04_stray_cell.xlsx")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-libreoffice", action="store_true",
                    help="skip the .xls/.ods/.xlsm conversions")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_file():
            old.unlink()
    d01_title_rows_reordered(OUT / "d01_title_rows_reordered.xlsx")
    d02_two_row_header(OUT / "d02_two_row_header.xlsx")
    d03_bad_values(OUT / "d03_bad_values.xlsx")
    csv_fixtures(OUT)
    hostile(OUT)
    if not args.no_libreoffice:
        with tempfile.TemporaryDirectory() as tmp:
            src = d04_formula_total(Path(tmp) / "d04_formula_total.xlsx")
            table = figures(14)
            conversions = [
                ("d04_formula_total.xls", "xls:MS Excel 97"),
                ("d04_formula_total.ods", "ods:calc8"),
                ("d04_formula_total.xlsm", "xlsm:Calc MS Excel 2007 VBA XML"),
            ]
            for out_name, fmt in conversions:
                if libreoffice(src, fmt, OUT / out_name):
                    expect(out_name, table, 4)
                else:
                    sys.exit(f"LibreOffice could not write {out_name}")
        # The two-row heading and the drifted layout, through LibreOffice too.
        for src_name, out_name, fmt in [
            ("d02_two_row_header.xlsx", "d05_two_row_header.ods", "ods:calc8"),
            ("d01_title_rows_reordered.xlsx", "d06_title_rows_reordered.xls", "xls:MS Excel 97"),
        ]:
            if not libreoffice(OUT / src_name, fmt, OUT / out_name):
                sys.exit(f"LibreOffice could not write {out_name}")
            for f, k, m, v in [x for x in expected_figures if x[0] == src_name]:
                expected_figures.append((out_name, k, m, v))
    with open(OUT / "expected_figures.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "key", "metric", "value"])
        w.writerows(sorted(expected_figures))
    with open(OUT / "expected_problems.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "rule", "cell", "actual"])
        w.writerows(sorted(expected_problems))
    with open(OUT / "expected_errors.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "kind", "place"])
        w.writerows(sorted(expected_errors))
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
