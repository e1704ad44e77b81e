# linux/arm64 with Debian's cross toolchain (g++-aarch64-linux-gnu) and multiarch :arm64 -dev
# packages, as plugin/build-release.sh uses it. Targets built for the tests run under
# qemu-user-static (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
# Libraries and their CMake packages from /usr/lib/aarch64-linux-gnu, never the host's; the
# architecture-independent ones (CLI11, nlohmann-json, doctest) from /usr/share and /usr/lib/cmake.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
