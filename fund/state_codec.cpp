#include "fund/state_codec.hpp"

#include <concepts>
#include <map>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ledger/bytes.hpp"

namespace backstop {
namespace {

// What follows the version byte, so that a result is never read as a state or the reverse.
enum class Payload : std::uint8_t { state = 1, result = 2 };

// A state holds a string per claim, decision and member, so counts run far beyond the
// journal's per-entry bound; ByteReader::count still refuses any count beyond the bytes left.
constexpr ByteLimits state_limits{.string_bytes = 1u << 20, .items = 1u << 30};

// --- each record's fields, in wire order ----------------------------------------------------
// Listed once and used by both the writer and the reader, so the two cannot drift apart.
// A field added to a struct must be added here (and the format version raised); the tests'
// generators set every field, so a field missing here fails the round trip.

template <typename T, typename U>
concept Is = std::same_as<std::remove_const_t<T>, U>;

auto fields(Is<YearParameters> auto& p) {
  return std::tie(p.specific_threshold, p.specific_share, p.specific_cap, p.corridor_b1,
                  p.corridor_b2, p.loss_share_f2, p.loss_share_f3, p.gain_share_g2, p.gain_share_g3,
                  p.aggregate_cap, p.gain_carry_cap, p.loss_repay_years, p.loan_limit,
                  p.loan_term_years, p.specific_deadline_days, p.aggregate_deadline_days,
                  p.reserve_target, p.rebate_margin, p.max_call, p.four_eyes_above,
                  p.manual_review_above, p.review_sample);
}
auto fields(Is<Member> auto& m) {
  return std::tie(m.id, m.name, m.population, m.status, m.merged_into);
}
auto fields(Is<ParameterVersion> auto& v) {
  return std::tie(v.effective_time_unix_s, v.parameters, v.actor, v.reason);
}
auto fields(Is<MonthlyReturn> auto& r) {
  return std::tie(r.period, r.spend_to_date, r.forecast_outturn, r.planned, r.unplanned);
}
auto fields(Is<SettlementFigures> auto& s) {
  return std::tie(s.allocation, s.adjusted_allocation, s.spend, s.planned, s.avoidable,
                  s.specific_recoveries, s.net_unplanned_variance, s.fund_share, s.retained,
                  s.loss_instalments, s.gain_credit, s.gain_surrendered, s.loan_repaid,
                  s.year_recoveries_unpaid, s.supplementary_call, s.deferred_recoveries,
                  s.fund_share_deferred, s.rebate, s.missing_return);
}
auto fields(Is<MemberYear> auto& y) {
  return std::tie(y.allocation, y.contribution, y.contribution_due_unix_s, y.returns, y.avoidable,
                  y.loan, y.aggregate_outturn, y.aggregate_planned, y.missing_return_closed,
                  y.settlement);
}
auto fields(Is<Decision> auto& d) {
  return std::tie(d.actor, d.outcome, d.reason_code, d.time_unix_s, d.note);
}
auto fields(Is<SpecificClaim> auto& c) {
  return std::tie(c.id, c.member, c.year, c.patient, c.episode, c.kind, c.cumulative_cost,
                  c.adjudicated_cost, c.evidence, c.status, c.review_reason, c.approved, c.paid,
                  c.deferred, c.last_payment_cash, c.decided_unix_s, c.appealed, c.proposed,
                  c.decisions);
}
auto fields(Is<Due> auto& d) { return std::tie(d.kind, d.year, d.due_unix_s, d.outstanding); }
auto fields(Is<ProposedPayment> auto& p) { return std::tie(p.actor, p.owed, p.cash, p.set_off); }
auto fields(Is<PaymentTotals> auto& t) { return std::tie(t.paid_out, t.set_off, t.received); }
auto fields(Is<SettlementTotals> auto& t) {
  return std::tie(t.year_accounts, t.reserve_opening, t.reserve_before_calls, t.reserve_closing,
                  t.deficit, t.reserve_target, t.members);
}
auto fields(Is<FundYear> auto& y) {
  return std::tie(y.year, y.status, y.versions, y.members, y.deferred_out, y.report);
}
auto fields(Is<CarryItem> auto& c) { return std::tie(c.due_year, c.amount, c.kind, c.from_year); }
auto fields(Is<FundState> auto& s) {
  return std::tie(s.members, s.years, s.claims, s.patient_liability, s.carry, s.episode_claims,
                  s.approved_costs, s.member_claims, s.dues, s.proposed_payments, s.payments);
}

// The results of commands (the alternatives of CommandResult).
auto fields(Is<MemberStatusSet> auto& r) { return std::tie(r.member, r.status); }
auto fields(Is<MemberRenamed> auto& r) { return std::tie(r.member, r.name); }
auto fields(Is<PopulationUpdated> auto& r) { return std::tie(r.member, r.population); }
auto fields(Is<MembersMerged> auto& r) { return std::tie(r.member, r.merged_into); }
auto fields(Is<YearCreated> auto& r) { return std::tie(r.year, r.parameters); }
auto fields(Is<ParametersAmended> auto& r) { return std::tie(r.year, r.version, r.effective_from); }
auto fields(Is<YearStatusSet> auto& r) { return std::tie(r.year, r.status); }
auto fields(Is<AllocationSet> auto& r) { return std::tie(r.year, r.member, r.allocation); }
auto fields(Is<ScheduleApplied> auto& r) { return std::tie(r.year, r.members, r.total); }
auto fields(Is<ReturnFiled> auto& r) { return std::tie(r.year, r.member, r.period); }
auto fields(Is<AvoidableSet> auto& r) { return std::tie(r.year, r.member, r.avoidable); }
auto fields(Is<LoanApproved> auto& r) { return std::tie(r.year, r.member, r.loan, r.instalments); }
auto fields(Is<ClaimOutcome> auto& r) {
  return std::tie(r.claim, r.status, r.approved, r.reason_code, r.has_decision, r.review,
                  r.awaiting_second_administrator);
}
auto fields(Is<AggregateClaimFiled> auto& r) { return std::tie(r.claim); }
auto fields(Is<PaymentMade> auto& r) {
  return std::tie(r.member, r.owed, r.set_off, r.paid, r.claim, r.claims_paid);
}
auto fields(Is<PaymentProposed> auto& r) { return std::tie(r.payment, r.proposed); }
auto fields(Is<ReceiptRecorded> auto& r) { return std::tie(r.member, r.received, r.still_owed); }
auto fields(Is<PaymentReversed> auto& r) { return std::tie(r.claim, r.reversed); }
auto fields(Is<YearClosed> auto& r) { return std::tie(r.year, r.totals); }

template <typename T>
concept Record = requires(T& value) {
  fields(value);
};

// --- enums: the range of values each may take -----------------------------------------------
// Read back as their underlying value and refused outside [first, last]. An enumerator added
// after `last` must move `last` (and raise the format version).

struct EnumRange {
  int first, last;
};
constexpr EnumRange enum_range(MemberStatus) {
  return {0, static_cast<int>(MemberStatus::dissolved)};
}
constexpr EnumRange enum_range(YearStatus) { return {0, static_cast<int>(YearStatus::closed)}; }
constexpr EnumRange enum_range(ClaimStatus) { return {0, static_cast<int>(ClaimStatus::reversed)}; }
constexpr EnumRange enum_range(ClaimKind) { return {0, static_cast<int>(ClaimKind::final)}; }
constexpr EnumRange enum_range(ReasonCode) {
  return {static_cast<int>(ReasonCode::R01), static_cast<int>(ReasonCode::R09)};
}

template <typename E>
concept CheckedEnum = std::is_enum_v<E> && requires(E e) {
  enum_range(e);
};

// --- the two directions ---------------------------------------------------------------------
// Overloads by type; as members of one class each finds the others whatever their order.

class Encoder {
 public:
  explicit Encoder(Payload payload) {
    out_.u8(state_format_version);
    out_.u8(static_cast<std::uint8_t>(payload));
  }
  std::string take() { return out_.take(); }

