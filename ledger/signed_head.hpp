// A chain head signed by backstopd's Ed25519 head key: evidence, held by whoever received
// it, that the journal once ended at this sequence with this hash. Every entry before the
// head is fixed by the hash, so a store that later lacks an entry, or holds another one, at
// or below a signed head cannot show a chain that reaches it. What is signed is defined in
// docs/journal-format.md ("Signed heads"); keys are Ed25519 through OpenSSL's EVP.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/journal.hpp"
#include "ledger/status.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace backstop {

using HeadSignature = std::array<std::uint8_t, 64>;  // Ed25519

struct SignedHead {
  std::uint64_t sequence = 0;  // the last committed entry; 0 for an empty journal
  Digest hash{};               // its hash; all zero for an empty journal
  HeadSignature signature{};
  Digest key_id{};  // SHA-256 of the signing key's raw 32-byte public key
  bool operator==(const SignedHead&) const = default;
};

// The bytes signed: "backstop-head-v1" (16 ASCII bytes), the sequence as u64 big-endian, the
// 32-byte hash; 56 bytes in all.
std::string head_signing_message(std::uint64_t sequence, const Digest& hash);

// A public head key: checks signatures. Copies share the key.
class HeadPublicKey {
 public:
  // A PEM SubjectPublicKeyInfo holding an Ed25519 key (the `.head.pub` that `backstop pki`
  // writes); anything else is refused.
  static Result<HeadPublicKey> from_pem(std::string_view pem);

  const Digest& key_id() const { return key_id_; }
  std::string pem() const;
  // Whether `head` carries this key's id and a valid signature of its sequence and hash.
  bool verifies(const SignedHead& head) const;

 private:
  friend class HeadSigner;
  std::shared_ptr<evp_pkey_st> key_;
  Digest key_id_{};
};

// The private head key: signs heads. Signing is deterministic (Ed25519) and thread-safe.
class HeadSigner {
 public:
  // A PEM private key holding an Ed25519 key (the `.head.key` that `backstop pki` writes).
  static Result<HeadSigner> from_pem(std::string_view pem);

  SignedHead sign(std::uint64_t sequence, const Digest& hash) const;
  const HeadPublicKey& public_key() const { return public_key_; }

 private:
  std::shared_ptr<evp_pkey_st> key_;
  HeadPublicKey public_key_;
};

}  // namespace backstop
