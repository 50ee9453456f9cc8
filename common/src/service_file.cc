// SPDX-License-Identifier: Apache-2.0
// Private service files (see service_file.h).
#include "sendguard/common/service_file.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sendguard::common {

namespace {

std::string OwnerGroup(const struct stat& st) {
  const passwd* pw = getpwuid(st.st_uid);
  const group* gr = getgrgid(st.st_gid);
  return std::string(pw ? pw->pw_name : std::to_string(st.st_uid)) + ":" + (gr ? gr->gr_name : std::to_string(st.st_gid));
}

std::string Mode(const struct stat& st) {
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return mode;
}

// "owner root:sendguard, mode 0640", as the commands say what they made.
std::string Describe(const struct stat& st) { return "owner " + OwnerGroup(st) + ", mode " + Mode(st); }

}  // namespace

std::string OwnerGroupMode(const struct stat& st) { return OwnerGroup(st) + " " + Mode(st); }

Result<std::string> MakeServiceFile(const std::filesystem::path& path, const std::string& service_user, mode_t mode,
                                    FileOwner owner, bool allow_root_fallback, const std::string* content) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return IoError("cannot open " + path.string() + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return IoError(path.string() + " is not a regular file");
  std::string note;
  if (::geteuid() == 0) {
    const passwd* pw = service_user.empty() ? nullptr : ::getpwnam(service_user.c_str());
    if (!pw) {
      if (!allow_root_fallback) {
        return PermissionDenied("no user '" + service_user + "' to give " + path.string() +
                                " to: create it (the package does) or run this as the user the service runs as");
      }
      note = " (no user '" + service_user + "': it stays root's, so the service must run as root)";
    } else {
      const uid_t uid = owner == FileOwner::kService ? pw->pw_uid : 0;
      if (::fchown(fd, uid, pw->pw_gid) != 0) return IoError("cannot chown " + path.string() + ": " + std::strerror(errno));
    }
  } else if (st.st_uid != ::geteuid()) {
    return PermissionDenied(path.string() + " belongs to another user: run this as that user or as root");
  }
  if (::fchmod(fd, mode) != 0) return IoError("cannot chmod " + path.string() + ": " + std::strerror(errno));
  if (content) {
    if (::ftruncate(fd, 0) != 0) return IoError("cannot truncate " + path.string() + ": " + std::strerror(errno));
    for (size_t done = 0; done < content->size();) {
      const ssize_t n = ::write(fd, content->data() + done, content->size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return IoError("cannot write " + path.string() + ": " + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return IoError("cannot sync " + path.string() + ": " + std::strerror(errno));
  }
  if (::fstat(fd, &st) != 0) return IoError("cannot stat " + path.string());
  return path.string() + ": " + Describe(st) + note;
}

}  // namespace sendguard::common
