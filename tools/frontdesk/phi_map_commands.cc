#include "tools/frontdesk/phi_map_commands.h"

#include <fstream>
#include <ostream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "libs/policy/clinic_policy.h"
#include "libs/policy/phi_data_path.h"

ABSL_FLAG(std::string, values, "",
          "phi-map: the Helm values file whose kafka.topics.retentionMs says "
          "how long the topics keep events (default: the services' default)");
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, out);

namespace frontdesk::cli {

int RunPhiMap(const PhiMapOptions& options, std::ostream& out,
              std::ostream& err) {
  const std::string format = options.format.empty() ? "text" : options.format;
  if (format != "text" && format != "html") {
    err << "frontdesk phi-map: --format: \"" << format
        << "\" is not one of: text, html\n";
    return 2;
  }
  if (options.policy_path.empty()) {
    err << "frontdesk phi-map: --policy: required, the clinic policy file\n";
    return 2;
  }
  std::vector<policy::PolicyError> errors;
  absl::StatusOr<policy::ClinicPolicy> p =
      policy::LoadPolicyFile(options.policy_path, &errors);
  if (!p.ok()) {
    err << "frontdesk phi-map: the policy does not load; no report:\n";
    for (const auto& e : errors) err << e.ToString() << "\n";
    return 1;
  }
  policy::TopicRetention retention = policy::DefaultTopicRetention();
  if (!options.values_path.empty()) {
    absl::StatusOr<policy::TopicRetention> r =
        policy::ReadHelmTopicRetention(options.values_path);
    if (!r.ok()) {
      err << "frontdesk phi-map: --values: " << r.status().message() << "\n";
      return 1;
    }
    retention = *r;
  }
  const policy::PhiDataPath path =
      policy::BuildPhiDataPath(*p, options.policy_path, retention);
  const std::string report = format == "html"
                                 ? policy::RenderPhiDataPathHtml(path)
                                 : policy::RenderPhiDataPathText(path);
  if (options.out_path.empty()) {
    out << report;
    return 0;
  }
  std::ofstream file(options.out_path, std::ios::binary | std::ios::trunc);
  file << report;
  file.close();
  if (!file) {
    err << "frontdesk phi-map: --out: cannot write " << options.out_path
        << "\n";
    return 2;
  }
  err << "frontdesk phi-map: wrote " << options.out_path << "\n";
  return 0;
}

int RunPhiMapCli(const std::vector<char*>& args, const std::string& policy_path,
                 std::ostream& out, std::ostream& err) {
  if (args.size() > 2) {
    err << "frontdesk phi-map: unexpected argument \"" << args[2]
        << "\"; usage: frontdesk phi-map --policy FILE [--values FILE] "
           "[--format text|html] [--out FILE]\n";
    return 2;
  }
  PhiMapOptions o;
  o.policy_path = policy_path;
  o.values_path = absl::GetFlag(FLAGS_values);
  o.format = absl::GetFlag(FLAGS_format);
  o.out_path = absl::GetFlag(FLAGS_out);
  return RunPhiMap(o, out, err);
}

}  // namespace frontdesk::cli
