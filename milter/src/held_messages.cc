// SPDX-License-Identifier: Apache-2.0
// Held messages: sealed copies on disk, states in the state database (see held_messages.h).
#include "sendguard/milter/held_messages.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

namespace sendguard::milter {
namespace {

// Writes `bytes` to `path` via a temporary file, fsynced, then renamed: a crash leaves the
// old file or the new one, never half of one.
Status WriteDurably(const std::filesystem::path& path, const std::string& bytes) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write " + tmp.string());
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return IoError("cannot write " + tmp.string());
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (!synced) return IoError("cannot sync " + tmp.string());
  std::filesystem::rename(tmp, path, ec);
  if (ec) return IoError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status();
}

}  // namespace

Status HeldMessages::Hold(const HeldMessage& m) {
  if (!key_) return Internal("held messages opened without a key");
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const std::string plain = holds::HeldPlain(m);
  auto sealed = key_->Seal(plain, m.id);
  if (!sealed.ok()) return sealed.status();
  if (Status st = WriteDurably(FileFor(m.id), *sealed); !st.ok()) return st;
  auto s = db_.Prepare("INSERT INTO held_messages (id, created, expires, state) VALUES (?, ?, ?, 'held')");
  if (!s.ok()) return s.status();
  Status st = (*s)->Reset().Bind(1, m.id).Bind(2, int64_t{m.created}).Bind(3, int64_t{m.expires}).Run();
  if (!st.ok()) std::filesystem::remove(FileFor(m.id), ec);
  return st;
}

Result<std::pair<std::string, std::time_t>> HeldMessages::State(const std::string& id) {
  auto q = db_.Prepare("SELECT state, expires FROM held_messages WHERE id = ?");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, id);
  std::pair<std::string, std::time_t> out{"", 0};
  if ((*q)->Step()) out = {(*q)->Text(0), static_cast<std::time_t>((*q)->Int(1))};
  (*q)->Reset();
  return out;
}

Result<std::optional<HeldMessage>> HeldMessages::Load(const std::string& id) {
  auto state = State(id);
  if (!state.ok()) return state.status();
  if (state->first.empty() || !key_) return std::optional<HeldMessage>();
  std::ifstream in(FileFor(id), std::ios::binary);
  if (!in) return std::optional<HeldMessage>();
  const std::string sealed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto plain = key_->Open(sealed, id);
  if (!plain.ok()) return Status(plain.status().code(), "held message " + id + ": " + plain.status().message());
  auto parsed = holds::ParseHeldPlain(id, *plain);
  if (!parsed.ok()) return parsed.status();
  HeldMessage m = std::move(parsed).value();
  m.state = state->first;
  m.expires = state->second;
  return std::optional<HeldMessage>(std::move(m));
}

Result<bool> HeldMessages::Move(const std::string& id, const std::string& from, const std::string& to, std::time_t now,
                                bool check_expiry, std::time_t expiry_at) {
  auto s = db_.Prepare(std::string("UPDATE held_messages SET state = ?, outcome_at = ? WHERE id = ? AND state = ?") +
                       (check_expiry ? " AND expires > ?" : ""));
  if (!s.ok()) return s.status();
  (*s)->Reset().Bind(1, to).Bind(2, int64_t{now}).Bind(3, id).Bind(4, from);
  if (check_expiry) (*s)->Bind(5, int64_t{expiry_at ? expiry_at : now});
  if (Status st = (*s)->Run(); !st.ok()) return st;
  return db_.Changes() == 1;
}

Result<bool> HeldMessages::BeginRelease(const std::string& id, const std::string& final_state, std::time_t now,
                                        std::time_t expiry_at) {
  auto moved = Move(id, "held", "releasing", now, true, expiry_at ? expiry_at : now);
  if (!moved.ok() || !*moved) return moved;
  auto s = db_.Prepare("UPDATE held_messages SET release_as = ? WHERE id = ?");
  if (!s.ok()) return s.status();
  if (Status st = (*s)->Reset().Bind(1, final_state).Bind(2, id).Run(); !st.ok()) return st;
  return true;
}

