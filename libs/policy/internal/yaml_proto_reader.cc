#include "libs/policy/internal/yaml_proto_reader.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/input_limits.h"

namespace frontdesk::policy::internal {

namespace pb = ::google::protobuf;

namespace {

std::string EnumPrefix(const pb::EnumDescriptor* e) {
  // Every frontdesk enum has FOO_UNSPECIFIED = 0; the prefix is "FOO_".
  const std::string zero = e->value(0)->name();
  const std::string suffix = "UNSPECIFIED";
  if (absl::EndsWith(zero, suffix))
    return zero.substr(0, zero.size() - suffix.size());
  return "";
}

const char* TypeName(const pb::FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return "a string";
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return "true or false";
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return "one of the listed values";
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return "a mapping";
    default:
      return "a whole number";
  }
}

}  // namespace

std::string YamlProtoReader::EnumValueName(const pb::EnumValueDescriptor* v) {
  return absl::AsciiStrToLower(v->name().substr(EnumPrefix(v->type()).size()));
}

void YamlProtoReader::Error(const YAML::Node& node, std::string message) {
  Position p;
  if (node.IsDefined()) {
    const YAML::Mark m = node.Mark();
    if (!m.is_null()) p = {m.line + 1, m.column + 1};
  }
  errors_.push_back({p, std::move(message)});
}

void YamlProtoReader::Mark(const YAML::Node& node, const std::string& path) {
  const YAML::Mark m = node.Mark();
  if (!m.is_null()) positions_[path] = {m.line + 1, m.column + 1};
}

Position YamlProtoReader::Find(const std::string& path) const {
  std::string p = path;
  while (true) {
    auto it = positions_.find(p);
    if (it != positions_.end()) return it->second;
    const size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) break;
    p = p.substr(0, cut);
  }
  auto root = positions_.find("");
  return root == positions_.end() ? Position{} : root->second;
}

bool YamlProtoReader::Read(const YAML::Node& node, pb::Message* message) {
  const size_t before = errors_.size();
  if (!node.IsMap()) {
    Error(node, "the policy: expected a mapping of keys");
    return false;
  }
  ReadMessage(node, "", message);
  return errors_.size() == before;
}

void YamlProtoReader::ReadMessage(const YAML::Node& node,
                                  const std::string& path,
                                  pb::Message* message) {
  Mark(node, path);
  const std::string where = path.empty() ? "the policy" : path;
  if (!node.IsMap()) {
    Error(node, absl::StrCat(where, ": expected a mapping"));
    return;
  }
  const pb::Descriptor* d = message->GetDescriptor();
  std::set<std::string> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      Error(kv.first, absl::StrCat(where, ": keys must be plain words"));
      continue;
    }
    const std::string key = kv.first.as<std::string>();
    const std::string child = path.empty() ? key : absl::StrCat(path, ".", key);
    const pb::FieldDescriptor* f = d->FindFieldByName(key);
    if (f == nullptr) {
      std::vector<std::string> names;
      for (int i = 0; i < d->field_count(); ++i)
        names.push_back(d->field(i)->name());
      Error(kv.first,
            absl::StrCat(where, ": unknown key \"", key,
                         "\"; expected one of: ", absl::StrJoin(names, ", ")));
      continue;
    }
    if (!seen.insert(key).second) {
      Error(kv.first, absl::StrCat(child, ": key given twice"));
      continue;
    }
    // Scalars are placed at their value, everything else at its key.
    Mark(kv.second.IsScalar() ? kv.second : kv.first, child);
    ReadField(kv.second, child, message, f);
  }
}

void YamlProtoReader::ReadField(const YAML::Node& node, const std::string& path,
                                pb::Message* message,
                                const pb::FieldDescriptor* field) {
  if (node.IsNull()) {
    Error(node,
          absl::StrCat(path, ": has no value; expected ",
                       field->is_repeated() ? "a list" : TypeName(field)));
    return;
  }
  if (field->is_repeated()) {
    if (!node.IsSequence()) {
      Error(node, absl::StrCat(path, ": expected a list"));
      return;
    }
    const pb::Reflection* r = message->GetReflection();
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string item = absl::StrCat(path, "[", i, "]");
      if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
        ReadMessage(node[i], item, r->AddMessage(message, field));
      } else {
        Mark(node[i], item);
        ReadScalar(node[i], item, message, field, true);
      }
    }
    return;
  }
  if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    ReadMessage(node, path,
                message->GetReflection()->MutableMessage(message, field));
    return;
  }
  ReadScalar(node, path, message, field, false);
}

void YamlProtoReader::ReadScalar(const YAML::Node& node,
                                 const std::string& path, pb::Message* message,
                                 const pb::FieldDescriptor* field,
                                 bool repeated) {
  if (!node.IsScalar()) {
    Error(node, absl::StrCat(path, ": expected ", TypeName(field)));
    return;
  }
  const pb::Reflection* r = message->GetReflection();
  const std::string text = node.Scalar();
  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      if (!IsValidUtf8(text)) {
        Error(node, absl::StrCat(path, ": not valid UTF-8"));
        return;
      }
      repeated ? r->AddString(message, field, text)
               : r->SetString(message, field, text);
      return;
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      bool v = false;
      if (!YAML::convert<bool>::decode(node, v)) {
        Error(node, absl::StrCat(path, ": expected true or false, found \"",
                                 text, "\""));
        return;
      }
      repeated ? r->AddBool(message, field, v) : r->SetBool(message, field, v);
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = 0;
      if (!YAML::convert<uint32_t>::decode(node, v) ||
          absl::StartsWith(text, "-")) {
        Error(node, absl::StrCat(path, ": expected a whole number, found \"",
                                 text, "\""));
        return;
      }
      repeated ? r->AddUInt32(message, field, v)
               : r->SetUInt32(message, field, v);
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumDescriptor* e = field->enum_type();
      std::vector<std::string> names;
      for (int i = 1; i < e->value_count(); ++i) {
        const std::string name = EnumValueName(e->value(i));
        if (name == text) {
          repeated ? r->AddEnumValue(message, field, e->value(i)->number())
                   : r->SetEnumValue(message, field, e->value(i)->number());
          return;
        }
        names.push_back(name);
      }
      Error(node, absl::StrCat(path, ": \"", text, "\" is not one of: ",
                               absl::StrJoin(names, ", ")));
      return;
    }
    default:
      Error(node, absl::StrCat(path, ": unsupported field type"));
      return;
  }
}

}  // namespace frontdesk::policy::internal
