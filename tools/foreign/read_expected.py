#!/usr/bin/env python3
"""Independent reader of the foreign month.

Reads every recorded cell back from the generated files (openpyxl for .xlsx,
xlrd for .xls, LibreOffice headless conversion to .xlsx then openpyxl for .ods,
the csv module for CSV after sniffing the BOM / CP932), parses the figures the
way a person would (full-width digits, 件/人/回 units, thousands separators,
dashes and blanks meaning zero), and writes

    tests/fixtures/foreign_month/expected_records.csv   (spec §6 records.csv)
    tests/fixtures/foreign_month/expected_cases.csv     (spec §6 cases.csv)
    tests/fixtures/foreign_month/edge/expected_records.csv

It asserts that what it read equals what the generator meant
(intent_records.csv / intent_cases.csv), and that every 合計 cell that the
generator recorded holds the sum (formulas: LibreOffice's cached value).
"""
import csv
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

import openpyxl
import xlrd
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "foreign_month")
REC_HEAD = ["month", "agency_code", "area_code", "project", "field", "form", "key", "metric", "value",
            "source_file", "source_sheet", "source_cell"]
CASE_HEAD = ["month", "center_code", "case_id", "meeting_kind", "meeting_date", "issues", "participants",
             "lead_agency", "source_file", "source_sheet", "source_cell"]
DASHES = {"-", "－", "―", "—", "‐", "ー"}


class Book:
    """Cell access by sheet name and A1 (or 'row N, column M' for CSV)."""

    def __init__(self, path, tmp):
        self.path = path
        ext = os.path.splitext(path)[1].lower()
        self.kind = ext
        if ext == ".csv":
            raw = open(path, "rb").read()
            text = raw[3:].decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp932")
            self.rows = list(csv.reader(text.splitlines()))
        elif ext == ".xls":
            self.wb = xlrd.open_workbook(path)
        else:
            if ext == ".ods":
                subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "xlsx", "--outdir", tmp, path],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, HOME=tempfile.gettempdir()))
                path = os.path.join(tmp, os.path.splitext(os.path.basename(path))[0] + ".xlsx")
            self.wb = openpyxl.load_workbook(path, data_only=True)

    def get(self, sheet, ref):
        if self.kind == ".csv":
            m = re.fullmatch(r"row (\d+), column (\d+)", ref)
            r, c = int(m.group(1)), int(m.group(2))
            row = self.rows[r - 1]
            return row[c - 1] if c - 1 < len(row) else None
        col, row = coordinate_from_string(ref)
        c = column_index_from_string(col)
        if self.kind == ".xls":
            sh = self.wb.sheet_by_name(sheet)
            if row - 1 >= sh.nrows or c - 1 >= sh.ncols:
                return None
            cell = sh.cell(row - 1, c - 1)
            if cell.ctype == xlrd.XL_CELL_DATE:
                return xlrd.xldate.xldate_as_datetime(cell.value, self.wb.datemode)
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                return None
            return cell.value
        return self.wb[sheet].cell(row=row, column=c).value


def number(v, where):
    if v is None:
        return 0
    if isinstance(v, bool):
        raise ValueError(where)
    if isinstance(v, (int, float)):
        assert float(v).is_integer() and v >= 0, (where, v)
        return int(v)
    s = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    if s == "" or s in DASHES:
        return 0
    s = re.sub(r"(件|人|回)$", "", s).strip()
    if not s.isdigit():
        raise ValueError(f"{where}: {v!r}")
    return int(s)


def meeting_date(v, where):
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    s = unicodedata.normalize("NFKC", str(v)).strip()
    for pat, era in [(r"(\d{4})/(\d{1,2})/(\d{1,2})", 0), (r"令和(\d+)年(\d+)月(\d+)日", 2018), (r"R(\d+)\.(\d+)\.(\d+)", 2018)]:
        m = re.fullmatch(pat, s)
        if m:
            return dt.date(int(m.group(1)) + era, int(m.group(2)), int(m.group(3))).isoformat()
    raise ValueError(f"{where}: date {v!r}")


def kind(v, where):
    s = unicodedata.normalize("NFKC", str(v)).strip()
    if s == "重層的支援会議":
        return "consent"
    if s == "支援会議":
        return "no_consent"
    raise ValueError(f"{where}: kind {v!r}")


def split_codes(v):
    s = unicodedata.normalize("NFKC", str(v or ""))
    return [p.strip() for p in re.split(r"[・、,;\n]", s) if p.strip()]


