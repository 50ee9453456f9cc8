// SPDX-License-Identifier: Apache-2.0
// The greeting at the top of a message's own text ("Dear Mrs Patel," -> "Mrs Patel").
#pragma once

#include <string>
#include <string_view>

namespace sendguard::scanner {

// The name greeted on one of the first lines of `text`; "" when there is no greeting.
// English and Welsh openings (Dear, Hi, Hello, Good morning, Annwyl, Helo, Bore da ...).
std::string FindSalutation(std::string_view text);

}  // namespace sendguard::scanner
