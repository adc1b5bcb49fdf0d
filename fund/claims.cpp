// Specific claims (rule 5) through their workflow (fund/claim_workflow.hpp), and aggregate
// claims (rule 6). Above four_eyes_above a decision needs two different administrators.
#include "fund/claim_workflow.hpp"
#include "fund/internal.hpp"
#include "ledger/encoding.hpp"

namespace backstop::fund {
namespace {

constexpr std::int64_t appeal_window_s = 30 * 86'400;

const SpecificClaim& find_claim(const Context& context, const std::string& id) {
  auto found = context.state.claims.find(id);
  if (found == context.state.claims.end()) refuse("no claim '" + id + "'", ErrorCode::not_found);
  require_admin_or_member(context, found->second.member);
  return found->second;
}

// R03: same kind, patient and episode as a claim still standing (a withdrawn or denied one
// may be refiled). An interim claim may be followed by a final one for the same episode.
bool is_duplicate(const FundState& state, const SpecificClaim& claim) {
  auto found = state.episode_claims.find({claim.member, claim.year, claim.patient, claim.episode});
  if (found == state.episode_claims.end()) return false;
  return std::any_of(found->second.begin(), found->second.end(), [&](const std::string& id) {
    const SpecificClaim& other = state.claims.at(id);
    return other.kind == claim.kind && other.status != ClaimStatus::withdrawn &&
           other.status != ClaimStatus::denied;
  });
}

Money approved_so_far(const FundState& state, const SpecificClaim& claim) {
  auto found = state.patient_liability.find({claim.member, claim.year, claim.patient});
  return found == state.patient_liability.end() ? Money() : found->second;
}

// The postings for a change in the fund's liability for a patient: more owed to the
// member, or an overpayment to recover from it.
void post_increment(Effect& effect, const SpecificClaim& claim, const Money& increment) {
  if (increment > Money()) {
    effect.postings = {debit(year_account(claim.year, "specific-recoveries"), increment),
                       credit(member_account(claim.member, "payable"), increment)};
  } else if (increment < Money()) {
    effect.postings = {debit(member_account(claim.member, "receivable"), -increment),
                       credit(year_account(claim.year, "specific-recoveries"), -increment)};
  }
}

// Applies a decision to the state (shared by automatic approval, decide and confirm).
void record_decision(FundState& state, const std::string& id, const Decision& decision,
                     const Money& adjudicated, const Money& increment) {
  SpecificClaim& claim = state.claims.at(id);
  claim.decisions.push_back(decision);
  claim.proposed.reset();
  claim.decided_unix_s = decision.time_unix_s;
  claim.status = decision.outcome;
  if (decision.outcome == ClaimStatus::denied) return;
  auto& history = state.approved_costs[claim.member];
  history.first += adjudicated;
  history.second += 1;
  claim.adjudicated_cost = adjudicated;
  claim.approved += increment;
  state.patient_liability[{claim.member, claim.year, claim.patient}] += increment;
}

ClaimOutcome claim_result(const FundState& state, const std::string& id);

// An administrator's decision taking effect: the postings of the liability change, then the record.
Effect decision_effect(const SpecificClaim& claim, const Decision& decision,
                       const Money& adjudicated, const Money& increment) {
  Effect effect;
  post_increment(effect, claim, increment);
  const std::string id = claim.id;
  effect.apply = [=](FundState& state, std::uint64_t) {
    record_decision(state, id, decision, adjudicated, increment);
    return claim_result(state, id);
  };
  return effect;
}

ClaimOutcome claim_result(const FundState& state, const std::string& id) {
  const SpecificClaim& claim = state.claims.at(id);
  ClaimOutcome out{id,
                   claim.status,
                   claim.approved,
                   std::nullopt,
                   !claim.decisions.empty(),
                   claim.review_reason,
                   claim.proposed.has_value()};
  if (out.has_decision) out.reason_code = claim.decisions.back().reason_code;
  return out;
}

// Selection for manual review: by value, by variance against the member's history, by a
// seeded sample (the seed is the claim id, so the draw is recorded and repeatable), and
// every claim of a member in special measures.
std::string review_reason(const Context& context, const SpecificClaim& claim,
                          const Money& increment, const YearParameters& parameters,
                          const Member& member) {
  if (member.status == MemberStatus::special_measures) return "special_measures";
  if (increment > parameters.manual_review_above || -increment > parameters.manual_review_above)
    return "value";
  Money history_total;
  int history_count = 0;
  if (auto history = context.state.approved_costs.find(claim.member);
      history != context.state.approved_costs.end()) {
    std::tie(history_total, history_count) = history->second;
  }
  if (history_count >= 3 && claim.cumulative_cost > multiply_ratio(history_total, 3, history_count))
    return "variance";
  const Digest draw = sha256("review-sample:" + claim.id);
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | draw[static_cast<std::size_t>(i)];
  if (static_cast<std::int64_t>(value % 1'000'000) < parameters.review_sample.ppm())
    return "random";
  return "";
}

// The automatic checks at filing (rule 5), in the order the reason codes are tried.
std::pair<ClaimEvent, std::optional<ReasonCode>> automatic_checks(
    const Context& context, const SpecificClaim& claim, const Member& member, const FundYear& year,
    const YearParameters& parameters, const Money& increment, std::string& review) {
  const std::int64_t deadline =
      year_end_unix_s(claim.year) + 86'400LL * parameters.specific_deadline_days;
  if (member.status == MemberStatus::dissolved) return {ClaimEvent::deny, ReasonCode::R01};
  if (year.status != YearStatus::open || context.time_unix_s > deadline)
    return {ClaimEvent::deny, ReasonCode::R02};
  if (is_duplicate(context.state, claim)) return {ClaimEvent::deny, ReasonCode::R03};
  if (specific_liability(claim.cumulative_cost, parameters).is_zero() &&
      approved_so_far(context.state, claim).is_zero()) {
    return {ClaimEvent::deny, ReasonCode::R04};
  }
  if (in_arrears(context, claim.member)) return {ClaimEvent::pend, ReasonCode::R05};
  if (!claim.evidence) return {ClaimEvent::pend, ReasonCode::R08};
  review = review_reason(context, claim, increment, parameters, member);
  if (review.empty() && increment > parameters.four_eyes_above) review = "value";
  return {review.empty() ? ClaimEvent::approve : ClaimEvent::refer, std::nullopt};
}

}  // namespace

Effect decide(const FileSpecificClaim& command, Context& context) {
  SpecificClaim claim;
  claim.year = command.year;
  claim.member = command.member;
  require_admin_or_member(context, claim.member);
  claim.patient = command.patient;
  claim.episode = command.episode;
  claim.kind = command.kind;
  claim.cumulative_cost = command.cumulative_cost;
  claim.evidence = command.evidence;
  // The codec refuses an NHS number in any reference (fund/codec.cpp); this keeps the rule for
  // a command built without it.
  if (is_valid_nhs_number(claim.patient)) {
    refuse(
        "field 'patient' looks like a valid NHS number: the fund never stores patient identifiers; "
        "send a pseudonym",
        "patient");
  }
  if (claim.cumulative_cost.is_negative())
    refuse("field 'cumulative_cost' must not be negative", "cumulative_cost");
  const Member& member = find_member(context.state, claim.member);
  const FundYear& year = find_year(context.state, claim.year);
  claim.id = "S" + std::to_string(context.ledger.last_sequence() + 1);
  claim.adjudicated_cost = claim.cumulative_cost;

  const YearParameters& parameters = parameters_at(year, context.time_unix_s);
  const Money increment =
      specific_liability(claim.cumulative_cost, parameters) - approved_so_far(context.state, claim);
  std::string review;
  const auto [event, code] =
      automatic_checks(context, claim, member, year, parameters, increment, review);
  claim.review_reason = review;
  const ClaimStatus outcome = *next_status(ClaimStatus::submitted, event);
  Effect effect;
  if (outcome == ClaimStatus::approved) post_increment(effect, claim, increment);
  const Decision decision{"system", outcome, code, context.time_unix_s, "automatic checks"};
  effect.apply = [=](FundState& state, std::uint64_t) {
    SpecificClaim stored = claim;
    state.claims[stored.id] = stored;
    state.episode_claims[{stored.member, stored.year, stored.patient, stored.episode}].push_back(
        stored.id);
    state.member_claims[stored.member].push_back(stored.id);
    if (outcome == ClaimStatus::approved || outcome == ClaimStatus::denied) {
      record_decision(state, stored.id, decision, stored.cumulative_cost, increment);
    } else {
      SpecificClaim& open = state.claims.at(stored.id);
      open.status = outcome;
      open.decisions.push_back(decision);
    }
    return claim_result(state, stored.id);
  };
  return effect;
}

// An administrator's decision. Above four_eyes_above it is only proposed, until a second,
// different administrator confirms it.
Effect decide(const DecideClaim& command, Context& context) {
  require_admin(context);
  const std::string& id = command.claim;
  const ReasonCode code = command.reason_code;
  const std::optional<Money>& adjudicated_field = command.adjudicated_cost;
  const std::string note = command.note.value_or("");
  const SpecificClaim& claim = find_claim(context, id);
  const ClaimEvent event = command.outcome == DecisionOutcome::approve ? ClaimEvent::approve
                           : command.outcome == DecisionOutcome::deny  ? ClaimEvent::deny
                                                                      : ClaimEvent::approve_in_part;
  const auto outcome = next_status(claim.status, event);
  if (!outcome)
    refuse("claim " + id + " is " + claim_status_name(claim.status) + ", not awaiting a decision",
           ErrorCode::constraint);
  if (claim.proposed)
    refuse("claim " + id + " awaits confirmation of a proposed decision", ErrorCode::constraint);
  const FundYear& year = find_year(context.state, claim.year);
  if (year.status == YearStatus::closed)
    refuse("fund year " + std::to_string(claim.year) + " is closed", ErrorCode::constraint);

  Money adjudicated = claim.cumulative_cost;
  if (event == ClaimEvent::approve_in_part) {
    if (!adjudicated_field)
      refuse("field 'adjudicated_cost' is required to approve in part", "adjudicated_cost");
    adjudicated = *adjudicated_field;
    if (adjudicated.is_negative() || !(adjudicated < claim.cumulative_cost)) {
      refuse("field 'adjudicated_cost' must be at least zero and below the claimed cost",
             "adjudicated_cost");
    }
  }
  const YearParameters& parameters = parameters_at(year, context.time_unix_s);
  const Money increment =
      *outcome == ClaimStatus::denied
          ? Money()
          : specific_liability(adjudicated, parameters) - approved_so_far(context.state, claim);
  const Decision decision{context.actor.to_string(), *outcome, code, context.time_unix_s, note};
  Effect effect;
  if (increment > parameters.four_eyes_above) {
    effect.apply = [=](FundState& state, std::uint64_t) {
      state.claims.at(id).proposed = decision;
      state.claims.at(id).adjudicated_cost = adjudicated;
      return claim_result(state, id);
    };
    return effect;
  }
  return decision_effect(claim, decision, adjudicated, increment);
}

Effect decide(const ConfirmDecision& command, Context& context) {
  require_admin(context);
  const std::string& id = command.claim;
  const SpecificClaim& claim = find_claim(context, id);
  if (!claim.proposed)
    refuse("claim " + id + " has no proposed decision to confirm", ErrorCode::constraint);
  if (claim.proposed->actor == context.actor.to_string()) {
    refuse("four eyes: the decision must be confirmed by a different administrator",
           ErrorCode::permission_denied);
  }
  const FundYear& year = find_year(context.state, claim.year);
  if (year.status == YearStatus::closed)
    refuse("fund year " + std::to_string(claim.year) + " is closed", ErrorCode::constraint);
  const Money adjudicated = claim.adjudicated_cost;
  const Money increment =
      specific_liability(adjudicated, parameters_at(year, context.time_unix_s)) -
      approved_so_far(context.state, claim);
  Decision decision = *claim.proposed;
  decision.note += (decision.note.empty() ? "" : "; ") + std::string("confirmed by ") +
                   context.actor.to_string();
  decision.time_unix_s = context.time_unix_s;
  return decision_effect(claim, decision, adjudicated, increment);
}

Effect decide(const WithdrawClaim& command, Context& context) {
  const std::string& id = command.claim;
  const SpecificClaim& claim = find_claim(context, id);
  const auto withdrawn = next_status(claim.status, ClaimEvent::withdraw);
  if (!withdrawn)
    refuse("claim " + id + " is " + claim_status_name(claim.status) + " and cannot be withdrawn",
           ErrorCode::constraint);
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    state.claims.at(id).status = *withdrawn;
    state.claims.at(id).proposed.reset();
    return claim_result(state, id);
  };
  return effect;
}

