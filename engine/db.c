/*
** engine/db: opening, verifying and migrating the database; the statement
** and transaction helpers every engine module uses.
*/
#include "engine/db_int.h"

#include "base/strparse.h"

#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The migrations, engine/migrations/NNNN_*.sql in order (generated). */
extern const char *const kto_migrations[];
extern const char *const kto_migrations_names[];

/*
** PRAGMA application_id marks a file as kto's ("KTO1"), so that kto never
** migrates, and so never alters, somebody else's SQLite database.
*/
#define KTO_APPLICATION_ID 0x4B544F31

/*
** How long a writer waits for another writer before giving up with
** KTO_EBUSY.  Long enough to ride out a commit of a large import batch,
** short enough that no web request hangs for long.  $KTO_DB_BUSY_TIMEOUT_MS
** changes it (0 .. KTO_BUSY_TIMEOUT_MAX_MS).
*/
#define KTO_BUSY_TIMEOUT_MS 5000
#define KTO_BUSY_TIMEOUT_MAX_MS 600000

/*
** $KTO_DB_MAX_PAGES caps the database at that many pages (PRAGMA
** max_page_count, 4 KiB each): an operator's quota, and how the tests fill
** the database without filling a disk (HARDENING.md B1).
*/
#define KTO_MAX_PAGES_MAX 4294967294LL

enum kto_rc
kto_db_seterr(struct kto_db *db, enum kto_rc rc, const char *fmt, ...)
{
	va_list ap;

	db->err.rc = rc;
	va_start(ap, fmt);
	vsnprintf(db->err.msg, sizeof db->err.msg, fmt, ap);
	va_end(ap);
	return rc;
}

/*
** sys_errno: the system's error behind sqlite_rc (sqlite3_system_errno),
** or 0.  A full disk shows as SQLITE_FULL when SQLite wrote the database
** or its log, but as some SQLITE_IOERR_* (the shared-memory index, a
** truncate, a sync) elsewhere: ENOSPC tells them apart from broken disks.
*/
static enum kto_rc
rc_from_sqlite(int sqlite_rc, int sys_errno)
{
	switch (sqlite_rc & 0xff) {
	case SQLITE_OK: return KTO_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return KTO_EBUSY;
	case SQLITE_FULL: return KTO_EFULL;
	case SQLITE_NOMEM: return KTO_ENOMEM;
	case SQLITE_NOTADB: return KTO_ESCHEMA;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM: return KTO_EIO;
	case SQLITE_IOERR:
		/* An I/O error that is really a full disk reads better as one. */
		return sys_errno == ENOSPC || sys_errno == EDQUOT ? KTO_EFULL : KTO_EIO;
	default: return KTO_EDB;
	}
}

enum kto_rc
kto_db_fail(struct kto_db *db, int sqlite_rc, const char *what)
{
	enum kto_rc rc = rc_from_sqlite(sqlite_rc,
	    db->sqlite ? sqlite3_system_errno(db->sqlite) : 0);

	switch (rc) {
	case KTO_EBUSY:
		return kto_db_seterr(db, rc, "%s: the database is in use by another "
		    "process; try again in a moment", what);
	case KTO_EFULL:
		return kto_db_seterr(db, rc, "%s: the disk or the database is full "
		    "(see $KTO_DB_MAX_PAGES), so this change was rolled back. Free "
		    "some space and try again", what);
	default:
		return kto_db_seterr(db, rc, "%s: %s", what,
		    db->sqlite ? sqlite3_errmsg(db->sqlite) : sqlite3_errstr(sqlite_rc));
	}
}

const struct kto_err *
kto_db_err(const struct kto_db *db)
{
	return &db->err;
}

const char *
kto_db_errmsg(const struct kto_db *db)
{
	return kto_err_msg(&db->err);
}

