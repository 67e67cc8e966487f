#!/usr/bin/python3
"""Recalculate kasane's workbooks with LibreOffice and compare every formula.

kasane writes each formula with its result already computed (a reader that
does not recalculate, and calamine, show that cached result). This check
loads each workbook in headless LibreOffice, recalculates everything
(`calculateAll`), and compares LibreOffice's result for every formula cell
with the result kasane stored in the file. Any difference means a formula
and kasane's own computation disagree: what finance sees after pressing F9
would not be what kasane reported.

Usage (Debian: apt-get install libreoffice-calc-nogui python3-uno):

    cargo run --release -- run --month 2025-04 --out /tmp/rc
    cargo run --release -- report --fiscal-year 2025 --costs samples/kyoto/FY2025 --out /tmp/rc
    /usr/bin/python3 tools/recalc_check.py /tmp/rc/2025-04/*.xlsx /tmp/rc/FY2025/*.xlsx

Needs the system python (the one python3-uno is built for). Exit status 1 when
a formula differs or LibreOffice reports an error in one.

With `--fixture DIR`, also writes `DIR/<workbook stem>.csv` (sheet, cell,
formula, LibreOffice's result) for `tests/recalc.rs`, which compares the
results kasane stores with those on every `cargo test` without LibreOffice:

    /usr/bin/python3 tools/recalc_check.py --fixture tests/fixtures/recalc \
        /tmp/rc/2025-04/*.xlsx /tmp/rc/FY2025/*.xlsx
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile

import uno  # noqa: E402  (system python with python3-uno)
from com.sun.star.beans import PropertyValue
from com.sun.star.table.CellContentType import FORMULA

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def cached_results(path: str) -> dict[str, dict[tuple[int, int], tuple[str, str]]]:
    """Sheet name -> (row, col) zero-based -> (formula as stored, its stored result)."""
    out: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels}
        for sheet in book.find("m:sheets", NS):
            part = target[sheet.get(REL)].lstrip("/")
            part = part if part.startswith("xl/") else "xl/" + part
            cells: dict[tuple[int, int], tuple[str, str]] = {}
            for c in ET.fromstring(z.read(part)).iter(f"{{{NS['m']}}}c"):
                f = c.find("m:f", NS)
                if f is None:
                    continue
                letters, digits = re.match(r"([A-Z]+)(\d+)", c.get("r")).groups()
                col = 0
                for ch in letters:
                    col = col * 26 + ord(ch) - 64
                v = c.find("m:v", NS)
                stored = "" if v is None or v.text is None else v.text
                cells[(int(digits) - 1, col - 1)] = (f.text or "", stored)
            out[sheet.get("name")] = cells
    return out


def libreoffice():
    pipe = f"kasane_recalc_{os.getpid()}"
    profile = tempfile.mkdtemp(prefix="kasane-lo-")
    proc = subprocess.Popen(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
         f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # not listening yet
            time.sleep(0.5)
    else:
        proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
        sys.exit("LibreOffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop, profile


def check(desktop, path: str, fixture: str | None) -> int:
    cached = cached_results(path)
    hidden = PropertyValue()
    hidden.Name, hidden.Value = "Hidden", True
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)),
                                       "_blank", 0, (hidden,))
    doc.calculateAll()
    differ = seen = 0
    rows = []
    for name, cells in cached.items():
        sheet = doc.Sheets.getByName(name)
        for (r, c), (formula, stored) in sorted(cells.items()):
            cell = sheet.getCellByPosition(c, r)
            assert cell.Type == FORMULA, (name, r, c)
            seen += 1
            a1 = cell.AbsoluteName.split(".")[-1].replace("$", "")
            where = f"{name}!{a1}"
            if cell.getError():
                result = f"#ERR{cell.getError()}"
            elif cell.FormulaResultType2 == 2:  # com.sun.star.sheet.FormulaResult.STRING
                result = cell.String
            else:
                result = repr(cell.Value)
            # The formula as kasane stored it (calamine reads it so; LibreOffice's
            # own text uses its separators).
            rows.append((name, a1, formula, result))
            if cell.getError():
                print(f"  {where}: LibreOffice error {cell.getError()} in {cell.Formula}")
                differ += 1
                continue
            try:
                same = abs(float(stored) - cell.Value) < 1e-9
            except ValueError:  # a text result
                same = stored == cell.String
            if not same:
                print(f"  {where}: stored {stored!r}, LibreOffice {cell.String!r} ({cell.Formula})")
                differ += 1
    doc.close(True)
    print(f"{path}: {seen} formulas, {differ} differ")
    if fixture:
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(fixture, stem + ".csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["sheet", "cell", "formula", "libreoffice"])
            w.writerows(rows)
    return differ


def main() -> int:
    args = sys.argv[1:]
    fixture = None
    if args[:1] == ["--fixture"]:
        fixture, args = args[1], args[2:]
        os.makedirs(fixture, exist_ok=True)
    if not args:
        sys.exit(__doc__)
    proc, desktop, profile = libreoffice()
    try:
        differ = sum(check(desktop, p, fixture) for p in args)
    finally:
        try:
            desktop.terminate()
        except Exception:  # already gone
            pass
        proc.wait(timeout=60)
        shutil.rmtree(profile, ignore_errors=True)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
