#include "libs/policy/clinic_policy.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace frontdesk::policy {

const ApprovedText* ClinicPolicy::FindText(absl::string_view id) const {
  for (const ApprovedText& t : approved_texts) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const Queue* ClinicPolicy::FindQueue(absl::string_view id) const {
  for (const Queue& q : queues) {
    if (q.id == id) return &q;
  }
  return nullptr;
}

std::vector<std::string> ClinicPolicy::QueueIds() const {
  std::vector<std::string> ids;
  for (const Queue& q : queues) ids.push_back(q.id);
  return ids;
}

std::string NormalizeText(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = true;  // drops leading spaces
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    char mapped = ' ';
    if (absl::ascii_isalnum(c)) {
      mapped = static_cast<char>(absl::ascii_tolower(c));
    } else if (c == '\'') {
      mapped = '\'';
    } else if (c == 0xE2 && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(text[i + 2]) == 0x98 ||
                static_cast<unsigned char>(text[i + 2]) == 0x99)) {
      mapped = '\'';  // U+2018 / U+2019
      i += 2;
    } else if (c >= 0x80) {
      mapped = static_cast<char>(c);  // other UTF-8 bytes are kept as is
    }
    if (mapped == ' ') {
      if (!space) out.push_back(' ');
      space = true;
    } else {
      out.push_back(mapped);
      space = false;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

// Walks the YAML tree and records the first error with its place.
class Reader {
 public:
  explicit Reader(absl::string_view source) : source_(source) {}

  const absl::Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

  bool Fail(const YAML::Node& at, absl::string_view message) {
    if (status_.ok()) {
      const YAML::Mark m = at.Mark();
      status_ = absl::InvalidArgumentError(
          m.is_null() ? absl::StrCat(source_, ": ", message)
                      : absl::StrCat(source_, ":", m.line + 1, ":",
                                     m.column + 1, ": ", message));
    }
    return false;
  }

  // Checks that `node` is a map whose keys are all in `allowed`, and that
  // every key in `required` is present.
  bool Map(const YAML::Node& node, absl::string_view path,
           const std::set<std::string>& allowed,
           const std::set<std::string>& required) {
    if (!node.IsMap()) {
      return Fail(node, absl::StrCat(path, ": expected a mapping"));
    }
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (allowed.count(key) == 0) {
        return Fail(kv.first,
                    absl::StrCat(path, ": unknown key \"", key,
                                 "\"; expected one of: ",
                                 absl::StrJoin(allowed, ", ")));
      }
    }
    for (const std::string& key : required) {
      if (!node[key]) {
        return Fail(node, absl::StrCat(path, ": missing required key \"", key,
                                       "\""));
      }
    }
    return true;
  }

  bool String(const YAML::Node& map, const std::string& key,
              absl::string_view path, std::string* out) {
    const YAML::Node n = map[key];
    if (!n) return true;
    if (!n.IsScalar()) {
      return Fail(n, absl::StrCat(path, ".", key, ": expected a string"));
    }
    *out = n.as<std::string>();
    if (absl::StripAsciiWhitespace(*out).empty()) {
      return Fail(n, absl::StrCat(path, ".", key, ": must not be empty"));
    }
    return true;
  }

  bool Id(const YAML::Node& map, const std::string& key, absl::string_view path,
          std::string* out) {
    if (!String(map, key, path, out)) return false;
    for (char c : *out) {
      if (!(absl::ascii_islower(static_cast<unsigned char>(c)) ||
            absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-')) {
        return Fail(map[key], absl::StrCat(path, ".", key, ": \"", *out,
                                           "\" must use only a-z, 0-9 and -"));
      }
    }
    return true;
  }

  bool Int(const YAML::Node& map, const std::string& key, absl::string_view path,
           int64_t min, int64_t max, int64_t* out) {
    const YAML::Node n = map[key];
    if (!n) return true;
    int64_t v = 0;
    if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) {
      return Fail(n, absl::StrCat(path, ".", key, ": expected an integer"));
    }
    if (v < min || v > max) {
      return Fail(n, absl::StrCat(path, ".", key, ": ", v, " is outside ", min,
                                  "..", max));
    }
    *out = v;
    return true;
  }

  bool Bool(const YAML::Node& map, const std::string& key,
            absl::string_view path, bool* out) {
    const YAML::Node n = map[key];
    if (!n) return true;
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
      return Fail(n, absl::StrCat(path, ".", key, ": expected true or false"));
    }
    *out = v;
    return true;
  }

  bool StringList(const YAML::Node& map, const std::string& key,
                  absl::string_view path, std::vector<std::string>* out) {
    const YAML::Node n = map[key];
    if (!n) return true;
    if (!n.IsSequence()) {
      return Fail(n, absl::StrCat(path, ".", key, ": expected a list"));
    }
    for (size_t i = 0; i < n.size(); ++i) {
      if (!n[i].IsScalar()) {
        return Fail(n[i], absl::StrCat(path, ".", key, "[", i,
                                       "]: expected a string"));
      }
      std::string v = NormalizeText(n[i].as<std::string>());
      if (v.empty()) {
        return Fail(n[i], absl::StrCat(path, ".", key, "[", i,
                                       "]: must contain a letter or digit"));
      }
      out->push_back(std::move(v));
    }
    return true;
  }

  bool List(const YAML::Node& root, const std::string& key) {
    const YAML::Node n = root[key];
    if (!n.IsSequence() || n.size() == 0) {
      return Fail(n ? n : root, absl::StrCat(key, ": expected a non-empty list"));
    }
    return true;
  }

 private:
  std::string source_;
  absl::Status status_;
};

