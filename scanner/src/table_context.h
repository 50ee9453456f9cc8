// SPDX-License-Identifier: Apache-2.0
// Column headers of the delimited tables in one part's text (CSV and TSV, and the
// tab-separated rows that HTML tables and spreadsheets become): a value in a cell is tied to
// the header cell at the top of its column, however many rows below it sits. No matching.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sendguard::scanner {

// Lazily built per part; not thread-safe; borrows `text` for its lifetime (or until Reset).
class TableHeaders {
 public:
  TableHeaders() = default;
  explicit TableHeaders(std::string_view text) : text_(text) {}

  // Starts over on another part's text, keeping the memory of the last.
  void Reset(std::string_view text);

  // The span of the header cells of the columns text[from, to) covers, or {0, 0} when it
  // is not in a table row below a header.
  std::pair<uint64_t, uint64_t> HeaderCells(uint64_t from, uint64_t to);

 private:
  struct Row {
    uint64_t start = 0, end = 0;  // the line, without its '\n'
    char delim = 0;               // 0: not a table row
    int cells = 0;                // delimiters outside quotes
  };
  Row RowAt(uint64_t pos);
  Row Analyse(uint64_t start, uint64_t end) const;
  // Start of the header row of the table `row` is in (row.start when it is the header).
  uint64_t HeaderOf(const Row& row);
  // Delimiters outside quotes in text_[start, pos).
  int CellIndex(const Row& row, uint64_t pos);

  std::string_view text_;
  // The last row looked at and how far its cells were counted: candidates come in text
  // order, so a long row is read once, not once per value in it.
  Row last_row_;
  bool have_last_row_ = false;
  uint64_t counted_to_ = 0;
  int counted_ = 0;
  bool counted_quoted_ = false;
  Row last_header_;  // the header row last read (many rows share one)
  std::unordered_map<uint64_t, uint64_t> header_of_;  // row start -> header row start
  std::vector<uint64_t> visited_;                     // HeaderOf's working memory
};

}  // namespace sendguard::scanner
