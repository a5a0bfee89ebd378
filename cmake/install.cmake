# `cmake --install`: cairnd in sbin/, cairn in bin/, the man pages, the example configuration and zones, a
# configuration in SYSCONFDIR/cairn when there is none yet, and the systemd unit, tmpfiles.d and sysusers.d
# entries. The Debian package (debian/) installs through these rules with the prefix /usr.
include(GNUInstallDirs)

# Where the unit goes: under the prefix by default; Debian's rules give /lib/systemd/system. The paths
# written into the unit, the man pages and the binaries (the default configuration) are the ones of the
# prefix given when configuring, so configure with -DCMAKE_INSTALL_PREFIX rather than `--install --prefix`.
set(CAIRN_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "where the systemd unit is installed (relative: under the prefix)")

set(man_out ${CMAKE_BINARY_DIR}/man)
foreach(page cairnd.8 cairn.8)
  configure_file(${PROJECT_SOURCE_DIR}/docs/man/${page} ${man_out}/${page} @ONLY)
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/docs/man/cairn-named.conf.5.in ${man_out}/cairn-named.conf.5.template @ONLY)
add_executable(named_conf_page ${PROJECT_SOURCE_DIR}/docs/man/named_conf_page.cpp)
target_link_libraries(named_conf_page PRIVATE cairn_config)
add_custom_command(
  OUTPUT ${man_out}/cairn-named.conf.5
  COMMAND named_conf_page ${man_out}/cairn-named.conf.5.template ${man_out}/cairn-named.conf.5
  DEPENDS named_conf_page ${man_out}/cairn-named.conf.5.template
  COMMENT "Writing cairn-named.conf(5) from the grammar table")
add_custom_target(man_pages ALL DEPENDS ${man_out}/cairn-named.conf.5)

configure_file(${PROJECT_SOURCE_DIR}/dist/cairnd.service.in ${CMAKE_BINARY_DIR}/dist/cairnd.service @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/dist/named.conf.in ${CMAKE_BINARY_DIR}/dist/named.conf @ONLY)

install(TARGETS cairnd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS cairn RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${man_out}/cairnd.8 ${man_out}/cairn.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${man_out}/cairn-named.conf.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${PROJECT_SOURCE_DIR}/examples/named.conf DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${CMAKE_BINARY_DIR}/dist/named.conf DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        RENAME named.conf.service)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/zones DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${CMAKE_BINARY_DIR}/dist/cairnd.service DESTINATION ${CAIRN_SYSTEMD_UNITDIR})
install(FILES ${PROJECT_SOURCE_DIR}/dist/cairn.tmpfiles DESTINATION lib/tmpfiles.d
        RENAME cairn.conf)
install(FILES ${PROJECT_SOURCE_DIR}/dist/cairn.sysusers DESTINATION lib/sysusers.d
        RENAME cairn.conf)
# The service's configuration, only when there is none: an install never overwrites an operator's file.
install(CODE "
  set(conf \"\$ENV{DESTDIR}${CAIRN_CONFIG_DIR}/named.conf\")
  if(NOT EXISTS \"\${conf}\")
    file(INSTALL ${CMAKE_BINARY_DIR}/dist/named.conf DESTINATION \"${CAIRN_CONFIG_DIR}\")  # under DESTDIR
  else()
    message(STATUS \"Keeping: \${conf}\")
  endif()")
# The working directory; the run directory too unless it is under /run, which is made at boot (tmpfiles.d,
# RuntimeDirectory=) and which packages must not ship.
install(DIRECTORY DESTINATION ${CAIRN_STATE_DIR})
if(NOT CAIRN_RUN_DIR MATCHES "^/run/")
  install(DIRECTORY DESTINATION ${CAIRN_RUN_DIR})
endif()
