// A driver for fund scenarios: executes commands as a given actor at a moving clock,
// commits each to a store, and checks the invariants after every step.
#pragma once

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <random>

#include "fund/codec.hpp"
#include "fund/fund.hpp"

namespace backstop::testing {

namespace json = boost::json;

inline Money pounds(const std::string& text) { return Money::parse(text).value(); }
inline std::int64_t day_of_year(std::uint32_t year, int day) {
  return 1'680'307'200LL + (static_cast<std::int64_t>(year) - 2023) * 365 * 86'400 +
         day * 86'400LL;  // 1 April 2023 + ...
}

// A view as the API's JSON, so that scenario tests read what a client reads.
template <typename View>
Result<json::object> js(const Result<View>& view) {
  if (!view.is_ok()) return view.status();
  return to_json(view.value());
}

class FundDriver {
 public:
  Fund fund;
  MemoryStore store;
  std::int64_t time_unix_s = 1'680'307'200;  // 1 April 2023
  int next_key = 0;
  // Scenario tests verify everything after every step: the whole trial balance, and the
  // stored journal replayed (chain, balances, decisions). Large tests sample instead.
  bool verify_every_step = false;
  // When set, a checkpoint is written after a step with this chance (1 in n), seeded.
  int checkpoint_one_in = 0;
  std::mt19937_64 checkpoint_random{7};

  // Executes and requires success; returns the result.
  json::object ok(const std::string& actor, json::object command) {
    INFO(json::serialize(command));
    auto receipt = execute(actor, command, "k" + std::to_string(next_key++));
    if (!receipt.is_ok()) FAIL(receipt.status().to_string());
    return to_json(receipt.value().result);
  }

  // Executes and requires a refusal that changes nothing; returns the refusal.
  Status refused(const std::string& actor, json::object command) {
    INFO(json::serialize(command));
    const Digest head = fund.ledger().chain_head();
    auto receipt = execute(actor, command, "k" + std::to_string(next_key++));
    REQUIRE_FALSE(receipt.is_ok());
    REQUIRE(fund.ledger().chain_head() == head);
    return receipt.status();
  }

  Result<FundReceipt> execute(const std::string& actor, const json::object& command,
                              const std::string& key) {
    // Scenarios are written as the API's JSON: decoded by the codec, as a request would be.
    auto decoded = decode_command(command);
    const auto who = Actor::parse(actor);
    REQUIRE(who.has_value());
    auto receipt = decoded.is_ok()
                       ? fund.execute(FundRequest{key, time_unix_s, *who, decoded.value()})
                       : Result<FundReceipt>(decoded.status());
    // The new entry balances and keeps the floors of what it touched; the whole trial
    // balance is summed every 500 steps (it is O(accounts), and scale tests take 10^5 steps).
    for (const auto& entry : fund.ledger().pending()) {
      Money sum;
      for (const auto& posting : entry.postings) {
        sum += posting.amount;
        const auto* state = fund.ledger().find_account(posting.account);
        if (state->account.floor) REQUIRE(state->normal_balance() >= *state->account.floor);
      }
      REQUIRE(sum.is_zero());
    }
    REQUIRE(fund.commit(store).is_ok());
    if (checkpoint_one_in > 0 && checkpoint_random() % checkpoint_one_in == 0)
      REQUIRE(fund.write_checkpoint(store).is_ok());
    if (verify_every_step) {
      REQUIRE(fund.ledger().trial_balance().is_zero());
      auto replayed = load_fund(store);
      if (!replayed.is_ok()) FAIL(replayed.status().to_string());
      REQUIRE(replayed.value().ledger().chain_head() == fund.ledger().chain_head());
    } else if (++steps_ % 500 == 0) {
      REQUIRE(fund.ledger().trial_balance().is_zero());
    }
    return receipt;
  }

  // The stored journal replays to the same fund: same chain head, same reports.
  void check_replay(std::uint32_t year) {
    REQUIRE(fund.ledger().trial_balance().is_zero());
    auto loaded = load_fund(store);
    if (!loaded.is_ok()) FAIL(loaded.status().to_string());
    REQUIRE(loaded.value().ledger().chain_head() == fund.ledger().chain_head());
    REQUIRE(json::serialize(js(loaded.value().fund_report(year)).value()) ==
            json::serialize(js(fund.fund_report(year)).value()));
  }

  Money balance_of(const std::string& account) const {
    const auto* state = fund.ledger().find_account(account);
    REQUIRE(state != nullptr);
    return state->normal_balance();
  }

 private:
  std::size_t steps_ = 0;
};

// Decides every claim of `member`'s year that is in manual review (approve, or deny when
// `deny` says so), a second administrator confirming what awaits four eyes.
inline void decide_reviewed_claims(FundDriver& driver, const std::string& member,
                                   std::uint32_t year, const std::function<bool()>& deny) {
  const auto statement = js(driver.fund.member_statement(member, year)).value();
  for (const auto& claim : statement.at("claims").as_array()) {
    if (claim.at("status").as_string() != "under_review") continue;
    const std::string id(claim.at("claim").as_string());
    auto decided = driver.ok("admin:alice", {{"type", "decide_claim"},
                                             {"claim", id},
                                             {"outcome", deny() ? "deny" : "approve"},
                                             {"reason_code", "R09"}});
    if (decided.contains("awaiting"))
      driver.ok("admin:bob", {{"type", "confirm_decision"}, {"claim", id}});
  }
}

// Files `member`'s final return: all spend unplanned, between 90% and 110% of allocation.
inline void file_final_return(FundDriver& driver, std::mt19937_64& random, std::uint32_t year,
                              const std::string& member, const Money& allocation) {
  const Money spend = multiply(
      allocation, Rate::from_ppm(900'000 + static_cast<std::int64_t>(random() % 200'001)).value());
  driver.ok("admin:alice", {{"type", "file_return"},
                            {"year", year},
                            {"member", member},
                            {"period", 12},
                            {"spend_to_date", spend.to_string()},
                            {"forecast_outturn", spend.to_string()},
                            {"planned", "0.00"},
                            {"unplanned", spend.to_string()}});
}

}  // namespace backstop::testing
