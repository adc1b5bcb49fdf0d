// Rule 10 (and rules 3 and 5 where settlement and payment meet them), each example worked in
// docs/rules.md reproduced through the fund's commands, with the whole trial balance and a
// replay of the stored journal checked after every step.
#include <catch2/catch.hpp>

#include "tests/fund_fixtures.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

const std::string alice = "admin:alice";
const std::string bob = "admin:bob";
constexpr std::int64_t day = 86'400;

std::int64_t year_start(std::uint32_t year) { return day_of_year(year, 0); }

// Two members, 01A and 02B, each with an allocation of £10m.
struct TwoMembers {
  FundDriver driver;
  TwoMembers() {
    driver.verify_every_step = true;
    for (const char* id : {"01A", "02B"}) {
      driver.ok(
          alice,
          {{"type", "register_member"}, {"member", id}, {"name", id}, {"population", 10'000}});
    }
  }

  json::object statement(const std::string& member, std::uint32_t year) {
    return js(driver.fund.member_statement(member, year)).value();
  }
  Money settled(const std::string& member, std::uint32_t year, const char* figure) {
    return pounds(std::string(statement(member, year).at("settlement").at(figure).as_string()));
  }
  Money account(const std::string& member, std::uint32_t year, const char* figure) {
    return pounds(std::string(statement(member, year).at("accounts").at(figure).as_string()));
  }
  Money totals(std::uint32_t year, const char* figure) {
    const auto report = js(driver.fund.fund_report(year)).value();
    return pounds(std::string(report.at("settlement").at(figure).as_string()));
  }

  // Creates and opens `year` with the parameters given, applies the contributions and
  // receives them in full.
  void open(std::uint32_t year, json::object parameters, const Money& first, const Money& second,
            std::optional<Money> second_pays = std::nullopt) {
    driver.time_unix_s = std::max(driver.time_unix_s, year_start(year));
    parameters["review_sample"] = "0";
    driver.ok(alice, {{"type", "create_year"}, {"year", year}, {"parameters", parameters}});
    for (const char* id : {"01A", "02B"}) {
      driver.ok(
          alice,
          {{"type", "set_allocation"}, {"year", year}, {"member", id}, {"allocation", "10000000"}});
    }
    driver.ok(alice, {{"type", "open_year"}, {"year", year}});
    driver.ok(alice,
              {{"type", "apply_rate_schedule"},
               {"year", year},
               {"rows", json::array{{{"member", "01A"}, {"contribution", first.to_string()}},
                                    {{"member", "02B"}, {"contribution", second.to_string()}}}}});
    for (const auto& [id, amount] :
         {std::pair{"01A", first}, std::pair{"02B", second_pays.value_or(second)}}) {
      if (amount.is_zero()) continue;
      driver.ok(alice, {{"type", "record_receipt"},
                        {"year", year},
                        {"member", id},
                        {"amount", amount.to_string()}});
    }
  }

  // A payment by alice; above the lowest four_eyes_above of any year, bob confirms it.
  json::object pay(json::object command) {
    json::object result = driver.ok(alice, command);
    if (!result.contains("awaiting")) return result;
    json::object confirm{{"type", "confirm_payment"}};
    for (const char* field : {"claim", "member"}) {
      if (command.contains(field)) confirm[field] = command.at(field);
    }
    return driver.ok(bob, confirm);
  }

  std::string claim(std::uint32_t year, const char* member, const char* patient, const char* kind,
                    const char* cost, bool evidence = true, const char* episode = "e1") {
    const auto result = driver.ok("member:" + std::string(member), {{"type", "file_specific_claim"},
                                                                    {"year", year},
                                                                    {"member", member},
                                                                    {"patient", patient},
                                                                    {"episode", episode},
                                                                    {"kind", kind},
                                                                    {"cumulative_cost", cost},
                                                                    {"evidence", evidence}});
    return std::string(result.at("claim").as_string());
  }

  // Final returns (spend given), then closing and settlement after the deadlines.
  json::object close(std::uint32_t year, const Money& spend_first, const Money& spend_second) {
    for (const auto& [id, spend] :
         {std::pair{"01A", spend_first}, std::pair{"02B", spend_second}}) {
      driver.ok("member:" + std::string(id), {{"type", "file_return"},
                                              {"year", year},
                                              {"member", id},
                                              {"period", 12},
                                              {"spend_to_date", spend.to_string()},
                                              {"forecast_outturn", spend.to_string()},
                                              {"planned", "0"},
                                              {"unplanned", spend.to_string()}});
    }
    driver.time_unix_s = std::max(driver.time_unix_s, year_start(year + 1) + 125 * day);
    driver.ok(alice, {{"type", "begin_closing"}, {"year", year}});
    return driver.ok(alice, {{"type", "close_year"}, {"year", year}});
  }

  // Year 1 of rules.md 10.6: £2m contributions each, target £1m, margin 0, no variance:
  // each member is owed a £1.5m rebate, left unpaid.
  void year_with_unpaid_rebates() {
    open(2023, {{"reserve_target", "1000000"}, {"rebate_margin", "0"}}, pounds("2000000"),
         pounds("2000000"));
    close(2023, pounds("10000000"), pounds("10000000"));
    REQUIRE(settled("01A", 2023, "rebate") == pounds("1500000"));
    REQUIRE(settled("02B", 2023, "rebate") == pounds("1500000"));
  }

  // Year 2 of rules.md 10.6: £100k contributions each; 02B has a £2m approved specific claim
  // (K = £2.5m, capped); spend makes D = 0 for both. Reserve before calls: -£800k.
  std::string year_with_a_large_claim() {
    open(2024,
         {{"reserve_target", "1000000"},
          {"rebate_margin", "0"},
          {"manual_review_above", "5000000"},
          {"four_eyes_above", "5000000"}},
         pounds("100000"), pounds("100000"));
    driver.time_unix_s += 40 * day;
    const std::string id = claim(2024, "02B", "p-1", "final", "2500000");
    REQUIRE(js(driver.fund.claim(id)).value().at("status") == "approved");
    return id;
  }
};

}  // namespace

TEST_CASE(
    "rule 10.3b: only the year's own unpaid recoveries are deferred, not earlier years' rebates") {
  TwoMembers fund;
  fund.year_with_unpaid_rebates();
  fund.year_with_a_large_claim();
  fund.close(2024, pounds("10000000"), pounds("12000000"));
  CHECK(fund.totals(2024, "reserve_before_calls") == pounds("-800000"));
  CHECK(fund.settled("01A", 2024, "supplementary_call") == pounds("50000"));
  CHECK(fund.settled("02B", 2024, "supplementary_call") == pounds("50000"));
  CHECK(fund.settled("01A", 2024, "deferred_recoveries") == Money());
  CHECK(fund.settled("02B", 2024, "deferred_recoveries") == pounds("700000"));
  CHECK(fund.totals(2024, "reserve_closing") == Money());
  // The earlier year's rebates are still owed in full.
  CHECK(fund.account("01A", 2024, "owed_by_fund") == pounds("1500000"));
  CHECK(fund.account("02B", 2024, "owed_by_fund") == pounds("1500000") + pounds("1300000"));
  CHECK(fund.account("02B", 2024, "deferred_outstanding") == pounds("700000"));
}

TEST_CASE("rule 10.3c: a shortfall beyond the year's recoveries closes the reserve negative") {
  TwoMembers fund;
  fund.year_with_unpaid_rebates();
  const std::string id = fund.year_with_a_large_claim();
  fund.pay({{"type", "pay_claim"}, {"claim", id}});  // nothing of 2024 is left unpaid
  fund.close(2024, pounds("10000000"), pounds("12000000"));
  CHECK(fund.settled("02B", 2024, "deferred_recoveries") == Money());
  CHECK(fund.totals(2024, "reserve_closing") == pounds("-700000"));
  CHECK(fund.totals(2024, "deficit") == pounds("700000"));
  CHECK(fund.driver.balance_of("fund:reserve") == pounds("-700000"));
  CHECK(fund.account("01A", 2024, "owed_by_fund") == pounds("1500000"));
}

TEST_CASE("rule 10.3a: calls are pro rata to the contributions themselves (1p to 02B)") {
  TwoMembers fund;
  // Share 1 above a threshold of 0, so that L = K: a claim of £2,000,000.02 leaves the
  // reserve 1p short of zero before calls.
  fund.open(2023,
            {{"reserve_target", "0"},
             {"specific_threshold", "0"},
             {"specific_share", "1"},
             {"specific_cap", "3000000"},
             {"manual_review_above", "5000000"},
             {"four_eyes_above", "5000000"}},
            pounds("1000000.00"), pounds("1000000.01"));
  fund.driver.time_unix_s += 40 * day;
  fund.claim(2023, "02B", "p-1", "final", "2000000.02");
  fund.close(2023, pounds("10000000"), pounds("12000000.02"));
  CHECK(fund.totals(2023, "reserve_before_calls") == pounds("-0.01"));
  CHECK(fund.settled("01A", 2023, "supplementary_call") == Money());
  CHECK(fund.settled("02B", 2023, "supplementary_call") == pounds("0.01"));
}

TEST_CASE(
    "rule 3: an overpayment recovery owed is not arrears, and is set off when the fund next pays") {
  TwoMembers fund;
  fund.open(2023, {{"reserve_target", "1000000"}}, pounds("1000000"), pounds("1000000"));
  fund.driver.time_unix_s += 40 * day;  // contributions due after 30 days, and paid
  const std::string interim = fund.claim(2023, "01A", "p-1", "interim", "500000");
  fund.driver.ok(alice, {{"type", "pay_claim"}, {"claim", interim}});  // L = £225,000 paid
  const std::string revised = fund.claim(2023, "01A", "p-1", "final", "400000");
  CHECK(js(fund.driver.fund.claim(revised)).value().at("approved") == "-90000.00");
  CHECK(fund.driver.balance_of("member:01A:receivable") == pounds("90000"));
  const std::string next = fund.claim(2023, "01A", "p-2", "final", "350000");  // L = £90,000
  CHECK(js(fund.driver.fund.claim(next)).value().at("status") == "approved");  // not pended R05
  const auto paid = fund.driver.ok(alice, {{"type", "pay_claim"}, {"claim", next}});
  CHECK(paid.at("set_off") == "90000.00");
  CHECK(paid.at("paid") == "0.00");
  CHECK(fund.driver.balance_of("member:01A:receivable") == Money());
  CHECK(fund.account("01A", 2023, "set_off") == pounds("90000"));
}

TEST_CASE("rule 3: an overdue contribution is arrears: claims pend R05 and payment needs set-off") {
  TwoMembers fund;
  fund.open(2023, {{"reserve_target", "1000000"}}, pounds("100000"), pounds("100000"),
            pounds("60000"));
  const std::string early = fund.claim(2023, "02B", "p-1", "final", "300000");  // not yet overdue
  CHECK(js(fund.driver.fund.claim(early)).value().at("status") == "approved");
  // Paying a member whose contribution is not yet due sets off only debts that are not dues.
  const auto paid = fund.driver.ok(alice, {{"type", "pay_claim"}, {"claim", early}});
  CHECK(paid.at("paid") == "45000.00");
  fund.driver.time_unix_s += 40 * day;
  const std::string late = fund.claim(2023, "02B", "p-2", "final", "300000");
  CHECK(js(fund.driver.fund.claim(late)).value().at("status") == "pended");
  CHECK(js(fund.driver.fund.claim(late))
            .value()
            .at("decisions")
            .as_array()
            .back()
            .at("reason_code") == "R05");
  fund.driver.ok(
      alice,
      {{"type", "decide_claim"}, {"claim", late}, {"outcome", "approve"}, {"reason_code", "R09"}});
  CHECK(fund.driver.refused(alice, {{"type", "pay_claim"}, {"claim", late}}).code() ==
        ErrorCode::constraint);
  const auto offset =
      fund.driver.ok(alice, {{"type", "pay_claim"}, {"claim", late}, {"set_off", true}});
  CHECK(offset.at("set_off") == "40000.00");
  CHECK(offset.at("paid") == "5000.00");
  // Arrears cleared by the set-off: the next claim is not pended.
  const std::string cleared = fund.claim(2023, "02B", "p-3", "final", "300000");
  CHECK(js(fund.driver.fund.claim(cleared)).value().at("status") == "approved");
}

TEST_CASE(
    "rule 10.3b: a claim cut by deferral is paid now net of its cut, and the cut when released") {
  TwoMembers fund;
  fund.year_with_unpaid_rebates();
  const std::string id = fund.year_with_a_large_claim();
  fund.close(2024, pounds("10000000"), pounds("12000000"));
  CHECK(js(fund.driver.fund.claim(id)).value().at("deferred") == "700000.00");
  // Payments out above the lowest four_eyes_above of any year (2023's £1m: a later year's
  // higher limit does not lift it) need a second administrator.
  const auto proposed_claim = fund.driver.ok(alice, {{"type", "pay_claim"}, {"claim", id}});
  CHECK(proposed_claim.at("awaiting") == "second_administrator");
  const auto paid = fund.pay({{"type", "pay_claim"}, {"claim", id}});
  CHECK(paid.at("paid") == "1300000.00");
  CHECK(js(fund.driver.fund.claim(id)).value().at("paid") == "1300000.00");
  CHECK(fund.driver.refused(alice, {{"type", "pay_claim"}, {"claim", id}}).code() ==
        ErrorCode::constraint);
  // 2025 opens: the cut is released, owed first; then everything the fund owes 02B goes out,
  // less its unpaid call, set off (the call is overdue by now, so set-off must be asked for).
  fund.driver.time_unix_s += 60 * day;
  fund.driver.ok(
      alice,
      {{"type", "create_year"}, {"year", 2025}, {"parameters", {{"reserve_target", "1000000"}}}});
  fund.driver.ok(
      alice,
      {{"type", "set_allocation"}, {"year", 2025}, {"member", "02B"}, {"allocation", "10000000"}});
  fund.driver.ok(alice, {{"type", "open_year"}, {"year", 2025}});
  CHECK(fund.account("02B", 2025, "deferred_outstanding") == Money());
  CHECK(fund.account("02B", 2025, "owed_by_fund") == pounds("2200000"));
  CHECK(fund.driver.refused(alice, {{"type", "pay_member"}, {"member", "02B"}}).code() ==
        ErrorCode::constraint);
  const auto proposed =
      fund.driver.ok(alice, {{"type", "pay_member"}, {"member", "02B"}, {"set_off", true}});
  CHECK(proposed.at("awaiting") == "second_administrator");  // £2.15m > £1m (2025's limit)
  CHECK(fund.driver.refused(alice, {{"type", "confirm_payment"}, {"member", "02B"}}).code() ==
        ErrorCode::permission_denied);
  const auto confirmed = fund.driver.ok(bob, {{"type", "confirm_payment"}, {"member", "02B"}});
  CHECK(confirmed.at("set_off") == "50000.00");
  CHECK(confirmed.at("paid") == "2150000.00");
  CHECK(js(fund.driver.fund.claim(id)).value().at("paid") == "2000000.00");
  CHECK(fund.account("02B", 2025, "owed_by_fund") == Money());
  CHECK(fund.account("02B", 2025, "owes_fund") == Money());
  CHECK(fund.account("02B", 2025, "paid_out") == pounds("3450000"));
}

TEST_CASE("rule 10.6: collecting what a member owes, after what it is owed is set off") {
  TwoMembers fund;
  fund.year_with_unpaid_rebates();
  fund.year_with_a_large_claim();
  fund.close(2024, pounds("10000000"), pounds("12000000"));
  // 01A owes its £50k call and is owed its £1.5m 2023 rebate: collection waits for set-off.
  CHECK(fund.driver.refused(alice, {{"type", "collect_member"}, {"member", "01A"}}).code() ==
        ErrorCode::constraint);
  // The call is not yet overdue, so without set_off it stays to be collected.
  const auto paid = fund.pay({{"type", "pay_member"}, {"member", "01A"}});
  CHECK(paid.at("paid") == "1500000.00");
  CHECK(paid.at("set_off") == "0.00");
  const auto collected = fund.driver.ok(alice, {{"type", "collect_member"}, {"member", "01A"}});
  CHECK(collected.at("received") == "50000.00");
  CHECK(fund.account("01A", 2024, "owes_fund") == Money());
  CHECK(fund.account("01A", 2024, "received") == pounds("2150000"));
  CHECK(fund.driver.refused(alice, {{"type", "collect_member"}, {"member", "01A"}}).code() ==
        ErrorCode::constraint);
  CHECK(fund.driver.refused(alice, {{"type", "pay_member"}, {"member", "01A"}}).code() ==
        ErrorCode::constraint);
}

TEST_CASE(
    "rule 5: each decision pays L_new - L already approved, paid or not, and interim then final is "
    "no duplicate") {
  TwoMembers fund;
  fund.open(2023, {{"reserve_target", "1000000"}}, pounds("100000"), pounds("100000"));
  const std::string interim = fund.claim(2023, "01A", "p-1", "interim", "400000");
  CHECK(js(fund.driver.fund.claim(interim)).value().at("approved") == "135000.00");  // not paid
  const std::string final_claim = fund.claim(2023, "01A", "p-1", "final", "610000");
  CHECK(js(fund.driver.fund.claim(final_claim)).value().at("status") == "approved");
  CHECK(js(fund.driver.fund.claim(final_claim)).value().at("approved") == "189000.00");
  // A second claim of the same kind, patient and episode while the first stands: R03.
  for (const char* kind : {"interim", "final"}) {
    const std::string again = fund.claim(2023, "01A", "p-1", kind, "700000");
    CHECK(js(fund.driver.fund.claim(again)).value().at("status") == "denied");
    CHECK(js(fund.driver.fund.claim(again))
              .value()
              .at("decisions")
              .as_array()
              .back()
              .at("reason_code") == "R03");
  }
  // Another episode of the same patient is not a duplicate; a withdrawn claim may be refiled.
  const std::string pended = fund.claim(2023, "01A", "p-1", "interim", "700000", false, "e2");
  CHECK(js(fund.driver.fund.claim(pended)).value().at("status") == "pended");
  fund.driver.ok("member:01A", {{"type", "withdraw_claim"}, {"claim", pended}});
  const std::string refiled = fund.claim(2023, "01A", "p-1", "interim", "700000", true, "e2");
  CHECK(js(fund.driver.fund.claim(refiled)).value().at("approved") ==
        "81000.00");  // 405,000 - 324,000
}

TEST_CASE("rule 10.6: an amount approved before an appeal stays payable, and the rest after it") {
  TwoMembers fund;
  fund.open(2023, {{"reserve_target", "1000000"}}, pounds("1000000"), pounds("1000000"));
  const std::string id = fund.claim(2023, "01A", "p-1", "final", "610000", false);  // pended R08
  fund.driver.ok(alice, {{"type", "decide_claim"},
                         {"claim", id},
                         {"outcome", "partially_approve"},
                         {"reason_code", "R09"},
                         {"adjudicated_cost", "400000"}});  // L = £135,000
  fund.driver.ok("member:01A", {{"type", "appeal_claim"}, {"claim", id}, {"grounds", "full cost"}});
  const auto paid = fund.driver.ok(alice, {{"type", "pay_member"}, {"member", "01A"}});
  CHECK(paid.at("paid") == "135000.00");
  CHECK(paid.at("claims_paid") == 1);
  CHECK(js(fund.driver.fund.claim(id)).value().at("status") == "under_review");
  fund.driver.ok(
      alice,
      {{"type", "decide_claim"}, {"claim", id}, {"outcome", "approve"}, {"reason_code", "R09"}});
  const auto rest = fund.driver.ok(alice, {{"type", "pay_claim"}, {"claim", id}});
  CHECK(rest.at("paid") == "189000.00");
  CHECK(js(fund.driver.fund.claim(id)).value().at("paid") == "324000.00");
}
