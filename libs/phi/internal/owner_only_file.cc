#include "libs/phi/internal/owner_only_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace frontdesk::phi::internal {

namespace {

// A keyring of thousands of tenants stays far below this.
constexpr off_t kMaxFileBytes = 1 << 20;

// Closes a file descriptor on every path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string Folder(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::StatusOr<std::string> ReadOwnerOnlyFile(const std::string& path,
                                              absl::string_view what) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::NotFoundError(absl::StrCat(what, ": does not exist"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": cannot be read: ", std::strerror(err)));
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": cannot be read: ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": not a regular file"));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s: group or others have access (mode %03o); make it owner-only "
        "with chmod 600",
        what, st.st_mode & 0777));
  }
  if (st.st_size > kMaxFileBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": larger than ", kMaxFileBytes, " bytes"));
  }
  std::string contents;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": cannot be read: ", std::strerror(errno)));
    }
    contents.append(buf, static_cast<size_t>(n));
    if (contents.size() > static_cast<size_t>(kMaxFileBytes)) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": larger than ", kMaxFileBytes, " bytes"));
    }
  }
  return contents;
}

absl::Status WriteOwnerOnlyFileAtomically(const std::string& path,
                                          absl::string_view contents,
                                          absl::string_view what) {
  std::string tmp = path + ".tmp-XXXXXX";
  Fd fd(mkstemp(tmp.data()));
  if (fd.get() < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, ": cannot create a temporary file: ", std::strerror(errno)));
  }
  auto fail = [&](absl::string_view step) {
    const int err = errno;
    unlink(tmp.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": ", step, ": ", std::strerror(err)));
  };
  if (fchmod(fd.get(), 0600) != 0) return fail("chmod");
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n =
        write(fd.get(), contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) return fail("fsync");
  if (close(fd.release()) != 0) return fail("close");
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  Fd dir(open(Folder(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || fsync(dir.get()) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": written, but its folder could not be synced: ",
                     std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace frontdesk::phi::internal
