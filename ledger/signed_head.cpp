#include "ledger/signed_head.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <optional>

#include "ledger/bytes.hpp"
#include "ledger/encoding.hpp"

namespace backstop {
namespace {

constexpr std::string_view head_domain = "backstop-head-v1";

std::shared_ptr<evp_pkey_st> own(EVP_PKEY* key) {
  return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

// Reads one PEM object from memory with `read` (PEM_read_bio_PUBKEY or _PrivateKey).
template <typename Read>
EVP_PKEY* read_pem(std::string_view pem, Read read) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return nullptr;
  return read(bio.get(), nullptr, nullptr, nullptr);
}

// The raw 32-byte public half of an Ed25519 key (either half given), or nullopt.
std::optional<std::array<std::uint8_t, 32>> raw_public_key(EVP_PKEY* key) {
  std::array<std::uint8_t, 32> bytes{};
  std::size_t length = bytes.size();
  if (!EVP_PKEY_is_a(key, "ED25519") ||
      EVP_PKEY_get_raw_public_key(key, bytes.data(), &length) != 1 || length != bytes.size()) {
    return std::nullopt;
  }
  return bytes;
}

Digest key_id_of(const std::array<std::uint8_t, 32>& bytes) {
  return sha256(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Status not_ed25519(const char* what) {
  return Status::error(ErrorCode::invalid_argument,
                       std::string("not a PEM Ed25519 ") + what + " (backstop pki writes one)");
}

}  // namespace

std::string head_signing_message(std::uint64_t sequence, const Digest& hash) {
  ByteWriter writer;
  writer.reserve(head_domain.size() + 8 + hash.size());
  writer.u64(sequence);
  writer.digest(hash);
  return std::string(head_domain) + writer.take();
}

Result<HeadPublicKey> HeadPublicKey::from_pem(std::string_view pem) {
  EVP_PKEY* raw = read_pem(pem, PEM_read_bio_PUBKEY);
  if (raw == nullptr) return not_ed25519("public key");
  HeadPublicKey key;
  key.key_ = own(raw);
  const auto bytes = raw_public_key(raw);
  if (!bytes) return not_ed25519("public key");
  key.key_id_ = key_id_of(*bytes);
  return key;
}

std::string HeadPublicKey::pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

bool HeadPublicKey::verifies(const SignedHead& head) const {
  if (!key_ || head.key_id != key_id_) return false;
  const std::string message = head_signing_message(head.sequence, head.hash);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  return context &&
         EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
         EVP_DigestVerify(context.get(), head.signature.data(), head.signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

Result<HeadSigner> HeadSigner::from_pem(std::string_view pem) {
  EVP_PKEY* raw = read_pem(pem, PEM_read_bio_PrivateKey);
  if (raw == nullptr) return not_ed25519("private key");
  HeadSigner signer;
  signer.key_ = own(raw);
  const auto bytes = raw_public_key(raw);
  if (!bytes) return not_ed25519("private key");
  EVP_PKEY* public_only =
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes->data(), bytes->size());
  if (public_only == nullptr) return not_ed25519("private key");
  signer.public_key_.key_ = own(public_only);
  signer.public_key_.key_id_ = key_id_of(*bytes);
  return signer;
}

SignedHead HeadSigner::sign(std::uint64_t sequence, const Digest& hash) const {
  SignedHead head{sequence, hash, {}, public_key_.key_id()};
  const std::string message = head_signing_message(sequence, hash);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  std::size_t length = head.signature.size();
  // Ed25519 fails only for want of memory; a head left unsigned then fails every check.
  if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(context.get(), head.signature.data(), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    head.signature = {};
  }
  return head;
}

}  // namespace backstop
