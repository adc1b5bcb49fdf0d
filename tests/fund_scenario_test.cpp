// Whole fund years, four in a row, with six consortia: surplus with rebate, deficit with
// calls and pro-rata deferral, special measures, a merger, a loan repaid over three years,
// interim and final specific claims, four-eyes approval, an appeal that overturns a
// denial, a reversed payment and arrears. After every step the trial balance is zero and
// floors hold (FundDriver); after every year the journal replays to the same fund and the
// year's figures reconcile to the penny.
#include <catch2/catch.hpp>
#include <set>

#include "tests/fund_fixtures.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

const std::string alice = "admin:alice";
const std::string bob = "admin:bob";

struct Consortium {
  std::string id;
  std::int64_t population;
};
const std::vector<Consortium> consortia = {{"05A", 250'000}, {"07B", 610'000}, {"11C", 48'000},
                                           {"13D", 125'000}, {"21E", 90'000},  {"99F", 330'000}};

Money allocation_of(std::int64_t population) {
  return Money::from_pence(Int128(population) * 120'000);
}  // £1,200 a head
Money contribution_of(const Money& allocation) {
  return multiply(allocation, Rate::parse("0.01").value());
}

void advance_to(FundDriver& driver, std::int64_t time) {
  driver.time_unix_s = std::max(driver.time_unix_s, time);
}

// Opens year Y for the given members: parameters, allocations, contributions, receipts.
void open_year(FundDriver& driver, std::uint32_t year, const std::vector<std::string>& members,
               const std::set<std::string>& pay_half = {}) {
  driver.ok(alice, {{"type", "create_year"},
                    {"year", year},
                    {"parameters", {{"reserve_target", "20000000.00"}, {"review_sample", "0"}}}});
  for (const auto& member : members) {
    const auto population = std::find_if(consortia.begin(), consortia.end(), [&](auto& c) {
                              return c.id == member;
                            })->population;
    driver.ok(alice, {{"type", "set_allocation"},
                      {"year", year},
                      {"member", member},
                      {"allocation", allocation_of(population).to_string()}});
  }
  driver.ok(alice, {{"type", "open_year"}, {"year", year}});
  json::array rows;
  for (const auto& member : members) {
    const auto figures = js(driver.fund.member_statement(member, year)).value();
    rows.push_back(
        {{"member", member},
         {"contribution",
          contribution_of(pounds(std::string(figures.at("allocation").as_string()))).to_string()}});
  }
  driver.ok(alice, {{"type", "apply_rate_schedule"}, {"year", year}, {"rows", rows}});
  for (const auto& member : members) {
    const Money owed = driver.balance_of("member:" + member + ":receivable");
    const Money paying = pay_half.contains(member) ? multiply_ratio(owed, 1, 2) : owed;
    driver.ok(alice, {{"type", "record_receipt"},
                      {"year", year},
                      {"member", member},
                      {"amount", paying.to_string()}});
  }
}

// Final returns: spend = A * (1 + overspend), planned as given.
void file_final_returns(FundDriver& driver, std::uint32_t year,
                        const std::map<std::string, std::pair<const char*, Money>>& outturns) {
  for (const auto& [member, outturn] : outturns) {
    const auto statement = js(driver.fund.member_statement(member, year)).value();
    const Money allocation = pounds(std::string(statement.at("allocation").as_string()));
    const Money spend = multiply(
        allocation, Rate::parse(std::string("1") == outturn.first ? "1" : outturn.first).value());
    driver.ok("member:" + member, {{"type", "file_return"},
                                   {"year", year},
                                   {"member", member},
                                   {"period", 12},
                                   {"spend_to_date", spend.to_string()},
                                   {"forecast_outturn", spend.to_string()},
                                   {"planned", outturn.second.to_string()},
                                   {"unplanned", (spend - outturn.second).to_string()}});
  }
}

// The year's income less its expenses is the change in the reserve, to the penny.
void check_reconciles(const json::object& totals) {
  auto figure = [&](const char* name) {
    const auto* value = totals.if_contains(name);
    return value == nullptr ? Money() : pounds(std::string(value->as_string()));
  };
  const Money income = figure("contributions") + figure("calls") + figure("gain-shares") +
                       figure("surrendered-gains") + figure("recoveries-deferred");
  const Money expense = figure("specific-recoveries") + figure("aggregate-shares") +
                        figure("rebates") + figure("deferred-paid");
  CHECK(income - expense == figure("reserve_closing") - figure("reserve_opening"));
}

json::object close(FundDriver& driver, std::uint32_t year) {
  advance_to(driver, day_of_year(year, 366 + 125));
  driver.ok(alice, {{"type", "begin_closing"}, {"year", year}});
  const auto closed = driver.ok(alice, {{"type", "close_year"}, {"year", year}});
  check_reconciles(closed.at("totals").as_object());
  driver.check_replay(year);
  return closed.at("totals").as_object();
}

std::string claim_id(const json::object& result) {
  return std::string(result.at("claim").as_string());
}
std::string status_of(const json::object& result) {
  return std::string(result.at("status").as_string());
}

}  // namespace

TEST_CASE("scenario: four fund years with every rule exercised") {
  FundDriver driver;
  driver.verify_every_step = true;
  for (const auto& consortium : consortia) {
    driver.ok(alice, {{"type", "register_member"},
                      {"member", consortium.id},
                      {"name", "Consortium " + consortium.id},
                      {"population", consortium.population}});
  }
  const std::vector<std::string> all = {"05A", "07B", "11C", "13D", "21E", "99F"};

  // ---- 2023/24: a moderate year; 11C pays half and falls into arrears.
  open_year(driver, 2023, all, {"11C"});
  driver.ok(alice, {{"type", "set_member_status"},
                    {"member", "21E"},
                    {"status", "special_measures"},
                    {"reason", "two years beyond b2"}});
  driver.ok(
      alice,
      {{"type", "approve_loan"}, {"year", 2023}, {"member", "99F"}, {"amount", "3000000.00"}});
  CHECK(driver
            .refused(alice, {{"type", "approve_loan"},
                             {"year", 2023},
                             {"member", "99F"},
                             {"amount", "9000000.00"}})
            .code() == ErrorCode::constraint);

  advance_to(driver, day_of_year(2023, 100));
  // Interim then final claim for one patient: 0.9 x (400k - 250k) = 135k, then 324k - 135k = 189k
  // more.
  auto interim = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                          {"year", 2023},
                                          {"member", "05A"},
                                          {"patient", "p-05a-0001"},
                                          {"episode", "E1"},
                                          {"kind", "interim"},
                                          {"cumulative_cost", "400000.00"},
                                          {"evidence", true}});
  CHECK(status_of(interim) == "approved");
  CHECK(interim.at("approved").as_string() == "135000.00");
  auto final_claim = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                              {"year", 2023},
                                              {"member", "05A"},
                                              {"patient", "p-05a-0001"},
                                              {"episode", "E2"},
                                              {"kind", "final"},
                                              {"cumulative_cost", "610000.00"},
                                              {"evidence", true}});
  CHECK(final_claim.at("approved").as_string() == "189000.00");
  // Automatic checks: duplicate episode (R03), below threshold (R04), an NHS number refused
  // outright.
  auto duplicate = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                            {"year", 2023},
                                            {"member", "05A"},
                                            {"patient", "p-05a-0001"},
                                            {"episode", "E2"},
                                            {"kind", "final"},
                                            {"cumulative_cost", "610000.00"},
                                            {"evidence", true}});
  CHECK(duplicate.at("reason_code").as_string() == "R03");
  auto below = driver.ok("member:07B", {{"type", "file_specific_claim"},
                                        {"year", 2023},
                                        {"member", "07B"},
                                        {"patient", "p-07b-9"},
                                        {"episode", "E1"},
                                        {"kind", "final"},
                                        {"cumulative_cost", "200000.00"},
                                        {"evidence", true}});
  CHECK(below.at("reason_code").as_string() == "R04");
  CHECK_THAT(driver
                 .refused("member:07B", {{"type", "file_specific_claim"},
                                         {"year", 2023},
                                         {"member", "07B"},
                                         {"patient", "943 476 5919"},
                                         {"episode", "E1"},
                                         {"kind", "final"},
                                         {"cumulative_cost", "300000.00"},
                                         {"evidence", true}})
                 .message(),
             Catch::Contains("NHS number"));
  // A member may not file for another.
  CHECK(driver
            .refused("member:07B", {{"type", "file_specific_claim"},
                                    {"year", 2023},
                                    {"member", "05A"},
                                    {"patient", "p-x"},
                                    {"episode", "E1"},
                                    {"kind", "final"},
                                    {"cumulative_cost", "300000.00"},
                                    {"evidence", true}})
            .code() == ErrorCode::permission_denied);
  // Missing evidence pends (R08).
  auto no_evidence = driver.ok("member:07B", {{"type", "file_specific_claim"},
                                              {"year", 2023},
                                              {"member", "07B"},
                                              {"patient", "p-07b-1"},
                                              {"episode", "E1"},
                                              {"kind", "final"},
                                              {"cumulative_cost", "300000.00"}});
  CHECK(no_evidence.at("reason_code").as_string() == "R08");

  // An appeal overturns a denial: denied by alice, appealed by 07B, approved by bob.
  driver.ok(alice, {{"type", "decide_claim"},
                    {"claim", claim_id(no_evidence)},
                    {"outcome", "deny"},
                    {"reason_code", "R08"}});
  advance_to(driver, day_of_year(2023, 120));
  driver.ok("member:07B", {{"type", "appeal_claim"},
                           {"claim", claim_id(no_evidence)},
                           {"grounds", "discharge summary attached"}});
  CHECK(driver
            .refused(
                "member:07B",
                {{"type", "appeal_claim"}, {"claim", claim_id(no_evidence)}, {"grounds", "again"}})
            .code() == ErrorCode::constraint);
  auto overturned = driver.ok(bob, {{"type", "decide_claim"},
                                    {"claim", claim_id(no_evidence)},
                                    {"outcome", "approve"},
                                    {"reason_code", "R09"}});
  CHECK(status_of(overturned) == "approved");
  CHECK(overturned.at("approved").as_string() == "45000.00");

  // Special measures: every claim of 21E goes to manual review.
  auto measured = driver.ok("member:21E", {{"type", "file_specific_claim"},
                                           {"year", 2023},
                                           {"member", "21E"},
                                           {"patient", "p-21e-1"},
                                           {"episode", "E1"},
                                           {"kind", "final"},
                                           {"cumulative_cost", "260000.00"},
                                           {"evidence", true}});
  CHECK(status_of(measured) == "under_review");
  CHECK(measured.at("review").as_string() == "special_measures");
  driver.ok(alice, {{"type", "decide_claim"},
                    {"claim", claim_id(measured)},
                    {"outcome", "partially_approve"},
                    {"adjudicated_cost", "255000.00"},
                    {"reason_code", "R09"}});
  CHECK(js(driver.fund.claim(claim_id(measured))).value().at("approved").as_string() == "4500.00");

  // Four eyes: a £1,215,000 decision needs two different administrators.
  auto big = driver.ok("member:99F", {{"type", "file_specific_claim"},
                                      {"year", 2023},
                                      {"member", "99F"},
                                      {"patient", "p-99f-1"},
                                      {"episode", "E1"},
                                      {"kind", "final"},
                                      {"cumulative_cost", "1600000.00"},
                                      {"evidence", true}});
  CHECK(status_of(big) == "under_review");
  auto proposed = driver.ok(alice, {{"type", "decide_claim"},
                                    {"claim", claim_id(big)},
                                    {"outcome", "approve"},
                                    {"reason_code", "R09"}});
  CHECK(proposed.at("awaiting").as_string() == "second_administrator");
  CHECK(driver.refused(alice, {{"type", "confirm_decision"}, {"claim", claim_id(big)}}).code() ==
        ErrorCode::permission_denied);
  CHECK(driver.refused("member:99F", {{"type", "confirm_decision"}, {"claim", claim_id(big)}})
            .code() == ErrorCode::permission_denied);
  CHECK(driver.ok(bob, {{"type", "confirm_decision"}, {"claim", claim_id(big)}})
            .at("approved")
            .as_string() == "1215000.00");

  // Arrears (rule 3): 11C paid half; once due, its claim pends (R05) and is paid by set-off.
  advance_to(driver, day_of_year(2023, 140));
  auto pended = driver.ok("member:11C", {{"type", "file_specific_claim"},
                                         {"year", 2023},
                                         {"member", "11C"},
                                         {"patient", "p-11c-1"},
                                         {"episode", "E1"},
                                         {"kind", "final"},
                                         {"cumulative_cost", "350000.00"},
                                         {"evidence", true}});
  CHECK(pended.at("reason_code").as_string() == "R05");
  driver.ok(alice, {{"type", "decide_claim"},
                    {"claim", claim_id(pended)},
                    {"outcome", "approve"},
                    {"reason_code", "R09"}});
  CHECK(driver.refused(alice, {{"type", "pay_claim"}, {"claim", claim_id(pended)}}).code() ==
        ErrorCode::constraint);
  const Money arrears = driver.balance_of("member:11C:receivable");
  driver.ok(alice, {{"type", "pay_claim"}, {"claim", claim_id(pended)}, {"set_off", true}});
  CHECK(driver.balance_of("member:11C:receivable") ==
        (arrears > pounds("90000") ? arrears - pounds("90000") : Money()));

  // A payment reversed (it bounced) and paid again.
  driver.ok(alice, {{"type", "pay_claim"}, {"claim", claim_id(interim)}});
  const Money bank_after_payment = driver.balance_of("fund:bank");
  driver.ok(
      alice,
      {{"type", "reverse_payment"}, {"claim", claim_id(interim)}, {"reason", "payment bounced"}});
  CHECK(driver.balance_of("fund:bank") == bank_after_payment + pounds("135000"));
  CHECK(
      driver
          .refused(alice,
                   {{"type", "reverse_payment"}, {"claim", claim_id(interim)}, {"reason", "again"}})
          .code() == ErrorCode::constraint);
  driver.ok(alice, {{"type", "pay_claim"}, {"claim", claim_id(interim)}});
  CHECK(driver.balance_of("fund:bank") == bank_after_payment);

  advance_to(driver, day_of_year(2023, 370));
  file_final_returns(driver, 2023,
                     {{"05A", {"1.04", Money()}},
                      {"07B", {"0.99", Money()}},
                      {"11C", {"1.01", Money()}},
                      {"13D", {"1", Money()}},
                      {"21E", {"1.03", Money()}},
                      {"99F", {"1.02", pounds("3000000")}}});
  driver.ok("member:05A", {{"type", "file_aggregate_claim"},
                           {"year", 2023},
                           {"member", "05A"},
                           {"outturn", "312000000.00"},
                           {"planned", "0.00"}});
  const auto totals_2023 = close(driver, 2023);
  const auto statement_05a = js(driver.fund.member_statement("05A", 2023)).value();
  // 05A: A = £300m, S = £312m, R = £324k: D = £11,676,000; F = 0.5 x (11,676,000 - 6,000,000) =
  // £2,838,000.
  CHECK(statement_05a.at("settlement").at("net_unplanned_variance").as_string() == "11676000.00");
  CHECK(statement_05a.at("settlement").at("fund_share").as_string() == "2838000.00");
  CHECK(driver.refused(alice, {{"type", "close_year"}, {"year", 2023}}).code() ==
        ErrorCode::constraint);  // closed is closed
  CHECK(driver
            .refused(alice, {{"type", "file_return"},
                             {"year", 2023},
                             {"member", "05A"},
                             {"period", 12},
                             {"spend_to_date", "1.00"},
                             {"forecast_outturn", "1.00"},
                             {"planned", "0.00"},
                             {"unplanned", "1.00"}})
            .code() == ErrorCode::constraint);

  // ---- 2024/25: a bad winter: two large overspends exhaust the fund; calls and deferral.
  open_year(driver, 2024, all);
  advance_to(driver, day_of_year(2024, 200));
  driver.ok(alice, {{"type", "merge_members"}, {"member", "13D"}, {"into", "11C"}});
  CHECK(driver
            .refused(alice, {{"type", "set_allocation"},
                             {"year", 2024},
                             {"member", "13D"},
                             {"allocation", "1.00"}})
            .code() == ErrorCode::constraint);
  advance_to(driver, day_of_year(2024, 370));
  file_final_returns(driver, 2024,
                     {{"05A", {"1.1", Money()}},
                      {"07B", {"1.08", Money()}},
                      {"11C", {"1", Money()}},
                      {"21E", {"1.02", Money()}},
                      {"99F", {"1", Money()}}});
  const auto totals_2024 = close(driver, 2024);
  CHECK(pounds(std::string(totals_2024.at("reserve_before_calls").as_string())) < Money());
  CHECK(pounds(std::string(totals_2024.at("calls").as_string())) > Money());
  CHECK(pounds(std::string(totals_2024.at("recoveries-deferred").as_string())) > Money());
  CHECK(pounds(std::string(totals_2024.at("reserve_closing").as_string())) == Money());
  const auto statement_07b = js(driver.fund.member_statement("07B", 2024)).value();
  // A call is at most max_call (50%) of the member's contribution.
  CHECK(pounds(std::string(statement_07b.at("settlement").at("supplementary_call").as_string())) <=
        multiply_ratio(pounds(std::string(statement_07b.at("contribution").as_string())), 1, 2));

  // ---- 2025/26: a good year: gains shared, the deferred recoveries paid first, a rebate.
  open_year(driver, 2025, {"05A", "07B", "11C", "21E", "99F"});
  driver.ok(alice, {{"type", "set_member_status"},
                    {"member", "21E"},
                    {"status", "active"},
                    {"reason", "recovered"}});
  advance_to(driver, day_of_year(2025, 370));
  file_final_returns(driver, 2025,
                     {{"05A", {"0.94", Money()}},
                      {"07B", {"0.92", Money()}},
                      {"11C", {"0.97", Money()}},
                      {"21E", {"1", Money()}},
                      {"99F", {"0.95", Money()}}});
  const auto totals_2025 = close(driver, 2025);
  CHECK(pounds(std::string(totals_2025.at("deferred-paid").as_string())) ==
        pounds(std::string(totals_2024.at("recoveries-deferred").as_string())));
  CHECK(pounds(std::string(totals_2025.at("rebates").as_string())) > Money());
  CHECK(pounds(std::string(totals_2025.at("reserve_closing").as_string())) ==
        pounds("22000000"));  // target x 1.1
  const auto cycle =
      js(driver.fund.member_statement("05A", 2025)).value().at("three_year_cycle").as_object();
  CHECK(cycle.at("years").as_array().size() == 3);

  // ---- 2026/27: the last loan instalment of 99F falls due: £3m repaid over 2024-2026.
  open_year(driver, 2026, {"05A", "07B", "11C", "21E", "99F"});
  advance_to(driver, day_of_year(2026, 370));
  file_final_returns(driver, 2026,
                     {{"05A", {"1", Money()}},
                      {"07B", {"1", Money()}},
                      {"11C", {"1", Money()}},
                      {"21E", {"1", Money()}},
                      {"99F", {"1", Money()}}});
  close(driver, 2026);
  CHECK(driver.balance_of("member:99F:loan") == Money());
  for (std::uint32_t year : {2024u, 2025u, 2026u}) {
    CHECK(js(driver.fund.member_statement("99F", year))
              .value()
              .at("settlement")
              .at("loan_repaid")
              .as_string() == "1000000.00");
  }
  (void)totals_2023;
}

