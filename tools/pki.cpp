#include "tools/pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>

namespace backstop::pki {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Crl = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;

Status failed(const std::string& what) {
  return Status::error(ErrorCode::io_error, "pki: " + what);
}

std::string path(const std::string& directory, const std::string& file) {
  return (std::filesystem::path(directory) / file).string();
}

Status write_pem(const std::string& file, const std::function<int(FILE*)>& write, bool secret) {
  FILE* out = std::fopen(file.c_str(), "w");
  if (out == nullptr) return failed("cannot write " + file);
  const int written = write(out);
  std::fclose(out);
  if (secret)
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return written == 1 ? Status::ok() : failed("cannot encode " + file);
}

Key read_key(const std::string& file) {
  FILE* in = std::fopen(file.c_str(), "r");
  if (in == nullptr) return nullptr;
  Key key(PEM_read_PrivateKey(in, nullptr, nullptr, nullptr));
  std::fclose(in);
  return key;
}

Certificate read_certificate(const std::string& file) {
  FILE* in = std::fopen(file.c_str(), "r");
  if (in == nullptr) return nullptr;
  Certificate certificate(PEM_read_X509(in, nullptr, nullptr, nullptr));
  std::fclose(in);
  return certificate;
}

bool add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// A fresh certificate with a random 128-bit serial, P-256 key, and the given validity.
Certificate new_certificate(EVP_PKEY* key, const std::string& common_name, long not_before_s,
                            long not_after_s) {
  Certificate certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  unsigned char serial_bytes[16];
  RAND_bytes(serial_bytes, sizeof serial_bytes);
  serial_bytes[0] &= 0x7f;  // positive
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate.get()));
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), not_after_s);
  X509_set_pubkey(certificate.get(), key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Backstop development"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return certificate;
}

std::string serial_hex(X509* certificate) {
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get_serialNumber(certificate), nullptr);
  char* hex = BN_bn2hex(serial);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(serial);
  return out;
}

// The server's Ed25519 key for signing chain heads: <name>.head.key (secret) and the public
// half, <name>.head.pub, to publish with the certificate (docs/operations.md).
Status write_head_key(const std::string& directory, const std::string& name) {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return failed("head key generation failed");
  if (Status s = write_pem(
          path(directory, name + ".head.key"),
          [&](FILE* f) {
            return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          },
          true);
      !s.is_ok())
    return s;
  return write_pem(
      path(directory, name + ".head.pub"), [&](FILE* f) { return PEM_write_PUBKEY(f, key.get()); },
      false);
}

}  // namespace

