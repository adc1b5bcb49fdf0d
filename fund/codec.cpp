// Commands to and from JSON. Each field is checked for its form here (type, length, range,
// one of a set of names); whether the command may be done is decided by the fund.
#include "fund/codec.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "fund/internal.hpp"
#include "fund/parameters.hpp"
#include "fund/rules.hpp"

namespace backstop {
namespace json = boost::json;
using fund::refuse;

namespace {

constexpr std::size_t member_bytes = 16, claim_bytes = 32, reason_bytes = 1000;

// Reads a command's fields, each with an error naming it, and refuses fields nobody read.
// `preset` fields come from elsewhere (a route) and may not appear in the body.
class Fields {
 public:
  Fields(const json::object& object, const PresetFields& preset = {})
      : object_(object), preset_(preset) {
    for (const auto& [name, value] : preset_) {
      if (object_.contains(name)) refuse("field '" + name + "' comes from the route", name);
    }
  }

  std::string text(const char* name, std::size_t max_bytes = 200) {
    for (const auto& [preset, value] : preset_) {
      if (preset == name) return checked_text(name, value, max_bytes);
    }
    const json::value& value = required(name);
    if (!value.is_string()) refuse(field(name) + " must be a string", name);
    return checked_text(name, std::string(value.as_string()), max_bytes);
  }
  // An identifier (rule 5's plain character set: letters, digits, '-', '_', '.'), so that two
  // references that look the same are the same.
  std::string reference(const char* name, std::size_t max_bytes) {
    std::string out = text(name, max_bytes);
    if (is_valid_nhs_number(out)) {
      refuse(field(name) +
                 " looks like a valid NHS number: the fund never stores patient identifiers; "
                 "send a pseudonym",
             name);
    }
    for (char c : out) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!plain) refuse(field(name) + " may hold only letters, digits, '-', '_' and '.'", name);
    }
    return out;
  }
  std::optional<std::string> optional_text(const char* name, std::size_t max_bytes = 200) {
    if (absent(name)) return std::nullopt;
    return text(name, max_bytes);
  }
  Money money(const char* name) {
    const json::value& value = required(name);
    if (!value.is_string()) {
      refuse(field(name) + " must be an amount written as a string, e.g. \"1234.56\"", name);
    }
    auto parsed = Money::parse(value.as_string());
    if (!parsed.is_ok()) {
      refuse(field(name) + ": " + parsed.status().message(), name, parsed.status().code());
    }
    // A bound far above any public budget keeps every later sum inside Int128.
    static const Int128 pence_max = Int128(1'000'000'000'000'000LL);  // £10 trillion
    const Int128 pence = parsed.value().pence();
    if (pence > pence_max || pence < -pence_max) {
      refuse(field(name) + " is beyond £10 trillion", name, ErrorCode::overflow);
    }
    return parsed.value();
  }
  std::optional<Money> optional_money(const char* name) {
    if (absent(name)) return std::nullopt;
    return money(name);
  }
  Rate rate(const char* name) {
    const json::value& value = required(name);
    if (!value.is_string()) refuse(field(name) + " must be a decimal string, e.g. \"0.9\"", name);
    auto parsed = Rate::parse(value.as_string());
    if (!parsed.is_ok()) {
      refuse(field(name) + ": " + parsed.status().message(), name, parsed.status().code());
    }
    return parsed.value();
  }
  std::int64_t integer(const char* name, std::int64_t low, std::int64_t high) {
    const json::value& value = required(name);
    if (!value.is_int64() && !value.is_uint64())
      refuse(field(name) + " must be a whole number", name);
    if (value.is_uint64() && value.as_uint64() > static_cast<std::uint64_t>(high)) {
      refuse(field(name) + " is out of range", name);
    }
    const std::int64_t number =
        value.is_int64() ? value.as_int64() : static_cast<std::int64_t>(value.as_uint64());
    if (number < low || number > high) {
      refuse(
          field(name) + " must be between " + std::to_string(low) + " and " + std::to_string(high),
          name);
    }
    return number;
  }
  std::optional<std::int64_t> optional_integer(const char* name, std::int64_t low,
                                               std::int64_t high) {
    if (absent(name)) return std::nullopt;
    return integer(name, low, high);
  }
  bool boolean(const char* name) {
    if (absent(name)) return false;
    const json::value& value = object_.at(name);
    if (!value.is_bool()) refuse(field(name) + " must be true or false", name);
    return value.as_bool();
  }
  std::uint32_t year() { return static_cast<std::uint32_t>(integer("year", 2000, 2200)); }
  // One of a set of names, e.g. a status.
  template <typename Enum, std::size_t N>
  Enum one_of(const char* name, const std::pair<const char*, Enum> (&choices)[N]) {
    const std::string given = text(name, 32);
    for (const auto& [choice, value] : choices) {
      if (given == choice) return value;
    }
    std::string names;
    for (std::size_t i = 0; i < N; ++i) {
      names += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(choices[i].first);
    }
    refuse(field(name) + " must be " + names, name);
  }
  const json::value* raw(const char* name) {
    read_.insert(name);
    const json::value* value = object_.if_contains(name);
    return value == nullptr || value->is_null() ? nullptr : value;
  }
  void finish() const {
    for (const auto& entry : object_) {
      const std::string key(entry.key());
      if (read_.contains(key)) continue;
      // The name is the caller's: quote at most a little of it.
      refuse("unknown field '" + key.substr(0, 64) + (key.size() > 64 ? "...'" : "'"),
             key.substr(0, 64));
    }
  }

 private:
  static std::string field(const char* name) { return std::string("field '") + name + "'"; }
  bool absent(const char* name) {
    read_.insert(name);
    for (const auto& [preset, value] : preset_) {
      if (preset == name) return false;
    }
    const json::value* value = object_.if_contains(name);
    return value == nullptr || value->is_null();
  }
  const json::value& required(const char* name) {
    if (absent(name)) refuse(field(name) + " is required", name);
    return object_.at(name);
  }
  std::string checked_text(const char* name, std::string out, std::size_t max_bytes) {
    if (out.empty() || out.size() > max_bytes) {
      refuse(field(name) + " must be 1 to " + std::to_string(max_bytes) + " bytes", name);
    }
    for (char c : out) {
      if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f')
        refuse(field(name) + " holds a control character", name);
    }
    return out;
  }

  const json::object& object_;
  const PresetFields preset_;  // a copy: the default argument is a temporary
  std::set<std::string> read_;
};

const std::pair<const char*, MemberStatus> member_statuses[] = {
    {"active", MemberStatus::active},
    {"special_measures", MemberStatus::special_measures},
    {"dissolved", MemberStatus::dissolved}};
const std::pair<const char*, ClaimKind> claim_kinds[] = {{"interim", ClaimKind::interim},
                                                         {"final", ClaimKind::final}};
const std::pair<const char*, DecisionOutcome> outcomes[] = {
    {"approve", DecisionOutcome::approve},
    {"partially_approve", DecisionOutcome::partially_approve},
    {"deny", DecisionOutcome::deny}};
const std::pair<const char*, ReasonCode> reason_codes[] = {
    {"R01", ReasonCode::R01}, {"R02", ReasonCode::R02}, {"R03", ReasonCode::R03},
    {"R04", ReasonCode::R04}, {"R05", ReasonCode::R05}, {"R06", ReasonCode::R06},
    {"R07", ReasonCode::R07}, {"R08", ReasonCode::R08}, {"R09", ReasonCode::R09}};

template <typename Enum, std::size_t N>
const char* name_in(const std::pair<const char*, Enum> (&choices)[N], Enum value) {
  for (const auto& [name, choice] : choices) {
    if (choice == value) return name;
  }
  return "unknown";
}

std::optional<ParameterOverrides> decode_parameters(Fields& fields) {
  const json::value* given = fields.raw("parameters");
  if (given == nullptr) return std::nullopt;
  if (!given->is_object()) refuse("field 'parameters' must be an object", "parameters");
  Fields inner(given->as_object());
  ParameterOverrides out;
  for (const auto& field : parameter_fields()) {
    const json::value* value = given->as_object().if_contains(field.name);
    if (value == nullptr) continue;
    if (value->is_null()) refuse(std::string("parameter '") + field.name + "' is null", field.name);
    if (field.money) out.values.*field.money = inner.money(field.name);
    if (field.rate) out.values.*field.rate = inner.rate(field.name);
    if (field.integer) {
      out.values.*field.integer =
          static_cast<int>(inner.integer(field.name, field.low, field.high));
    }
    out.given.push_back(field.name);
  }
  inner.finish();
  return out;
}

std::vector<ScheduleRow> decode_rows(Fields& fields) {
  const json::value* rows = fields.raw("rows");
  if (rows == nullptr || !rows->is_array() || rows->as_array().empty())
    refuse("field 'rows' must be a non-empty array", "rows");
  if (rows->as_array().size() > 1000) refuse("at most 1000 rows in one schedule", "rows");
  std::vector<ScheduleRow> out;
  for (const auto& row : rows->as_array()) {
    if (!row.is_object()) refuse("each row must be an object {member, contribution}", "rows");
    Fields inner(row.as_object());
    ScheduleRow decoded{inner.reference("member", member_bytes), inner.money("contribution")};
    inner.finish();
    out.push_back(std::move(decoded));
  }
  return out;
}

// One decoder per command; each reads its fields in the order docs/fund.md lists them.
FundCommand decode(Fields& f, std::type_identity<RegisterMember>) {
  return RegisterMember{f.reference("member", member_bytes), f.text("name"),
                        f.integer("population", 1, 100'000'000)};
}
FundCommand decode(Fields& f, std::type_identity<RenameMember>) {
  return RenameMember{f.reference("member", member_bytes), f.text("name")};
}
FundCommand decode(Fields& f, std::type_identity<UpdatePopulation>) {
  return UpdatePopulation{f.reference("member", member_bytes),
                          f.integer("population", 1, 100'000'000)};
}
FundCommand decode(Fields& f, std::type_identity<SetMemberStatus>) {
  SetMemberStatus out;
  out.member = f.reference("member", member_bytes);
  out.status = f.one_of("status", member_statuses);
  out.reason = f.text("reason", reason_bytes);
  return out;
}
FundCommand decode(Fields& f, std::type_identity<MergeMembers>) {
  return MergeMembers{f.reference("member", member_bytes), f.reference("into", member_bytes)};
}
FundCommand decode(Fields& f, std::type_identity<CreateYear>) {
  return CreateYear{f.year(), decode_parameters(f)};
}
FundCommand decode(Fields& f, std::type_identity<AmendParameters>) {
  AmendParameters out;
  out.year = f.year();
  out.reason = f.text("reason", reason_bytes);
  out.parameters = decode_parameters(f);
  out.effective_from = f.optional_integer("effective_from", 0, 1LL << 40);
  return out;
}
FundCommand decode(Fields& f, std::type_identity<OpenYear>) { return OpenYear{f.year()}; }
FundCommand decode(Fields& f, std::type_identity<BeginClosing>) { return BeginClosing{f.year()}; }
FundCommand decode(Fields& f, std::type_identity<SetAllocation>) {
  return SetAllocation{f.year(), f.reference("member", member_bytes), f.money("allocation")};
}
FundCommand decode(Fields& f, std::type_identity<ApplyRateSchedule>) {
  return ApplyRateSchedule{f.year(), decode_rows(f)};
}
FundCommand decode(Fields& f, std::type_identity<FileReturn>) {
  FileReturn out;
  out.year = f.year();
  out.member = f.reference("member", member_bytes);
  out.period = static_cast<int>(f.integer("period", 1, 12));
  out.spend_to_date = f.money("spend_to_date");
  out.forecast_outturn = f.money("forecast_outturn");
  out.planned = f.money("planned");
  out.unplanned = f.money("unplanned");
  return out;
}
FundCommand decode(Fields& f, std::type_identity<SetAvoidable>) {
  SetAvoidable out;
  out.year = f.year();
  out.member = f.reference("member", member_bytes);
  out.amount = f.money("amount");
  out.reason = f.text("reason", reason_bytes);
  return out;
}
FundCommand decode(Fields& f, std::type_identity<ApproveLoan>) {
  return ApproveLoan{f.year(), f.reference("member", member_bytes), f.money("amount")};
}
FundCommand decode(Fields& f, std::type_identity<FileSpecificClaim>) {
  FileSpecificClaim out;
  out.year = f.year();
  out.member = f.reference("member", member_bytes);
  out.patient = f.reference("patient", 64);
  out.episode = f.reference("episode", 64);
  out.kind = f.one_of("kind", claim_kinds);
  out.cumulative_cost = f.money("cumulative_cost");
  out.evidence = f.boolean("evidence");
  return out;
}
FundCommand decode(Fields& f, std::type_identity<DecideClaim>) {
  DecideClaim out;
  out.claim = f.reference("claim", claim_bytes);
  out.outcome = f.one_of("outcome", outcomes);
  out.reason_code = f.one_of("reason_code", reason_codes);
  out.adjudicated_cost = f.optional_money("adjudicated_cost");
  out.note = f.optional_text("note", reason_bytes);
  return out;
}
FundCommand decode(Fields& f, std::type_identity<ConfirmDecision>) {
  return ConfirmDecision{f.reference("claim", claim_bytes)};
}
FundCommand decode(Fields& f, std::type_identity<WithdrawClaim>) {
  return WithdrawClaim{f.reference("claim", claim_bytes)};
}
FundCommand decode(Fields& f, std::type_identity<AppealClaim>) {
  return AppealClaim{f.reference("claim", claim_bytes), f.text("grounds", 2000)};
}
FundCommand decode(Fields& f, std::type_identity<FileAggregateClaim>) {
  return FileAggregateClaim{f.year(), f.reference("member", member_bytes), f.money("outturn"),
                            f.money("planned")};
}
FundCommand decode(Fields& f, std::type_identity<RecordReceipt>) {
  return RecordReceipt{f.year(), f.reference("member", member_bytes), f.money("amount")};
}
FundCommand decode(Fields& f, std::type_identity<PayClaim>) {
  return PayClaim{f.reference("claim", claim_bytes), f.boolean("set_off")};
}
FundCommand decode(Fields& f, std::type_identity<PayMember>) {
  return PayMember{f.reference("member", member_bytes), f.boolean("set_off")};
}
FundCommand decode(Fields& f, std::type_identity<ConfirmPayment>) {
  ConfirmPayment out{f.optional_text("claim", claim_bytes),
                     f.optional_text("member", member_bytes)};
  if (out.claim.has_value() == out.member.has_value()) refuse("give one of 'claim' or 'member'");
  return out;
}
FundCommand decode(Fields& f, std::type_identity<CollectMember>) {
  return CollectMember{f.reference("member", member_bytes)};
}
FundCommand decode(Fields& f, std::type_identity<ReversePayment>) {
  return ReversePayment{f.reference("claim", claim_bytes), f.text("reason", reason_bytes)};
}
FundCommand decode(Fields& f, std::type_identity<CloseYear>) {
  return CloseYear{f.year(), f.boolean("allow_missing_returns")};
}

using Decoder = FundCommand (*)(Fields&);

// The command table: every alternative of FundCommand, by name.
template <std::size_t... I>
std::map<std::string_view, Decoder> make_decoders(std::index_sequence<I...>) {
  return {{std::variant_alternative_t<I, FundCommand>::type_name, [](Fields& fields) {
             return decode(fields,
                           std::type_identity<std::variant_alternative_t<I, FundCommand>>{});
           }}...};
}
const std::map<std::string_view, Decoder>& decoders() {
  static const auto table =
      make_decoders(std::make_index_sequence<std::variant_size_v<FundCommand>>{});
  return table;
}

Result<FundCommand> decode_fields(std::string_view type, const json::object& body,
                                  const PresetFields& preset, bool body_has_type) {
  try {
    auto decoder = decoders().find(type);
    if (decoder == decoders().end()) {
      refuse("unknown command type '" + std::string(type.substr(0, 64)) + "'", "type");
    }
    Fields fields(body, preset);
    if (body_has_type) fields.raw("type");
    FundCommand command = decoder->second(fields);
    fields.finish();
    return command;
  } catch (const fund::Refusal& refusal) {
    return refusal.status();
  } catch (const std::overflow_error& error) {
    // A number that parses but does not fit the fund's checked arithmetic (e.g. a rate).
    return Status::error(ErrorCode::overflow,
                         std::string("a number is out of range: ") + error.what());
  }
}

// --- encoding ----------------------------------------------------------------------------

void put(json::object& out, const char* name, const std::string& value) { out[name] = value; }
void put(json::object& out, const char* name, const Money& value) { out[name] = value.to_string(); }
void put(json::object& out, const char* name, std::int64_t value) { out[name] = value; }
void put(json::object& out, const char* name, bool value) { out[name] = value; }
template <typename T>
void put(json::object& out, const char* name, const std::optional<T>& value) {
  if (value) put(out, name, *value);
}

json::object encode_parameters(const ParameterOverrides& overrides) {
  json::object out;
  for (const auto& field : parameter_fields()) {
    const auto& given = overrides.given;
    if (std::find(given.begin(), given.end(), field.name) == given.end()) continue;
    if (field.money) out[field.name] = (overrides.values.*field.money).to_string();
    if (field.rate) out[field.name] = (overrides.values.*field.rate).to_string();
    if (field.integer) out[field.name] = overrides.values.*field.integer;
  }
  return out;
}

void encode(json::object& o, const RegisterMember& c) {
  put(o, "member", c.member), put(o, "name", c.name), put(o, "population", c.population);
}
void encode(json::object& o, const RenameMember& c) {
  put(o, "member", c.member), put(o, "name", c.name);
}
void encode(json::object& o, const UpdatePopulation& c) {
  put(o, "member", c.member), put(o, "population", c.population);
}
void encode(json::object& o, const SetMemberStatus& c) {
  put(o, "member", c.member), put(o, "reason", c.reason);
  o["status"] = name_in(member_statuses, c.status);
}
void encode(json::object& o, const MergeMembers& c) {
  put(o, "member", c.member), put(o, "into", c.into);
}
void encode(json::object& o, const CreateYear& c) {
  o["year"] = c.year;
  if (c.parameters) o["parameters"] = encode_parameters(*c.parameters);
}
void encode(json::object& o, const AmendParameters& c) {
  o["year"] = c.year;
  put(o, "reason", c.reason), put(o, "effective_from", c.effective_from);
  if (c.parameters) o["parameters"] = encode_parameters(*c.parameters);
}
void encode(json::object& o, const OpenYear& c) { o["year"] = c.year; }
void encode(json::object& o, const BeginClosing& c) { o["year"] = c.year; }
void encode(json::object& o, const SetAllocation& c) {
  o["year"] = c.year;
  put(o, "member", c.member), put(o, "allocation", c.allocation);
}
void encode(json::object& o, const ApplyRateSchedule& c) {
  o["year"] = c.year;
  json::array rows;
  for (const auto& row : c.rows) {
    rows.push_back(
        json::object{{"member", row.member}, {"contribution", row.contribution.to_string()}});
  }
  o["rows"] = std::move(rows);
}
void encode(json::object& o, const FileReturn& c) {
  o["year"] = c.year;
  put(o, "member", c.member), put(o, "period", std::int64_t{c.period});
  put(o, "spend_to_date", c.spend_to_date), put(o, "forecast_outturn", c.forecast_outturn);
  put(o, "planned", c.planned), put(o, "unplanned", c.unplanned);
}
void encode(json::object& o, const SetAvoidable& c) {
  o["year"] = c.year;
  put(o, "member", c.member), put(o, "amount", c.amount), put(o, "reason", c.reason);
}
void encode(json::object& o, const ApproveLoan& c) {
  o["year"] = c.year;
  put(o, "member", c.member), put(o, "amount", c.amount);
}
void encode(json::object& o, const FileSpecificClaim& c) {
  o["year"] = c.year;
  put(o, "member", c.member), put(o, "patient", c.patient), put(o, "episode", c.episode);
  o["kind"] = name_in(claim_kinds, c.kind);
  put(o, "cumulative_cost", c.cumulative_cost), put(o, "evidence", c.evidence);
}
void encode(json::object& o, const DecideClaim& c) {
  put(o, "claim", c.claim);
  o["outcome"] = name_in(outcomes, c.outcome);
  o["reason_code"] = name_in(reason_codes, c.reason_code);
  put(o, "adjudicated_cost", c.adjudicated_cost), put(o, "note", c.note);
}
void encode(json::object& o, const ConfirmDecision& c) { put(o, "claim", c.claim); }
void encode(json::object& o, const WithdrawClaim& c) { put(o, "claim", c.claim); }
void encode(json::object& o, const AppealClaim& c) {
  put(o, "claim", c.claim), put(o, "grounds", c.grounds);
}
void encode(json::object& o, const FileAggregateClaim& c) {
  o["year"] = c.year;
  put(o, "member", c.member), put(o, "outturn", c.outturn), put(o, "planned", c.planned);
}
void encode(json::object& o, const RecordReceipt& c) {
  o["year"] = c.year;
  put(o, "member", c.member), put(o, "amount", c.amount);
}
void encode(json::object& o, const PayClaim& c) {
  put(o, "claim", c.claim), put(o, "set_off", c.set_off);
}
void encode(json::object& o, const PayMember& c) {
  put(o, "member", c.member), put(o, "set_off", c.set_off);
}
void encode(json::object& o, const ConfirmPayment& c) {
  put(o, "claim", c.claim), put(o, "member", c.member);
}
void encode(json::object& o, const CollectMember& c) { put(o, "member", c.member); }
void encode(json::object& o, const ReversePayment& c) {
  put(o, "claim", c.claim), put(o, "reason", c.reason);
}
void encode(json::object& o, const CloseYear& c) {
  o["year"] = c.year;
  put(o, "allow_missing_returns", c.allow_missing_returns);
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

Result<FundCommand> decode_command(const json::object& request) {
  const json::value* type = request.if_contains("type");
  if (type == nullptr || !type->is_string()) {
    return Status::refusal(ErrorCode::invalid_argument,
                           "field 'type' is required: the command's name", "type");
  }
  return decode_fields(type->as_string(), request, {}, true);
}

Result<FundCommand> decode_command(std::string_view type, const json::object& body,
                                   const PresetFields& preset) {
  if (body.contains("type")) {
    return Status::refusal(ErrorCode::invalid_argument, "field 'type' comes from the route",
                           "type");
  }
  return decode_fields(type, body, preset, false);
}

json::object encode_command(const FundCommand& command) {
  json::object out;
  out["type"] = command_name(command);
  std::visit([&](const auto& typed) { encode(out, typed); }, command);
  return out;
}

std::string canonical_json(const json::value& value) {
  std::string out;
  canonical_into(value, out);
  return out;
}

CommandRecord journal_record(const FundCommand& command) {
  const json::object encoded = encode_command(command);
  CommandRecord record{command_name(command), canonical_json(encoded), 0, {}};
  if (const auto* year = encoded.if_contains("year"); year != nullptr) {
    record.fund_year = static_cast<std::uint32_t>(year->to_number<std::int64_t>());
  }
  for (const char* name : {"claim", "member"}) {
    if (const auto* value = encoded.if_contains(name); value != nullptr) {
      record.references.push_back(std::string(name) + ":" + std::string(value->as_string()));
    }
  }
  return record;
}

Result<FundCommand> decode_journal_payload(const std::string& payload) {
  json::error_code error;
  const json::value parsed = json::parse(payload, error);
  if (error || !parsed.is_object() || canonical_json(parsed) != payload) {
    return Status::error(ErrorCode::corruption, "event payload is not a canonical JSON object");
  }
  return decode_command(parsed.as_object());
}

json::object to_json(const YearParameters& parameters) {
  ParameterOverrides all{parameters, {}};
  for (const auto& field : parameter_fields()) all.given.push_back(field.name);
  return encode_parameters(all);
}

const char* command_name(const FundCommand& command) {
  return std::visit([](const auto& typed) { return std::decay_t<decltype(typed)>::type_name; },
                    command);
}

const char* member_status_name(MemberStatus status) { return name_in(member_statuses, status); }
const char* claim_kind_name(ClaimKind kind) { return name_in(claim_kinds, kind); }
const char* decision_outcome_name(DecisionOutcome outcome) { return name_in(outcomes, outcome); }
std::string reason_code_name(ReasonCode code) { return name_in(reason_codes, code); }

const char* year_status_name(YearStatus status) {
  static const std::pair<const char*, YearStatus> names[] = {{"draft", YearStatus::draft},
                                                             {"open", YearStatus::open},
                                                             {"closing", YearStatus::closing},
                                                             {"closed", YearStatus::closed}};
  return name_in(names, status);
}

const char* claim_status_name(ClaimStatus status) {
  using S = ClaimStatus;
  static const std::pair<const char*, S> names[] = {{"submitted", S::submitted},
                                                    {"pended", S::pended},
                                                    {"under_review", S::under_review},
                                                    {"approved", S::approved},
                                                    {"partially_approved", S::partially_approved},
                                                    {"denied", S::denied},
                                                    {"paid", S::paid},
                                                    {"withdrawn", S::withdrawn},
                                                    {"appealed", S::appealed},
                                                    {"reversed", S::reversed}};
  return name_in(names, status);
}

std::string Actor::to_string() const {
  switch (role) {
    case Role::admin:
      return "admin:" + name;
    case Role::member:
      return "member:" + name;
    case Role::actuary:
      return "actuary:" + name;
  }
  return name;
}

std::optional<Actor> Actor::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) return std::nullopt;
  const std::string_view role = text.substr(0, colon);
  const std::string name(text.substr(colon + 1));
  if (role == "admin") return Actor{Actor::Role::admin, name};
  if (role == "member") return Actor{Actor::Role::member, name};
  if (role == "actuary") return Actor{Actor::Role::actuary, name};
  return std::nullopt;
}

}  // namespace backstop
