/*
** Writing an export whole or not at all: into a temporary file in the
** destination's directory (so that the rename stays on one file system
** and is atomic), renamed over the destination only once everything is
** written and synced.
*/
#include "report/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"

char
kto_export_delimiter(enum kto_export_dialect d)
{
	return d == KTO_DIALECT_NL ? ';' : ',';
}

static void
file_release(struct kto_export_file *xf)
{
	free(xf->path);
	free(xf->tmp);
	memset(xf, 0, sizeof *xf);
}

enum kto_rc
kto_export_file_open(struct kto_export_file *xf, const char *path, bool private_data,
                     struct kto_err *err)
{
	struct kto_buf b = KTO_BUF_INIT(8192);
	struct stat sb;
	int fd;

	memset(xf, 0, sizeof *xf);
	if (strcmp(path, "-") == 0) {
		xf->f = stdout;
		return KTO_OK;
	}
	if (*path == '\0')
		return kto_err_set(err, KTO_EINPUT, "give a file name to write to");
	/*
	** The rename replaces whatever is at path: a link would be replaced
	** by a file instead of the file it points to being written, and a
	** device (/dev/stdout) or a pipe would be removed.  So a link is
	** followed, and only a regular file may be replaced.
	*/
	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		char *real = realpath(path, NULL);

		if (real == NULL)
			return kto_err_set(err, KTO_EINPUT, "'%s' is a link to nothing; "
			    "give a file name", path);
		xf->path = real;
	}
	if (stat(xf->path ? xf->path : path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		free(xf->path);
		xf->path = NULL;
		return kto_err_set(err, KTO_EINPUT, "'%s' is %s; give the name of a "
		    "file (or - for standard output)", path, S_ISDIR(sb.st_mode) ?
		    "a directory" : "not a regular file");
	}
	if (xf->path != NULL)
		path = xf->path;
	/* ".NAME.XXXXXX" beside NAME: hidden, and recognisable as ours. */
	{
		const char *slash = strrchr(path, '/');
		size_t dir = slash ? (size_t)(slash - path) + 1 : 0;

		if (kto_buf_add(&b, path, dir) || kto_buf_addf(&b, ".%s.XXXXXX",
		    path + dir) != KTO_OK) {
			kto_buf_release(&b);
			kto_err_set(err, KTO_EINPUT, "the file name '%s' is too long", path);
			file_release(xf);
			return KTO_EINPUT;
		}
	}
	if ((xf->path == NULL && (xf->path = strdup(path)) == NULL) ||
	    (xf->tmp = kto_buf_detach(&b)) == NULL) {
		kto_buf_release(&b);
		file_release(xf);
		return kto_err_set(err, KTO_ENOMEM, "out of memory");
	}
	if ((fd = mkstemp(xf->tmp)) < 0) {
		int e = errno;

		kto_err_set(err, KTO_EIO, "cannot create a file beside '%s': %s",
		    path, strerror(e));
		file_release(xf);
		return KTO_EIO;
	}
	if (!private_data) {
		mode_t mask = umask(0);

		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	if ((xf->f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		unlink(xf->tmp);
		file_release(xf);
		return kto_err_set(err, KTO_ENOMEM, "out of memory");
	}
	return KTO_OK;
}

/* Syncs the directory, so that the rename survives a power loss too. */
static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

enum kto_rc
kto_export_file_commit(struct kto_export_file *xf, struct kto_err *err)
{
	int e = 0;

	if (xf->path == NULL) {          /* standard output */
		if (fflush(xf->f) != 0 || ferror(xf->f))
			return kto_err_set(err, KTO_EIO, "writing the output failed: %s",
			    strerror(errno));
		return KTO_OK;
	}
	if (fflush(xf->f) != 0 || ferror(xf->f) || fsync(fileno(xf->f)) != 0)
		e = errno ? errno : EIO;
	if (fclose(xf->f) != 0 && e == 0)
		e = errno ? errno : EIO;
	xf->f = NULL;
	if (e == 0 && rename(xf->tmp, xf->path) != 0)
		e = errno;
	if (e != 0) {
		enum kto_rc rc = kto_err_set(err, e == ENOSPC ? KTO_EFULL : KTO_EIO,
		    "could not write '%s': %s; nothing was written", xf->path,
		    strerror(e));

		unlink(xf->tmp);
		file_release(xf);
		return rc;
	}
	sync_dir(xf->path);
	file_release(xf);
	return KTO_OK;
}

void
kto_export_file_abort(struct kto_export_file *xf)
{
	if (xf->path != NULL) {
		if (xf->f != NULL)
			fclose(xf->f);
		unlink(xf->tmp);
	}
	file_release(xf);
}
