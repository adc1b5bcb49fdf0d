#!/usr/bin/env bash
# `backstop price aggregate` on a thousand lognormal(8, 1) claims, where Panjer once returned
# a mean of 0 (P(S = 0) underflowed) and FFT one of 340,216 (its lattice, eight times the
# severity's, let the tail wrap round). The exact mean of the lattice model, lambda E[X], is
# 4,914,768.84 with the severity discretised up to 10^7; cut off at 100,000 it loses 2.2e-4
# of each claim and a fifth of the aggregate, which both methods must refuse, naming it.
# Usage: pricing_aggregate_cli_test.sh BACKSTOP
set -euo pipefail
backstop=$1
model=(price aggregate --frequency poisson --severity lognormal --parameters 1000 8 1)
fail() { echo "FAIL: $*" >&2; exit 1; }

for method in panjer fft; do
  out=$("$backstop" "${model[@]}" --to 1e7 --span 500 --method "$method")
  mean=$(sed -E 's/.*"mean":([^,]*).*/\1/' <<<"$out")
  missing=$(sed -E 's/.*"missing_mass":([^,]*).*/\1/' <<<"$out")
  awk -v m="$mean" -v x="$missing" \
    'BEGIN { r = m / 4914768.84 - 1; exit !(r < 1e-9 && -r < 1e-9 && x < 1e-10) }' ||
    fail "$method: mean $mean, missing mass $missing"

  if err=$("$backstop" "${model[@]}" --to 100000 --span 100 --method "$method" 2>&1); then
    fail "$method: a severity cut off at 100,000 was not refused: $err"
  fi
  grep -q "lacks 0.00022 of its mass.*leaves the aggregate 0.2 short" <<<"$err" ||
    fail "$method: $err"
done

# The options: a maximum length Panjer cannot converge within, and a tilt too heavy for FFT.
err=$("$backstop" "${model[@]}" --to 1e7 --span 500 --max-points 15000 2>&1) && fail "no refusal"
grep -q "reached its maximum of 15000 points" <<<"$err" || fail "$err"
err=$("$backstop" "${model[@]}" --to 1e7 --span 500 --method fft --fft-length 32768 \
  --tilt 0.003 2>&1) &&
  fail "no refusal"
grep -q "tilt less" <<<"$err" || fail "$err"
echo ok
