# Build cost (issue 17): most of a clean build was parsing the same heavy headers (CLI11,
# nlohmann/json, fmt, doctest, the standard library) in ~140 translation units. Two remedies,
# both on by default and both switchable for bisecting a build problem:
# - precompiled headers: one header set per target, parsed once per build directory;
# - unity builds: a target's sources compiled a batch at a time, so each batch parses its
#   headers once. Sources are written so that this is safe (no clashing file-local names).
option(KOI_PCH "Precompile the heavy third-party and standard headers" ON)
option(KOI_UNITY "Compile each target's sources in batches (CMake unity build)" ON)
set(KOI_UNITY_BATCH 8 CACHE STRING "Sources per unity batch")
# RelWithDebInfo keeps line tables (-g1): backtraces, perf and sanitizer reports still name
# file:line, but full variable info (-g) cost 28 % of the library's compile time.
option(KOI_FULL_DEBUG_INFO "RelWithDebInfo with full debug info (-g) instead of line tables (-g1)" OFF)
if(NOT KOI_FULL_DEBUG_INFO)
  string(REGEX REPLACE "(^| )-g( |$)" "\\1-g1\\2" CMAKE_CXX_FLAGS_RELWITHDEBINFO "${CMAKE_CXX_FLAGS_RELWITHDEBINFO}")
endif()

set(KOI_PCH_HEADERS
    <algorithm> <array> <atomic> <chrono> <cstdint> <cstring> <filesystem> <fstream> <functional> <map>
    <memory> <mutex> <optional> <set> <sstream> <string> <string_view> <thread> <utility> <vector>
    <fmt/format.h> <nlohmann/json.hpp>)

# EXTRA_PCH: further headers for this target's PCH (e.g. <doctest/doctest.h> for the tests);
# PCH_FROM: reuse that target's PCH instead (small targets built with the same flags).
function(koi_build_speed target)
  cmake_parse_arguments(ARG "" "PCH_FROM" "EXTRA_PCH" ${ARGN})
  if(KOI_PCH AND ARG_PCH_FROM)
    target_precompile_headers(${target} REUSE_FROM ${ARG_PCH_FROM})
  elseif(KOI_PCH)
    target_precompile_headers(${target} PRIVATE ${KOI_PCH_HEADERS} ${ARG_EXTRA_PCH})
  endif()
  if(KOI_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${KOI_UNITY_BATCH})
  endif()
endfunction()
