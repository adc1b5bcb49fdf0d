#include "tools/fund_print.hpp"

#include <iomanip>
#include <iostream>

#include "ledger/money.hpp"

namespace backstop {
namespace json = boost::json;
namespace {

void print_table_row(const std::vector<std::string>& cells, const std::vector<int>& widths) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::cout << (i == 0 ? std::left : std::right) << std::setw(widths[i]) << cells[i]
              << (i + 1 < cells.size() ? "  " : "\n");
  }
}

std::string text(const json::value& value) { return std::string(value.as_string()); }

std::string display(const json::value& amount) {
  auto money = Money::parse(amount.as_string());
  return money.is_ok() ? money.value().to_display() : std::string(amount.as_string());
}

}  // namespace

void print_report(const json::object& report) {
  std::cout << "Fund year " << report.at("year").to_number<std::int64_t>() << "/"
            << (report.at("year").to_number<std::int64_t>() + 1) % 100 << " ("
            << text(report.at("status")) << ")\n";
  std::cout << "  allocations      " << display(report.at("allocations")) << "\n";
  std::cout << "  contributions    " << display(report.at("contributions")) << "\n";
  std::cout << "  reserve now      " << display(report.at("reserve")) << "\n";
  std::cout << "  bank now         " << display(report.at("bank")) << "\n";
  if (const auto* settlement = report.if_contains("settlement")) {
    std::cout << "  settlement:\n";
    for (const auto& [name, value] : settlement->as_object()) {
      std::cout << "    " << std::left << std::setw(24) << std::string(name) << std::right
                << std::setw(20) << (value.is_string() ? display(value) : json::serialize(value))
                << "\n";
    }
  }
  if (const auto* payments = report.if_contains("payments");
      payments && !payments->as_object().empty()) {
    std::cout << "  between the fund and its members now (rule 10.6):\n";
    for (const auto& [name, value] : payments->as_object()) {
      std::cout << "    " << std::left << std::setw(24) << std::string(name) << std::right
                << std::setw(20) << display(value) << "\n";
    }
  }
  const std::vector<int> widths = {8, 18, 16, 16, 16, 14, 14, 14};
  std::cout << "\n";
  print_table_row({"member", "allocation", "contribution", "variance D", "fund share F", "call",
                   "deferred", "rebate"},
                  widths);
  for (const auto& row : report.at("members").as_array()) {
    const auto& member = row.as_object();
    auto cell = [&](const char* name) {
      return member.contains(name) ? display(member.at(name)) : std::string("-");
    };
    print_table_row({std::string(member.at("member").as_string()), cell("allocation"),
                     cell("contribution"), cell("net_unplanned_variance"), cell("fund_share"),
                     cell("supplementary_call"), cell("deferred_recoveries"), cell("rebate")},
                    widths);
  }
}

void print_statement(const json::object& statement) {
  std::cout << "Statement of " << text(statement.at("member")) << " (" << text(statement.at("name"))
            << "), fund year " << statement.at("year").to_number<std::int64_t>() << ", "
            << text(statement.at("status")) << "\n";
  for (const char* name :
       {"allocation", "contribution", "owes_fund", "owed_by_fund", "loan_outstanding"}) {
    if (statement.contains(name))
      std::cout << "  " << std::left << std::setw(24) << name << std::right << std::setw(20)
                << display(statement.at(name)) << "\n";
  }
  if (const auto* settlement = statement.if_contains("settlement")) {
    std::cout << "  settlement:\n";
    for (const auto& [name, value] : settlement->as_object()) {
      std::cout << "    " << std::left << std::setw(24) << std::string(name) << std::right
                << std::setw(20) << (value.is_string() ? display(value) : json::serialize(value))
                << "\n";
    }
  }
  if (const auto* accounts = statement.if_contains("accounts")) {
    std::cout << "  with the fund now:\n";
    for (const auto& [name, value] : accounts->as_object()) {
      std::cout << "    " << std::left << std::setw(24) << std::string(name) << std::right
                << std::setw(20) << display(value) << "\n";
    }
  }
  std::cout << "  claims: " << statement.at("claims").as_array().size() << "\n";
  for (const auto& claim : statement.at("claims").as_array()) {
    std::cout << "    " << std::left << std::setw(10) << text(claim.at("claim")) << std::setw(20)
              << text(claim.at("status")) << std::right << std::setw(18)
              << display(claim.at("approved")) << "\n";
  }
  for (const char* direction : {"carried_in", "carried_out"}) {
    for (const auto& item : statement.at(direction).as_array()) {
      std::cout << "  " << direction << ": " << text(item.at("kind")) << " "
                << display(item.at("amount")) << " (from "
                << item.at("from_year").to_number<std::int64_t>() << ", due "
                << item.at("due_year").to_number<std::int64_t>() << ")\n";
    }
  }
  const auto& cycle = statement.at("three_year_cycle").as_object();
  std::cout << "  three-year cumulative variance: " << display(cycle.at("cumulative_variance"))
            << " over " << cycle.at("years").as_array().size() << " settled year(s)\n";
}

}  // namespace backstop
