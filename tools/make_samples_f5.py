#!/usr/bin/env python3
"""Generate kasane's Kyoto F5 (事業費) sample returns for fiscal year 2025.

Writes, under samples/kyoto/:
  FY2025/<agency_code>_FY2025_F5.xlsx   one return per registry unit (109), the
                                        F5 template filled in; 10 of them as
                                        Excel "CSV (comma separated)" grids
                                        (.csv, CP932, CRLF) instead
  meta/FY2025-costs.csv                 every amount in yen (after 千円 → 円),
                                        with the file and cell it is in

Usage:  python3 tools/make_samples_f5.py [--no-libreoffice]

Reuses the sheet model and writers of tools/make_samples.py (same template,
same styles, same LibreOffice re-save so that 合計 formulas carry cached values,
same fixed timestamps).  Deterministic: fixed seed, fixed ZIP timestamps.
At the end it runs tools/check_samples_f5.py, the independent read-back check.

NOTE: tools/make_samples.py deletes and rewrites samples/kyoto/meta/, so run
this script again after it.
"""
from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_samples as ms  # noqa: E402  (sheet model, template, writers)

ROOT = ms.ROOT
OUT_DIR = ms.OUT_DIR / "FY2025"
META = ms.OUT_DIR / "meta" / "FY2025-costs.csv"
SEED = 20250403
FY = 2025
FIXED_TS = ms.dt.datetime(2026, 5, 15, 9, 0, 0)   # returns are due after the fiscal year

FIELD_CODE = {"高齢": "elderly", "障害": "disability", "子ども": "child",
              "生活困窮": "poverty", "横断": "cross"}
METRICS = [("total_cost", 3), ("other_income", 4), ("eligible_expenditure", 5)]  # column

# 年度 (B3): an integer cell 2025 or text.
YEAR_VARIANTS = [2025, "令和7年度", "R7年度", "2025年度"]

N_THOUSANDS = 36          # returns written in 千円 (about a third of 109)
N_CSV = 10                # returns sent as CP932 grid CSV
N_COMMA_TEXT = 5          # amounts typed as text "12,345"
N_UNIT_SUFFIX = 5         # amounts typed as text "12,345千円" / "12,345,678円"
N_FULLWIDTH = 4           # amounts typed as full-width text "１２，３４５"
FULLWIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")

# Yearly total cost (総事業費) ranges in yen, by agency type or code and project.
COST_BY_TYPE = {
    "地域包括支援センター": (25_000_000, 40_000_000),
    "長寿すこやかセンター": (35_000_000, 50_000_000),
    "障害者基幹相談支援センター": (20_000_000, 32_000_000),
    "障害者休日・夜間相談受付センター": (10_000_000, 16_000_000),
    "子育てコンシェルジュ": (6_000_000, 12_000_000),
    "自立相談支援窓口": (55_000_000, 80_000_000),
    "住居確保給付金相談窓口": (12_000_000, 20_000_000),
    "よりそい・つなぐ相談窓口": (20_000_000, 32_000_000),
}
COST_BY_PROJECT = {   # (agency type, project)
    ("保健福祉センター", 5): (8_000_000, 15_000_000),
    ("保健福祉センター", 6): (1_000_000, 3_000_000),
    ("地域あんしん支援員", 2): (30_000_000, 50_000_000),
    ("地域あんしん支援員", 4): (30_000_000, 50_000_000),
}
COST_BY_CODE = {      # community-building programmes (project 3)
    "CDK-001": (150_000_000, 220_000_000),   # 地域介護予防推進センター 12 か所
    "CDK-002": (30_000_000, 60_000_000),     # 健康すこやか学級
    "CDK-003": (10_000_000, 30_000_000),     # 健康長寿サロン補助
    "CDK-004": (40_000_000, 70_000_000),     # 支え合い活動創出コーディネーター
    "CDK-005": (80_000_000, 140_000_000),    # 地域活動支援センター
    "CDK-006": (250_000_000, 300_000_000),   # 児童館 129 か所
    "CDK-007": (100_000_000, 160_000_000),   # つどいの広場 41 か所
    "CDK-008": (60_000_000, 110_000_000),    # 福祉のまちづくり体制整備
    "CDK-009": (5_000_000, 20_000_000),      # つながり・支え合い創出
}

