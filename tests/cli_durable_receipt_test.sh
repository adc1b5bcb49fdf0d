#!/usr/bin/env bash
# `backstop fund run` prints a receipt only once its entry is durable: while the run is still
# open (and could yet be killed), a read-only reader of the store already sees every entry
# whose receipt was printed.
# Usage: cli_durable_receipt_test.sh BACKSTOP
set -euo pipefail
backstop=$1
work=$(mktemp -d)
trap 'kill "$run_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
coproc RUN { "$backstop" fund run --keep-going --data "$work/store" 2>/dev/null; }
run_pid=$RUN_PID
for i in 1 2 3; do
  printf '{"actor":"admin:alice","key":"k%d","time":%d,"command":{"type":"register_member",%s}}\n' \
    "$i" $((1680307200 + i)) "\"member\":\"M$i\",\"name\":\"M$i\",\"population\":1000" \
    >&"${RUN[1]}"
  read -r receipt <&"${RUN[0]}"
  [[ "$receipt" == "$i "* ]] || { echo "unexpected receipt: $receipt"; exit 1; }
  # The run is still open; a read-only reader must already see the entry.
  "$backstop" ledger verify --data "$work/store" >"$work/verify.txt"
  if ! grep -q "verified: $i entries" "$work/verify.txt"; then
    echo "entry $i not durable when its receipt was printed:" && cat "$work/verify.txt" && exit 1
  fi
done
echo "receipts were printed only for durable entries"
