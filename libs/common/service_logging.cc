#include "libs/common/service_logging.h"

#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace frontdesk {

void InitServiceLogging(const std::string& service) {
  auto logger = spdlog::stderr_logger_mt(service);
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l service=%n %v",
                      spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  spdlog::flush_on(spdlog::level::info);
}

}  // namespace frontdesk
