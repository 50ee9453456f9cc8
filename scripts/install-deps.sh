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
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
# Node.js and npm for the browser tests (playwright-core), from Debian unless a Node.js with npm
# is already installed (another Node.js, e.g. NodeSource's, conflicts with Debian's npm).
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi
