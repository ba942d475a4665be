// Reading and atomically replacing the owner-only files that hold keys (the
// keyrings and the key-encryption key). Not for use outside libs/phi.
//
// Thread-compatible: plain functions over the file system.
#ifndef FRONTDESK_LIBS_PHI_INTERNAL_OWNER_ONLY_FILE_H_
#define FRONTDESK_LIBS_PHI_INTERNAL_OWNER_ONLY_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace frontdesk::phi::internal {

// The contents of `path`. Errors start with `what` ("keyring file <path>"):
// NOT_FOUND when it does not exist; FAILED_PRECONDITION when it cannot be
// read, is not a regular file, is larger than 1 MiB, or group or others have
// any access to it (mode 600 or 400 is required). Never echoes the contents.
absl::StatusOr<std::string> ReadOwnerOnlyFile(const std::string& path,
                                              absl::string_view what);

// Replaces (or creates) `path` with `contents`, mode 600, atomically: writes
// a temporary file in the same folder, fsyncs it, renames it over `path` and
// fsyncs the folder. A crash leaves either the old file or the new one.
absl::Status WriteOwnerOnlyFileAtomically(const std::string& path,
                                          absl::string_view contents,
                                          absl::string_view what);

}  // namespace frontdesk::phi::internal

#endif  // FRONTDESK_LIBS_PHI_INTERNAL_OWNER_ONLY_FILE_H_
