// SPDX-License-Identifier: Apache-2.0
// libarchive adapter: reads archive members within the bounds (members, member size,
// compression ratio, bytes extracted, time). The only file that calls libarchive.
// A bound hit inside one member stops that member only, wherever the rest of the archive
// can still be reached without decompressing what was refused.
#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "../c_string.h"
#include "extractors.h"

namespace sendguard::scanner {

namespace {
struct ArchiveFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

// Expansion forgiven per archive beyond the ratio: small files compress very well.
constexpr uint64_t kRatioSlack = 1u << 20;

std::string MemberName(struct archive_entry* e, const std::string& path) {
  const char* n = archive_entry_pathname_utf8(e);
  std::string name = FromCString(n ? n : archive_entry_pathname(e));  // legacy names may be any 8-bit code page
  if (name.empty() || name == "data") {  // a bare gzip/bzip2/xz stream: name it after the file
    size_t slash = path.rfind('/');
    name = path.substr(slash == std::string::npos ? 0 : slash + 1);
    size_t dot = name.rfind('.');
    if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  }
  return name;
}

// libarchive's last error, or a stand-in: archive_error_string returns NULL when a reader
// failed without saying why (a ZIP local header claiming an encrypted central directory),
// and a NULL into std::string ends the process.
std::string ErrorText(struct archive* a) { return FromCString(archive_error_string(a), "no reason given by libarchive"); }

// The entry count a ZIP's end-of-central-directory record declares, or -1 when there is none.
long DeclaredZipEntries(std::string_view bytes) {
  if (bytes.size() < 22) return -1;
  size_t lowest = bytes.size() > 22 + 65535 ? bytes.size() - 22 - 65535 : 0;
  for (size_t i = bytes.size() - 22 + 1; i-- > lowest;) {
    if (bytes.compare(i, 4, "PK\x05\x06") == 0) {
      return static_cast<unsigned char>(bytes[i + 10]) | (static_cast<unsigned char>(bytes[i + 11]) << 8);
    }
  }
  return -1;
}

// How reading one member ended.
enum class MemberEnd {
  kWhole,    // read to its end (or libarchive failed inside it; the next header says more)
  kStopped,  // a member bound was hit: this member only
  kAbort,    // a bound that ends the archive (or the message)
};

// One archive being read. ZIP members are compressed one by one, so the compression ratio
// is each member's own (output against the compressed bytes it consumed); tar.gz, 7z and
// bare streams are one compressed stream, so the ratio is the whole stream's, and passing
// it ends the archive (the next member cannot be reached without decompressing the rest).
class ArchiveReading {
 public:
  ArchiveReading(ExtractContext& ctx, struct archive* a, std::string_view bytes)
      : ctx_(ctx), a_(a), bytes_(bytes), buffer_(64 * 1024, '\0') {}

  // Reads one member's data into `m` within the bounds.
  MemberEnd Read(ArchiveMember& m, const std::string& member_path, bool per_member_ratio) {
    const int64_t start = archive_filter_bytes(a_, -1);
    uint64_t out = 0;
    bool keep = true;  // false once max_member_bytes is reached: the rest is read past, not kept
    MemberEnd end = MemberEnd::kWhole;
    for (;;) {
      la_ssize_t n = archive_read_data(a_, buffer_.data(), buffer_.size());
      if (n == 0) break;
      if (n < 0) {
        ctx_.Incomplete("extract_error", member_path, "cannot read member: " + ErrorText(a_));
        break;
      }
      out += static_cast<uint64_t>(n);
      uint64_t consumed = Consumed(start);
      if (per_member_ratio && out > Allowed(consumed)) {
        ctx_.Incomplete("max_compression_ratio", member_path,
                        "expands more than " + std::to_string(ctx_.options.max_compression_ratio) +
                            " times its compressed size (possible archive bomb); rest of this member not scanned");
        slack_ = 0;
        stopped_by_ = "max_compression_ratio";
        return Settle(consumed, MemberEnd::kStopped);
      }
      stream_out_ += static_cast<uint64_t>(n);
      if (!per_member_ratio && stream_out_ > StreamLimit()) {
        ctx_.Incomplete("max_compression_ratio", member_path,
                        "expands more than " + std::to_string(ctx_.options.max_compression_ratio) +
                            " times its archive's size (possible archive bomb); rest not scanned");
        return MemberEnd::kAbort;
      }
      if (!ctx_.ChargeExtracted(static_cast<uint64_t>(n), member_path) || ctx_.TimeUp(member_path)) {
        return MemberEnd::kAbort;
      }
      if (!keep) continue;
      uint64_t room = ctx_.options.max_member_bytes - std::min<uint64_t>(m.data.size(), ctx_.options.max_member_bytes);
      if (static_cast<uint64_t>(n) > room) {
        m.data.append(buffer_.data(), room);
        ctx_.Incomplete("max_member_bytes", member_path, "member larger than " +
                                                             std::to_string(ctx_.options.max_member_bytes) +
                                                             " bytes; rest not scanned");
        end = MemberEnd::kStopped;
        stopped_by_ = "max_member_bytes";
        if (per_member_ratio) break;  // a ZIP member's end is known: libarchive skips to the next one
        keep = false;                 // one stream: read past the rest (still within the ratio and budgets)
        continue;
      }
      m.data.append(buffer_.data(), static_cast<size_t>(n));
    }
    if (per_member_ratio) {
      uint64_t consumed = Consumed(start);
      uint64_t fair = RatioOf(consumed);
      slack_ -= std::min(slack_, out > fair ? out - fair : 0);
      return Settle(consumed, end);
    }
    return end;
  }

