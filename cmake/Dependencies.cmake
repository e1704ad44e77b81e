# Every dependency comes from a Debian package (see .ci/install-deps); nothing is vendored.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# The release build (plugin/build-release.sh, issue 22): every executable fully static, so the
# one file runs on any Linux of its architecture. OpenSSL, yaml-cpp, zlib and brotli come from
# their Debian packages' static archives; fmt, cpp-httplib and yaml-cpp (whose -dev package
# installs for one architecture at a time) are built by the release step from their Debian
# source packages into KOI_RELEASE_DEPS
# (plugin/release-deps.sh). The developer build is unchanged (shared libraries).
option(KOI_STATIC "Link every executable fully static (the release build)" OFF)
set(KOI_RELEASE_DEPS "" CACHE PATH "Prefix with fmt, yaml-cpp and cpp-httplib static archives (plugin/release-deps.sh)")
if(KOI_STATIC)
  if(NOT EXISTS "${KOI_RELEASE_DEPS}/lib/libcpp-httplib.a")
    message(FATAL_ERROR "KOI_STATIC needs KOI_RELEASE_DEPS, a prefix made by plugin/release-deps.sh "
                        "(no ${KOI_RELEASE_DEPS}/lib/libcpp-httplib.a)")
  endif()
  set(OPENSSL_USE_STATIC_LIBS TRUE)
  set(fmt_DIR "${KOI_RELEASE_DEPS}/lib/cmake/fmt")
  set(yaml-cpp_DIR "${KOI_RELEASE_DEPS}/lib/cmake/yaml-cpp")
  set(KOI_YAML_CPP_ARCHIVE "${KOI_RELEASE_DEPS}/lib/libyaml-cpp.a")
  add_link_options(-static-pie)
  add_compile_definitions(KOI_STATIC_BUILD)
endif()
find_package(OpenSSL 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(doctest REQUIRED)
# Debian's cpp-httplib is a compiled library; its .pc carries the feature defines
# (OpenSSL, zlib, brotli) that must match the ABI it was built with.
if(KOI_STATIC)
  # The same feature defines as Debian's build (its cpp-httplib.pc), so both builds behave alike.
  foreach(archive z brotlienc brotlidec brotlicommon)
    find_library(KOI_${archive}_ARCHIVE NAMES lib${archive}.a REQUIRED)
  endforeach()
  add_library(koi_cpp_httplib STATIC IMPORTED)
  set_target_properties(
    koi_cpp_httplib
    PROPERTIES IMPORTED_LOCATION "${KOI_RELEASE_DEPS}/lib/libcpp-httplib.a"
               INTERFACE_INCLUDE_DIRECTORIES "${KOI_RELEASE_DEPS}/include"
               INTERFACE_COMPILE_DEFINITIONS
               "CPPHTTPLIB_OPENSSL_SUPPORT;CPPHTTPLIB_ZLIB_SUPPORT;CPPHTTPLIB_BROTLI_SUPPORT"
               INTERFACE_LINK_LIBRARIES
               "OpenSSL::SSL;OpenSSL::Crypto;${KOI_brotlienc_ARCHIVE};${KOI_brotlidec_ARCHIVE};${KOI_brotlicommon_ARCHIVE};${KOI_z_ARCHIVE};Threads::Threads")
  set(KOI_CPP_HTTPLIB koi_cpp_httplib)
else()
  pkg_check_modules(CPPHTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib>=0.11)
  set(KOI_CPP_HTTPLIB PkgConfig::CPPHTTPLIB)
endif()
# Start-up time: yaml-cpp's shared library costs the dynamic loader thousands of symbol
# relocations on every run, `--help` included (bench/RESULTS.md). Debian's libyaml-cpp-dev ships
# the archive too; the shared library is used where it is missing or with -DKOI_STATIC_YAML_CPP=OFF.
option(KOI_STATIC_YAML_CPP "Link yaml-cpp's static archive when there is one" ON)
set(KOI_YAML_CPP yaml-cpp)
if(KOI_STATIC_YAML_CPP)
  find_library(KOI_YAML_CPP_ARCHIVE NAMES libyaml-cpp.a)
  if(KOI_YAML_CPP_ARCHIVE)
    add_library(koi_yaml_cpp_static STATIC IMPORTED)
    set_target_properties(koi_yaml_cpp_static PROPERTIES IMPORTED_LOCATION "${KOI_YAML_CPP_ARCHIVE}")
    get_target_property(koi_yaml_cpp_includes yaml-cpp INTERFACE_INCLUDE_DIRECTORIES)
    if(koi_yaml_cpp_includes)
      set_target_properties(koi_yaml_cpp_static PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${koi_yaml_cpp_includes}")
    endif()
    set(KOI_YAML_CPP koi_yaml_cpp_static)
  endif()
endif()
