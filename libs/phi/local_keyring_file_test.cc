#include "libs/phi/local_keyring_file.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/phi/phi_sealer.h"

namespace frontdesk::phi {
namespace {

// Fixed, obviously fake keys: 64 hex characters each.
const std::string kHexA(64, 'a');
const std::string kHexB = std::string(32, '0') + std::string(32, '1');
const std::string kHexC(64, 'C');

std::string KeyId(const std::string& hex) {
  return PhiSealer::FromKey(absl::HexStringToBytes(hex))->key_id();
}

// Writes `contents` to a fresh keyring file with `mode`; returns its path.
std::string WriteKeyring(const std::string& name, const std::string& contents,
                         mode_t mode = 0600) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::remove(path.c_str());  // An earlier run may have left it read-only.
  {
    std::ofstream out(path, std::ios::trunc);
    out << contents;
  }
  chmod(path.c_str(), mode);
  return path;
}

absl::Status LoadError(const std::string& name, const std::string& contents) {
  absl::StatusOr<std::unique_ptr<LocalKeyringFile>> k =
      LocalKeyringFile::Load(WriteKeyring(name, contents));
  return k.status();
}

TEST(LocalKeyringFileTest, LastKeyOfATenantIsActiveAndEarlierOnesStayById) {
  const std::string path = WriteKeyring("good.keyring",
                                        "# development keyring\n\n"
                                        "sunrise-family-medicine " +
                                            kHexA +
                                            "\n"
                                            "  # an indented comment\n"
                                            "other-clinic-2\t" +
                                            kHexB +
                                            "\r\n"
                                            "sunrise-family-medicine   " +
                                            kHexC + "\n");
  absl::StatusOr<std::unique_ptr<LocalKeyringFile>> keys =
      LocalKeyringFile::Load(path);
  ASSERT_TRUE(keys.ok()) << keys.status();

  absl::StatusOr<std::string> active =
      (*keys)->ActiveKey("sunrise-family-medicine");
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(*active, absl::HexStringToBytes(kHexC));

  absl::StatusOr<std::string> old =
      (*keys)->KeyById("sunrise-family-medicine", KeyId(kHexA));
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(*old, absl::HexStringToBytes(kHexA));

  absl::StatusOr<std::string> other = (*keys)->ActiveKey("other-clinic-2");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*other, absl::HexStringToBytes(kHexB));
}

TEST(LocalKeyringFileTest, KeyOfAnotherTenantIsNotFoundById) {
  auto keys = LocalKeyringFile::Load(
      WriteKeyring("two.keyring", "a " + kHexA + "\nb " + kHexB + "\n"));
  ASSERT_TRUE(keys.ok()) << keys.status();
  absl::StatusOr<std::string> k = (*keys)->KeyById("a", KeyId(kHexB));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(k.status().message(),
            "tenant \"a\" holds no PHI key with id \"" + KeyId(kHexB) + "\"");
}

TEST(LocalKeyringFileTest, UnknownTenantHasNoActiveKey) {
  auto keys = LocalKeyringFile::Load(WriteKeyring("one.keyring", "a " + kHexA));
  ASSERT_TRUE(keys.ok()) << keys.status();
  absl::StatusOr<std::string> k = (*keys)->ActiveKey("nobody");
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(k.status().message(), "no PHI key for tenant \"nobody\"");
}

TEST(LocalKeyringFileTest, BadHexNamesTheLineNotTheKey) {
  const std::string bad = "zz" + kHexA.substr(2);
  absl::Status s =
      LoadError("badhex.keyring", "# c\na " + kHexB + "\na " + bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "keyring file " + ::testing::TempDir() +
                "/badhex.keyring:3: the key contains a non-hexadecimal "
                "character");
  EXPECT_FALSE(absl::StrContains(s.message(), bad.substr(2, 16)));
  EXPECT_FALSE(absl::StrContains(s.message(), kHexB.substr(0, 16)));
}

TEST(LocalKeyringFileTest, WrongLengthNamesTheLineNotTheKey) {
  const std::string short_key = kHexA.substr(0, 62);
  absl::Status s = LoadError("short.keyring", "a " + short_key + "\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "keyring file " + ::testing::TempDir() +
                             "/short.keyring:1: the key must be 64 "
                             "hexadecimal characters, found 62");
  EXPECT_FALSE(absl::StrContains(s.message(), kHexA.substr(0, 16)));
}

