#include "libs/events/event_signer.h"

#include <dirent.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::events {

namespace ev = ::frontdesk::events::v1;

namespace internal {
void PkeyDeleter::operator()(void* pkey) const {
  EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey));
}
}  // namespace internal

namespace {

constexpr size_t kEd25519SignatureBytes = 64;

EVP_PKEY* Raw(const internal::Pkey& k) {
  return static_cast<EVP_PKEY*>(k.get());
}

bool IsEd25519(EVP_PKEY* k) { return EVP_PKEY_get_id(k) == EVP_PKEY_ED25519; }

std::string RawPublicKey(EVP_PKEY* k) {
  unsigned char raw[32];
  size_t len = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(k, raw, &len) != 1) return "";
  return std::string(reinterpret_cast<const char*>(raw), len);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string SigningKeyId(const std::string& service,
                         absl::string_view raw_public_key) {
  return absl::StrCat(service, ":", ToHex(Sha256(raw_public_key), 8));
}

EventSigner::EventSigner(std::string service, internal::Pkey key,
                         std::string key_id)
    : service_(std::move(service)),
      key_(std::move(key)),
      key_id_(std::move(key_id)) {}

absl::StatusOr<std::shared_ptr<const EventSigner>>
EventSigner::FromPrivateKeyPem(const std::string& service,
                               absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return absl::InternalError("signing key: out of memory");
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (k == nullptr) {
    return absl::InvalidArgumentError(
        "signing key: not a PEM private key (make one with `openssl genpkey "
        "-algorithm ed25519`)");
  }
  internal::Pkey key(k);
  if (!IsEd25519(k)) {
    return absl::InvalidArgumentError("signing key: not an Ed25519 key");
  }
  std::string id = SigningKeyId(service, RawPublicKey(k));
  return std::shared_ptr<const EventSigner>(
      new EventSigner(service, std::move(key), std::move(id)));
}

absl::StatusOr<std::shared_ptr<const EventSigner>>
EventSigner::FromPrivateKeyFile(const std::string& service,
                                const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  auto signer = FromPrivateKeyPem(service, *pem);
  if (!signer.ok()) {
    return absl::Status(signer.status().code(),
                        absl::StrCat(path, ": ", signer.status().message()));
  }
  return signer;
}

std::shared_ptr<const EventSigner> EventSigner::Generate(
    const std::string& service) {
  EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  internal::Pkey key(k);
  std::string id = SigningKeyId(service, RawPublicKey(k));
  return std::shared_ptr<const EventSigner>(
      new EventSigner(service, std::move(key), std::move(id)));
}

absl::Status EventSigner::WriteNewKeyFiles(const std::string& service,
                                           const std::string& private_path,
                                           const std::string& public_path) {
  std::shared_ptr<const EventSigner> signer = Generate(service);
  FILE* f = std::fopen(private_path.c_str(), "wx");
  if (f == nullptr) {
    return absl::InternalError(
        absl::StrCat(private_path, ": cannot be created"));
  }
  const bool written = fchmod(fileno(f), 0600) == 0 &&
                       PEM_write_PrivateKey(f, Raw(signer->key_), nullptr,
                                            nullptr, 0, nullptr, nullptr) == 1;
  if (std::fclose(f) != 0 || !written) {
    return absl::InternalError(
        absl::StrCat(private_path, ": writing the key failed"));
  }
  std::ofstream pub(public_path, std::ios::trunc);
  pub << signer->PublicKeyPem();
  if (!pub.flush()) {
    return absl::InternalError(
        absl::StrCat(public_path, ": writing the key failed"));
  }
  return absl::OkStatus();
}

std::string EventSigner::Sign(absl::string_view bytes) const {
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, Raw(key_)) != 1 ||
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size()) != 1) {
    len = 0;  // an empty signature: the event will read as unsigned
  }
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return sig;
}

void EventSigner::SignEnvelope(ev::EventEnvelope* envelope) const {
  envelope->set_signature(Sign(envelope->body()));
  envelope->set_signing_key_id(key_id_);
}

std::string EventSigner::PublicKeyPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio != nullptr && PEM_write_bio_PUBKEY(bio, Raw(key_)) == 1) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  return out;
}

ProducerKeys::ProducerKeys() = default;
ProducerKeys::~ProducerKeys() = default;
ProducerKeys::ProducerKeys(ProducerKeys&&) noexcept = default;
ProducerKeys& ProducerKeys::operator=(ProducerKeys&&) noexcept = default;

absl::Status ProducerKeys::Add(const std::string& service,
                               absl::string_view public_key_pem) {
  BIO* bio = BIO_new_mem_buf(public_key_pem.data(),
                             static_cast<int>(public_key_pem.size()));
  if (bio == nullptr) return absl::InternalError("public key: out of memory");
  EVP_PKEY* k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (k == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("public key of ", service, ": not a PEM public key"));
  }
  internal::Pkey key(k);
  if (!IsEd25519(k)) {
    return absl::InvalidArgumentError(
        absl::StrCat("public key of ", service, ": not an Ed25519 key"));
  }
  std::string id = SigningKeyId(service, RawPublicKey(k));
  keys_[service] = Key{std::move(key), std::move(id)};
  return absl::OkStatus();
}

absl::StatusOr<ProducerKeys> ProducerKeys::FromDirectory(
    const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("--producer_keys ", dir, ": cannot be read"));
  }
  std::vector<std::string> names;
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (absl::EndsWith(name, ".pub") && name.size() > 4) names.push_back(name);
  }
  closedir(d);
  ProducerKeys keys;
  for (const std::string& name : names) {
    const std::string path = absl::StrCat(dir, "/", name);
    absl::StatusOr<std::string> pem = ReadFile(path);
    if (!pem.ok()) return pem.status();
    absl::Status s = keys.Add(name.substr(0, name.size() - 4), *pem);
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
    }
  }
  if (keys.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "--producer_keys ", dir, ": no <service>.pub file in the folder"));
  }
  return keys;
}

std::string ProducerKeys::KeyIdFor(const std::string& service) const {
  auto it = keys_.find(service);
  return it == keys_.end() ? "" : it->second.key_id;
}

absl::Status ProducerKeys::Verify(const ev::EventEnvelope& envelope,
                                  const std::string& service) const {
  if (envelope.signature().empty()) {
    return absl::UnauthenticatedError("unsigned");
  }
  auto it = keys_.find(service);
  if (it == keys_.end()) {
    return absl::UnauthenticatedError(
        absl::StrCat("no trusted key for producer service \"", service, "\""));
  }
  if (envelope.signing_key_id() != it->second.key_id) {
    return absl::UnauthenticatedError(
        absl::StrCat("signed by key \"", envelope.signing_key_id(),
                     "\", not the trusted key \"", it->second.key_id, "\""));
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr,
                           Raw(it->second.pkey)) == 1 &&
      EVP_DigestVerify(
          ctx,
          reinterpret_cast<const unsigned char*>(envelope.signature().data()),
          envelope.signature().size(),
          reinterpret_cast<const unsigned char*>(envelope.body().data()),
          envelope.body().size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    return absl::UnauthenticatedError(
        absl::StrCat("signature does not verify under ", it->second.key_id));
  }
  return absl::OkStatus();
}

}  // namespace frontdesk::events
