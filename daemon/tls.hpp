// The TLS side of backstopd: a TLS 1.3-only server context that requires a client
// certificate from the configured CA (CRL honoured), and the principal a certificate names.
#pragma once

#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <optional>
#include <string>

#include "daemon/config.hpp"
#include "fund/commands.hpp"

namespace backstop::daemon {

struct Principal {
  // A replica may read the journal stream and the head, nothing else: it acts for no one.
  enum class Kind { member, admin, replica };
  Kind kind = Kind::member;
  std::string name;  // member id, administrator or replica name
  // The actor the fund records: "member:05A", "admin:alice". Never asked of a replica.
  Actor actor() const {
    return Actor{kind == Kind::admin ? Actor::Role::admin : Actor::Role::member, name};
  }
  bool is_admin() const { return kind == Kind::admin; }
  bool is_member(const std::string& member) const { return kind == Kind::member && name == member; }
  // For logs and rate limits: "member:05A", "admin:alice", "replica:standby-1".
  std::string to_string() const {
    return kind == Kind::replica ? "replica:" + name : actor().to_string();
  }
};

Result<std::unique_ptr<boost::asio::ssl::context>> make_server_context(const Config& config);

// The principal named by a SAN URI "backstop:member:<id>", "backstop:admin:<name>" or
// "backstop:replica:<name>";
// nullopt when the certificate names none (or more than one).
std::optional<Principal> principal_from_certificate(X509* certificate);

}  // namespace backstop::daemon