TEST(LocalKeyringFileTest, SwappedFieldsNeverEchoTheKey) {
  absl::Status s = LoadError("swapped.keyring", kHexB + " sunrise\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "keyring file " + ::testing::TempDir() +
                             "/swapped.keyring:1: the key must be 64 "
                             "hexadecimal characters, found 7");
  EXPECT_FALSE(absl::StrContains(s.message(), kHexB.substr(16, 16)));
}

TEST(LocalKeyringFileTest, DuplicateKeyIsRefusedForOneOrTwoTenants) {
  absl::Status same_tenant = LoadError(
      "dup1.keyring", "a " + kHexA + "\n" + "a " + kHexB + "\na " + kHexA);
  EXPECT_EQ(same_tenant.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(same_tenant.message(),
            "keyring file " + ::testing::TempDir() +
                "/dup1.keyring:3: the same key as line 1; a key may appear "
                "once, for one tenant only");

  // Upper and lower case hex are the same key.
  absl::Status two_tenants = LoadError(
      "dup2.keyring", "a " + kHexC + "\nb " + std::string(64, 'c') + "\n");
  EXPECT_EQ(two_tenants.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(two_tenants.message(),
            "keyring file " + ::testing::TempDir() +
                "/dup2.keyring:2: the same key as line 1; a key may appear "
                "once, for one tenant only");
  EXPECT_FALSE(absl::StrContains(two_tenants.message(), kHexC.substr(0, 16)));
}

TEST(LocalKeyringFileTest, BadTenantIdIsRefusedWithoutEchoingIt) {
  absl::Status s = LoadError("tenant.keyring", "Sunrise_Clinic " + kHexA);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "keyring file " + ::testing::TempDir() +
                             "/tenant.keyring:1: the tenant id must use only "
                             "a-z, 0-9 and -");
}

TEST(LocalKeyringFileTest, WrongNumberOfFields) {
  absl::Status one = LoadError("fields1.keyring", "\n" + kHexA + "\n");
  EXPECT_EQ(one.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(one.message(),
            "keyring file " + ::testing::TempDir() +
                "/fields1.keyring:2: expected \"<tenant_id> <64 hexadecimal "
                "characters>\", found 1 fields");
  EXPECT_FALSE(absl::StrContains(one.message(), kHexA.substr(0, 16)));

  absl::Status three = LoadError("fields3.keyring", "a " + kHexA + " #old\n");
  EXPECT_EQ(three.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(three.message(),
            "keyring file " + ::testing::TempDir() +
                "/fields3.keyring:1: expected \"<tenant_id> <64 hexadecimal "
                "characters>\", found 3 fields");
}

TEST(LocalKeyringFileTest, FileWithoutKeysIsRefused) {
  absl::Status s = LoadError("empty.keyring", "# nothing yet\n\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "keyring file " + ::testing::TempDir() +
                             "/empty.keyring: holds no keys");
}

TEST(LocalKeyringFileTest, MissingFileIsNotFound) {
  const std::string path = ::testing::TempDir() + "/no-such.keyring";
  auto keys = LocalKeyringFile::Load(path);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(keys.status().message(),
            "keyring file " + path + ": does not exist");
}

TEST(LocalKeyringFileTest, GroupOrOtherAccessIsRefused) {
  const std::string path =
      WriteKeyring("open.keyring", "a " + kHexA + "\n", 0644);
  auto keys = LocalKeyringFile::Load(path);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(keys.status().message(),
            "keyring file " + path +
                ": group or others have access (mode 644); make it "
                "owner-only with chmod 600");

  chmod(path.c_str(), 0400);
  EXPECT_TRUE(LocalKeyringFile::Load(path).ok());
}

TEST(LocalKeyringFileTest, DirectoryIsNotAKeyring) {
  const std::string path = ::testing::TempDir() + "/keyring-dir";
  mkdir(path.c_str(), 0700);
  auto keys = LocalKeyringFile::Load(path);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(keys.status().message(),
            "keyring file " + path + ": not a regular file");
}

}  // namespace
}  // namespace frontdesk::phi
