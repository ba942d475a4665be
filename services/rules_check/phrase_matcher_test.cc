#include "services/rules_check/phrase_matcher.h"

#include "gtest/gtest.h"

namespace frontdesk::rules_check {
namespace {

using policy::Terms;
using policy::Tokenize;

std::vector<std::tuple<int, size_t, size_t>> Find(const PhraseMatcher& m,
                                                  const std::string& text) {
  std::vector<std::tuple<int, size_t, size_t>> out;
  for (const auto& hit : m.FindAll(Tokenize(text))) {
    out.emplace_back(hit.id, hit.first_token, hit.last_token);
  }
  return out;
}

TEST(PhraseMatcherTest, FindsOverlappingAndNestedPhrases) {
  PhraseMatcher m;
  m.Add(Terms("chest pain"), 1);
  m.Add(Terms("pain"), 2);
  m.Add(Terms("severe chest pain radiating"), 3);
  m.Add(Terms("pain radiating"), 4);
  m.Build();
  EXPECT_EQ(Find(m, "severe chest pain radiating now"),
            (std::vector<std::tuple<int, size_t, size_t>>{
                {3, 0, 3}, {1, 1, 2}, {4, 2, 3}, {2, 2, 2}}));
}

TEST(PhraseMatcherTest, WholeWordsOnly) {
  PhraseMatcher m;
  m.Add(Terms("sue"), 1);
  m.Add(Terms("pain"), 2);
  m.Build();
  EXPECT_TRUE(Find(m, "there is an issue with my painting").empty());
  EXPECT_EQ(Find(m, "I will sue"),
            (std::vector<std::tuple<int, size_t, size_t>>{{1, 2, 2}}));
}

TEST(PhraseMatcherTest, FailureLinksRecoverAfterPartialMatch) {
  PhraseMatcher m;
  m.Add(Terms("can not breathe well"), 1);
  m.Add(Terms("not breathe"), 2);
  m.Build();
  // "can not breathe" fails to extend to "well" but "not breathe" is found.
  EXPECT_EQ(Find(m, "I can't breathe at all"),
            (std::vector<std::tuple<int, size_t, size_t>>{{2, 2, 3}}));
}

TEST(PhraseMatcherTest, UnknownWordsResetTheMatch) {
  PhraseMatcher m;
  m.Add(Terms("chest pain"), 1);
  m.Build();
  EXPECT_TRUE(Find(m, "chest very pain").empty());
  EXPECT_EQ(m.phrases(), 1u);
}

}  // namespace
}  // namespace frontdesk::rules_check
