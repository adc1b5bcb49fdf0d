#!/usr/bin/env python3
"""An independent reference model of the fund's money rules, checked against the real thing.

The model is written from docs/rules.md alone, deliberately simply, with exact rationals
(fractions.Fraction) and whole pence; it shares no code with ledger/. Each scenario is drawn
from a seeded generator (3-40 members, 1-4 years, loans, avoidable spend, interim and final
claims, partial approvals, denials and appeals, withdrawals, payment reversals, arrears,
calls, deferrals, rebates, variances exactly at b1 and b2, half-penny ties, non-default
parameters) and driven through `backstop fund run --keep-going` one request at a time, so
that the generator can react to what the fund decided, as an administrator would. Every
receipt is compared with the model's prediction as it comes back; after the run each year's
fund report is compared member by member, and every account to the penny.

Usage: settlement_model.py --backstop PATH [--scenarios N] [--seed S]
(--scenarios defaults to $BACKSTOP_MODEL_SCENARIOS, else 100; CTest runs three seeds.)
Exit status 0 when every scenario agrees; 1 with the first disagreements printed.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from fractions import Fraction

DAY = 86400
ALICE, BOB = "admin:alice", "admin:bob"


# --- arithmetic of the rulebook ------------------------------------------------------------

def round_half_even(value):
    """A Fraction of pence to whole pence, ties to even."""
    value = Fraction(value)
    floor = value.numerator // value.denominator
    rest = value - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1):
        return floor + 1
    return floor


def largest_remainder(whole, weights):
    """Splits whole pence pro rata to weights; leftover pennies to the largest remainders,
    ties to the lower index."""
    total = sum(weights)
    assert whole >= 0 and total > 0
    parts = [whole * w // total for w in weights]
    remainders = [whole * w % total for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: whole - sum(parts)]:
        parts[i] += 1
    assert sum(parts) == whole
    return parts


def pence(text):
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int((fraction + "00")[:2])
    return -value if negative else value


def money(p):
    sign = "-" if p < 0 else ""
    return "%s%d.%02d" % (sign, abs(p) // 100, abs(p) % 100)


def rate(text):
    return Fraction(text)


def year_end(year):
    # 1 April of year + 1, 00:00 UTC.
    import datetime
    return int(datetime.datetime(year + 1, 4, 1, tzinfo=datetime.timezone.utc).timestamp())


def year_start(year):
    return year_end(year - 1)


DEFAULTS = {
    "specific_threshold": "250000.00", "specific_share": "0.9", "specific_cap": "2000000.00",
    "corridor_b1": "0.02", "corridor_b2": "0.05", "loss_share_f2": "0.5", "loss_share_f3": "0.8",
    "gain_share_g2": "0.5", "gain_share_g3": "0.8", "aggregate_cap": "0.25",
    "gain_carry_cap": "0.02", "loss_repay_years": 3, "loan_limit": "0.03", "loan_term_years": 3,
    "specific_deadline_days": 90, "aggregate_deadline_days": 120, "reserve_target": "0.00",
    "rebate_margin": "0.1", "max_call": "0.5", "four_eyes_above": "1000000.00",
    "manual_review_above": "500000.00", "review_sample": "0.05",
}


class Parameters:
    def __init__(self, overrides):
        p = dict(DEFAULTS)
        p.update(overrides)
        self.T = pence(p["specific_threshold"])
        self.share = rate(p["specific_share"])
        self.cap = pence(p["specific_cap"])
        self.b1, self.b2 = rate(p["corridor_b1"]), rate(p["corridor_b2"])
        self.f2, self.f3 = rate(p["loss_share_f2"]), rate(p["loss_share_f3"])
        self.g2, self.g3 = rate(p["gain_share_g2"]), rate(p["gain_share_g3"])
        self.aggregate_cap = rate(p["aggregate_cap"])
        self.gain_carry_cap = rate(p["gain_carry_cap"])
        self.loss_repay_years = p["loss_repay_years"]
        self.loan_limit = rate(p["loan_limit"])
        self.loan_term_years = p["loan_term_years"]
        self.specific_deadline = p["specific_deadline_days"]
        self.aggregate_deadline = p["aggregate_deadline_days"]
        self.reserve_target = pence(p["reserve_target"])
        self.rebate_margin = rate(p["rebate_margin"])
        self.max_call = rate(p["max_call"])
        self.four_eyes_above = pence(p["four_eyes_above"])


def liability(K, p):
    """Rule 5: L = min(cap, share * max(0, K - T)), rounded to the penny."""
    return min(p.cap, round_half_even(p.share * max(0, K - p.T)))


def corridor(D, A, p):
    """Rule 6: the fund's share F of D against A, band by band."""
    v = Fraction(D, A)
    clamp = lambda x, lo, hi: max(lo, min(hi, x))
    if v > 0:
        F = round_half_even(A * (p.f2 * clamp(v - p.b1, 0, p.b2 - p.b1) + p.f3 * max(0, v - p.b2)))
        return min(F, round_half_even(p.aggregate_cap * A))
    if v < 0:
        gain = p.g2 * clamp(-v - p.b1, 0, p.b2 - p.b1) + p.g3 * max(0, -v - p.b2)
        return -round_half_even(A * gain)
    return 0


