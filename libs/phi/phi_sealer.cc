#include "libs/phi/phi_sealer.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::phi {

namespace ev = ::frontdesk::events::v1;

namespace {

constexpr char kScheme[] = "AES-256-GCM";
constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

std::string Aad(absl::string_view tenant_id, absl::string_view call_id) {
  return absl::StrCat("frontdesk.phi.v1|", tenant_id, "|", call_id);
}

}  // namespace

absl::StatusOr<PhiSealer> PhiSealer::FromKey(absl::string_view key) {
  if (key.size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("phi key: expected 32 bytes, found ", key.size()));
  }
  std::string id = events::ToHex(events::Sha256(key), 8);
  return PhiSealer(std::string(key), std::move(id));
}

absl::StatusOr<PhiSealer> PhiSealer::FromKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("phi key file ", path, ": cannot be read"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string hex(absl::StripAsciiWhitespace(ss.str()));
  if (hex.size() != 64) {
    return absl::InvalidArgumentError(absl::StrCat(
        "phi key file ", path, ": expected 64 hexadecimal characters, found ",
        hex.size()));
  }
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "phi key file ", path, ": contains a non-hexadecimal character"));
    }
  }
  return FromKey(absl::HexStringToBytes(hex));
}

ev::SealedPhi PhiSealer::Seal(const ev::PhiFields& fields,
                              absl::string_view tenant_id,
                              absl::string_view call_id) const {
  const std::string plain = fields.SerializeAsString();
  const std::string aad = Aad(tenant_id, call_id);
  std::string nonce(kNonceBytes, '\0');
  std::string out(plain.size() + kTagBytes, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int total = 0;
  // Any failure here is a broken crypto library; sealing must never silently
  // produce cleartext, so stop the process.
  if (!ctx ||
      RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) !=
          1 ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes,
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(
          ctx.get(), nullptr, nullptr,
          reinterpret_cast<const unsigned char*>(key_.data()),
          reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                        &len,
                        reinterpret_cast<const unsigned char*>(plain.data()),
                        static_cast<int>(plain.size())) != 1) {
    std::abort();
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(),
                          reinterpret_cast<unsigned char*>(out.data()) + total,
                          &len) != 1) {
    std::abort();
  }
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          out.data() + total) != 1) {
    std::abort();
  }
  ev::SealedPhi sealed;
  sealed.set_key_id(key_id_);
  sealed.set_scheme(kScheme);
  sealed.set_nonce(nonce);
  sealed.set_ciphertext(out);
  return sealed;
}

absl::StatusOr<ev::PhiFields> PhiSealer::Open(const ev::SealedPhi& sealed,
                                              absl::string_view tenant_id,
                                              absl::string_view call_id) const {
  if (sealed.key_id() != key_id_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "sealed_phi: sealed under key ", sealed.key_id(), ", not ", key_id_));
  }
  if (sealed.scheme() != kScheme) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sealed_phi.scheme: unsupported \"", sealed.scheme(), "\""));
  }
  const std::string& ct = sealed.ciphertext();
  if (sealed.nonce().size() != kNonceBytes ||
      ct.size() < static_cast<size_t>(kTagBytes)) {
    return absl::DataLossError("sealed_phi: nonce or ciphertext truncated");
  }
  const size_t body = ct.size() - kTagBytes;
  const std::string aad = Aad(tenant_id, call_id);
  std::string plain(body, '\0');
  std::string tag = ct.substr(body);
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes,
                          nullptr) != 1 ||
      EVP_DecryptInit_ex(
          ctx.get(), nullptr, nullptr,
          reinterpret_cast<const unsigned char*>(key_.data()),
          reinterpret_cast<const unsigned char*>(sealed.nonce().data())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(),
                        reinterpret_cast<unsigned char*>(plain.data()), &len,
                        reinterpret_cast<const unsigned char*>(ct.data()),
                        static_cast<int>(body)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(),
                          reinterpret_cast<unsigned char*>(plain.data()) + len,
                          &len) != 1) {
    return absl::DataLossError(
        "sealed_phi: authentication failed (altered, or bound to another "
        "call)");
  }
  ev::PhiFields fields;
  if (!fields.ParseFromString(plain)) {
    return absl::DataLossError("sealed_phi: plaintext is not PhiFields");
  }
  return fields;
}

}  // namespace frontdesk::phi
