#include "base/file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum kto_rc
kto_file_read(const char *path, size_t max, char **out, size_t *len,
              struct kto_err *err)
{
	FILE *f;
	struct stat sb;
	char *buf;
	size_t n = 0, cap;
	bool is_stdin = strcmp(path, "-") == 0;

	*out = NULL;
	*len = 0;
	f = is_stdin ? stdin : fopen(path, "rb");
	if (f == NULL)
		return kto_err_set(err, KTO_EIO, "cannot open '%s': %s", path,
		    strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (!is_stdin)
			fclose(f);
		return kto_err_set(err, KTO_EIO, "'%s' is a directory, not a file", path);
	}
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (unsigned long long)sb.st_size > max) {
		*len = (size_t)sb.st_size;
		if (!is_stdin)
			fclose(f);
		return kto_err_set(err, KTO_ELIMIT, "'%s' is %lld bytes; at most %zu "
		    "are allowed", path, (long long)sb.st_size, max);
	}
	/* Read at most max + 1 bytes: enough to know a pipe is too long. */
	cap = max < 65536 ? max + 1 : 65536;
	buf = malloc(cap + 1);
	while (buf != NULL) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n > max || got == 0)
			break;
		if (n == cap) {
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *p = realloc(buf, ncap + 1);

			if (p == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap = ncap;
		}
	}
	if (buf == NULL) {
		if (!is_stdin)
			fclose(f);
		return kto_err_set(err, KTO_ENOMEM, "out of memory reading '%s'", path);
	}
	if (ferror(f)) {
		int e = errno;

		free(buf);
		if (!is_stdin)
			fclose(f);
		return kto_err_set(err, KTO_EIO, "cannot read '%s': %s", path, strerror(e));
	}
	if (!is_stdin)
		fclose(f);
	if (n > max) {
		free(buf);
		*len = n;
		return kto_err_set(err, KTO_ELIMIT, "'%s' is larger than %zu bytes",
		    path, max);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return KTO_OK;
}
