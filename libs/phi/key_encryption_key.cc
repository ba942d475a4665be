#include "libs/phi/key_encryption_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/events/event_envelope.h"
#include "libs/phi/internal/owner_only_file.h"

namespace frontdesk::phi {

namespace {

constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;
constexpr size_t kKeyBytes = 32;

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

std::string Aad(absl::string_view tenant_id, absl::string_view key_id) {
  return absl::StrCat("frontdesk.keywrap.v1|", tenant_id, "|", key_id);
}

const unsigned char* U(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string KeyEncryptionKey::RandomKey() {
  std::string key(kKeyBytes, '\0');
  // No randomness means no safe key: stop rather than make a weak one.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 1) {
    std::abort();
  }
  return key;
}

absl::StatusOr<KeyEncryptionKey> KeyEncryptionKey::FromBytes(
    absl::string_view key) {
  if (key.size() != kKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("kek: expected 32 bytes, found ", key.size()));
  }
  return KeyEncryptionKey(std::string(key),
                          events::ToHex(events::Sha256(key), 8));
}

absl::StatusOr<KeyEncryptionKey> KeyEncryptionKey::FromFile(
    const std::string& path) {
  const std::string what = absl::StrCat("kek file ", path);
  absl::StatusOr<std::string> contents =
      internal::ReadOwnerOnlyFile(path, what);
  if (!contents.ok()) return contents.status();
  const absl::string_view hex = absl::StripAsciiWhitespace(*contents);
  if (hex.size() != 2 * kKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": expected 64 hexadecimal characters, found ",
                     hex.size(), " characters"));
  }
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": contains a non-hexadecimal character"));
    }
  }
  return FromBytes(absl::HexStringToBytes(hex));
}

absl::StatusOr<KeyEncryptionKey> KeyEncryptionKey::CreateFile(
    const std::string& path) {
  const std::string what = absl::StrCat("kek file ", path);
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat(what, ": exists; a KEK is never overwritten"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": cannot be created: ", std::strerror(errno)));
  }
  const std::string key = RandomKey();
  const std::string text = absl::StrCat(absl::BytesToHexString(key), "\n");
  size_t done = 0;
  bool ok = true;
  while (ok && done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  if (close(fd) != 0) ok = false;
  if (!ok) {
    unlink(path.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": cannot be written"));
  }
  return FromBytes(key);
}

std::string KeyEncryptionKey::Wrap(absl::string_view tenant_id,
                                   absl::string_view key_id,
                                   absl::string_view data_key) const {
  const std::string aad = Aad(tenant_id, key_id);
  std::string out(kNonceBytes + data_key.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  auto* body = nonce + kNonceBytes;
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int total = 0;
  // A failure here is a broken crypto library; a key must never be written
  // unwrapped, so stop the process.
  if (!ctx || RAND_bytes(nonce, kNonceBytes) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes,
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, U(key_), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &len, U(data_key),
                        static_cast<int>(data_key.size())) != 1) {
    std::abort();
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), body + total, &len) != 1) std::abort();
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          body + total) != 1) {
    std::abort();
  }
  return out;
}

absl::StatusOr<std::string> KeyEncryptionKey::Unwrap(
    absl::string_view tenant_id, absl::string_view key_id,
    absl::string_view wrapped) const {
  if (wrapped.size() != kNonceBytes + kKeyBytes + kTagBytes) {
    return absl::DataLossError(absl::StrCat(
        "wrapped key ", key_id, ": expected ",
        kNonceBytes + kKeyBytes + kTagBytes, " bytes, found ", wrapped.size()));
  }
  const std::string aad = Aad(tenant_id, key_id);
  const absl::string_view nonce = wrapped.substr(0, kNonceBytes);
  const absl::string_view body = wrapped.substr(kNonceBytes, kKeyBytes);
  std::string tag(wrapped.substr(kNonceBytes + kKeyBytes));
  std::string plain(kKeyBytes, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes,
                          nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U(key_), U(nonce)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(),
                        reinterpret_cast<unsigned char*>(plain.data()), &len,
                        U(body), static_cast<int>(body.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(),
                          reinterpret_cast<unsigned char*>(plain.data()) + len,
                          &len) == 1;
  if (!ok) {
    return absl::DataLossError(absl::StrCat(
        "wrapped key ", key_id, " of tenant \"", tenant_id,
        "\" does not unwrap: altered, moved from another tenant or key id, "
        "or wrapped by another KEK"));
  }
  return plain;
}

}  // namespace frontdesk::phi
