# What `make install` (cmake --install) puts where, under the prefix P
# (--prefix at install time; default /usr/local; DESTDIR honoured):
#   P/bin/phas                        the binary
#   P/share/phas/models/              the shipped model bundles; the binary
#                                     finds them as <exe>/../share/phas
#                                     (src/common/paths.h)
#   P/share/phas/traces/              the bundled traces (demo, backtests),
#                                     with their licenses/ and README.md
#   P/share/doc/phas/                 README, docs, copyright (attributions)
#   P/share/doc/phas/examples/        phas.yaml, iam-policy.json, and the
#                                     rest of deploy/ (Prometheus rules)
#                                     but the units and packaging files
#   UNITDIR/phas-scaler.service       the systemd units, their paths
#   UNITDIR/phas-predictor.service    rewritten for P (cmake/install_layout.cmake)
#   P/lib/sysusers.d/phas.conf        the `phas` system user
#   SYSCONF/phas/phas.yaml            the example config, never overwritten
# where, for P = /usr (the .deb), UNITDIR = /lib/systemd/system and
# SYSCONF = /etc; otherwise P/lib/systemd/system and P/etc.
# docs/install.md describes the layout and the .deb built from it.
include(GNUInstallDirs)

install(TARGETS phas RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/data/models/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/phas/models)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/data/traces/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/phas/traces)
install(FILES ${CMAKE_SOURCE_DIR}/README.md
              ${CMAKE_SOURCE_DIR}/deploy/debian/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
# The units are installed where systemd reads them and phas.yaml with its
# paths for the prefix (both below); the packaging files are not examples.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/deploy/
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        PATTERN "debian" EXCLUDE PATTERN "*.service" EXCLUDE
        PATTERN "*.sysusers" EXCLUDE PATTERN "phas.yaml" EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/phas.sysusers
        DESTINATION lib/sysusers.d
        RENAME phas.conf)
# Paths that depend on the prefix chosen at install time.
install(CODE "set(PHAS_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")
set(PHAS_BUILD_DIR \"${CMAKE_BINARY_DIR}\")")
install(SCRIPT ${CMAKE_SOURCE_DIR}/cmake/install_layout.cmake)
