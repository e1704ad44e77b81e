# -Wnull-dereference is left out: GCC 12 reports it from inside libstdc++ at -O2 (false positives).
set(KOI_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)
if(KOI_WERROR)
  list(APPEND KOI_WARNINGS -Werror)
endif()

function(koi_target_defaults target)
  target_compile_options(${target} PRIVATE ${KOI_WARNINGS})
  if(KOI_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
