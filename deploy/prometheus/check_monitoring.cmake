# Checks the monitoring files, run by CTest as
#   cmake -DMODE=rules|dashboard -DSOURCE_DIR=<repo> -P check_monitoring.cmake
#
# MODE=rules: `promtool check rules` and `promtool test rules` on the alerts.
# MODE=dashboard: the Grafana dashboard parses as JSON; every panel has a
#   unique id and Prometheus targets; every query is valid PromQL (each is
#   checked by promtool as a recording rule, with Grafana's variables filled
#   in).
# Both: every frontdesk_* metric the file uses is in the table of
#   deploy/prometheus/README.md and is defined in the services' code.
#
# promtool comes with Debian's prometheus package; without it the check
# fails and says so.
cmake_minimum_required(VERSION 3.25)

if(NOT MODE OR NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DMODE=rules|dashboard -DSOURCE_DIR=<repo> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
set(prom_dir "${SOURCE_DIR}/deploy/prometheus")
set(alerts "${prom_dir}/frontdesk-alerts.yml")
set(dashboard "${SOURCE_DIR}/deploy/grafana/frontdesk-clinic-day.json")

find_program(PROMTOOL promtool)
if(NOT PROMTOOL)
  message(FATAL_ERROR
    "promtool not found: install Debian's prometheus package "
    "(apt-get install prometheus; deploy/local/install-deps.sh does)")
endif()

# Runs promtool with ARGN in the rules folder; fails with its output.
function(promtool)
  execute_process(COMMAND "${PROMTOOL}" ${ARGN}
    WORKING_DIRECTORY "${prom_dir}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(JOIN " " command ${ARGN})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "promtool ${command} failed:\n${out}${err}")
  endif()
  message(STATUS "promtool ${command}: ok")
endfunction()

# Every metric name in `text` must be documented and defined.
function(check_metric_names what text)
  file(READ "${prom_dir}/README.md" readme)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/libs/*.cc" "${SOURCE_DIR}/services/*.cc")
  set(code "")
  foreach(s ${sources})
    if(NOT s MATCHES "_test\\.cc$")
      file(READ "${s}" c)
      string(APPEND code "${c}")
    endif()
  endforeach()
  string(REGEX MATCHALL "frontdesk_[a-z_]+" names "${text}")
  list(REMOVE_DUPLICATES names)
  set(problems "")
  foreach(n ${names})
    # A histogram's series are its name plus _bucket, _sum or _count.
    string(REGEX REPLACE "_(bucket|sum|count)$" "" base "${n}")
    string(FIND "${readme}" "`${base}`" in_readme)
    string(FIND "${code}" "\"${base}\"" in_code)
    if(in_readme EQUAL -1)
      string(APPEND problems "  ${base}: not in the table of deploy/prometheus/README.md\n")
    endif()
    if(in_code EQUAL -1)
      string(APPEND problems "  ${base}: no service defines it\n")
    endif()
  endforeach()
  if(problems)
    message(FATAL_ERROR "${what} uses unknown metrics:\n${problems}")
  endif()
  list(LENGTH names count)
  message(STATUS "${what}: ${count} metric names, all documented and defined")
endfunction()

if(MODE STREQUAL "rules")
  promtool(check rules "${alerts}")
  promtool(test rules frontdesk-alerts.test.yml)
  file(READ "${alerts}" text)
  check_metric_names("the alerting rules" "${text}")

elseif(MODE STREQUAL "dashboard")
  file(READ "${dashboard}" json)
  string(JSON title ERROR_VARIABLE err GET "${json}" title)
  if(err)
    message(FATAL_ERROR "${dashboard} is not valid JSON: ${err}")
  endif()
  string(JSON uid GET "${json}" uid)
  string(JSON panel_count LENGTH "${json}" panels)
  if(panel_count EQUAL 0)
    message(FATAL_ERROR "the dashboard has no panels")
  endif()
  set(rules "groups:\n  - name: dashboard\n    rules:\n")
  set(ids "")
  set(query_count 0)
  math(EXPR last "${panel_count} - 1")
  foreach(i RANGE ${last})
    string(JSON id GET "${json}" panels ${i} id)
    string(JSON ptitle GET "${json}" panels ${i} title)
    if(id IN_LIST ids)
      message(FATAL_ERROR "panel id ${id} (${ptitle}) is used twice")
    endif()
    list(APPEND ids ${id})
    string(JSON type GET "${json}" panels ${i} type)
    if(type STREQUAL "row")
      continue()
    endif()
    string(JSON ds GET "${json}" panels ${i} datasource uid)
    if(NOT ds STREQUAL "\${datasource}")
      message(FATAL_ERROR "panel '${ptitle}' does not use the dashboard's datasource variable")
    endif()
    string(JSON target_count ERROR_VARIABLE err LENGTH "${json}" panels ${i} targets)
    if(err OR target_count EQUAL 0)
      message(FATAL_ERROR "panel '${ptitle}' has no queries")
    endif()
    math(EXPR last_target "${target_count} - 1")
    foreach(t RANGE ${last_target})
      string(JSON expr GET "${json}" panels ${i} targets ${t} expr)
      # Grafana's variables, as Prometheus would see them filled in.
      string(REPLACE "$__rate_interval" "5m" expr "${expr}")
      string(REPLACE "$__interval" "5m" expr "${expr}")
      string(REPLACE "$__range" "1d" expr "${expr}")
      string(REPLACE "$namespace" ".*" expr "${expr}")
      if(expr MATCHES "\\$")
        message(FATAL_ERROR "panel '${ptitle}': unknown variable in ${expr}")
      endif()
      math(EXPR query_count "${query_count} + 1")
      string(APPEND rules
        "      - record: dashboard:query_${query_count}\n"
        "        # ${ptitle}\n"
        "        expr: |\n"
        "          ${expr}\n")
      string(APPEND all_exprs "${expr}\n")
    endforeach()
  endforeach()
  set(generated "${CMAKE_CURRENT_BINARY_DIR}/grafana-dashboard-queries.rules.yml")
  file(WRITE "${generated}" "${rules}")
  promtool(check rules "${generated}")
  message(STATUS "dashboard '${title}' (${uid}): ${panel_count} panels, ${query_count} valid queries")
  check_metric_names("the dashboard" "${all_exprs}")

else()
  message(FATAL_ERROR "MODE must be rules or dashboard, not ${MODE}")
endif()
