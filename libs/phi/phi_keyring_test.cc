#include "libs/phi/phi_keyring.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "libs/phi/in_memory_tenant_keys.h"

namespace frontdesk::phi {
namespace {

namespace ev = ::frontdesk::events::v1;

const std::string kKey1(32, '1');
const std::string kKey2(32, '2');

ev::PhiFields Fields() {
  ev::PhiFields f;
  f.set_utterance("my name is Jane Roe and I need a refill");
  f.set_caller_number("+15555550123");
  return f;
}

// A keyring on a fake, and the fake, which the keyring owns.
struct FakeKeyring {
  InMemoryTenantKeys* keys;
  PhiKeyring keyring;
};

FakeKeyring MakeFakeKeyring() {
  auto keys = std::make_unique<InMemoryTenantKeys>();
  InMemoryTenantKeys* raw = keys.get();
  return FakeKeyring{raw, PhiKeyring(std::move(keys))};
}

TEST(PhiKeyringTest, SealsWithTheActiveKeyAndOpensByKeyId) {
  FakeKeyring f = MakeFakeKeyring();
  absl::StatusOr<std::string> id = f.keys->AddKey("sunrise", kKey1);
  ASSERT_TRUE(id.ok()) << id.status();
  absl::StatusOr<PhiSealer> sealer = f.keyring.SealerFor("sunrise");
  ASSERT_TRUE(sealer.ok()) << sealer.status();
  EXPECT_EQ(sealer->key_id(), *id);

  const ev::SealedPhi sealed = sealer->Seal(Fields(), "sunrise", "call-1");
  EXPECT_EQ(sealed.key_id(), *id);
  absl::StatusOr<ev::PhiFields> back =
      f.keyring.Open(sealed, "sunrise", "call-1");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->utterance(), Fields().utterance());
  EXPECT_EQ(back->caller_number(), "+15555550123");
}

TEST(PhiKeyringTest, TenantWithoutKeyGetsNoSealer) {
  FakeKeyring f = MakeFakeKeyring();
  ASSERT_TRUE(f.keys->AddKey("sunrise", kKey1).ok());
  absl::StatusOr<PhiSealer> sealer = f.keyring.SealerFor("elsewhere");
  ASSERT_FALSE(sealer.ok());
  EXPECT_EQ(sealer.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(sealer.status().message(), "no PHI key for tenant \"elsewhere\"");
}

TEST(PhiKeyringTest, PhiOfTenantACannotBeOpenedAsTenantB) {
  FakeKeyring f = MakeFakeKeyring();
  absl::StatusOr<std::string> id_a = f.keys->AddKey("tenant-a", kKey1);
  ASSERT_TRUE(id_a.ok());
  ASSERT_TRUE(f.keys->AddKey("tenant-b", kKey2).ok());
  const ev::SealedPhi sealed =
      f.keyring.SealerFor("tenant-a")->Seal(Fields(), "tenant-a", "call-1");

  absl::StatusOr<ev::PhiFields> as_b =
      f.keyring.Open(sealed, "tenant-b", "call-1");
  ASSERT_FALSE(as_b.ok());
  EXPECT_EQ(as_b.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(as_b.status().message(),
            "tenant \"tenant-b\" holds no PHI key with id \"" + *id_a + "\"");

  EXPECT_TRUE(f.keyring.Open(sealed, "tenant-a", "call-1").ok());
}

TEST(PhiKeyringTest, BindingToTheCallStillHolds) {
  FakeKeyring f = MakeFakeKeyring();
  ASSERT_TRUE(f.keys->AddKey("sunrise", kKey1).ok());
  const ev::SealedPhi sealed =
      f.keyring.SealerFor("sunrise")->Seal(Fields(), "sunrise", "call-1");
  absl::StatusOr<ev::PhiFields> back =
      f.keyring.Open(sealed, "sunrise", "call-2");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss);
}

TEST(PhiKeyringTest, OldPhiOpensAfterANewKeyIsAdded) {
  FakeKeyring f = MakeFakeKeyring();
  absl::StatusOr<std::string> id1 = f.keys->AddKey("sunrise", kKey1);
  ASSERT_TRUE(id1.ok());
  const ev::SealedPhi old =
      f.keyring.SealerFor("sunrise")->Seal(Fields(), "sunrise", "call-1");

  absl::StatusOr<std::string> id2 = f.keys->AddKey("sunrise", kKey2);
  ASSERT_TRUE(id2.ok());
  absl::StatusOr<PhiSealer> now = f.keyring.SealerFor("sunrise");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->key_id(), *id2);
  EXPECT_NE(*id1, *id2);

  const ev::SealedPhi fresh = now->Seal(Fields(), "sunrise", "call-2");
  EXPECT_EQ(fresh.key_id(), *id2);
  EXPECT_TRUE(f.keyring.Open(old, "sunrise", "call-1").ok());
  EXPECT_TRUE(f.keyring.Open(fresh, "sunrise", "call-2").ok());
}

TEST(PhiKeyringTest, FakeRefusesDuplicateAndShortKeys) {
  InMemoryTenantKeys keys;
  ASSERT_TRUE(keys.AddKey("tenant-a", kKey1).ok());
  absl::StatusOr<std::string> dup = keys.AddKey("tenant-b", kKey1);
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  absl::StatusOr<std::string> short_key = keys.AddKey("tenant-b", "short");
  EXPECT_EQ(short_key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(short_key.status().message(),
            "phi key: expected 32 bytes, found 5");
}

// Rotation with the development keyring: a key appended to the file becomes
// active after a reload, and what the previous key sealed still opens.
TEST(PhiKeyringTest, AppendedKeyInTheFileKeepsOldPhiReadable) {
  const std::string path = ::testing::TempDir() + "/rotate.keyring";
  std::remove(path.c_str());
  const std::string line1 = "sunrise " + absl::BytesToHexString(kKey1) + "\n";
  {
    std::ofstream out(path);
    out << line1;
  }
  chmod(path.c_str(), 0600);
  absl::StatusOr<PhiKeyring> before = PhiKeyring::FromLocalFile(path);
  ASSERT_TRUE(before.ok()) << before.status();
  absl::StatusOr<PhiSealer> sealer1 = before->SealerFor("sunrise");
  ASSERT_TRUE(sealer1.ok());
  const ev::SealedPhi old = sealer1->Seal(Fields(), "sunrise", "call-1");

  {
    std::ofstream out(path, std::ios::app);
    out << "# rotated\nsunrise " << absl::BytesToHexString(kKey2) << "\n";
  }
  absl::StatusOr<PhiKeyring> after = PhiKeyring::FromLocalFile(path);
  ASSERT_TRUE(after.ok()) << after.status();
  absl::StatusOr<PhiSealer> sealer2 = after->SealerFor("sunrise");
  ASSERT_TRUE(sealer2.ok());
  EXPECT_NE(sealer2->key_id(), sealer1->key_id());
  absl::StatusOr<ev::PhiFields> back = after->Open(old, "sunrise", "call-1");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->utterance(), Fields().utterance());
}

}  // namespace
}  // namespace frontdesk::phi
