#include "daemon/head_routes.hpp"

#include <charconv>

#include "fund/receipt_json.hpp"

namespace backstop::daemon {
namespace json = boost::json;
namespace {

// The value of `name` in the target's query string ("" when absent).
std::string query_parameter(const std::string& target, const std::string& name) {
  const auto question = target.find('?');
  if (question == std::string::npos) return {};
  std::string_view query(target);
  query.remove_prefix(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.starts_with(name + "=")) return std::string(pair.substr(name.size() + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

std::optional<std::uint64_t> parse_sequence(const std::string& text) {
  std::uint64_t sequence = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), sequence);
  if (error != std::errc() || end != text.data() + text.size() || sequence == 0)
    return std::nullopt;
  return sequence;
}

}  // namespace

void head_view(const ApiRequest&, const std::vector<std::string>&, FundService& service,
               const Respond& respond) {
  const SignedHead head =
      service.read_with_head([](const Fund&, const SignedHead& h) { return h; });
  respond(ApiResponse{
      200, json::object{{"head", to_json(head)}, {"public_key", service.head_key().pem()}}});
}

void journal_entry_view(const ApiRequest& request, const std::vector<std::string>& parameters,
                        FundService& service, const Respond& respond) {
  const auto sequence = parse_sequence(parameters[0]);
  if (!sequence)
    return respond(error_response(400, "invalid_argument", "sequence must be a whole number from 1",
                                  "sequence"));
  const std::string hash_text = query_parameter(request.target, "hash");
  const auto held = digest_from_hex(hash_text);
  if (!hash_text.empty() && !held)
    return respond(error_response(400, "invalid_argument", "hash must be 64 hex digits", "hash"));
  if (!held && !request.principal.is_admin())
    return respond(error_response(403, "permission_denied",
                                  "a member may only confirm a hash it holds (?hash=)", "hash"));
  const std::string missing = "no transaction " + parameters[0] + (held ? " with that hash" : "");
  respond(service.read_with_head([&](const Fund& fund, const SignedHead& head) {
    if (*sequence > fund.ledger().last_sequence()) return error_response(404, "not_found", missing);
    Result<JournalEntry> entry = fund.ledger().entry(*sequence);
    if (!entry.is_ok()) return error_response(entry.status());
    if (held && entry.value().hash != *held) return error_response(404, "not_found", missing);
    return ApiResponse{200, json::object{{"sequence", *sequence},
                                         {"hash", to_hex(entry.value().hash)},
                                         {"head", to_json(head)}}};
  }));
}

}  // namespace backstop::daemon
