// SPDX-License-Identifier: Apache-2.0
// Dropping root (see run_as.h).
#include "run_as.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace sendguard::milter {

Status DropPrivileges(const MilterSettings& m, const std::vector<std::string>& owned_paths,
                      const std::vector<std::string>& owned_keep_group) {
  if (m.user.empty()) return Status();
  passwd* pw = getpwnam(m.user.c_str());
  if (!pw) return NotFound("no such user: " + m.user);
  gid_t gid = pw->pw_gid;
  if (!m.group.empty()) {
    group* gr = getgrnam(m.group.c_str());
    if (!gr) return NotFound("no such group: " + m.group);
    gid = gr->gr_gid;
  }
  if (getuid() != 0) return Status();  // not root: nothing to drop
  for (const auto& path : owned_paths) {
    if (chown(path.c_str(), pw->pw_uid, gid) != 0) return IoError("cannot chown " + path);
  }
  for (const auto& path : owned_keep_group) {
    if (chown(path.c_str(), pw->pw_uid, static_cast<gid_t>(-1)) != 0) return IoError("cannot chown " + path);
  }
  if (setgid(gid) != 0 || initgroups(m.user.c_str(), gid) != 0 || setuid(pw->pw_uid) != 0) {
    return Internal("cannot drop privileges to " + m.user);
  }
  return Status();
}

}  // namespace sendguard::milter
