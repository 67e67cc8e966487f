#!/usr/bin/env bash
# Runs each target for its share of the budget, one process each (-jobs=1).
cd "$(dirname "$0")"
run() { # target seconds extra-args...
  local t=$1 s=$2; shift 2
  echo "== $t $s s $(date -Is)"
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$s" -rss_limit_mb=2048 -print_final_stats=1 "$@" 2>&1 | tail -40
  echo "== $t done rc=${PIPESTATUS[0]} $(date -Is)"
}
run parse_values "${1:-300}" -max_len=256
run read_csv "${2:-420}" -max_len=8192
run read_workbook "${3:-720}" -max_len=65536 -timeout=10
