# Sanitizer and fuzzing switches (issue 9). Included from the top-level CMakeLists.txt before
# any target is made, so every library and executable of the build gets the same flags.
#
#   RSREFSEG_SANITIZE=ON  AddressSanitizer + UndefinedBehaviorSanitizer on every target
#                         (preset "asan", GCC or Clang).
#   RSREFSEG_FUZZ=ON      libFuzzer targets in tests/fuzz (preset "fuzz", Clang only): every
#                         library is built with coverage (fuzzer-no-link) + ASan + UBSan and only
#                         core/ and the fuzz targets are configured.
option(RSREFSEG_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(RSREFSEG_FUZZ "Build the libFuzzer targets of tests/fuzz (Clang)" OFF)

if(RSREFSEG_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RSREFSEG_FUZZ needs Clang (libFuzzer): configure with the 'fuzz' preset "
                        "or -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
endif()

if(RSREFSEG_SANITIZE OR RSREFSEG_FUZZ)
    # Any UB report is an error (the process exits non-zero), as an ASan report is.
    set(_rsrefseg_sanitizers -fsanitize=address,undefined -fno-sanitize-recover=undefined
                             -fno-omit-frame-pointer)
    add_compile_options(${_rsrefseg_sanitizers})
    add_link_options(-fsanitize=address,undefined)
    if(RSREFSEG_FUZZ)
        add_compile_options(-fsanitize=fuzzer-no-link)
    endif()
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        # The project's warning set names GCC-only options (-Wshadow=local).
        add_compile_options(-Wno-unknown-warning-option)
    endif()
endif()
