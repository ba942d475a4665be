#include "tools/grpc_health_probe/health_check_wire.h"

#include <string>

#include "gtest/gtest.h"

namespace frontdesk::health_probe {
namespace {

TEST(HealthCheckWireTest, EmptyServiceIsAnEmptyMessage) {
  EXPECT_EQ(EncodeHealthCheckRequest(""), "");
}

TEST(HealthCheckWireTest, NamedServiceIsFieldOne) {
  EXPECT_EQ(EncodeHealthCheckRequest("ab"), std::string("\x0a\x02"
                                                        "ab",
                                                        4));
}

TEST(HealthCheckWireTest, ReadsEachStatus) {
  EXPECT_EQ(*DecodeHealthCheckResponse(std::string("\x08\x01", 2)),
            ServingStatus::kServing);
  EXPECT_EQ(*DecodeHealthCheckResponse(std::string("\x08\x02", 2)),
            ServingStatus::kNotServing);
  EXPECT_EQ(*DecodeHealthCheckResponse(std::string("\x08\x03", 2)),
            ServingStatus::kServiceUnknown);
}

TEST(HealthCheckWireTest, MissingStatusIsUnknown) {
  EXPECT_EQ(*DecodeHealthCheckResponse(""), ServingStatus::kUnknown);
}

TEST(HealthCheckWireTest, SkipsUnknownFields) {
  // field 2 (length-delimited "xy"), field 3 (fixed32), then status SERVING.
  const std::string bytes("\x12\x02xy\x1d\x00\x00\x00\x00\x08\x01", 11);
  EXPECT_EQ(*DecodeHealthCheckResponse(bytes), ServingStatus::kServing);
}

TEST(HealthCheckWireTest, RefusesTruncatedBytes) {
  EXPECT_FALSE(DecodeHealthCheckResponse(std::string("\x08", 1)).ok());
  EXPECT_FALSE(DecodeHealthCheckResponse(std::string("\x12\x05xy", 4)).ok());
  EXPECT_FALSE(DecodeHealthCheckResponse(std::string("\x00\x01", 2)).ok());
}

TEST(HealthCheckWireTest, NamesStatuses) {
  EXPECT_EQ(ServingStatusName(ServingStatus::kServing), "SERVING");
  EXPECT_EQ(ServingStatusName(static_cast<ServingStatus>(9)), "status 9");
}

}  // namespace
}  // namespace frontdesk::health_probe
