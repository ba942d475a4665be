#include "libs/phi/local_keyring_file.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/phi/internal/owner_only_file.h"
#include "libs/phi/phi_sealer.h"

namespace frontdesk::phi {

namespace {

constexpr size_t kKeyHexChars = 64;

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
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LocalKeyringFile>> LocalKeyringFile::Load(
    const std::string& path) {
  absl::StatusOr<std::string> contents =
      internal::ReadOwnerOnlyFile(path, absl::StrCat("keyring file ", path));
  if (!contents.ok()) return contents.status();
  return Parse(path, *contents);
}

absl::StatusOr<std::unique_ptr<LocalKeyringFile>> LocalKeyringFile::Parse(
    const std::string& path, absl::string_view contents) {
  auto keyring = std::unique_ptr<LocalKeyringFile>(new LocalKeyringFile());
  // Key id -> the line that holds it, to name both lines of a duplicate.
  absl::flat_hash_map<std::string, int> line_of;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(contents, '\n')) {
    ++line_no;
    const absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line.front() == '#') continue;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat("keyring file ", path, ":", line_no, ": ", what));
    };
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 2) {
      return error(absl::StrCat(
          "expected \"<tenant_id> <64 hexadecimal characters>\", found ",
          fields.size(), " fields"));
    }
    if (!IsTenantId(fields[0])) {
      return error("the tenant id must use only a-z, 0-9 and -");
    }
    const absl::string_view hex = fields[1];
    if (hex.size() != kKeyHexChars) {
      return error(absl::StrCat("the key must be ", kKeyHexChars,
                                " hexadecimal characters, found ", hex.size()));
    }
    if (!IsHex(hex)) {
      return error("the key contains a non-hexadecimal character");
    }
    const std::string key = absl::HexStringToBytes(hex);
    absl::StatusOr<PhiSealer> sealer = PhiSealer::FromKey(key);
    if (!sealer.ok()) return error("the key is not 32 bytes");
    auto [it, inserted] = line_of.try_emplace(sealer->key_id(), line_no);
    if (!inserted) {
      return error(
          absl::StrCat("the same key as line ", it->second,
                       "; a key may appear once, for one tenant only"));
    }
    absl::StatusOr<std::string> added = keyring->table_.Add(fields[0], key);
    if (!added.ok()) return error(added.status().message());
    keyring->entries_.push_back({std::string(fields[0]), key});
  }
  if (keyring->table_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("keyring file ", path, ": holds no keys"));
  }
  return keyring;
}

absl::StatusOr<std::string> LocalKeyringFile::ActiveKey(
    absl::string_view tenant_id) const {
  return table_.Active(tenant_id);
}

absl::StatusOr<std::string> LocalKeyringFile::KeyById(
    absl::string_view tenant_id, absl::string_view key_id) const {
  return table_.ById(tenant_id, key_id);
}

}  // namespace frontdesk::phi
