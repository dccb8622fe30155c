# Toolchain for Debian's wasi-sdk equivalent: clang-14 + wasi-libc + wasm32 libc++.
# Headers live in /usr/include/wasm32-wasi and libraries in /usr/lib/wasm32-wasi, which
# clang finds by itself for --target=wasm32-wasi. Do not set --sysroot: it breaks that lookup.
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
set(CMAKE_C_COMPILER clang-14)
set(CMAKE_CXX_COMPILER clang++-14)
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
# CMake 3.25 has no WASI platform module; these keep try_compile from linking a host binary.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