static enum kto_rc
db_vbind(struct kto_db *db, sqlite3_stmt *st, const char *types, va_list ap)
{
	int rc = SQLITE_OK;

	for (int i = 0; types[i] != '\0' && rc == SQLITE_OK; i++) {
		int col = i + 1;

		switch (types[i]) {
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, col);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st, col, va_arg(ap, int64_t));
			break;
		case 'I':
			rc = sqlite3_bind_int(st, col, va_arg(ap, int));
			break;
		case 'N': {
			int64_t v = va_arg(ap, int64_t);
			rc = v ? sqlite3_bind_int64(st, col, v) : sqlite3_bind_null(st, col);
			break;
		}
		case 'd': {
			double d = va_arg(ap, double);
			rc = isnan(d) ? sqlite3_bind_null(st, col)
			              : sqlite3_bind_double(st, col, d);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			rc = p ? sqlite3_bind_blob64(st, col, p, n, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, col);
			break;
		}
		case 'n':
			rc = sqlite3_bind_null(st, col);
			break;
		default:
			return kto_db_seterr(db, KTO_EINTERNAL,
			    "bad bind type '%c' in \"%s\"", types[i], types);
		}
	}
	if (rc != SQLITE_OK)
		return kto_db_fail(db, rc, "binding a parameter");
	return KTO_OK;
}

static enum kto_rc
db_vprepare(struct kto_db *db, sqlite3_stmt **out, const char *sql,
            const char *types, va_list ap)
{
	sqlite3_stmt *st = NULL;
	int rc;
	enum kto_rc krc;

	*out = NULL;
	rc = sqlite3_prepare_v2(db->sqlite, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return kto_db_fail(db, rc, "preparing a statement");
	krc = db_vbind(db, st, types, ap);
	if (krc != KTO_OK) {
		sqlite3_finalize(st);
		return krc;
	}
	*out = st;
	return KTO_OK;
}

enum kto_rc
kto_db_prepare(struct kto_db *db, sqlite3_stmt **out, const char *sql,
               const char *types, ...)
{
	va_list ap;
	enum kto_rc rc;

	va_start(ap, types);
	rc = db_vprepare(db, out, sql, types, ap);
	va_end(ap);
	return rc;
}

enum kto_rc
kto_db_step(struct kto_db *db, sqlite3_stmt *st, bool *row)
{
	int rc = sqlite3_step(st);

	*row = (rc == SQLITE_ROW);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return KTO_OK;
	return kto_db_fail(db, rc, "database statement failed");
}

/*
** The prepared statement for sql from the cache, preparing it on a miss.
** Statements that run for every message or contact would otherwise be
** compiled again each time; compiling costs more than running them.  The
** cache is keyed by the text, not the pointer: some SQL is built in
** buffers.
*/
static enum kto_rc
db_cached(struct kto_db *db, const char *sql, sqlite3_stmt **out)
{
	unsigned slot;
	int rc;

	for (unsigned i = 0; i < KTO_DB_STMT_CACHE; i++)
		if (db->cache[i].sql != NULL && strcmp(db->cache[i].sql, sql) == 0) {
			*out = db->cache[i].st;
			return KTO_OK;
		}
	/* A statement still being stepped (kto_db_query) is not replaced. */
	slot = db->cache_next++ % KTO_DB_STMT_CACHE;
	for (unsigned tries = 0; db->cache[slot].st != NULL &&
	    sqlite3_stmt_busy(db->cache[slot].st); tries++) {
		if (tries == KTO_DB_STMT_CACHE)
			return kto_db_seterr(db, KTO_EINTERNAL, "every cached "
			    "statement is in use");
		slot = db->cache_next++ % KTO_DB_STMT_CACHE;
	}
	sqlite3_finalize(db->cache[slot].st);
	free(db->cache[slot].sql);
	db->cache[slot].st = NULL;
	db->cache[slot].sql = NULL;
	rc = sqlite3_prepare_v3(db->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &db->cache[slot].st, NULL);
	if (rc != SQLITE_OK)
		return kto_db_fail(db, rc, "preparing a statement");
	if ((db->cache[slot].sql = strdup(sql)) == NULL) {
		sqlite3_finalize(db->cache[slot].st);
		db->cache[slot].st = NULL;
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	}
	*out = db->cache[slot].st;
	return KTO_OK;
}

static void
db_cache_release(struct kto_db *db)
{
	for (unsigned i = 0; i < KTO_DB_STMT_CACHE; i++) {
		sqlite3_finalize(db->cache[i].st);
		free(db->cache[i].sql);
		db->cache[i].st = NULL;
		db->cache[i].sql = NULL;
	}
}

enum kto_rc
kto_db_query(struct kto_db *db, sqlite3_stmt **out, const char *sql,
             const char *types, ...)
{
	va_list ap;
	enum kto_rc rc;

	*out = NULL;
	if ((rc = db_cached(db, sql, out)) != KTO_OK)
		return rc;
	va_start(ap, types);
	rc = db_vbind(db, *out, types, ap);
	va_end(ap);
	if (rc != KTO_OK) {
		kto_db_query_done(*out);
		*out = NULL;
	}
	return rc;
}

void
kto_db_query_done(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

enum kto_rc
kto_db_exec(struct kto_db *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	enum kto_rc rc;
	bool row;

	if ((rc = db_cached(db, sql, &st)) != KTO_OK)
		return rc;
	va_start(ap, types);
	rc = db_vbind(db, st, types, ap);
	va_end(ap);
	while (rc == KTO_OK && (rc = kto_db_step(db, st, &row)) == KTO_OK && row)
		;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

enum kto_rc
kto_db_collect(struct kto_db *db, sqlite3_stmt *st, size_t elem_size,
               void (*fill)(sqlite3_stmt *st, void *elem), void **out,
               size_t *count)
{
	unsigned char *list = NULL;
	size_t n = 0, cap = 0;
	bool row;
	enum kto_rc rc;

	*out = NULL;
	*count = 0;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			unsigned char *p = realloc(list, ncap * elem_size);

			if (p == NULL) {
				rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory reading "
				    "the database");
				break;
			}
			list = p;
			cap = ncap;
		}
		fill(st, list + n * elem_size);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != KTO_OK) {
		free(list);
		return rc;
	}
	*out = list;
	*count = n;
	return KTO_OK;
}

