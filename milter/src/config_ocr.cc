// SPDX-License-Identifier: Apache-2.0
// The config file's `ocr:` section (pictures read with Tesseract): read, checked and described.
#include <regex>

#include "config_ocr.h"

namespace sendguard::milter {

namespace {

const char* ModeName(scanner::OcrMode m) {
  switch (m) {
    case scanner::OcrMode::kOff: return "off";
    case scanner::OcrMode::kAll: return "all";
    case scanner::OcrMode::kAttachments: break;
  }
  return "attachments";
}

template <typename T>
void ReadBounded(const YAML::Node& map, const char* key, int lo, int hi, T* out, rules::Diagnostics& d) {
  int v = static_cast<int>(*out);
  rules::ReadInt(map, key, lo, hi, &v, d);
  *out = static_cast<T>(v);
}

}  // namespace

void ReadOcr(const YAML::Node& node, scanner::OcrOptions& o, rules::Diagnostics& d) {
  if (!node.IsMap()) {
    d.Add(node, "'ocr' must be a map (mode, languages, message_ms, image_ms, ...)");
    return;
  }
  rules::CheckKeys(node, {"mode", "languages", "tessdata_dir", "message_ms", "image_ms", "max_megapixels", "max_pages",
                          "max_images", "min_width", "min_height", "pdf_dpi", "pdf_text_min_chars", "cache_mb"},
                   d);
  std::string mode;
  if (rules::ReadString(node, "mode", &mode, d)) {
    if (mode == "off") o.mode = scanner::OcrMode::kOff;
    else if (mode == "attachments") o.mode = scanner::OcrMode::kAttachments;
    else if (mode == "all") o.mode = scanner::OcrMode::kAll;
    else d.Add(node["mode"], "mode must be off, attachments or all");
  }
  if (rules::ReadString(node, "languages", &o.languages, d) &&
      !std::regex_match(o.languages, std::regex("[a-z_]{3,16}(\\+[a-z_]{3,16}){0,7}"))) {
    d.Add(node["languages"], "languages must be Tesseract language codes joined by '+' (eng, eng+cym)");
  }
  rules::ReadString(node, "tessdata_dir", &o.tessdata_dir, d);
  ReadBounded(node, "message_ms", 100, 600'000, &o.message_ms, d);
  ReadBounded(node, "image_ms", 100, 600'000, &o.image_ms, d);
  int megapixels = static_cast<int>(o.max_pixels / 1'000'000);
  rules::ReadInt(node, "max_megapixels", 1, 400, &megapixels, d);
  o.max_pixels = static_cast<uint64_t>(megapixels) * 1'000'000;
  ReadBounded(node, "max_pages", 1, 1000, &o.max_pages, d);
  ReadBounded(node, "max_images", 1, 1000, &o.max_images, d);
  ReadBounded(node, "min_width", 1, 10'000, &o.min_width, d);
  ReadBounded(node, "min_height", 1, 10'000, &o.min_height, d);
  ReadBounded(node, "pdf_dpi", 100, 600, &o.pdf_dpi, d);
  ReadBounded(node, "pdf_text_min_chars", 0, 100'000, &o.pdf_text_min_chars, d);
  int cache_mb = static_cast<int>(o.cache_bytes >> 20);
  rules::ReadInt(node, "cache_mb", 0, 4096, &cache_mb, d);
  o.cache_bytes = static_cast<uint64_t>(cache_mb) << 20;
}

void DescribeOcr(YAML::Emitter& e, const scanner::OcrOptions& o) {
  e << YAML::Key << "ocr" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "mode" << YAML::Value << ModeName(o.mode);
  e << YAML::Key << "languages" << YAML::Value << o.languages;
  e << YAML::Key << "tessdata_dir" << YAML::Value << o.tessdata_dir;
  e << YAML::Key << "message_ms" << YAML::Value << o.message_ms;
  e << YAML::Key << "image_ms" << YAML::Value << o.image_ms;
  e << YAML::Key << "max_megapixels" << YAML::Value << o.max_pixels / 1'000'000;
  e << YAML::Key << "max_pages" << YAML::Value << o.max_pages;
  e << YAML::Key << "max_images" << YAML::Value << o.max_images;
  e << YAML::Key << "min_width" << YAML::Value << o.min_width;
  e << YAML::Key << "min_height" << YAML::Value << o.min_height;
  e << YAML::Key << "pdf_dpi" << YAML::Value << o.pdf_dpi;
  e << YAML::Key << "pdf_text_min_chars" << YAML::Value << o.pdf_text_min_chars;
  e << YAML::Key << "cache_mb" << YAML::Value << (o.cache_bytes >> 20);
  e << YAML::EndMap;
}

}  // namespace sendguard::milter
