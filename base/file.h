/*
** Reading whole files with a ceiling.
*/
#ifndef KTO_BASE_FILE_H
#define KTO_BASE_FILE_H

#include <stddef.h>

#include "base/status.h"

/*
** Reads the file at path into a new NUL-terminated buffer (*out, freed by
** the caller with free(3)) of *len bytes.  A file larger than max bytes is
** not read: KTO_ELIMIT, with its size in *len.  "-" reads standard input.
** KTO_EIO (with the reason in err) when it cannot be opened or read.
*/
enum kto_rc kto_file_read(const char *path, size_t max, char **out, size_t *len,
                          struct kto_err *err);

#endif