bool
kto_db_is_unique_violation(struct kto_db *db)
{
	int ext = sqlite3_extended_errcode(db->sqlite);

	return ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY;
}

void
kto_db_column_copy(sqlite3_stmt *st, int i, char *dst, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	size_t len = s ? (size_t)sqlite3_column_bytes(st, i) : 0;

	if (n == 0)
		return;
	if (len >= n)
		len = n - 1;
	if (len > 0)
		memcpy(dst, s, len);
	dst[len] = '\0';
}

/* Reads an integer pragma such as user_version. */
static enum kto_rc
db_pragma_int(struct kto_db *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_prepare(db, &st, sql, "");

	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	*out = (rc == KTO_OK && row) ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc;
}

int
kto_db_latest_schema_version(void)
{
	int n = 0;

	while (kto_migrations[n] != NULL)
		n++;
	return n;
}

int
kto_db_schema_version(struct kto_db *db)
{
	int64_t v = 0;

	db_pragma_int(db, "PRAGMA user_version", &v);
	return (int)v;
}

/*
** Decides, without writing anything, whether the file is a kto database we
** may use, an empty one we may initialise, or something to refuse.
*/
static enum kto_rc
db_verify(struct kto_db *db, const char *path)
{
	int64_t app_id, version, objects;
	enum kto_rc rc;
	int latest = kto_db_latest_schema_version();

	rc = db_pragma_int(db, "PRAGMA application_id", &app_id);
	if (rc == KTO_ESCHEMA || rc == KTO_EDB)
		return kto_db_seterr(db, KTO_ESCHEMA, "'%s' is not a kto database "
		    "(it is not an SQLite file at all); kto left it untouched. "
		    "Give the path of a kto database, or a new file name", path);
	if (rc != KTO_OK)
		return rc;
	if ((rc = db_pragma_int(db, "PRAGMA user_version", &version)) != KTO_OK)
		return rc;
	if ((rc = db_pragma_int(db, "SELECT count(*) FROM sqlite_schema",
	    &objects)) != KTO_OK)
		return rc;

	if (app_id == 0 && version == 0 && objects == 0)
		return KTO_OK;   /* a new, empty database */
	if (app_id != KTO_APPLICATION_ID)
		return kto_db_seterr(db, KTO_ESCHEMA, "'%s' is an SQLite database "
		    "of another program, not a kto database; kto left it untouched",
		    path);
	if (version > latest)
		return kto_db_seterr(db, KTO_ESCHEMA, "'%s' was written by a newer "
		    "kto (schema version %lld; this kto knows up to %d); kto left it "
		    "untouched. Use the newer kto", path, (long long)version, latest);
	return KTO_OK;
}