Result<bool> HeldMessages::MarkReleased(const std::string& id, std::time_t now) {
  auto s = db_.Prepare(
      "UPDATE held_messages SET state = release_as, outcome_at = ? WHERE id = ? AND state = 'releasing'");
  if (!s.ok()) return s.status();
  if (Status st = (*s)->Reset().Bind(1, int64_t{now}).Bind(2, id).Run(); !st.ok()) return st;
  return db_.Changes() == 1;
}

Result<std::string> HeldMessages::EndRelease(const std::string& id, bool delivered, std::time_t now) {
  if (delivered) {
    // Normally the milter marked it when the copy came back through it; a re-injection path
    // without the milter leaves that to here.
    if (auto marked = MarkReleased(id, now); !marked.ok()) return marked.status();
  } else if (auto back = Move(id, "releasing", "held", 0, false); !back.ok()) {
    // Refused before the milter saw it: held again, the sender may try again.
    return back.status();
  }
  auto state = State(id);
  if (!state.ok()) return state.status();
  std::error_code ec;
  if (state->first != "held") std::filesystem::remove(FileFor(id), ec);
  return state->first;
}

Result<bool> HeldMessages::Cancel(const std::string& id, std::time_t now) {
  auto moved = Move(id, "held", "cancelled", now, false);
  if (moved.ok() && *moved) {
    std::error_code ec;
    std::filesystem::remove(FileFor(id), ec);
  }
  return moved;
}

Result<std::vector<std::string>> HeldMessages::Expire(std::time_t now) {
  auto q = db_.Prepare("SELECT id FROM held_messages WHERE state = 'held' AND expires <= ? AND answered = 0");
  if (!q.ok()) return q.status();
  std::vector<std::string> due, expired;
  (*q)->Reset().Bind(1, int64_t{now});
  while ((*q)->Step()) due.push_back((*q)->Text(0));
  if (!(*q)->status().ok()) return (*q)->status();
  for (const auto& id : due) {
    auto moved = Move(id, "held", "expired", now, false);
    if (!moved.ok()) return moved.status();
    if (!*moved) continue;
    std::error_code ec;
    std::filesystem::remove(FileFor(id), ec);
    expired.push_back(id);
  }
  return expired;
}

Result<int> HeldMessages::SweepCopies() {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) return 0;
  int removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string id = entry.path().filename().string();
    if (!holds::IsHoldId(id)) continue;  // a .tmp being written, or not ours
    auto state = State(id);
    if (!state.ok()) return state.status();
    if (state->first.empty() || state->first == "held" || state->first == "releasing") continue;
    if (std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

Status HeldMessages::Adopt(const std::string& id, std::time_t created, std::time_t expires, const std::string& sealed) {
  if (!key_) return Internal("held messages opened without a key");
  if (!holds::IsHoldId(id)) return InvalidArgument("not a hold id: " + id);
  auto state = State(id);
  if (!state.ok()) return state.status();
  if (!state->first.empty()) return Status();  // made here, or adopted before
  if (auto opened = key_->Open(sealed, id); !opened.ok()) {
    return Status(opened.status().code(), "held message " + id + " from the shared store: " + opened.status().message());
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (Status st = WriteDurably(FileFor(id), sealed); !st.ok()) return st;
  auto s = db_.Prepare("INSERT INTO held_messages (id, created, expires, state) VALUES (?, ?, ?, 'held') ON CONFLICT (id) DO NOTHING");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, id).Bind(2, int64_t{created}).Bind(3, int64_t{expires}).Run();
}

Result<bool> HeldMessages::Unstick(const std::string& id) {
  auto s = db_.Prepare("UPDATE held_messages SET state = 'held' WHERE id = ? AND state = 'releasing'");
  if (!s.ok()) return s.status();
  if (Status st = (*s)->Reset().Bind(1, id).Run(); !st.ok()) return st;
  return db_.Changes() == 1;
}

}  // namespace sendguard::milter
