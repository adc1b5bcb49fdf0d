// Money that actually moves between the fund and a member (rules 3 and 10.6): receipts and
// collections in, claim and member payments out, set-off where the member both owes and is
// owed, and four eyes on payments out above four_eyes_above.
//
// Arrears are overdue contributions and calls only (the `Due` records). Every other debt to
// the fund (recoveries of overpaid claims, gain shares, surrendered gains, loan instalments)
// is set off whenever the fund pays the member. Overdue dues stop payments unless the
// administrator sets the payment off against them (R05).
#include "fund/claim_workflow.hpp"
#include "fund/internal.hpp"

namespace backstop::fund {
namespace {

constexpr std::int64_t call_due_days = 30;

Money dues_total(const FundState& state, const std::string& member) {
  Money total;
  if (auto found = state.dues.find(member); found != state.dues.end()) {
    for (const auto& due : found->second) total += due.outstanding;
  }
  return total;
}

// What paying `owed` to a member moves: set-off first, then cash from the bank.
struct Payout {
  std::string member;
  Money owed;
  Money set_off_other;  // debts that are not arrears: always set off
  Money set_off_dues;   // contributions and calls: only when the administrator asks
  Money cash;
  bool set_off = false;
};

Payout plan_payout(const Context& context, const std::string& member, const Money& owed,
                   bool set_off) {
  assert(owed > Money());
  if (in_arrears(context, member) && !set_off) {
    refuse(
        "member '" + member + "' is in arrears (R05): pay with set_off, or once the arrears clear",
        ErrorCode::constraint, ReasonCode::R05);
  }
  const Money receivable = balance(context.ledger, member_account(member, "receivable"));
  const Money dues = dues_total(context.state, member);
  const Money other = receivable - dues;
  assert(!other.is_negative());
  Payout out{member, owed, std::min(other, owed), Money(), Money(), set_off};
  if (set_off) out.set_off_dues = std::min(dues, owed - out.set_off_other);
  out.cash = owed - out.set_off_other - out.set_off_dues;
  assert(out.set_off_other + out.set_off_dues + out.cash == owed);
  return out;
}

void post_payout(Effect& effect, const Payout& payout) {
  effect.postings.push_back(debit(member_account(payout.member, "payable"), payout.owed));
  const Money netted = payout.set_off_other + payout.set_off_dues;
  if (netted > Money()) {
    effect.postings.push_back(credit(member_account(payout.member, "receivable"), netted));
  }
  if (payout.cash > Money()) effect.postings.push_back(credit(fund_account("bank"), payout.cash));
}

PaymentMade apply_payout(FundState& state, const Payout& payout) {
  reduce_dues(state, payout.member, payout.set_off_dues);
  PaymentTotals& totals = state.payments[payout.member];
  totals.set_off += payout.set_off_other + payout.set_off_dues;
  totals.paid_out += payout.cash;
  return PaymentMade{payout.member, payout.owed,  payout.set_off_other + payout.set_off_dues,
                     payout.cash,   std::nullopt, std::nullopt};
}

std::string proposal_key(const char* kind, const std::string& id) {
  return std::string(kind) + ":" + id;
}

// Above four_eyes_above a payment is only proposed; a different administrator confirms it.
Effect propose_payment(const std::string& key, const Payout& payout, const std::string& actor) {
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    state.proposed_payments[key] = ProposedPayment{actor, payout.owed, payout.cash, payout.set_off};
    return PaymentProposed{key, payout.cash};
  };
  return effect;
}

// The lowest four_eyes_above of any year and any of its versions: one administrator cannot
// raise the limit for a payment by creating a year or amending one.
Money four_eyes_limit(const FundState& state) {
  assert(!state.years.empty());
  Money lowest = state.years.begin()->second.versions.front().parameters.four_eyes_above;
  for (const auto& [number, year] : state.years) {
    for (const auto& version : year.versions) {
      lowest = std::min(lowest, version.parameters.four_eyes_above);
    }
  }
  return lowest;
}

const SpecificClaim& payable_claim(const Context& context, const std::string& id) {
  auto found = context.state.claims.find(id);
  if (found == context.state.claims.end()) refuse("no claim '" + id + "'", ErrorCode::not_found);
  const SpecificClaim& claim = found->second;
  if (!(claim_due(claim) > Money())) {
    refuse("nothing is due on claim " + id + " (" + claim_status_name(claim.status) + ")",
           ErrorCode::constraint);
  }
  return claim;
}

void mark_paid(SpecificClaim& claim, const Money& amount, const Money& cash) {
  claim.paid += amount;
  claim.last_payment_cash = cash;
  // An amount once approved stays owed whatever happens to the claim later (an appeal that
  // is denied or withdrawn leaves the first approval standing), so paying it is always
  // allowed; the workflow says whether the claim's status moves.
  claim.status = *next_status(claim.status, ClaimEvent::pay);
}

// Everything the fund owes the member now, which must be something.
Money member_owed(const Context& context, const std::string& member) {
  const Money owed = balance(context.ledger, member_account(member, "payable"));
  if (!(owed > Money())) {
    refuse("the fund owes member '" + member + "' nothing now", ErrorCode::constraint);
  }
  return owed;
}

Effect claim_payment_effect(const std::string& id, const Payout& payout) {
  Effect effect;
  post_payout(effect, payout);
  effect.apply = [=](FundState& state, std::uint64_t) {
    state.proposed_payments.erase(proposal_key("claim", id));
    mark_paid(state.claims.at(id), payout.owed, payout.cash);
    PaymentMade out = apply_payout(state, payout);
    out.claim = id;
    return out;
  };
  return effect;
}

Effect member_payment_effect(const Context& context, const Payout& payout) {
  Effect effect;
  post_payout(effect, payout);
  std::vector<std::string> settled_claims;
  Money claims_total;
  if (auto ids = context.state.member_claims.find(payout.member);
      ids != context.state.member_claims.end()) {
    for (const auto& id : ids->second) {
      const SpecificClaim& claim = context.state.claims.at(id);
      if (!(claim_due(claim) > Money())) continue;
      settled_claims.push_back(id);
      claims_total += claim_due(claim);
    }
  }
  // Approved claims are part of what the fund owes; never pay more than that whole.
  if (claims_total > payout.owed) refuse("claims due exceed what is owed", ErrorCode::corruption);
  effect.apply = [=](FundState& state, std::uint64_t) {
    state.proposed_payments.erase(proposal_key("member", payout.member));
    for (const auto& id : settled_claims) {
      SpecificClaim& claim = state.claims.at(id);
      mark_paid(claim, claim_due(claim), Money());
    }
    PaymentMade out = apply_payout(state, payout);
    out.claims_paid = settled_claims.size();
    return out;
  };
  return effect;
}

Effect receive(const std::string& member, const Money& amount, const Money& owed) {
  Effect effect;
  effect.postings = {debit(fund_account("bank"), amount),
                     credit(member_account(member, "receivable"), amount)};
  effect.apply = [=](FundState& state, std::uint64_t) {
    reduce_dues(state, member, std::min(amount, dues_total(state, member)));
    state.payments[member].received += amount;
    return ReceiptRecorded{member, amount, owed - amount};
  };
  return effect;
}

}  // namespace

