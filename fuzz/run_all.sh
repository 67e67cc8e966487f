#!/usr/bin/env bash
# Runs every fuzz target in fuzz/fuzz_targets for SECONDS each, one after the
# other, one process each (-jobs=1, so the run takes about
# SECONDS × number of targets), with a 2 GiB RSS limit and a 10 s timeout
# per input. Installs cargo-fuzz when it is absent and seeds an empty corpus
# from the repository (fuzz/README.md, "Corpus seeds"). A target that finds a
# crash does not stop the others; the script exits 1 when any did, and each
# crash input is in fuzz/artifacts/<target>/.
#
#   fuzz/run_all.sh 300        # five minutes per target
set -uo pipefail
secs=${1:?usage: fuzz/run_all.sh SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cd "$here"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz || exit 2
fi

seed() { # target
  local dir="corpus/$1"
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir")" ] && return
  case $1 in
    parse_values)
      local i=0
      for v in 令和7年4月 R7.4 R07/04 2025年4月 2025/4/15 202504 ３,１９８件 － '12 人' \
               令和元年5月 H31.4.30 1,234,567 090-1234-5678 〒604-8571; do
        printf '%s' "$v" >"$dir/seed$i"; i=$((i + 1))
      done ;;
    read_csv)
      cp "$repo"/samples/kyoto/2025-04/*.csv "$repo"/tests/fixtures/drift/*.csv \
         "$repo"/tests/fixtures/drift/*.txt "$dir"/ ;;
    read_workbook)
      ls -S "$repo"/samples/kyoto/2025-04/*.xlsx | tail -4 | xargs -I{} cp {} "$dir"/
      for f in "$repo"/tests/fixtures/drift/*.{xlsx,xls,xlsm,ods} "$repo"/tests/fixtures/hostile_limits/*; do
        case $(basename "$f") in h02_*|h03_*) ;; *) [ -f "$f" ] && cp "$f" "$dir"/ ;; esac
      done ;;
    read_xlsx_xml)
      python3 - "$repo" "$dir" <<'PY'
import sys, zipfile, glob, os
repo, out = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(repo + "/samples/kyoto/2025-04/*.xlsx"))[:6]
files += [repo + "/tests/fixtures/drift/" + n for n in
          ("d01_title_rows_reordered.xlsx", "d02_two_row_header.xlsx", "h04_stray_cell.xlsx")]
for i, f in enumerate(files):
    z = zipfile.ZipFile(f)
    part = lambda n: z.read(n) if n in z.namelist() else b""
    data = part("xl/worksheets/sheet1.xml") + b"\xff" + part("xl/sharedStrings.xml") + b"\xff" + part("xl/styles.xml")
    open(os.path.join(out, "seed%d" % i), "wb").write(data)
PY
      ;;
    *) : ;; # a new target starts from an empty corpus
  esac
}

args() { # target: its libFuzzer options
  case $1 in
    parse_values) echo "-max_len=256" ;;
    read_csv) echo "-max_len=8192" ;;
    read_workbook) echo "-max_len=65536" ;;
    read_xlsx_xml) echo "-max_len=32768" ;;
    *) echo "" ;;
  esac
}

failed=0
for src in fuzz_targets/*.rs; do
  t=$(basename "$src" .rs)
  seed "$t"
  echo "== $t ${secs} s $(date -u -Is)"
  # shellcheck disable=SC2046
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 $(args "$t") 2>&1 | tail -25
  rc=${PIPESTATUS[0]}
  echo "== $t done rc=$rc $(date -u -Is)"
  [ "$rc" -ne 0 ] && failed=1
done
exit $failed
