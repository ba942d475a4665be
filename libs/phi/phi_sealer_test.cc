#include "libs/phi/phi_sealer.h"

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"

namespace frontdesk::phi {
namespace {

namespace ev = ::frontdesk::events::v1;

PhiSealer Sealer(char fill) {
  absl::StatusOr<PhiSealer> s = PhiSealer::FromKey(std::string(32, fill));
  EXPECT_TRUE(s.ok());
  return *s;
}

ev::PhiFields Fields() {
  ev::PhiFields f;
  f.set_utterance("my name is Jane Roe and I have chest pain");
  f.set_caller_number("+15555550123");
  return f;
}

TEST(PhiSealerTest, SealThenOpenRoundTrips) {
  const PhiSealer sealer = Sealer('k');
  const ev::SealedPhi sealed = sealer.Seal(Fields(), "sunrise", "call-1");
  EXPECT_EQ(sealed.scheme(), "AES-256-GCM");
  EXPECT_EQ(sealed.key_id(), sealer.key_id());
  EXPECT_EQ(sealed.key_id().size(), 16u);
  EXPECT_EQ(sealed.ciphertext().find("Jane"), std::string::npos);
  EXPECT_EQ(sealed.ciphertext().find("5550123"), std::string::npos);
  absl::StatusOr<ev::PhiFields> back = sealer.Open(sealed, "sunrise", "call-1");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->utterance(), Fields().utterance());
  EXPECT_EQ(back->caller_number(), "+15555550123");
}

TEST(PhiSealerTest, OtherCallCannotOpen) {
  const PhiSealer sealer = Sealer('k');
  const ev::SealedPhi sealed = sealer.Seal(Fields(), "sunrise", "call-1");
  absl::StatusOr<ev::PhiFields> back = sealer.Open(sealed, "sunrise", "call-2");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss);
}

TEST(PhiSealerTest, AlteredCiphertextIsDetected) {
  const PhiSealer sealer = Sealer('k');
  ev::SealedPhi sealed = sealer.Seal(Fields(), "sunrise", "call-1");
  (*sealed.mutable_ciphertext())[0] ^= 1;
  absl::StatusOr<ev::PhiFields> back = sealer.Open(sealed, "sunrise", "call-1");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(std::string(back.status().message()),
            "sealed_phi: authentication failed (altered, or bound to another "
            "call)");
}

TEST(PhiSealerTest, OtherKeyIsRefusedByKeyId) {
  const ev::SealedPhi sealed = Sealer('k').Seal(Fields(), "sunrise", "call-1");
  absl::StatusOr<ev::PhiFields> back =
      Sealer('j').Open(sealed, "sunrise", "call-1");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(PhiSealerTest, KeyFileErrorsNameTheFileNotTheKey) {
  const std::string path = ::testing::TempDir() + "/phi_bad.key";
  {
    std::ofstream out(path);
    out << "zz" << std::string(62, '0') << "\n";
  }
  absl::StatusOr<PhiSealer> s = PhiSealer::FromKeyFile(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.status().message()),
            "phi key file " + path + ": contains a non-hexadecimal character");

  absl::StatusOr<PhiSealer> missing = PhiSealer::FromKeyFile(path + ".none");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(std::string(missing.status().message()),
            "phi key file " + path + ".none: cannot be read");

  {
    std::ofstream out(path);
    out << std::string(64, 'a') << "\n";
  }
  absl::StatusOr<PhiSealer> good = PhiSealer::FromKeyFile(path);
  ASSERT_TRUE(good.ok()) << good.status();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace frontdesk::phi
