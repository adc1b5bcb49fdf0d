// JSON at the fund's edges, and nowhere else: commands from the API and the CLI's request
// lines, the journal's canonical encoding of a command, and the views and results the
// fund answers with (docs/fund.md names every field).
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fund/commands.hpp"
#include "fund/views.hpp"

namespace backstop {

// A command from a request body {"type": ..., fields...}. Every field is checked for its
// form; an unknown field or type is refused. The Status names the offending field.
Result<FundCommand> decode_command(const boost::json::object& request);

// A command of a known type whose `preset` fields (e.g. the member, from a route) are given
// apart from the body; the body may not name them.
using PresetFields = std::vector<std::pair<std::string, std::string>>;
Result<FundCommand> decode_command(std::string_view type, const boost::json::object& body,
                                   const PresetFields& preset);

// The command as JSON, "type" included: decode_command(encode_command(c)) == c.
boost::json::object encode_command(const FundCommand& command);

// The canonical text of a JSON value: object keys sorted, no spaces. Equal commands give
// equal text, whatever order their fields came in.
std::string canonical_json(const boost::json::value& value);

// What the journal records of a command: its type, its canonical encoding, and the fund
// year and claim/member references that the entry's metadata carries for audit.
struct CommandRecord {
  std::string type;
  std::string payload;
  std::uint32_t fund_year = 0;
  std::vector<std::string> references;
};
CommandRecord journal_record(const FundCommand& command);

// A command read back from the journal: the payload must be canonical JSON of a command.
Result<FundCommand> decode_journal_payload(const std::string& payload);

// Views and command results (codec_views.cpp).
boost::json::object to_json(const CommandResult& result);
boost::json::object to_json(const ClaimView& view);
boost::json::object to_json(const PendingClaims& view);
boost::json::object to_json(const MemberStatement& view);
boost::json::object to_json(const FundReport& view);
boost::json::object to_json(const EarlyWarnings& view);
// A year's parameters, every one, in rule 2's order.
boost::json::object to_json(const YearParameters& parameters);

}  // namespace backstop
