// A development PKI for backstopd (never for production keys): a CA, server and client
// certificates naming principals by SAN URI, revocation and the CRL. Files in one folder:
// ca.pem, ca.key, <name>.pem, <name>.key, revoked.txt (serials), crl.pem; for a server also
// <name>.head.key and <name>.head.pub, the Ed25519 key that signs chain heads in receipts.
#pragma once

#include <string>

#include "ledger/status.hpp"

namespace backstop::pki {

Status init_ca(const std::string& directory, int days);

struct IssueOptions {
  std::string name;     // file stem, e.g. "member-05A"
  std::string uri;      // "backstop:member:05A"; empty for a server certificate
  bool server = false;  // SAN IP 127.0.0.1 and DNS localhost, serverAuth; and a head key
  int days = 365;
  bool expired = false;  // valid from 2 days ago to 1 day ago (for tests)
  std::string
      ca_directory;  // issue from another CA folder (for "unknown CA" tests); default: directory
};
Status issue(const std::string& directory, const IssueOptions& options);

// Adds the certificate's serial to revoked.txt and rewrites crl.pem.
Status revoke(const std::string& directory, const std::string& name);
Status write_crl(const std::string& directory);

}  // namespace backstop::pki
