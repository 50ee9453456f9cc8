// SPDX-License-Identifier: Apache-2.0
// Start-time checks for --check-config (see start_checks.h).
#include "start_checks.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "sendguard/ocr/ocr.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/key_ring.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/service_file.h"

namespace sendguard::milter {
namespace {

namespace fs = std::filesystem;

// The account start runs as: its uid, its groups and its name.
struct RunAs {
  uid_t uid = 0;
  std::vector<gid_t> groups;
  std::string name;
};

RunAs RunAccount(const MilterSettings& m) {
  RunAs r;
  const passwd* pw = nullptr;
  if (::geteuid() == 0 && !m.user.empty()) pw = ::getpwnam(m.user.c_str());
  if (!pw) pw = ::getpwuid(::geteuid());
  if (!pw) {
    r.uid = ::geteuid();
    r.groups = {::getegid()};
    r.name = "uid " + std::to_string(r.uid);
    return r;
  }
  r.uid = pw->pw_uid;
  r.name = pw->pw_name;
  gid_t primary = pw->pw_gid;
  if (::geteuid() == 0 && !m.group.empty()) {
    if (const group* g = ::getgrnam(m.group.c_str())) primary = g->gr_gid;
  }
  int n = 64;
  r.groups.resize(static_cast<size_t>(n));
  if (::getgrouplist(pw->pw_name, primary, r.groups.data(), &n) < 0) {
    r.groups.resize(static_cast<size_t>(n));
    ::getgrouplist(pw->pw_name, primary, r.groups.data(), &n);
  }
  r.groups.resize(static_cast<size_t>(std::max(n, 0)));
  return r;
}

// Whether `who` may read (mode bits 4) or write (2) `path`, by its owner, group and mode.
bool May(const RunAs& who, const std::string& path, unsigned bit) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  if (who.uid == 0) return true;
  if (st.st_uid == who.uid) return st.st_mode & (bit << 6);
  for (gid_t g : who.groups) {
    if (st.st_gid == g) return st.st_mode & (bit << 3);
  }
  return st.st_mode & bit;
}

std::string OwnerMode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? common::OwnerGroupMode(st) : "missing";
}

// The nearest directory of `path` that exists.
std::string ExistingParent(fs::path path) {
  std::error_code ec;
  while (!path.empty() && !fs::exists(path, ec)) path = path.parent_path();
  return path.empty() ? "." : path.string();
}

std::string GroupName(gid_t gid) {
  const group* g = ::getgrgid(gid);
  return g ? g->gr_name : std::to_string(gid);
}

// The group a unix socket made in a directory gets: the directory's own when it is setgid
// (the daemon keeps it when it gives the socket to milter.user: that is how the MTA's group
// connects without joining sendguard's), else the group the daemon runs as.
gid_t SocketGroup(const MilterSettings& m, const struct stat& dir) {
  if (dir.st_mode & S_ISGID) return dir.st_gid;
  if (::geteuid() == 0 && !m.user.empty()) {
    if (!m.group.empty()) {
      if (const group* g = ::getgrnam(m.group.c_str())) return g->gr_gid;
    }
    if (const passwd* pw = ::getpwnam(m.user.c_str())) return pw->pw_gid;
  }
  return ::getegid();
}

}  // namespace

const char* StartCheckLabel(StartCheck::Level level) {
  switch (level) {
    case StartCheck::Level::kOk: return "ok:";
    case StartCheck::Level::kWarning: return "WARNING:";
    case StartCheck::Level::kProblem: return "PROBLEM:";
  }
  return "PROBLEM:";
}

