#include "daemon/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>

namespace backstop::daemon {
namespace ssl = boost::asio::ssl;

Result<std::unique_ptr<ssl::context>> make_server_context(const Config& config) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  // TLS 1.3 only.
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
    return Status::error(ErrorCode::invalid_argument, "TLS 1.3 is not available");
  }
  boost::system::error_code error;
  context->use_certificate_chain_file(config.certificate_file, error);
  if (!error) context->use_private_key_file(config.private_key_file, ssl::context::pem, error);
  if (!error) context->load_verify_file(config.ca_file, error);
  if (error) return Status::error(ErrorCode::invalid_argument, "TLS set-up: " + error.message());
  context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  // No session resumption: every connection is a full handshake, so every client certificate
  // is checked against the CRL as it stands. A session id context still makes a client that
  // offers a session get a full handshake rather than an internal_error alert.
  static const unsigned char session_context[] = "backstopd";
  SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(native, 0);
  if (!config.crl_file.empty()) {
    X509_STORE* store = SSL_CTX_get_cert_store(native);
    if (X509_STORE_load_file(store, config.crl_file.c_str()) != 1) {
      return Status::error(ErrorCode::invalid_argument,
                           "cannot load the CRL '" + config.crl_file + "'");
    }
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  }
  return context;
}

std::optional<Principal> principal_from_certificate(X509* certificate) {
  if (certificate == nullptr) return std::nullopt;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return std::nullopt;
  std::optional<Principal> found;
  int count = 0;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const auto* uri = name->d.uniformResourceIdentifier;
    const std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                           static_cast<std::size_t>(ASN1_STRING_length(uri)));
    for (const auto& [prefix, kind] :
         {std::pair{std::string("backstop:member:"), Principal::Kind::member},
          std::pair{std::string("backstop:admin:"), Principal::Kind::admin},
          std::pair{std::string("backstop:replica:"), Principal::Kind::replica}}) {
      if (!text.starts_with(prefix) || text.size() == prefix.size() ||
          text.size() > prefix.size() + 64)
        continue;
      const std::string subject = text.substr(prefix.size());
      const bool clean = std::all_of(subject.begin(), subject.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
      if (!clean) continue;
      found = Principal{kind, subject};
      ++count;
    }
  }
  GENERAL_NAMES_free(names);
  if (count != 1) return std::nullopt;
  return found;
}

}  // namespace backstop::daemon
