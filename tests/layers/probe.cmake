# Builds one layer probe (cmake -P): -DBUILD_DIR, -DTARGET, -DHEADER (the
# header the probe tries), -DEXPECT=fail|ok. "fail" passes only when the
# compiler stops at HEADER, because it cannot find it or because a private
# header refuses it; a probe failing for any other reason fails the test.
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(EXPECT STREQUAL "ok")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TARGET}: a right-way include did not build:\n${out}")
  endif()
  message(STATUS "${TARGET}: builds, as it should")
elseif(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET}: the wrong-way include of ${HEADER} built: the layering is not enforced")
else()
  # GCC "x.h: No such file or directory", Clang "'x.h' file not found", or
  # the #error of a private header.
  string(REGEX MATCH "[^\n]*(error: ${HEADER}: No such file or directory|error: '${HEADER}' file not found|#error \"${HEADER} is private to)[^\n]*"
         why "${out}")
  if(NOT why)
    message(FATAL_ERROR "${TARGET}: failed, but not at ${HEADER}:\n${out}")
  endif()
  message(STATUS "${TARGET}: refused as it should be: ${why}")
endif()
