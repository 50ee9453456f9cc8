// SPDX-License-Identifier: Apache-2.0
// Recipient history over the state database (see recipient_history.h).
#include "sendguard/milter/recipient_history.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <regex>

#include "sendguard/common/text.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/recipients.h"

namespace sendguard::milter {

namespace {

constexpr size_t kMaxPairRecipients = 20;  // pairs are kept for the first 20 recipients of a message
constexpr size_t kKeyHex = 32;             // 128 bits of the keyed hash is plenty for lookups

// Counts the domains this process has recorded for the first time: a cached list of used
// domains older than the count is read again.
std::atomic<uint64_t> new_domains{0};

// Whether `found(k)` holds for some key k of the secret's ring: each lookup tries the keys in
// turn (one unless the secret is being rotated), so what was recorded before a rotation counts.
template <typename Found>
bool UnderAnyKey(const common::KeyedHasher& hasher, Found found) {
  for (size_t k = 0; k < hasher.key_count(); ++k) {
    if (found(k)) return true;
  }
  return false;
}

}  // namespace

std::string RecipientHistory::AddressKey(const std::string& address, size_t key) const {
  return hasher_.HexUnder(key, "history-address:" + rules::NormaliseAddress(address)).substr(0, kKeyHex);
}

std::string RecipientHistory::NameKey(const std::string& token, size_t key) const {
  return hasher_.HexUnder(key, "history-name:" + token).substr(0, kKeyHex);
}

Result<RecipientHistory::AddressUse> RecipientHistory::Use(const std::string& address) {
  AddressUse out;
  const std::pair<const char*, int64_t*> counts[] = {
      {"SELECT count(*) FROM history_recipients WHERE sender = ?", &out.sent_to},
      {"SELECT count(*) FROM history_recipients WHERE recipient = ?", &out.sent_to_by}};
  for (size_t k = 0; k < hasher_.key_count(); ++k) {  // rows recorded under each key of the ring
    const std::string key = AddressKey(address, k);
    for (const auto& [sql, into] : counts) {
      auto q = db_.Prepare(sql);
      if (!q.ok()) return q.status();
      auto& s = (*q)->Reset().Bind(1, key);
      *into += s.Step() ? s.Int(0) : 0;
      s.Reset();
    }
  }
  out.known_sender = KnowsSender(address);
  return out;
}

std::string RecipientHistory::PairKey(const std::string& a_key, const std::string& b_key, size_t key) const {
  return hasher_.HexUnder(key, "history-pair:" + std::min(a_key, b_key) + ":" + std::max(a_key, b_key)).substr(0, kKeyHex);
}

Status RecipientHistory::Record(const std::string& sender, const std::vector<rules::MailAddress>& recipients,
                                std::time_t when) {
  const std::string s = AddressKey(sender);
  const int64_t t = static_cast<int64_t>(when);
  common::SqlTransaction tx(db_);
  auto up_sender = db_.Prepare(
      "INSERT INTO history_senders (sender, first_seen, last_seen, messages) VALUES (?1, ?2, ?2, 1) "
      "ON CONFLICT (sender) DO UPDATE SET last_seen = CASE WHEN history_senders.last_seen > ?2 THEN history_senders.last_seen ELSE ?2 END, messages = history_senders.messages + 1");
  if (!up_sender.ok()) return up_sender.status();
  if (Status st = (*up_sender)->Bind(1, s).Bind(2, t).Run(); !st.ok()) return st;
  std::vector<std::string> keys;
  for (const auto& r : recipients) {
    const std::string address = rules::NormaliseAddress(r.address);
    const std::string domain = rules::DomainOf(address);
    if (domain.empty()) continue;
    const std::string key = AddressKey(address);
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    keys.push_back(key);
    auto up = db_.Prepare(
        "INSERT INTO history_recipients (sender, recipient, domain, first_seen, last_seen, messages) "
        "VALUES (?1, ?2, ?3, ?4, ?4, 1) ON CONFLICT (sender, recipient) DO UPDATE SET "
        "last_seen = CASE WHEN history_recipients.last_seen > ?4 THEN history_recipients.last_seen ELSE ?4 END, messages = history_recipients.messages + 1");
    if (!up.ok()) return up.status();
    if (Status st = (*up)->Bind(1, s).Bind(2, key).Bind(3, domain).Bind(4, t).Run(); !st.ok()) return st;
    auto dom = db_.Prepare(
        "INSERT INTO history_domains (domain, messages, last_seen) VALUES (?1, 1, ?2) "
        "ON CONFLICT (domain) DO UPDATE SET messages = history_domains.messages + 1, last_seen = CASE WHEN history_domains.last_seen > ?2 THEN history_domains.last_seen ELSE ?2 END "
        "RETURNING messages");
    if (!dom.ok()) return dom.status();
    if (!(*dom)->Bind(1, domain).Bind(2, t).Step()) {
      return (*dom)->status().ok() ? Internal("recording a used domain returned no row") : (*dom)->status();
    }
    if ((*dom)->Int(0) == 1) new_domains.fetch_add(1);
    (*dom)->Reset();
    std::vector<std::string> words = rules::NameTokens(r.display);
    for (auto& w : rules::NameTokens(address)) words.push_back(std::move(w));
    for (const auto& w : words) {
      auto name = db_.Prepare("INSERT INTO history_names (sender, token) VALUES (?, ?) ON CONFLICT DO NOTHING");
      if (!name.ok()) return name.status();
      if (Status st = (*name)->Bind(1, s).Bind(2, NameKey(w)).Run(); !st.ok()) {
        return st;
      }
    }
  }
  const size_t n = std::min(keys.size(), kMaxPairRecipients);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      auto pair = db_.Prepare(
          "INSERT INTO history_pairs (sender, pair, last_seen) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (sender, pair) DO UPDATE SET last_seen = CASE WHEN history_pairs.last_seen > ?3 THEN history_pairs.last_seen ELSE ?3 END");
      if (!pair.ok()) return pair.status();
      if (Status st = (*pair)->Bind(1, s).Bind(2, PairKey(keys[i], keys[j])).Bind(3, t).Run(); !st.ok()) return st;
    }
  }
  return tx.Commit();
}

