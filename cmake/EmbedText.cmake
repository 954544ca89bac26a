# kto_embed_text(OUT_C SYMBOL FILE...) generates a C source that defines
#   const char *const SYMBOL[] = { "<file 1>", ..., NULL };
# so that text kept in its own readable file (SQL migrations, default survey
# definitions) is compiled into the binary.  Files are embedded in the order
# given.
function(kto_embed_text out_c symbol)
  set(files ${ARGN})
  add_custom_command(
    OUTPUT ${out_c}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_c} -DSYMBOL=${symbol}
            "-DFILES=${files}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedTextRun.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/EmbedTextRun.cmake
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
