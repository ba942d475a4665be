// Reads a YAML document into a protobuf message, strictly, by reflection.
// Not for use outside libs/policy.
//
// Keys are field names; enum values are their lower-case names without the
// enum's prefix (LANE_AI_OWNED is `ai_owned`). An unknown key, a value of the
// wrong type, an unknown enum value or a repeated key is an error that names
// the path and the expected shape. Every error is kept, with its line and
// column; so is the position of every path that was read, for later checks.
#ifndef FRONTDESK_LIBS_POLICY_INTERNAL_YAML_PROTO_READER_H_
#define FRONTDESK_LIBS_POLICY_INTERNAL_YAML_PROTO_READER_H_

#include <map>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "yaml-cpp/yaml.h"

namespace frontdesk::policy::internal {

// A place in the source, 1-based; 0 when unknown.
struct Position {
  int line = 0;
  int column = 0;
};

struct SourceError {
  Position at;
  std::string message;
};

class YamlProtoReader {
 public:
  // Reads `node` into `message`, appending to errors(). Returns false when
  // any error was found.
  bool Read(const YAML::Node& node, google::protobuf::Message* message);

  const std::vector<SourceError>& errors() const { return errors_; }
  // Where each path ("queues[0].id") was read.
  const std::map<std::string, Position>& positions() const {
    return positions_;
  }

  // The position of `path`, or of its nearest ancestor that was read.
  Position Find(const std::string& path) const;

  // The name an enum value takes in YAML.
  static std::string EnumValueName(
      const google::protobuf::EnumValueDescriptor* v);

 private:
  void ReadMessage(const YAML::Node& node, const std::string& path,
                   google::protobuf::Message* message);
  void ReadField(const YAML::Node& node, const std::string& path,
                 google::protobuf::Message* message,
                 const google::protobuf::FieldDescriptor* field);
  void ReadScalar(const YAML::Node& node, const std::string& path,
                  google::protobuf::Message* message,
                  const google::protobuf::FieldDescriptor* field,
                  bool repeated);
  void Error(const YAML::Node& node, std::string message);
  void Mark(const YAML::Node& node, const std::string& path);

  std::vector<SourceError> errors_;
  std::map<std::string, Position> positions_;
};

}  // namespace frontdesk::policy::internal

#endif  // FRONTDESK_LIBS_POLICY_INTERNAL_YAML_PROTO_READER_H_
