// The actuary's report: an HTML page explaining every figure of a rate schedule, with SVG
// plots drawn by gnuplot (loss distribution, exceedance curve, contribution per head
// against population, reserve paths, the volatility calibration).
#pragma once

#include <string>
#include <vector>

#include "ledger/status.hpp"
#include "pricing/fund_model.hpp"

namespace backstop {

struct PricingReport {
  std::vector<pricing::MemberRisk> members;
  pricing::FundModel model;
  pricing::SimulationResult simulated;
  pricing::FundRiskMeasures measures;
  std::vector<pricing::ContributionLine> lines;
  std::vector<std::string> contributions;  // the schedule's amounts, as written
  pricing::SolvencyResult solvency;
};

Status write_pricing_report(const PricingReport& report, const std::string& html_file);

}  // namespace backstop