def instalments(amount, count):
    each = round_half_even(Fraction(amount, count))
    return [each] * (count - 1) + [amount - each * (count - 1)]


def split_calls(shortfall, contributions, max_call):
    """Rule 10.3(a), literally."""
    caps = [round_half_even(max_call * c) for c in contributions]
    called = [0] * len(contributions)
    open_ = [i for i in range(len(contributions)) if caps[i] > 0]
    remaining = shortfall
    while remaining > 0 and open_:
        parts = largest_remainder(remaining, [contributions[i] for i in open_])
        remaining, still = 0, []
        for i, part in zip(open_, parts):
            if called[i] + part >= caps[i]:
                remaining += called[i] + part - caps[i]
                called[i] = caps[i]
            else:
                called[i] += part
                still.append(i)
        open_ = still
    return called


# --- the model's state ---------------------------------------------------------------------

class Member:
    def __init__(self, mid):
        self.id = mid
        self.receivable = 0
        self.payable = 0
        self.dues = []  # [due_time, outstanding]: contributions and calls, oldest first
        self.paid_out = self.set_off = self.received = 0
        self.carry = []  # (due_year, amount, kind, from_year)


class Claim:
    def __init__(self, cid, member, year, patient, episode, kind, K):
        self.id, self.member, self.year = cid, member, year
        self.patient, self.episode, self.kind, self.K = patient, episode, kind, K
        self.status = "submitted"
        self.approved = self.paid = self.deferred = self.last_cash = 0
        self.appealed = False

    def due(self):
        return self.approved - self.paid - self.deferred

    def mark_paid(self, amount, cash):
        self.paid += amount
        self.last_cash = cash
        if self.status in ("approved", "partially_approved", "reversed", "paid"):
            self.status = "paid"


