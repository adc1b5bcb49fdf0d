#include "tools/member_receipts.hpp"

#include <iostream>
#include <memory>
#include <set>

#include "tools/api_client.hpp"
#include "tools/exit_codes.hpp"
#include "tools/network_client.hpp"
#include "tools/receipts.hpp"

namespace backstop {
namespace {
namespace json = boost::json;
using receipts::ReceiptLine;

struct CheckOptions {
  network::Connection c;
  std::vector<std::string> files, public_keys;
};

// The daemon's current signed head, and the public key it publishes.
struct Published {
  SignedHead head;
  std::optional<HeadPublicKey> key;
};

Result<Published> published_head(ApiClient& client) {
  auto reply = client.request("GET", "/v1/head");
  if (!reply.is_ok()) return reply.status();
  json::error_code error;
  const json::value body = json::parse(reply.value().body, error);
  if (reply.value().status != 200 || error || !body.is_object() ||
      !body.as_object().contains("head"))
    return Status::error(
        ErrorCode::io_error,
        "GET /v1/head: HTTP " + std::to_string(reply.value().status) + " " + reply.value().body);
  auto head = signed_head_from_json(body.at("head"));
  if (!head.is_ok()) return head.status();
  Published published{head.value(), std::nullopt};
  if (const auto* pem = body.as_object().if_contains("public_key"); pem && pem->is_string()) {
    auto key = HeadPublicKey::from_pem(pem->as_string());
    if (key.is_ok()) published.key = key.value();
  }
  return published;
}

// Whether the daemon serves transaction `sequence` with `hash` (a member is answered only
// for the hash it names). io_error if the daemon could not be asked.
Status served(ApiClient& client, const ReceiptLine& line, std::uint64_t sequence,
              const Digest& hash, std::uint64_t daemon_last, const std::string& what) {
  auto reply =
      client.request("GET", "/v1/journal/" + std::to_string(sequence) + "?hash=" + to_hex(hash));
  if (!reply.is_ok()) return reply.status();
  if (reply.value().status == 200) return Status::ok();
  const std::string named = "transaction " + std::to_string(sequence) + what;
  if (reply.value().status != 404)
    return Status::error(ErrorCode::io_error, "receipt " + line.where + ": asking for " + named +
                                                  ": HTTP " + std::to_string(reply.value().status) +
                                                  " " + reply.value().body);
  return Status::error(
      ErrorCode::corruption,
      "receipt " + line.where + ": the daemon holds no " + named + " with the receipted hash" +
          (sequence > daemon_last ? " (its journal ends at " + std::to_string(daemon_last) +
                                        "): history was truncated or rolled back"
                                  : ": history was rewritten"));
}

// Checks one receipt: its signature, then its entry and its signed head on the daemon.
// `asked` holds the (sequence, hash) pairs already confirmed, so shared heads are asked once.
Status check_one(ApiClient& client, const ReceiptLine& line, const std::vector<HeadPublicKey>& keys,
                 const SignedHead& current, std::set<std::pair<std::uint64_t, Digest>>& asked) {
  if (Status signature = receipts::check_signature(line, keys); !signature.is_ok())
    return signature;
  const HeldReceipt& receipt = line.receipt;
  for (const auto& [sequence, hash, what] :
       {std::tuple{receipt.sequence, receipt.hash, std::string()},
        {receipt.head.sequence, receipt.head.hash, std::string(" (the receipt's signed head)")}}) {
    if (asked.contains({sequence, hash})) continue;
    if (Status held = served(client, line, sequence, hash, current.sequence, what); !held.is_ok())
      return held;
    asked.insert({sequence, hash});
  }
  return Status::ok();
}

int run_check(const CheckOptions& o) {
  auto lines = receipts::read_receipt_files(o.files);
  if (!lines.is_ok()) return network::fail(lines.status());
  auto keys = receipts::read_public_keys(o.public_keys);
  if (!keys.is_ok()) return network::fail(keys.status());
  auto options = network::client_options(o.c);
  if (!options.is_ok()) return network::fail(options.status());
  ApiClient client(options.value());
  auto published = published_head(client);
  if (!published.is_ok()) return network::fail(published.status());
  // The published key is only ever used where a receipt's key id (its SHA-256) names it.
  if (published.value().key) keys.value().push_back(*published.value().key);
  const SignedHead& current = published.value().head;
  std::vector<Status> problems;
  const ReceiptLine now{"the daemon's current head", {current.sequence, current.hash, current}};
  if (Status signature = receipts::check_signature(now, keys.value()); !signature.is_ok())
    problems.push_back(signature);
  std::set<std::pair<std::uint64_t, Digest>> asked;
  for (const auto& line : lines.value()) {
    Status held = check_one(client, line, keys.value(), current, asked);
    if (held.code() == ErrorCode::io_error) return network::fail(held);
    if (!held.is_ok()) problems.push_back(held);
  }
  if (Status all = receipts::summarise(problems, lines.value().size()); !all.is_ok())
    return network::fail(all);
  std::cout << "receipts hold: " << lines.value().size()
            << " receipted entries served with their hashes; the daemon's signed head is "
            << current.sequence << " " << to_hex(current.hash) << "\n";
  return exit_code::ok;
}

}  // namespace

void add_check_receipts_command(CLI::App* member, int& exit_status) {
  auto o = std::make_shared<CheckOptions>();
  auto* command = member->add_subcommand(
      "check-receipts",
      "check that backstopd still serves every receipted entry and signed head unchanged");
  network::add_connection_options(*command, o->c);
  command->add_option("files", o->files, "receipt files (JSON lines from --receipts-out)")
      ->required();
  command->add_option("--public-key", o->public_keys,
                      "the server's head public key (.head.pub); default: the one the daemon "
                      "publishes, where a receipt's key id names it");
  command->callback([o, &exit_status] { exit_status = run_check(*o); });
}

}  // namespace backstop
