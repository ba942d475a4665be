#include "tests/fault/call_load.h"

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;

constexpr absl::Duration kRpcDeadline = absl::Seconds(15);
// Between a reply and the caller's next turn: keeps the log small enough to
// read back in full after every fault.
constexpr absl::Duration kThink = absl::Milliseconds(40);
// After an error, so a caller does not spin while a service is down.
constexpr absl::Duration kBackoff = absl::Milliseconds(150);

void SetDeadline(grpc::ClientContext* ctx) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(kRpcDeadline));
}

}  // namespace

absl::StatusOr<std::unique_ptr<CallLoad>> CallLoad::Create(
    std::string answer_address,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    const std::string& server_identity, std::string tenant,
    const std::string& calls_dir, int callers, uint64_t seed) {
  auto load = std::unique_ptr<CallLoad>(new CallLoad());
  load->address_ = std::move(answer_address);
  load->tenant_ = std::move(tenant);
  load->callers_ = callers;
  load->seed_ = seed;
  std::vector<std::string> names;
  DIR* dir = opendir(calls_dir.c_str());
  if (dir == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("calls_dir: cannot open ", calls_dir));
  }
  while (dirent* e = readdir(dir)) {
    const std::string n = e->d_name;
    if (absl::EndsWith(n, ".txt")) names.push_back(n);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    const std::string path = absl::StrCat(calls_dir, "/", n);
    std::ifstream in(path);
    Script s{std::string(absl::StripSuffix(n, ".txt")), {}};
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view l = absl::StripAsciiWhitespace(line);
      if (l.empty() || l[0] == '#') continue;
      s.turns.emplace_back(l);
    }
    if (s.turns.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no caller turns"));
    }
    load->scripts_.push_back(std::move(s));
  }
  if (load->scripts_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("calls_dir: no scripts in ", calls_dir));
  }
  load->credentials_ = std::move(credentials);
  load->server_identity_ = server_identity;
  return load;
}

std::shared_ptr<grpc::Channel> CallLoad::NewChannel() const {
  // A connection of its own (no subchannel shared with other channels), so
  // a caller that saw answer go away reconnects at once with a new channel
  // instead of waiting out gRPC's reconnect backoff.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  if (!server_identity_.empty())
    args.SetSslTargetNameOverride(server_identity_);
  return grpc::CreateCustomChannel(address_, credentials_, args);
}

CallLoad::~CallLoad() { (void)Stop(); }

void CallLoad::Start() {
  (void)Stop();
  {
    absl::MutexLock lock(&mu_);
    calls_.clear();
  }
  stop_ = false;
  ++round_;
  for (int i = 0; i < callers_; ++i) {
    threads_.emplace_back([this, i] { Caller(i); });
  }
}

std::vector<CallSeen> CallLoad::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  absl::MutexLock lock(&mu_);
  return calls_;
}

LoadTally CallLoad::tally() const {
  absl::MutexLock lock(&mu_);
  return tally_;
}

bool CallLoad::WaitForAcknowledged(int64_t since, int64_t n,
                                   absl::Duration limit) {
  auto enough = [&]() { return tally_.acknowledged_turns >= since + n; };
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&enough), limit);
}

void CallLoad::Done(CallSeen call) {
  absl::MutexLock lock(&mu_);
  calls_.push_back(std::move(call));
}

void CallLoad::Caller(int index) {
  auto stub = av::Answer::NewStub(NewChannel());
  // After answer was unreachable, a new connection.
  auto reconnect_if_gone = [&](const grpc::Status& s) {
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
        s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      stub = av::Answer::NewStub(NewChannel());
    }
  };
  std::mt19937_64 rng(seed_ * 1000003 + round_ * 1009 + index);
  while (!stop_) {
    const Script& script = scripts_[rng() % scripts_.size()];
    CallSeen call;
    call.script = script.name;
    {
      av::StartCallRequest req;
      req.set_tenant_id(tenant_);
      req.set_channel(av::CHANNEL_VOICE);
      req.set_direction(av::DIRECTION_INBOUND);
      req.set_reason(av::CALL_REASON_AFTER_HOURS);
      av::StartCallResponse resp;
      grpc::ClientContext ctx;
      SetDeadline(&ctx);
      const grpc::Status s = stub->StartCall(&ctx, req, &resp);
      if (!s.ok() || resp.fallback() || resp.call_id().empty()) {
        absl::MutexLock lock(&mu_);
        ++tally_.refused_starts;
      }
      if (!s.ok() || resp.call_id().empty()) {
        reconnect_if_gone(s);
        absl::SleepFor(kBackoff);
        continue;
      }
      call.call_id = resp.call_id();
    }
    for (size_t line = 0; line < script.turns.size() && !stop_;) {
      const std::string& words = script.turns[line];
      av::TurnRequest req;
      req.set_call_id(call.call_id);
      req.set_utterance(words);
      TurnSeen seen;
      grpc::ClientContext ctx;
      SetDeadline(&ctx);
      const grpc::Status s = stub->Turn(&ctx, req, &seen.response);
      seen.code = s.error_code();
      seen.error = s.error_message();
      const bool over = s.ok() && seen.response.call_over();
      const bool gone = seen.code == grpc::StatusCode::NOT_FOUND ||
                        seen.code == grpc::StatusCode::FAILED_PRECONDITION;
      {
        absl::MutexLock lock(&mu_);
        if (seen.acknowledged()) {
          ++tally_.acknowledged_turns;
        } else if (s.ok()) {
          ++tally_.fallback_turns;
        } else {
          ++tally_.failed_turns;
        }
      }
      const bool failed = !s.ok();
      reconnect_if_gone(s);
      call.turns.push_back(std::move(seen));
      if (over || gone) break;
      // After a gRPC error the caller says it again (answer may be coming
      // back); after a reply, even the fallback wording, it goes on.
      if (!failed) ++line;
      absl::SleepFor(failed ? kBackoff : kThink);
    }
    // End the call; while answer or the broker is down, keep trying (the
    // suite stops the load only after the fault is over).
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      av::EndCallRequest req;
      req.set_call_id(call.call_id);
      av::EndCallResponse resp;
      grpc::ClientContext ctx;
      SetDeadline(&ctx);
      const grpc::Status s = stub->EndCall(&ctx, req, &resp);
      call.end_code = s.error_code();
      ++call.end_attempts;
      reconnect_if_gone(s);
      if (s.ok() || s.error_code() == grpc::StatusCode::NOT_FOUND ||
          s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
        break;
      }
      absl::SleepFor(kBackoff);
    }
    Done(std::move(call));
  }
}

}  // namespace frontdesk::testing