std::vector<StartCheck> CheckStartNeeds(const Config& config) {
  using Level = StartCheck::Level;
  std::vector<StartCheck> out;
  const MilterSettings& m = config.milter;
  // The account to drop to must exist, whoever starts the daemon (start refuses "no such user").
  if (!m.user.empty() && !::getpwnam(m.user.c_str())) {
    out.push_back({Level::kProblem, "milter.user " + m.user + " does not exist (the package creates sendguard)"});
  }
  if (!m.user.empty() && !m.group.empty() && !::getgrnam(m.group.c_str())) {
    out.push_back({Level::kProblem, "milter.group " + m.group + " does not exist"});
  }
  const RunAs who = RunAccount(m);
  const bool starts_as_root = ::geteuid() == 0 && m.user.empty();
  std::error_code ec;
  // The secret: read before privileges are dropped when started as root, but under systemd
  // the unit starts as the run user, so it must be readable by that account.
  if (fs::exists(config.secret_file, ec)) {
    if (!May(who, config.secret_file, 4)) {
      out.push_back({Level::kProblem, "secret_file " + config.secret_file + " (" + OwnerMode(config.secret_file) +
                                          ") is not readable by " + who.name + ": chown root:" +
                                          (m.group.empty() ? who.name : m.group) + " and chmod 0640 it"});
    } else if (auto secret = common::ReadSecretFile(config.secret_file); !secret.ok() && ::access(config.secret_file.c_str(), R_OK) == 0) {
      out.push_back({Level::kProblem, secret.status().message()});  // a damaged key ring: FILE:LINE: reason
    } else {
      std::string keys;
      if (secret.ok()) {
        if (auto ring = common::ParseKeyRing(*secret); ring.ok() && ring->keys.size() > 1) {
          keys = "; key ring: " + ring->SigningId() + " signs, " + std::to_string(ring->keys.size() - 1) + " more verify";
        }
      }
      out.push_back({Level::kOk, "secret_file " + config.secret_file + " readable by " + who.name + " (" +
                                     OwnerMode(config.secret_file) + ")" + keys});
    }
  } else {
    out.push_back({Level::kOk, "secret_file " + config.secret_file + " is missing: start creates one (0600, owned by the "
                                   "account that starts the milter); the package makes it 0640 root:sendguard"});
  }
  // The state directory: made and given to milter.user when started as root; otherwise the run
  // account must be able to write it (or make it).
  const std::string state = fs::exists(config.state_dir, ec) ? config.state_dir : ExistingParent(config.state_dir);
  if (::geteuid() != 0 || starts_as_root) {
    if (!May(who, state, 2)) {
      out.push_back({Level::kProblem, "state_dir " + config.state_dir + ": " + state + " (" + OwnerMode(state) +
                                          ") is not writable by " + who.name});
    } else {
      out.push_back({Level::kOk, "state_dir " + config.state_dir + " writable by " + who.name});
    }
  } else {
    out.push_back({Level::kOk, "state_dir " + config.state_dir + " is made " + who.name + "'s at start (started as root)"});
  }
  // A unix socket's directory: the socket is made there before privileges are dropped, and
  // the MTA connects through the socket's group.
  const std::string& sock = m.socket;
  if (sock.rfind("unix:", 0) == 0 || sock.rfind("local:", 0) == 0) {
    const fs::path dir = fs::path(sock.substr(sock.find(':') + 1)).parent_path();
    struct stat dir_st {};
    if (!fs::is_directory(dir, ec) || ::stat(dir.c_str(), &dir_st) != 0) {
      out.push_back({Level::kProblem, "the milter socket's directory " + dir.string() +
                                          " does not exist (beside Postfix: install -d -o sendguard -g postfix -m 2750 " +
                                          dir.string() + ")"});
    } else if (::geteuid() != 0 && !May(who, dir.string(), 2)) {
      out.push_back({Level::kProblem, "the milter socket's directory " + dir.string() + " (" + OwnerMode(dir.string()) +
                                          ") is not writable by " + who.name});
    } else {
      const gid_t socket_group = SocketGroup(m, dir_st);
      out.push_back({Level::kOk, "the milter socket's directory " + dir.string() + " (" + OwnerMode(dir.string()) +
                                     ") is usable; the socket gets group " + GroupName(socket_group) + ", mode " +
                                     m.socket_mode});
      // Whoever may connect through that group must not read the secret with it.
      struct stat secret_st {};
      if (socket_group != 0 && ::stat(config.secret_file.c_str(), &secret_st) == 0 && secret_st.st_gid == socket_group &&
          (secret_st.st_mode & S_IRGRP)) {
        out.push_back({Level::kWarning, "group " + GroupName(socket_group) +
                                            ", which connects to the milter socket, can also read secret_file " +
                                            config.secret_file + ": make the socket's directory setgid to the MTA's "
                                            "group instead (chgrp postfix DIR; chmod 2750 DIR; see docs/OPERATIONS.md)"});
      }
    }
  }
  // The core: its token readable, the core answering (not fatal: drafts wait in the outbox).
  if (!config.core_url.empty()) {
    if (config.core_token_file.empty()) {
      out.push_back({Level::kWarning, "core_token_file is empty: the core will refuse the milter's drafts (they wait in the outbox)"});
    } else if (!fs::exists(config.core_token_file, ec) || !May(who, config.core_token_file, 4)) {
      out.push_back({Level::kWarning, "core_token_file " + config.core_token_file + " (" + OwnerMode(config.core_token_file) +
                                          ") is not readable by " + who.name +
                                          ": drafts wait in the outbox and the hold and self-report pages are refused until it is"});
    } else {
      out.push_back({Level::kOk, "core_token_file " + config.core_token_file + " readable by " + who.name + " (" +
                                     OwnerMode(config.core_token_file) + ")"});
    }
    const auto health = common::Perform({"GET", config.core_url + "/healthz", "", {}, 1000, 2000});
    if (health.status == 200) {
      out.push_back({Level::kOk, "the core answers at " + config.core_url});
    } else {
      out.push_back({Level::kWarning, "the core does not answer at " + config.core_url + " (" +
                                          (health.status ? "HTTP " + std::to_string(health.status) : health.error) +
                                          "): handled, drafts wait in the outbox and are sent when it does"});
    }
  }
  // sendguard-desk: the staff pages of hold-and-confirm reach held messages only through it.
  if (config.desk_listen.empty() && config.warn_mode == WarnMode::kHoldAndConfirm) {
    out.push_back({Level::kWarning, "warn.mode is hold_and_confirm but desk_listen is empty: sendguard-desk does not start, so "
                                    "held messages can be neither sent nor cancelled by their senders (they expire)"});
  } else if (!config.desk_listen.empty() && config.desk_listen.rfind("127.", 0) != 0 && config.desk_listen.rfind("[::1]", 0) != 0 &&
             config.desk_listen.rfind("localhost:", 0) != 0) {
    out.push_back({Level::kOk, "desk_listen " + config.desk_listen + " is not loopback: only the core's hosts may reach it "
                               "(a firewall rule; the gateway's token is its only credential)"});
  }
  const scanner::OcrOptions& o = config.ocr;
  if (o.mode != scanner::OcrMode::kOff) {
    std::string why;
    if (ocr::LanguagesAvailable({o.languages, o.tessdata_dir, o.cache_bytes}, &why)) {
      out.push_back({Level::kOk, std::string("OCR reads ") +
                                     (o.mode == scanner::OcrMode::kAll ? "attachments and inline pictures" : "attachments") +
                                     " in " + o.languages});
    } else {
      out.push_back({Level::kProblem, "ocr.languages " + o.languages + ": " + why +
                                          "; pictures would be marked incomplete (ocr_unavailable)"});
    }
  }
  return out;
}

}  // namespace sendguard::milter
