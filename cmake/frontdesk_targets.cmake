# One helper per target kind: frontdesk_proto_library, frontdesk_library,
# frontdesk_binary and frontdesk_test. Project code builds with warnings as
# errors; generated protobuf code does not.

set(FRONTDESK_WARNINGS -Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter)

# frontdesk_proto_library(NAME <target> PROTOS <a.proto>... [GRPC] [DEPS <t>...])
# Generates C++ (and gRPC stubs with GRPC) with protos/ as the import root, so
# includes read "frontdesk/<area>/v1/x.pb.h".
function(frontdesk_proto_library)
  cmake_parse_arguments(P "GRPC" "NAME" "PROTOS;DEPS" ${ARGN})
  set(root "${PROJECT_SOURCE_DIR}/protos")
  set(out "${PROJECT_BINARY_DIR}/protos")
  set(srcs)
  foreach(proto ${P_PROTOS})
    get_filename_component(abs "${proto}" ABSOLUTE)
    file(RELATIVE_PATH rel "${root}" "${abs}")
    string(REGEX REPLACE "\\.proto$" "" stem "${rel}")
    set(gen "${out}/${stem}.pb.cc" "${out}/${stem}.pb.h")
    set(args --proto_path=${root} --cpp_out=${out})
    if(P_GRPC)
      list(APPEND gen "${out}/${stem}.grpc.pb.cc" "${out}/${stem}.grpc.pb.h")
      list(APPEND args --grpc_out=${out}
           --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
    endif()
    add_custom_command(
      OUTPUT ${gen}
      COMMAND ${CMAKE_COMMAND} -E make_directory "${out}"
      COMMAND protobuf::protoc ${args} "${abs}"
      DEPENDS "${abs}" protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    foreach(g ${gen})
      if(g MATCHES "\\.cc$")
        list(APPEND srcs "${g}")
      endif()
    endforeach()
  endforeach()
  add_library(${P_NAME} STATIC ${srcs})
  target_include_directories(${P_NAME} PUBLIC "${out}")
  target_link_libraries(${P_NAME} PUBLIC protobuf::libprotobuf ${P_DEPS})
  if(P_GRPC)
    target_link_libraries(${P_NAME} PUBLIC gRPC::grpc++)
  endif()
endfunction()

# frontdesk_library(NAME <target> SRCS <files>... [DEPS <t>...])
function(frontdesk_library)
  cmake_parse_arguments(L "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(${L_NAME} STATIC ${L_SRCS})
  target_include_directories(${L_NAME} PUBLIC "${PROJECT_SOURCE_DIR}")
  target_compile_options(${L_NAME} PRIVATE ${FRONTDESK_WARNINGS})
  target_link_libraries(${L_NAME} PUBLIC ${L_DEPS})
endfunction()

# frontdesk_binary(NAME <target> SRCS <files>... [DEPS <t>...])
function(frontdesk_binary)
  cmake_parse_arguments(B "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${B_NAME} ${B_SRCS})
  target_include_directories(${B_NAME} PRIVATE "${PROJECT_SOURCE_DIR}")
  target_compile_options(${B_NAME} PRIVATE ${FRONTDESK_WARNINGS})
  target_link_libraries(${B_NAME} PRIVATE ${B_DEPS})
endfunction()

# frontdesk_test(NAME <target> SRCS <files>... [DEPS <t>...] [LABELS <l>...])
# A GoogleTest binary registered with CTest. Unit tests carry the label "unit",
# tests that need the real broker and services carry "integration".
function(frontdesk_test)
  cmake_parse_arguments(T "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  target_include_directories(${T_NAME} PRIVATE "${PROJECT_SOURCE_DIR}")
  target_compile_options(${T_NAME} PRIVATE ${FRONTDESK_WARNINGS})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/tests")
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if("unit" IN_LIST T_LABELS)
    set_property(GLOBAL APPEND PROPERTY FRONTDESK_UNIT_TEST_TARGETS ${T_NAME})
  endif()
  # In a sanitizer build only compiled tests are worth running: they carry
  # the extra label "sanitized" (`ctest -L unit -L sanitized`).
  if(FRONTDESK_SANITIZE)
    list(APPEND T_LABELS sanitized)
  endif()
  if(FRONTDESK_SANITIZE MATCHES "thread")
    target_link_libraries(${T_NAME} PRIVATE frontdesk_absl_mutex_tsan)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
endfunction()