/*
** The connection settings.  synchronous=FULL because kto acknowledges
** writes to people: "imported", "sent", and a 200 to a citizen who pressed
** submit.  In WAL mode NORMAL can lose the last commits on a power cut, and
** an answer we thanked somebody for must survive one (HARDENING.md B4).
** secure_delete because erased e-mail addresses must not linger in free
** pages of the file.  foreign_keys because SQLite leaves them off.
*/
static enum kto_rc
db_configure(struct kto_db *db, const char *path)
{
	static const char *const pragmas[] = {
		"PRAGMA foreign_keys = ON",
		"PRAGMA synchronous = FULL",
		"PRAGMA secure_delete = ON",
		"PRAGMA trusted_schema = OFF",
		NULL
	};
	sqlite3_stmt *st;
	bool row;
	char mode[16] = "";
	enum kto_rc rc;

	sqlite3_db_config(db->sqlite, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	rc = kto_db_prepare(db, &st, "PRAGMA journal_mode = WAL", "");
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row)
		kto_db_column_copy(st, 0, mode, sizeof mode);
	sqlite3_finalize(st);
	if (rc != KTO_OK)
		return rc;
	if (strcmp(mode, "wal") != 0)
		return kto_db_seterr(db, KTO_EIO, "'%s': the file system does not "
		    "support the write-ahead log that kto needs (journal mode "
		    "stayed '%s'); put the database on a local disk", path, mode);
	for (int i = 0; pragmas[i] != NULL; i++)
		if ((rc = kto_db_exec(db, pragmas[i], "")) != KTO_OK)
			return rc;
	return KTO_OK;
}

/* Applies migration number `to` (1-based) inside one transaction. */
static enum kto_rc
db_migrate_one(struct kto_db *db, int to)
{
	char sql[96];
	char *errmsg = NULL;
	int rc;

	rc = sqlite3_exec(db->sqlite, kto_migrations[to - 1], NULL, NULL, &errmsg);
	if (rc != SQLITE_OK) {
		int sys = sqlite3_system_errno(db->sqlite);

		kto_db_seterr(db, rc_from_sqlite(rc, sys) == KTO_EDB ? KTO_EINTERNAL
		    : rc_from_sqlite(rc, sys), "migration %s failed: %s",
		    kto_migrations_names[to - 1], errmsg ? errmsg : sqlite3_errstr(rc));
		sqlite3_free(errmsg);
		return db->err.rc;
	}
	/* PRAGMA arguments cannot be bound; `to` is our own integer. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", to);
	if (kto_db_exec(db, sql, "") != KTO_OK)
		return db->err.rc;
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d", KTO_APPLICATION_ID);
	return kto_db_exec(db, sql, "");
}

/* After a migration: every foreign key still points at a row. */
static enum kto_rc
db_foreign_key_check(struct kto_db *db)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_prepare(db, &st, "PRAGMA foreign_key_check", "");

	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row)
		rc = kto_db_seterr(db, KTO_EINTERNAL, "the schema upgrade would "
		    "leave row %lld of table %s pointing at a missing row of %s; "
		    "nothing was changed", (long long)sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
db_migrate_step(struct kto_db *db, void *arg)
{
	int64_t version;
	enum kto_rc rc;
	int latest = kto_db_latest_schema_version();

	(void)arg;
	/*
	** Read the version again inside the write transaction: another
	** process may have migrated between our check and our lock.
	*/
	if ((rc = db_pragma_int(db, "PRAGMA user_version", &version)) != KTO_OK)
		return rc;
	for (int v = (int)version + 1; v <= latest; v++)
		if ((rc = db_migrate_one(db, v)) != KTO_OK)
			return rc;
	return db_foreign_key_check(db);
}

/*
** Migrations run with foreign keys off: rebuilding a table (the only way
** SQLite offers to change a constraint) drops the old one, which with
** foreign keys on would cascade into, or be refused by, the rows that
** point at it.  db_migrate_step() checks every key before the commit
** instead.  The pragma is a no-op inside a transaction, hence out here.
*/
static enum kto_rc
db_migrate(struct kto_db *db)
{
	enum kto_rc rc, fk_rc;

	if (kto_db_schema_version(db) >= kto_db_latest_schema_version())
		return KTO_OK;
	if ((rc = kto_db_exec(db, "PRAGMA foreign_keys = OFF", "")) != KTO_OK)
		return rc;
	rc = kto_db_transaction(db, db_migrate_step, NULL);
	fk_rc = kto_db_exec(db, "PRAGMA foreign_keys = ON", "");
	return rc != KTO_OK ? rc : fk_rc;
}

static enum kto_rc
db_check_path(const char *path, unsigned flags, struct kto_err *err)
{
	struct stat sb;

	if (path == NULL || *path == '\0')
		return kto_err_set(err, KTO_EINPUT, "no database file given; use "
		    "--db FILE or set KTO_DB");
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT && (flags & KTO_DB_CREATE))
			return KTO_OK;
		return kto_err_set(err, errno == ENOENT ? KTO_ENOTFOUND : KTO_EIO,
		    "cannot open the database '%s': %s", path, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return kto_err_set(err, KTO_EINPUT, "'%s' is not a regular file; "
		    "give the path of a database file", path);
	return KTO_OK;
}

/*
** The value of the environment variable name in [min, max], or dflt when
** it is unset or empty (as for $KTO_DB); KTO_EINPUT when it is not a number
** in range.
*/
static enum kto_rc
db_env_int(struct kto_db *db, const char *name, int64_t min, int64_t max,
           int64_t dflt, int64_t *out)
{
	const char *v = getenv(name);

	*out = dflt;
	if (v == NULL || *v == '\0')
		return KTO_OK;
	if (kto_parse_i64(v, min, max, out) != KTO_OK)
		return kto_db_seterr(db, KTO_EINPUT, "$%s is '%.40s'; give a whole "
		    "number from %lld to %lld, or unset it", name, v, (long long)min,
		    (long long)max);
	return KTO_OK;
}

/* The busy timeout, first: the checks after it may meet a locked file. */
static enum kto_rc
db_limits(struct kto_db *db)
{
	int64_t ms;
	enum kto_rc rc = db_env_int(db, "KTO_DB_BUSY_TIMEOUT_MS", 0,
	    KTO_BUSY_TIMEOUT_MAX_MS, KTO_BUSY_TIMEOUT_MS, &ms);

	if (rc == KTO_OK)
		sqlite3_busy_timeout(db->sqlite, (int)ms);
	return rc;
}

/*
** The cap on the file's size, when one is set.  SQLite never lowers it
** below the pages in use: a database already larger only stops growing.
*/
static enum kto_rc
db_max_pages(struct kto_db *db)
{
	char sql[64];
	int64_t pages;
	enum kto_rc rc = db_env_int(db, "KTO_DB_MAX_PAGES", 1, KTO_MAX_PAGES_MAX,
	    0, &pages);

	if (rc != KTO_OK || pages == 0)
		return rc;
	/* PRAGMA arguments cannot be bound; pages is a checked integer. */
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)pages);
	return db_pragma_int(db, sql, &pages);
}

