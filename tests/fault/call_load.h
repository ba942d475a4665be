// CallLoad: scripted calls kept running against answer over gRPC while the
// fault suite breaks things, with every reply the callers got kept for the
// checks afterwards.
//
// Each caller thread plays the scripted calls of examples/clinic/calls/ (one
// caller turn a line, '#' comments), picked by a seeded generator: StartCall,
// the turns one by one (a short pause between them), EndCall, and again.
// A failed turn does not end the call: after the fallback wording the caller
// goes on with its next line, after a gRPC error it says the same line again
// (until told to stop), so a call in progress either resumes after the fault
// or is ended cleanly. When told to stop, each caller
// ends its current call, retrying EndCall until answer takes it.
//
// Thread-safe.
#ifndef FRONTDESK_TESTS_FAULT_CALL_LOAD_H_
#define FRONTDESK_TESTS_FAULT_CALL_LOAD_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "frontdesk/answer/v1/answer_service.grpc.pb.h"

namespace frontdesk::testing {

// One Turn as the caller saw it.
struct TurnSeen {
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string error;
  frontdesk::answer::v1::TurnResponse response;
  // OK and not the fallback wording: the turn was acknowledged.
  bool acknowledged() const {
    return code == grpc::StatusCode::OK && !response.fallback();
  }
};

// One call as the caller saw it, from an acknowledged StartCall on.
struct CallSeen {
  std::string call_id;
  std::string script;
  std::vector<TurnSeen> turns;
  // EndCall's last status, and how many times it was sent.
  grpc::StatusCode end_code = grpc::StatusCode::UNKNOWN;
  int end_attempts = 0;
};

struct LoadTally {
  int64_t acknowledged_turns = 0;
  int64_t fallback_turns = 0;
  int64_t failed_turns = 0;    // a gRPC error
  int64_t refused_starts = 0;  // StartCall error or fallback
};

class CallLoad {
 public:
  // Reads the scripts from `calls_dir`. INVALID_ARGUMENT names a script that
  // cannot be read or has no turns. Connects to `answer_address` with
  // `credentials`, expecting the server to be `server_identity` (mTLS).
  static absl::StatusOr<std::unique_ptr<CallLoad>> Create(
      std::string answer_address,
      std::shared_ptr<grpc::ChannelCredentials> credentials,
      const std::string& server_identity, std::string tenant,
      const std::string& calls_dir, int callers, uint64_t seed);
  ~CallLoad();

  // Starts the callers. Calls from an earlier Start/Stop are forgotten.
  void Start();
  // Ends each caller's current call and joins them; returns every call with
  // an acknowledged StartCall since Start.
  std::vector<CallSeen> Stop();

  LoadTally tally() const;
  // Waits until `n` more turns are acknowledged than when `since` was taken,
  // up to `limit`; false on timeout.
  bool WaitForAcknowledged(int64_t since, int64_t n, absl::Duration limit);

 private:
  struct Script {
    std::string name;
    std::vector<std::string> turns;
  };
  CallLoad() = default;
  void Caller(int index);
  // Records a finished call.
  void Done(CallSeen call);

  std::string address_;
  std::string tenant_;
  std::vector<Script> scripts_;
  int callers_ = 0;
  uint64_t seed_ = 0;
  uint64_t round_ = 0;
  std::shared_ptr<grpc::Channel> NewChannel() const;

  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string server_identity_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;

  mutable absl::Mutex mu_;
  std::vector<CallSeen> calls_ ABSL_GUARDED_BY(mu_);
  LoadTally tally_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::testing

#endif  // FRONTDESK_TESTS_FAULT_CALL_LOAD_H_