namespace {

// One member (05A, A = £300m) in an open 2023/24 with no random review sample, on day 10.
void open_one_member_year(FundDriver& driver) {
  driver.ok(
      alice,
      {{"type", "register_member"}, {"member", "05A"}, {"name", "A"}, {"population", 250'000}});
  driver.ok(alice,
            {{"type", "create_year"}, {"year", 2023}, {"parameters", {{"review_sample", "0"}}}});
  driver.ok(alice, {{"type", "set_allocation"},
                    {"year", 2023},
                    {"member", "05A"},
                    {"allocation", "300000000.00"}});
  driver.ok(alice, {{"type", "open_year"}, {"year", 2023}});
  advance_to(driver, day_of_year(2023, 10));
}

}  // namespace

TEST_CASE("fund: parameter corrections after opening are new versions, effective from their date") {
  FundDriver driver;
  open_one_member_year(driver);
  auto before = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                         {"year", 2023},
                                         {"member", "05A"},
                                         {"patient", "p1"},
                                         {"episode", "E1"},
                                         {"kind", "final"},
                                         {"cumulative_cost", "350000.00"},
                                         {"evidence", true}});
  CHECK(before.at("approved").as_string() == "90000.00");  // 0.9 x 100,000
  // The threshold is corrected to £300,000 from day 20; history before it is not rewritten.
  CHECK(driver
            .refused(alice, {{"type", "amend_parameters"},
                             {"year", 2023},
                             {"reason", "no effective date in the past"},
                             {"parameters", {{"specific_threshold", "300000.00"}}},
                             {"effective_from", day_of_year(2023, 5)}})
            .code() == ErrorCode::invalid_argument);
  auto amended = driver.ok(alice, {{"type", "amend_parameters"},
                                   {"year", 2023},
                                   {"reason", "board minute 12"},
                                   {"parameters", {{"specific_threshold", "300000.00"}}},
                                   {"effective_from", day_of_year(2023, 20)}});
  CHECK(amended.at("version").to_number<int>() == 2);
  auto still_old = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                            {"year", 2023},
                                            {"member", "05A"},
                                            {"patient", "p2"},
                                            {"episode", "E1"},
                                            {"kind", "final"},
                                            {"cumulative_cost", "350000.00"},
                                            {"evidence", true}});
  CHECK(still_old.at("approved").as_string() == "90000.00");
  advance_to(driver, day_of_year(2023, 21));
  auto new_rule = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                           {"year", 2023},
                                           {"member", "05A"},
                                           {"patient", "p3"},
                                           {"episode", "E1"},
                                           {"kind", "final"},
                                           {"cumulative_cost", "350000.00"},
                                           {"evidence", true}});
  CHECK(new_rule.at("approved").as_string() == "45000.00");  // 0.9 x 50,000
  // Unknown parameters and bad values are refused.
  CHECK(driver
            .refused(alice, {{"type", "amend_parameters"},
                             {"year", 2023},
                             {"reason", "x"},
                             {"parameters", {{"colour", "red"}}}})
            .code() == ErrorCode::invalid_argument);
  CHECK(driver
            .refused(alice, {{"type", "amend_parameters"},
                             {"year", 2023},
                             {"reason", "x"},
                             {"parameters", {{"corridor_b1", "0.9"}}}})
            .code() == ErrorCode::invalid_argument);
}

