# SPDX-License-Identifier: Apache-2.0
# Compiler settings shared by every target: warnings, ccache, the sanitizer build,
# and sendguard_add_module()/sendguard_add_test() helpers so each module's CMakeLists stays short.

find_program(SENDGUARD_CCACHE ccache)
if(SENDGUARD_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${SENDGUARD_CCACHE}")
  set(CMAKE_C_COMPILER_LAUNCHER "${SENDGUARD_CCACHE}")
endif()

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
# Line tables (-g1) are all stack traces, sanitizer reports and perf need; full -g makes the
# json-heavy files compile about 40% slower (12.8 s against 9.2 s for incident_json.cc).
string(REGEX REPLACE "(^| )-g( |$)" "\\1-g1\\2" CMAKE_CXX_FLAGS_RELWITHDEBINFO "${CMAKE_CXX_FLAGS_RELWITHDEBINFO}")

add_library(sendguard_warnings INTERFACE)
target_compile_options(sendguard_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)

if(SENDGUARD_SANITIZE)
  # -O1, as the sanitizers' own documentation suggests: it halves the instrumented compile
  # (incident_json.cc 31 s at -O2 -g, 15 s at -O1 -g1) and keeps reports exact.
  string(REPLACE "-O2" "-O1" CMAKE_CXX_FLAGS_RELWITHDEBINFO "${CMAKE_CXX_FLAGS_RELWITHDEBINFO}")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  # GCC's documentation warns that sanitizers make -Wmaybe-uninitialized give false positives;
  # here it fires inside libstdc++'s <regex> compiler. The release tree keeps the warning.
  add_compile_options(-Wno-maybe-uninitialized)
  add_link_options(-fsanitize=address,undefined)
endif()

option(SENDGUARD_FUZZ "Build the fuzz targets with libFuzzer (clang; every library instrumented with ASan+UBSan)" OFF)
if(SENDGUARD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SENDGUARD_FUZZ needs clang (CC=clang CXX=clang++); scripts/fuzz.sh sets it up")
  endif()
  # Coverage for libFuzzer in every library; libFuzzer's own main only in the targets (fuzz/).
  # -O1, as for the sanitizer tree: the tree is built on every CI run and compiles much faster.
  string(REPLACE "-O2" "-O1" CMAKE_CXX_FLAGS_RELWITHDEBINFO "${CMAKE_CXX_FLAGS_RELWITHDEBINFO}")
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Unity builds for the libraries (and the command line): most of a tree's compile time is the
# code generated for the same templates (nlohmann::json above all) in every source file, and
# compiling a library's files sixteen at a time generates it once per sixteen (measured in
# docs/PERFORMANCE.md, "Test-suite cost"). A file-local helper's name must therefore
# be unique within its library or test program.
option(SENDGUARD_UNITY_BUILD "compile each library's sources in batches (unity build)" ON)
function(sendguard_unity_build)
  if(SENDGUARD_UNITY_BUILD)
    set_target_properties(${ARGN} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 16)
  endif()
endfunction()

# The tests' own code (test programs and test-only helper programs) is compiled more cheaply
# than the code under test, which is in the libraries and keeps the tree's full flags: over half
# of each tree's compile was test programs, and their speed or instrumentation finds nothing the
# libraries' does not. Measured on hold_e2e_test (docs/PERFORMANCE.md, "Test-suite cost"):
# -O1 in the release tree (33 s -> 23 s), and in the sanitizer tree without UBSan's alignment and
# null checks (the two that cost most to compile there; ASan still reports a null dereference)
# and without ASan's use-after-scope checks (68 s -> about 37 s).
function(sendguard_test_code target)
  if(SENDGUARD_SANITIZE)
    target_compile_options(${target} PRIVATE -fno-sanitize=alignment,null -fno-sanitize-address-use-after-scope)
  elseif(CMAKE_BUILD_TYPE MATCHES "^(RelWithDebInfo|Release)$")
    target_compile_options(${target} PRIVATE -O1)
  endif()
endfunction()

# sendguard_add_module(NAME SOURCES...): a static library sendguard_NAME with its public
# headers under NAME/include/sendguard/NAME/.
function(sendguard_add_module name)
  add_library(sendguard_${name} STATIC ${ARGN})
  sendguard_unity_build(sendguard_${name})
  add_library(sendguard::${name} ALIAS sendguard_${name})
  target_include_directories(sendguard_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(sendguard_${name} PRIVATE sendguard_warnings)
endfunction()

# sendguard_add_test(NAME SOURCES... [SERIAL] LIBS libs...): one GoogleTest binary registered
# with ctest; SERIAL runs its tests alone (RUN_SERIAL: real MTAs, daemons and timing). The
# property is given here because gtest_discover_tests sets no NAME_TESTS variable to set it on later.
# The tests' PostgreSQL server: a private cluster on loopback, started once before the tests
# that need it (the CTest fixture `postgres`) and stopped after. The sanitizer tree has its own
# port, so both trees' tests may run at once.
if(SENDGUARD_SANITIZE)
  set(SENDGUARD_TEST_PG_PORT 25433)
else()
  set(SENDGUARD_TEST_PG_PORT 25432)
endif()
set(SENDGUARD_TEST_PG "host=127.0.0.1 port=${SENDGUARD_TEST_PG_PORT} user=postgres connect_timeout=5")
set(SENDGUARD_TEST_PG_DIR "/tmp/sendguard-pg-test-${SENDGUARD_TEST_PG_PORT}")
function(sendguard_add_postgres_fixture)
  add_test(NAME postgres_start COMMAND bash ${PROJECT_SOURCE_DIR}/tests/support/postgres/pg_test_server.sh start
    ${SENDGUARD_TEST_PG_DIR} ${SENDGUARD_TEST_PG_PORT})
  add_test(NAME postgres_stop COMMAND bash ${PROJECT_SOURCE_DIR}/tests/support/postgres/pg_test_server.sh stop
    ${SENDGUARD_TEST_PG_DIR})
  set_tests_properties(postgres_start PROPERTIES FIXTURES_SETUP postgres TIMEOUT 120)
  set_tests_properties(postgres_stop PROPERTIES FIXTURES_CLEANUP postgres TIMEOUT 120)
endfunction()

# Every test's environment. OMP_THREAD_LIMIT: Tesseract's OpenMP threads, one per recognition
# (sendguard/ocr/ocr.h). SENDGUARD_RULES_CACHE: one compiled-rules cache for every process of
# the run (config.h, RulesCacheDir), so each daemon and command a test starts loads the shipped
# rules without compiling them again (under ASan a compile is seconds).
# (Two properties of one value each: gtest_discover_tests cannot pass on a list.)
set(SENDGUARD_TEST_ENV ENVIRONMENT OMP_THREAD_LIMIT=1
    ENVIRONMENT_MODIFICATION "SENDGUARD_RULES_CACHE=set:${CMAKE_BINARY_DIR}/rules-cache")

# POSTGRES: the test uses the tests' PostgreSQL server (SENDGUARD_TEST_PG; fixture `postgres`).
# COST n: ctest -j starts tests of higher cost first (CI's fresh clone has no timings of its own
# yet): give it to a long test that may run beside others, so it starts at once instead of
# late, when the tests run alone (SERIAL) would wait for it with a core idle.
function(sendguard_add_test name)
  cmake_parse_arguments(T "SERIAL;POSTGRES" "COST" "LIBS" ${ARGN})
  if(NOT T_COST)
    set(T_COST 0)
  endif()
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  sendguard_unity_build(${name})
  sendguard_test_code(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main sendguard_warnings)
  set(fixture "")
  if(T_POSTGRES)
    target_compile_definitions(${name} PRIVATE SENDGUARD_TEST_PG="${SENDGUARD_TEST_PG}")
    set(fixture postgres)
  endif()
  if(SENDGUARD_SANITIZE)
    # Instrumented start-up is slow: one process per binary, not per test case.
    add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
    set_tests_properties(${name} PROPERTIES TIMEOUT 1200 ${SENDGUARD_TEST_ENV} RUN_SERIAL ${T_SERIAL} COST ${T_COST}
      FIXTURES_REQUIRED "${fixture}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600 ${SENDGUARD_TEST_ENV}
      RUN_SERIAL ${T_SERIAL} COST ${T_COST} FIXTURES_REQUIRED "${fixture}")  # an empty last value is dropped whole
  endif()
endfunction()