/*
** PRAGMA quick_check (KTO_DB_CHECK), before db_configure() changes a byte:
** a damaged file is refused, with SQLite's first complaint, and left for
** a backup or sqlite3's .recover (HARDENING.md B5).
*/
static enum kto_rc
db_quick_check(struct kto_db *db, const char *path)
{
	sqlite3_stmt *st = NULL;
	char first[160] = "";
	int rc = sqlite3_prepare_v2(db->sqlite, "PRAGMA quick_check", -1, &st, NULL);

	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		const unsigned char *line;

		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		line = sqlite3_column_text(st, 0);
		if (line != NULL && strncmp((const char *)line, "*** ", 4) != 0) {
			snprintf(first, sizeof first, "%s", (const char *)line);
			break;
		}
	}
	sqlite3_finalize(st);
	if (strcmp(first, "ok") == 0)
		return KTO_OK;
	if (rc != SQLITE_ROW && (rc & 0xff) != SQLITE_CORRUPT &&
	    (rc & 0xff) != SQLITE_NOTADB)
		return kto_db_fail(db, rc, "checking the database");
	return kto_db_seterr(db, KTO_ESCHEMA, "'%s' is damaged (%s); kto left it "
	    "untouched. Restore the latest backup, or save what can be saved "
	    "with 'sqlite3 %s .recover'", path, first[0] ? first :
	    sqlite3_errmsg(db->sqlite), path);
}

