// A replica's fund: the records a leader committed, appended page by page through
// Fund::append_replicated and committed, give a store that is byte for byte the leader's
// (records and receipt results) and verifies; a record changed in any way is refused and
// changes nothing.
#include <catch2/catch.hpp>

#include "ledger/encoding.hpp"
#include "tests/fund_fixtures.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

const std::string admin = "admin:alice";
constexpr std::uint32_t year = 2023;

// A year with claims (some decided by hand), returns and a close.
void drive_leader(FundDriver& driver) {
  for (const char* member : {"M1", "M2", "M3"}) {
    driver.ok(admin, {{"type", "register_member"},
                      {"member", member},
                      {"name", member},
                      {"population", 250'000}});
  }
  driver.ok(admin, {{"type", "create_year"},
                    {"year", year},
                    {"parameters", {{"review_sample", "0"}, {"manual_review_above", "400000"}}}});
  for (const char* member : {"M1", "M2", "M3"}) {
    driver.ok(admin, {{"type", "set_allocation"},
                      {"year", year},
                      {"member", member},
                      {"allocation", "300000000.00"}});
  }
  driver.ok(admin, {{"type", "open_year"}, {"year", year}});
  driver.time_unix_s = day_of_year(year, 30);
  for (int c = 0; c < 9; ++c) {
    const std::string member = "M" + std::to_string(1 + c % 3);
    driver.ok("member:" + member, {{"type", "file_specific_claim"},
                                   {"year", year},
                                   {"member", member},
                                   {"patient", "P" + std::to_string(c)},
                                   {"episode", "E1"},
                                   {"kind", "final"},
                                   {"cumulative_cost", c % 2 ? "450000.00" : "300000.00"},
                                   {"evidence", true}});
    driver.time_unix_s += 3'600;
  }
  for (const char* member : {"M1", "M2", "M3"})
    decide_reviewed_claims(driver, member, year, [] { return false; });
  std::mt19937_64 random(5);
  driver.time_unix_s = day_of_year(year, 370);
  for (const char* member : {"M1", "M2", "M3"})
    file_final_return(driver, random, year, member, pounds("300000000.00"));
  driver.time_unix_s = day_of_year(year, 500);
  driver.ok(admin, {{"type", "begin_closing"}, {"year", year}});
  driver.ok(admin, {{"type", "close_year"}, {"year", year}});
}

std::vector<std::string> records_of(const Store& store) {
  std::vector<std::string> records;
  REQUIRE(store
              .for_each_record([&](std::uint64_t, std::string_view record) {
                records.emplace_back(record);
                return Status::ok();
              })
              .is_ok());
  return records;
}

std::optional<std::string> result_of(const Store& store, std::uint64_t sequence) {
  return store.read_side("result/" + encode_sequence_key(sequence)).value();
}

// The replica's fund appends `records` in pages of `page` and commits each page.
void append_all(Fund& replica, Store& store, const std::vector<std::string>& records,
                std::size_t page) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Status appended = replica.append_replicated(records[i]);
    INFO("record " << i + 1 << ": " << appended.to_string());
    REQUIRE(appended.is_ok());
    if ((i + 1) % page == 0 || i + 1 == records.size()) REQUIRE(replica.commit(store).is_ok());
  }
}

// Sealed again after `change`: a record that is whole, but not the one the leader wrote.
std::string resealed(const std::string& record, const std::function<void(JournalEntry&)>& change) {
  JournalEntry entry = decode_entry_record(record).value();
  change(entry);
  return seal_entry(entry);
}

}  // namespace

TEST_CASE("replica: a leader's records appended in pages give its very store, which verifies") {
  FundDriver leader;
  drive_leader(leader);
  const auto records = records_of(leader.store);
  REQUIRE(records.size() > 20);

  MemoryStore store;
  Fund replica = load_fund(store).value();
  append_all(replica, store, records, 7);

  CHECK(replica.ledger().last_sequence() == leader.fund.ledger().last_sequence());
  CHECK(replica.ledger().chain_head() == leader.fund.ledger().chain_head());
  CHECK(records_of(store) == records);
  for (std::uint64_t sequence = 1; sequence <= records.size(); ++sequence) {
    INFO("result of " << sequence);
    CHECK(result_of(store, sequence) == result_of(leader.store, sequence));
  }
  const auto report = js(replica.fund_report(year));
  INFO((report.is_ok() ? std::string() : report.status().to_string()));
  REQUIRE(report.is_ok());
  CHECK(json::serialize(report.value()) ==
        json::serialize(js(leader.fund.fund_report(year)).value()));
  auto verified = load_fund(store, {.from_checkpoint = false, .check_side_records = true});
  INFO((verified.is_ok() ? std::string() : verified.status().to_string()));
  REQUIRE(verified.is_ok());
  CHECK(verified.value().ledger().chain_head() == leader.fund.ledger().chain_head());
}

TEST_CASE("replica: a changed, reordered or repeated record is refused and changes nothing") {
  FundDriver leader;
  drive_leader(leader);
  const auto records = records_of(leader.store);
  // The replica holds everything before the last entry with postings that is not the last.
  std::size_t held = records.size() - 2;
  while (held > 0 && decode_entry_record(records[held]).value().postings.size() < 2) --held;
  REQUIRE(held > 4);
  MemoryStore store;
  Fund replica = load_fund(store).value();
  append_all(replica, store, std::vector(records.begin(), records.begin() + held), 16);
  const std::string& next = records[held];  // the record that comes next, sequence held + 1

  std::vector<std::pair<std::string, std::string>> forged;
  for (std::size_t at = 0; at < next.size(); at += 11) {
    std::string flipped = next;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
    forged.emplace_back("a byte flipped at " + std::to_string(at), flipped);
  }
  forged.emplace_back("its postings changed, resealed", resealed(next, [](JournalEntry& entry) {
                        REQUIRE(entry.postings.size() >= 2);
                        entry.postings[0].amount += Money::from_pence(1);
                        entry.postings[1].amount -= Money::from_pence(1);
                      }));
  forged.emplace_back("its payload changed, resealed", resealed(next, [](JournalEntry& entry) {
                        entry.event_payload.insert(entry.event_payload.size() - 1, ",\"zz\":1");
                      }));
  forged.emplace_back("chained to another entry",
                      resealed(next, [](JournalEntry& entry) { entry.previous_hash[0] ^= 1; }));
  forged.emplace_back("an earlier entry's key", resealed(next, [&](JournalEntry& entry) {
                        entry.idempotency_key =
                            decode_entry_record(records[3]).value().idempotency_key;
                      }));
  forged.emplace_back("a later entry, skipping one", records[held + 1]);
  forged.emplace_back("an entry already held", records[held - 1]);
  forged.emplace_back("truncated", next.substr(0, next.size() - 1));

  for (const auto& [what, record] : forged) {
    INFO(what);
    const Status refused = replica.append_replicated(record);
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.code() == ErrorCode::corruption);
    CHECK(replica.ledger().last_sequence() == held);
    CHECK(replica.ledger().pending().empty());
  }
  // The leader's own record still continues the chain.
  REQUIRE(replica.append_replicated(next).is_ok());
  REQUIRE(replica.commit(store).is_ok());
  CHECK(replica.ledger().chain_head() == decode_entry_record(next).value().hash);
}
