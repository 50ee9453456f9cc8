# SPDX-License-Identifier: Apache-2.0
# Installation layout and the Debian package (CPack DEB): binaries, the shipped rules under
# /usr/share/sendguard/rules, the example config as /etc/sendguard/sendguard.yaml (a conffile),
# the systemd unit, the Postfix/Sendmail snippets and the docs. The maintainer scripts in
# packaging/debian/ create the `sendguard` system user, the secret and the state directory.
include(GNUInstallDirs)

install(DIRECTORY ${CMAKE_SOURCE_DIR}/rules/types ${CMAKE_SOURCE_DIR}/rules/dictionaries
  ${CMAKE_SOURCE_DIR}/rules/policies ${CMAKE_SOURCE_DIR}/rules/recipients ${CMAKE_SOURCE_DIR}/rules/templates
  DESTINATION share/sendguard/rules)
install(FILES ${CMAKE_SOURCE_DIR}/rules/context.yaml DESTINATION share/sendguard/rules)
# Licences: each linked library's, and why the package as a whole is GPL-3.0-or-later.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/copyright DESTINATION share/doc/sendguard)
install(FILES ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION share/doc/sendguard)
# Absolute destinations: /etc and /lib are outside the /usr prefix in a Debian package.
install(FILES ${CMAKE_SOURCE_DIR}/config/sendguard.yaml ${CMAKE_SOURCE_DIR}/config/core.yaml DESTINATION /etc/sendguard)
install(FILES ${CMAKE_SOURCE_DIR}/config/systemd/sendguard-milter.service
  ${CMAKE_SOURCE_DIR}/config/systemd/sendguard-core.service ${CMAKE_SOURCE_DIR}/config/systemd/sendguard-quarantine.service
  ${CMAKE_SOURCE_DIR}/config/systemd/sendguard-quarantine.timer ${CMAKE_SOURCE_DIR}/config/systemd/sendguard-retention.service
  ${CMAKE_SOURCE_DIR}/config/systemd/sendguard-retention.timer ${CMAKE_SOURCE_DIR}/config/systemd/sendguard-sync.service
  ${CMAKE_SOURCE_DIR}/config/systemd/sendguard-desk.service
  DESTINATION /lib/systemd/system)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/config/postfix ${CMAKE_SOURCE_DIR}/config/sendmail
  DESTINATION share/doc/sendguard/examples)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION share/doc/sendguard)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sendguard)
set(CPACK_PACKAGE_VENDOR "the sendguard project")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_CONTACT "sendguard maintainers <sendguard@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "outbound-mail data-loss prevention milter for UK public bodies")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_STRIP_FILES ON)  # debug info stays in the build tree
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # library dependencies computed by dpkg-shlibdeps
# The OCR models (data, not a library dpkg-shlibdeps can see); Welsh is a suggestion.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tesseract-ocr-eng")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postfix | sendmail, tesseract-ocr-cym")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/debian/postinst ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
  ${CMAKE_SOURCE_DIR}/packaging/debian/postrm ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
