#include "tools/synthetic_year.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "ledger/money.hpp"

namespace backstop {
namespace {
namespace json = boost::json;

struct Consortium {
  std::string id;
  std::int64_t population;
  Money allocation;
  double outturn_factor;
};

std::int64_t year_start_unix_s(std::uint32_t year) {
  using namespace std::chrono;
  return duration_cast<seconds>(
             sys_days{std::chrono::year(static_cast<int>(year)) / April / 1}.time_since_epoch())
      .count();
}

// The same consortia for a seed, whatever the phase: populations, allocations, outturns.
std::vector<Consortium> consortia(const SyntheticYearOptions& options, std::mt19937_64& random) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  const double common_shock = 0.005 * normal(random);  // a bad (or mild) winter for everyone
  std::vector<Consortium> out;
  for (int i = 0; i < options.members; ++i) {
    Consortium c;
    c.id = std::to_string(i + 1);
    c.id.insert(0, 3 - std::min<std::size_t>(3, c.id.size()), '0');
    c.id.insert(0, "C");
    c.population = static_cast<std::int64_t>(
        std::exp(std::log(25'000.0) + unit(random) * (std::log(600'000.0) - std::log(25'000.0))));
    const auto per_head_pence = static_cast<std::int64_t>(120'000 * (0.97 + 0.06 * unit(random)));
    c.allocation = Money::from_pence(Int128(c.population) * per_head_pence);
    // Crump et al.: the coefficient of variation of spend falls as 1/sqrt(population), 7.5% at
    // 9,000.
    const double cv = 0.075 * std::sqrt(9'000.0 / static_cast<double>(c.population));
    c.outturn_factor = 1.0 + common_shock + cv * normal(random);
    out.push_back(c);
  }
  return out;
}

constexpr std::int64_t day = 86'400;
constexpr std::int64_t closing_day = 500;  // the close: after both claim deadlines

// Collects requests and writes them in time order (the journal never goes back in time).
// A continuing year opens only once the year before has closed (open_year requires it), so
// nothing in it is stamped earlier than that close: an earlier time moves forward to it, as
// backstopd's clock would stamp a request sent then.
class Writer {
 public:
  Writer(std::ostream& out, const SyntheticYearOptions& options)
      : out_(out),
        options_(options),
        not_before_(options.continuing ? year_start_unix_s(options.year - 1) + closing_day * day
                                       : 0) {}
  ~Writer() {
    std::stable_sort(lines_.begin(), lines_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      auto& [time, request] = lines_[i];
      request["key"] =
          "syn-" + std::to_string(options_.year) + "-" + options_.phase + "-" + std::to_string(i);
      out_ << json::serialize(request) << "\n";
    }
  }
  void emit(const std::string& actor, std::int64_t time, json::object command) {
    time = std::max(time, not_before_);
    lines_.emplace_back(
        time, json::object{{"actor", actor}, {"time", time}, {"command", std::move(command)}});
  }

 private:
  std::ostream& out_;
  const SyntheticYearOptions& options_;
  std::int64_t not_before_;
  std::vector<std::pair<std::int64_t, json::object>> lines_;
};

Money scaled(const Money& amount, double factor) {
  return Money::from_pence(Int128(
      static_cast<std::int64_t>(std::llround(static_cast<double>(amount.pence()) * factor))));
}

constexpr char admin[] = "admin:alice";

// What every phase writes with: the consortia, the year's start, its random events, the writer.
struct Year {
  const SyntheticYearOptions& options;
  const std::vector<Consortium>& members;
  std::int64_t start;
  std::mt19937_64& events;
  std::uniform_real_distribution<double>& unit;
  Writer& writer;
};

void write_members_csv(const std::vector<Consortium>& members, std::ostream& out) {
  out << "member,population,allocation,status\n";
  for (const auto& c : members)
    out << c.id << "," << c.population << "," << c.allocation.to_string() << ",active\n";
}

// Members registered (unless an earlier year did), the year created with their allocations,
// then opened.
void write_opening(Year& y) {
  if (!y.options.continuing) {
    for (const auto& c : y.members) {
      y.writer.emit(admin, y.start,
                    {{"type", "register_member"},
                     {"member", c.id},
                     {"name", "Consortium " + c.id},
                     {"population", c.population}});
    }
  }
  y.writer.emit(admin, y.start,
                {{"type", "create_year"},
                 {"year", y.options.year},
                 {"parameters", {{"reserve_target", "60000000.00"}}}});
  for (const auto& c : y.members) {
    y.writer.emit(admin, y.start,
                  {{"type", "set_allocation"},
                   {"year", y.options.year},
                   {"member", c.id},
                   {"allocation", c.allocation.to_string()}});
  }
  y.writer.emit(admin, y.start + day, {{"type", "open_year"}, {"year", y.options.year}});
}

// Until the actuarial engine prices it, the schedule charges 0.8% of allocation.
void write_flat_schedule(Year& y) {
  json::array rows;
  for (const auto& c : y.members) {
    rows.push_back(
        {{"member", c.id},
         {"contribution", multiply(c.allocation, Rate::parse("0.008").value()).to_string()}});
  }
  y.writer.emit(admin, y.start + day,
                {{"type", "apply_rate_schedule"}, {"year", y.options.year}, {"rows", rows}});
  for (const auto& c : y.members) {
    const Money due = multiply(c.allocation, Rate::parse("0.008").value());
    const bool late = y.unit(y.events) < 0.05;
    y.writer.emit(admin, y.start + 20 * day,
                  {{"type", "record_receipt"},
                   {"year", y.options.year},
                   {"member", c.id},
                   {"amount", (late ? multiply_ratio(due, 1, 2) : due).to_string()}});
  }
}

// High-cost patients: about 1.5 per 50,000 people a year; annual cost £200,000 plus a
// Pareto (shape 2.2, scale £150,000) amount: the same assumptions as the pricing model.
// With specific_claims, exactly that many, shared out in proportion to population.
void write_specific_claims(Year& y) {
  std::int64_t population_total = 0;
  for (const auto& c : y.members) population_total += c.population;
  std::int64_t population_before = 0;
  int patient = 0;
  for (const auto& c : y.members) {
    int count = 0;
    if (y.options.specific_claims > 0) {
      // Cumulative shares rounded, so that the counts add up to exactly specific_claims.
      const auto share = [&](std::int64_t population) {
        return static_cast<int>(y.options.specific_claims * population / population_total);
      };
      count = share(population_before + c.population) - share(population_before);
      population_before += c.population;
    } else {
      const double expected = 1.5 * static_cast<double>(c.population) / 50'000.0;
      count = static_cast<int>(std::poisson_distribution<int>(expected)(y.events));
    }
    for (int k = 0; k < count; ++k) {
      const double pareto = 150'000.0 * (std::pow(1.0 - y.unit(y.events), -1.0 / 2.2) - 1.0);
      const Money cost =
          Money::from_pence(Int128(static_cast<std::int64_t>((200'000.0 + pareto) * 100)));
      const std::int64_t when =
          y.start + static_cast<std::int64_t>(30 + y.unit(y.events) * 320) * day;
      y.writer.emit("member:" + c.id, when,
                    {{"type", "file_specific_claim"},
                     {"year", y.options.year},
                     {"member", c.id},
                     {"patient", "px-" + std::to_string(++patient)},
                     {"episode", "E1"},
                     {"kind", "final"},
                     {"cumulative_cost", cost.to_string()},
                     {"evidence", y.unit(y.events) > 0.05}});
    }
  }
}

// Quarterly returns, the last after year end; overspenders then file an aggregate claim.
void write_returns_and_aggregate_claims(Year& y) {
  for (int period : {3, 6, 9, 12}) {
    for (const auto& c : y.members) {
      const Money outturn = scaled(c.allocation, c.outturn_factor);
      const Money spent = multiply_ratio(outturn, period, 12);
      y.writer.emit("member:" + c.id,
                    y.start + (period * 30 + 15) * day + (period == 12 ? 20 * day : 0),
                    {{"type", "file_return"},
                     {"year", y.options.year},
                     {"member", c.id},
                     {"period", period},
                     {"spend_to_date", spent.to_string()},
                     {"forecast_outturn", outturn.to_string()},
                     {"planned", "0.00"},
                     {"unplanned", spent.to_string()}});
    }
  }
  for (const auto& c : y.members) {
    if (c.outturn_factor <= 1.02) continue;
    y.writer.emit("member:" + c.id, y.start + 400 * day,
                  {{"type", "file_aggregate_claim"},
                   {"year", y.options.year},
                   {"member", c.id},
                   {"outturn", scaled(c.allocation, c.outturn_factor).to_string()},
                   {"planned", "0.00"}});
  }
}

void write_closing(Year& y) {
  const std::int64_t close = y.start + closing_day * day;
  y.writer.emit(admin, close, {{"type", "begin_closing"}, {"year", y.options.year}});
  y.writer.emit(admin, close, {{"type", "close_year"}, {"year", y.options.year}});
}

}  // namespace

void write_synthetic_year(const SyntheticYearOptions& options, std::ostream& out) {
  std::mt19937_64 random(options.seed * 1'000'003 + options.year);
  const auto members = consortia(options, random);
  std::mt19937_64 events(options.seed * 7 + options.year +
                         static_cast<std::uint64_t>(options.phase.size()));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Writer writer(out, options);
  Year year{options, members, year_start_unix_s(options.year), events, unit, writer};

  if (options.phase == "members") {
    write_members_csv(members, out);
    return;
  }
  if (options.phase == "setup") {
    write_opening(year);
    if (!options.without_schedule) write_flat_schedule(year);
  } else if (options.phase == "filing") {
    write_specific_claims(year);
    write_returns_and_aggregate_claims(year);
  } else {
    write_closing(year);
  }
}

}  // namespace backstop
