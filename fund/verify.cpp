#include "fund/verify.hpp"

#include "fund/internal.hpp"
#include "ledger/encoding.hpp"
#include "ledger/legacy_indexes.hpp"

namespace backstop {
namespace {

Status corrupt(const std::string& what) { return Status::error(ErrorCode::corruption, what); }

// Every side record must be one the fund wrote and the replay checked: the checkpoint, the
// results marker, and one receipt result per event entry of the journal. A result of an
// entry past the last one means entries are missing from the journal's end.
Status check_side_records(const Store& store, const Ledger& ledger, const LoadReport& report,
                          VerifyReport& out) {
  const std::string result_prefix = fund::result_record_key(0).substr(0, 7);
  Status walked = store.for_each_side([&](std::string_view key, std::string_view) {
    if (key == "checkpoint") {
      out.checkpoint = true;
      return Status::ok();
    }
    if (key == "results_from") return Status::ok();
    auto sequence = key.starts_with(result_prefix) && key.size() == result_prefix.size() + 8
                        ? decode_sequence_key(key.substr(result_prefix.size()))
                        : std::nullopt;
    if (!sequence)
      return corrupt("the store holds an unknown side record '" + std::string(key) + "'");
    if (*sequence == 0 || *sequence > ledger.last_sequence()) {
      return corrupt("a receipt result is stored for transaction " + std::to_string(*sequence) +
                     " but the journal ends at " + std::to_string(ledger.last_sequence()));
    }
    ++out.results;
    return Status::ok();
  });
  if (!walked.is_ok()) return walked;
  if (out.results != report.results_compared)
    return corrupt("the store holds receipt results of entries that have none");
  return Status::ok();
}

}  // namespace

Result<VerifyReport> verify_store(const RocksStore& store) {
  if (Status checksums = store.verify_checksums(); !checksums.is_ok()) return checksums;
  // Replaying through the fund also decides every fund event again (docs/fund.md), and
  // compares every receipt result, the checkpoint and the head record with the replay.
  LoadReport report;
  auto fund = load_fund(store, {.from_checkpoint = false, .check_side_records = true}, &report);
  if (!fund.is_ok()) return fund.status();
  const Ledger& ledger = fund.value().ledger();
  if (!ledger.trial_balance().is_zero()) return corrupt("trial balance is not zero");
  VerifyReport out;
  out.entries = ledger.last_sequence();
  out.accounts = ledger.accounts().size();
  out.chain_head = ledger.chain_head();
  if (Status side = check_side_records(store, ledger, report, out); !side.is_ok()) return side;
  Result<std::uint64_t> indexes = check_legacy_indexes(store);
  if (!indexes.is_ok()) return indexes.status();
  out.legacy_indexes = indexes.value();
  return out;
}

}  // namespace backstop
