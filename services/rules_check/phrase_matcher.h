// PhraseMatcher: finds every policy phrase in an utterance, in one pass.
//
// The algorithm is Aho-Corasick over canonical terms (libs/policy/
// utterance_tokens.h), not over characters:
//   - matching works on whole words by construction, so "sue" never fires
//     inside "issue" and "pain" never inside "painting";
//   - one pass over the utterance finds every occurrence of every phrase,
//     overlapping ones included, in time linear in the number of words plus
//     the matches, however many phrases the policy holds;
//   - it is deterministic: the same words always give the same matches, with
//     no scores and no thresholds.
//
// Example:
//   PhraseMatcher m;
//   m.Add(Terms("chest pain"), 0);
//   m.Build();
//   for (const PhraseMatch& hit : m.FindAll(Tokenize(utterance))) { ... }
//
// Build once, then FindAll is const and thread-safe.
#ifndef FRONTDESK_SERVICES_RULES_CHECK_PHRASE_MATCHER_H_
#define FRONTDESK_SERVICES_RULES_CHECK_PHRASE_MATCHER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/policy/utterance_tokens.h"

namespace frontdesk::rules_check {

struct PhraseMatch {
  // The id given to Add.
  int id = 0;
  // The matched tokens, inclusive.
  size_t first_token = 0;
  size_t last_token = 0;
};

class PhraseMatcher {
 public:
  // Adds a phrase. REQUIRES: Build() not called yet; `terms` not empty.
  void Add(const std::vector<std::string>& terms, int id);
  // Computes the failure links. Call once, after the last Add.
  void Build();

  // Every match, ordered by where it starts, then longest first.
  std::vector<PhraseMatch> FindAll(
      const std::vector<policy::Token>& tokens) const;

  size_t phrases() const { return lengths_.size(); }

 private:
  struct Node {
    absl::flat_hash_map<int, int> next;
    int fail = 0;
    // Phrase indexes ending here, including through failure links.
    std::vector<int> out;
  };
  int TermId(const std::string& term) const;

  absl::flat_hash_map<std::string, int> dictionary_;
  std::vector<Node> nodes_ = std::vector<Node>(1);
  std::vector<int> ids_;
  std::vector<size_t> lengths_;
};

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_PHRASE_MATCHER_H_