class Model:
    def __init__(self):
        self.members = {}
        self.claims = {}
        self.claim_order = []
        self.liability = {}  # (member, year, patient) -> L approved so far
        self.years = {}
        self.reserve = 0
        self.bank = 0
        self.time = 0

    # Rule 3.
    def dues_total(self, m):
        return sum(d[1] for d in self.members[m].dues)

    def in_arrears(self, m):
        return any(out > 0 and due < self.time for due, out in self.members[m].dues)

    def reduce_dues(self, m, amount):
        for d in self.members[m].dues:
            part = min(d[1], amount)
            d[1] -= part
            amount -= part
        assert amount == 0
        self.members[m].dues = [d for d in self.members[m].dues if d[1] > 0]

    def receive(self, m, amount):
        member = self.members[m]
        self.reduce_dues(m, min(amount, self.dues_total(m)))
        member.receivable -= amount
        member.received += amount
        self.bank += amount

    def plan_payout(self, m, owed, set_off):
        """(set_off_amount, cash) or None when refused for arrears."""
        if self.in_arrears(m) and not set_off:
            return None
        member = self.members[m]
        other = member.receivable - self.dues_total(m)
        assert other >= 0
        off_other = min(other, owed)
        off_dues = min(self.dues_total(m), owed - off_other) if set_off else 0
        return off_other, off_dues, owed - off_other - off_dues

    def apply_payout(self, m, owed, plan):
        off_other, off_dues, cash = plan
        member = self.members[m]
        self.reduce_dues(m, off_dues)
        member.payable -= owed
        member.receivable -= off_other + off_dues
        member.set_off += off_other + off_dues
        member.paid_out += cash
        self.bank -= cash
        assert member.payable >= 0 and member.receivable >= 0 and self.bank >= 0

    def params(self, year):
        return self.years[year]["params"]

    def four_eyes_limit(self):
        """The lowest four_eyes_above of any year: no year can raise it for a payment."""
        return min(year["params"].four_eyes_above for year in self.years.values())

    # Rule 5: a liability change for one patient.
    def approve(self, claim, adjudicated):
        p = self.params(claim.year)
        key = (claim.member, claim.year, claim.patient)
        increment = liability(adjudicated, p) - self.liability.get(key, 0)
        self.liability[key] = self.liability.get(key, 0) + increment
        claim.approved += increment
        year = self.years[claim.year]
        year["specific"] += increment
        if increment > 0:
            self.members[claim.member].payable += increment
        else:
            self.members[claim.member].receivable -= increment
        return increment

    def is_duplicate(self, claim):
        return any(c.member == claim.member and c.year == claim.year and c.patient == claim.patient
                   and c.episode == claim.episode and c.kind == claim.kind
                   and c.status not in ("withdrawn", "denied") and c is not claim
                   for c in self.claims.values())

    def settle(self, y, allow_missing):
        """Rule 10, steps 1-4; returns what the fund's report should say."""
        year, p = self.years[y], self.params(y)
        rows = {}
        income = year["contributions"]
        expense = year["specific"] + year["deferred_paid"]
        for m in sorted(year["allocation"]):
            A = year["allocation"][m]
            member = self.members[m]
            carried = [c for c in member.carry if c[0] == y]
            A_adj = A + sum(c[1] for c in carried)
            loan_repaid = -sum(c[1] for c in carried if c[2] == "loan_instalment")
            if m in year["aggregate"]:
                S, P = year["aggregate"][m]
            elif m in year["final"]:
                S, P = year["final"][m]
            else:
                assert allow_missing
                S, P = year["forecast"][m]
            P = min(P, year["loan"].get(m, 0))
            V = year["avoidable"].get(m, 0)
            R = sum(L for (mm, yy, _), L in self.liability.items() if mm == m and yy == y)
            D = (S - P - V - R) - A_adj
            F = corridor(D, A, p)
            retained = D - F
            row = {"adjusted_allocation": A_adj, "specific_recoveries": R,
                   "net_unplanned_variance": D, "fund_share": F, "retained": retained,
                   "loss_instalments": [], "gain_credit": 0, "gain_surrendered": 0,
                   "loan_repaid": loan_repaid}
            if retained > 0:
                row["loss_instalments"] = instalments(retained, p.loss_repay_years)
            elif retained < 0:
                row["gain_credit"] = min(-retained, round_half_even(p.gain_carry_cap * A))
                row["gain_surrendered"] = -retained - row["gain_credit"]
            if F > 0:
                expense += F
                member.payable += F
            else:
                income += -F
                member.receivable += -F
            income += row["gain_surrendered"]
            member.receivable += row["gain_surrendered"] + loan_repaid
            unpaid = [(c, c.due()) for c in self.claims_of(m) if c.year == y and c.due() > 0]
            row["unpaid"] = unpaid
            row["year_recoveries_unpaid"] = sum(d for _, d in unpaid) + max(F, 0)
            rows[m] = row
        before = self.reserve + income - expense
        order = sorted(rows)
        contributions = [year["contribution"].get(m, 0) for m in order]
        reserve = before
        calls = [0] * len(order)
        deferred = [0] * len(order)
        rebates = [0] * len(order)
        if reserve < 0:
            calls = split_calls(-reserve, contributions, p.max_call)
            reserve += sum(calls)
        if reserve < 0:
            unpaid = [rows[m]["year_recoveries_unpaid"] for m in order]
            cut = min(-reserve, sum(unpaid))
            if cut > 0:
                deferred = largest_remainder(cut, unpaid)
            reserve += cut
        above = reserve - p.reserve_target * (1 + p.rebate_margin)
        rebate = round_half_even(above) if above > 0 else 0
        if rebate > 0 and sum(contributions) > 0:
            rebates = largest_remainder(rebate, contributions)
            reserve -= rebate
        for i, m in enumerate(order):
            self.record_member(y, m, rows[m], calls[i], deferred[i], rebates[i])
        self.reserve = reserve
        year["status"] = "closed"
        return {"reserve_before_calls": before, "reserve_closing": reserve,
                "deficit": max(0, -reserve), "rows": rows}

    def record_member(self, y, m, row, call, cut, rebate):
        member = self.members[m]
        row.update(supplementary_call=call, deferred_recoveries=cut, rebate=rebate,
                   fund_share_deferred=0)
        if call > 0:
            member.receivable += call
            member.dues.append([self.time + 30 * DAY, call])
        member.payable += rebate - cut
        if cut > 0:
            items = row["unpaid"]
            weights = [d for _, d in items] + [max(row["fund_share"], 0)]
            parts = largest_remainder(cut, weights)
            for (claim, _), part in zip(items, parts):
                claim.deferred += part
            row["fund_share_deferred"] = parts[-1]
            self.years[y]["deferred_out"][m] = cut
        for k, part in enumerate(row["loss_instalments"]):
            member.carry.append((y + 1 + k, -part, "loss_instalment", y))
        if row["gain_credit"] > 0:
            member.carry.append((y + 1, row["gain_credit"], "gain_credit", y))
        V = self.years[y]["avoidable"].get(m, 0)
        if V > 0:
            member.carry.append((y + 1, -V, "avoidable", y))
        del row["unpaid"]

    def due_claims(self, m=None):
        """Claims with something due now, in filing order (what is due decides, not status)."""
        return [c for c in map(self.claims.get, self.claim_order)
                if c.due() > 0 and (m is None or c.member == m)]

    def claims_of(self, m):
        return [self.claims[c] for c in self.claim_order if self.claims[c].member == m]

    def deferred_outstanding(self, m):
        total = 0
        for y, year in self.years.items():
            nxt = self.years.get(y + 1)
            if not (nxt and nxt["status"] != "draft"):
                total += year["deferred_out"].get(m, 0)
        return total


