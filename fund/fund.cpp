#include "fund/fund.hpp"

#include <chrono>

#include "fund/codec.hpp"
#include "fund/internal.hpp"
#include "fund/state_codec.hpp"
#include "ledger/encoding.hpp"

namespace backstop {
namespace fund {

// --- Accounts and lookups ------------------------------------------------------------

std::string fund_account(const std::string& name) { return "fund:" + name; }
std::string year_account(std::uint32_t year, const std::string& name) {
  return "fund:" + std::to_string(year) + ":" + name;
}
std::string member_account(const std::string& member, const std::string& name) {
  return "member:" + member + ":" + name;
}
Posting debit(const std::string& account, const Money& amount) { return {account, amount}; }
Posting credit(const std::string& account, const Money& amount) { return {account, -amount}; }

Money balance(const Ledger& ledger, const std::string& account) {
  const AccountState* state = ledger.find_account(account);
  return state == nullptr ? Money() : state->normal_balance();
}

void require_admin(const Context& context) {
  if (!context.actor.is_admin())
    refuse("only an administrator may do this", ErrorCode::permission_denied);
}

void require_admin_or_member(const Context& context, const std::string& member) {
  if (!context.actor.is_admin() &&
      !(context.actor.role == Actor::Role::member && context.actor.name == member)) {
    refuse("a member may act only for itself", ErrorCode::permission_denied);
  }
}

const Member& find_member(const FundState& state, const std::string& id) {
  auto found = state.members.find(id);
  if (found == state.members.end()) refuse("no member '" + id + "'", ErrorCode::not_found);
  return found->second;
}

const FundYear& find_year(const FundState& state, std::uint32_t year) {
  auto found = state.years.find(year);
  if (found == state.years.end())
    refuse("no fund year " + std::to_string(year), ErrorCode::not_found);
  return found->second;
}

const YearParameters& parameters_at(const FundYear& year, std::int64_t time_unix_s) {
  assert(!year.versions.empty());
  const ParameterVersion* chosen = &year.versions.front();
  for (const auto& version : year.versions) {
    if (version.effective_time_unix_s <= time_unix_s) chosen = &version;
  }
  return chosen->parameters;
}

std::int64_t year_end_unix_s(std::uint32_t year) {
  using namespace std::chrono;
  const sys_days day{std::chrono::year(static_cast<int>(year) + 1) / April / 1};
  return duration_cast<seconds>(day.time_since_epoch()).count();
}

namespace {

// Decides a command against the state; pure. Errors come back as a Status.
Result<Effect> decide_command(const FundState& state, const Ledger& ledger,
                              const FundCommand& command, std::int64_t time_unix_s,
                              const Actor& actor) {
  try {
    Context context{state, ledger, time_unix_s, actor};
    return std::visit([&](const auto& typed) { return decide(typed, context); }, command);
  } catch (const Refusal& refusal) {
    return refusal.status();
  } catch (const std::overflow_error& error) {
    return Status::error(ErrorCode::overflow, std::string("amount out of range: ") + error.what());
  }
}

Command ledger_command(const FundRequest& request, const CommandRecord& record) {
  return Command{
      request.idempotency_key, request.time_unix_s,
      Metadata{request.actor.to_string(), record.type, record.fund_year, record.references},
      RecordEvent{record.type, record.payload, {}, {}}};
}

}  // namespace
}  // namespace fund

using namespace fund;

Fund::Fund() : state_(std::make_unique<FundState>()) {}
Fund::~Fund() = default;
Fund::Fund(Fund&&) noexcept = default;
Fund& Fund::operator=(Fund&&) noexcept = default;

// A key used before: the original receipt if the command is the same. The same command
// may have been encoded differently by an earlier build (a field it wrote that is now left
// out), so a differing payload is decoded and compared as a command before it is refused.
std::optional<Result<FundReceipt>> Fund::find_retry(const FundRequest& request,
                                                    const Command& command) const {
  auto retry = ledger_.find_retry(command);
  if (!retry) return std::nullopt;
  if (!retry->is_ok() && retry->status().code() != ErrorCode::idempotency_conflict)
    return retry->status();
  Result<std::optional<KeyUse>> used = ledger_.find_key(request.idempotency_key);
  if (!used.is_ok()) return used.status();
  Result<JournalEntry> original = ledger_.entry(used.value()->sequence);
  if (!original.is_ok()) return original.status();
  const JournalEntry& entry = original.value();
  if (!retry->is_ok()) {
    if (entry.kind != EntryKind::event || entry.metadata.actor != command.metadata.actor)
      return retry->status();
    auto stored = decode_journal_payload(entry.event_payload);
    if (!stored.is_ok() || stored.value() != request.command) return retry->status();
  }
  if (entry.idempotency_key != request.idempotency_key) {
    return Status::error(ErrorCode::corruption, "the idempotency record of '" +
                                                    request.idempotency_key +
                                                    "' names an entry made under another key");
  }
  Result<CommandResult> result = stored_result(entry);
  if (!result.is_ok()) return result.status();
  return FundReceipt{entry.sequence, entry.hash, true, std::move(result).value(), std::nullopt};
}

Result<CommandResult> Fund::stored_result(const JournalEntry& entry) const {
  const std::uint64_t sequence = entry.sequence;
  if (auto pending = pending_results_.find(sequence); pending != pending_results_.end())
    return pending->second;
  const std::string what = "the result of transaction " + std::to_string(sequence);
  if (ledger_.archive() == nullptr) return Status::error(ErrorCode::not_found, "no " + what);
  const auto* store = static_cast<const Store*>(ledger_.archive());
  Result<std::optional<std::string>> bytes = store->read_side(result_record_key(sequence));
  if (!bytes.is_ok()) return bytes.status();
  if (!bytes.value()) return Status::error(ErrorCode::corruption, what + " is not stored");
  Result<CommandResult> decoded = read_result_record(*bytes.value(), entry.hash);
  if (!decoded.is_ok())
    return Status::error(ErrorCode::corruption, what + ": " + decoded.status().message());
  return decoded;
}

Result<FundReceipt> Fund::execute(const FundRequest& request) {
  Command command = ledger_command(request, journal_record(request.command));
  if (auto retry = find_retry(request, command)) return *retry;
  Result<Effect> decided =
      decide_command(*state_, ledger_, request.command, request.time_unix_s, request.actor);
  if (!decided.is_ok()) return decided.status();
  auto& event = std::get<RecordEvent>(command.body);
  event.accounts = decided.value().accounts;
  event.postings = decided.value().postings;
  Result<Receipt> receipt = ledger_.execute(command);
  if (!receipt.is_ok()) return receipt.status();
  assert(!receipt.value().replayed);
  CommandResult result = decided.value().apply(*state_, receipt.value().sequence);
  pending_results_[receipt.value().sequence] = result;
  return FundReceipt{receipt.value().sequence, receipt.value().hash, false, std::move(result),
                     std::nullopt};
}

Status Fund::commit(Store& store) {
  std::vector<SideRecord> results;
  results.reserve(pending_results_.size());
  for (const auto& entry : ledger_.pending()) {
    if (auto result = pending_results_.find(entry.sequence); result != pending_results_.end())
      results.push_back(
          {result_record_key(entry.sequence), result_record(entry.hash, result->second)});
  }
  if (Status committed = commit_pending(store, ledger_, results); !committed.is_ok())
    return committed;
  pending_results_.clear();
  return Status::ok();
}

namespace {

// An event read back is decided again from its recorded payload, actor and time, and must
// give the very accounts, postings and metadata it recorded. Pure.
Result<Effect> redecide_event(const FundState& state, const Ledger& ledger,
                              const JournalEntry& entry) {
  const std::string where = "transaction " + std::to_string(entry.sequence) + ": ";
  Result<FundCommand> command = decode_journal_payload(entry.event_payload);
  if (!command.is_ok()) {
    return Status::error(ErrorCode::corruption, where + command.status().message());
  }
  const auto actor = Actor::parse(entry.metadata.actor);
  if (!actor) return Status::error(ErrorCode::corruption, where + "the actor is not recognised");
  Result<Effect> decided =
      decide_command(state, ledger, command.value(), entry.time_unix_s, *actor);
  if (!decided.is_ok()) {
    return Status::error(ErrorCode::corruption,
                         where + "event no longer decides: " + decided.status().message());
  }
  const Effect& effect = decided.value();
  const CommandRecord record = journal_record(command.value());
  const Metadata metadata{entry.metadata.actor, record.type, record.fund_year, record.references};
  if (record.type != entry.event_type || effect.postings != entry.postings ||
      effect.accounts != entry.event_accounts || metadata != entry.metadata) {
    return Status::error(ErrorCode::corruption,
                         where + "event decides differently from what was recorded");
  }
  return decided;
}

}  // namespace

Status Fund::replay(const JournalEntry& entry) {
  if (entry.kind != EntryKind::event) return ledger_.replay(entry);
  Result<Effect> effect = redecide_event(*state_, ledger_, entry);
  if (!effect.is_ok()) return effect.status();
  if (Status replayed = ledger_.replay(entry); !replayed.is_ok()) return replayed;
  pending_results_[entry.sequence] = effect.value().apply(*state_, entry.sequence);
  return Status::ok();
}

Status Fund::append_replicated(std::string record) {
  Result<JournalEntry> decoded = decode_entry_record(record);
  if (!decoded.is_ok()) {
    return Status::error(ErrorCode::corruption, "transaction " +
                                                    std::to_string(ledger_.last_sequence() + 1) +
                                                    ": " + decoded.status().message());
  }
  JournalEntry entry = std::move(decoded).value();
  if (entry.kind != EntryKind::event)
    return ledger_.append_replicated(std::move(entry), std::move(record));
  Result<Effect> effect = redecide_event(*state_, ledger_, entry);
  if (!effect.is_ok()) return effect.status();
  const std::uint64_t sequence = entry.sequence;
  if (Status appended = ledger_.append_replicated(std::move(entry), std::move(record));
      !appended.is_ok())
    return appended;
  pending_results_[sequence] = effect.value().apply(*state_, sequence);
  return Status::ok();
}

}  // namespace backstop
