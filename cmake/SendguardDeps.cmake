# SPDX-License-Identifier: Apache-2.0
# Third-party libraries, all from Debian 12 packages (see scripts/install-deps.sh).
# Each becomes an imported target that modules link PRIVATE.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(GTest REQUIRED)
find_package(LibXml2 REQUIRED)
find_package(Iconv REQUIRED)
find_package(CURL REQUIRED)
pkg_check_modules(HYPERSCAN REQUIRED IMPORTED_TARGET libhs)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp)
pkg_check_modules(LIBMAGIC REQUIRED IMPORTED_TARGET libmagic)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)

find_path(MIMETIC_INCLUDE_DIR mimetic/mimetic.h REQUIRED)
find_library(MIMETIC_LIBRARY mimetic REQUIRED)
add_library(sendguard_mimetic INTERFACE)
target_include_directories(sendguard_mimetic SYSTEM INTERFACE ${MIMETIC_INCLUDE_DIR})
target_link_libraries(sendguard_mimetic INTERFACE ${MIMETIC_LIBRARY})

find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
add_library(sendguard_cli11 INTERFACE)
target_include_directories(sendguard_cli11 SYSTEM INTERFACE ${CLI11_INCLUDE_DIR})

if(SENDGUARD_BENCH)
  find_package(benchmark REQUIRED)
endif()