  template <std::integral I>
  void put(I value) {
    if constexpr (std::is_same_v<I, bool>) {
      out_.boolean(value);
    } else {
      static_assert(sizeof(I) == 4 || sizeof(I) == 8, "integers are 32 or 64 bits wide");
      if constexpr (std::is_signed_v<I> && sizeof(I) == 4) out_.i32(value);
      if constexpr (std::is_signed_v<I> && sizeof(I) == 8) out_.i64(value);
      if constexpr (std::is_unsigned_v<I> && sizeof(I) == 4) out_.u32(value);
      if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) out_.u64(value);
    }
  }
  template <CheckedEnum E>
  void put(E value) {
    static_assert(enum_range(E{}).last <= 0xff, "an enum is one byte on the wire");
    out_.u8(static_cast<std::uint8_t>(value));
  }
  void put(const std::string& value) { out_.str(value); }
  void put(const Money& value) { out_.money_exact(value); }
  void put(const Rate& value) { out_.i64(value.ppm()); }
  template <typename T>
  void put(const std::optional<T>& value) {
    out_.optional(value, [this](const T& present) { put(present); });
  }
  template <typename T>
  void put(const std::vector<T>& items) {
    out_.count(items.size());
    for (const auto& item : items) put(item);
  }
  template <typename K, typename V>
  void put(const std::map<K, V>& items) {
    out_.count(items.size());
    for (const auto& [key, value] : items) {
      put(key);
      put(value);
    }
  }
  template <typename A, typename B>
  void put(const std::pair<A, B>& pair) {
    put(pair.first);
    put(pair.second);
  }
  template <typename... T>
  void put(const std::tuple<T...>& tuple) {
    std::apply([this](const auto&... item) { (put(item), ...); }, tuple);
  }
  template <typename... T>
  void put(const std::variant<T...>& variant) {
    out_.u8(static_cast<std::uint8_t>(variant.index()));
    std::visit([this](const auto& alternative) { put(alternative); }, variant);
  }
  template <Record T>
  void put(const T& record) {
    std::apply([this](const auto&... field) { (put(field), ...); }, fields(record));
  }

