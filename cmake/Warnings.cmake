# -Wnull-dereference is left out: GCC 12 reports it from inside libstdc++ at -O2 (false positives).
set(KOI_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(KOI_WERROR)
  list(APPEND KOI_WARNINGS -Werror)
endif()

option(KOI_SANITIZE_THREAD "Build with ThreadSanitizer (only the concurrency tests are meant to run)" OFF)
if(KOI_SANITIZE_THREAD AND (KOI_SANITIZE OR KOI_FUZZ))
  message(FATAL_ERROR "KOI_SANITIZE_THREAD cannot be combined with KOI_SANITIZE or KOI_FUZZ "
                      "(ThreadSanitizer and AddressSanitizer do not mix)")
endif()
if(KOI_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "KOI_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++-14")
endif()

# With KOI_FUZZ every target is instrumented for coverage (fuzzer-no-link) so the fuzz/ executables,
# which add -fsanitize=fuzzer at link time, see the real library's branches; ASan+UBSan catch the bugs.
function(koi_target_defaults target)
  target_compile_options(${target} PRIVATE ${KOI_WARNINGS})
  if(KOI_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(KOI_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                                             -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(KOI_SANITIZE_THREAD)
    target_compile_options(${target} PRIVATE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  endif()
endfunction()
