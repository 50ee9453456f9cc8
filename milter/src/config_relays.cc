// SPDX-License-Identifier: Apache-2.0
// The config file's trusted relays and network lists (see config_relays.h).
#include "config_relays.h"

namespace sendguard::milter {

std::vector<std::string> ReadNetworks(const YAML::Node& map, const char* key, rules::Diagnostics& d) {
  std::vector<rules::SourceLocation> where;
  std::vector<std::string> networks = rules::ReadStringList(map, key, d, &where);
  for (size_t i = 0; i < networks.size(); ++i) {
    if (std::string problem = NetworkProblem(networks[i]); !problem.empty()) {
      d.Add(i < where.size() ? where[i].line : rules::Diagnostics::LineOf(map[key]), std::string(key) + ": " + problem);
    }
  }
  return networks;
}

void ReadTrustedRelays(const YAML::Node& node, std::vector<TrustedRelay>& relays, rules::Diagnostics& d) {
  if (!node.IsSequence()) {
    d.Add(node, "'trusted_relays' must be a list of relays (name, networks, tenant_ids, tls_cert_subjects, "
                "internal_senders_only, not_ours)");
    return;
  }
  relays.clear();
  for (const auto& r : node) {
    if (!r.IsMap()) {
      d.Add(r, "a trusted relay must be a map (name, networks, tenant_ids, tls_cert_subjects, internal_senders_only, not_ours)");
      continue;
    }
    rules::CheckKeys(r, {"name", "networks", "tenant_ids", "tls_cert_subjects", "internal_senders_only", "not_ours"}, d);
    TrustedRelay relay;
    relay.name = "relay" + std::to_string(relays.size() + 1);
    rules::ReadString(r, "name", &relay.name, d);
    relay.networks = ReadNetworks(r, "networks", d);
    relay.tenant_ids = rules::ReadStringList(r, "tenant_ids", d);
    relay.tls_cert_subjects = rules::ReadStringList(r, "tls_cert_subjects", d);
    rules::ReadBool(r, "internal_senders_only", &relay.internal_senders_only, d);
    if (std::string not_ours; rules::ReadString(r, "not_ours", &not_ours, d)) {
      if (not_ours == "inbound" || not_ours == "reject") relay.reject_not_ours = not_ours == "reject";
      else d.Add(r["not_ours"], "not_ours must be 'inbound' or 'reject'");
    }
    if (std::string problem = RelayProblem(relay); !problem.empty()) d.Add(r, "trusted relay '" + relay.name + "': " + problem);
    relays.push_back(std::move(relay));
  }
}

void DescribeTrustedRelays(YAML::Emitter& e, const std::vector<TrustedRelay>& relays) {
  auto list = [&](const std::vector<std::string>& v) {
    e << YAML::Flow << YAML::BeginSeq;
    for (const auto& x : v) e << x;
    e << YAML::EndSeq;
  };
  e << YAML::BeginSeq;
  for (const auto& r : relays) {
    e << YAML::BeginMap;
    e << YAML::Key << "name" << YAML::Value << r.name;
    e << YAML::Key << "networks" << YAML::Value;
    list(r.networks);
    e << YAML::Key << "tenant_ids" << YAML::Value;
    list(r.tenant_ids);
    e << YAML::Key << "tls_cert_subjects" << YAML::Value;
    list(r.tls_cert_subjects);
    e << YAML::Key << "internal_senders_only" << YAML::Value << r.internal_senders_only;
    e << YAML::Key << "not_ours" << YAML::Value << (r.reject_not_ours ? "reject" : "inbound");
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
}

}  // namespace sendguard::milter
