# Install-time part of cmake/install.cmake: the files whose paths depend on
# the prefix chosen at install time (cmake --install --prefix P), so that one
# build installs to /usr/local (make install) and to /usr (the .deb).
#
# The sources (deploy/*.service, deploy/phas.yaml) are written for the .deb's
# layout: /usr/bin/phas, /etc/phas/phas.yaml, /usr/share/phas,
# /usr/share/doc/phas. Under another prefix these paths are rewritten to
# P/bin/phas, P/etc/phas/phas.yaml, P/share/phas and P/share/doc/phas, so
# units, config and binary always agree.
#
# Expects PHAS_SOURCE_DIR and PHAS_BUILD_DIR (set by install(CODE)).
set(_prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/+$" "" _prefix "${_prefix}")
if(_prefix STREQUAL "/usr")
  set(_unitdir "/lib/systemd/system")
  set(_sysconfdir "/etc")
else()
  set(_unitdir "${_prefix}/lib/systemd/system")
  set(_sysconfdir "${_prefix}/etc")
endif()

# The rewritten files are staged in the build tree, one directory per
# DESTDIR + prefix, so that concurrent installs do not share them.
string(MD5 _key "$ENV{DESTDIR}|${_prefix}")
set(_stage "${PHAS_BUILD_DIR}/install-layout/${_key}")
file(MAKE_DIRECTORY "${_stage}")

function(phas_rewrite src dst)
  file(READ "${src}" text)
  string(REPLACE "/usr/bin/phas" "${_prefix}/bin/phas" text "${text}")
  string(REPLACE "/etc/phas/" "${_sysconfdir}/phas/" text "${text}")
  string(REPLACE "/usr/share/phas/" "${_prefix}/share/phas/" text "${text}")
  string(REPLACE "/usr/share/doc/phas/" "${_prefix}/share/doc/phas/" text
                 "${text}")
  file(WRITE "${dst}" "${text}")
endfunction()

foreach(_unit phas-scaler.service phas-predictor.service)
  phas_rewrite("${PHAS_SOURCE_DIR}/deploy/${_unit}" "${_stage}/${_unit}")
  file(INSTALL "${_stage}/${_unit}" DESTINATION "${_unitdir}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endforeach()

phas_rewrite("${PHAS_SOURCE_DIR}/deploy/phas.yaml" "${_stage}/phas.yaml")
file(INSTALL "${_stage}/phas.yaml"
     DESTINATION "${_prefix}/share/doc/phas/examples"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# The config is the administrator's once installed: an existing one is kept
# (the example stays in share/doc/phas/examples).
if(EXISTS "$ENV{DESTDIR}${_sysconfdir}/phas/phas.yaml")
  message(STATUS "Kept: $ENV{DESTDIR}${_sysconfdir}/phas/phas.yaml "
                 "(the example is in ${_prefix}/share/doc/phas/examples)")
else()
  file(INSTALL "${_stage}/phas.yaml" DESTINATION "${_sysconfdir}/phas"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
