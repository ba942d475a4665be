#include "libs/phi/wrapped_keyring.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "libs/phi/key_encryption_key.h"
#include "libs/phi/phi_keyring.h"
#include "libs/phi/phi_sealer.h"
#include "libs/phi/wrapped_keyring_file.h"

namespace frontdesk::phi {
namespace {

namespace ev = ::frontdesk::events::v1;

// Fixed, obviously fake keys.
const std::string kKek(32, 'K');
const std::string kOtherKek(32, 'O');
const std::string kDataA(32, 'a');
const std::string kDataB(32, 'b');

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
const absl::Time kT1 = kT0 + absl::Hours(24);
const absl::Time kT2 = kT0 + absl::Hours(48);

KeyEncryptionKey Kek(const std::string& bytes = kKek) {
  return *KeyEncryptionKey::FromBytes(bytes);
}

std::string IdOf(const std::string& key) {
  return PhiSealer::FromKey(key)->key_id();
}

WrappedKeyring Ring() {
  WrappedKeyring ring("file:kek", Kek().id());
  EXPECT_TRUE(ring.Add(Kek(), "sunrise", kDataA, kT0).ok());
  return ring;
}

std::string WriteFile(const std::string& name, const std::string& contents,
                      mode_t mode = 0600) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::remove(path.c_str());
  {
    std::ofstream out(path, std::ios::trunc);
    out << contents;
  }
  chmod(path.c_str(), mode);
  return path;
}

ev::PhiFields Fields(const std::string& words) {
  ev::PhiFields f;
  f.set_utterance(words);
  return f;
}

TEST(KeyEncryptionKeyTest, UnwrapsOnlyForTheSameTenantKeyIdAndKek) {
  const KeyEncryptionKey kek = Kek();
  const std::string id = IdOf(kDataA);
  const std::string wrapped = kek.Wrap("sunrise", id, kDataA);
  EXPECT_EQ(wrapped.size(), 60u);
  EXPECT_FALSE(absl::StrContains(wrapped, kDataA));
  EXPECT_EQ(*kek.Unwrap("sunrise", id, wrapped), kDataA);
  EXPECT_EQ(kek.Unwrap("other-clinic", id, wrapped).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(kek.Unwrap("sunrise", IdOf(kDataB), wrapped).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(Kek(kOtherKek).Unwrap("sunrise", id, wrapped).status().code(),
            absl::StatusCode::kDataLoss);
  std::string altered = wrapped;
  altered[20] ^= 1;
  EXPECT_EQ(kek.Unwrap("sunrise", id, altered).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeyEncryptionKeyTest, FileMustBeOwnerOnlyHex) {
  const std::string hex = absl::BytesToHexString(kKek);
  EXPECT_EQ(KeyEncryptionKey::FromFile(WriteFile("kek_ok", hex + "\n"))->id(),
            Kek().id());
  absl::Status open =
      KeyEncryptionKey::FromFile(WriteFile("kek_open", hex, 0644)).status();
  EXPECT_EQ(open.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(open.message(), "group or others"));
  absl::Status bad =
      KeyEncryptionKey::FromFile(WriteFile("kek_bad", "zz" + hex.substr(2)))
          .status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(absl::StrContains(bad.message(), hex.substr(2, 16)));
  const std::string made = ::testing::TempDir() + "/kek_made";
  std::remove(made.c_str());
  ASSERT_TRUE(KeyEncryptionKey::CreateFile(made).ok());
  struct stat st;
  ASSERT_EQ(stat(made.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(KeyEncryptionKey::CreateFile(made).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(WrappedKeyringTest, RotationKeepsOldKeysOpeningOldPhi) {
  WrappedKeyring ring = Ring();
  absl::StatusOr<std::string> new_id = ring.Add(Kek(), "sunrise", kDataB, kT1);
  ASSERT_TRUE(new_id.ok()) << new_id.status();
  const std::vector<WrappedKey> keys = ring.ForTenant("sunrise");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].retired, kT1);
  EXPECT_TRUE(keys[1].active());

  PhiKeyring keyring(*WrappedKeyringFile::FromKeyring(ring, Kek()));
  const ev::SealedPhi old_sealed =
      PhiSealer::FromKey(kDataA)->Seal(Fields("old"), "sunrise", "c1");
  const ev::SealedPhi new_sealed =
      keyring.SealerFor("sunrise")->Seal(Fields("new"), "sunrise", "c2");
  EXPECT_EQ(new_sealed.key_id(), *new_id);
  EXPECT_EQ(keyring.Open(old_sealed, "sunrise", "c1")->utterance(), "old");
  EXPECT_EQ(keyring.Open(new_sealed, "sunrise", "c2")->utterance(), "new");
  // Another tenant never gets these keys.
  EXPECT_EQ(keyring.Open(old_sealed, "other", "c1").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(WrappedKeyringTest, RotateMakesAFreshRandomKey) {
  WrappedKeyring ring = Ring();
  absl::StatusOr<std::string> a = ring.Rotate(Kek(), "sunrise", kT1);
  absl::StatusOr<std::string> b = ring.Rotate(Kek(), "sunrise", kT2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(ring.ForTenant("sunrise").size(), 3u);
  EXPECT_EQ(ring.Rotate(Kek(kOtherKek), "sunrise", kT2).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(WrappedKeyringTest, SerializeParseRoundTripWithoutKeyMaterial) {
  WrappedKeyring ring = Ring();
  ASSERT_TRUE(ring.Add(Kek(), "sunrise", kDataB, kT1).ok());
  const std::string text = ring.Serialize();
  EXPECT_FALSE(absl::StrContains(text, absl::BytesToHexString(kDataA)));
  EXPECT_FALSE(absl::StrContains(text, absl::BytesToHexString(kKek)));
  EXPECT_TRUE(WrappedKeyring::IsWrapped(text));
  EXPECT_FALSE(WrappedKeyring::IsWrapped("sunrise " + std::string(64, 'a')));
  absl::StatusOr<WrappedKeyring> back = WrappedKeyring::Parse("k", text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->Serialize(), text);
  ASSERT_EQ(back->keys().size(), 2u);
  EXPECT_EQ(back->keys()[0].created, kT0);
  EXPECT_EQ(back->keys()[0].retired, kT1);
  EXPECT_EQ(back->kek_id(), Kek().id());
}

TEST(WrappedKeyringTest, ShredDestroysRetiredKeysOnlyAndLeavesTombstones) {
  WrappedKeyring ring = Ring();
  ASSERT_TRUE(ring.Add(Kek(), "sunrise", kDataB, kT1).ok());
  // Retired at kT1: not before kT1, so nothing is shredded yet.
  EXPECT_TRUE(ring.Shred("sunrise", kT1, kT2)->empty());
  absl::StatusOr<std::vector<WrappedKey>> gone =
      ring.Shred("sunrise", kT1 + absl::Seconds(1), kT2);
  ASSERT_TRUE(gone.ok());
  ASSERT_EQ(gone->size(), 1u);
  EXPECT_EQ((*gone)[0].key_id, IdOf(kDataA));
  // The active key survives any date.
  EXPECT_TRUE(ring.Shred("sunrise", kT2 + absl::Hours(1e5), kT2)->empty());
  EXPECT_EQ(ring.Shred("nobody", kT2, kT2).status().code(),
            absl::StatusCode::kNotFound);

  const std::string text = ring.Serialize();
  EXPECT_TRUE(
      absl::StrContains(text, absl::StrCat("shredded sunrise ", IdOf(kDataA))));
  absl::StatusOr<WrappedKeyring> back = WrappedKeyring::Parse("k", text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->keys()[0].is_shredded());
  EXPECT_EQ(back->keys()[0].shredded, kT2);

  PhiKeyring keyring(*WrappedKeyringFile::FromKeyring(*back, Kek()));
  const ev::SealedPhi old_sealed =
      PhiSealer::FromKey(kDataA)->Seal(Fields("old"), "sunrise", "c1");
  absl::Status s = keyring.Open(old_sealed, "sunrise", "c1").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(s.message(), "was shredded at"));
  const ev::SealedPhi new_sealed =
      PhiSealer::FromKey(kDataB)->Seal(Fields("new"), "sunrise", "c2");
  EXPECT_EQ(keyring.Open(new_sealed, "sunrise", "c2")->utterance(), "new");
}

TEST(WrappedKeyringTest, ParseErrorsNameTheLine) {
  const std::string good = Ring().Serialize();
  auto error = [](const std::string& text) {
    return WrappedKeyring::Parse("ring", text).status();
  };
  EXPECT_EQ(error("sunrise " + std::string(64, 'a')).message(),
            "keyring file ring:1: expected the header "
            "\"frontdesk-wrapped-keyring v1\"");
  // A second active key for the same tenant.
  const std::string line = good.substr(good.find("\nkey ") + 1);
  const std::string other =
      absl::StrReplaceAll(line, {{IdOf(kDataA), std::string(16, 'f')}});
  absl::Status two = error(good + other);
  EXPECT_EQ(two.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(two.message(), "ring:6: a second active key"))
      << two.message();
  // The same key id twice, the second one retired.
  const std::string retired = absl::StrReplaceAll(
      line, {{" - ", absl::StrCat(" ", KeyringTime(kT1), " ")}});
  EXPECT_TRUE(absl::StrContains(
      error(good + retired).message(),
      "ring:6: key id " + IdOf(kDataA) + " is already on line 5"))
      << error(good + retired).message();
  absl::Status shortkey = error(good.substr(0, good.size() - 5) + "\n");
  EXPECT_TRUE(absl::StrContains(shortkey.message(),
                                "ring:5: the wrapped key must be 120"))
      << shortkey.message();
  EXPECT_TRUE(absl::StrContains(
      error(absl::StrReplaceAll(good, {{"kek file:kek", "kek kms:x"}}))
          .message(),
      "ring:4: the kek reference must be"));
}

TEST(WrappedKeyringFileTest, KeyMovedToAnotherTenantDoesNotUnwrap) {
  WrappedKeyring ring = Ring();
  const std::string moved =
      absl::StrReplaceAll(ring.Serialize(), {{"key sunrise ", "key other "}});
  absl::StatusOr<WrappedKeyring> parsed = WrappedKeyring::Parse("k", moved);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(WrappedKeyringFile::FromKeyring(*parsed, Kek()).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      WrappedKeyringFile::FromKeyring(ring, Kek(kOtherKek)).status().code(),
      absl::StatusCode::kFailedPrecondition);
}

TEST(WrappedKeyringFileTest, LoadsWithTheKekItNamesAndWritesAtomically) {
  WriteFile("wk_kek", absl::BytesToHexString(kKek));
  WrappedKeyring ring("file:wk_kek", Kek().id());
  ASSERT_TRUE(ring.Add(Kek(), "sunrise", kDataA, kT0).ok());
  const std::string path = ::testing::TempDir() + "/wk_keyring";
  std::remove(path.c_str());
  ASSERT_TRUE(WrappedKeyringFile::WriteKeyring(path, ring).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // Both formats load through PhiKeyring::FromLocalFile.
  absl::StatusOr<PhiKeyring> wrapped = PhiKeyring::FromLocalFile(path);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status();
  EXPECT_EQ(wrapped->SealerFor("sunrise")->key_id(), IdOf(kDataA));
  const std::string plain = WriteFile(
      "wk_plain", absl::StrCat("sunrise ", absl::BytesToHexString(kDataB)));
  EXPECT_EQ(PhiKeyring::FromLocalFile(plain)->SealerFor("sunrise")->key_id(),
            IdOf(kDataB));
  EXPECT_EQ(PhiKeyring::FromFile(plain, "x").status().code(),
            absl::StatusCode::kInvalidArgument);

  // The wrong KEK is refused by id.
  const std::string other =
      WriteFile("wk_other_kek", absl::BytesToHexString(kOtherKek));
  absl::Status wrong = PhiKeyring::FromFile(path, other).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(wrong.message(), Kek().id()));
  // A KEK others can read is refused.
  chmod((::testing::TempDir() + "/wk_kek").c_str(), 0644);
  EXPECT_EQ(PhiKeyring::FromLocalFile(path).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(WrappedKeyringFileTest, MissingKekIsNamedAndFailedWriteKeepsTheOldFile) {
  WrappedKeyring ring("file:no_such_kek", Kek().id());
  ASSERT_TRUE(ring.Add(Kek(), "sunrise", kDataA, kT0).ok());
  const std::string path = ::testing::TempDir() + "/wk_missing_kek";
  std::remove(path.c_str());
  ASSERT_TRUE(WrappedKeyringFile::WriteKeyring(path, ring).ok());
  absl::Status missing = PhiKeyring::FromLocalFile(path).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), absl::StrCat("kek file ", ::testing::TempDir(),
                                            "/no_such_kek: does not exist"));

  // A keyring in a folder that does not exist cannot be written, and the
  // error names it; an existing keyring is never left half written.
  absl::Status nowhere = WrappedKeyringFile::WriteKeyring(
      ::testing::TempDir() + "/no/such/folder/keyring", ring);
  EXPECT_EQ(nowhere.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(nowhere.message(), "no/such/folder/keyring"));
  const std::string before = ring.Serialize();
  ASSERT_TRUE(ring.Rotate(Kek(), "sunrise", kT1).ok());
  ASSERT_TRUE(WrappedKeyringFile::WriteKeyring(path, ring).ok());
  absl::StatusOr<WrappedKeyring> back = WrappedKeyringFile::ReadKeyring(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->keys().size(), 2u);
  EXPECT_NE(back->Serialize(), before);
}

}  // namespace
}  // namespace frontdesk::phi
