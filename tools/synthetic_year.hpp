// Request lines for a realistic synthetic fund year (for the demo and load tests): ~N
// consortia of 25,000 to 600,000 people at about £1,200 a head, contributions, receipts
// (a few late), quarterly returns whose spread follows population size, specific claims
// of high-cost patients (a few large enough to need four eyes, a few without evidence),
// aggregate claims of overspenders, and the close. Deterministic for a seed. For scale
// runs: an exact number of specific claims, and later years of the same fund.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace backstop {

struct SyntheticYearOptions {
  int members = 200;
  std::uint32_t year = 2023;
  std::uint64_t seed = 1;
  std::string phase = "setup";  // setup | filing | closing | members (the members CSV for pricing)
  bool without_schedule =
      false;  // setup: stop after opening (the schedule is priced instead of a flat 0.8%)
  int specific_claims = 0;  // filing: exactly this many (one per patient); 0: drawn by population
  bool continuing = false;  // a later year: members registered, nothing before year - 1 closed
};

void write_synthetic_year(const SyntheticYearOptions& options, std::ostream& out);

}  // namespace backstop
