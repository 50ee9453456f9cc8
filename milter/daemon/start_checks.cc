// Start-time checks for --check-config (see start_checks.h).
#include "start_checks.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "sendguard/common/http_client.h"

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
  if (::stat(path.c_str(), &st) != 0) return "missing";
  const passwd* pw = ::getpwuid(st.st_uid);
  const group* gr = ::getgrgid(st.st_gid);
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return std::string(pw ? pw->pw_name : std::to_string(st.st_uid)) + ":" + (gr ? gr->gr_name : std::to_string(st.st_gid)) +
         " " + mode;
}

// The nearest directory of `path` that exists.
std::string ExistingParent(fs::path path) {
  std::error_code ec;
  while (!path.empty() && !fs::exists(path, ec)) path = path.parent_path();
  return path.empty() ? "." : path.string();
}

}  // namespace

std::vector<StartCheck> CheckStartNeeds(const Config& config) {
  std::vector<StartCheck> out;
  const RunAs who = RunAccount(config.milter);
  const bool starts_as_root = ::geteuid() == 0 && config.milter.user.empty();
  std::error_code ec;
  // The secret: read before privileges are dropped when started as root, but under systemd
  // the unit starts as the run user, so it must be readable by that account.
  if (fs::exists(config.secret_file, ec)) {
    if (!May(who, config.secret_file, 4)) {
      out.push_back({true, "secret_file " + config.secret_file + " (" + OwnerMode(config.secret_file) + ") is not readable by " +
                               who.name + ": chown root:" + (config.milter.group.empty() ? who.name : config.milter.group) +
                               " and chmod 0640 it"});
    } else {
      out.push_back({false, "secret_file " + config.secret_file + " readable by " + who.name + " (" + OwnerMode(config.secret_file) + ")"});
    }
  } else {
    out.push_back({false, "secret_file " + config.secret_file + " is missing: start creates one (0600, owned by the account that "
                              "starts the milter); the package makes it 0640 root:sendguard"});
  }
  // The state directory: made and given to milter.user when started as root; otherwise the run
  // account must be able to write it (or make it).
  const std::string state = fs::exists(config.state_dir, ec) ? config.state_dir : ExistingParent(config.state_dir);
  if (::geteuid() != 0 || starts_as_root) {
    if (!May(who, state, 2)) {
      out.push_back({true, "state_dir " + config.state_dir + ": " + state + " (" + OwnerMode(state) + ") is not writable by " + who.name});
    } else {
      out.push_back({false, "state_dir " + config.state_dir + " writable by " + who.name});
    }
  } else {
    out.push_back({false, "state_dir " + config.state_dir + " is made " + who.name + "'s at start (started as root)"});
  }
  // A unix socket's directory: the socket is made there before privileges are dropped.
  const std::string& sock = config.milter.socket;
  if (sock.rfind("unix:", 0) == 0 || sock.rfind("local:", 0) == 0) {
    const fs::path dir = fs::path(sock.substr(sock.find(':') + 1)).parent_path();
    if (!fs::is_directory(dir, ec)) {
      out.push_back({true, "the milter socket's directory " + dir.string() + " does not exist (Postfix's: "
                                                                               "install -d -o sendguard -g postfix -m 0750 " +
                               dir.string() + ")"});
    } else if (::geteuid() != 0 && !May(who, dir.string(), 2)) {
      out.push_back({true, "the milter socket's directory " + dir.string() + " (" + OwnerMode(dir.string()) +
                               ") is not writable by " + who.name});
    } else {
      out.push_back({false, "the milter socket's directory " + dir.string() + " is usable"});
    }
  }
  // The core: its token readable, the core answering (not fatal: drafts wait in the outbox).
  if (!config.core_url.empty()) {
    if (config.core_token_file.empty()) {
      out.push_back({false, "core_token_file is empty: the core will refuse the milter's drafts (they wait in the outbox)"});
    } else if (!fs::exists(config.core_token_file, ec) || !May(who, config.core_token_file, 4)) {
      out.push_back({false, "core_token_file " + config.core_token_file + " (" + OwnerMode(config.core_token_file) +
                                ") is not readable by " + who.name +
                                ": drafts wait in the outbox and the hold and self-report pages are refused until it is"});
    }
    const auto health = common::Perform({"GET", config.core_url + "/healthz", "", {}, 1000, 2000});
    if (health.status == 200) {
      out.push_back({false, "the core answers at " + config.core_url});
    } else {
      out.push_back({false, "the core does not answer at " + config.core_url + " (" +
                                (health.status ? "HTTP " + std::to_string(health.status) : health.error) +
                                "): handled, drafts wait in the outbox and are sent when it does"});
    }
  }
  return out;
}

}  // namespace sendguard::milter
