// The codec: every command survives encode then decode unchanged, errors name their field
// as data, and hostile input is refused without harm.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "fund/codec.hpp"
#include "fund/rules.hpp"

namespace backstop {
namespace json = boost::json;

TEST_CASE(
    "codec: every command of a recorded multi-year scenario decodes, re-encodes and "
    "decodes to the same command") {
  std::ifstream lines(BACKSTOP_SOURCE_DIR "/tests/data/legacy_store/requests.jsonl");
  REQUIRE(lines);
  std::string line;
  std::set<std::string> types;
  while (std::getline(lines, line)) {
    const json::object request = json::parse(line).as_object();
    auto decoded = decode_command(request.at("command").as_object());
    if (!decoded.is_ok()) FAIL(decoded.status().to_string() + " in " + line);
    const json::object encoded = encode_command(decoded.value());
    auto again = decode_command(encoded);
    REQUIRE(again.is_ok());
    REQUIRE(again.value() == decoded.value());
    // The journal's form is canonical and reads back as the same command.
    const CommandRecord record = journal_record(decoded.value());
    auto stored = decode_journal_payload(record.payload);
    REQUIRE(stored.is_ok());
    REQUIRE(stored.value() == decoded.value());
    types.insert(record.type);
  }
  REQUIRE(types.size() == std::variant_size_v<FundCommand>);  // every command is exercised
}

TEST_CASE(
    "codec: a refusal names the offending field as data, and a rule code where one "
    "applies is not needed to find it") {
  auto missing = decode_command(json::object{{"type", "register_member"}, {"name", "A"}});
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().field() == "member");
  auto wrong = decode_command(json::object{{"type", "file_specific_claim"},
                                           {"year", 2023},
                                           {"member", "A"},
                                           {"patient", "p"},
                                           {"episode", "e"},
                                           {"kind", "weekly"},
                                           {"cumulative_cost", "1.00"}});
  REQUIRE_FALSE(wrong.is_ok());
  CHECK(wrong.status().field() == "kind");
  CHECK(wrong.status().message() == "field 'kind' must be interim or final");
  auto routed = decode_command("file_return", json::object{{"member", "B"}}, {{"member", "A"}});
  REQUIRE_FALSE(routed.is_ok());
  CHECK(routed.status().field() == "member");
}

TEST_CASE("codec: a 30,000-character unknown field name is refused, quoted in part") {
  json::object command{{"type", "open_year"}, {"year", 2023}};
  command[std::string(30'000, 'x')] = 1;
  auto refused = decode_command(command);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == ErrorCode::invalid_argument);
  CHECK(refused.status().field() == std::string(64, 'x'));
  CHECK(refused.status().message().size() < 200);
  auto unknown = decode_command(json::object{{"type", std::string(30'000, 'y')}});
  REQUIRE_FALSE(unknown.is_ok());
  CHECK(unknown.status().field() == "type");
}

TEST_CASE("codec: the actor's journal form reads back, and nothing else does") {
  for (const char* text : {"admin:alice", "member:05A", "actuary:carol"}) {
    const auto actor = Actor::parse(text);
    REQUIRE(actor.has_value());
    CHECK(actor->to_string() == text);
  }
  for (const char* text : {"", "admin:", "alice", "root:alice", ":x"})
    CHECK_FALSE(Actor::parse(text));
}

}  // namespace backstop

namespace backstop {

TEST_CASE("codec: a rate too large for the fund's arithmetic is refused as overflow, not thrown") {
  json::object command{{"type", "create_year"}, {"year", 2030}};
  command["parameters"] = json::object{{"corridor_b1", "999999999999999999999999999999999999"}};
  Result<FundCommand> decoded = Status::error(ErrorCode::corruption, "not decoded");
  REQUIRE_NOTHROW(decoded = decode_command(command));
  REQUIRE_FALSE(decoded.is_ok());
  CHECK(decoded.status().code() == ErrorCode::overflow);
  CHECK(decoded.status().field() == "corridor_b1");
}

TEST_CASE("codec: a parameter given as null is refused, not taken as absent") {
  for (const char* name : {"corridor_b1", "loan_term_years", "specific_cap"}) {
    json::object command{{"type", "create_year"}, {"year", 2030}};
    command["parameters"] = json::object{{name, nullptr}};
    auto decoded = decode_command(command);
    REQUIRE_FALSE(decoded.is_ok());
    CHECK(decoded.status().field() == name);
  }
}

}  // namespace backstop

namespace backstop {
namespace {
json::object specific_claim_with(const char* field, const std::string& value) {
  json::object claim{{"type", "file_specific_claim"}, {"year", 2023},     {"member", "05A"},
                     {"patient", "p-7f3a9c"},         {"episode", "e.1"}, {"kind", "final"},
                     {"cumulative_cost", "300000.00"}};
  claim[field] = value;
  return claim;
}
}  // namespace

TEST_CASE("codec: references use the plain character set, so two that look alike are the same") {
  CHECK(decode_command(specific_claim_with("patient", "p-7f3a9c_v2.1")).is_ok());
  const std::string hostile[] = {
      "p 7f3a9c",              // a space
      "p-7f3a9c\xe2\x80\x8b",  // a zero-width space after it
      "p-7f3a9c\xc2\xa0",      // a no-break space
      "\xef\xbd\x90-7f3a9c",   // a full-width letter p
      "p-7f3a9c\x7f",          // DEL
      "p/7f3a9c",              // a path separator
  };
  for (const auto& value : hostile) {
    for (const char* field : {"patient", "episode", "member"}) {
      auto decoded = decode_command(specific_claim_with(field, value));
      INFO(field << " = " << value);
      REQUIRE_FALSE(decoded.is_ok());
      CHECK(decoded.status().field() == field);
    }
  }
}

TEST_CASE("codec: no text field holds DEL, whatever it is for") {
  auto decoded = decode_command(json::object{
      {"type", "register_member"}, {"member", "05A"}, {"name", "North\x7f"}, {"population", 1000}});
  REQUIRE_FALSE(decoded.is_ok());
  CHECK(decoded.status().field() == "name");
}

TEST_CASE("rule 5: an NHS number is refused however it is separated within the plain set") {
  for (const std::string written : {"9434765919", "943-476-5919", "943.476.5919", "943_476_5919"}) {
    INFO(written);
    CHECK(is_valid_nhs_number(written));
  }
  CHECK_FALSE(is_valid_nhs_number("9434765918"));  // fails the check digit
  CHECK_FALSE(is_valid_nhs_number("p-9434765919"));
}
}  // namespace backstop
