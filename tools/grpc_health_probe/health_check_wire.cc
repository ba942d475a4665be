#include "tools/grpc_health_probe/health_check_wire.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace frontdesk::health_probe {

namespace {

constexpr int kWireVarint = 0;
constexpr int kWireFixed64 = 1;
constexpr int kWireLengthDelimited = 2;
constexpr int kWireFixed32 = 5;

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads a varint at *pos and moves *pos past it.
bool ReadVarint(absl::string_view bytes, size_t* pos, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= bytes.size()) return false;
    const auto byte = static_cast<unsigned char>(bytes[(*pos)++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

bool Skip(absl::string_view bytes, size_t* pos, uint64_t count) {
  if (count > bytes.size() - *pos) return false;
  *pos += count;
  return true;
}

}  // namespace

std::string ServingStatusName(ServingStatus status) {
  switch (status) {
    case ServingStatus::kUnknown:
      return "UNKNOWN";
    case ServingStatus::kServing:
      return "SERVING";
    case ServingStatus::kNotServing:
      return "NOT_SERVING";
    case ServingStatus::kServiceUnknown:
      return "SERVICE_UNKNOWN";
  }
  return absl::StrCat("status ", static_cast<int>(status));
}

std::string EncodeHealthCheckRequest(absl::string_view service) {
  std::string out;
  if (service.empty()) return out;
  AppendVarint((1 << 3) | kWireLengthDelimited, &out);
  AppendVarint(service.size(), &out);
  out.append(service.data(), service.size());
  return out;
}

absl::StatusOr<ServingStatus> DecodeHealthCheckResponse(
    absl::string_view bytes) {
  const absl::Status malformed =
      absl::InvalidArgumentError("health response: not a valid message");
  auto status = ServingStatus::kUnknown;
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t tag = 0;
    if (!ReadVarint(bytes, &pos, &tag) || (tag >> 3) == 0) return malformed;
    const uint64_t field = tag >> 3;
    const int wire = static_cast<int>(tag & 7);
    uint64_t value = 0;
    switch (wire) {
      case kWireVarint:
        if (!ReadVarint(bytes, &pos, &value)) return malformed;
        if (field == 1) status = static_cast<ServingStatus>(value);
        break;
      case kWireFixed64:
        if (!Skip(bytes, &pos, 8)) return malformed;
        break;
      case kWireLengthDelimited:
        if (!ReadVarint(bytes, &pos, &value) || !Skip(bytes, &pos, value)) {
          return malformed;
        }
        break;
      case kWireFixed32:
        if (!Skip(bytes, &pos, 4)) return malformed;
        break;
      default:
        return malformed;
    }
  }
  return status;
}

}  // namespace frontdesk::health_probe