Status init_ca(const std::string& directory, int days) {
  std::filesystem::create_directories(directory);
  if (std::filesystem::exists(path(directory, "ca.key")))
    return Status::error(ErrorCode::already_exists, "pki: a CA exists in " + directory);
  Key key(EVP_EC_gen("P-256"));
  if (!key) return failed("key generation failed");
  Certificate ca = new_certificate(key.get(), "Backstop development CA", 0, 86'400L * days);
  X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
  if (!add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(ca.get(), key.get(), EVP_sha256()) == 0) {
    return failed("cannot sign the CA certificate");
  }
  if (Status s = write_pem(
          path(directory, "ca.key"),
          [&](FILE* f) {
            return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          },
          true);
      !s.is_ok())
    return s;
  if (Status s = write_pem(
          path(directory, "ca.pem"), [&](FILE* f) { return PEM_write_X509(f, ca.get()); }, false);
      !s.is_ok())
    return s;
  std::ofstream(path(directory, "revoked.txt"));
  return write_crl(directory);
}

Status issue(const std::string& directory, const IssueOptions& options) {
  const std::string ca_directory = options.ca_directory.empty() ? directory : options.ca_directory;
  Key ca_key = read_key(path(ca_directory, "ca.key"));
  Certificate ca = read_certificate(path(ca_directory, "ca.pem"));
  if (!ca_key || !ca)
    return Status::error(ErrorCode::not_found,
                         "pki: no CA in " + ca_directory + " (run pki init-ca)");
  if (options.name.empty() || options.name.find('/') != std::string::npos)
    return Status::error(ErrorCode::invalid_argument, "pki: bad name");
  if (!options.server && !options.uri.starts_with("backstop:member:") &&
      !options.uri.starts_with("backstop:admin:") &&
      !options.uri.starts_with("backstop:replica:")) {
    return Status::error(ErrorCode::invalid_argument,
                         "pki: --uri must be backstop:member:<id>, backstop:admin:<name> or "
                         "backstop:replica:<name>");
  }
  Key key(EVP_EC_gen("P-256"));
  const long start = options.expired ? -2 * 86'400L : 0;
  const long end = options.expired ? -86'400L : 86'400L * options.days;
  Certificate certificate =
      new_certificate(key.get(), options.server ? "localhost" : options.uri, start, end);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(ca.get()));
  const std::string alt_names =
      options.server ? "IP:127.0.0.1,DNS:localhost" : "URI:" + options.uri;
  if (!add_extension(certificate.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(certificate.get(), ca.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_extension(certificate.get(), ca.get(), NID_ext_key_usage,
                     options.server ? "serverAuth" : "clientAuth") ||
      !add_extension(certificate.get(), ca.get(), NID_subject_alt_name, alt_names) ||
      X509_sign(certificate.get(), ca_key.get(), EVP_sha256()) == 0) {
    return failed("cannot sign the certificate");
  }
  if (Status s = write_pem(
          path(directory, options.name + ".key"),
          [&](FILE* f) {
            return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          },
          true);
      !s.is_ok())
    return s;
  if (options.server) {
    if (Status s = write_head_key(directory, options.name); !s.is_ok()) return s;
  }
  return write_pem(
      path(directory, options.name + ".pem"),
      [&](FILE* f) { return PEM_write_X509(f, certificate.get()); }, false);
}

Status revoke(const std::string& directory, const std::string& name) {
  Certificate certificate = read_certificate(path(directory, name + ".pem"));
  if (!certificate) return Status::error(ErrorCode::not_found, "pki: no certificate " + name);
  std::ofstream(path(directory, "revoked.txt"), std::ios::app)
      << serial_hex(certificate.get()) << "\n";
  return write_crl(directory);
}

Status write_crl(const std::string& directory) {
  Key ca_key = read_key(path(directory, "ca.key"));
  Certificate ca = read_certificate(path(directory, "ca.pem"));
  if (!ca_key || !ca) return Status::error(ErrorCode::not_found, "pki: no CA in " + directory);
  Crl crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.get()));
  ASN1_TIME* now = X509_gmtime_adj(nullptr, 0);
  ASN1_TIME* next = X509_gmtime_adj(nullptr, 30 * 86'400L);
  X509_CRL_set1_lastUpdate(crl.get(), now);
  X509_CRL_set1_nextUpdate(crl.get(), next);
  std::ifstream revoked(path(directory, "revoked.txt"));
  std::set<std::string> serials;
  for (std::string line; std::getline(revoked, line);) {
    if (!line.empty()) serials.insert(line);
  }
  for (const auto& hex : serials) {
    BIGNUM* serial = nullptr;
    if (BN_hex2bn(&serial, hex.c_str()) == 0) continue;
    X509_REVOKED* entry = X509_REVOKED_new();
    ASN1_INTEGER* number = BN_to_ASN1_INTEGER(serial, nullptr);
    X509_REVOKED_set_serialNumber(entry, number);
    X509_REVOKED_set_revocationDate(entry, now);
    X509_CRL_add0_revoked(crl.get(), entry);
    ASN1_INTEGER_free(number);
    BN_free(serial);
  }
  ASN1_TIME_free(now);
  ASN1_TIME_free(next);
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), ca_key.get(), EVP_sha256()) == 0)
    return failed("cannot sign the CRL");
  return write_pem(
      path(directory, "crl.pem"), [&](FILE* f) { return PEM_write_X509_CRL(f, crl.get()); }, false);
}

}  // namespace backstop::pki
