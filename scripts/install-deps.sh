#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every build, test and run dependency of sendguard from Debian 12's packages.
# Idempotent: safe to run again. Uses sudo when not run as root.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config git
  # the Debian package (cpack computes library dependencies with dpkg-shlibdeps; postinst uses adduser)
  dpkg-dev adduser
  # scanning engine and message parsing
  libhyperscan-dev libre2-dev libmimetic-dev libxml2-dev libssl-dev
  # rules, command line, output
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  # daemon and core (milter, HTTP client and server, store)
  libmilter-dev libcurl4-openssl-dev libsqlite3-dev sqlite3 libmicrohttpd-dev
  # the shared store of several gateways and cores (libpq); the tests run their own PostgreSQL 15
  # server on loopback (tests/support/pg_test_server.sh), so no cluster is created or started here
  libpq-dev postgresql-15
  # web pages: argon2id password hashes (libsodium); browser tests (Debian's Chromium, driven by playwright-core from npm)
  libsodium-dev chromium
  # attachments (libmagic, libarchive, poppler) for the extractors
  libmagic-dev libarchive-dev libpoppler-cpp-dev
  # text in pictures: Tesseract 5 and its English and Welsh models; leptonica decodes the images
  libtesseract-dev libleptonica-dev tesseract-ocr-eng tesseract-ocr-cym
  # letters and the ICO report as PDF: Pango lays the text out, cairo writes the PDF; DejaVu fonts
  libpango1.0-dev libcairo2-dev fonts-dejavu-core
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev miltertest swaks curl
  # the letters' and the ICO report's PDFs turned into images in the browser test
  poppler-utils
  # end-to-end tests: a real Postfix (started by the harness on loopback ports, never the system one);
  # the package test's private Postfix logs staff in as the shipped snippet requires: Cyrus SASL's
  # saslpasswd2 for its sasldb, TLS for swaks (STARTTLS) and openssl for a throwaway certificate
  postfix sasl2-bin libsasl2-modules libnet-ssleay-perl openssl
)

export DEBIAN_FRONTEND=noninteractive
# Postfix installs unconfigured: the tests run their own instance from a private config directory.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
# Debian's postgresql-15 creates and starts a cluster on port 5432 when it is first installed,
# unless /etc/postgresql-common/createcluster.conf says create_main_cluster = false: sendguard's
# embedded default needs none, and its tests start a private one. The file is postgresql-common's
# (ucf-managed), so it is written only before that package is first installed, and ucf is told
# to keep it (UCF_FORCE_CONFFOLD) rather than ask; where postgresql-common is already there,
# the machine's own setting stands.
if ! dpkg-query -W -f='${Status}' postgresql-common 2>/dev/null | grep -q "install ok installed"; then
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
export UCF_FORCE_CONFFOLD=1
$SUDO apt-get update -q
$SUDO env UCF_FORCE_CONFFOLD=1 apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
# Node.js and npm for the browser tests (playwright-core), from Debian unless a Node.js with npm
# is already installed (another Node.js, e.g. NodeSource's, conflicts with Debian's npm).
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi

# Sendmail for tests/sendmail_e2e_test.cc, unpacked into a private prefix and never installed:
# Debian's sendmail-bin conflicts with postfix (both provide mail-transport-agent), and the
# Postfix tests need postfix installed. So the three packages are fetched with `apt-get
# download` and unpacked with `dpkg -x` under SENDMAIL_PREFIX (no maintainer scripts run,
# nothing in /etc/mail touched; the test builds its own sendmail.cf with m4 from the unpacked
# sendmail-cf). Only the shared libraries the binary links (checked with ldd) and m4 are
# installed. Skipped when the same version is already unpacked.
SENDMAIL_PREFIX=/opt/sendguard-test/sendmail
SENDMAIL_PACKAGES=(sendmail-bin sendmail-base sendmail-cf)
$SUDO apt-get install -y -q --no-install-recommends libdb5.3 libldap-2.5-0 liblockfile1 libnsl2 libsasl2-2 libwrap0 m4
sendmail_version="$(apt-cache policy sendmail-bin | awk '/Candidate:/ {print $2}')"
if [ -z "$sendmail_version" ] || [ "$sendmail_version" = "(none)" ]; then
  echo "install-deps: no sendmail-bin candidate (apt-get update?)" >&2
  exit 1
fi
if [ "$(cat "$SENDMAIL_PREFIX/VERSION" 2>/dev/null || true)" != "$sendmail_version" ]; then
  sendmail_tmp="$(mktemp -d)"
  (cd "$sendmail_tmp" && $SUDO apt-get download -q "${SENDMAIL_PACKAGES[@]/%/=$sendmail_version}")
  $SUDO rm -rf "$SENDMAIL_PREFIX"
  $SUDO mkdir -p "$SENDMAIL_PREFIX"
  for deb in "$sendmail_tmp"/*.deb; do $SUDO dpkg -x "$deb" "$SENDMAIL_PREFIX"; done
  echo "$sendmail_version" | $SUDO tee "$SENDMAIL_PREFIX/VERSION" >/dev/null
  rm -rf "$sendmail_tmp"
fi
if ldd "$SENDMAIL_PREFIX/usr/libexec/sendmail/sendmail" | grep -q 'not found'; then
  echo "install-deps: the unpacked sendmail misses a shared library:" >&2
  ldd "$SENDMAIL_PREFIX/usr/libexec/sendmail/sendmail" | grep 'not found' >&2
  exit 1
fi
