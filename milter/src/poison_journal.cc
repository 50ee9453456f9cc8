// SPDX-License-Identifier: Apache-2.0
// The poison journal (see poison_journal.h). The file is text, one record a line:
//   sendguard-poison-journal 1        first line
//   C <digest> <crashes> <seen>       a crash count (written when the file is rewritten)
//   B <digest>                        a scan began (written before the scan)
//   E <digest>                        it ended
// Neither is flushed to disk: a process that dies keeps what it wrote (the kernel has it), and a
// power loss or kernel crash is no message's fault, so it should count no crash.
// Read in order, a B with no E after it is a scan the process did not live to finish. A line
// cut short by a power loss is ignored.
#include "sendguard/milter/poison_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sendguard/common/text.h"

namespace sendguard::milter {

namespace {

constexpr const char* kHeader = "sendguard-poison-journal 1";

// What PoisonDigest::Finish makes: 64 lower-case hex characters.
bool ValidDigest(std::string_view d) {
  return d.size() == 64 && std::all_of(d.begin(), d.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsExcluded(std::string_view name) {
  const std::string lower = common::AsciiLower(name);
  return lower == "received" || lower == "date" || lower == "message-id";
}

Status WriteAll(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status();
}

}  // namespace

void PoisonDigest::Update(std::string_view tag, std::string_view bytes) {
  if (!sha_) sha_ = std::make_unique<common::Sha256>();
  // Length-prefixed, so no two different messages feed the same bytes.
  sha_->Update(std::string(tag) + std::to_string(bytes.size()) + ":");
  sha_->Update(bytes);
}

void PoisonDigest::AddHeader(std::string_view name, std::string_view value) {
  if (IsExcluded(name)) return;
  Update("H", common::AsciiLower(name));
  Update("V", value);
}

void PoisonDigest::AddBody(std::string_view body) { Update("B", body); }

std::string PoisonDigest::Finish(const common::KeyedHasher& hasher) {
  if (!sha_) sha_ = std::make_unique<common::Sha256>();
  const std::string inner = sha_->HexDigest();
  sha_.reset();
  return hasher.Hex("poison-journal:" + inner);
}

PoisonJournal::PoisonJournal(std::string path, Options options) : path_(std::move(path)), options_(options) {}

PoisonJournal::~PoisonJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<PoisonJournal>> PoisonJournal::Open(const std::string& path, Options options, std::time_t now,
                                                           std::vector<Suspect>* recovered) {
  std::unique_ptr<PoisonJournal> j(new PoisonJournal(path, options));
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::map<std::string, int> in_flight;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind, digest;
    fields >> kind >> digest;
    if (!ValidDigest(digest)) continue;  // the header line, or a line cut short
    if (kind == "C") {
      Count c;
      if (fields >> c.crashes >> c.seen && c.crashes > 0) j->counts_[digest] = c;
    } else if (kind == "B") {
      ++in_flight[digest];
    } else if (kind == "E") {
      if (--in_flight[digest] <= 0) in_flight.erase(digest);
      j->counts_.erase(digest);
    }
  }
  for (const auto& [digest, n] : in_flight) {
    Count& c = j->counts_[digest];
    ++c.crashes;  // one crash, however many copies were in flight
    c.seen = now;
    if (recovered) recovered->push_back({digest, c.crashes});
  }
  if (Status st = j->Compact(now); !st.ok()) return st;
  return j;
}

Status PoisonJournal::Compact(std::time_t now) {
  for (auto it = counts_.begin(); it != counts_.end();) {
    it = now - it->second.seen > options_.forget_seconds ? counts_.erase(it) : std::next(it);
  }
  if (counts_.size() > options_.max_suspects) {
    std::vector<std::pair<int64_t, std::string>> by_age;
    for (const auto& [digest, c] : counts_) by_age.emplace_back(c.seen, digest);
    std::sort(by_age.begin(), by_age.end());
    for (size_t i = 0; counts_.size() > options_.max_suspects; ++i) counts_.erase(by_age[i].second);
  }
  std::string text = std::string(kHeader) + "\n";
  for (const auto& [digest, c] : counts_) {
    text += "C " + digest + " " + std::to_string(c.crashes) + " " + std::to_string(c.seen) + "\n";
  }
  for (const auto& [digest, n] : in_flight_) {
    for (int i = 0; i < n; ++i) text += "B " + digest + "\n";
  }
  const std::string tmp = path_ + ".new";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write " + tmp + ": " + std::strerror(errno));
  Status st = WriteAll(fd, text, tmp);
  if (st.ok() && ::fdatasync(fd) != 0) st = IoError("cannot sync " + tmp + ": " + std::strerror(errno));
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0) st = IoError("cannot replace " + path_ + ": " + std::strerror(errno));
  if (!st.ok()) return st;
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  if (const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);  // the rename itself survives a power loss
    ::close(dfd);
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) return IoError("cannot open " + path_ + ": " + std::strerror(errno));
  bytes_ = compacted_at_ = static_cast<int64_t>(text.size());
  return Status();
}

Status PoisonJournal::Append(const std::string& line) {
  if (bytes_ - compacted_at_ >= options_.compact_bytes) {
    // The rewrite already holds what this line records (the state changes before the
    // append), and is synced: nothing more to write.
    return Compact(std::time(nullptr));
  }
  if (Status st = WriteAll(fd_, line, path_); !st.ok()) return st;
  bytes_ += static_cast<int64_t>(line.size());
  return Status();
}

Status PoisonJournal::Begin(const std::string& digest) {
  if (!ValidDigest(digest)) return InvalidArgument("not a digest");
  std::lock_guard<std::mutex> l(mu_);
  ++in_flight_[digest];
  return Append("B " + digest + "\n");
}

Status PoisonJournal::End(const std::string& digest) {
  if (!ValidDigest(digest)) return InvalidArgument("not a digest");
  std::lock_guard<std::mutex> l(mu_);
  auto it = in_flight_.find(digest);
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
  counts_.erase(digest);
  return Append("E " + digest + "\n");
}

int PoisonJournal::Crashes(const std::string& digest) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = counts_.find(digest);
  return it == counts_.end() ? 0 : it->second.crashes;
}

size_t PoisonJournal::Suspects() const {
  std::lock_guard<std::mutex> l(mu_);
  return counts_.size();
}

int64_t PoisonJournal::FileBytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return bytes_;
}

}  // namespace sendguard::milter
