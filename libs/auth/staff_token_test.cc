#include "libs/auth/staff_token.h"

#include <jwt.h>

#include <cstdlib>

#include "gtest/gtest.h"

namespace frontdesk::auth {
namespace {

using KeyPair = IssuerKeyPair;

KeyPair NewKeyPair() {
  absl::StatusOr<IssuerKeyPair> kp = GenerateIssuerKeyPair();
  EXPECT_TRUE(kp.ok()) << kp.status();
  return kp.ok() ? *kp : IssuerKeyPair{};
}

// A token with the given algorithm and key, outside TokenIssuer, for the
// attacks the verifier must refuse.
std::string RawToken(jwt_alg_t alg, const std::string& key, long exp) {
  jwt_t* j = nullptr;
  EXPECT_EQ(jwt_new(&j), 0);
  jwt_add_grant(j, "sub", "u-1");
  jwt_add_grant(j, "role", "auditor");
  jwt_add_grant(j, "tenant", "clinic-a");
  jwt_add_grant_int(j, "exp", exp);
  EXPECT_EQ(jwt_set_alg(j, alg,
                        key.empty() ? nullptr
                                    : reinterpret_cast<const unsigned char*>(
                                          key.data()),
                        static_cast<int>(key.size())),
            0);
  char* s = jwt_encode_str(j);
  std::string out = s == nullptr ? "" : s;
  free(s);
  jwt_free(j);
  return out;
}

class StaffTokenTest : public ::testing::Test {
 protected:
  StaffTokenTest()
      : now_(absl::FromUnixSeconds(1800000000)),
        clock_(now_),
        keys_(NewKeyPair()) {
    verifier_ = *TokenVerifier::Create(keys_.public_pem, "clinic-a",
                                       "frontdesk-dev", &clock_);
    issuer_ = *TokenIssuer::Create(keys_.private_pem, "frontdesk-dev");
  }

  StaffPrincipal Ann(absl::Duration ttl = absl::Hours(1)) {
    return {"u-1", "auditor", "clinic-a", now_ + ttl};
  }

  absl::Time now_;
  FakeClock clock_;
  KeyPair keys_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<TokenIssuer> issuer_;
};

TEST_F(StaffTokenTest, AValidTokenNamesSubjectRoleAndTenant) {
  absl::StatusOr<std::string> token = issuer_->Issue(Ann(), now_);
  ASSERT_TRUE(token.ok()) << token.status();
  absl::StatusOr<StaffPrincipal> who =
      verifier_->VerifyAuthorizationHeader("Bearer " + *token);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->subject, "u-1");
  EXPECT_EQ(who->role, "auditor");
  EXPECT_EQ(who->tenant, "clinic-a");
  EXPECT_EQ(who->expires, now_ + absl::Hours(1));
}

TEST_F(StaffTokenTest, AnExpiredTokenIsRefused) {
  std::string token = *issuer_->Issue(Ann(absl::Minutes(5)), now_);
  ASSERT_TRUE(verifier_->Verify(token).ok());
  clock_.Advance(absl::Minutes(5));
  absl::StatusOr<StaffPrincipal> who = verifier_->Verify(token);
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(who.status().message(), "the token has expired");
}

TEST_F(StaffTokenTest, AnotherClinicsTokenIsRefused) {
  StaffPrincipal p = Ann();
  p.tenant = "clinic-b";
  absl::StatusOr<StaffPrincipal> who =
      verifier_->Verify(*issuer_->Issue(p, now_));
  EXPECT_EQ(who.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(who.status().message(), "the token is for another clinic (tenant)");
}

TEST_F(StaffTokenTest, ATamperedTokenIsRefusedWithoutEchoingIt) {
  std::string token = *issuer_->Issue(Ann(), now_);
  // Swap the role claim for another, keeping the signature.
  StaffPrincipal admin = Ann();
  admin.role = "privacy-officer";
  std::string other = *issuer_->Issue(admin, now_);
  const std::string forged =
      other.substr(0, other.rfind('.')) + token.substr(token.rfind('.'));
  absl::StatusOr<StaffPrincipal> who = verifier_->Verify(forged);
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(who.status().message(),
            "the token's signature does not verify with the issuer's key");
  EXPECT_EQ(who.status().ToString().find(forged), std::string::npos);
}

TEST_F(StaffTokenTest, AnotherIssuersKeyIsRefused) {
  KeyPair other = NewKeyPair();
  auto issuer = *TokenIssuer::Create(other.private_pem, "frontdesk-dev");
  EXPECT_EQ(verifier_->Verify(*issuer->Issue(Ann(), now_)).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(StaffTokenTest, AlgorithmNoneAndHmacWithThePublicKeyAreRefused) {
  const long exp = absl::ToUnixSeconds(now_ + absl::Hours(1));
  EXPECT_EQ(verifier_->Verify(RawToken(JWT_ALG_NONE, "", exp)).status().code(),
            absl::StatusCode::kUnauthenticated);
  // The classic confusion: HS256 keyed with the (public) verification key.
  absl::StatusOr<StaffPrincipal> who =
      verifier_->Verify(RawToken(JWT_ALG_HS256, keys_.public_pem, exp));
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(StaffTokenTest, MissingClaimsAndGarbageAreRefused) {
  StaffPrincipal p = Ann();
  EXPECT_EQ(verifier_->Verify("").status().message(),
            "no token: sign in first");
  EXPECT_EQ(verifier_->Verify("not a token").status().message(),
            "the token is not a signed JWT");
  EXPECT_EQ(verifier_->Verify("a.b.c").status().code(),
            absl::StatusCode::kUnauthenticated);
  p.role.clear();
  EXPECT_FALSE(issuer_->Issue(p, now_).ok());
}

TEST_F(StaffTokenTest, WrongIssuerIsRefused) {
  auto issuer = *TokenIssuer::Create(keys_.private_pem, "someone-else");
  EXPECT_EQ(verifier_->Verify(*issuer->Issue(Ann(), now_)).status().message(),
            "the token was not issued by this clinic's issuer");
}

TEST(TokenVerifierCreateTest, RejectsKeysThatAreNotPublicPem) {
  FakeClock clock(absl::UnixEpoch());
  EXPECT_EQ(TokenVerifier::Create("secret", "t", "", &clock).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TokenVerifier::FromPemFile("/nonexistent/key.pem", "t", "", &clock)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace frontdesk::auth
