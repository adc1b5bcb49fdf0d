// Loading the fund from its store: from the latest checkpoint when it checks out, or by
// replaying the whole journal; and the side records kept beside the journal (receipt
// results, the checkpoint). docs/architecture.md describes the checkpoint.
#include <cassert>

#include "fund/internal.hpp"
#include "fund/state_codec.hpp"
#include "ledger/bytes.hpp"
#include "ledger/encoding.hpp"

namespace backstop {
namespace fund {

std::string result_record_key(std::uint64_t sequence) {
  return "result/" + encode_sequence_key(sequence);
}

std::string result_record(const Digest& entry_hash, const CommandResult& result) {
  return std::string(entry_hash.begin(), entry_hash.end()) + encode_result(result);
}

Result<CommandResult> read_result_record(std::string_view record, const Digest& entry_hash) {
  if (record.size() < entry_hash.size() ||
      record.substr(0, entry_hash.size()) !=
          std::string_view(reinterpret_cast<const char*>(entry_hash.data()), entry_hash.size())) {
    return Status::error(ErrorCode::corruption, "the stored result is of another entry");
  }
  return decode_result(record.substr(entry_hash.size()));
}

}  // namespace fund

using namespace fund;

namespace {

const std::string checkpoint_key = "checkpoint";
// Set once every entry from this sequence on has its result stored (older builds kept none).
const std::string results_from_key = "results_from";
constexpr std::string_view checkpoint_magic = "BSCP";
constexpr std::uint8_t checkpoint_version = 1;
constexpr std::size_t results_flush_every = 4096;

// A checkpoint: the header names what it reflects; the body is the ledger's and the
// fund's state at that point.
struct Checkpoint {
  std::uint64_t sequence = 0;
  Digest chain_head{};
  std::string body;
};

std::string encode_checkpoint(std::uint64_t sequence, const Digest& head, const std::string& body) {
  ByteWriter out;
  out.u8(checkpoint_version);
  out.u64(sequence);
  out.digest(head);
  out.digest(sha256(body));
  return std::string(checkpoint_magic) + out.take() + body;
}

Result<Checkpoint> decode_checkpoint(std::string_view bytes) {
  constexpr std::size_t header = 4 + 1 + 8 + 32 + 32;
  if (bytes.size() < header || bytes.substr(0, 4) != checkpoint_magic)
    return Status::error(ErrorCode::corruption, "not a checkpoint");
  try {
    ByteReader in(bytes.substr(4, header - 4));
    if (in.u8() != checkpoint_version)
      return Status::error(ErrorCode::corruption, "a checkpoint of another format version");
    Checkpoint checkpoint;
    checkpoint.sequence = in.u64();
    checkpoint.chain_head = in.digest();
    const Digest digest = in.digest();
    checkpoint.body = std::string(bytes.substr(header));
    if (sha256(checkpoint.body) != digest)
      return Status::error(ErrorCode::corruption, "the checkpoint's contents are damaged");
    return checkpoint;
  } catch (const DecodeError& error) {
    return Status::error(ErrorCode::corruption, std::string("checkpoint: ") + error.what());
  }
}

}  // namespace

// Builds a fund from decoded parts; a friend of Fund.
struct FundLoader {
  static std::string body(const Fund& fund) {
    ByteWriter out;
    out.str(encode_ledger_snapshot(fund.ledger_.snapshot()));
    return out.take() + encode_state(*fund.state_);
  }

