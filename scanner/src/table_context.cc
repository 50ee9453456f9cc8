// SPDX-License-Identifier: Apache-2.0
// Header rows of delimited tables (see table_context.h). A table is a run of lines with the
// same delimiter and the same number of cells (tab-separated rows may be shorter: a
// spreadsheet row whose last cells are empty); blank lines between rows (HTML tables) do
// not end it. The header is its first line. Work is linear: each row's header is cached.
#include "table_context.h"

#include <algorithm>
#include <vector>

namespace sendguard::scanner {

namespace {
// Longer lines are prose or a flattened document, not a table row.
constexpr uint64_t kMaxRowBytes = 64 * 1024;
// Blank lines skipped between two rows of one table.
constexpr int kMaxBlankRun = 3;

bool Blank(std::string_view s) { return s.find_first_not_of(" \t\r\f\v") == std::string_view::npos; }
}  // namespace

TableHeaders::Row TableHeaders::Analyse(uint64_t start, uint64_t end) const {
  Row r;
  r.start = start;
  r.end = end;
  if (end - start > kMaxRowBytes) return r;
  int counts[4] = {0, 0, 0, 0};
  static constexpr char kDelims[4] = {'\t', ',', ';', '|'};
  bool quoted = false;
  for (uint64_t i = start; i < end; ++i) {
    char c = text_[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    for (int k = 0; k < 4; ++k) counts[k] += c == kDelims[k];
  }
  int best = counts[0] > 0 ? 0 : static_cast<int>(std::max_element(counts, counts + 4) - counts);
  if (counts[best] == 0) return r;
  r.delim = kDelims[best];
  r.cells = counts[best];
  return r;
}

TableHeaders::Row TableHeaders::RowAt(uint64_t pos) {
  if (have_last_row_ && pos >= last_row_.start && pos <= last_row_.end) return last_row_;
  uint64_t floor = pos > kMaxRowBytes ? pos - kMaxRowBytes : 0;
  uint64_t s = pos;
  while (s > floor && text_[s - 1] != '\n') --s;
  if (s > 0 && text_[s - 1] != '\n') return Row{s, pos, 0, 0};
  size_t e = text_.find('\n', pos);
  if (e == std::string_view::npos) e = text_.size();
  uint64_t end = e > s && text_[e - 1] == '\r' ? e - 1 : e;
  last_row_ = Analyse(s, end);
  have_last_row_ = true;
  counted_to_ = s;
  counted_ = 0;
  counted_quoted_ = false;
  return last_row_;
}

void TableHeaders::Reset(std::string_view text) {
  text_ = text;
  last_row_ = Row();
  have_last_row_ = false;
  counted_to_ = 0;
  counted_ = 0;
  counted_quoted_ = false;
  last_header_ = Row();
  // clear() costs the bucket count: after a long table, start with a small map again.
  if (header_of_.bucket_count() > 1024) {
    header_of_ = {};
  } else {
    header_of_.clear();
  }
  visited_.clear();
}

uint64_t TableHeaders::HeaderOf(const Row& row) {
  std::vector<uint64_t>& visited = visited_;
  visited.clear();
  uint64_t header = row.start;
  Row cur = row;
  for (;;) {
    if (auto it = header_of_.find(cur.start); it != header_of_.end()) {
      header = it->second;
      break;
    }
    visited.push_back(cur.start);
    header = cur.start;
    // The previous non-blank line, past at most kMaxBlankRun blank ones.
    uint64_t s = cur.start;
    Row prev;
    int blanks = 0;
    bool found = false;
    while (s > 0 && blanks <= kMaxBlankRun) {
      uint64_t e = s - 1;  // the '\n' ending the previous line
      uint64_t b = e;
      while (b > 0 && text_[b - 1] != '\n' && e - b <= kMaxRowBytes) --b;
      if (b > 0 && text_[b - 1] != '\n') break;  // too long to be a row
      std::string_view line = text_.substr(b, e - b);
      if (Blank(line)) {
        ++blanks;
        s = b;
        continue;
      }
      prev = Analyse(b, e > b && text_[e - 1] == '\r' ? e - 1 : e);
      found = true;
      break;
    }
    // Tab-separated rows (spreadsheets, HTML) may end early where trailing cells are empty.
    if (!found || prev.delim != row.delim || (row.delim != '\t' && prev.cells != row.cells)) break;
    cur = prev;
  }
  for (uint64_t v : visited) header_of_[v] = header;
  return header;
}

int TableHeaders::CellIndex(const Row& row, uint64_t pos) {
  bool resume = have_last_row_ && row.start == last_row_.start && pos >= counted_to_;
  uint64_t i = resume ? counted_to_ : row.start;
  int n = resume ? counted_ : 0;
  bool quoted = resume ? counted_quoted_ : false;
  for (; i < pos && i < row.end; ++i) {
    char c = text_[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && c == row.delim) ++n;
  }
  if (have_last_row_ && row.start == last_row_.start) counted_to_ = i, counted_ = n, counted_quoted_ = quoted;
  return n;
}

std::pair<uint64_t, uint64_t> TableHeaders::HeaderCells(uint64_t from, uint64_t to) {
  Row row = RowAt(from);
  if (row.delim == 0 || to > row.end) return {0, 0};
  uint64_t header_start = HeaderOf(row);
  if (header_start == row.start) return {0, 0};
  int first = CellIndex(row, from), last = CellIndex(row, to);
  if (last_header_.end == 0 || last_header_.start != header_start) {
    size_t e = text_.find('\n', header_start);
    last_header_ = Analyse(header_start, e == std::string_view::npos ? text_.size() : e);
  }
  const Row& header = last_header_;
  // The header's cells first..last: from after delimiter `first` to before delimiter `last + 1`.
  if (first > header.cells) return {0, 0};  // the header has no such column
  uint64_t lo = header.start, hi = header.end;
  int n = 0;
  bool quoted = false;
  for (uint64_t i = header.start; i < header.end; ++i) {
    char c = text_[i];
    if (c == '"') quoted = !quoted;
    if (quoted || c != header.delim) continue;
    ++n;
    if (n == first) lo = i + 1;
    if (n == last + 1) {
      hi = i;
      break;
    }
  }
  return {lo, hi};
}

}  // namespace sendguard::scanner
