// WebDriver: a real headless browser for tests of web pages. It runs
// chromedriver as a child process and speaks the W3C WebDriver protocol
// (JSON over HTTP) to it, one session, Chromium in headless mode.
//
// Example:
//   auto browser = WebDriver::Start({.work_dir = dept->dir()});
//   ASSERT_TRUE(browser.ok()) << browser.status();
//   ASSERT_TRUE((*browser)->Navigate("http://127.0.0.1:9180/").ok());
//   auto button = (*browser)->Find("#open");
//   ASSERT_TRUE((*browser)->Click(*button).ok());
//   auto png = (*browser)->Screenshot();
//
// Not thread-safe: one test thread drives it.
#ifndef FRONTDESK_TESTS_INTEGRATION_WEB_DRIVER_H_
#define FRONTDESK_TESTS_INTEGRATION_WEB_DRIVER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace httplib {
class Client;
}  // namespace httplib

namespace frontdesk::testing {

// Debian's chromium and chromium-driver packages.
inline constexpr char kChromiumBinary[] = "/usr/bin/chromium";
inline constexpr char kChromedriverBinary[] = "/usr/bin/chromedriver";

struct WebDriverOptions {
  std::string browser = kChromiumBinary;
  std::string driver = kChromedriverBinary;
  // Gets the browser profile and chromedriver.log.
  std::string work_dir;
  int width = 1400;
  int height = 1000;
};

class WebDriver {
 public:
  // Starts chromedriver on a free loopback port and opens a session with a
  // headless browser. FAILED_PRECONDITION naming the Debian packages when a
  // binary is missing.
  static absl::StatusOr<std::unique_ptr<WebDriver>> Start(
      const WebDriverOptions& options);
  // Ends the session (the browser quits) and stops chromedriver.
  ~WebDriver();

  absl::Status Navigate(const std::string& url);
  // Runs `script`, the body of a function (`arguments` holds `args`), in the
  // page and returns what it returns.
  absl::StatusOr<nlohmann::json> Execute(
      const std::string& script,
      const nlohmann::json& args = nlohmann::json::array());
  // Polls `script` until it returns true; DEADLINE_EXCEEDED after `timeout`.
  absl::Status WaitUntil(const std::string& script, absl::Duration timeout);
  // The element the CSS selector finds first (its WebDriver reference).
  absl::StatusOr<std::string> Find(const std::string& css);
  absl::Status Click(const std::string& element);
  // Types `text` into the element, as keystrokes.
  absl::Status Type(const std::string& element, const std::string& text);
  // A PNG of the viewport.
  absl::StatusOr<std::string> Screenshot();

 private:
  WebDriver() = default;
  // A WebDriver command; returns the response's "value".
  absl::StatusOr<nlohmann::json> Command(const std::string& method,
                                         const std::string& path,
                                         const nlohmann::json& body);

  pid_t pid_ = -1;
  std::unique_ptr<httplib::Client> client_;
  std::string session_;
};

}  // namespace frontdesk::testing

#endif  // FRONTDESK_TESTS_INTEGRATION_WEB_DRIVER_H_
