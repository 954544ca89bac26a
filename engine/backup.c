/*
** engine/backup: a consistent copy of the live database (see backup.h).
*/
#include "engine/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/db_int.h"

/* dest may be written: absent, or a regular file and overwrite given. */
static enum kto_rc
dest_check(struct kto_db *db, const char *dest, bool overwrite)
{
	struct stat to, from;
	const char *src = sqlite3_db_filename(db->sqlite, "main");

	if (lstat(dest, &to) != 0) {
		if (errno == ENOENT)
			return KTO_OK;
		return kto_db_seterr(db, KTO_EIO, "cannot write the backup '%s': "
		    "%s", dest, strerror(errno));
	}
	if (!S_ISREG(to.st_mode))
		return kto_db_seterr(db, KTO_EINPUT, "'%s' exists and is not a "
		    "regular file; give the name of a new file", dest);
	if (src != NULL && stat(src, &from) == 0 && from.st_dev == to.st_dev &&
	    from.st_ino == to.st_ino)
		return kto_db_seterr(db, KTO_EINPUT, "'%s' is the database itself; "
		    "give the name of a new file, elsewhere", dest);
	if (!overwrite)
		return kto_db_seterr(db, KTO_EEXISTS, "'%s' exists already; kto "
		    "does not overwrite it unless told to (--force). Choose a new "
		    "name, or add --force", dest);
	return KTO_OK;
}

/* Removes the temporary copy and what SQLite may have left beside it. */
static void
remove_temp(const char *tmp)
{
	static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };
	char path[4200];

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(path, sizeof path, "%s%s", tmp, suffixes[i]);
		unlink(path);
	}
}

/* A failure on the backup's own connection, in db's error. */
static enum kto_rc
dest_fail(struct kto_db *db, sqlite3 *to, int rc, const char *what,
          const char *dest)
{
	enum kto_rc krc = kto_db_fail(db, rc, what);

	if (krc == KTO_EFULL || krc == KTO_EBUSY)
		return krc;
	return kto_db_seterr(db, krc == KTO_EDB ? KTO_EIO : krc, "%s '%s': %s",
	    what, dest, to != NULL ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
}

/*
** The copy itself.  The caller holds a read transaction on db, so every
** step reads the same snapshot: writers on other connections append to the
** log meanwhile and never restart the backup.
*/
static enum kto_rc
copy_pages(struct kto_db *db, sqlite3 *to, const char *dest,
           void (*progress)(void *ctx, int remaining, int total), void *ctx)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", db->sqlite, "main");
	int rc;

	if (b == NULL)
		return dest_fail(db, to, sqlite3_errcode(to), "starting the backup",
		    dest);
	do {
		rc = sqlite3_backup_step(b, KTO_BACKUP_STEP_PAGES);
		if (progress != NULL && (rc == SQLITE_OK || rc == SQLITE_DONE))
			progress(ctx, sqlite3_backup_remaining(b),
			    sqlite3_backup_pagecount(b));
	} while (rc == SQLITE_OK);
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE)
		rc = sqlite3_errcode(to);
	if (rc != SQLITE_DONE)
		return dest_fail(db, to, rc, "writing the backup", dest);
	return KTO_OK;
}

/* PRAGMA integrity_check on the copy: a backup nobody checked is a hope. */
static enum kto_rc
verify_copy(struct kto_db *db, sqlite3 *to, const char *dest)
{
	sqlite3_stmt *st = NULL;
	char result[256] = "";
	int rc = sqlite3_prepare_v2(to, "PRAGMA integrity_check", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(result, sizeof result, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return dest_fail(db, to, rc, "checking the backup", dest);
	if (strcmp(result, "ok") != 0)
		return kto_db_seterr(db, KTO_EDB, "the backup failed its integrity "
		    "check (%s); the database itself may be damaged: run 'kto "
		    "check'", result);
	return KTO_OK;
}

/* Makes the rename durable: a crash right after keeps the new name. */
static enum kto_rc
sync_dir(struct kto_db *db, const char *dest)
{
	char dir[4096];
	const char *slash = strrchr(dest, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == dest ? 1 :
		    (int)(slash - dest), dest);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		return kto_db_seterr(db, KTO_EIO, "cannot open the directory '%s' "
		    "of the backup: %s", dir, strerror(errno));
	if (fsync(fd) != 0) {
		int e = errno;

		close(fd);
		return kto_db_seterr(db, e == ENOSPC ? KTO_EFULL : KTO_EIO, "cannot "
		    "sync the directory '%s' of the backup: %s", dir, strerror(e));
	}
	close(fd);
	return KTO_OK;
}

/* Copies into tmp, checks it and closes it; tmp is complete on KTO_OK. */
static enum kto_rc
backup_to(struct kto_db *db, const char *tmp, const char *dest,
          void (*progress)(void *ctx, int remaining, int total), void *ctx)
{
	sqlite3 *to = NULL;
	enum kto_rc rc;
	int src;

	src = sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_EXRESCODE, NULL);
	if (src != SQLITE_OK) {
		rc = dest_fail(db, to, src, "cannot create the backup", dest);
		sqlite3_close(to);
		return rc;
	}
	if ((rc = kto_db_read_begin(db)) == KTO_OK &&
	    (rc = kto_db_exec(db, "SELECT count(*) FROM sqlite_schema", "")) == KTO_OK)
		rc = copy_pages(db, to, dest, progress, ctx);
	kto_db_read_end(db);
	if (rc == KTO_OK)
		rc = verify_copy(db, to, dest);
	if ((src = sqlite3_close(to)) != SQLITE_OK && rc == KTO_OK)
		rc = dest_fail(db, NULL, src, "closing the backup", dest);
	return rc;
}

enum kto_rc
kto_db_backup(struct kto_db *db, const char *dest, bool overwrite,
              void (*progress)(void *ctx, int remaining, int total), void *ctx)
{
	char tmp[4200];
	enum kto_rc rc;

	if (db->in_transaction || !sqlite3_get_autocommit(db->sqlite))
		return kto_db_seterr(db, KTO_EINTERNAL, "a backup cannot be taken "
		    "inside a transaction");
	if (strlen(dest) + 32 > sizeof tmp)
		return kto_db_seterr(db, KTO_EINPUT, "the backup's file name is too "
		    "long; give a shorter path");
	if ((rc = dest_check(db, dest, overwrite)) != KTO_OK)
		return rc;
	snprintf(tmp, sizeof tmp, "%s.tmp-%ld", dest, (long)getpid());
	remove_temp(tmp);
	rc = backup_to(db, tmp, dest, progress, ctx);
	if (rc == KTO_OK && rename(tmp, dest) != 0)
		rc = kto_db_seterr(db, errno == ENOSPC ? KTO_EFULL : KTO_EIO,
		    "cannot rename the backup to '%s': %s", dest, strerror(errno));
	if (rc != KTO_OK) {
		remove_temp(tmp);
		return rc;
	}
	return sync_dir(db, dest);
}