WRITER_TITLES = {
    "直営": ["庶務担当係長", "経理担当", "担当課長補佐"],
    "委託": ["事務長", "経理担当", "法人本部 経理課長", "事務局"],
}


def rng_for(purpose: str) -> random.Random:
    return random.Random(f"{SEED}:{purpose}")


def load_units() -> list[dict]:
    with open(ms.REGISTRY_DIR / "agencies.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["project_list"] = [int(p) for p in r["projects"].split(";")]
    return rows


def cost_range(u: dict, project: int) -> tuple[int, int]:
    if u["agency_code"] in COST_BY_CODE:
        return COST_BY_CODE[u["agency_code"]]
    if (u["agency_type"], project) in COST_BY_PROJECT:
        return COST_BY_PROJECT[(u["agency_type"], project)]
    return COST_BY_TYPE[u["agency_type"]]


def plan_amounts(u: dict, project: int, thousands: bool, rng: random.Random) -> dict:
    """Whole-yen truth for one row; whole thousands of yen when the return is in 千円.
    other income 0–5 % of the total; eligible ≤ total − other income."""
    lo, hi = cost_range(u, project)
    total = rng.randint(lo, hi)
    # Outsourced / subsidised units have fees or donations more often than city-run ones.
    p_income = 0.15 if u["operation"] == "直営" else 0.55
    other = int(total * rng.uniform(0.002, 0.048)) if rng.random() < p_income else 0
    net = total - other
    # Part of the cost is sometimes not eligible (e.g. equipment, entertainment).
    eligible = net - (int(net * rng.uniform(0.005, 0.06)) if rng.random() < 0.5 else 0)
    if thousands:
        total = round(total, -3)
        other = other // 1000 * 1000
        eligible = min(round(eligible, -3), total - other)
    amounts = {"total_cost": total, "other_income": other, "eligible_expenditure": eligible}
    assert 0 <= other <= total * 0.05 and 0 <= eligible <= total - other, amounts
    return amounts


def shown(value_yen: int, unit: str, variant: str | None):
    """What the cell holds: an int, or text the way finance types it."""
    v = value_yen // 1000 if unit == "千円" else value_yen
    if variant is None:
        return v
    if variant == "comma_text":
        return f"{v:,}"
    if variant == "unit_suffix":
        return f"{v:,}{unit}"
    if variant == "fullwidth":
        return f"{v:,}".translate(FULLWIDTH)
    raise ValueError(variant)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-libreoffice", action="store_true",
                    help="write 合計 cells as typed numbers instead of formulas")
    ap.add_argument("--no-check", action="store_true", help="skip tools/check_samples_f5.py")
    args = ap.parse_args()
    typed = args.no_libreoffice

    units = load_units()
    assert len(units) == 109, len(units)
    codes = [u["agency_code"] for u in units]
    multi = [u["agency_code"] for u in units if len(u["project_list"]) > 1]

    order = list(codes)
    rng_for("year-variants").shuffle(order)
    year_variant = {c: YEAR_VARIANTS[i % len(YEAR_VARIANTS)] for i, c in enumerate(order)}

    # Units (千円 or 円): a shuffled third in 千円, at least a few multi-row returns among them.
    order = list(codes)
    rng_for("units").shuffle(order)
    thousands = set(order[:N_THOUSANDS])
    # Text variants: unit suffixes mostly in 千円 returns (`12,345千円`), one in 円.
    order = list(codes)
    rng_for("text-variants").shuffle(order)
    variant: dict[str, str] = {}
    k_suffix = [c for c in order if c in thousands][:N_UNIT_SUFFIX - 1] + \
        [c for c in order if c not in thousands][:1]
    for c in k_suffix:
        variant[c] = "unit_suffix"
    rest = [c for c in order if c not in variant]
    for c in rest[:N_COMMA_TEXT]:
        variant[c] = "comma_text"
    for c in rest[N_COMMA_TEXT:N_COMMA_TEXT + N_FULLWIDTH]:
        variant[c] = "fullwidth"
    # CSV returns: one multi-row return (合計 in the grid) and nine others.
    rng = rng_for("csv")
    csv_units = {rng.choice(multi)} | set(rng.sample([c for c in codes if c not in multi],
                                                     N_CSV - 1))

    returns = []   # (unit, stem, ext, sheet, rows)
    meta_rows = []
    for u in units:
        code = u["agency_code"]
        rng = rng_for(f"costs:{code}")
        unit = "千円" if code in thousands else "円"
        writer = rng.choice(WRITER_TITLES["直営" if u["operation"] == "直営" else "委託"])
        s = ms.build_f5_template()   # the blank template: header block, header row, rows 10–21
        agency = ms.Agency(code, u["agency_name"], u["agency_type"], u["field"],
                           tuple(u["area"].split(";")), u["form"])
        ms.header_block(s, "F5", year_variant[code], agency, writer)
        ext = "csv" if code in csv_units else "xlsx"
        stem = f"{code}_FY{FY}_F5"
        r = 10
        sums = {m: 0 for m, _ in METRICS}
        for project in u["project_list"]:
            amounts = plan_amounts(u, project, unit == "千円", rng)
            s.put(r, 1, project, "data")
            s.put(r, 2, u["field"], "data")
            for metric, col in METRICS:
                s.put(r, col, shown(amounts[metric], unit, variant.get(code)), "data", ms.NUM_FMT)
                sums[metric] += amounts[metric]
                meta_rows.append([code, project, FIELD_CODE[u["field"]], metric, amounts[metric],
                                  f"{stem}.{ext}", ms.a1(r, col)])
            s.put(r, 6, unit, "data")
            r += 1
        n = len(u["project_list"])
        if n >= 2:
            s.put(r, 1, "合計", "total_label")
            s.put(r, 2, None, "total")
            s.put(r, 6, None, "total")
            for metric, col in METRICS:
                if variant.get(code):   # SUM would skip text: the total is typed the same way
                    s.put(r, col, shown(sums[metric], unit, variant[code]), "total", ms.NUM_FMT)
                else:
                    L = ms.get_column_letter(col)
                    value = sums[metric] // (1000 if unit == "千円" else 1)
                    s.put(r, col, value if typed else ms.Formula(f"SUM({L}10:{L}{r - 1})", value),
                          "total", ms.NUM_FMT)
        returns.append((u, stem, ext, s))

    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    META.parent.mkdir(parents=True, exist_ok=True)

    ms.FIXED_TS = FIXED_TS   # write_xlsx and normalize_xlsx stamp this time
    with tempfile.TemporaryDirectory(prefix="kasane-samples-f5-") as tmp:
        work = Path(tmp)
        raw = work / "raw"
        raw.mkdir()
        pending = []
        for u, stem, ext, s in returns:
            if ext == "csv":
                ms.write_grid_csv(s, OUT_DIR / f"{stem}.csv")
            else:
                src = raw / f"{stem}.xlsx"
                ms.write_xlsx(s, src)
                pending.append((src, OUT_DIR / f"{stem}.xlsx"))
        saved = {src: src for src, _ in pending} if typed else \
            ms.recalc_with_libreoffice([src for src, _ in pending], work)
        for src, dst in pending:
            ms.normalize_xlsx(saved[src], dst)

    with open(META, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["agency_code", "project", "field", "metric", "value_yen", "file", "cell"])
        w.writerows(meta_rows)

    print(f"F5 returns: {len(returns)} ({sum(1 for r in returns if r[2] == 'xlsx')} xlsx, "
          f"{len(csv_units)} csv); 千円: {len(thousands)}; text variants: "
          + ", ".join(f"{k} {list(variant.values()).count(k)}"
                      for k in ("comma_text", "unit_suffix", "fullwidth"))
          + f"; amounts: {len(meta_rows)}")
    for code in sorted(variant):
        print(f"  {code}: {variant[code]} ({'千円' if code in thousands else '円'}, "
              f"{'csv' if code in csv_units else 'xlsx'})")
    if not args.no_check:
        subprocess.run([sys.executable, str(Path(__file__).with_name("check_samples_f5.py"))],
                       check=True)


if __name__ == "__main__":
    main()
