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
  # A blank line written apart from the request must not hold its receipt back.
  [ "$i" -eq 2 ] && printf '\n' >&"${RUN[1]}"
  if ! read -r -t 20 receipt <&"${RUN[0]}"; then echo "no receipt for line $i"; exit 1; fi
  [[ "$receipt" == "$i "* ]] || { echo "unexpected receipt: $receipt"; exit 1; }
  # The run is still open; a read-only reader must already see the entry.
  "$backstop" ledger verify --data "$work/store" >"$work/verify.txt"
  if ! grep -q "verified: $i entries" "$work/verify.txt"; then
    echo "entry $i not durable when its receipt was printed:" && cat "$work/verify.txt" && exit 1
  fi
done
eval "exec ${RUN[1]}>&-"
wait "$run_pid"

# A run that stops at a refusal still says what it applied.
echo '{"actor":"admin:alice","key":"k9","time":1680307300,"command":{"type":"open_year"}}' |
  "$backstop" fund run --data "$work/store" 2>"$work/stderr.txt" && exit 1
grep -q "fund: 0 applied, 0 already recorded" "$work/stderr.txt" ||
  { echo "no summary after a refusal:"; cat "$work/stderr.txt"; exit 1; }
echo "receipts were printed only for durable entries"
