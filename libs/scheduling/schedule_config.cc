#include "libs/scheduling/schedule_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "yaml-cpp/yaml.h"

namespace frontdesk::scheduling {
namespace {

bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

// Collects errors with the line of the node they concern.
class Reader {
 public:
  explicit Reader(absl::string_view source) : source_(source) {}

  void Error(const YAML::Node& at, absl::string_view field,
             absl::string_view problem) {
    const int line = at.IsDefined() ? at.Mark().line + 1 : 0;
    errors_.push_back(
        absl::StrCat(source_, ":", line, ": ", field, ": ", problem));
  }
  void Error(int line, absl::string_view field, absl::string_view problem) {
    errors_.push_back(
        absl::StrCat(source_, ":", line, ": ", field, ": ", problem));
  }

  // Checks that `node` is a map whose keys are all in `allowed`.
  bool Map(const YAML::Node& node, absl::string_view field,
           std::initializer_list<absl::string_view> allowed) {
    if (!node.IsMap()) {
      Error(node, field, "expected a map");
      return false;
    }
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      bool known = false;
      for (absl::string_view a : allowed) known = known || a == key;
      if (!known) {
        Error(kv.first, absl::StrCat(field, ".", key), "unknown key");
      }
    }
    return true;
  }

  bool String(const YAML::Node& parent, absl::string_view key,
              absl::string_view field, bool required, std::string* out) {
    const YAML::Node n = parent[std::string(key)];
    const std::string f = absl::StrCat(field, ".", key);
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Error(parent, f, "missing");
      return !required;
    }
    if (!n.IsScalar()) {
      Error(n, f, "expected a string");
      return false;
    }
    *out = n.Scalar();
    return true;
  }

  bool Int(const YAML::Node& parent, absl::string_view key,
           absl::string_view field, int lo, int hi, int* out) {
    const YAML::Node n = parent[std::string(key)];
    const std::string f = absl::StrCat(field, ".", key);
    if (!n.IsDefined() || n.IsNull()) {
      Error(parent, f, "missing");
      return false;
    }
    int v = 0;
    if (!n.IsScalar() || !absl::SimpleAtoi(n.Scalar(), &v) || v < lo ||
        v > hi) {
      Error(n, f,
            absl::StrCat("expected a whole number from ", lo, " to ", hi));
      return false;
    }
    *out = v;
    return true;
  }

  // "HH:MM" -> minutes after midnight (24:00 allowed as an end).
  bool Clock(const YAML::Node& parent, absl::string_view key,
             absl::string_view field, bool required, int* out) {
    std::string s;
    if (!String(parent, key, field, required, &s)) return false;
    if (s.empty()) return true;
    std::vector<absl::string_view> parts = absl::StrSplit(s, ':');
    int h = 0, m = 0;
    if (parts.size() != 2 || parts[0].size() != 2 || parts[1].size() != 2 ||
        !absl::SimpleAtoi(parts[0], &h) || !absl::SimpleAtoi(parts[1], &m) ||
        h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) {
      Error(parent[std::string(key)], absl::StrCat(field, ".", key),
            absl::StrCat("expected a time \"HH:MM\", got \"", s, "\""));
      return false;
    }
    if (m % kBlockMinutes != 0) {
      Error(parent[std::string(key)], absl::StrCat(field, ".", key),
            absl::StrCat("minutes must be a multiple of ", kBlockMinutes));
      return false;
    }
    *out = h * 60 + m;
    return true;
  }

  bool Date(const YAML::Node& parent, absl::string_view key,
            absl::string_view field, absl::CivilDay* out) {
    std::string s;
    if (!String(parent, key, field, true, &s)) return false;
    if (s.size() != 10 || !absl::ParseCivilTime(s, out)) {
      Error(parent[std::string(key)], absl::StrCat(field, ".", key),
            absl::StrCat("expected a date \"YYYY-MM-DD\", got \"", s, "\""));
      return false;
    }
    return true;
  }