  static Result<Fund> from_checkpoint(const Store& store, const Checkpoint& checkpoint) {
    Result<JournalEntry> entry = store.read_entry(checkpoint.sequence);
    if (!entry.is_ok() || entry.value().hash != checkpoint.chain_head)
      return Status::error(ErrorCode::corruption, "the checkpoint does not match the journal");
    std::string ledger_bytes;
    std::string_view rest;
    try {
      ByteReader in(checkpoint.body, {.string_bytes = 0xffff'ffffu, .items = 0});
      ledger_bytes = in.str();
      rest = std::string_view(checkpoint.body).substr(in.position());
    } catch (const DecodeError& error) {
      return Status::error(ErrorCode::corruption, std::string("checkpoint: ") + error.what());
    }
    Result<LedgerSnapshot> snapshot = decode_ledger_snapshot(ledger_bytes);
    if (!snapshot.is_ok()) return snapshot.status();
    if (snapshot.value().last_sequence != checkpoint.sequence ||
        snapshot.value().chain_head != checkpoint.chain_head ||
        snapshot.value().last_time_unix_s != entry.value().time_unix_s)
      return Status::error(ErrorCode::corruption, "the checkpoint's ledger is not the one named");
    Result<FundState> state = decode_state(rest);
    if (!state.is_ok()) return state.status();
    Fund fund;
    fund.ledger_ = Ledger::restore(std::move(snapshot).value(), store);
    *fund.state_ = std::move(state).value();
    return fund;
  }

  static Fund empty(const Store& store) {
    Fund fund;
    fund.ledger_.mark_committed(store);  // history is read from the store from the start
    return fund;
  }

  static std::map<std::uint64_t, CommandResult>& results(Fund& fund) {
    return fund.pending_results_;
  }
};

Status Fund::write_checkpoint(Store& store) const {
  assert(ledger_.pending().empty());
  if (ledger_.last_sequence() == 0) return Status::ok();
  const SideRecord record{
      checkpoint_key,
      encode_checkpoint(ledger_.last_sequence(), ledger_.chain_head(), FundLoader::body(*this))};
  if (Status written = store.write_side(std::span(&record, 1)); !written.is_ok()) return written;
  return store.flush();
}

namespace {

// Compares a replayed entry's result with the stored one (verify only). A result must be
// stored from `first` on (0: the store never said; then only a stored one is compared).
Status check_stored_result(const Store& store, const JournalEntry& entry,
                           const CommandResult& result, std::uint64_t first,
                           std::uint64_t& compared) {
  Result<std::optional<std::string>> stored = store.read_side(result_record_key(entry.sequence));
  if (!stored.is_ok()) return stored.status();
  if (stored.value()) ++compared;
  const bool required = first != 0 && entry.sequence >= first;
  if ((!stored.value() && required) ||
      (stored.value() && *stored.value() != result_record(entry.hash, result))) {
    return Status::error(ErrorCode::corruption,
                         "transaction " + std::to_string(entry.sequence) +
                             ": its stored receipt result disagrees with the journal");
  }
  return Status::ok();
}

Result<std::uint64_t> results_from(const Store& store) {
  Result<std::optional<std::string>> marker = store.read_side(results_from_key);
  if (!marker.is_ok()) return marker.status();
  if (!marker.value()) return std::uint64_t{0};
  auto sequence = decode_sequence_key(*marker.value());
  if (!sequence) return Status::error(ErrorCode::corruption, "the results marker is unreadable");
  return *sequence;
}

// Replays the journal from `first` on; `after` (if set) sees each entry and, for an event,
// its result.
using AfterEntry = std::function<Status(const JournalEntry&, const CommandResult*)>;
Status replay_from(Fund& fund, const Store& store, std::uint64_t first, const AfterEntry& after,
                   LoadReport& report) {
  auto& results = FundLoader::results(fund);
  return replay_journal(
      store,
      [&](const JournalEntry& entry) {
        if (Status status = fund.replay(entry); !status.is_ok()) return status;
        ++report.replayed;
        auto result = results.find(entry.sequence);
        Status seen = !after ? Status::ok()
                             : after(entry, result == results.end() ? nullptr : &result->second);
        if (result != results.end()) results.erase(result);
        return seen;
      },
      first);
}

Result<std::optional<Checkpoint>> read_checkpoint(const Store& store) {
  Result<std::optional<std::string>> bytes = store.read_side(checkpoint_key);
  if (!bytes.is_ok()) return bytes.status();
  if (!bytes.value()) return std::optional<Checkpoint>();
  Result<Checkpoint> checkpoint = decode_checkpoint(*bytes.value());
  if (!checkpoint.is_ok()) return checkpoint.status();
  return std::optional<Checkpoint>(std::move(checkpoint).value());
}

// Starts from the checkpoint and replays the rest; any doubt is an error for the caller to
// answer with a full replay.
Result<Fund> load_from_checkpoint(const Store& store, const Checkpoint& checkpoint,
                                  LoadReport& report) {
  Result<Fund> fund = FundLoader::from_checkpoint(store, checkpoint);
  if (!fund.is_ok()) return fund.status();
  LoadReport tail;
  if (Status replayed = replay_from(fund.value(), store, checkpoint.sequence + 1, nullptr, tail);
      !replayed.is_ok())
    return replayed;
  if (Status checked = check_caches(fund.value().ledger(), store); !checked.is_ok()) return checked;
  report.checkpoint_sequence = checkpoint.sequence;
  report.replayed = tail.replayed;
  return fund;
}

// Verify's checks beside the replay: every stored result, and the checkpoint against the
// state the replay reaches at its sequence.
AfterEntry side_record_checks(const Fund& fund, const Store& store,
                              const std::optional<Checkpoint>& checkpoint, std::uint64_t first,
                              std::uint64_t& compared) {
  return [&fund, &store, &checkpoint, first, &compared](const JournalEntry& entry,
                                                        const CommandResult* result) {
    if (checkpoint && entry.sequence == checkpoint->sequence &&
        (entry.hash != checkpoint->chain_head || FundLoader::body(fund) != checkpoint->body)) {
      return Status::error(ErrorCode::corruption, "the checkpoint at transaction " +
                                                      std::to_string(entry.sequence) +
                                                      " disagrees with the journal");
    }
    if (result == nullptr) return Status::ok();
    return check_stored_result(store, entry, *result, first, compared);
  };
}

// The whole journal, from nothing. Under check_side_records every stored result and the
// checkpoint are compared with what the replay gives.
Result<Fund> load_in_full(const Store& store, const std::optional<Checkpoint>& checkpoint,
                          bool check_side_records, LoadReport& report) {
  Fund fund = FundLoader::empty(store);
  AfterEntry checks;
  if (check_side_records) {
    Result<std::uint64_t> first = results_from(store);
    if (!first.is_ok()) return first.status();
    checks = side_record_checks(fund, store, checkpoint, first.value(), report.results_compared);
  }
  if (Status replayed = replay_from(fund, store, 1, checks, report); !replayed.is_ok())
    return replayed;
  if (check_side_records && checkpoint && checkpoint->sequence > fund.ledger().last_sequence())
    return Status::error(ErrorCode::corruption, "the checkpoint is of entries the journal lacks");
  if (Status checked = check_caches(fund.ledger(), store); !checked.is_ok()) return checked;
  return fund;
}

}  // namespace

Result<Fund> load_fund(const Store& store, LoadOptions options, LoadReport* report) {
  LoadReport local;
  LoadReport& out = report ? *report : local;
  out = LoadReport{};
  Result<std::optional<Checkpoint>> checkpoint = read_checkpoint(store);
  if (!checkpoint.is_ok()) out.checkpoint_refused = checkpoint.status().message();
  const auto usable = checkpoint.is_ok() ? checkpoint.value() : std::nullopt;
  if (options.from_checkpoint && usable) {
    Result<Fund> fund = load_from_checkpoint(store, *usable, out);
    if (fund.is_ok()) return fund;
    out.checkpoint_refused = fund.status().message();
    out.replayed = 0;
  }
  if (options.check_side_records && !checkpoint.is_ok()) return checkpoint.status();
  return load_in_full(store, usable, options.check_side_records, out);
}

namespace {

// An older store's results: a full replay that writes every result, then the marker.
Result<Fund> write_missing_results(Store& store, LoadReport& out) {
  std::vector<SideRecord> batch;
  auto keep = [&](const JournalEntry& entry, const CommandResult* result) {
    if (result == nullptr) return Status::ok();
    batch.push_back({result_record_key(entry.sequence), result_record(entry.hash, *result)});
    if (batch.size() < results_flush_every) return Status::ok();
    return store.write_side(std::exchange(batch, {}));
  };
  Fund fund = FundLoader::empty(store);
  if (Status replayed = replay_from(fund, store, 1, keep, out); !replayed.is_ok()) return replayed;
  if (Status checked = check_caches(fund.ledger(), store); !checked.is_ok()) return checked;
  batch.push_back({results_from_key, encode_sequence_key(1)});
  if (Status written = store.write_side(batch); !written.is_ok()) return written;
  return fund;
}

// Replaying more than this at a writer's start leaves a checkpoint, so the next start is quick.
constexpr std::uint64_t checkpoint_after_replaying = 10'000;

}  // namespace

Result<Fund> open_fund(Store& store, LoadReport* report) {
  LoadReport local;
  LoadReport& out = report ? *report : local;
  Result<std::uint64_t> first = results_from(store);
  if (!first.is_ok()) return first.status();
  Result<Fund> fund =
      first.value() != 0 ? load_fund(store, {}, &out) : write_missing_results(store, out);
  if (fund.is_ok() && out.replayed >= checkpoint_after_replaying) {
    if (Status written = fund.value().write_checkpoint(store); !written.is_ok()) return written;
  }
  return fund;
}

}  // namespace backstop
