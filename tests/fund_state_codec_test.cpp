// The checkpoint codec (fund/state_codec.hpp): every field of the fund's state and of every
// command result survives encode then decode; truncated, altered, foreign or over-long input
// is refused as corruption and never crashes; whatever decodes re-encodes to its own bytes.
// The states here are built field by field, by hand and at random, independently of the
// codec's own field lists, so a field the codec forgets fails the round trip.
#include <catch2/catch.hpp>
#include <functional>
#include <limits>
#include <random>

#include "fund/parameters.hpp"
#include "fund/state_codec.hpp"
#include "ledger/bytes.hpp"

namespace backstop {
namespace {

Money pence(std::int64_t value) { return Money::from_pence(Int128(value)); }
Rate ppm(std::int64_t value) { return Rate::from_ppm(value).value(); }
const Int128 int128_max = std::numeric_limits<Int128>::max();

// --- one state with every field set, none to its default ----------------------------------

YearParameters full_parameters(int seed) {
  YearParameters p;
  p.specific_threshold = pence(1'001 + seed);
  p.specific_share = ppm(101 + seed);
  p.specific_cap = pence(1'002 + seed);
  p.corridor_b1 = ppm(102 + seed);
  p.corridor_b2 = ppm(103 + seed);
  p.loss_share_f2 = ppm(104 + seed);
  p.loss_share_f3 = ppm(105 + seed);
  p.gain_share_g2 = ppm(106 + seed);
  p.gain_share_g3 = ppm(107 + seed);
  p.aggregate_cap = ppm(108 + seed);
  p.gain_carry_cap = ppm(109 + seed);
  p.loss_repay_years = 7 + seed;
  p.loan_limit = ppm(110 + seed);
  p.loan_term_years = 8 + seed;
  p.specific_deadline_days = 91 + seed;
  p.aggregate_deadline_days = 121 + seed;
  p.reserve_target = pence(-1'003 - seed);
  p.rebate_margin = ppm(111 + seed);
  p.max_call = ppm(-112 - seed);
  p.four_eyes_above = pence(1'004 + seed);
  p.manual_review_above = pence(1'005 + seed);
  p.review_sample = ppm(113 + seed);
  return p;
}

SettlementFigures full_figures(std::int64_t base) {
  SettlementFigures f;
  f.allocation = pence(base + 1);
  f.adjusted_allocation = pence(base + 2);
  f.spend = pence(base + 3);
  f.planned = pence(base + 4);
  f.avoidable = pence(base + 5);
  f.specific_recoveries = pence(base + 6);
  f.net_unplanned_variance = pence(-base - 7);
  f.fund_share = pence(base + 8);
  f.retained = pence(base + 9);
  f.loss_instalments = {pence(base + 10), pence(base + 11), Money()};
  f.gain_credit = pence(base + 12);
  f.gain_surrendered = pence(base + 13);
  f.loan_repaid = pence(base + 14);
  f.year_recoveries_unpaid = pence(base + 15);
  f.supplementary_call = pence(base + 16);
  f.deferred_recoveries = pence(base + 17);
  f.fund_share_deferred = pence(base + 18);
  f.rebate = pence(base + 19);
  f.missing_return = true;
  return f;
}

SettlementTotals full_totals() {
  SettlementTotals t;
  t.year_accounts = {{"fund:2023:contributions", pence(-5)}, {"fund:2023:claims", pence(7)}};
  t.reserve_opening = pence(100);
  t.reserve_before_calls = pence(101);
  t.reserve_closing = pence(102);
  t.deficit = pence(103);
  t.reserve_target = pence(104);
  t.members = 3;
  return t;
}

Decision full_decision(const std::string& actor, ReasonCode code) {
  return Decision{actor, ClaimStatus::partially_approved, code, 1'700'000'123, "half: R07"};
}

MemberYear full_member_year() {
  MemberYear y;
  y.allocation = pence(50'000'000);
  y.contribution = pence(600'000);
  y.contribution_due_unix_s = 1'690'000'000;
  y.returns[3] = MonthlyReturn{3, pence(1), pence(2), pence(3), pence(4)};
  y.returns[12] = MonthlyReturn{12, pence(-5), pence(6), pence(-7), pence(8)};
  y.avoidable = pence(9);
  y.loan = pence(10);
  y.aggregate_outturn = pence(11);
  y.aggregate_planned = pence(12);
  y.missing_return_closed = true;
  y.settlement = full_figures(1'000);
  return y;
}

SpecificClaim full_claim() {
  SpecificClaim c;
  c.id = "C-2023-000017";
  c.member = "05A";
  c.year = 2023;
  c.patient = "P-1";
  c.episode = "E-9";
  c.kind = ClaimKind::final;
  c.cumulative_cost = pence(30'000'000);
  c.adjudicated_cost = pence(29'000'000);
  c.evidence = true;
  c.status = ClaimStatus::reversed;
  c.review_reason = "above manual_review_above";
  c.approved = pence(3'600'000);
  c.paid = pence(3'500'000);
  c.deferred = pence(100'000);
  c.last_payment_cash = pence(3'400'000);
  c.decided_unix_s = 1'700'000'999;
  c.appealed = true;
  c.proposed = full_decision("admin:bob", ReasonCode::R09);
  c.decisions = {full_decision("system", ReasonCode::R01),
                 full_decision("admin:alice", ReasonCode::R07)};
  return c;
}

FundYear full_year() {
  FundYear y;
  y.year = 2023;
  y.status = YearStatus::closed;
  y.versions = {ParameterVersion{0, full_parameters(0), "admin:alice", "opening"},
                ParameterVersion{1'700'000'000, full_parameters(1), "admin:bob", "amended"}};
  y.members["05A"] = full_member_year();
  y.members["06B"] = MemberYear{};
  y.deferred_out["05A"] = pence(-42);
  y.report = full_totals();
  return y;
}

FundState full_state() {
  FundState s;
  s.members["05A"] = Member{"05A", "North Consortium", 1'200'000, MemberStatus::dissolved, "06B"};
  s.members["06B"] = Member{"06B", "South", 900'000, MemberStatus::special_measures, {}};
  s.years[2023] = full_year();
  s.claims["C-2023-000017"] = full_claim();
  s.patient_liability[{"05A", 2023, "P-1"}] = pence(3'600'000);
  s.carry["05A"] = {CarryItem{2024, pence(-300), "loss_instalment", 2023},
                    CarryItem{2025, pence(200), "gain_credit", 2023}};
  s.episode_claims[{"05A", 2023, "P-1", "E-9"}] = {"C-2023-000017", "C-2023-000018"};
  s.approved_costs["05A"] = {pence(29'000'000), 4};
  s.member_claims["05A"] = {"C-2023-000017"};
  s.dues["05A"] = {Due{"contribution", 2023, 1'690'000'000, pence(123)},
                   Due{"call", 2024, 1'720'000'000, pence(456)}};
  s.proposed_payments["claim:C-2023-000017"] =
      ProposedPayment{"admin:bob", pence(7), pence(5), true};
  s.payments["05A"] = PaymentTotals{pence(1), pence(2), pence(3)};
  return s;
}

// --- random states, filled field by field --------------------------------------------------

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t bits() { return engine_(); }
  bool coin() { return bits() % 2 == 0; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(bits() % n); }
  template <typename I>
  I integer() {
    return static_cast<I>(bits());
  }
  template <typename E>
  E pick(int first, int last) {
    return static_cast<E>(first +
                          static_cast<int>(below(static_cast<std::size_t>(last - first + 1))));
  }
  // Any bytes, NUL and non-UTF-8 included, sometimes empty.
  std::string text() {
    std::string out(below(9), '\0');
    for (char& c : out) c = static_cast<char>(bits());
    return out;
  }
  // Small amounts, 64-bit ones and the whole Int128 range, both signs, extremes included.
  Money money() {
    Int128 magnitude;
    switch (below(5)) {
      case 0:
        magnitude = Int128(below(1'000));
        break;
      case 1:
        magnitude = Int128(bits());
        break;
      case 2:
        magnitude = (Int128(bits()) << 64) | Int128(bits());
        break;
      case 3:
        magnitude = int128_max;
        break;
      default:
        magnitude = 0;
    }
    return Money::from_pence(coin() ? Int128(-magnitude) : magnitude);
  }
  Rate rate() {
    const auto span = static_cast<std::uint64_t>(2 * Rate::max_abs_ppm + 1);
    return ppm(static_cast<std::int64_t>(bits() % span) - Rate::max_abs_ppm);
  }
  template <typename Make>
  auto maybe(Make make) -> std::optional<decltype(make())> {
    if (coin()) return make();
    return std::nullopt;
  }
  template <typename Make>
  auto some(Make make) -> std::vector<decltype(make())> {
    std::vector<decltype(make())> out(below(4));
    for (auto& item : out) item = make();
    return out;
  }
  template <typename Key, typename Value>
  auto map_of(Key key, Value value) -> std::map<decltype(key()), decltype(value())> {
    std::map<decltype(key()), decltype(value())> out;
    for (std::size_t n = below(4); n > 0; --n) out[key()] = value();
    return out;
  }

 private:
  std::mt19937_64 engine_;
};

YearParameters random_parameters(Random& r) {
  YearParameters p;
  for (const auto& field : parameter_fields()) {
    if (field.money) p.*field.money = r.money();
    if (field.rate) p.*field.rate = r.rate();
    if (field.integer) p.*field.integer = r.integer<int>();
  }
  return p;
}

Decision random_decision(Random& r) {
  return Decision{r.text(), r.pick<ClaimStatus>(0, 9),
                  r.maybe([&] { return r.pick<ReasonCode>(1, 9); }), r.integer<std::int64_t>(),
                  r.text()};
}

SettlementFigures random_figures(Random& r) {
  SettlementFigures f;
  for (Money* m : {&f.allocation, &f.adjusted_allocation, &f.spend, &f.planned, &f.avoidable,
                   &f.specific_recoveries, &f.net_unplanned_variance, &f.fund_share, &f.retained})
    *m = r.money();
  f.loss_instalments = r.some([&] { return r.money(); });
  for (Money* m :
       {&f.gain_credit, &f.gain_surrendered, &f.loan_repaid, &f.year_recoveries_unpaid,
        &f.supplementary_call, &f.deferred_recoveries, &f.fund_share_deferred, &f.rebate})
    *m = r.money();
  f.missing_return = r.coin();
  return f;
}

SettlementTotals random_totals(Random& r) {
  SettlementTotals t;
  t.year_accounts = r.some([&] { return std::pair{r.text(), r.money()}; });
  t.reserve_opening = r.money();
  t.reserve_before_calls = r.money();
  t.reserve_closing = r.money();
  t.deficit = r.money();
  t.reserve_target = r.money();
  t.members = r.integer<std::size_t>();
  return t;
}

MemberYear random_member_year(Random& r) {
  MemberYear y;
  y.allocation = r.money();
  y.contribution = r.money();
  y.contribution_due_unix_s = r.integer<std::int64_t>();
  y.returns =
      r.map_of([&] { return r.integer<int>(); },
               [&] {
                 return MonthlyReturn{r.integer<int>(), r.money(), r.money(), r.money(), r.money()};
               });
  y.avoidable = r.money();
  y.loan = r.money();
  y.aggregate_outturn = r.maybe([&] { return r.money(); });
  y.aggregate_planned = r.money();
  y.missing_return_closed = r.coin();
  y.settlement = r.maybe([&] { return random_figures(r); });
  return y;
}

SpecificClaim random_claim(Random& r) {
  SpecificClaim c;
  c.id = r.text();
  c.member = r.text();
  c.year = r.integer<std::uint32_t>();
  c.patient = r.text();
  c.episode = r.text();
  c.kind = r.pick<ClaimKind>(0, 1);
  c.cumulative_cost = r.money();
  c.adjudicated_cost = r.money();
  c.evidence = r.coin();
  c.status = r.pick<ClaimStatus>(0, 9);
  c.review_reason = r.text();
  c.approved = r.money();
  c.paid = r.money();
  c.deferred = r.money();
  c.last_payment_cash = r.money();
  c.decided_unix_s = r.integer<std::int64_t>();
  c.appealed = r.coin();
  c.proposed = r.maybe([&] { return random_decision(r); });
  c.decisions = r.some([&] { return random_decision(r); });
  return c;
}

FundYear random_year(Random& r) {
  FundYear y;
  y.year = r.integer<std::uint32_t>();
  y.status = r.pick<YearStatus>(0, 3);
  y.versions = r.some([&] {
    return ParameterVersion{r.integer<std::int64_t>(), random_parameters(r), r.text(), r.text()};
  });
  y.members = r.map_of([&] { return r.text(); }, [&] { return random_member_year(r); });
  y.deferred_out = r.map_of([&] { return r.text(); }, [&] { return r.money(); });
  y.report = r.maybe([&] { return random_totals(r); });
  return y;
}

FundState random_state(Random& r) {
  auto text = [&] { return r.text(); };
  auto money = [&] { return r.money(); };
  auto u32 = [&] { return r.integer<std::uint32_t>(); };
  FundState s;
  s.members = r.map_of(text, [&] {
    return Member{r.text(), r.text(), r.integer<std::int64_t>(), r.pick<MemberStatus>(0, 2),
                  r.maybe(text)};
  });
  s.years = r.map_of(u32, [&] { return random_year(r); });
  s.claims = r.map_of(text, [&] { return random_claim(r); });
  s.patient_liability = r.map_of([&] { return std::tuple{r.text(), u32(), r.text()}; }, money);
  s.carry = r.map_of(text, [&] {
    return r.some([&] { return CarryItem{u32(), r.money(), r.text(), u32()}; });
  });
  s.episode_claims = r.map_of(
      [&] {
        return std::tuple{r.text(), u32(), r.text(), r.text()};
      },
      [&] { return r.some(text); });
  s.approved_costs = r.map_of(text, [&] { return std::pair{r.money(), r.integer<int>()}; });
  s.member_claims = r.map_of(text, [&] { return r.some(text); });
  s.dues = r.map_of(text, [&] {
    return r.some([&] { return Due{r.text(), u32(), r.integer<std::int64_t>(), r.money()}; });
  });
  s.proposed_payments = r.map_of(text, [&] {
    return ProposedPayment{r.text(), r.money(), r.money(), r.coin()};
  });
  s.payments = r.map_of(text, [&] { return PaymentTotals{r.money(), r.money(), r.money()}; });
  return s;
}

// --- random results, one filler per alternative -------------------------------------------

void fill(Random& r, MemberStatusSet& v) { v = {r.text(), r.pick<MemberStatus>(0, 2)}; }
void fill(Random& r, MemberRenamed& v) { v = {r.text(), r.text()}; }
void fill(Random& r, PopulationUpdated& v) { v = {r.text(), r.integer<std::int64_t>()}; }
void fill(Random& r, MembersMerged& v) { v = {r.text(), r.text()}; }
void fill(Random& r, YearCreated& v) { v = {r.integer<std::uint32_t>(), random_parameters(r)}; }
void fill(Random& r, ParametersAmended& v) {
  v = {r.integer<std::uint32_t>(), r.integer<std::size_t>(), r.integer<std::int64_t>()};
}
void fill(Random& r, YearStatusSet& v) {
  v = {r.integer<std::uint32_t>(), r.pick<YearStatus>(0, 3)};
}
void fill(Random& r, AllocationSet& v) { v = {r.integer<std::uint32_t>(), r.text(), r.money()}; }
void fill(Random& r, ScheduleApplied& v) {
  v = {r.integer<std::uint32_t>(), r.integer<std::size_t>(), r.money()};
}
void fill(Random& r, ReturnFiled& v) {
  v = {r.integer<std::uint32_t>(), r.text(), r.integer<int>()};
}
void fill(Random& r, AvoidableSet& v) { v = {r.integer<std::uint32_t>(), r.text(), r.money()}; }
void fill(Random& r, LoanApproved& v) {
  v = {r.integer<std::uint32_t>(), r.text(), r.money(), r.integer<std::size_t>()};
}
void fill(Random& r, ClaimOutcome& v) {
  v = {r.text(),  r.pick<ClaimStatus>(0, 9),
       r.money(), r.maybe([&] {
         return r.pick<ReasonCode>(1, 9); }),
       r.coin(),  r.text(),
       r.coin()};
}
void fill(Random& r, AggregateClaimFiled& v) { v = {r.text()}; }
void fill(Random& r, PaymentMade& v) {
  v = {r.text(), r.money(), r.money(), r.money(), r.maybe([&] { return r.text(); }), r.maybe([&] {
         return r.integer<std::size_t>();
       })};
}
void fill(Random& r, PaymentProposed& v) { v = {r.text(), r.money()}; }
void fill(Random& r, ReceiptRecorded& v) { v = {r.text(), r.money(), r.money()}; }
void fill(Random& r, PaymentReversed& v) { v = {r.text(), r.money()}; }
void fill(Random& r, YearClosed& v) { v = {r.integer<std::uint32_t>(), random_totals(r)}; }

template <std::size_t... I>
std::vector<CommandResult> random_results(Random& r, std::index_sequence<I...>) {
  std::vector<CommandResult> out(sizeof...(I));
  (fill(r, out[I].template emplace<I>()), ...);
  return out;
}
// One random value of every alternative, in variant order.
std::vector<CommandResult> random_results(Random& r) {
  return random_results(r, std::make_index_sequence<std::variant_size_v<CommandResult>>{});
}

// --- checks --------------------------------------------------------------------------------

template <typename T>
void require_refused(const Result<T>& decoded, const std::string& says = "") {
  REQUIRE_FALSE(decoded.is_ok());
  REQUIRE(decoded.status().code() == ErrorCode::corruption);
  if (!says.empty()) REQUIRE_THAT(decoded.status().message(), Catch::Contains(says));
}

// Every strict prefix is refused: nothing is read from a checkpoint cut short.
template <typename Decode>
void require_truncations_refused(const std::string& bytes, Decode decode) {
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    INFO("prefix of " << size << " of " << bytes.size() << " bytes");
    require_refused(decode(std::string_view(bytes).substr(0, size)));
  }
}

// Each byte changed in turn: refused as corruption, or decoded to a value whose encoding is
// exactly the altered bytes (the encoding is canonical). Returns how many were refused.
template <typename Decode, typename Encode>
std::size_t require_flips_safe(const std::string& bytes, Random& r, Decode decode, Encode encode) {
  std::size_t refused = 0;
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    std::string altered = bytes;
    altered[at] = static_cast<char>(altered[at] ^ static_cast<char>(1 + r.below(255)));
    const auto decoded = decode(altered);
    INFO("byte " << at << " of " << bytes.size());
    if (decoded.is_ok()) {
      REQUIRE(encode(decoded.value()) == altered);
    } else {
      REQUIRE(decoded.status().code() == ErrorCode::corruption);
      ++refused;
    }
  }
  return refused;
}

// The one position where two encodings of the same length differ.
std::size_t differing_byte(const std::string& a, const std::string& b) {
  REQUIRE(a.size() == b.size());
  std::size_t at = a.size();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) {
      REQUIRE(at == a.size());
      at = i;
    }
  REQUIRE(at < a.size());
  return at;
}

}  // namespace

TEST_CASE("state codec: a state with every field set reads back equal") {
  const FundState state = full_state();
  REQUIRE_FALSE(state == FundState{});
  const std::string bytes = encode_state(state);
  REQUIRE(bytes[0] == static_cast<char>(state_format_version));
  const auto decoded = decode_state(bytes);
  REQUIRE(decoded.is_ok());
  REQUIRE(decoded.value() == state);
  REQUIRE(encode_state(decoded.value()) == bytes);
  // The empty state too.
  REQUIRE(decode_state(encode_state(FundState{})).value() == FundState{});
}

TEST_CASE("state codec: each of rule 2's parameters, changed alone, changes the bytes") {
  FundState state;
  state.years[2023].versions.push_back(ParameterVersion{});
  const std::string plain = encode_state(state);
  for (const auto& field : parameter_fields()) {
    INFO(field.name);
    FundState changed = state;
    YearParameters& p = changed.years[2023].versions[0].parameters;
    if (field.money) p.*field.money = p.*field.money + pence(1);
    if (field.rate) p.*field.rate = ppm((p.*field.rate).ppm() + 1);
    if (field.integer) p.*field.integer += 1;
    const std::string bytes = encode_state(changed);
    REQUIRE(bytes != plain);
    REQUIRE(decode_state(bytes).value() == changed);
  }
}

TEST_CASE("state codec: 400 random states read back equal, byte for byte") {
  std::size_t bytes_total = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    INFO("seed " << seed);
    Random r(seed);
    const FundState state = random_state(r);
    const std::string bytes = encode_state(state);
    bytes_total += bytes.size();
    const auto decoded = decode_state(bytes);
    if (!decoded.is_ok()) FAIL(decoded.status().to_string());
    REQUIRE(decoded.value() == state);
    REQUIRE(encode_state(decoded.value()) == bytes);
    // A few cuts and an extra byte, on every state.
    for (int i = 0; i < 5; ++i)
      require_refused(decode_state(bytes.substr(0, r.below(bytes.size()))));
    require_refused(decode_state(bytes + '\0'), "trailing bytes");
  }
  REQUIRE(bytes_total > 400 * 1'000);  // the states were not all near empty
}

TEST_CASE("state codec: amounts at the ends of Int128 read back exactly") {
  FundState state;
  const std::vector<Int128> values = {
      0, 1, -1, Int128(1) << 64, -(Int128(1) << 64), int128_max, -int128_max};
  for (std::size_t i = 0; i < values.size(); ++i)
    state.payments[std::to_string(i)].paid_out = Money::from_pence(values[i]);
  const auto decoded = decode_state(encode_state(state));
  REQUIRE(decoded.is_ok());
  for (std::size_t i = 0; i < values.size(); ++i)
    REQUIRE(decoded.value().payments.at(std::to_string(i)).paid_out.pence() == values[i]);
}

TEST_CASE("state codec: every truncation of a state is refused") {
  require_truncations_refused(encode_state(full_state()),
                              [](std::string_view b) { return decode_state(b); });
}

TEST_CASE("state codec: a changed byte is refused or reads back as exactly those bytes") {
  Random r(99);
  const std::string bytes = encode_state(full_state());
  const auto decode = [](std::string_view b) { return decode_state(b); };
  const auto encode = [](const FundState& s) { return encode_state(s); };
  std::size_t refused = 0, tried = 0;
  for (int round = 0; round < 4; ++round, tried += bytes.size())
    refused += require_flips_safe(bytes, r, decode, encode);
  // Both outcomes occur: flags, enums, counts and the header are refused, text is not.
  REQUIRE(refused > 0);
  REQUIRE(refused < tried);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Random s(seed);
    require_flips_safe(encode_state(random_state(s)), r, decode, encode);
  }
}

TEST_CASE("state codec: another format version, or a result, is refused as a state") {
  std::string bytes = encode_state(full_state());
  for (int version : {0, state_format_version + 1, 255}) {
    bytes[0] = static_cast<char>(version);
    require_refused(decode_state(bytes), "unknown format version");
  }
  require_refused(decode_state(encode_result(MemberRenamed{"05A", "North"})), "not this payload");
  require_refused(decode_result(encode_state(full_state())), "not this payload");
  require_refused(decode_state(""), "truncated");
}

TEST_CASE("state codec: an enum value beyond its range is refused") {
  // Each case sets one enum field to a raw value: `first` and first + 1 locate its byte,
  // which is then overwritten with `bad`.
  struct Case {
    const char* what;
    std::function<void(FundState&, int)> set;
    int first, bad;
  };
  const std::vector<Case> cases = {
      {"member status", [](FundState& s, int v) { s.members["m"].status = MemberStatus(v); }, 0, 3},
      {"year status", [](FundState& s, int v) { s.years[1].status = YearStatus(v); }, 0, 4},
      {"claim status", [](FundState& s, int v) { s.claims["c"].status = ClaimStatus(v); }, 0, 10},
      {"claim kind", [](FundState& s, int v) { s.claims["c"].kind = ClaimKind(v); }, 0, 2},
      {"decision",
       [](FundState& s, int v) {
         s.claims["c"].decisions = {{"a", ClaimStatus(v), {}, 0, ""}};
       },
       0, 10},
      {"reason code, low",
       [](FundState& s, int v) {
         s.claims["c"].proposed = Decision{"a", {}, ReasonCode(v), 0, ""};
       },
       1, 0},
      {"reason code, high",
       [](FundState& s, int v) {
         s.claims["c"].proposed = Decision{"a", {}, ReasonCode(v), 0, ""};
       },
       1, 10},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    FundState plain, changed;
    c.set(plain, c.first);
    c.set(changed, c.first + 1);
    std::string bytes = encode_state(changed);
    const std::size_t at = differing_byte(encode_state(plain), bytes);
    bytes[at] = static_cast<char>(c.bad);
    require_refused(decode_state(bytes), "enum value out of range");
    // The nearest value allowed reads back.
    bytes[at] = static_cast<char>(c.bad == 0 ? 1 : c.bad - 1);
    REQUIRE(decode_state(bytes).is_ok());
  }
}

TEST_CASE("state codec: a rate beyond the fund's range is refused") {
  FundState plain;
  plain.years[1].versions.push_back(ParameterVersion{});
  FundState changed = plain;
  changed.years[1].versions[0].parameters.review_sample = ppm(50'001);  // the default + 1
  std::string bytes = encode_state(changed);
  // The rate's eight big-endian bytes end at the one that differs.
  const std::size_t last = differing_byte(encode_state(plain), bytes);
  auto too_large = static_cast<std::uint64_t>(Rate::max_abs_ppm + 1);
  for (std::size_t i = 0; i < 8; ++i, too_large >>= 8)
    bytes[last - i] = static_cast<char>(too_large & 0xff);
  require_refused(decode_state(bytes), "rate out of range");
}

TEST_CASE("state codec: map keys out of order or repeated are refused") {
  FundState state;
  state.payments["key-A"] = PaymentTotals{};
  state.payments["key-B"] = PaymentTotals{};
  const std::string bytes = encode_state(state);
  const std::size_t a = bytes.find("key-A"), b = bytes.find("key-B");
  REQUIRE(a < b);
  std::string swapped = bytes, repeated = bytes;
  std::swap(swapped[a + 4], swapped[b + 4]);
  repeated[b + 4] = 'A';
  require_refused(decode_state(swapped), "map keys out of order");
  require_refused(decode_state(repeated), "map keys out of order");
}

TEST_CASE("state codec: a count or length beyond the bytes left is refused, not allocated") {
  const std::string header = encode_state(FundState{}).substr(0, 2);
  ByteWriter huge;
  huge.u32(0xffff'ffff);  // members
  require_refused(decode_state(header + huge.take()), "count too large");
  ByteWriter beyond;
  beyond.u32(1'000'000);  // members, with nothing after
  require_refused(decode_state(header + beyond.take()), "count beyond the bytes left");
  ByteWriter long_key;
  long_key.u32(1);         // one member
  long_key.u32(2u << 20);  // whose key claims 2 MiB
  require_refused(decode_state(header + long_key.take() + std::string(64, 'x')), "string too long");
}

TEST_CASE("state codec: every kind of command result reads back equal") {
  constexpr std::size_t kinds = std::variant_size_v<CommandResult>;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    Random r(seed);
    const auto results = random_results(r);
    REQUIRE(results.size() == kinds);
    for (std::size_t i = 0; i < kinds; ++i) {
      INFO("seed " << seed << ", alternative " << i);
      const std::string bytes = encode_result(results[i]);
      const auto decoded = decode_result(bytes);
      if (!decoded.is_ok()) FAIL(decoded.status().to_string());
      REQUIRE(decoded.value().index() == i);
      REQUIRE(decoded.value() == results[i]);
      REQUIRE(encode_result(decoded.value()) == bytes);
    }
  }
}

TEST_CASE("state codec: results cut short, altered or of an unknown kind are refused safely") {
  Random r(7);
  const auto decode = [](std::string_view b) { return decode_result(b); };
  const auto encode = [](const CommandResult& v) { return encode_result(v); };
  for (const auto& result : random_results(r)) {
    const std::string bytes = encode_result(result);
    require_truncations_refused(bytes, decode);
    require_flips_safe(bytes, r, decode, encode);
    require_refused(decode_result(bytes + 'x'), "trailing bytes");
    std::string other_version = bytes;
    other_version[0] = static_cast<char>(state_format_version + 1);
    require_refused(decode_result(other_version), "unknown format version");
  }
  std::string unknown = encode_result(MemberRenamed{});
  unknown[2] = static_cast<char>(std::variant_size_v<CommandResult>);
  require_refused(decode_result(unknown), "unknown result type");
}

TEST_CASE("state codec: the byte reader refuses what the writer never writes") {
  ByteWriter writer;
  writer.u8(2);          // a flag neither 0 nor 1
  writer.boolean(true);  // a negative zero amount
  writer.u64(0);
  writer.u64(0);
  writer.u8(2);  // an amount's sign neither 0 nor 1
  const std::string bytes = writer.take();
  ByteReader reader(bytes);
  CHECK_THROWS_AS(reader.boolean(), DecodeError);
  CHECK_THROWS_AS(reader.money_exact(), DecodeError);
  CHECK_THROWS_AS(reader.money_exact(), DecodeError);
  CHECK_THROWS_AS(reader.u8(), DecodeError);  // nothing left
  ByteWriter numbers;
  numbers.i32(-5);
  numbers.size(std::numeric_limits<std::size_t>::max());
  numbers.money_exact(Money::from_pence(-int128_max));
  numbers.optional(std::optional<std::int32_t>(9), [&](std::int32_t v) { numbers.i32(v); });
  const std::string more = numbers.take();
  ByteReader back(more);
  CHECK(back.i32() == -5);
  CHECK(back.size() == std::numeric_limits<std::size_t>::max());
  CHECK(back.money_exact().pence() == -int128_max);
  CHECK(back.optional([&] { return back.i32(); }) == std::optional<std::int32_t>(9));
  CHECK(back.at_end());
}

}  // namespace backstop