/*
** SQLite keeps memory statistics behind a global mutex taken on every
** allocation; kto never reads them.  This must be set before SQLite
** initialises, hence once, first thing.
*/
static void
sqlite_configure_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum kto_rc
kto_db_open(const char *path, unsigned flags, struct kto_db **out,
            struct kto_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	struct kto_db *db;
	/* NOMUTEX: a connection is used by one thread at a time (db.h), so
	 * SQLite's per-call locking would only cost time. */
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_EXRESCODE |
	    SQLITE_OPEN_NOMUTEX;
	int rc;
	enum kto_rc krc;

	*out = NULL;
	pthread_once(&once, sqlite_configure_once);
	if ((krc = db_check_path(path, flags, err)) != KTO_OK)
		return krc;
	if (flags & KTO_DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	db = calloc(1, sizeof *db);
	if (db == NULL)
		return kto_err_set(err, KTO_ENOMEM, "out of memory opening '%s'", path);

	rc = sqlite3_open_v2(path, &db->sqlite, oflags, NULL);
	if (rc != SQLITE_OK) {
		int sys = db->sqlite ? sqlite3_system_errno(db->sqlite) : 0;

		kto_err_set(err, KTO_EIO, "cannot open or create the database '%s': "
		    "%s; choose a writable location with --db or KTO_DB", path,
		    sys ? strerror(sys) : sqlite3_errstr(rc));
		kto_db_close(db);
		return KTO_EIO;
	}
	if ((krc = db_limits(db)) == KTO_OK &&
	    (krc = db_verify(db, path)) == KTO_OK &&
	    (!(flags & KTO_DB_CHECK) || (krc = db_quick_check(db, path)) == KTO_OK) &&
	    (krc = db_configure(db, path)) == KTO_OK &&
	    (krc = db_max_pages(db)) == KTO_OK)
		krc = db_migrate(db);
	if (krc != KTO_OK) {
		if (err != NULL)
			*err = db->err;
		kto_db_close(db);
		return krc;
	}
	*out = db;
	return KTO_OK;
}

void
kto_db_close(struct kto_db *db)
{
	if (db == NULL)
		return;
	db_cache_release(db);
	sqlite3_close_v2(db->sqlite);
	explicit_bzero(db->hash_key, sizeof db->hash_key);
	free(db);
}

void
kto_db_now(struct kto_db *db, struct kto_datetime *out)
{
	time_t t;
	struct tm tm;

	if (db->now_override != 0) {
		kto_datetime_from_seconds(db->now_override, out);
		return;
	}
	t = time(NULL);
	localtime_r(&t, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	out->hour = tm.tm_hour;
	out->minute = tm.tm_min;
	out->second = tm.tm_sec > 59 ? 59 : tm.tm_sec;
	out->has_time = true;
}

void
kto_db_set_now(struct kto_db *db, const struct kto_datetime *t)
{
	db->now_override = t != NULL ? kto_datetime_seconds(t) : 0;
}

enum kto_rc
kto_db_transaction(struct kto_db *db,
                   enum kto_rc (*fn)(struct kto_db *db, void *arg), void *arg)
{
	enum kto_rc rc;

	if (db->in_transaction)
		return kto_db_seterr(db, KTO_EINTERNAL, "nested transaction");
	/*
	** IMMEDIATE takes the write lock up front, so a busy database fails
	** here, within the busy timeout, instead of deadlocking on upgrade.
	*/
	if ((rc = kto_db_exec(db, "BEGIN IMMEDIATE", "")) != KTO_OK)
		return rc;
	db->in_transaction = true;
	rc = fn(db, arg);
	if (rc == KTO_OK)
		rc = kto_db_exec(db, "COMMIT", "");
	if (rc != KTO_OK && !sqlite3_get_autocommit(db->sqlite)) {
		/* Keep fn's message: the rollback's own outcome matters less. */
		struct kto_err saved = db->err;

		sqlite3_exec(db->sqlite, "ROLLBACK", NULL, NULL, NULL);
		db->err = saved;
	}
	db->in_transaction = false;
	return rc;
}

enum kto_rc
kto_db_read_begin(struct kto_db *db)
{
	return kto_db_exec(db, "BEGIN", "");
}

void
kto_db_read_end(struct kto_db *db)
{
	if (!db->in_transaction && !sqlite3_get_autocommit(db->sqlite))
		kto_db_exec(db, "COMMIT", "");
}

enum kto_rc
kto_db_integrity_check(struct kto_db *db)
{
	sqlite3_stmt *st;
	bool row;
	char result[256] = "";
	enum kto_rc rc = kto_db_prepare(db, &st, "PRAGMA integrity_check", "");

	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row)
		kto_db_column_copy(st, 0, result, sizeof result);
	sqlite3_finalize(st);
	if (rc != KTO_OK)
		return rc;
	if (strcmp(result, "ok") != 0)
		return kto_db_seterr(db, KTO_EDB, "integrity check failed: %s", result);
	return KTO_OK;
}