  std::vector<std::string>& errors() { return errors_; }

 private:
  std::string source_;
  std::vector<std::string> errors_;
};

bool ParseWeekday(absl::string_view s, absl::Weekday* out) {
  static constexpr std::pair<absl::string_view, absl::Weekday> kDays[] = {
      {"monday", absl::Weekday::monday},
      {"tuesday", absl::Weekday::tuesday},
      {"wednesday", absl::Weekday::wednesday},
      {"thursday", absl::Weekday::thursday},
      {"friday", absl::Weekday::friday},
      {"saturday", absl::Weekday::saturday},
      {"sunday", absl::Weekday::sunday}};
  for (const auto& [name, day] : kDays) {
    if (s == name) {
      *out = day;
      return true;
    }
  }
  return false;
}

}  // namespace

bool ClinicianSpec::Offers(absl::string_view visit_type) const {
  for (const auto& v : visit_types) {
    if (v == visit_type) return true;
  }
  return false;
}

const VisitTypeSpec* ScheduleConfig::FindVisitType(absl::string_view id) const {
  for (const auto& v : visit_types) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

const ClinicianSpec* ScheduleConfig::FindClinician(absl::string_view id) const {
  for (const auto& c : clinicians) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

bool ScheduleConfig::Closed(absl::string_view clinician, absl::CivilDay day,
                            int from_minute, int to_minute) const {
  for (const auto& c : closures) {
    if (c.date != day) continue;
    if (!c.clinician.empty() && c.clinician != clinician) continue;
    if (from_minute < c.to_minute && c.from_minute < to_minute) return true;
  }
  return false;
}

absl::StatusOr<ScheduleConfig> ParseScheduleYaml(absl::string_view yaml,
                                                 absl::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  Reader r(source);
  ScheduleConfig config;
  if (!r.Map(root, "schedule",
             {"timezone", "slot_step_minutes", "hold_minutes", "visit_types",
              "clinicians", "holidays", "exclusions", "bookings"})) {
    return absl::InvalidArgumentError(absl::StrJoin(r.errors(), "; "));
  }

  if (r.String(root, "timezone", "schedule", true, &config.timezone_name) &&
      !absl::LoadTimeZone(config.timezone_name, &config.timezone)) {
    r.Error(root["timezone"], "schedule.timezone",
            absl::StrCat("unknown time zone \"", config.timezone_name, "\""));
  }
  r.Int(root, "slot_step_minutes", "schedule", kBlockMinutes, 240,
        &config.slot_step_minutes);
  if (config.slot_step_minutes % kBlockMinutes != 0) {
    r.Error(root["slot_step_minutes"], "schedule.slot_step_minutes",
            absl::StrCat("must be a multiple of ", kBlockMinutes));
  }
  int hold_minutes = 5;
  if (r.Int(root, "hold_minutes", "schedule", 1, 120, &hold_minutes)) {
    config.hold_duration = absl::Minutes(hold_minutes);
  }

  const YAML::Node types = root["visit_types"];
  if (!types.IsSequence() || types.size() == 0) {
    r.Error(types.IsDefined() ? types : root, "visit_types",
            "expected a non-empty list");
  } else {
    for (size_t i = 0; i < types.size(); ++i) {
      const std::string f = absl::StrCat("visit_types[", i, "]");
      if (!r.Map(types[i], f, {"id", "minutes"})) continue;
      VisitTypeSpec v;
      if (r.String(types[i], "id", f, true, &v.id) && !ValidId(v.id)) {
        r.Error(types[i]["id"], f + ".id",
                "expected lower-case letters, digits and '-'");
      }
      if (r.Int(types[i], "minutes", f, kBlockMinutes, 480, &v.minutes) &&
          v.minutes % kBlockMinutes != 0) {
        r.Error(types[i]["minutes"], f + ".minutes",
                absl::StrCat("must be a multiple of ", kBlockMinutes));
      }
      if (config.FindVisitType(v.id) != nullptr) {
        r.Error(types[i]["id"], f + ".id",
                absl::StrCat("duplicate visit type \"", v.id, "\""));
      }
      config.visit_types.push_back(v);
    }
  }

  const YAML::Node clinicians = root["clinicians"];
  if (!clinicians.IsSequence() || clinicians.size() == 0) {
    r.Error(clinicians.IsDefined() ? clinicians : root, "clinicians",
            "expected a non-empty list");
  } else {
    for (size_t i = 0; i < clinicians.size(); ++i) {
      const YAML::Node n = clinicians[i];
      const std::string f = absl::StrCat("clinicians[", i, "]");
      if (!r.Map(n, f, {"id", "display", "visit_types", "weekly"})) continue;
      ClinicianSpec c;
      if (r.String(n, "id", f, true, &c.id) && !ValidId(c.id)) {
        r.Error(n["id"], f + ".id",
                "expected lower-case letters, digits and '-'");
      }
      if (config.FindClinician(c.id) != nullptr) {
        r.Error(n["id"], f + ".id",
                absl::StrCat("duplicate clinician \"", c.id, "\""));
      }
      r.String(n, "display", f, false, &c.display);
      const YAML::Node vt = n["visit_types"];
      if (!vt.IsSequence() || vt.size() == 0) {
        r.Error(vt.IsDefined() ? vt : n, f + ".visit_types",
                "expected a non-empty list");
      } else {
        for (size_t j = 0; j < vt.size(); ++j) {
          const std::string id = vt[j].IsScalar() ? vt[j].Scalar() : "";
          if (config.FindVisitType(id) == nullptr) {
            r.Error(vt[j], absl::StrCat(f, ".visit_types[", j, "]"),
                    absl::StrCat("unknown visit type \"", id, "\""));
          }
          c.visit_types.push_back(id);
        }
      }
      const YAML::Node weekly = n["weekly"];
      if (!weekly.IsSequence()) {
        r.Error(weekly.IsDefined() ? weekly : n, f + ".weekly",
                "expected a list");
      } else {
        for (size_t j = 0; j < weekly.size(); ++j) {
          const std::string wf = absl::StrCat(f, ".weekly[", j, "]");
          if (!r.Map(weekly[j], wf, {"day", "from", "to"})) continue;
          WeeklyBlock b;
          std::string day;
          if (r.String(weekly[j], "day", wf, true, &day) &&
              !ParseWeekday(day, &b.day)) {
            r.Error(weekly[j]["day"], wf + ".day",
                    absl::StrCat("expected a day name like \"monday\", got \"",
                                 day, "\""));
          }
          const bool from_ok =
              r.Clock(weekly[j], "from", wf, true, &b.from_minute);
          const bool to_ok = r.Clock(weekly[j], "to", wf, true, &b.to_minute);
          if (from_ok && to_ok && b.to_minute <= b.from_minute) {
            r.Error(weekly[j], wf, "\"to\" must be after \"from\"");
          }
          for (const WeeklyBlock& other : c.weekly) {
            if (other.day == b.day && b.from_minute < other.to_minute &&
                other.from_minute < b.to_minute) {
              r.Error(weekly[j], wf, "overlaps an earlier block");
              break;
            }
          }
          c.weekly.push_back(b);
        }
      }
      config.clinicians.push_back(std::move(c));
    }
  }

  const YAML::Node holidays = root["holidays"];
  if (holidays.IsDefined() && !holidays.IsNull()) {
    if (!holidays.IsSequence()) {
      r.Error(holidays, "holidays", "expected a list");
    } else {
      for (size_t i = 0; i < holidays.size(); ++i) {
        const std::string f = absl::StrCat("holidays[", i, "]");
        if (!r.Map(holidays[i], f, {"date", "name"})) continue;
        Closure c;
        r.Date(holidays[i], "date", f, &c.date);
        r.String(holidays[i], "name", f, false, &c.reason);
        config.closures.push_back(c);
      }
    }
  }

  const YAML::Node exclusions = root["exclusions"];
  if (exclusions.IsDefined() && !exclusions.IsNull()) {
    if (!exclusions.IsSequence()) {
      r.Error(exclusions, "exclusions", "expected a list");
    } else {
      for (size_t i = 0; i < exclusions.size(); ++i) {
        const YAML::Node n = exclusions[i];
        const std::string f = absl::StrCat("exclusions[", i, "]");
        if (!r.Map(n, f, {"date", "clinician", "from", "to", "reason"})) {
          continue;
        }
        Closure c;
        r.Date(n, "date", f, &c.date);
        if (r.String(n, "clinician", f, false, &c.clinician) &&
            !c.clinician.empty() &&
            config.FindClinician(c.clinician) == nullptr) {
          r.Error(n["clinician"], f + ".clinician",
                  absl::StrCat("unknown clinician \"", c.clinician, "\""));
        }
        const bool has_from = n["from"].IsDefined();
        const bool has_to = n["to"].IsDefined();
        if (has_from != has_to) {
          r.Error(n, f, "give both \"from\" and \"to\", or neither");
        } else if (has_from) {
          r.Clock(n, "from", f, true, &c.from_minute);
          r.Clock(n, "to", f, true, &c.to_minute);
          if (c.to_minute <= c.from_minute) {
            r.Error(n, f, "\"to\" must be after \"from\"");
          }
        }
        r.String(n, "reason", f, false, &c.reason);
        config.closures.push_back(c);
      }
    }
  }

  const YAML::Node bookings = root["bookings"];
  if (bookings.IsDefined() && !bookings.IsNull()) {
    if (!bookings.IsSequence()) {
      r.Error(bookings, "bookings", "expected a list");
    } else {
      std::set<std::string> ids;
      for (size_t i = 0; i < bookings.size(); ++i) {
        const YAML::Node n = bookings[i];
        const std::string f = absl::StrCat("bookings[", i, "]");
        if (!r.Map(n, f,
                   {"id", "clinician", "visit_type", "start", "patient"})) {
          continue;
        }
        SeedBooking b;
        if (r.String(n, "id", f, true, &b.id) &&
            (!ValidId(b.id) || !ids.insert(b.id).second)) {
          r.Error(n["id"], f + ".id",
                  "expected a unique id of lower-case letters, digits and '-'");
        }
        const ClinicianSpec* c = nullptr;
        if (r.String(n, "clinician", f, true, &b.clinician) &&
            (c = config.FindClinician(b.clinician)) == nullptr) {
          r.Error(n["clinician"], f + ".clinician",
                  absl::StrCat("unknown clinician \"", b.clinician, "\""));
        }
        if (r.String(n, "visit_type", f, true, &b.visit_type) &&
            (config.FindVisitType(b.visit_type) == nullptr ||
             (c != nullptr && !c->Offers(b.visit_type)))) {
          r.Error(n["visit_type"], f + ".visit_type",
                  absl::StrCat("\"", b.visit_type,
                               "\" is not a visit type this clinician offers"));
        }
        std::string start;
        if (r.String(n, "start", f, true, &start) &&
            (start.size() != 16 || !absl::ParseCivilTime(start, &b.start) ||
             b.start.minute() % kBlockMinutes != 0)) {
          r.Error(
              n["start"], f + ".start",
              absl::StrCat("expected a local time \"YYYY-MM-DDTHH:MM\" on a ",
                           kBlockMinutes, "-minute boundary"));
        }
        if (r.String(n, "patient", f, true, &b.patient) &&
            !absl::StartsWith(b.patient, "Patient/")) {
          r.Error(n["patient"], f + ".patient",
                  "expected a reference \"Patient/<id>\"");
        }
        config.bookings.push_back(b);
      }
    }
  }

  if (!r.errors().empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(r.errors(), "; "));
  }
  return config;
}

absl::StatusOr<ScheduleConfig> LoadScheduleFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read schedule ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseScheduleYaml(text.str(), path);
}

}  // namespace frontdesk::scheduling
