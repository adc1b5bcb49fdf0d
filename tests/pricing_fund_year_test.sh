#!/usr/bin/env bash
# `backstop price schedule|solvency --data DIR --year Y` prices under the rule terms of that
# fund year as the store records them. The legacy store's 2025 year sets b1, b2, the specific
# share and cap, the aggregate and gain carry caps; 2026 amends the specific share after
# creation (the latest version counts). Each must price exactly as the same terms given as
# model.toml overrides of the rulebook's defaults, and differently from the defaults alone.
# Usage: pricing_fund_year_test.sh BACKSTOP LEGACY_STORE_DIR
set -euo pipefail
backstop=$(realpath "$1")
here=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/store" "$work/store"
cd "$work"
cat >members.csv <<'CSV'
member,population,allocation,status
05A,250000,300000000,active
11C,48000,57600000,special_measures
02D,30000,36000000,active
CSV
cat >2025.toml <<'TOML'
[model]
specific_share = 0.85
specific_cap = 500000
aggregate_cap = 0.1
gain_carry_cap = 0.02
b1 = 0.01
b2 = 0.03
TOML
printf '[model]\nspecific_share = 0.8\n' >2026.toml
schedule() { "$backstop" price schedule --members members.csv --seed 4 --simulations 2000 "$@"; }
schedule --output from-store.csv --data store --year 2025 >/dev/null
schedule --output from-toml.csv --model 2025.toml >/dev/null
schedule --output defaults.csv >/dev/null
cmp from-store.csv from-toml.csv
if cmp -s from-store.csv defaults.csv; then  # the test would show nothing
  echo "2025's terms priced as the defaults" >&2
  exit 1
fi
solvency() { "$backstop" price solvency --members members.csv --seed 4 --simulations 1000 "$@"; }
cmp <(solvency --data store --year 2026) <(solvency --model 2026.toml)
# A year the store does not have is refused, naming it.
if solvency --data store --year 1999 2>error.txt; then exit 1; fi
grep -q "no fund year 1999" error.txt
echo "ok"
