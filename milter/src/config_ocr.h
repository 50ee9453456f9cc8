// SPDX-License-Identifier: Apache-2.0
// The config file's `ocr:` section: into scanner::OcrOptions, and back out for --check-config.
#pragma once

#include <yaml-cpp/yaml.h>

#include "sendguard/rules/yaml_reader.h"
#include "sendguard/scanner/scan_options.h"

namespace sendguard::milter {

void ReadOcr(const YAML::Node& node, scanner::OcrOptions& o, rules::Diagnostics& d);
void DescribeOcr(YAML::Emitter& e, const scanner::OcrOptions& o);

}  // namespace sendguard::milter