// Pays what is due on one claim now: approved, less what was paid, less any cut deferred at
// settlement that the next year has not yet released.
Effect decide(const PayClaim& command, Context& context) {
  require_admin(context);
  const std::string& id = command.claim;
  const bool set_off = command.set_off;
  const SpecificClaim& claim = payable_claim(context, id);
  const Payout payout = plan_payout(context, claim.member, claim_due(claim), set_off);
  const FundYear& year = find_year(context.state, claim.year);
  if (payout.cash > std::min(parameters_at(year, context.time_unix_s).four_eyes_above,
                             four_eyes_limit(context.state))) {
    return propose_payment(proposal_key("claim", id), payout, context.actor.to_string());
  }
  return claim_payment_effect(id, payout);
}

// Rule 10.6: pays everything the fund owes a member now (claims, corridor shares, rebates,
// released deferrals), net of what the member owes.
Effect decide(const PayMember& command, Context& context) {
  require_admin(context);
  const std::string& member = command.member;
  const bool set_off = command.set_off;
  find_member(context.state, member);
  const Payout payout = plan_payout(context, member, member_owed(context, member), set_off);
  if (payout.cash > four_eyes_limit(context.state)) {
    return propose_payment(proposal_key("member", member), payout, context.actor.to_string());
  }
  return member_payment_effect(context, payout);
}

// The second administrator: the payment goes out only if it is still the one proposed.
Effect decide(const ConfirmPayment& command, Context& context) {
  require_admin(context);
  const auto& claim = command.claim;
  const auto& member = command.member;
  const std::string key = claim ? proposal_key("claim", *claim) : proposal_key("member", *member);
  auto proposed = context.state.proposed_payments.find(key);
  if (proposed == context.state.proposed_payments.end()) {
    refuse("no payment is proposed for " + key, ErrorCode::not_found);
  }
  if (proposed->second.actor == context.actor.to_string()) {
    refuse("four eyes: a different administrator must confirm the payment",
           ErrorCode::permission_denied);
  }
  const bool set_off = proposed->second.set_off;
  Payout payout;
  if (claim) {
    const SpecificClaim& found = payable_claim(context, *claim);
    payout = plan_payout(context, found.member, claim_due(found), set_off);
  } else {
    payout = plan_payout(context, *member, member_owed(context, *member), set_off);
  }
  if (payout.owed != proposed->second.owed) {
    refuse("the amount due is now " + payout.owed.to_display() + ", not the " +
               proposed->second.owed.to_display() + " proposed: propose it again",
           ErrorCode::constraint);
  }
  return claim ? claim_payment_effect(*claim, payout) : member_payment_effect(context, payout);
}

