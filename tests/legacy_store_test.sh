#!/usr/bin/env bash
# A store written by an earlier build must still open, verify, read the same and answer
# retries with the receipts it gave then. The store in data/legacy_store was made by
# `backstop fund run` from requests.jsonl (a seeded multi-year settlement scenario with calls,
# deferrals, a rebate, a deficit, payments, and every member and parameter command).
# Usage: legacy_store_test.sh BACKSTOP DATA_DIR [--write-expected]
set -euo pipefail
backstop=$1
here=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/store" "$work/store"
store="$work/store"

"$backstop" ledger verify --data "$store" >/dev/null

reads() {
  local members claims
  members=$(grep -o '"member": "[^"]*"' "$here/requests.jsonl" | cut -d'"' -f4 | sort -u)
  claims=$(grep -o '"claim": "[^"]*"' "$here/requests.jsonl" | cut -d'"' -f4 | sort -u)
  for year in 2023 2024 2025 2026; do
    for read in report pending warnings; do
      echo "== $read $year"
      "$backstop" fund "$read" --data "$store" --year "$year" --json 2>&1 || echo "exit $?"
    done
    for member in $members; do
      echo "== statement $member $year"
      "$backstop" fund statement --data "$store" --year "$year" --member "$member" --json 2>&1 \
        || echo "exit $?"
    done
  done
  for claim in $claims; do
    echo "== claim $claim"
    "$backstop" fund claim --data "$store" --claim "$claim" --json 2>&1 || echo "exit $?"
  done
}

if [ "${3:-}" = "--write-expected" ]; then
  reads >"$here/expected-reads.txt"
  "$backstop" fund run --keep-going --data "$store" --file "$here/requests.jsonl" \
    >"$here/expected-receipts.txt"
  exit 0
fi
diff -u "$here/expected-reads.txt" <(reads)
diff -u "$here/expected-receipts.txt" \
  <("$backstop" fund run --keep-going --data "$store" --file "$here/requests.jsonl")
"$backstop" ledger verify --data "$store" >/dev/null
echo "legacy store: verified, reads and retried receipts unchanged"
