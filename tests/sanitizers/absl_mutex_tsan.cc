// ThreadSanitizer annotations for Debian's (uninstrumented) absl::Mutex.
//
// Debian builds Abseil without -fsanitize=thread, so TSan does not see
// absl::Mutex lock and unlock: every field guarded by one would be reported
// as a data race. This file, linked only into -DFRONTDESK_SANITIZE=thread
// builds, defines the absl::Mutex entry points frontdesk calls. Each one
// calls Abseil's own definition (found with dlsym(RTLD_NEXT)) and tells TSan
// what happened with the __tsan_mutex_* annotations, which is what Abseil
// itself does when it is built with TSan.
//
// Await* release the mutex while waiting and hold it again on return; they
// are annotated as an unlock before and a lock after. Abseil calls some of
// these from one another (AwaitWithTimeout calls AwaitWithDeadline), which
// then land here too: only the outermost call on a thread is annotated.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#define FRONTDESK_STR2(x) #x
#define FRONTDESK_STR(x) FRONTDESK_STR2(x)

namespace {

// The Itanium-mangled name of absl::<inline namespace>::<rest>.
void* Real(const char* rest) {
  const std::string ns = FRONTDESK_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  const std::string name =
      "_ZN4absl" + std::to_string(ns.size()) + ns + rest;
  void* f = dlsym(RTLD_NEXT, name.c_str());
  if (f == nullptr) {
    std::fprintf(stderr, "absl_mutex_tsan: %s not found\n", name.c_str());
    std::abort();
  }
  return f;
}

template <typename F>
F Lookup(const char* rest) {
  return reinterpret_cast<F>(Real(rest));
}

// How many of the functions below this thread is inside.
thread_local int depth = 0;

// Marks one call; `outermost()` is true when no other is in progress.
class Call {
 public:
  Call() { ++depth; }
  ~Call() { --depth; }
  bool outermost() const { return depth == 1; }
};

void AnnotateLock(const Call& call, void* mu, unsigned flags) {
  if (!call.outermost()) return;
  __tsan_mutex_pre_lock(mu, flags);
  __tsan_mutex_post_lock(mu, flags, 0);
}

void AnnotateUnlock(const Call& call, void* mu, unsigned flags) {
  if (!call.outermost()) return;
  __tsan_mutex_pre_unlock(mu, flags);
  __tsan_mutex_post_unlock(mu, flags);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex4LockEv");
  const Call call;
  real(this);
  AnnotateLock(call, this, 0);
}

void Mutex::Unlock() {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex6UnlockEv");
  const Call call;
  AnnotateUnlock(call, this, 0);
  real(this);
}

bool Mutex::TryLock() {
  static auto real = Lookup<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  const Call call;
  const bool locked = real(this);
  if (locked) AnnotateLock(call, this, __tsan_mutex_try_lock);
  return locked;
}

void Mutex::ReaderLock() {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  const Call call;
  real(this);
  AnnotateLock(call, this, __tsan_mutex_read_lock);
}

void Mutex::ReaderUnlock() {
  static auto real = Lookup<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  const Call call;
  AnnotateUnlock(call, this, __tsan_mutex_read_lock);
  real(this);
}

void Mutex::Await(const Condition& cond) {
  static auto real = Lookup<void (*)(Mutex*, const Condition&)>(
      "5Mutex5AwaitERKNS0_9ConditionE");
  const Call call;
  AnnotateUnlock(call, this, 0);
  real(this, cond);
  AnnotateLock(call, this, 0);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  static auto real =
      Lookup<bool (*)(Mutex*, const Condition&, absl::Duration)>(
          "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const Call call;
  AnnotateUnlock(call, this, 0);
  const bool met = real(this, cond, timeout);
  AnnotateLock(call, this, 0);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  static auto real = Lookup<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const Call call;
  AnnotateUnlock(call, this, 0);
  const bool met = real(this, cond, deadline);
  AnnotateLock(call, this, 0);
  return met;
}

ABSL_NAMESPACE_END
}  // namespace absl
