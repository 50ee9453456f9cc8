// SPDX-License-Identifier: Apache-2.0
// XML parts that declare their own entities. Office files never carry a DTD; one that does
// is hostile (an entity-expansion "billion laughs" payload) or broken, and libxml2 then
// stops at the first reference and loses the whole part. This takes the DTD out and drops
// the references that needed it, so the rest of the part is read; the declarations are
// handed back to be scanned as text. No libxml2 here.
#pragma once

#include <string>
#include <string_view>

namespace sendguard::scanner {

// `xml` without its <!DOCTYPE ...> (internal subset included) and without references to
// entities other than XML's five predefined ones. `*declarations` gets the DOCTYPE's text;
// it stays empty, and `xml` is returned as it is, when there is no DOCTYPE.
std::string WithoutDtd(std::string_view xml, std::string* declarations);

}  // namespace sendguard::scanner
