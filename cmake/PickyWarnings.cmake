# The warning set every kto target is built with (after curl's
# CMake/PickyWarnings.cmake).  Targets opt in with kto_target_warnings().
set(KTO_WARNING_FLAGS -Wall -Wextra)
if(KTO_PICKY_WARNINGS)
  list(APPEND KTO_WARNING_FLAGS
    -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wmissing-declarations -Wold-style-definition -Wpointer-arith
    -Wcast-qual -Wwrite-strings -Wformat=2 -Wundef -Wvla
    -Wredundant-decls -Wnested-externs -Wdeclaration-after-statement
    -Wno-declaration-after-statement)
endif()
if(KTO_WERROR)
  list(APPEND KTO_WARNING_FLAGS -Werror)
endif()

function(kto_target_warnings target)
  target_compile_options(${target} PRIVATE ${KTO_WARNING_FLAGS})
endfunction()