// Money received from a member: part payments welcome, more than is owed refused. It pays
// contributions and calls first, oldest first.
Effect decide(const RecordReceipt& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  const std::string& member = command.member;
  const Money amount = command.amount;
  find_year(context.state, year);
  find_member(context.state, member);
  if (!(amount > Money())) refuse("field 'amount' must be positive", "amount");
  const Money owed = balance(context.ledger, member_account(member, "receivable"));
  if (amount > owed) {
    refuse(
        "member '" + member + "' owes " + owed.to_display() + ", less than " + amount.to_display(),
        ErrorCode::constraint);
  }
  return receive(member, amount, owed);
}

// Rule 10.6: collects everything a member owes (calls, instalments due, ...), e.g. by direct
// debit. What the fund owes the member is netted first, by pay_member.
Effect decide(const CollectMember& command, Context& context) {
  require_admin(context);
  const std::string& member = command.member;
  find_member(context.state, member);
  if (balance(context.ledger, member_account(member, "payable")) > Money()) {
    refuse("the fund also owes member '" + member + "': pay_member sets that off first",
           ErrorCode::constraint);
  }
  const Money owed = balance(context.ledger, member_account(member, "receivable"));
  if (!(owed > Money()))
    refuse("member '" + member + "' owes the fund nothing", ErrorCode::constraint);
  return receive(member, owed, owed);
}

// A claim payment undone (e.g. it bounced): the cash part comes back; what was set off stays
// set off. The claim may be paid again.
Effect decide(const ReversePayment& command, Context& context) {
  require_admin(context);
  const std::string& id = command.claim;
  const std::string& reason = command.reason;
  auto found = context.state.claims.find(id);
  if (found == context.state.claims.end()) refuse("no claim '" + id + "'", ErrorCode::not_found);
  const SpecificClaim& claim = found->second;
  const auto reversed_status = next_status(claim.status, ClaimEvent::reverse);
  if (!reversed_status || !(claim.last_payment_cash > Money())) {
    refuse("claim " + id + " has no cash payment of its own to reverse", ErrorCode::constraint);
  }
  const Money cash = claim.last_payment_cash;
  const std::string member = claim.member;
  Effect effect;
  effect.postings = {debit(fund_account("bank"), cash),
                     credit(member_account(member, "payable"), cash)};
  const std::string actor = context.actor.to_string();
  const std::int64_t time = context.time_unix_s;
  effect.apply = [=](FundState& state, std::uint64_t) {
    SpecificClaim& reversed = state.claims.at(id);
    reversed.paid -= cash;
    reversed.last_payment_cash = Money();
    reversed.status = *reversed_status;
    reversed.decisions.push_back(
        Decision{actor, ClaimStatus::reversed, std::nullopt, time, reason});
    state.payments[member].paid_out -= cash;
    return PaymentReversed{id, cash};
  };
  return effect;
}

Money deferred_outstanding(const FundState& state, const std::string& member) {
  Money total;
  for (const auto& [number, year] : state.years) {
    auto next = state.years.find(number + 1);
    const bool released = next != state.years.end() && next->second.status != YearStatus::draft;
    auto cut = year.deferred_out.find(member);
    if (!released && cut != year.deferred_out.end()) total += cut->second;
  }
  return total;
}

bool in_arrears(const Context& context, const std::string& member) {
  auto found = context.state.dues.find(member);
  if (found == context.state.dues.end()) return false;
  return std::any_of(found->second.begin(), found->second.end(), [&](const Due& due) {
    return due.outstanding > Money() && due.due_unix_s < context.time_unix_s;
  });
}

void add_due(FundState& state, const std::string& member, Due due) {
  assert(due.outstanding > Money());
  state.dues[member].push_back(std::move(due));
}

std::int64_t call_due_unix_s(std::int64_t settled_unix_s) {
  return settled_unix_s + call_due_days * 86'400;
}

void reduce_dues(FundState& state, const std::string& member, Money amount) {
  assert(!amount.is_negative());
  if (amount.is_zero()) return;
  auto& dues = state.dues.at(member);
  for (auto& due : dues) {
    const Money part = std::min(due.outstanding, amount);
    due.outstanding -= part;
    amount -= part;
  }
  assert(amount.is_zero());
  std::erase_if(dues, [](const Due& due) { return due.outstanding.is_zero(); });
}

}  // namespace backstop::fund
