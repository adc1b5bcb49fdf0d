// Human tables for fund reports and statements (the CLI's default; --json gives the JSON).
#pragma once

#include <boost/json.hpp>

namespace backstop {

void print_report(const boost::json::object& report);
void print_statement(const boost::json::object& statement);

}  // namespace backstop
