#include "libs/auth/staff_authenticator.h"

#include "absl/flags/flag.h"
#include "gtest/gtest.h"

namespace frontdesk::auth {
namespace {

class StaffAuthenticatorTest : public ::testing::Test {
 protected:
  StaffAuthenticatorTest() : clock_(absl::FromUnixSeconds(1800000000)) {
    keys_ = *GenerateIssuerKeyPair();
    issuer_ = *TokenIssuer::Create(keys_.private_pem, "");
  }

  std::string Token(const std::string& sub, const std::string& role) {
    return *issuer_->Issue(
        {sub, role, "clinic-a", clock_.Now() + absl::Hours(1)}, clock_.Now());
  }

  FakeClock clock_;
  IssuerKeyPair keys_;
  std::unique_ptr<TokenIssuer> issuer_;
};

TEST_F(StaffAuthenticatorTest,
       WithTokensTheTokenDecidesAndAssertionsAreIgnored) {
  auto auth = StaffAuthenticator::WithTokens(
      *TokenVerifier::Create(keys_.public_pem, "clinic-a", "", &clock_));
  EXPECT_TRUE(auth->verifies_tokens());
  absl::StatusOr<StaffPrincipal> who = auth->Authenticate(
      "Bearer " + Token("u-7", "triage-nurse"), "someone-else", "auditor");
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->subject, "u-7");
  EXPECT_EQ(who->role, "triage-nurse");
  // Asserted headers alone are not enough.
  EXPECT_EQ(auth->Authenticate("", "u-7", "triage-nurse").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(StaffAuthenticatorTest, DevelopmentModeTakesAssertionsAtTheirWord) {
  auto auth = StaffAuthenticator::AssertedForDevelopment("clinic-a");
  EXPECT_FALSE(auth->verifies_tokens());
  absl::StatusOr<StaffPrincipal> who =
      auth->Authenticate("", "u-1", "front-desk");
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->subject, "u-1");
  EXPECT_EQ(who->tenant, "clinic-a");
  EXPECT_EQ(auth->Authenticate("", "", "front-desk").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth->Authenticate("", std::string(129, 'x'), "r").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StaffAuthenticatorTest, FlagsNeedAKeyOrTheDevelopmentFlag) {
  absl::SetFlag(&FLAGS_token_public_key_file, "");
  absl::SetFlag(&FLAGS_asserted_staff_identity_for_development, false);
  EXPECT_EQ(StaffAuthenticatorFromFlags("clinic-a", &clock_).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::SetFlag(&FLAGS_asserted_staff_identity_for_development, true);
  auto dev = StaffAuthenticatorFromFlags("clinic-a", &clock_);
  ASSERT_TRUE(dev.ok());
  EXPECT_FALSE((*dev)->verifies_tokens());
  absl::SetFlag(&FLAGS_token_public_key_file, "/nonexistent/issuer.pub");
  EXPECT_EQ(StaffAuthenticatorFromFlags("clinic-a", &clock_).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace frontdesk::auth