// One appeal, within 30 days of the decision, sends the claim back to review.
Effect decide(const AppealClaim& command, Context& context) {
  const std::string& id = command.claim;
  const std::string& grounds = command.grounds;
  const SpecificClaim& claim = find_claim(context, id);
  const auto reviewed = next_status(claim.status, ClaimEvent::appeal);
  if (!reviewed) {
    refuse("only a denied or partly approved claim can be appealed", ErrorCode::constraint);
  }
  if (claim.appealed) refuse("claim " + id + " was appealed once already", ErrorCode::constraint);
  if (context.time_unix_s > claim.decided_unix_s + appeal_window_s)
    refuse("the 30 days to appeal claim " + id + " have passed", ErrorCode::constraint);
  if (find_year(context.state, claim.year).status == YearStatus::closed)
    refuse("the fund year is closed", ErrorCode::constraint);
  const std::string actor = context.actor.to_string();
  const std::int64_t time = context.time_unix_s;
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    SpecificClaim& appealed = state.claims.at(id);
    appealed.appealed = true;
    appealed.status = *reviewed;
    appealed.review_reason = "appeal";
    appealed.decisions.push_back(
        Decision{actor, ClaimStatus::appealed, std::nullopt, time, grounds});
    return claim_result(state, id);
  };
  return effect;
}

