#!/usr/bin/env python3
"""Independent check of the Kyoto F5 samples (samples/kyoto/FY2025).

Reads every return back (openpyxl data_only=True for .xlsx, csv with the cp932
codec for .csv), WITHOUT importing the generators, and checks:

* one file per registry unit (mappings/kyoto/agencies.csv), named
  <agency_code>_FY2025_F5.xlsx or .csv, one sheet named F5;
* the header block of samples/LAYOUT.md (title, kyoto-F5-v1, 年度 meaning 2025,
  機関コード / 機関名 as in the registry, 記入者 filled) and the row-9 header;
* one row per project of the unit (registry `projects`), field label as in
  the registry, unit 円 or 千円, amounts whole yen and not negative, other income
  ≤ 5 % of the total, eligible expenditure ≤ total − other income;
* a 合計 row exactly when there are two rows or more, equal to their sum;
* that meta/FY2025-costs.csv lists exactly the amounts read back, in yen.

Then prints the totals per grant part (mappings/kyoto/grant.toml) and the
grant each part gives: 選定額 = min(D, 基準額), 所要額 = min(選定額, A − B) × rate,
千円未満切捨て.  Exits 1 on any failure.
Usage: python3 tools/check_samples_f5.py
"""
from __future__ import annotations

import csv
import re
import sys
import tomllib
import unicodedata
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "kyoto"
FY_DIR = SAMPLES / "FY2025"
META = SAMPLES / "meta" / "FY2025-costs.csv"
REGISTRY = ROOT / "mappings" / "kyoto" / "agencies.csv"
GRANT = ROOT / "mappings" / "kyoto" / "grant.toml"

FIELDS = {"高齢": "elderly", "障害": "disability", "子ども": "child", "生活困窮": "poverty",
          "横断": "cross"}
HEADER = ["事業", "分野", "総事業費", "寄付金その他の収入額", "対象経費の実支出額", "単位"]
METRICS = {3: "total_cost", 4: "other_income", 5: "eligible_expenditure"}
YEAR_TEXTS = {"2025", "令和7年度", "R7年度", "2025年度"}

failures: list[str] = []


def expect(ok: bool, msg: str):
    if not ok:
        failures.append(msg)


def read_grid(path: Path) -> dict[tuple[int, int], object]:
    """(row, col) → value, 1-based, empty cells left out."""
    grid = {}
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, data_only=True)
        expect(wb.sheetnames == ["F5"], f"{path.name}: sheets {wb.sheetnames}")
        for row in wb.worksheets[0].iter_rows():
            for c in row:
                if c.value is not None and c.value != "":
                    grid[(c.row, c.column)] = c.value
    else:
        raw = path.read_bytes()
        expect(b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""),
               f"{path.name}: not CRLF")
        for r, row in enumerate(csv.reader(raw.decode("cp932").splitlines()), start=1):
            for c, v in enumerate(row, start=1):
                if v != "":
                    grid[(r, c)] = v
    return grid


def amount(v, name: str, cell: str, kinds: Counter) -> int | None:
    """The number a cell means in its own unit (before 千円 → 円).  In a CSV grid a
    number cell shows as `12,345` too, so `comma_text` is counted for .xlsx only."""
    if isinstance(v, bool) or v is None:
        failures.append(f"{name} {cell}: not an amount: {v!r}")
        return None
    if isinstance(v, (int, float)):
        if v != int(v):
            failures.append(f"{name} {cell}: not whole: {v!r}")
        return int(v)
    t = str(v)
    if t != unicodedata.normalize("NFKC", t):
        kinds["fullwidth"] += 1
    t = unicodedata.normalize("NFKC", t).strip()
    m = re.fullmatch(r"(\d{1,3}(?:,\d{3})*|\d+)(千円|円)?", t)
    if not m:
        failures.append(f"{name} {cell}: not an amount: {v!r}")
        return None
    if m.group(2):
        kinds["unit_suffix"] += 1
    elif "," in t and str(v) == t and name.endswith(".xlsx"):
        kinds["comma_text"] += 1
    return int(m.group(1).replace(",", ""))


