#!/usr/bin/env python3
"""Independent check of the model ward's sample month (samples/model/2025-04).

Reads every return the way a person would (openpyxl with cached values for
workbooks, CP932 for CSVs), finds tables by their labels, and verifies the
guarantees of samples/model/README.md: one return per reporting unit, the
in-return rules, 合計 rows, referrals sent = received, case counts and meeting
counts, attendance = meetings naming the agency, every code in the registry,
no personal data in the case list, and meta/2025-04-figures.csv = the cells.

Usage:  python3 tools/check_samples_model.py        (exit status 1 on failure)
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
REG = ROOT / "mappings" / "model"
SAMPLES = ROOT / "samples" / "model"
MONTH = "2025-04"

errors: list[str] = []


def fail(msg: str):
    errors.append(msg)


def reads_as(v) -> int | None:
    """The integer a person reads in a cell (None for text that is no number)."""
    if v is None:
        return 0
    if isinstance(v, (int, float)):
        return int(v)
    t = str(v).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if t in ("", "-", "－", "―", "—"):
        return 0
    t = t.rstrip("件人回").replace(",", "")
    return int(t) if t.isdigit() else None


def grid_of(path: Path) -> list[list]:
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    text = path.read_bytes().decode("cp932")
    return [row for row in csv.reader(io.StringIO(text))]


def find(grid, label):
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            if isinstance(v, str) and v.strip() == label:
                return r, c
    return None


def header_value(grid, label):
    pos = find(grid, label)
    if pos is None:
        return None
    r, c = pos
    for dc in (1, 2):
        if c + dc < len(grid[r]) and grid[r][c + dc] not in (None, ""):
            return grid[r][c + dc]
    return None


def month_ok(v) -> bool:
    if isinstance(v, (dt.date, dt.datetime)):
        return (v.year, v.month) == (2025, 4)
    t = str(v).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return t in ("令和7年4月", "R7.4", "2025年4月", "2025/4", "2025-04", "202504")


def table(grid, head_label, stop_blank=True):
    """(header row index, {label: col}, data rows until a blank row)."""
    r, _ = find(grid, head_label)
    cols = {str(v).strip(): c for c, v in enumerate(grid[r]) if v not in (None, "")}
    rows = []
    for row in grid[r + 1:]:
        if all(v in (None, "") for v in row):
            break
        rows.append(row)
    return r, cols, rows


def check_sums(name, rows, cols, key_col=0):
    body = [row for row in rows if str(row[key_col]).strip() != "合計"]
    totals = [row for row in rows if str(row[key_col]).strip() == "合計"]
    if len(totals) != 1:
        fail(f"{name}: expected one 合計 row")
        return body
    for c in cols:
        want = sum(reads_as(row[c]) for row in body)
        if reads_as(totals[0][c]) != want:
            fail(f"{name}: 合計 column {c + 1} is {totals[0][c]!r}, rows sum to {want}")
    return body


PERSONAL = [
    re.compile(r"(?:^|[^\w-])(?:0\d{1,4}-\d{1,4}-\d{4}|0\d{9,10})(?:$|[^\w-])"),
    re.compile(r"〒|(?:^|[^\w-])\d{3}-\d{4}(?:$|[^\w-])"),
    re.compile(r"[都道府県市区町村郡].{0,12}\d+(?:丁目|番地?|号|-\d+)"),
    re.compile(r"生年月日|生まれ|(?:昭和|平成|令和|大正)\d{1,2}年\d{1,2}月\d{1,2}日"),
    re.compile(r"[\u4e00-\u9fff]{1,4}\s*(?:様|さま|さん|氏|殿|くん|ちゃん)"),
]


def main():
    with open(REG / "agencies.csv", encoding="utf-8", newline="") as f:
        agencies = {r["agency_code"]: r for r in csv.DictReader(f)}
    with open(REG / "areas.csv", encoding="utf-8", newline="") as f:
        areas = {r["area_code"]: r["area_name"] for r in csv.DictReader(f)}
    units = {c: a for c, a in agencies.items() if a["reports"] == "monthly"}
    files = sorted(p for p in (SAMPLES / MONTH).iterdir() if p.suffix in (".xlsx", ".csv"))
    by_code = defaultdict(list)
    for p in files:
        by_code[p.name.split("_")[0]].append(p)
    for code in units:
        if len(by_code.get(code, [])) != 1:
            fail(f"{code}: {len(by_code.get(code, []))} returns")
    for code in by_code:
        if code not in units:
            fail(f"{code}: return from a code that owes none")

    sent = {}         # F1 code → referrals to the hub
    attendance = {}   # F1 code → stated attendance
    received = defaultdict(int)
    cases = []
    items = {}
    cells = {}        # (file, cell) → value, for the meta figures
    for code, (path,) in sorted(by_code.items()):
        a = units[code]
        grid = grid_of(path)
        name = path.name

        def note(r, c, v):
            key = f"{chr(65 + c)}{r + 1}" if path.suffix == ".xlsx" else \
                f"row {r + 1}, column {c + 1}"
            cells[(name, key)] = v

        if grid and grid[0][:2] == ["事業所番号", "集計月"]:   # vendor long CSV
            rows = grid[1:]
            fig = defaultdict(dict)
            for i, row in enumerate(rows, start=2):
                if row[0] != code or row[1] != MONTH:
                    fail(f"{name} row {i}: code or month")
                fig[row[2]][row[3]] = int(row[4])
                note(i - 1, 4, int(row[4]))
            attendance[code] = fig[""]["重層支援会議出席回数"]
            sent[code] = 0
            for attr, m in fig.items():
                if attr == "":
                    continue
                c = m["相談延べ件数"]
                if m["訪問・同行件数"] > c or m["複合課題相談件数"] > c or \
                        m["新規相談実人数"] + m["継続相談実人数"] > c:
                    fail(f"{name} {attr}: F1 row rule")
                sent[code] += m["多機関協働つなぎ件数"]
            continue
        if header_value(grid, "事業所コード") != code:
            fail(f"{name}: 事業所コード")
        if header_value(grid, "事業所名") != a["agency_name"]:
            fail(f"{name}: 事業所名")
        if not month_ok(header_value(grid, "報告月")):
            fail(f"{name}: 報告月 {header_value(grid, '報告月')!r}")
        form = a["form"]
        if form == "F1":
            r, c = find(grid, "重層支援会議への出席回数")
            attendance[code] = reads_as(grid[r][c + 2])
            note(r, c + 2, attendance[code])
            head, cols, rows = table(grid, "主な属性")
            body = check_sums(name, rows, range(1, 8))
            sent[code] = 0
            for i, row in enumerate(body):
                v = {k: reads_as(row[cols[k]]) for k in cols if k != "主な属性"}
                for k, x in v.items():
                    note(head + 1 + i, cols[k], x)
                c_ = v["延べ相談件数"]
                if v["うち訪問・同行"] > c_ or v["うち複合的な課題を抱える相談"] > c_ or \
                        v["新規相談者数（実人数）"] + v["継続相談者数（実人数）"] > c_:
                    fail(f"{name} {row[0]}: F1 row rule")
                sent[code] += v["多機関協働事業へのつなぎ件数"]
        elif form == "F2":
            head, cols, rows = table(grid, "項目")
            for i, row in enumerate(rows):
                items[str(row[0]).strip()] = reads_as(row[1])
                note(head + 1 + i, 1, reads_as(row[1]))
            head, cols, rows = table(grid, "送付元機関コード")
            for i, row in enumerate(check_sums(name, rows, [2])):
                received[row[0]] += reads_as(row[2])
                note(head + 1 + i, 2, reads_as(row[2]))
                if row[1] != agencies.get(row[0], {}).get("agency_name"):
                    fail(f"{name}: 送付元機関名 of {row[0]}")
            head, cols, rows = table(grid, "事案番号")
            for row in rows:
                for v in row:
                    if isinstance(v, str) and any(p.search(line) for p in PERSONAL
                                                  for line in v.split("\n")):
                        fail(f"{name}: personal-data pattern in {v!r}")
                d = row[cols["開催日"]]
                date = d.date() if isinstance(d, dt.datetime) else \
                    dt.datetime.strptime(d, "%Y/%m/%d").date()
                roles = [tuple(re.split("[：:]", e, maxsplit=1))
                         for e in str(row[cols["役割分担"]] or "").split("\n") if e.strip()]
                cases.append({"id": row[cols["事案番号"]], "kind": row[cols["会議区分"]],
                              "date": date, "lead": row[cols["主担当機関コード"]],
                              "participants": str(row[cols["参加機関コード"]]).split("\n"),
                              "roles": roles, "district": row[cols["担当地区"]]})
        elif form == "F3":
            head, cols, rows = table(grid, "地区")
            body = check_sums(name, rows, range(1, 10))
            keys = [row[0] for row in body]
            if keys != list(areas.values()) + ["統括"]:
                fail(f"{name}: district rows {keys}")
            for i, row in enumerate(body):
                for c in range(1, 10):
                    note(head + 1 + i, c, reads_as(row[c]))
        elif form == "F4":
            head, cols, rows = table(grid, "事業・拠点名")
            body = check_sums(name, rows, range(2, 8))
            names = [row[0] for row in body]
            if len(set(names)) != len(names):
                fail(f"{name}: site names not unique")
            for i, row in enumerate(body):
                if row[1] not in areas.values():
                    fail(f"{name}: 地区 {row[1]!r}")
                for c in range(2, 8):
                    if row[c] not in (None, ""):
                        note(head + 1 + i, c, reads_as(row[c]))

    # Referrals: sent (F1) = received (F2).
    for code in sent:
        if sent[code] != received.get(code, 0):
            fail(f"{code}: sent {sent[code]}, hub received {received.get(code, 0)}")
    for code in received:
        if code not in sent:
            fail(f"referral from {code}, which sends no F1")
    # Meetings: counts per kind, attendance, codes.
    for kind, label in (("重層的支援会議", "重層的支援会議"), ("支援会議", "支援会議")):
        rows = [c for c in cases if c["kind"] == kind]
        if items[f"{label} 検討事案数"] != len(rows):
            fail(f"{label}: 検討事案数 {items[f'{label} 検討事案数']} ≠ {len(rows)} rows")
        if items[f"{label} 開催回数"] != len({c["date"] for c in rows}):
            fail(f"{label}: 開催回数")
    named = defaultdict(set)
    for c in cases:
        codes = set(c["participants"]) | {c["lead"]} | {r[0] for r in c["roles"]}
        for x in codes:
            if x not in agencies:
                fail(f"{c['id']}: unknown code {x}")
            named[x].add((c["kind"], c["date"]))
        if c["district"] not in areas.values():
            fail(f"{c['id']}: 担当地区 {c['district']}")
        if not all(len(r) == 2 and r[1].strip() for r in c["roles"]):
            fail(f"{c['id']}: role entries")
    for code, n in attendance.items():
        if n != len(named.get(code, ())):
            fail(f"{code}: attendance {n}, meetings naming it {len(named.get(code, ()))}")
    # The seed's participants all appear.
    seed = {"生活福祉課", "福祉総合課", "障害者支援課", "地域保健課", "こども家庭センター",
            "地域包括支援センター", "社会福祉協議会", "健康福祉計画課"}
    for s in seed:
        if not any(s in a["agency_name"] for a in agencies.values()):
            fail(f"seed participant {s} has no registry row")
    # meta figures = cells.
    with open(SAMPLES / "meta" / f"{MONTH}-figures.csv", encoding="utf-8", newline="") as f:
        meta = list(csv.DictReader(f))
    for m in meta:
        got = cells.get((m["file"], m["cell"]))
        if got != int(m["value"]):
            fail(f"meta {m['file']} {m['cell']}: {m['value']} vs cell {got}")
    if len(meta) != len(cells):
        fail(f"meta lists {len(meta)} figures, the returns hold {len(cells)}")

    if errors:
        print("\n".join(errors))
        print(f"{len(errors)} problem(s)")
        return 1
    print(f"ok: {len(files)} returns, {len(cells)} figures, {len(cases)} case rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
