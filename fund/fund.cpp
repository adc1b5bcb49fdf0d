#include "fund/fund.hpp"

#include <chrono>

#include "fund/internal.hpp"
#include "ledger/encoding.hpp"

namespace backstop {
namespace fund {
namespace json = boost::json;

// --- Fields --------------------------------------------------------------------------

const json::value& Fields::required(const char* name) {
  read_.insert(name);
  const json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) refuse(std::string("field '") + name + "' is required");
  return *value;
}

std::string Fields::text(const char* name, std::size_t max_bytes) {
  const json::value& value = required(name);
  if (!value.is_string()) refuse(std::string("field '") + name + "' must be a string");
  std::string out(value.as_string());
  if (out.empty() || out.size() > max_bytes) {
    refuse(std::string("field '") + name + "' must be 1 to " + std::to_string(max_bytes) +
           " bytes");
  }
  for (char c : out) {
    if (static_cast<unsigned char>(c) < 0x20)
      refuse(std::string("field '") + name + "' holds a control character");
  }
  return out;
}

std::optional<std::string> Fields::optional_text(const char* name, std::size_t max_bytes) {
  read_.insert(name);
  const json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  return text(name, max_bytes);
}

Money Fields::money(const char* name) {
  const json::value& value = required(name);
  if (!value.is_string())
    refuse(std::string("field '") + name +
           "' must be an amount written as a string, e.g. \"1234.56\"");
  auto parsed = Money::parse(value.as_string());
  if (!parsed.is_ok()) refuse(std::string("field '") + name + "': " + parsed.status().message());
  // A bound far above any public budget keeps every later sum inside Int128.
  static const Int128 pence_max = Int128(1'000'000'000'000'000LL);  // £10 trillion
  if (parsed.value().pence() > pence_max || parsed.value().pence() < -pence_max) {
    refuse(std::string("field '") + name + "' is beyond £10 trillion", ErrorCode::overflow);
  }
  return parsed.value();
}

std::optional<Money> Fields::optional_money(const char* name) {
  read_.insert(name);
  const json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  return money(name);
}

std::int64_t Fields::integer(const char* name, std::int64_t low, std::int64_t high) {
  const json::value& value = required(name);
  if (!value.is_int64() && !value.is_uint64())
    refuse(std::string("field '") + name + "' must be a whole number");
  if (value.is_uint64() && value.as_uint64() > static_cast<std::uint64_t>(high)) {
    refuse(std::string("field '") + name + "' is out of range");
  }
  const std::int64_t number =
      value.is_int64() ? value.as_int64() : static_cast<std::int64_t>(value.as_uint64());
  if (number < low || number > high) {
    refuse(std::string("field '") + name + "' must be between " + std::to_string(low) + " and " +
           std::to_string(high));
  }
  return number;
}

bool Fields::boolean(const char* name, bool fallback) {
  read_.insert(name);
  const json::value* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) return fallback;
  if (!value->is_bool()) refuse(std::string("field '") + name + "' must be true or false");
  return value->as_bool();
}

std::uint32_t Fields::year(const char* name) {
  return static_cast<std::uint32_t>(integer(name, 2000, 2200));
}

const json::value* Fields::raw(const char* name) {
  read_.insert(name);
  return object_.if_contains(name);
}

void Fields::finish() const {
  for (const auto& field : object_) {
    if (!read_.contains(std::string(field.key())))
      refuse("unknown field '" + std::string(field.key()) + "'");
  }
}

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

bool is_admin(const std::string& actor) { return actor.starts_with("admin:") && actor.size() > 6; }

std::string actor_member(const std::string& actor) {
  return actor.starts_with("member:") ? actor.substr(7) : std::string();
}

void require_admin(const Context& context) {
  if (!is_admin(context.actor))
    refuse("only an administrator may do this", ErrorCode::permission_denied);
}

void require_admin_or_member(const Context& context, const std::string& member) {
  if (!is_admin(context.actor) && actor_member(context.actor) != member) {
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

const char* member_status_name(MemberStatus status) {
  switch (status) {
    case MemberStatus::active:
      return "active";
    case MemberStatus::special_measures:
      return "special_measures";
    case MemberStatus::dissolved:
      return "dissolved";
  }
  return "unknown";
}

const char* year_status_name(YearStatus status) {
  switch (status) {
    case YearStatus::draft:
      return "draft";
    case YearStatus::open:
      return "open";
    case YearStatus::closing:
      return "closing";
    case YearStatus::closed:
      return "closed";
  }
  return "unknown";
}

const char* claim_status_name(ClaimStatus status) {
  switch (status) {
    case ClaimStatus::submitted:
      return "submitted";
    case ClaimStatus::pended:
      return "pended";
    case ClaimStatus::under_review:
      return "under_review";
    case ClaimStatus::approved:
      return "approved";
    case ClaimStatus::partially_approved:
      return "partially_approved";
    case ClaimStatus::denied:
      return "denied";
    case ClaimStatus::paid:
      return "paid";
    case ClaimStatus::withdrawn:
      return "withdrawn";
    case ClaimStatus::appealed:
      return "appealed";
    case ClaimStatus::reversed:
      return "reversed";
  }
  return "unknown";
}

namespace {

using Dispatch = Effect (*)(const std::string&, Context&);
Effect decide_close(const std::string&, Context& context) { return decide_close_year(context); }

const std::map<std::string, Dispatch>& dispatch_table() {
  static const std::map<std::string, Dispatch> table = {
      {"register_member", decide_member_command},
      {"rename_member", decide_member_command},
      {"update_population", decide_member_command},
      {"set_member_status", decide_member_command},
      {"merge_members", decide_member_command},
      {"create_year", decide_year_command},
      {"amend_parameters", decide_year_command},
      {"open_year", decide_year_command},
      {"begin_closing", decide_year_command},
      {"set_allocation", decide_year_command},
      {"apply_rate_schedule", decide_year_command},
      {"record_receipt", decide_payment_command},
      {"file_return", decide_year_command},
      {"set_avoidable", decide_year_command},
      {"approve_loan", decide_year_command},
      {"file_specific_claim", decide_claim_command},
      {"decide_claim", decide_claim_command},
      {"confirm_decision", decide_claim_command},
      {"pay_claim", decide_payment_command},
      {"withdraw_claim", decide_claim_command},
      {"appeal_claim", decide_claim_command},
      {"reverse_payment", decide_payment_command},
      {"file_aggregate_claim", decide_claim_command},
      {"pay_member", decide_payment_command},
      {"confirm_payment", decide_payment_command},
      {"collect_member", decide_payment_command},
      {"close_year", decide_close},
  };
  return table;
}

// Decides a command against the state; pure. Errors come back as a Status.
Result<Effect> decide(const FundState& state, const Ledger& ledger, const json::object& command,
                      std::int64_t time_unix_s, const std::string& actor, std::string& type) {
  try {
    const json::value* type_value = command.if_contains("type");
    if (type_value == nullptr || !type_value->is_string())
      refuse("field 'type' is required: the command's name");
    type = std::string(type_value->as_string());
    auto handler = dispatch_table().find(type);
    if (handler == dispatch_table().end()) refuse("unknown command type '" + type + "'");
    Fields fields(command);
    fields.raw("type");
    Context context{state, ledger, fields, time_unix_s, actor};
    Effect effect = handler->second(type, context);
    fields.finish();
    return effect;
  } catch (const Refusal& refusal) {
    return Status::error(refusal.code(), refusal.what());
  } catch (const std::overflow_error& error) {
    return Status::error(ErrorCode::overflow, std::string("amount out of range: ") + error.what());
  }
}

void canonical_into(const json::value& value, std::string& out) {
  if (value.is_object()) {
    std::vector<std::pair<std::string, const json::value*>> sorted;
    for (const auto& field : value.as_object())
      sorted.emplace_back(std::string(field.key()), &field.value());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      if (i != 0) out += ',';
      out += json::serialize(json::string(sorted[i].first));
      out += ':';
      canonical_into(*sorted[i].second, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < value.as_array().size(); ++i) {
      if (i != 0) out += ',';
      canonical_into(value.as_array()[i], out);
    }
    out += ']';
  } else {
    out += json::serialize(value);
  }
}

}  // namespace
}  // namespace fund

using namespace fund;

std::string canonical_json(const boost::json::value& value) {
  std::string out;
  canonical_into(value, out);
  return out;
}

Fund::Fund() : state_(std::make_unique<FundState>()) {}
Fund::~Fund() = default;
Fund::Fund(Fund&&) noexcept = default;

std::vector<std::pair<std::uint64_t, Fund::StateChange>> Fund::take_state_changes() {
  return std::exchange(state_changes_, {});
}

Status Fund::apply_state_change(const JournalEntry& entry, const StateChange& change) {
  if (Status replayed = ledger_.replay(entry); !replayed.is_ok()) return replayed;
  if (change) state_->results[entry.sequence] = change(*state_, entry.sequence);
  return Status::ok();
}

Fund Fund::clone() const {
  Fund copy;
  copy.ledger_ = ledger_;
  *copy.state_ = *state_;
  return copy;
}
Fund& Fund::operator=(Fund&&) noexcept = default;

// What the journal records about who asked and for what: derived from the request alone,
// so that a retry can be recognised before the command is decided again.
static Metadata request_metadata(const std::string& actor, const std::string& type,
                                 const json::object& command) {
  Metadata metadata{actor, type, 0, {}};
  // A number parsed from text is int64, one built in code may be uint64: read either.
  if (const auto* year = command.if_contains("year");
      year != nullptr && (year->is_int64() || year->is_uint64())) {
    const auto number =
        year->is_int64()
            ? year->as_int64()
            : static_cast<std::int64_t>(std::min<std::uint64_t>(year->as_uint64(), 1u << 30));
    if (number >= 2000 && number <= 2200) metadata.fund_year = static_cast<std::uint32_t>(number);
  }
  for (const char* name : {"claim", "member"}) {
    const auto* value = command.if_contains(name);
    if (value != nullptr && value->is_string() && !value->as_string().empty() &&
        value->as_string().size() <= 100) {
      metadata.references.push_back(std::string(name) + ":" + std::string(value->as_string()));
    }
  }
  return metadata;
}

Result<FundReceipt> Fund::execute(const FundRequest& request) {
  std::string type;
  if (const auto* type_value = request.command.if_contains("type");
      type_value != nullptr && type_value->is_string()) {
    type = std::string(type_value->as_string());
  }
  Command command{request.idempotency_key, request.time_unix_s,
                  request_metadata(request.actor, type, request.command),
                  RecordEvent{type, canonical_json(request.command), {}, {}}};
  if (auto retry = ledger_.find_retry(command)) {
    if (!retry->is_ok()) return retry->status();
    const auto sequence = retry->value().sequence;
    return FundReceipt{sequence, retry->value().hash, true, state_->results.at(sequence)};
  }
  Result<Effect> decided =
      decide(*state_, ledger_, request.command, request.time_unix_s, request.actor, type);
  if (!decided.is_ok()) return decided.status();
  auto& event = std::get<RecordEvent>(command.body);
  event.accounts = decided.value().accounts;
  event.postings = decided.value().postings;
  Result<Receipt> receipt = ledger_.execute(command);
  if (!receipt.is_ok()) return receipt.status();
  assert(!receipt.value().replayed);
  json::object result = decided.value().apply(*state_, receipt.value().sequence);
  state_->results[receipt.value().sequence] = result;
  if (keep_state_changes_)
    state_changes_.emplace_back(receipt.value().sequence, decided.value().apply);
  return FundReceipt{receipt.value().sequence, receipt.value().hash, false, std::move(result)};
}

Status Fund::replay(const JournalEntry& entry) {
  if (entry.kind != EntryKind::event) return ledger_.replay(entry);
  const std::string where = "transaction " + std::to_string(entry.sequence) + ": ";
  json::value command;
  try {
    command = json::parse(entry.event_payload);
  } catch (const std::exception&) {
    return Status::error(ErrorCode::corruption, where + "event payload is not JSON");
  }
  if (!command.is_object() || canonical_json(command) != entry.event_payload) {
    return Status::error(ErrorCode::corruption,
                         where + "event payload is not a canonical JSON object");
  }
  std::string type;
  Result<Effect> decided =
      decide(*state_, ledger_, command.as_object(), entry.time_unix_s, entry.metadata.actor, type);
  if (!decided.is_ok())
    return Status::error(ErrorCode::corruption,
                         where + "event no longer decides: " + decided.status().message());
  Effect& effect = decided.value();
  if (type != entry.event_type || effect.postings != entry.postings ||
      effect.accounts != entry.event_accounts ||
      request_metadata(entry.metadata.actor, type, command.as_object()) != entry.metadata) {
    return Status::error(ErrorCode::corruption,
                         where + "event decides differently from what was recorded");
  }
  if (Status replayed = ledger_.replay(entry); !replayed.is_ok()) return replayed;
  state_->results[entry.sequence] = effect.apply(*state_, entry.sequence);
  return Status::ok();
}

Result<Fund> load_fund(const Store& store) {
  Fund fund;
  if (Status replayed =
          replay_journal(store, [&](const JournalEntry& entry) { return fund.replay(entry); });
      !replayed.is_ok()) {
    return replayed;
  }
  if (Status checked = check_caches(fund.ledger(), store); !checked.is_ok()) return checked;
  return fund;
}

}  // namespace backstop
