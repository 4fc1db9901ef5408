# Build speed: ccache and one precompiled LibTorch header (README, Building).
#
# ccache: every compile goes through it when it is installed. Paths are made relative to the
# source folder and the working folder is left out of the hash, so a fresh clone in another
# folder (CI) hits the cache in the home folder that earlier builds filled. The sloppiness
# settings are the ones ccache needs for precompiled headers.
option(RSREFSEG_CCACHE "Compile through ccache when it is installed" ON)
find_program(RSREFSEG_CCACHE_PROGRAM ccache)
if(RSREFSEG_CCACHE AND RSREFSEG_CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(_rsrefseg_launcher ${CMAKE_COMMAND} -E env
        "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}" CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=20G
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        ${RSREFSEG_CCACHE_PROGRAM})
    set(CMAKE_C_COMPILER_LAUNCHER ${_rsrefseg_launcher})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${_rsrefseg_launcher})
    message(STATUS "Compiling through ${RSREFSEG_CCACHE_PROGRAM}")
endif()

# Precompiled LibTorch: parsing <torch/torch.h> costs ~24 s of CPU per translation unit, loading
# it precompiled ~14 s (measured with g++ 12 -O3: an empty file with the header, -fsyntax-only,
# against the same file with the .gch). It is compiled once per kind of target
# (position-independent libraries, executables) and reused by the translation units that include
# <torch/torch.h> themselves or through their own header. Files that include only the smaller
# torch headers skip it: for them the 570 MB header would cost more than it saves (loralinear.cpp:
# 16.8 s without, 19.0 s with). GCC checks that the flags match and falls back to the plain header
# (with a -Winvalid-pch warning) if not.
option(RSREFSEG_PCH "Precompile the LibTorch headers" ON)

function(_rsrefseg_torch_pch_host name pic)
    if(TARGET ${name})
        return()
    endif()
    add_library(${name} OBJECT ${PROJECT_SOURCE_DIR}/cmake/torchpch.cpp)
    target_link_libraries(${name} PRIVATE ${TORCH_LIBRARIES})
    target_compile_options(${name} PRIVATE ${TORCH_CXX_FLAGS})
    if(pic)
        set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    endif()
    target_precompile_headers(${name} PRIVATE <torch/torch.h>)
    rsrefseg_set_warnings(${name})
endfunction()

# rsrefseg_torch_pch(<target>): the target's sources that include <torch/torch.h> (directly or
# through their own header) reuse the precompiled header. Targets that link Qt are compiled with
# -fPIC (Qt requires it), the others as the compiler's default: each kind gets the host compiled
# the same way, since GCC refuses a header precompiled with other -fpic/-fpie settings.
function(rsrefseg_torch_pch target)
    if(NOT RSREFSEG_PCH)
        return()
    endif()
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    get_target_property(binary_dir ${target} BINARY_DIR)
    set(uses_torch FALSE)
    foreach(src ${sources})
        if(NOT src MATCHES "\\.cpp$")
            continue()
        endif()
        if(NOT IS_ABSOLUTE ${src})
            set(src ${source_dir}/${src})
        endif()
        string(REGEX REPLACE "\\.cpp$" ".h" header ${src})
        set(hits "")
        foreach(file ${src} ${header})
            if(EXISTS ${file})
                file(STRINGS ${file} found REGEX "#include <torch/torch\\.h>" LIMIT_COUNT 1)
                list(APPEND hits ${found})
            endif()
        endforeach()
        if(hits)
            set(uses_torch TRUE)
        else()
            set_source_files_properties(${src} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
        endif()
    endforeach()
    if(NOT uses_torch)
        return()
    endif()
    # Qt's moc output for the target needs no torch either.
    set_source_files_properties(${binary_dir}/${target}_autogen/mocs_compilation.cpp TARGET_DIRECTORY ${target}
                                PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    get_target_property(pic ${target} POSITION_INDEPENDENT_CODE)
    get_target_property(libs ${target} LINK_LIBRARIES)
    if(pic OR "${libs}" MATCHES "Qt6::")
        _rsrefseg_torch_pch_host(rsrefseg_torch_pch_pic ON)
        target_precompile_headers(${target} REUSE_FROM rsrefseg_torch_pch_pic)
    else()
        _rsrefseg_torch_pch_host(rsrefseg_torch_pch_default "")
        target_precompile_headers(${target} REUSE_FROM rsrefseg_torch_pch_default)
    endif()
endfunction()
