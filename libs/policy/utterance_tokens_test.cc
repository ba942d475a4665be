#include "libs/policy/utterance_tokens.h"

#include "gtest/gtest.h"
#include "libs/common/input_limits.h"

namespace frontdesk::policy {
namespace {

TEST(UtteranceTokensTest, CasePunctuationHyphensAndSpaces) {
  EXPECT_EQ(CanonicalPhrase("  CHEST-pain!!!   now... "), "chest pain now");
  EXPECT_EQ(CanonicalPhrase("short-of-breath"),
            CanonicalPhrase("short of breath"));
}

TEST(UtteranceTokensTest, ContractionsWithAndWithoutApostrophe) {
  const std::string canonical = CanonicalPhrase("I can not breathe");
  EXPECT_EQ(CanonicalPhrase("I can't breathe"), canonical);
  EXPECT_EQ(CanonicalPhrase("i cant breathe"), canonical);
  EXPECT_EQ(CanonicalPhrase("I cannot breathe"), canonical);
  EXPECT_EQ(CanonicalPhrase("I can\xE2\x80\x99t breathe"), canonical);
  EXPECT_EQ(CanonicalPhrase("I'm"), "i am");
  EXPECT_EQ(CanonicalPhrase("doesn't"), "doe not");  // "does" stems to "doe"
  EXPECT_EQ(CanonicalPhrase("my mom's"), "my mom");
}

TEST(UtteranceTokensTest, InflectionsShareATerm) {
  EXPECT_EQ(CanonicalPhrase("bleeding"), "bleed");
  EXPECT_EQ(CanonicalPhrase("bleeds"), "bleed");
  EXPECT_EQ(CanonicalPhrase("bled"), "bleed");
  EXPECT_EQ(CanonicalPhrase("sued"), CanonicalPhrase("sue"));
  EXPECT_EQ(CanonicalPhrase("suing"), CanonicalPhrase("sue"));
  EXPECT_EQ(CanonicalPhrase("fainted"), CanonicalPhrase("faint"));
  EXPECT_EQ(CanonicalPhrase("breathing"), CanonicalPhrase("breathe"));
  EXPECT_EQ(CanonicalPhrase("swollen"), CanonicalPhrase("swelling"));
}

TEST(UtteranceTokensTest, SpansAreInCharactersOfTheOriginal) {
  // "é" is two bytes but one character.
  const auto tokens = Tokenize("Très bien: chest pain");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].begin, 0u);
  EXPECT_EQ(tokens[0].end, 4u);
  EXPECT_EQ(tokens[2].term, "chest");
  EXPECT_EQ(tokens[2].begin, 11u);
  EXPECT_EQ(tokens[3].end, 21u);
  // A contraction's two terms both point at the one word.
  const auto cant = Tokenize("I can't");
  ASSERT_EQ(cant.size(), 3u);
  EXPECT_EQ(cant[1].begin, 2u);
  EXPECT_EQ(cant[2].end, 7u);
}

TEST(UtteranceTokensTest, UnicodePunctuationSeparatesWords) {
  const std::string chest_pain = CanonicalPhrase("chest pain");
  EXPECT_EQ(CanonicalPhrase("chest\xE2\x80\x94pain"), chest_pain);  // em dash
  EXPECT_EQ(CanonicalPhrase("\xE2\x80\x9C"
                            "chest pain\xE2\x80\x9D"),
            chest_pain);  // curly quotes
  EXPECT_EQ(CanonicalPhrase("CHEST\xE2\x80\xA6PAIN"), chest_pain);  // ellipsis
  EXPECT_EQ(CanonicalPhrase("chest\xC2\xA0pain"),
            chest_pain);  // no-break space
  // Letters outside ASCII stay inside words.
  EXPECT_EQ(Tokenize("caf\xC3\xA9 na\xC3\xAFve").size(), 2u);
  // A span counts characters, not bytes, across the separators too.
  const auto tokens = Tokenize(
      "a\xE2\x80\x94"
      "chest");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[1].begin, 2u);
  EXPECT_EQ(tokens[1].end, 7u);
}

TEST(UtteranceTokensTest, MalformedUtf8KeepsSpansInsideTheText) {
  // Found by trigger_matcher_fuzzer: stray continuation bytes after a curly
  // quote. Spans must count characters as Utf8Length does.
  const std::string text =
      "\xE2\x80\x9C\x8E\x8E\x8E"
      "chest pain\xE2\x80\x9D";
  const auto tokens = Tokenize(text);
  ASSERT_FALSE(tokens.empty());
  EXPECT_LE(tokens.back().end, Utf8Length(text));
}

TEST(UtteranceTokensTest, EmptyAndPunctuationOnly) {
  EXPECT_TRUE(Tokenize("").empty());
  EXPECT_TRUE(Tokenize(" ,.!? -- ''").empty());
}

}  // namespace
}  // namespace frontdesk::policy
