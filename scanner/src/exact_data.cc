// SPDX-License-Identifier: Apache-2.0
// Exact-data hash sets: loading and saving `<dir>/<type>.hashes` files.
#include "sendguard/scanner/exact_data.h"

#include <algorithm>
#include <fstream>
#include <vector>

#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace fs = std::filesystem;

namespace {
bool IsHexHash(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
}  // namespace

Result<ExactDataSet> ExactDataSet::Load(const fs::path& dir) {
  ExactDataSet set;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return set;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".hashes") continue;
    std::ifstream in(entry.path());
    if (!in) return IoError("cannot read " + entry.path().string());
    std::string type = entry.path().stem().string();
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      std::string_view h = common::Trim(line);
      if (h.empty() || h[0] == '#') continue;
      if (!IsHexHash(h)) {
        return InvalidArgument(entry.path().string() + ":" + std::to_string(n) + ": not a 64-digit lower-case hex hash");
      }
      set.Add(type, std::string(h));
    }
  }
  return set;
}

bool ExactDataSet::Contains(const std::string& type, const std::string& hash) const {
  auto it = hashes_.find(type);
  return it != hashes_.end() && it->second.count(hash) > 0;
}

void ExactDataSet::Add(const std::string& type, std::string hash) { hashes_[type].insert(std::move(hash)); }

size_t ExactDataSet::Size(const std::string& type) const {
  auto it = hashes_.find(type);
  return it == hashes_.end() ? 0 : it->second.size();
}

Status ExactDataSet::Save(const fs::path& dir, const std::string& type) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create " + dir.string() + ": " + ec.message());
  std::vector<std::string> sorted;
  if (auto it = hashes_.find(type); it != hashes_.end()) sorted.assign(it->second.begin(), it->second.end());
  std::sort(sorted.begin(), sorted.end());
  fs::path final_path = dir / (type + ".hashes");
  fs::path tmp = dir / (type + ".hashes.tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return IoError("cannot write " + tmp.string());
    out << "# sendguard exact-data hashes for type " << type << ": HMAC-SHA256 of normalised values\n";
    for (const auto& h : sorted) out << h << '\n';
    if (!out.flush()) return IoError("cannot write " + tmp.string());
  }
  fs::rename(tmp, final_path, ec);
  if (ec) return IoError("cannot replace " + final_path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace sendguard::scanner
