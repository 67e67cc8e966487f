#!/usr/bin/env python3
"""Build tests/fixtures/cumulative/2025-05/: the month after the bundled Kyoto
sample month, for the units whose returns carry running totals (累計):
SKK-001 (F3) and CDK-004, CDK-009 (F4). tests/reconcile_month.rs consolidates
samples/kyoto/2025-04 into an out/ folder, then this month after it.

Every 累計 is April's (samples/kyoto/meta/2025-04-figures.csv) plus May's
figure, except what is planted:
  * SKK-001, area C03: the 累計 was not increased by May's closed cases
    (cumulative_mismatch, error);
  * CDK-004 reports a site it did not report in April: no April 累計 to start
    from (cumulative_mismatch, info: cannot check).

Writes tests/fixtures/cumulative/expected.csv (not among the returns, which
would read it as one): agency_code, key, metric, severity,
expected, actual, cell (the May cell), april_cell.

The sheets are laid out by tools/make_samples.py (same builders, same
template); written by openpyxl with typed 合計 numbers, so no LibreOffice is
needed. Regenerate after tools/make_samples.py changes April's figures.

Usage:  python3 tools/make_cumulative_fixtures.py
Deterministic: fixed seeds, fixed document properties.
"""
from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_samples as ms  # noqa: E402  (the layout of the city's forms)

OUT = ms.ROOT / "tests" / "fixtures" / "cumulative" / "2025-05"
APRIL = ms.OUT_DIR / "meta" / "2025-04-figures.csv"
MONTH_TEXT = "令和7年5月"
YYYYMM = "202505"
DEFECT_AREA = "C03"


def april_figures() -> dict[tuple[str, str, str], tuple[int, str]]:
    """(agency, key, metric) → (value, cell) of the April sample."""
    with open(APRIL, encoding="utf-8", newline="") as f:
        return {(r["agency_code"], r["key"], r["metric"]): (int(r["value"]), r["sheet_cell"])
                for r in csv.DictReader(f)}


def area_of(site: str) -> str:
    """Sample site names end in （area name）."""
    return site[site.rindex("（") + 1:-1]


def write(agency: ms.Agency, sheet: ms.Sheet) -> None:
    raw = OUT / f".{agency.code}.raw.xlsx"
    ms.write_xlsx(sheet, raw)
    ms.normalize_xlsx(raw, OUT / f"{agency.code}_{YYYYMM}_{agency.form}.xlsx")
    raw.unlink()


def main() -> None:
    agencies, areas = ms.load_registry()
    by_code = {a.code: a for a in agencies}
    april = april_figures()
    expected: list[list[str]] = []
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)

    # F3: May's flows from the sample's own planner; 累計 = April + May.
    skk = by_code["SKK-001"]
    rows = ms.plan_f3(areas, ms.rng_for("cumulative-fixture:SKK-001"))
    cum, flow = "outreach_closed_cumulative", "outreach_closed"
    rows[DEFECT_AREA][flow] = 2
    for key, values in rows.items():
        before, cell = april[(skk.code, key, cum)]
        values[cum] = before + values[flow]
        if key == DEFECT_AREA:
            values[cum] = before   # the month's closed cases were not added
            row = 10 + list(rows).index(key)
            col = 3 + [m for m, _, _ in ms.F3_METRICS].index(cum)
            expected.append([skk.code, key, cum, "error", str(before + values[flow]),
                             str(before), ms.a1(row, col), cell])
    filler = ms.Filler(f"{skk.code}_{YYYYMM}_F3", skk, ms.Sheet("F3"), ms.rng_for("unused"), [],
                       variants=False)
    ms.build_f3(skk, MONTH_TEXT, "事務局", rows, areas, filler, typed_totals=True)
    write(skk, filler.sheet)

    # F4: the April sites again (one more for CDK-004), with May's figures.
    area_names = [name for _, name in areas]
    for code, flows in (("CDK-004", ("new_activities", "coordinated_initiatives")),
                        ("CDK-009", ("new_activities",))):
        a = by_code[code]
        rng = ms.rng_for(f"cumulative-fixture:{code}")
        sites = sorted({k for (c, k, m) in april if c == code and m == "sessions"},
                       key=lambda s: area_names.index(area_of(s)))
        if code == "CDK-004":
            new_area = next(n for n in area_names if all(area_of(s) != n for s in sites))
            sites.append(f"支え合い活動創出コーディネーター（{new_area}）")
        planned = []
        for site in sites:
            values = {"sessions": rng.randint(2, 8), "participants": rng.randint(15, 120)}
            for f in flows:
                values[f] = rng.choices([0, 1, 2], weights=[2, 3, 1])[0]
                c = f + "_cumulative"
                before = april.get((code, site, c))
                if before is None:   # a site new this month: its 累計 starts here
                    values[c] = values[f]
                    expected.append([code, site, c, "info", "", str(values[c]), "", ""])
                else:
                    values[c] = before[0] + values[f]
            planned.append((site, area_of(site), values))
        filler = ms.Filler(f"{code}_{YYYYMM}_F4", a, ms.Sheet("F4"), ms.rng_for("unused"), [],
                           variants=False)
        ms.build_f4(a, MONTH_TEXT, "事業担当", planned, filler, typed_totals=True)
        write(a, filler.sheet)

    with open(OUT.parent / "expected.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["agency_code", "key", "metric", "severity", "expected", "actual", "cell",
                    "april_cell"])
        w.writerows(expected)
    print(f"{OUT.relative_to(ms.ROOT)}: 3 returns; expected.csv: {len(expected)} rows")


if __name__ == "__main__":
    main()