# --- driving the real fund ------------------------------------------------------------------

class Disagreement(Exception):
    pass


class Fund:
    """`backstop fund run --keep-going`, one request line at a time."""

    def __init__(self, backstop, data):
        self.process = subprocess.Popen([backstop, "fund", "run", "--data", data, "--keep-going"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.key = 0

    def send(self, actor, time, command):
        self.key += 1
        line = {"actor": actor, "key": "k%d" % self.key, "time": time, "command": command}
        self.process.stdin.write(json.dumps(line) + "\n")
        self.process.stdin.flush()
        out = self.process.stdout.readline()
        if not out:
            raise Disagreement("backstop fund run ended at %s" % json.dumps(command))
        if out.startswith("{"):
            return None, json.loads(out)["error"]
        return json.loads(out.partition(" ")[2]), None

    def close(self):
        self.process.stdin.close()
        if self.process.wait() != 0:
            raise Disagreement("backstop fund run exited with %d" % self.process.returncode)


PARAMETER_CHOICES = {
    "specific_share": ["0.9", "0.5", "0.85", "1"],
    "specific_threshold": ["250000.00", "100000.01", "300000.00"],
    "specific_cap": ["2000000.00", "500000.00"],
    "aggregate_cap": ["0.25", "0.1", "0.05"],
    "gain_carry_cap": ["0.02", "0.01", "0"],
    "loss_repay_years": [1, 2, 3, 5],
    "loan_term_years": [1, 2, 3, 4],
    "specific_deadline_days": [30, 90],
    "aggregate_deadline_days": [30, 120],
    "rebate_margin": ["0.1", "0", "0.25"],
    "max_call": ["0.5", "0.1", "1", "0"],
    "four_eyes_above": ["1000000.00", "100000.00", "50000000.00"],
    "manual_review_above": ["500000.00", "100000000.00"],
    "review_sample": ["0.05", "0", "0.5"],
}
CORRIDORS = [("0.02", "0.05"), ("0.01", "0.03"), ("0.03", "0.03"), ("0", "0.04")]
SHARES = [("0.5", "0.8"), ("0.25", "0.75"), ("0.333333", "0.666667")]


class Scenario:
    def __init__(self, fund, rng):
        self.fund, self.rng, self.model = fund, rng, Model()
        self.expected = {}

    # One request: the fund's answer must be the model's (an error exactly when predicted).
    def do(self, actor, command, refused=False):
        result, error = self.fund.send(actor, self.model.time, command)
        if refused and error is None:
            raise Disagreement("accepted, model refuses: %s -> %s" % (json.dumps(command), result))
        if not refused and error is not None:
            raise Disagreement("refused, model accepts: %s -> %s" % (json.dumps(command), error))
        return result

    def check(self, what, actual, expected):
        if actual != expected:
            raise Disagreement("%s: backstop %r, model %r" % (what, actual, expected))

    def play(self):
        rng, model = self.rng, self.model
        model.time = year_start(2023)
        for i in range(rng.randint(3, 40)):
            mid = "M%02d" % i
            self.do(ALICE, {"type": "register_member", "member": mid, "name": mid,
                            "population": 10000})
            model.members[mid] = Member(mid)
        for y in range(2023, 2023 + rng.randint(1, 4)):
            self.play_year(y)

    def random_parameters(self, contributions_total):
        rng = self.rng
        out = {}
        for name, choices in PARAMETER_CHOICES.items():
            if rng.random() < 0.4:
                out[name] = rng.choice(choices)
        if rng.random() < 0.4:
            out["corridor_b1"], out["corridor_b2"] = rng.choice(CORRIDORS)
        if rng.random() < 0.4:
            out["loss_share_f2"], out["loss_share_f3"] = rng.choice(SHARES)
            out["gain_share_g2"], out["gain_share_g3"] = rng.choice(SHARES)
        target = Fraction(contributions_total) * Fraction(rng.choice([0, 1, 5, 10, 20])) / 10
        out["reserve_target"] = money(round_half_even(target))
        return out

    def play_year(self, y):
        rng, model = self.rng, self.model
        model.time = max(model.time, year_start(y))
        ids = sorted(model.members)
        allocation = {m: rng.randint(5 * 10**8, 5 * 10**10) for m in ids}
        basis = rng.choice([Fraction(1, 1000), Fraction(5, 1000), Fraction(1, 100)])
        contribution = {m: max(1, round_half_even(allocation[m] * basis * rng.randint(5, 20) / 10))
                        for m in ids}
        overrides = self.random_parameters(sum(contribution.values()))
        self.do(ALICE, {"type": "create_year", "year": y, "parameters": overrides})
        model.years[y] = {"params": Parameters(overrides), "status": "draft",
                          "allocation": allocation,
                          "contribution": contribution, "loan": {}, "avoidable": {}, "final": {},
                          "forecast": {}, "aggregate": {}, "deferred_out": {}, "contributions": 0,
                          "specific": 0, "deferred_paid": 0}
        for m in ids:
            self.do(ALICE, {"type": "set_allocation", "year": y, "member": m,
                            "allocation": money(allocation[m])})
        self.open(y)
        self.contributions(y, ids)
        model.time += 40 * DAY
        self.claims(y, ids)
        self.avoidable(y, ids)
        self.close(y, ids)
        model.time += DAY
        self.payouts(ids)
        model.time += DAY

    def open(self, y):
        model = self.model
        self.do(ALICE, {"type": "open_year", "year": y})
        previous = model.years.get(y - 1)
        if previous:
            for m, cut in previous["deferred_out"].items():
                model.members[m].payable += cut
                model.years[y]["deferred_paid"] += cut
            for claim in model.claims.values():
                if claim.year == y - 1:
                    claim.deferred = 0
        model.years[y]["status"] = "open"

    def contributions(self, y, ids):
        rng, model, year = self.rng, self.model, self.model.years[y]
        rows = [{"member": m, "contribution": money(year["contribution"][m])} for m in ids]
        self.do(ALICE, {"type": "apply_rate_schedule", "year": y, "rows": rows})
        for m in ids:
            c = year["contribution"][m]
            model.members[m].receivable += c
            model.members[m].dues.append([model.time + 30 * DAY, c])
            year["contributions"] += c
        model.time += DAY
        for m in ids:
            owed, draw = model.members[m].receivable, rng.random()
            amount = owed if draw < 0.8 else (owed // 2 if draw < 0.9 else 0)
            if amount > 0:
                result = self.do(ALICE, {"type": "record_receipt", "year": y, "member": m,
                                         "amount": money(amount)})
                self.check("receipt", pence(result["received"]), amount)
                model.receive(m, amount)
        for m in ids:  # loans, paid out of the bank
            limit = round_half_even(year["params"].loan_limit * year["allocation"][m])
            if rng.random() < 0.2 and min(limit, model.bank) > 0:
                amount = rng.randint(1, min(limit, model.bank))
                self.do(ALICE, {"type": "approve_loan", "year": y, "member": m,
                                "amount": money(amount)})
                model.bank -= amount
                year["loan"][m] = year["loan"].get(m, 0) + amount
                for k, part in enumerate(instalments(amount, year["params"].loan_term_years)):
                    model.members[m].carry.append((y + 1 + k, -part, "loan_instalment", y))

    def claim_cost(self, p):
        rng = self.rng
        near = p.T + rng.choice([-100000, 0, 1, 5, 15, 25, 35])
        far, middle = p.T + rng.randint(1, 300000000), p.T + rng.randint(1, 30000000)
        return max(0, rng.choice([near, far, middle]))

    def claims(self, y, ids):
        rng, model = self.rng, self.model
        for _ in range(rng.randint(0, 2 * len(ids))):
            m = rng.choice(ids)
            self.file_claim(y, m, "p%d" % rng.randint(0, 4), rng.choice(["e1", "e2"]),
                            rng.choice(["interim", "final"]), self.claim_cost(model.params(y)),
                            rng.random() < 0.9)
            if rng.random() < 0.3:
                self.pay_some_claim(y)
            if rng.random() < 0.1:
                self.reverse_some_payment()
            model.time += rng.randint(0, 3) * DAY

    def file_claim(self, y, m, patient, episode, kind, K, evidence):
        model = self.model
        result = self.do("member:" + m, {"type": "file_specific_claim", "year": y, "member": m,
                                         "patient": patient, "episode": episode, "kind": kind,
                                         "cumulative_cost": money(K), "evidence": evidence})
        claim = Claim(result["claim"], m, y, patient, episode, kind, K)
        p = model.params(y)
        so_far = model.liability.get((m, y, patient), 0)
        if model.is_duplicate(claim):
            expected = ("denied", "R03")
        elif liability(K, p) == 0 and so_far == 0:
            expected = ("denied", "R04")
        elif model.in_arrears(m):
            expected = ("pended", "R05")
        elif not evidence:
            expected = ("pended", "R08")
        else:
            selected = result["status"] in ("approved", "under_review")
            expected = (result["status"] if selected else "?", "")
        actual = (result["status"], result.get("reason_code", ""))
        self.check("claim %s status" % claim.id, actual, expected)
        model.claims[claim.id] = claim
        model.claim_order.append(claim.id)
        claim.status = result["status"]
        if claim.status == "approved":
            self.check("claim %s increment" % claim.id, pence(result["approved"]),
                       model.approve(claim, K))
        elif claim.status in ("pended", "under_review"):
            self.adjudicate(claim)

    def decide(self, claim, outcome, adjudicated=None):
        model = self.model
        command = {"type": "decide_claim", "claim": claim.id, "outcome": outcome,
                   "reason_code": "R09"}
        if adjudicated is not None:
            command["adjudicated_cost"] = money(adjudicated)
        result = self.do(ALICE, command)
        if outcome == "deny":
            claim.status = "denied"
            return
        cost = claim.K if adjudicated is None else adjudicated
        p = model.params(claim.year)
        so_far = model.liability.get((claim.member, claim.year, claim.patient), 0)
        increment = liability(cost, p) - so_far
        if increment > p.four_eyes_above:
            self.check("four eyes on %s" % claim.id, result.get("awaiting"), "second_administrator")
            result = self.do(BOB, {"type": "confirm_decision", "claim": claim.id})
        claim.status = "approved" if adjudicated is None else "partially_approved"
        actual = (result["status"], pence(result["approved"]) - claim.approved)
        self.check("decision on %s" % claim.id, actual,
                   (claim.status, model.approve(claim, cost)))

    def appeal(self, claim):
        result = self.do("member:" + claim.member,
                         {"type": "appeal_claim", "claim": claim.id, "grounds": "see notes"})
        self.check("appeal of %s" % claim.id, result["status"], "under_review")
        claim.status = "under_review"

    def adjudicate(self, claim):
        draw = self.rng.random()
        if draw < 0.1:
            self.do("member:" + claim.member, {"type": "withdraw_claim", "claim": claim.id})
            claim.status = "withdrawn"
        elif draw < 0.2:
            self.decide(claim, "deny")
            self.appeal(claim)
            self.decide(claim, "approve")
        elif draw < 0.35 and claim.K > 0:
            self.decide(claim, "partially_approve", self.rng.randint(0, claim.K - 1))
            if self.rng.random() < 0.5:
                self.appeal(claim)
                self.decide(claim, "approve")
        else:
            self.decide(claim, "approve")

    # Rule 10.6 and rule 3: a payment out, proposed and confirmed above four_eyes_above.
    def pay(self, command, target, member, owed, limit):
        model = self.model
        set_off = model.in_arrears(member) or self.rng.random() < 0.3
        command = dict(command, set_off=set_off)
        plan = model.plan_payout(member, owed, set_off)
        if plan is None:
            self.do(ALICE, command, refused=True)
            return None
        if plan[2] > model.bank:
            return None  # the bank's floor: nothing the fund does not have goes out
        result = self.do(ALICE, command)
        if plan[2] > limit:
            self.check("four eyes on paying %s" % target, result.get("awaiting"),
                       "second_administrator")
            field = "claim" if command["type"] == "pay_claim" else "member"
            result = self.do(BOB, {"type": "confirm_payment", field: target})
        self.check("payment to %s" % target, (pence(result["set_off"]), pence(result["paid"])),
                   (plan[0] + plan[1], plan[2]))
        model.apply_payout(member, owed, plan)
        return plan

    def pay_some_claim(self, y):
        model = self.model
        due = model.due_claims()
        if not due:
            return
        claim = self.rng.choice(due)
        owed = claim.due()
        plan = self.pay({"type": "pay_claim", "claim": claim.id}, claim.id, claim.member, owed,
                        min(model.params(claim.year).four_eyes_above, model.four_eyes_limit()))
        if plan:
            claim.mark_paid(owed, plan[2])

    def reverse_some_payment(self):
        model = self.model
        paid = [c for c in map(model.claims.get, model.claim_order)
                if c.status == "paid" and c.last_cash > 0]
        if not paid:
            return
        claim = self.rng.choice(paid)
        result = self.do(ALICE, {"type": "reverse_payment", "claim": claim.id, "reason": "bounced"})
        self.check("reversal of %s" % claim.id, pence(result["reversed"]), claim.last_cash)
        member = model.members[claim.member]
        model.bank += claim.last_cash
        member.payable += claim.last_cash
        member.paid_out -= claim.last_cash
        claim.paid -= claim.last_cash
        claim.last_cash = 0
        claim.status = "reversed"

    def avoidable(self, y, ids):
        year = self.model.years[y]
        for m in ids:
            if self.rng.random() < 0.15:
                amount = self.rng.randint(0, year["allocation"][m] // 100)
                self.do(ALICE, {"type": "set_avoidable", "year": y, "member": m,
                                "amount": money(amount), "reason": "R07"})
                year["avoidable"][m] = amount

    # The outturn S that gives the variance D chosen (edges of the bands included).
    def outturn(self, y, m):
        rng, model, year = self.rng, self.model, self.model.years[y]
        p, A = year["params"], year["allocation"][m]
        A_adj = A + sum(c[1] for c in model.members[m].carry if c[0] == y)
        R = sum(L for (mm, yy, _), L in model.liability.items() if mm == m and yy == y)
        V = year["avoidable"].get(m, 0)
        loan = year["loan"].get(m, 0)
        P = rng.choice([0, loan, loan + rng.randint(0, 10**6)]) if loan else 0
        edge = rng.choice([p.b1, p.b2, -p.b1, -p.b2, None, None, Fraction(4, 10)])
        D = round_half_even(edge * A) if edge is not None else rng.randint(-A // 10, A // 10)
        D += rng.choice([0, 0, 1, -1])
        S = D + A_adj + (min(P, loan)) + V + R
        if S < P:
            S = P + rng.randint(0, 10**6)
        return S, P

    def close(self, y, ids):
        rng, model, year = self.rng, self.model, self.model.years[y]
        p = year["params"]
        model.time = max(model.time, year_end(y) + 5 * DAY)
        missing = False
        for m in ids:
            S, P = self.outturn(y, m)
            draw = rng.random()
            if draw < 0.15:  # only a forecast: closed on it
                half = S // 2
                planned = min(P, half)
                self.file_return(y, m, 6, half, S, planned)
                year["forecast"][m] = (S, planned)
                missing = True
                continue
            if draw < 0.3:
                self.do("member:" + m, {"type": "file_aggregate_claim", "year": y, "member": m,
                                        "outturn": money(S), "planned": money(P)})
                year["aggregate"][m] = (S, P)
                S = S + rng.randint(0, 10**6)  # the aggregate claim's outturn wins
            self.file_return(y, m, 12, S, S, P)
            year["final"][m] = (S, P)
        deadline_days = max(p.specific_deadline, p.aggregate_deadline)
        model.time = max(model.time, year_end(y) + (deadline_days + 1) * DAY)
        self.do(ALICE, {"type": "begin_closing", "year": y})
        result = self.do(ALICE, {"type": "close_year", "year": y, "allow_missing_returns": missing})
        expected = model.settle(y, missing)
        self.expected[y] = expected
        for name in ("reserve_before_calls", "reserve_closing", "deficit"):
            self.check("%d %s" % (y, name), pence(result["totals"][name]), expected[name])

    def file_return(self, y, m, period, spend, forecast, planned):
        self.do("member:" + m, {"type": "file_return", "year": y, "member": m, "period": period,
                                "spend_to_date": money(spend), "forecast_outturn": money(forecast),
                                "planned": money(planned), "unplanned": money(spend - planned)})

    def payouts(self, ids):
        rng, model = self.rng, self.model
        for m in ids:
            member = model.members[m]
            if member.payable > 0 and rng.random() < 0.5:
                owed = member.payable
                due = model.due_claims(m)
                command = {"type": "pay_member", "member": m}
                if self.pay(command, m, m, owed, model.four_eyes_limit()):
                    for claim in due:
                        claim.mark_paid(claim.due(), 0)
            elif member.payable == 0 and member.receivable > 0 and rng.random() < 0.3:
                result = self.do(ALICE, {"type": "collect_member", "member": m})
                self.check("collection from %s" % m, pence(result["received"]), member.receivable)
                model.receive(m, member.receivable)

    # After the run: every year's report, member by member, and every account.
    def compare_reports(self, backstop, data):
        model = self.model
        last = None
        for y, expected in self.expected.items():
            command = [backstop, "fund", "report", "--data", data, "--year", str(y), "--json"]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            report = json.loads(out)
            rows = {row["member"]: row for row in report["members"]}
            for m, row in expected["rows"].items():
                for name, value in row.items():
                    actual = rows[m][name]
                    if isinstance(actual, list):
                        actual = [pence(a) for a in actual]
                    else:
                        actual = pence(actual)
                    self.check("%d %s %s" % (y, m, name), actual, value)
            last = report
        if last is None:
            return
        self.check("bank", pence(last["bank"]), model.bank)
        self.check("reserve", pence(last["reserve"]), model.reserve)
        for row in last["members"]:
            member, accounts = model.members[row["member"]], row["accounts"]
            expected = {"owed_by_fund": member.payable, "owes_fund": member.receivable,
                        "deferred_outstanding": model.deferred_outstanding(member.id),
                        "paid_out": member.paid_out, "set_off": member.set_off,
                        "received": member.received}
            for name, value in expected.items():
                self.check("%s %s" % (member.id, name), pence(accounts[name]), value)


def run_scenario(backstop, seed):
    with tempfile.TemporaryDirectory() as data:
        fund = Fund(backstop, data)
        scenario = Scenario(fund, random.Random(seed))
        try:
            scenario.play()
        finally:
            fund.close()
        scenario.compare_reports(backstop, data)
        return scenario


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backstop", required=True)
    parser.add_argument("--scenarios", type=int,
                        default=int(os.environ.get("BACKSTOP_MODEL_SCENARIOS") or "100"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    failures = 0
    stats = {"calls": 0, "deferrals": 0, "rebates": 0, "deficits": 0, "years": 0}
    for index in range(args.scenarios):
        seed = args.seed * 100003 + index
        try:
            scenario = run_scenario(args.backstop, seed)
        except Disagreement as disagreement:
            failures += 1
            print("scenario seed %d: %s" % (seed, disagreement))
            if failures >= 5:
                break
            continue
        for expected in scenario.expected.values():
            rows = expected["rows"].values()
            stats["years"] += 1
            stats["calls"] += any(r["supplementary_call"] for r in rows)
            stats["deferrals"] += any(r["deferred_recoveries"] for r in rows)
            stats["rebates"] += any(r["rebate"] for r in rows)
            stats["deficits"] += expected["deficit"] > 0
    print("%d scenarios, %d disagreeing; settled years %d: with calls %d, deferrals %d, "
          "rebates %d, deficits %d"
          % (args.scenarios, failures, stats["years"], stats["calls"], stats["deferrals"],
             stats["rebates"], stats["deficits"]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
