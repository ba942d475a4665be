#include "services/rules_check/phrase_matcher.h"

#include <algorithm>
#include <deque>

namespace frontdesk::rules_check {

void PhraseMatcher::Add(const std::vector<std::string>& terms, int id) {
  if (terms.empty()) return;
  int node = 0;
  for (const std::string& term : terms) {
    auto [it, inserted] =
        dictionary_.emplace(term, static_cast<int>(dictionary_.size()));
    const int t = it->second;
    auto next = nodes_[node].next.find(t);
    if (next == nodes_[node].next.end()) {
      nodes_.push_back(Node());
      const int created = static_cast<int>(nodes_.size()) - 1;
      nodes_[node].next[t] = created;
      node = created;
    } else {
      node = next->second;
    }
  }
  nodes_[node].out.push_back(static_cast<int>(ids_.size()));
  ids_.push_back(id);
  lengths_.push_back(terms.size());
}

void PhraseMatcher::Build() {
  std::deque<int> queue;
  for (const auto& [term, child] : nodes_[0].next) {
    nodes_[child].fail = 0;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    const int node = queue.front();
    queue.pop_front();
    for (const auto& [term, child] : nodes_[node].next) {
      int f = nodes_[node].fail;
      while (f != 0 && !nodes_[f].next.contains(term)) f = nodes_[f].fail;
      auto it = nodes_[f].next.find(term);
      nodes_[child].fail =
          (it != nodes_[f].next.end() && it->second != child) ? it->second : 0;
      const auto& inherited = nodes_[nodes_[child].fail].out;
      nodes_[child].out.insert(nodes_[child].out.end(), inherited.begin(),
                               inherited.end());
      queue.push_back(child);
    }
  }
}

int PhraseMatcher::TermId(const std::string& term) const {
  auto it = dictionary_.find(term);
  return it == dictionary_.end() ? -1 : it->second;
}

std::vector<PhraseMatch> PhraseMatcher::FindAll(
    const std::vector<policy::Token>& tokens) const {
  std::vector<PhraseMatch> out;
  int node = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const int t = TermId(tokens[i].term);
    if (t < 0) {
      node = 0;  // a word no phrase uses ends every partial match
      continue;
    }
    while (node != 0 && !nodes_[node].next.contains(t))
      node = nodes_[node].fail;
    auto it = nodes_[node].next.find(t);
    node = it == nodes_[node].next.end() ? 0 : it->second;
    for (int p : nodes_[node].out) {
      out.push_back({ids_[p], i + 1 - lengths_[p], i});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const PhraseMatch& a, const PhraseMatch& b) {
              if (a.first_token != b.first_token)
                return a.first_token < b.first_token;
              if (a.last_token != b.last_token)
                return a.last_token > b.last_token;
              return a.id < b.id;
            });
  return out;
}

}  // namespace frontdesk::rules_check