  // True once the ZIP members' compressed data adds up to more than the file: entries
  // share bytes, the mark of an overlapping-entry ("non-recursive") zip bomb.
  bool Overlapping() const { return compressed_total_ > bytes_.size(); }
  // The bound that stopped the last member read (when Read returned kStopped).
  const std::string& stopped_by() const { return stopped_by_; }

 private:
  uint64_t Consumed(int64_t start) const {
    int64_t now = archive_filter_bytes(a_, -1);
    return start >= 0 && now > start ? static_cast<uint64_t>(now - start) : 0;
  }
  uint64_t RatioOf(uint64_t compressed) const { return static_cast<uint64_t>(ctx_.options.max_compression_ratio) * compressed; }
  uint64_t Allowed(uint64_t consumed) const { return RatioOf(consumed) + slack_; }
  uint64_t StreamLimit() const { return std::max<uint64_t>(kRatioSlack, RatioOf(bytes_.size())); }
  MemberEnd Settle(uint64_t consumed, MemberEnd end) {
    compressed_total_ += consumed;
    return end;
  }

  ExtractContext& ctx_;
  struct archive* a_;
  std::string_view bytes_;
  std::string buffer_;
  uint64_t slack_ = kRatioSlack;   // ZIP: expansion beyond the ratio still allowed in this archive
  uint64_t stream_out_ = 0;        // every member's output so far
  uint64_t compressed_total_ = 0;  // ZIP: compressed bytes the members consumed
  std::string stopped_by_;
};

}  // namespace

std::vector<ArchiveMember> ReadArchive(ExtractContext& ctx, std::string_view bytes, const std::string& path) {
  std::vector<ArchiveMember> members;
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_all(a.get());
  archive_read_support_format_raw(a.get());  // last resort: a single compressed stream
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    ctx.Incomplete("extract_error", path, "archive not readable: " + ErrorText(a.get()));
    return members;
  }
  ArchiveReading reading(ctx, a.get(), bytes);
  uint32_t count = 0;
  uint32_t entries_seen = 0;  // every header, of any file type
  bool bound_hit = false;
  for (;;) {
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      ctx.Incomplete("extract_error", path, "archive damaged: " + ErrorText(a.get()));
      bound_hit = true;
      break;
    }
    ++entries_seen;
    if (archive_entry_filetype(e) != AE_IFREG && archive_format(a.get()) != ARCHIVE_FORMAT_RAW) continue;
    if (++count > ctx.options.max_archive_members) {
      ctx.Incomplete("max_archive_members", path, "more than " + std::to_string(ctx.options.max_archive_members) +
                                                      " members; rest not scanned");
      bound_hit = true;
      break;
    }
    ArchiveMember m;
    m.name = MemberName(e, path);
    std::string member_path = path + "/" + m.name;
    if (archive_entry_is_data_encrypted(e) || archive_entry_is_encrypted(e)) {
      m.encrypted = true;
      members.push_back(std::move(m));
      continue;
    }
    const bool zip = (archive_format(a.get()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;
    MemberEnd end = reading.Read(m, member_path, zip);
    members.push_back(std::move(m));
    if (end == MemberEnd::kStopped && zip && !archive_entry_size_is_set(e)) {
      // A streamed ZIP entry whose length is written after its data: skipping it would mean
      // decompressing all of it, so the archive ends here.
      ctx.Incomplete(reading.stopped_by(), path, "member " + member_path.substr(path.size() + 1) +
                                                        " has no declared size; rest of the archive not scanned");
      end = MemberEnd::kAbort;
    }
    if (zip && reading.Overlapping()) {
      ctx.Incomplete("extract_error", path,
                     "ZIP entries overlap (their compressed data adds up to more than the file: a non-recursive "
                     "zip bomb); rest not scanned");
      end = MemberEnd::kAbort;
    }
    if (end == MemberEnd::kAbort) {
      bound_hit = true;
      break;
    }
  }
  // A ZIP whose directory lists more entries than could be read (overlapping or hidden
  // entries, a damaged directory) is not fully seen.
  long declared = (archive_format(a.get()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP ? DeclaredZipEntries(bytes) : -1;
  if (!bound_hit && declared >= 0 && static_cast<uint32_t>(declared) != entries_seen) {
    ctx.Incomplete("extract_error", path, "ZIP directory lists " + std::to_string(declared) + " entries but " +
                                              std::to_string(entries_seen) + " could be read (overlapping or hidden entries)");
  }
  return members;
}

}  // namespace sendguard::scanner