absl::StatusOr<ClinicPolicy> Check(const YAML::Node& root, Reader& r) {
  ClinicPolicy p;
  if (!r.Map(root, "policy",
             {"policy_version", "clinic", "queues", "human_only",
              "approved_texts", "scripts", "default_queue"},
             {"policy_version", "clinic", "queues", "human_only",
              "approved_texts", "scripts", "default_queue"}) ||
      !r.String(root, "policy_version", "policy", &p.version)) {
    return r.status();
  }

  const YAML::Node clinic = root["clinic"];
  if (!r.Map(clinic, "clinic", {"tenant_id", "name", "timezone"},
             {"tenant_id", "name", "timezone"}) ||
      !r.Id(clinic, "tenant_id", "clinic", &p.clinic.tenant_id) ||
      !r.String(clinic, "name", "clinic", &p.clinic.name) ||
      !r.String(clinic, "timezone", "clinic", &p.clinic.timezone)) {
    return r.status();
  }
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(p.clinic.timezone, &tz)) {
    r.Fail(clinic["timezone"],
           absl::StrCat("clinic.timezone: unknown time zone \"",
                        p.clinic.timezone, "\""));
    return r.status();
  }

  if (!r.List(root, "queues")) return r.status();
  absl::flat_hash_set<std::string> queue_ids;
  const YAML::Node queues = root["queues"];
  for (size_t i = 0; i < queues.size(); ++i) {
    const std::string path = absl::StrCat("queues[", i, "]");
    const YAML::Node q = queues[i];
    Queue out;
    int64_t minutes = 0;
    if (!r.Map(q, path,
               {"id", "owner_role", "backup_role", "claim_window_minutes"},
               {"id", "owner_role", "backup_role", "claim_window_minutes"}) ||
        !r.Id(q, "id", path, &out.id) ||
        !r.Id(q, "owner_role", path, &out.owner_role) ||
        !r.Id(q, "backup_role", path, &out.backup_role) ||
        !r.Int(q, "claim_window_minutes", path, 1, 7 * 24 * 60, &minutes)) {
      return r.status();
    }
    out.claim_window = absl::Minutes(minutes);
    if (!queue_ids.insert(out.id).second) {
      r.Fail(q["id"], absl::StrCat(path, ".id: duplicate queue id \"", out.id,
                                   "\""));
      return r.status();
    }
    p.queues.push_back(std::move(out));
  }

  if (!r.List(root, "approved_texts")) return r.status();
  absl::flat_hash_set<std::string> text_ids;
  const YAML::Node texts = root["approved_texts"];
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string path = absl::StrCat("approved_texts[", i, "]");
    const YAML::Node t = texts[i];
    ApprovedText out;
    int64_t version = 0;
    if (!r.Map(t, path, {"id", "version", "text", "keywords"},
               {"id", "version", "text"}) ||
        !r.Id(t, "id", path, &out.id) ||
        !r.Int(t, "version", path, 1, 1000000, &version) ||
        !r.String(t, "text", path, &out.text) ||
        !r.StringList(t, "keywords", path, &out.keywords)) {
      return r.status();
    }
    out.version = static_cast<uint32_t>(version);
    if (!text_ids.insert(out.id).second) {
      r.Fail(t["id"], absl::StrCat(path, ".id: duplicate approved text id \"",
                                   out.id, "\""));
      return r.status();
    }
    p.approved_texts.push_back(std::move(out));
  }

  if (!r.List(root, "human_only")) return r.status();
  absl::flat_hash_set<std::string> category_ids;
  absl::flat_hash_set<std::string> rule_ids;
  const YAML::Node cats = root["human_only"];
  for (size_t i = 0; i < cats.size(); ++i) {
    const std::string path = absl::StrCat("human_only[", i, "]");
    const YAML::Node c = cats[i];
    HumanOnlyCategory out;
    if (!r.Map(c, path, {"id", "rule_id", "queue", "urgent", "triggers"},
               {"id", "rule_id", "queue", "urgent", "triggers"}) ||
        !r.Id(c, "id", path, &out.id) ||
        !r.String(c, "rule_id", path, &out.rule_id) ||
        !r.Id(c, "queue", path, &out.queue) ||
        !r.Bool(c, "urgent", path, &out.urgent) ||
        !r.StringList(c, "triggers", path, &out.triggers)) {
      return r.status();
    }
    if (out.triggers.empty()) {
      r.Fail(c["triggers"],
             absl::StrCat(path, ".triggers: needs at least one phrase"));
      return r.status();
    }
    if (!category_ids.insert(out.id).second) {
      r.Fail(c["id"], absl::StrCat(path, ".id: duplicate category id \"",
                                   out.id, "\""));
      return r.status();
    }
    if (!rule_ids.insert(out.rule_id).second) {
      r.Fail(c["rule_id"], absl::StrCat(path, ".rule_id: duplicate rule id \"",
                                        out.rule_id, "\""));
      return r.status();
    }
    if (!queue_ids.contains(out.queue)) {
      r.Fail(c["queue"], absl::StrCat(path, ".queue: no queue with id \"",
                                      out.queue, "\""));
      return r.status();
    }
    p.human_only.push_back(std::move(out));
  }

  const YAML::Node scripts = root["scripts"];
  const std::set<std::string> names = {"greeting", "fallback", "urgent",
                                       "handoff",  "callback", "goodbye"};
  if (!r.Map(scripts, "scripts", names, names) ||
      !r.Id(scripts, "greeting", "scripts", &p.scripts.greeting) ||
      !r.Id(scripts, "fallback", "scripts", &p.scripts.fallback) ||
      !r.Id(scripts, "urgent", "scripts", &p.scripts.urgent) ||
      !r.Id(scripts, "handoff", "scripts", &p.scripts.handoff) ||
      !r.Id(scripts, "callback", "scripts", &p.scripts.callback) ||
      !r.Id(scripts, "goodbye", "scripts", &p.scripts.goodbye)) {
    return r.status();
  }
  for (const std::string& name : names) {
    const std::string id = scripts[name].as<std::string>();
    if (!text_ids.contains(id)) {
      r.Fail(scripts[name], absl::StrCat("scripts.", name,
                                         ": no approved text with id \"", id,
                                         "\""));
      return r.status();
    }
  }

  if (!r.Id(root, "default_queue", "policy", &p.default_queue)) {
    return r.status();
  }
  if (!queue_ids.contains(p.default_queue)) {
    r.Fail(root["default_queue"],
           absl::StrCat("policy.default_queue: no queue with id \"",
                        p.default_queue, "\""));
    return r.status();
  }
  return p;
}

}  // namespace

absl::StatusOr<ClinicPolicy> ParsePolicy(absl::string_view yaml,
                                         absl::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1,
                     ": not valid YAML: ", e.msg));
  }
  Reader r(source);
  try {
    return Check(root, r);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports type problems by throwing; keep them inside.
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1,
                     ": ", e.msg));
  }
}

absl::StatusOr<ClinicPolicy> LoadPolicyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("policy file ", path,
                                            ": cannot be read"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParsePolicy(ss.str(), path);
}

}  // namespace frontdesk::policy