TEST_CASE(
    "fund: an overpayment becomes a recovery, with deadlines, withdrawal, avoidable spend and "
    "early warnings") {
  FundDriver driver;
  open_one_member_year(driver);
  driver.ok("member:05A", {{"type", "file_specific_claim"},
                           {"year", 2023},
                           {"member", "05A"},
                           {"patient", "p1"},
                           {"episode", "E1"},
                           {"kind", "interim"},
                           {"cumulative_cost", "610000.00"},
                           {"evidence", true}});
  // An audit revises the cost down: the next decision is negative, recovered from the member.
  auto revised = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                          {"year", 2023},
                                          {"member", "05A"},
                                          {"patient", "p1"},
                                          {"episode", "E2"},
                                          {"kind", "final"},
                                          {"cumulative_cost", "500000.00"},
                                          {"evidence", true}});
  CHECK(revised.at("approved").as_string() == "-99000.00");
  CHECK(driver.balance_of("member:05A:receivable") == pounds("99000"));

  auto withdrawn = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                            {"year", 2023},
                                            {"member", "05A"},
                                            {"patient", "p2"},
                                            {"episode", "E1"},
                                            {"kind", "final"},
                                            {"cumulative_cost", "600000.00"}});
  CHECK(status_of(driver.ok("member:05A", {{"type", "withdraw_claim"},
                                           {"claim", claim_id(withdrawn)}})) == "withdrawn");
  CHECK(driver.refused("member:05A", {{"type", "withdraw_claim"}, {"claim", claim_id(withdrawn)}})
            .code() == ErrorCode::constraint);

  // A forecast beyond b2 is flagged early.
  driver.ok("member:05A", {{"type", "file_return"},
                           {"year", 2023},
                           {"member", "05A"},
                           {"period", 6},
                           {"spend_to_date", "160000000.00"},
                           {"forecast_outturn", "320000000.00"},
                           {"planned", "0.00"},
                           {"unplanned", "160000000.00"}});
  const auto warnings = js(driver.fund.early_warnings(2023)).value();
  REQUIRE(warnings.at("flagged").as_array().size() == 1);
  CHECK(warnings.at("flagged").as_array()[0].at("reasons").as_array()[0].as_string() ==
        "forecast_beyond_b2");

  // After the deadline (year end + 90 days) a specific claim is denied R02.
  advance_to(driver, day_of_year(2023, 366 + 91));
  auto late = driver.ok("member:05A", {{"type", "file_specific_claim"},
                                       {"year", 2023},
                                       {"member", "05A"},
                                       {"patient", "p3"},
                                       {"episode", "E1"},
                                       {"kind", "final"},
                                       {"cumulative_cost", "600000.00"},
                                       {"evidence", true}});
  CHECK(late.at("reason_code").as_string() == "R02");

  // Avoidable spend is the member's own: out of D this year, carried forward in full.
  driver.ok(alice, {{"type", "set_avoidable"},
                    {"year", 2023},
                    {"member", "05A"},
                    {"amount", "2000000.00"},
                    {"reason", "R07: agency staff overrun"}});
  driver.ok("member:05A", {{"type", "file_return"},
                           {"year", 2023},
                           {"member", "05A"},
                           {"period", 12},
                           {"spend_to_date", "312000000.00"},
                           {"forecast_outturn", "312000000.00"},
                           {"planned", "0.00"},
                           {"unplanned", "312000000.00"}});
  advance_to(driver, day_of_year(2023, 366 + 125));
  driver.ok(alice, {{"type", "begin_closing"}, {"year", 2023}});
  driver.ok(alice, {{"type", "close_year"}, {"year", 2023}});
  const auto statement = js(driver.fund.member_statement("05A", 2023)).value();
  // R = 324,000 - 99,000 = 225,000; D = 312m - 2m avoidable - 0.225m - 300m = 9,775,000;
  // F = 0.5 x (9,775,000 - 6,000,000) = 1,887,500.
  CHECK(statement.at("settlement").at("net_unplanned_variance").as_string() == "9775000.00");
  CHECK(statement.at("settlement").at("fund_share").as_string() == "1887500.00");
  bool avoidable_carried = false;
  for (const auto& item : statement.at("carried_out").as_array()) {
    if (item.at("kind").as_string() == "avoidable")
      avoidable_carried = item.at("amount").as_string() == "-2000000.00";
  }
  CHECK(avoidable_carried);
  driver.check_replay(2023);
}