// Rule 6: after year end, one aggregate claim per member with its final outturn; the
// fund's share is computed at settlement, when every input of D is known.
Effect decide(const FileAggregateClaim& command, Context& context) {
  const std::uint32_t year_number = command.year;
  const std::string& member = command.member;
  require_admin_or_member(context, member);
  const Money outturn = command.outturn;
  const Money planned = command.planned;
  const FundYear& year = find_year(context.state, year_number);
  auto figures = year.members.find(member);
  if (figures == year.members.end())
    refuse("member '" + member + "' has no allocation for " + std::to_string(year_number),
           ErrorCode::not_found);
  const YearParameters& parameters = parameters_at(year, context.time_unix_s);
  const std::int64_t end = year_end_unix_s(year_number);
  if (year.status != YearStatus::open || context.time_unix_s < end ||
      context.time_unix_s > end + 86'400LL * parameters.aggregate_deadline_days) {
    refuse("aggregate claims for " + std::to_string(year_number) +
               " are filed after year end, before the deadline (R02)",
           ErrorCode::constraint, ReasonCode::R02);
  }
  if (figures->second.aggregate_outturn)
    refuse("member '" + member + "' has already filed its aggregate claim (R03)",
           ErrorCode::already_exists, ReasonCode::R03);
  if (outturn.is_negative() || planned.is_negative() || planned > outturn)
    refuse("outturn and planned must be non-negative, planned at most outturn");
  const std::string id = "A" + std::to_string(context.ledger.last_sequence() + 1);
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    MemberYear& filed = state.years.at(year_number).members.at(member);
    filed.aggregate_outturn = outturn;
    filed.aggregate_planned = planned;
    return AggregateClaimFiled{id};
  };
  return effect;
}

}  // namespace backstop::fund