 private:
  ByteWriter out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : in_(bytes, state_limits) {}
  std::size_t position() const { return in_.position(); }

  void header(Payload payload) {
    if (in_.u8() != state_format_version) throw DecodeError("unknown format version");
    if (in_.u8() != static_cast<std::uint8_t>(payload)) throw DecodeError("not this payload");
  }
  void finish() const {
    if (!in_.at_end()) throw DecodeError("trailing bytes");
  }

  template <std::integral I>
  void get(I& value) {
    if constexpr (std::is_same_v<I, bool>) {
      value = in_.boolean();
    } else {
      if constexpr (std::is_signed_v<I> && sizeof(I) == 4) value = in_.i32();
      if constexpr (std::is_signed_v<I> && sizeof(I) == 8) value = in_.i64();
      if constexpr (std::is_unsigned_v<I> && sizeof(I) == 4) value = in_.u32();
      if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) value = in_.u64();
    }
  }
  template <CheckedEnum E>
  void get(E& value) {
    const int raw = in_.u8();
    const EnumRange range = enum_range(E{});
    if (raw < range.first || raw > range.last) throw DecodeError("enum value out of range");
    value = static_cast<E>(raw);
  }
  void get(std::string& value) { value = in_.str(); }
  void get(Money& value) { value = in_.money_exact(); }
  void get(Rate& value) {
    auto rate = Rate::from_ppm(in_.i64());
    if (!rate.is_ok()) throw DecodeError("rate out of range");
    value = rate.value();
  }
  template <typename T>
  void get(std::optional<T>& value) {
    value = in_.optional([this] {
      T present{};
      get(present);
      return present;
    });
  }
  template <typename T>
  void get(std::vector<T>& items) {
    items.clear();
    for (std::uint32_t n = in_.count(); n > 0; --n) get(items.emplace_back());
  }
  template <typename K, typename V>
  void get(std::map<K, V>& items) {
    items.clear();
    for (std::uint32_t n = in_.count(); n > 0; --n) {
      K key{};
      get(key);
      // Ascending and distinct, as the writer leaves them: nothing dropped, one encoding.
      if (!items.empty() && !(items.rbegin()->first < key))
        throw DecodeError("map keys out of order");
      get(items.emplace_hint(items.end(), std::move(key), V{})->second);
    }
  }
  template <typename A, typename B>
  void get(std::pair<A, B>& pair) {
    get(pair.first);
    get(pair.second);
  }
  template <typename... T>
  void get(std::tuple<T...>& tuple) {
    std::apply([this](auto&... item) { (get(item), ...); }, tuple);
  }
  template <typename... T>
  void get(std::variant<T...>& variant) {
    const std::uint8_t index = in_.u8();
    if (index >= sizeof...(T)) throw DecodeError("unknown result type");
    get_alternative(variant, index, std::index_sequence_for<T...>{});
  }
  template <Record T>
  void get(T& record) {
    std::apply([this](auto&... field) { (get(field), ...); }, fields(record));
  }

 private:
  template <typename V, std::size_t... I>
  void get_alternative(V& variant, std::size_t index, std::index_sequence<I...>) {
    ((index == I ? get(variant.template emplace<I>()) : void()), ...);
  }
  ByteReader in_;
};

template <typename T>
std::string encode(const T& value, Payload payload) {
  Encoder encoder(payload);
  encoder.put(value);
  return encoder.take();
}

// The one place a decoding error is caught: it becomes a Status naming where it was found.
template <typename T>
Result<T> decode(std::string_view bytes, Payload payload, const char* what) {
  Decoder decoder(bytes);
  try {
    decoder.header(payload);
    T value;
    decoder.get(value);
    decoder.finish();
    return value;
  } catch (const DecodeError& error) {
    return Status::error(ErrorCode::corruption, std::string("undecodable ") + what + ": " +
                                                    error.what() + " (read to byte " +
                                                    std::to_string(decoder.position()) + " of " +
                                                    std::to_string(bytes.size()) + ")");
  }
}

}  // namespace

std::string encode_state(const FundState& state) { return encode(state, Payload::state); }

Result<FundState> decode_state(std::string_view bytes) {
  return decode<FundState>(bytes, Payload::state, "fund state");
}

std::string encode_result(const CommandResult& result) { return encode(result, Payload::result); }

Result<CommandResult> decode_result(std::string_view bytes) {
  return decode<CommandResult>(bytes, Payload::result, "command result");
}

}  // namespace backstop
