#include "tools/fund_year_terms.hpp"

#include "fund/fund.hpp"
#include "tools/fund_model_terms.hpp"

namespace backstop {

// The fund publishes a year's parameters in its report (the latest version), exactly.
Result<pricing::RuleTerms> read_fund_year_terms(const std::string& data, std::uint32_t year) {
  RocksStoreOptions options;
  options.read_only = true;
  auto store = RocksStore::open(data, options);
  if (!store.is_ok()) return store.status();
  auto fund = load_fund(*store.value());
  if (!fund.is_ok()) return fund.status();
  auto report = fund.value().fund_report(year);
  if (!report.is_ok()) return report.status();
  return fund_model_terms(report.value().parameters);
}

}  // namespace backstop
