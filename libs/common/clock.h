// Clock: where every timestamp and deadline in frontdesk comes from.
//
// Production code takes a `Clock*` and never reads the system time itself, so
// tests control time with `FakeClock`.
//
// Example:
//   frontdesk::FakeClock clock(absl::FromUnixSeconds(1800000000));
//   clock.Advance(absl::Minutes(5));
#ifndef FRONTDESK_LIBS_COMMON_CLOCK_H_
#define FRONTDESK_LIBS_COMMON_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace frontdesk {

// A source of the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system's real time.
class RealClock : public Clock {
 public:
  absl::Time Now() const override;
  // A process-wide instance; never destroyed.
  static RealClock* Get();
};

// A clock that moves only when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  void Advance(absl::Duration d);
  void Set(absl::Time t);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk

#endif  // FRONTDESK_LIBS_COMMON_CLOCK_H_