bool RecipientHistory::Exists(const char* sql, const std::string& a, const std::string& b) const {
  auto st = db_.Prepare(sql);
  if (!st.ok()) return false;
  (*st)->Bind(1, a);
  if (!b.empty()) (*st)->Bind(2, b);
  bool found = (*st)->Step();
  (*st)->Reset();
  return found;
}

bool RecipientHistory::KnowsSender(const std::string& sender) const {
  return UnderAnyKey(hasher_, [&](size_t k) {
    return Exists("SELECT 1 FROM history_senders WHERE sender = ?", AddressKey(sender, k), "");
  });
}

bool RecipientHistory::HasSentTo(const std::string& sender, const std::string& recipient) const {
  return UnderAnyKey(hasher_, [&](size_t k) {
    return Exists("SELECT 1 FROM history_recipients WHERE sender = ? AND recipient = ?", AddressKey(sender, k),
                  AddressKey(recipient, k));
  });
}

bool RecipientHistory::SeenTogether(const std::string& sender, const std::string& a, const std::string& b) const {
  return UnderAnyKey(hasher_, [&](size_t k) {
    return Exists("SELECT 1 FROM history_pairs WHERE sender = ? AND pair = ?", AddressKey(sender, k),
                  PairKey(AddressKey(a, k), AddressKey(b, k), k));
  });
}

bool RecipientHistory::KnowsCorrespondentName(const std::string& sender, const std::string& token) const {
  return UnderAnyKey(hasher_, [&](size_t k) {
    return Exists("SELECT 1 FROM history_names WHERE sender = ? AND token = ?", AddressKey(sender, k),
                  NameKey(common::AsciiLower(token), k));
  });
}

std::shared_ptr<const std::vector<std::string>> RecipientHistory::UsedDomains(size_t limit) const {
  const auto now = std::chrono::steady_clock::now();
  const uint64_t generation = new_domains.load();
  if (used_.domains && used_.limit == limit && used_.generation == generation &&
      now - used_.read_at < kUsedDomainsRefresh) {
    return used_.domains;
  }
  auto out = std::make_shared<std::vector<std::string>>();
  auto st = db_.Prepare("SELECT domain FROM history_domains ORDER BY messages DESC, domain LIMIT ?");
  if (!st.ok()) return out;  // not kept: the next message tries again
  (*st)->Bind(1, static_cast<int64_t>(limit));
  while ((*st)->Step()) out->push_back((*st)->Text(0));
  used_ = {out, limit, generation, now};
  return out;
}

Result<ImportCounts> RecipientHistory::ImportPostfixLog(std::istream& log, const rules::Organisation& org,
                                                        std::time_t now) {
  // "... postfix/qmgr[123]: 4F3A2123: from=<a@b>, size=..." and
  // "... postfix/smtp[124]: 4F3A2123: to=<x@y>, relay=..., status=sent (250 ...)"; "removed" ends a message.
  static const std::regex kLine(R"(postfix(?:/[\w.-]+)+\[\d+\]: ([0-9A-Za-z]+): (.*)$)");
  static const std::regex kFrom(R"(^from=<([^>]*)>)");
  static const std::regex kTo(R"(^to=<([^>]*)>.*\bstatus=sent\b)");
  struct Pending {
    std::string from;
    std::vector<rules::MailAddress> sent;
  };
  std::map<std::string, Pending> pending;
  ImportCounts counts;
  auto flush = [&](const std::string& qid) -> Status {
    auto it = pending.find(qid);
    if (it == pending.end()) return Status();
    Pending p = std::move(it->second);
    pending.erase(it);
    bool internal = org.directory.internal.empty() ||
                    rules::Classify(org.directory, p.from) == rules::RecipientClass::kInternal;
    if (p.from.empty() || p.sent.empty() || !internal) {
      ++counts.skipped;
      return Status();
    }
    ++counts.messages;
    counts.recipients += p.sent.size();
    return Record(p.from, p.sent, now);
  };
  std::string line;
  std::smatch m, f;
  while (std::getline(log, line)) {
    ++counts.lines;
    if (line.find("postfix") == std::string::npos || !std::regex_search(line, m, kLine)) continue;
    const std::string qid = m[1];
    const std::string rest = m[2];
    if (std::regex_search(rest, f, kFrom)) {
      pending[qid].from = f[1];
    } else if (std::regex_search(rest, f, kTo)) {
      pending[qid].sent.push_back({"", f[1]});
    } else if (rest == "removed") {
      if (Status st = flush(qid); !st.ok()) return st;
    }
  }
  std::vector<std::string> left;
  for (const auto& [qid, p] : pending) left.push_back(qid);
  for (const auto& qid : left) {
    if (Status st = flush(qid); !st.ok()) return st;
  }
  return counts;
}

}  // namespace sendguard::milter
