# Every dependency comes from a Debian package (see .ci/install-deps); nothing is vendored.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(doctest REQUIRED)
# Debian's cpp-httplib is a compiled library; its .pc carries the feature defines
# (OpenSSL, zlib, brotli) that must match the ABI it was built with.
pkg_check_modules(CPPHTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib>=0.11)
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