def main():
    with open(REGISTRY, encoding="utf-8", newline="") as f:
        registry = {r["agency_code"]: r for r in csv.DictReader(f)}
    files = sorted(FY_DIR.iterdir())
    by_code = {}
    for p in files:
        m = re.fullmatch(r"([A-Z]{3}-\d{3})_FY2025_F5\.(xlsx|csv)", p.name)
        expect(m is not None, f"unexpected file {p.name}")
        if m:
            expect(m.group(1) not in by_code, f"two returns for {m.group(1)}")
            by_code[m.group(1)] = p
    expect(set(by_code) == set(registry),
           f"units differ from the registry: {sorted(set(by_code) ^ set(registry))}")

    read_back: dict[tuple[str, int, str], int] = {}
    cells: dict[tuple[str, int, str], tuple[str, str]] = {}
    units, year_forms, kinds_by_file = Counter(), Counter(), {}
    for code, path in sorted(by_code.items()):
        reg = registry[code]
        g = read_grid(path)
        name = path.name
        expect(str(g.get((1, 1), "")).startswith("事業費"), f"{name}: title {g.get((1, 1))!r}")
        for r, label, value in [(2, "様式バージョン", "kyoto-F5-v1"), (4, "機関コード", code),
                                (5, "機関名", reg["agency_name"])]:
            expect(g.get((r, 1)) == label and g.get((r, 2)) == value,
                   f"{name}: row {r} {g.get((r, 1))!r} {g.get((r, 2))!r}")
        expect(g.get((3, 1)) == "年度", f"{name}: A3 {g.get((3, 1))!r}")
        year = g.get((3, 2))
        expect(str(year) in YEAR_TEXTS, f"{name}: B3 {year!r}")
        year_forms[f"{type(year).__name__}:{year}"] += 1
        expect(g.get((7, 1)) == "記入者" and isinstance(g.get((7, 2)), str),
               f"{name}: 記入者 {g.get((7, 2))!r}")
        expect(all((6, c) not in g and (8, c) not in g for c in range(1, 9)),
               f"{name}: rows 6/8 not empty")
        expect([g.get((9, c)) for c in range(1, 7)] == HEADER, f"{name}: header row 9")

        projects = [int(p) for p in reg["projects"].split(";")]
        kinds: Counter = Counter()
        r, sums, file_units = 10, defaultdict(int), set()
        for project in projects:
            a = g.get((r, 1))
            expect(str(a) == str(project), f"{name} A{r}: {a!r}, expected {project}")
            expect(g.get((r, 2)) == reg["field"], f"{name} B{r}: {g.get((r, 2))!r}")
            unit = g.get((r, 6))
            expect(unit in ("円", "千円"), f"{name} F{r}: {unit!r}")
            file_units.add(unit)
            per = 1000 if unit == "千円" else 1
            row = {}
            for col, metric in METRICS.items():
                cell = f"{'CDE'[col - 3]}{r}"
                v = amount(g.get((r, col)), name, cell, kinds)
                if v is None:
                    continue
                expect(v >= 0, f"{name} {cell}: negative")
                if isinstance(g.get((r, col)), str) and re.search(r"千円|円$", str(g[(r, col)])):
                    expect(str(g[(r, col)]).endswith(unit), f"{name} {cell}: suffix ≠ {unit}")
                row[metric] = v * per
                sums[metric] += v
                key = (code, project, metric)
                expect(key not in read_back, f"{name}: project {project} twice")
                read_back[key] = v * per
                cells[key] = (name, cell)
            if len(row) == 3:
                t, o, e = row["total_cost"], row["other_income"], row["eligible_expenditure"]
                expect(o * 20 <= t, f"{name} row {r}: other income {o} > 5 % of {t}")
                expect(e <= t - o, f"{name} row {r}: eligible {e} > {t} − {o}")
            r += 1
        expect(len(file_units) == 1, f"{name}: mixed units {file_units}")
        units[next(iter(file_units), None)] += 1
        if len(projects) >= 2:
            expect(g.get((r, 1)) == "合計", f"{name} A{r}: {g.get((r, 1))!r}, expected 合計")
            for col, metric in METRICS.items():
                cell = f"{'CDE'[col - 3]}{r}"
                v = amount(g.get((r, col)), name, cell, Counter())
                expect(v == sums[metric], f"{name} {cell}: 合計 {v} ≠ {sums[metric]}")
            r += 1
        expect(all((rr, c) not in g for rr in range(r, r + 20) for c in range(1, 9)),
               f"{name}: something below the table (row {r}…)")
        kinds_by_file[code] = kinds

    # meta/FY2025-costs.csv = exactly what was read back.
    with open(META, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    meta = {}
    for m in rows:
        key = (m["agency_code"], int(m["project"]), m["metric"])
        meta[key] = int(m["value_yen"])
        expect(m["field"] == FIELDS[registry[m["agency_code"]]["field"]], f"meta field {m}")
        expect(cells.get(key) == (m["file"], m["cell"]), f"meta file/cell {m} vs {cells.get(key)}")
    expect(len(meta) == len(rows), "meta has duplicate rows")
    expect(meta == read_back, f"meta differs from the files: "
           f"{sorted(set(meta.items()) ^ set(read_back.items()))[:5]}")

    # Totals per grant part.
    grant = tomllib.loads(GRANT.read_text(encoding="utf-8"))
    print("part / field: A total, B other, C=A−B, D eligible, E base, F=min(D,E), rate, "
          "G=min(F,C)×rate (千円未満切捨て)")
    covered = set()
    for p in grant["parts"]:
        s = defaultdict(int)
        for (code, project, metric), v in read_back.items():
            if project in p["projects"] and FIELDS[registry[code]["field"]] == p["field"]:
                s[metric] += v
                covered.add((code, project))
        a, b, d = s["total_cost"], s["other_income"], s["eligible_expenditure"]
        e = p["base_amount"]
        num, _, den = p["rate"].partition("/")
        rate = Fraction(int(num), int(den or 1))
        f_ = min(d, e)
        gq = int(min(f_, a - b) * rate) // 1000 * 1000
        print(f"  {p['part']} / {p['field']}: A {a:,} B {b:,} C {a - b:,} D {d:,} "
              f"E {e:,} F {f_:,} rate {p['rate']} G {gq:,}")
    expect(covered == {(c, p) for c, p, _ in read_back},
           f"rows in no grant part: {sorted({(c, p) for c, p, _ in read_back} - covered)}")

    kinds_total = Counter()
    for k in kinds_by_file.values():
        kinds_total.update({kind: 1 for kind in k})
    print(f"files: {len(files)} ({sum(p.suffix == '.xlsx' for p in files)} xlsx, "
          f"{sum(p.suffix == '.csv' for p in files)} csv); units: {dict(units)}; "
          f"text-variant files: {dict(kinds_total)}; 年度 forms: {dict(sorted(year_forms.items()))}; "
          f"amounts: {len(read_back)}")
    if failures:
        print(f"FAILED ({len(failures)}):")
        for msg in failures[:50]:
            print("  " + msg)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
