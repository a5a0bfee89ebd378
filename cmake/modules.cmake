# cairn_module(NAME [USES module...] [LIBS external...]): a static library from src/NAME/**/*.cpp (an
# interface library while the folder has no sources yet), linked to the modules it builds on. Sources are
# globbed so that adding a file to a module needs no edit here.
function(cairn_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "USES;LIBS")
  # The layer order, for the unit tests and the layering check (tests/CMakeLists.txt): one entry per
  # module, "name:dep,dep".
  string(REPLACE ";" "," uses "${arg_USES}")
  set_property(GLOBAL APPEND PROPERTY CAIRN_MODULES "${name}:${uses}")
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  set(deps ${arg_LIBS})
  foreach(dep IN LISTS arg_USES)
    list(APPEND deps cairn_${dep})
  endforeach()
  if(sources)
    add_library(cairn_${name} STATIC ${sources})
    target_include_directories(cairn_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(cairn_${name} PUBLIC ${deps})
  else()
    add_library(cairn_${name} INTERFACE)
    target_include_directories(cairn_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(cairn_${name} INTERFACE ${deps})
  endif()
endfunction()

# cairn_unit_tests(NAME): one GoogleTest binary per module from tests/unit/NAME/*_test.cpp.
function(cairn_unit_tests name)
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/unit/${name}/*_test.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(unit_${name} ${sources})
  target_link_libraries(unit_${name} PRIVATE cairn_${name} GTest::gtest GTest::gtest_main)
  target_compile_definitions(unit_${name} PRIVATE CAIRN_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data")
  gtest_discover_tests(unit_${name} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
endfunction()
