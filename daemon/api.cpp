#include "daemon/api.hpp"

#include <charconv>

#include "daemon/backup_api.hpp"
#include "daemon/head_routes.hpp"
#include "daemon/journal_stream.hpp"
#include "fund/codec.hpp"
#include "fund/receipt_json.hpp"

namespace backstop::daemon {
namespace json = boost::json;
namespace {

using Parameters = std::vector<std::string>;
using Handler =
    std::function<void(const ApiRequest&, const Parameters&, FundService&, const Respond&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/v1/claims/{claim}"
  bool writes;
  Handler handler;
};

unsigned http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return 400;
    case ErrorCode::overflow:
      return 400;
    case ErrorCode::permission_denied:
      return 403;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::already_exists:
      return 409;
    case ErrorCode::constraint:
      return 409;
    case ErrorCode::already_reversed:
      return 409;
    case ErrorCode::idempotency_conflict:
      return 422;
    case ErrorCode::unbalanced:
      return 422;
    case ErrorCode::corruption:
      return 500;
    case ErrorCode::io_error:
      return 503;
    case ErrorCode::insufficient_storage:
      return 507;
  }
  return 500;
}

// "a/b/c" -> ["a", "b", "c"]; the query string is not part of the path.
std::vector<std::string> split_path(const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    parts.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool match(const Route& route, const std::string& method, const std::string& target,
           Parameters& parameters) {
  if (route.method != method) return false;
  const auto pattern = split_path(route.pattern);
  const auto path = split_path(target);
  if (pattern.size() != path.size()) return false;
  parameters.clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i].starts_with("{")) {
      if (path[i].empty() || path[i].size() > 64) return false;
      parameters.push_back(path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

std::optional<std::uint32_t> parse_year(const std::string& text) {
  std::uint32_t year = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (error != std::errc() || end != text.data() + text.size() || year < 2000 || year > 2200)
    return std::nullopt;
  return year;
}

// Parses the body as a JSON object, refusing anything else.
std::optional<json::object> body_object(const ApiRequest& request, const Respond& respond) {
  json::error_code error;
  json::value parsed = json::parse(request.body, error);
  if (error) {
    respond(error_response(400, "invalid_json", "the body is not JSON: " + error.message()));
    return std::nullopt;
  }
  if (!parsed.is_object()) {
    respond(error_response(400, "invalid_json", "the body must be a JSON object"));
    return std::nullopt;
  }
  return parsed.as_object();
}

void submit(const ApiRequest& request, Result<FundCommand> command, FundService& service,
            const Respond& respond) {
  if (!command.is_ok()) return respond(error_response(command.status()));
  service.submit(
      request.idempotency_key, request.principal.actor(), std::move(command).value(),
      [respond](Result<FundReceipt> receipt) {
        if (!receipt.is_ok()) return respond(error_response(receipt.status()));
        respond(
            ApiResponse{receipt.value().replayed ? 200u : 201u, receipt_to_json(receipt.value())});
      },
      request.requested_time);
}

bool may_act_for(const Principal& principal, const std::string& member) {
  return principal.is_admin() || principal.is_member(member);
}

bool may_read_journal(const Principal& principal) {
  return principal.is_admin() || principal.kind == Principal::Kind::replica;
}

// Submits the body as the command `type` whose `field` is `value`: both come from the
// route, never the body, which may not name them.
void submit_routed(const ApiRequest& request, const char* type, const char* field,
                   const std::string& value, FundService& service, const Respond& respond) {
  auto body = body_object(request, respond);
  if (!body) return;
  submit(request, decode_command(type, *body, {{field, value}}), service, respond);
}

// A member route: the command's type and member come from the route, never the body.
Handler member_command(const char* type) {
  return [type](const ApiRequest& request, const Parameters& parameters, FundService& service,
                const Respond& respond) {
    const std::string& member = parameters[0];
    if (!may_act_for(request.principal, member))
      return respond(error_response(403, "permission_denied", "a member may act only for itself"));
    submit_routed(request, type, "member", member, service, respond);
  };
}

// A claim route: the claim must be the principal's (an unknown or foreign claim is 404 alike).
Handler claim_command(const char* type) {
  return [type](const ApiRequest& request, const Parameters& parameters, FundService& service,
                const Respond& respond) {
    const std::string& claim = parameters[0];
    const auto owner = service.read([&](const Fund& fund) -> std::string {
      auto found = fund.claim(claim);
      return found.is_ok() ? found.value().member : std::string();
    });
    if (owner.empty() || !may_act_for(request.principal, owner))
      return respond(error_response(404, "not_found", "no claim '" + claim + "'"));
    submit_routed(request, type, "claim", claim, service, respond);
  };
}

// A view as the API's JSON, or the error that stands in for it.
template <typename View>
void respond_read(const Result<View>& result, const Respond& respond) {
  if (!result.is_ok()) return respond(error_response(result.status()));
  respond(ApiResponse{200, to_json(result.value())});
}

// An administrators' report on one fund year.
template <typename View>
Handler admin_year_read(Result<View> (Fund::*report)(std::uint32_t) const) {
  return [report](const ApiRequest& request, const Parameters& p, FundService& service,
                  const Respond& respond) {
    if (!request.principal.is_admin())
      return respond(error_response(403, "permission_denied", "administrators only"));
    auto year = parse_year(p[0]);
    if (!year)
      return respond(error_response(400, "invalid_argument", "year must be 2000 to 2200", "year"));
    respond_read(service.read([&](const Fund& fund) { return (fund.*report)(*year); }), respond);
  };
}

void admin_command(const ApiRequest& request, const Parameters&, FundService& service,
                   const Respond& respond) {
  if (!request.principal.is_admin())
    return respond(error_response(403, "permission_denied", "administrators only"));
  auto body = body_object(request, respond);
  if (body) submit(request, decode_command(*body), service, respond);
}

void ledger_head(const ApiRequest& request, const Parameters&, FundService& service,
                 const Respond& respond) {
  if (!may_read_journal(request.principal))
    return respond(error_response(403, "permission_denied", "administrators and replicas only"));
  respond(ApiResponse{200, service.read_with_head([](const Fund& fund, const SignedHead& head) {
                        return json::object{{"sequence", fund.ledger().last_sequence()},
                                            {"chain_head", to_hex(fund.ledger().chain_head())},
                                            {"head", to_json(head)}};
                      })});
}

void member_statement(const ApiRequest& request, const Parameters& p, FundService& service,
                      const Respond& respond) {
  if (!may_act_for(request.principal, p[0]))
    return respond(
        error_response(403, "permission_denied", "a member may read only its own statement"));
  auto year = parse_year(p[1]);
  if (!year)
    return respond(error_response(400, "invalid_argument", "year must be 2000 to 2200", "year"));
  respond_read(service.read([&](const Fund& fund) { return fund.member_statement(p[0], *year); }),
               respond);
}

void member_claims(const ApiRequest& request, const Parameters& p, FundService& service,
                   const Respond& respond) {
  if (!may_act_for(request.principal, p[0]))
    return respond(
        error_response(403, "permission_denied", "a member may read only its own claims"));
  auto year = parse_year(p[1]);
  if (!year)
    return respond(error_response(400, "invalid_argument", "year must be 2000 to 2200", "year"));
  auto statement =
      service.read([&](const Fund& fund) { return fund.member_statement(p[0], *year); });
  if (!statement.is_ok()) return respond(error_response(statement.status()));
  json::array claims;
  for (const auto& claim : statement.value().claims) claims.push_back(to_json(claim));
  respond(ApiResponse{200, json::object{{"member", p[0]}, {"year", *year}, {"claims", claims}}});
}

void claim_view(const ApiRequest& request, const Parameters& p, FundService& service,
                const Respond& respond) {
  auto claim = service.read([&](const Fund& fund) { return fund.claim(p[0]); });
  if (!claim.is_ok() || !may_act_for(request.principal, claim.value().member)) {
    return respond(error_response(404, "not_found", "no claim '" + p[0] + "'"));
  }
  respond(ApiResponse{200, to_json(claim.value())});
}

// "?after=5&wait=2": the value of `name` as a number in [low, high]; `fallback` if absent.
// nullopt if present but not such a number.
std::optional<std::uint64_t> query_number(const std::string& target, const std::string& name,
                                          std::uint64_t low, std::uint64_t high,
                                          std::optional<std::uint64_t> fallback) {
  const auto query = target.find('?');
  if (query == std::string::npos) return fallback;
  const std::string needle = name + "=";
  for (std::size_t at = query + 1; at < target.size();) {
    const auto end = std::min(target.find('&', at), target.size());
    if (target.compare(at, needle.size(), needle) == 0) {
      std::uint64_t value = 0;
      const char* first = target.data() + at + needle.size();
      auto [last, error] = std::from_chars(first, target.data() + end, value);
      if (error != std::errc() || last != target.data() + end || value < low || value > high)
        return std::nullopt;
      return value;
    }
    at = end + 1;
  }
  return fallback;
}

// GET /v1/admin/journal?after=SEQ&limit=N&wait=S: the committed records after SEQ; if there
// are none yet, the answer waits (without a thread or the fund's lock) up to S seconds for
// the next commit.
void journal(const ApiRequest& request, const Parameters&, FundService& service,
             const Respond& respond) {
  if (!may_read_journal(request.principal))
    return respond(error_response(403, "permission_denied", "administrators and replicas only"));
  const auto after = query_number(request.target, "after", 0, UINT64_MAX, std::nullopt);
  const auto limit = query_number(request.target, "limit", 1, journal_page_entries_max,
                                  journal_page_entries_default);
  const auto wait = query_number(request.target, "wait", 0, journal_wait_seconds_max, 0);
  if (!after || !limit || !wait) {
    return respond(error_response(
        400, "invalid_argument",
        "after is required; limit must be 1 to 1024 and wait 0 to 30 seconds", "query"));
  }
  auto serve = [&service, after = *after, limit = *limit, respond] {
    const auto [head, hash] = service.read([](const Fund& fund) {
      return std::pair(fund.ledger().last_sequence(), fund.ledger().chain_head());
    });
    auto page = read_journal_page(service.store(), head, hash, after, limit);
    if (!page.is_ok()) return respond(error_response(page.status()));
    respond(ApiResponse{200, page_json(page.value())});
  };
  // Only a reader that has everything waits: one past the head learns so at once.
  const auto head = service.read([](const Fund& fund) { return fund.ledger().last_sequence(); });
  if (*wait == 0 || *after != head) return serve();
  service.commit_watch().wait(*after,
                              std::chrono::steady_clock::now() + std::chrono::seconds(*wait),
                              [post = request.post, serve] { post ? post(serve) : serve(); });
}

// POST /v1/admin/promote on a replica: it stops following and takes writes from now on.
void promote(const ApiRequest& request, const Parameters&, FundService& service,
             const Respond& respond) {
  if (!request.principal.is_admin())
    return respond(error_response(403, "permission_denied", "administrators only"));
  if (Status promoted = service.promote(); !promoted.is_ok())
    return respond(error_response(409, "not_a_replica", promoted.message()));
  respond(ApiResponse{200, service.read([](const Fund& fund) {
                        return json::object{{"role", "leader"},
                                            {"sequence", fund.ledger().last_sequence()},
                                            {"chain_head", to_hex(fund.ledger().chain_head())}};
                      })});
}

const std::vector<Route>& routes() {
  static const std::vector<Route> table = {
      {"POST", "/v1/admin/commands", true, admin_command},
      {"GET", "/v1/admin/years/{year}/report", false, admin_year_read(&Fund::fund_report)},
      {"GET", "/v1/admin/years/{year}/warnings", false, admin_year_read(&Fund::early_warnings)},
      {"GET", "/v1/admin/years/{year}/pending", false, admin_year_read(&Fund::pending_claims)},
      {"GET", "/v1/admin/ledger/head", false, ledger_head},
      {"POST", "/v1/admin/backups", false, create_backup_route},
      {"GET", "/v1/admin/backups", false, list_backups_route},
      {"GET", "/v1/head", false, head_view},
      {"GET", "/v1/journal/{sequence}", false, journal_entry_view},
      {"GET", "/v1/admin/journal", false, journal},
      {"POST", "/v1/admin/promote", false, promote},
      {"GET", "/v1/members/{member}/years/{year}/statement", false, member_statement},
      {"GET", "/v1/members/{member}/years/{year}/claims", false, member_claims},
      {"POST", "/v1/members/{member}/returns", true, member_command(FileReturn::type_name)},
      {"POST", "/v1/members/{member}/specific-claims", true,
       member_command(FileSpecificClaim::type_name)},
      {"POST", "/v1/members/{member}/aggregate-claims", true,
       member_command(FileAggregateClaim::type_name)},
      {"GET", "/v1/claims/{claim}", false, claim_view},
      {"POST", "/v1/claims/{claim}/withdraw", true, claim_command(WithdrawClaim::type_name)},
      {"POST", "/v1/claims/{claim}/appeal", true, claim_command(AppealClaim::type_name)},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& api_routes() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out = {"GET /healthz", "GET /readyz", "GET /metrics"};
    for (const auto& route : routes()) out.push_back(route.method + " " + route.pattern);
    return out;
  }();
  return names;
}

ApiResponse error_response(unsigned http_status, const std::string& code,
                           const std::string& message, const std::string& field) {
  json::object error{{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  return ApiResponse{http_status, json::object{{"error", error}}};
}

ApiResponse error_response(const Status& status) {
  ApiResponse response =
      error_response(http_status_for(status.code()), error_code_name(status.code()),
                     status.message(), status.field());
  if (!status.rule().empty()) response.body.at("error").as_object()["rule"] = status.rule();
  return response;
}

void handle_api(const ApiRequest& request, FundService& service, const Respond& respond) {
  Parameters parameters;
  bool path_known = false;
  for (const auto& route : routes()) {
    if (!match(route, route.method, request.target, parameters)) continue;
    path_known = true;
    if (!match(route, request.method, request.target, parameters)) continue;
    if (route.writes && service.is_replica()) {
      auto refusal = error_response(503, "read_only_replica",
                                    "this server is a read-only replica: send writes to its "
                                    "leader at " +
                                        service.leader());
      refusal.body.at("error").as_object()["leader"] = service.leader();
      return respond(refusal);
    }
    if (route.writes) {
      const auto& key = request.idempotency_key;
      if (key.empty())
        return respond(error_response(400, "missing_idempotency_key",
                                      "state-changing requests need an Idempotency-Key header"));
      if (key.size() > 128 ||
          std::any_of(key.begin(), key.end(), [](char c) { return c <= 0x20 || c >= 0x7f; })) {
        return respond(
            error_response(400, "invalid_idempotency_key",
                           "Idempotency-Key must be 1 to 128 printable ASCII characters"));
      }
    }
    return route.handler(request, parameters, service, respond);
  }
  if (path_known)
    return respond(
        error_response(405, "method_not_allowed", "this path does not take " + request.method));
  respond(error_response(404, "not_found", "no such route"));
}

}  // namespace backstop::daemon
