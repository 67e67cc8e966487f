#!/usr/bin/env python3
"""Compare kasane's records.csv / cases.csv for the foreign month with the expected ones.

    python3 tools/foreign/compare.py [/tmp/foreign-out/2025-04]

A figure is identified by (month, agency_code, area_code, project, field, form,
key, metric); it matches when the value is equal too. Source cells are
compared separately (reported, not counted as misses).
"""
import collections
import csv
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(ROOT, "tests", "fixtures", "foreign_month")
ID = ["month", "agency_code", "area_code", "project", "field", "form", "key", "metric"]
CLASSES = {"1": "headings/footnotes/colons/line breaks/half-width kana", "2": "omitted header fields, blank 出席回数",
           "3": "F2 sections on sheets / stacked / side by side", "4": "area names as row keys (F3, F4)",
           "5": "エクセル方眼紙", "6": "annual workbook (one sheet per month)", "7": "ward office forwarding (sheet per centre)",
           "8": "transposed F1", "9": "long CSV exports", "10": "合計 rows, notes, titles, blank rows/cols",
           "num": "numbers as text / full-width / units / dashes"}


def load(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    out = args[0] if args else "/tmp/foreign-out/2025-04"
    exp = load(os.path.join(FIX, "expected_records.csv"))
    got = load(os.path.join(out, "records.csv"))
    files = {r["file"]: r for r in load(os.path.join(FIX, "files.csv"))}
    e = {tuple(r[k] for k in ID): r for r in exp}
    g = collections.defaultdict(list)
    for r in got:
        g[tuple(r[k] for k in ID)].append(r)
    matched, wrong, missing, src_diff = 0, [], [], 0
    miss_by_file = collections.Counter()
    for k, r in e.items():
        if k not in g:
            missing.append(r)
            miss_by_file[r["source_file"]] += 1
            continue
        rr = g[k][0]
        if rr["value"] == r["value"]:
            matched += 1
            if (rr["source_file"], rr["source_sheet"], rr["source_cell"]) != (r["source_file"], r["source_sheet"], r["source_cell"]):
                src_diff += 1
        else:
            wrong.append((r, rr))
            miss_by_file[r["source_file"]] += 1
    extra = [r for k, rs in g.items() for r in (rs if k not in e else rs[1:])]
    print(f"expected {len(exp)}  kasane {len(got)}")
    print(f"matched {matched}  wrong value {len(wrong)}  missing {len(missing)}  extra {len(extra)}  "
          f"(matched but other source cell: {src_diff})")
    per_class = collections.Counter()
    per_class_total = collections.Counter()
    for r in exp:
        for c in files[r["source_file"]]["classes"].split(";"):
            per_class_total[c] += 1
    for f, n in miss_by_file.items():
        for c in files[f]["classes"].split(";"):
            per_class[c] += n
    print("\nmissed or wrong figures by layout class (a file counts in each of its classes):")
    for c in sorted(per_class_total, key=lambda x: (len(x), x)):
        print(f"  class {c:>3} {CLASSES[c]:<55} {per_class[c]:>5} / {per_class_total[c]}")
    print("\nmissed or wrong figures by form:")
    byform = collections.Counter(r["form"] for r in missing)
    byform.update(r["form"] for r, _ in wrong)
    tot = collections.Counter(r["form"] for r in exp)
    for f in sorted(tot):
        print(f"  {f}: {byform[f]} / {tot[f]}")
    full = sum(1 for f in files if miss_by_file[f] == 0)
    print(f"\nfiles read completely: {full} / {len(files)}")
    ec = load(os.path.join(FIX, "expected_cases.csv"))
    gc = load(os.path.join(out, "cases.csv")) if os.path.exists(os.path.join(out, "cases.csv")) else []
    ck = ["center_code", "case_id", "meeting_kind", "meeting_date", "issues", "participants", "lead_agency"]
    es = {tuple(r[k] for k in ck) for r in ec}
    gs = {tuple(r[k] for k in ck) for r in gc}
    print(f"cases: expected {len(es)}  kasane {len(gs)}  matched {len(es & gs)}  missing {len(es - gs)}  extra {len(gs - es)}")
    if "-v" in sys.argv:
        for r in missing[:40]:
            print("  missing", r["source_file"], r["source_sheet"], r["source_cell"], r["agency_code"], r["key"], r["metric"], r["value"])
        for r, rr in wrong[:40]:
            print("  wrong  ", r["source_file"], r["source_cell"], r["metric"], r["value"], "kasane:", rr["value"], rr["source_cell"])
        for r in extra[:40]:
            print("  extra  ", r["source_file"], r["source_cell"], r["agency_code"], r["key"], r["metric"], r["value"])


if __name__ == "__main__":
    main()