def read_cells(folder, cells_csv):
    cells = list(csv.DictReader(open(cells_csv, encoding="utf-8")))
    books = {}
    tmp = tempfile.mkdtemp(prefix="foreign-read-")
    records, totals_bad, cases = [], [], {}
    for c in cells:
        f = c["file"]
        if f not in books:
            books[f] = Book(os.path.join(folder, f), tmp)
        v = books[f].get(c["sheet"], c["cell"])
        where = f"{f} / {c['sheet']} / {c['cell']}"
        if c["role"] == "record":
            r = {k: c[k] for k in REC_HEAD[:8]}
            r["value"] = str(number(v, where))
            r.update(source_file=f, source_sheet=c["sheet"], source_cell=c["cell"])
            records.append(r)
        elif c["role"] == "total":
            if number(v, where) != int(c["value"]):
                totals_bad.append((where, v, c["value"]))
        elif c["role"].startswith("case_"):
            key = (c["agency_code"], c["key"])
            d = cases.setdefault(key, dict(month=c["month"], center_code=c["agency_code"]))
            fld = c["role"][5:]
            if fld == "id":
                d["case_id"] = str(v).strip()
                d.update(source_file=f, source_sheet=c["sheet"], source_cell=c["cell"])
            elif fld == "kind":
                d["meeting_kind"] = kind(v, where)
            elif fld == "date":
                d["meeting_date"] = meeting_date(v, where)
            elif fld == "issues":
                d["issues"] = ";".join(split_codes(v))
            elif fld == "participants":
                d["participants"] = ";".join(split_codes(v))
            elif fld == "lead":
                d["lead_agency"] = str(v).strip()
    assert not totals_bad, totals_bad[:5]
    return records, list(cases.values())


def write(path, head, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=head, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def load(path):
    return list(csv.DictReader(open(path, encoding="utf-8")))


def main():
    recs, cases = read_cells(os.path.join(OUT, "2025-04"), os.path.join(OUT, "cells.csv"))
    recs.sort(key=lambda r: (r["agency_code"], r["form"], r["key"], r["metric"]))
    cases.sort(key=lambda c: (c["center_code"], c["meeting_date"], c["case_id"]))
    intent = sorted(load(os.path.join(OUT, "intent_records.csv")), key=lambda r: (r["agency_code"], r["form"], r["key"], r["metric"]))
    assert recs == intent, next((a, b) for a, b in zip(recs, intent) if a != b)
    icases = sorted(load(os.path.join(OUT, "intent_cases.csv")), key=lambda c: (c["center_code"], c["meeting_date"], c["case_id"]))
    assert cases == icases, next((a, b) for a, b in zip(cases, icases) if a != b)
    check_consistency(recs, cases)
    write(os.path.join(OUT, "expected_records.csv"), REC_HEAD, recs)
    write(os.path.join(OUT, "expected_cases.csv"), CASE_HEAD, cases)
    erecs, _ = read_cells(os.path.join(OUT, "edge"), os.path.join(OUT, "edge", "cells.csv"))
    eint = load(os.path.join(OUT, "edge", "intent_records.csv"))
    assert sorted(map(tuple, (r.values() for r in erecs))) == sorted(map(tuple, (r.values() for r in eint)))
    write(os.path.join(OUT, "edge", "expected_records.csv"), REC_HEAD, erecs)
    print(f"read {len(recs)} figures and {len(cases)} cases back: equal to the generator's intent; "
          f"edge: {len(erecs)} figures")


def check_consistency(recs, cases):
    """Spec §3/§4 rules the month must satisfy (zero error findings)."""
    by = {}
    for r in recs:
        by.setdefault((r["agency_code"], r["key"]), {})[r["metric"]] = int(r["value"])
    for (a, k), m in by.items():
        if "consultations" in m:
            c = m["consultations"]
            assert m["visits"] <= c and m["complex_cases"] <= c and m["new_persons"] + m["continuing_persons"] <= c, (a, k)
    sent, got = {}, {}
    for r in recs:
        if r["metric"] == "referrals_multi_agency":
            sent[r["agency_code"]] = sent.get(r["agency_code"], 0) + int(r["value"])
        if r["metric"] == "referrals_received":
            got[r["key"]] = got.get(r["key"], 0) + int(r["value"])
    for a, n in sent.items():
        assert got.get(a, 0) == n, (a, n, got.get(a))
    assert set(got) <= set(sent)
    stated = {(r["agency_code"], r["metric"]): int(r["value"]) for r in recs if r["form"] == "F2" and not r["key"]}
    for h in {c["center_code"] for c in cases} | {a for a, _ in stated}:
        for kd, mm, cm in [("consent", "meetings_with_consent", "cases_with_consent"),
                           ("no_consent", "meetings_without_consent", "cases_without_consent")]:
            rows = [c for c in cases if c["center_code"] == h and c["meeting_kind"] == kd]
            assert stated[(h, cm)] == len(rows), (h, cm)
            assert stated[(h, mm)] == len({c["meeting_date"] for c in rows}), (h, mm)
    met = {}
    for c in cases:
        for p in set(c["participants"].split(";")) | {c["lead_agency"]}:
            met.setdefault(p, set()).add((c["center_code"], c["meeting_kind"], c["meeting_date"]))
    for r in recs:
        if r["metric"] == "meeting_attendance":
            assert int(r["value"]) == len(met.get(r["agency_code"], ())), r


if __name__ == "__main__":
    main()
