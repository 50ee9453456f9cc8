// The config file reader (see config.h).
#include "sendguard/milter/config.h"

#include <fstream>
#include <iterator>

#include "sendguard/rules/yaml_reader.h"

namespace sendguard::milter {

const char* WarnModeName(WarnMode m) {
  return m == WarnMode::kHoldAndConfirm ? "hold_and_confirm" : "reject_and_confirm";
}

Result<Config> ParseConfig(const std::string& text, const std::string& name) {
  rules::Diagnostics d(name);
  Config c;
  c.source = name;
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    d.Add(e.mark.is_null() ? 0 : e.mark.line + 1, "bad YAML: " + e.msg);
    return d.ToStatus();
  }
  if (doc.IsNull()) {
    c.organisation = rules::ParseOrganisation(YAML::Node(), {}, d);
    return c;
  }
  if (!doc.IsMap()) {
    d.Add(doc, "the config file must be a map");
    return d.ToStatus();
  }
  rules::CheckKeys(doc, {"rules_dirs", "secret_file", "state_dir", "policy_files", "organisation", "warn"}, d);
  c.rules_dirs = rules::ReadStringList(doc, "rules_dirs", d);
  rules::ReadString(doc, "secret_file", &c.secret_file, d);
  rules::ReadString(doc, "state_dir", &c.state_dir, d);
  c.policy_files = rules::ReadStringList(doc, "policy_files", d);
  c.organisation = rules::ParseOrganisation(doc["organisation"], {}, d);
  if (YAML::Node warn = doc["warn"]) {
    if (!warn.IsMap()) {
      d.Add(warn, "'warn' must be a map with mode and confirm_ttl_minutes");
    } else {
      rules::CheckKeys(warn, {"mode", "confirm_ttl_minutes"}, d);
      std::string mode;
      if (rules::ReadString(warn, "mode", &mode, d)) {
        if (mode == "reject_and_confirm") c.warn_mode = WarnMode::kRejectAndConfirm;
        else if (mode == "hold_and_confirm") c.warn_mode = WarnMode::kHoldAndConfirm;
        else d.Add(warn["mode"], "mode must be reject_and_confirm or hold_and_confirm");
      }
      rules::ReadInt(warn, "confirm_ttl_minutes", 1, 7 * 24 * 60, &c.confirm_ttl_minutes, d);
    }
  }
  if (Status st = d.ToStatus(); !st.ok()) return st;
  return c;
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return IoError("cannot read config file " + file.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseConfig(text, file.string());
}

}  // namespace sendguard::milter
