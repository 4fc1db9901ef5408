# rsrefseg_set_warnings(target): the warning level every target of this project builds with.
function(rsrefseg_set_warnings target)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                                 -Wnon-virtual-dtor -Wno-unused-parameter)
    endif()
endfunction()
