#include "libs/phi/wrapped_keyring.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/phi/phi_sealer.h"

namespace frontdesk::phi {

namespace {

constexpr size_t kWrappedHexChars = 2 * (12 + 32 + 16);

bool IsTenantId(absl::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (!(absl::ascii_islower(u) || absl::ascii_isdigit(u) || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsHex(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsKeyId(absl::string_view s) { return s.size() == 16 && IsHex(s); }

bool ParseTime(absl::string_view s, absl::Time* t) {
  std::string error;
  return absl::ParseTime(absl::RFC3339_full, s, t, &error);
}

// The meaningful lines: (line number, stripped text).
std::vector<std::pair<int, absl::string_view>> Records(
    absl::string_view contents) {
  std::vector<std::pair<int, absl::string_view>> out;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(contents, '\n')) {
    ++line_no;
    const absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line.front() == '#') continue;
    out.emplace_back(line_no, line);
  }
  return out;
}

}  // namespace

std::string KeyringTime(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

bool WrappedKeyring::IsWrapped(absl::string_view contents) {
  const auto records = Records(contents);
  return !records.empty() && records.front().second == kWrappedKeyringHeader;
}

absl::StatusOr<WrappedKeyring> WrappedKeyring::Parse(
    const std::string& path, absl::string_view contents) {
  const auto records = Records(contents);
  auto error_at = [&](int line, absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("keyring file ", path, ":", line, ": ", what));
  };
  if (records.empty() || records.front().second != kWrappedKeyringHeader) {
    return error_at(
        records.empty() ? 1 : records.front().first,
        absl::StrCat("expected the header \"", kWrappedKeyringHeader, "\""));
  }
  WrappedKeyring ring("", "");
  bool have_kek = false;
  absl::flat_hash_map<std::string, int> line_of;
  absl::flat_hash_map<std::string, int> active_line;
  for (size_t i = 1; i < records.size(); ++i) {
    const int line_no = records[i].first;
    const auto& line = records[i].second;
    auto error = [&](absl::string_view what) {
      return error_at(line_no, what);
    };
    const std::vector<absl::string_view> f =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f[0] == "kek") {
      if (have_kek) return error("a second kek line; there is exactly one");
      if (f.size() != 3) {
        return error("expected \"kek <file:path> <kek id>\"");
      }
      if (!absl::StartsWith(f[1], "file:") || f[1].size() == 5) {
        return error(
            "the kek reference must be \"file:<path>\" (a KMS-backed source "
            "replaces this file; see libs/phi/README.md)");
      }
      if (!IsKeyId(f[2])) {
        return error("the kek id must be 16 hexadecimal characters");
      }
      ring.kek_reference_ = std::string(f[1]);
      ring.kek_id_ = std::string(f[2]);
      have_kek = true;
      continue;
    }
    if (f[0] != "key" && f[0] != "shredded") {
      return error("unknown record; expected \"kek\", \"key\" or \"shredded\"");
    }
    if (!have_kek) return error("a key before the kek line");
    if (f.size() != 6) {
      return error(
          f[0] == "key"
              ? "expected \"key <tenant> <key id> <created> <retired or -> "
                "<wrapped key>\""
              : "expected \"shredded <tenant> <key id> <created> <retired> "
                "<shredded at>\"");
    }
    WrappedKey k;
    if (!IsTenantId(f[1])) {
      return error("the tenant id must use only a-z, 0-9 and -");
    }
    k.tenant_id = std::string(f[1]);
    if (!IsKeyId(f[2])) {
      return error("the key id must be 16 hexadecimal characters");
    }
    k.key_id = std::string(f[2]);
    if (!ParseTime(f[3], &k.created)) {
      return error("created: not an RFC 3339 time");
    }
    if (f[4] != "-" && !ParseTime(f[4], &k.retired)) {
      return error("retired: not an RFC 3339 time, nor -");
    }
    if (f[4] != "-" && k.retired < k.created) {
      return error("retired before it was created");
    }
    if (f[0] == "key") {
      if (f[5].size() != kWrappedHexChars || !IsHex(f[5])) {
        return error(absl::StrCat("the wrapped key must be ", kWrappedHexChars,
                                  " hexadecimal characters"));
      }
      k.wrapped = absl::HexStringToBytes(f[5]);
      if (k.active()) {
        auto [it, fresh] = active_line.try_emplace(k.tenant_id, line_no);
        if (!fresh) {
          return error(absl::StrCat("a second active key of tenant \"",
                                    k.tenant_id, "\" (the first is line ",
                                    it->second, "); retire one"));
        }
      }
    } else {
      if (k.active()) {
        return error("a shredded key must have been retired first");
      }
      if (!ParseTime(f[5], &k.shredded)) {
        return error("shredded at: not an RFC 3339 time");
      }
    }
    auto [it, fresh] = line_of.try_emplace(k.key_id, line_no);
    if (!fresh) {
      return error(absl::StrCat("key id ", k.key_id, " is already on line ",
                                it->second));
    }
    ring.keys_.push_back(std::move(k));
  }
  if (!have_kek) {
    return error_at(records.back().first, "no kek line");
  }
  return ring;
}

std::string WrappedKeyring::Serialize() const {
  std::string out = absl::StrCat(
      "# PHI data keys, wrapped by the KEK below (libs/phi/wrapped_keyring.h)."
      "\n# Change it with `frontdesk keys`, not by hand.\n",
      kWrappedKeyringHeader, "\n", "kek ", kek_reference_, " ", kek_id_, "\n");
  for (const WrappedKey& k : keys_) {
    const std::string retired = k.active() ? "-" : KeyringTime(k.retired);
    if (k.is_shredded()) {
      absl::StrAppend(&out, "shredded ", k.tenant_id, " ", k.key_id, " ",
                      KeyringTime(k.created), " ", retired, " ",
                      KeyringTime(k.shredded), "\n");
    } else {
      absl::StrAppend(&out, "key ", k.tenant_id, " ", k.key_id, " ",
                      KeyringTime(k.created), " ", retired, " ",
                      absl::BytesToHexString(k.wrapped), "\n");
    }
  }
  return out;
}

std::vector<WrappedKey> WrappedKeyring::ForTenant(
    absl::string_view tenant_id) const {
  std::vector<WrappedKey> out;
  for (const WrappedKey& k : keys_) {
    if (k.tenant_id == tenant_id) out.push_back(k);
  }
  return out;
}

absl::StatusOr<std::string> WrappedKeyring::Add(const KeyEncryptionKey& kek,
                                                absl::string_view tenant_id,
                                                absl::string_view data_key,
                                                absl::Time now, bool active) {
  if (kek.id() != kek_id_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the KEK given has id ", kek.id(),
                     "; this keyring's keys are wrapped by KEK ", kek_id_));
  }
  if (!IsTenantId(tenant_id)) {
    return absl::InvalidArgumentError("tenant: must use only a-z, 0-9 and -");
  }
  absl::StatusOr<PhiSealer> sealer = PhiSealer::FromKey(data_key);
  if (!sealer.ok()) return sealer.status();
  for (const WrappedKey& k : keys_) {
    if (k.key_id == sealer->key_id()) {
      return absl::AlreadyExistsError(
          absl::StrCat("key ", k.key_id, " is already in the keyring"));
    }
  }
  if (active) {
    for (WrappedKey& k : keys_) {
      if (k.tenant_id == tenant_id && k.active()) k.retired = now;
    }
  }
  WrappedKey k;
  k.tenant_id = std::string(tenant_id);
  k.key_id = sealer->key_id();
  k.created = now;
  if (!active) k.retired = now;
  k.wrapped = kek.Wrap(tenant_id, k.key_id, data_key);
  keys_.push_back(k);
  return k.key_id;
}

absl::StatusOr<std::string> WrappedKeyring::Rotate(const KeyEncryptionKey& kek,
                                                   absl::string_view tenant_id,
                                                   absl::Time now) {
  return Add(kek, tenant_id, KeyEncryptionKey::RandomKey(), now, true);
}

absl::StatusOr<std::vector<WrappedKey>> WrappedKeyring::Shred(
    absl::string_view tenant_id, absl::Time before, absl::Time now) {
  bool any = false;
  std::vector<WrappedKey> shredded;
  for (WrappedKey& k : keys_) {
    if (k.tenant_id != tenant_id) continue;
    any = true;
    if (k.active() || k.is_shredded() || !(k.retired < before)) continue;
    // Overwrite the wrapped bytes before dropping them.
    std::fill(k.wrapped.begin(), k.wrapped.end(), '\0');
    k.wrapped.clear();
    k.shredded = now;
    shredded.push_back(k);
  }
  if (!any) {
    return absl::NotFoundError(
        absl::StrCat("tenant \"", tenant_id, "\" has no keys in the keyring"));
  }
  return shredded;
}

}  // namespace frontdesk::phi
