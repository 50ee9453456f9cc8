// SPDX-License-Identifier: Apache-2.0
// The config file's `milter.trusted_relays:` list and the checks of `milter.internal_networks`:
// read with file:line diagnostics, and described back for --check-config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "sendguard/milter/relay_trust.h"
#include "sendguard/rules/yaml_reader.h"

namespace sendguard::milter {

// map[key] as a list of networks, every entry checked (NetworkProblem) at its own line.
std::vector<std::string> ReadNetworks(const YAML::Node& map, const char* key, rules::Diagnostics& d);
void ReadTrustedRelays(const YAML::Node& node, std::vector<TrustedRelay>& relays, rules::Diagnostics& d);
void DescribeTrustedRelays(YAML::Emitter& e, const std::vector<TrustedRelay>& relays);

}  // namespace sendguard::milter
