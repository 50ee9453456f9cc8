// libarchive adapter: reads archive members within the bounds (members, member size,
// compression ratio, bytes extracted, time). The only file that calls libarchive.
#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "extractors.h"

namespace sendguard::scanner {

namespace {
struct ArchiveFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

std::string MemberName(struct archive_entry* e, const std::string& path) {
  const char* n = archive_entry_pathname_utf8(e);
  if (!n) n = archive_entry_pathname(e);
  std::string name = n ? n : "";
  if (name.empty() || name == "data") {  // a bare gzip/bzip2/xz stream: name it after the file
    size_t slash = path.rfind('/');
    name = path.substr(slash == std::string::npos ? 0 : slash + 1);
    size_t dot = name.rfind('.');
    if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  }
  return name;
}
// libarchive's last error, or a stand-in: archive_error_string returns NULL when a reader
// failed without saying why (seen with overlapping-entry ZIPs), and a NULL into std::string
// ends the process.
std::string ErrorText(struct archive* a) {
  const char* e = archive_error_string(a);
  return e && *e ? e : "no reason given by libarchive";
}

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

}  // namespace

std::vector<ArchiveMember> ReadArchive(ExtractContext& ctx, std::string_view bytes, const std::string& path) {
  std::vector<ArchiveMember> members;
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_all(a.get());
  archive_read_support_format_raw(a.get());  // last resort: a single compressed stream
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    ctx.Incomplete("extract_error", path, std::string("archive not readable: ") + ErrorText(a.get()));
    return members;
  }
  const uint64_t ratio_limit =
      std::max<uint64_t>(1u << 20, static_cast<uint64_t>(ctx.options.max_compression_ratio) * bytes.size());
  uint64_t out_total = 0;
  uint32_t count = 0;
  uint32_t entries_seen = 0;  // every header, of any file type
  bool bound_hit = false;
  std::string buffer(64 * 1024, '\0');
  for (;;) {
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      ctx.Incomplete("extract_error", path, std::string("archive damaged: ") + ErrorText(a.get()));
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
    bool stop = false;
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) {
        ctx.Incomplete("extract_error", member_path, std::string("cannot read member: ") + ErrorText(a.get()));
        break;
      }
      out_total += static_cast<uint64_t>(n);
      if (out_total > ratio_limit) {
        ctx.Incomplete("max_compression_ratio", member_path,
                       "expands more than " + std::to_string(ctx.options.max_compression_ratio) +
                           " times its archive's size (possible archive bomb); rest not scanned");
        stop = true;
        break;
      }
      if (!ctx.ChargeExtracted(static_cast<uint64_t>(n), member_path)) {
        stop = true;
        break;
      }
      uint64_t room = ctx.options.max_member_bytes - std::min<uint64_t>(m.data.size(), ctx.options.max_member_bytes);
      if (static_cast<uint64_t>(n) > room) {
        m.data.append(buffer.data(), room);
        ctx.Incomplete("max_member_bytes", member_path, "member larger than " +
                                                            std::to_string(ctx.options.max_member_bytes) + " bytes; rest not scanned");
        break;
      }
      m.data.append(buffer.data(), static_cast<size_t>(n));
      if (ctx.TimeUp(member_path)) {
        stop = true;
        break;
      }
    }
    members.push_back(std::move(m));
    if (stop) {
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
