# rsrefseg_add_qt_test(NAME <name> SOURCES <files...> LIBS <targets...> [LABELS <labels...>]
#                      [TIMEOUT <seconds>])
# One Qt Test executable per tested class, registered with CTest. Tests run headless
# (offscreen platform) and learn where the fixtures, the trees, the programs they run and the
# sentencepiece plugin are through environment variables set here (read with tests/testpaths.h and testpathsqt.h),
# so they run from any working directory. Never as compile definitions: an absolute path in a
# translation unit makes ccache miss it in a clone at another path (ARCHITECTURE.md, Build speed).
# ENV adds variables of the test's own (values may be generator expressions).
# OpenMP threads wait passively, as in the programs (core/common/openmpwaitpolicy.h): two tests
# run at once on two cores, and spinning threads would slow both.
set(RSREFSEG_TEST_DATA_DIR "${CMAKE_SOURCE_DIR}/tests/data" CACHE INTERNAL "")

function(rsrefseg_add_qt_test)
    cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
    if(NOT T_NAME OR NOT T_SOURCES)
        message(FATAL_ERROR "rsrefseg_add_qt_test needs NAME and SOURCES")
    endif()
    add_executable(${T_NAME} ${T_SOURCES})
    target_link_libraries(${T_NAME} PRIVATE Qt6::Test ${T_LIBS})
    target_include_directories(${T_NAME} PRIVATE "${CMAKE_SOURCE_DIR}/tests")
    set_target_properties(${T_NAME} PROPERTIES
        AUTOMOC ON
        RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests/bin")
    rsrefseg_set_warnings(${T_NAME})
    rsrefseg_torch_pch(${T_NAME})
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 300)
    endif()
    set(_env QT_QPA_PLATFORM=offscreen
             RSREFSEG_PLUGIN_DIR=${CMAKE_BINARY_DIR}/${CMAKE_INSTALL_LIBDIR}/rsrefseg
             OMP_WAIT_POLICY=PASSIVE
             RSREFSEG_TEST_DATA_DIR=${RSREFSEG_TEST_DATA_DIR}
             RSREFSEG_SOURCE_DIR=${CMAKE_SOURCE_DIR}
             RSREFSEG_BINARY_DIR=${CMAKE_BINARY_DIR}
             ${T_ENV})
    set_tests_properties(${T_NAME} PROPERTIES
        TIMEOUT ${T_TIMEOUT}
        LABELS "${T_LABELS}"
        ENVIRONMENT "${_env}")
endfunction()
