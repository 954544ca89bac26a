/*
** The kto database: one SQLite file holding everything kto knows.
**
** A struct kto_db is one open connection plus the error message of the last
** failed call on it (like sqlite3_errmsg).  It is the context every engine
** function takes first.  A connection is used by one thread at a time; the
** web server opens one per worker.
*/
#ifndef KTO_ENGINE_DB_H
#define KTO_ENGINE_DB_H

#include <stdint.h>

#include "base/date.h"
#include "base/status.h"

struct kto_db;

enum kto_db_flags {
	KTO_DB_CREATE = 1 << 0,  /* create the file when it does not exist */
	/* PRAGMA quick_check before anything is written: a damaged file is
	 * refused (KTO_ESCHEMA) as it is, for a backup or a recovery. */
	KTO_DB_CHECK = 1 << 1
};

/*
** Opens (and with KTO_DB_CREATE creates) the database at path and brings its
** schema up to date.  A file that is not SQLite, an SQLite database that is
** not kto's, or one written by a newer kto is refused with KTO_ESCHEMA and
** left byte for byte as it was.  On success *out is the new handle, to be
** closed with kto_db_close(); on failure *out is NULL and err says why.
*/
enum kto_rc kto_db_open(const char *path, unsigned flags, struct kto_db **out,
                        struct kto_err *err);

/* Closes the connection; NULL is allowed. */
void kto_db_close(struct kto_db *db);

/* The error of the last failed call on db. */
const struct kto_err *kto_db_err(const struct kto_db *db);
const char *kto_db_errmsg(const struct kto_db *db);

/* The schema version of the open database, and the newest this kto knows. */
int kto_db_schema_version(struct kto_db *db);
int kto_db_latest_schema_version(void);

/*
** Runs fn(db, arg) inside BEGIN IMMEDIATE ... COMMIT.  When fn returns an
** error, or the commit fails, everything fn did is rolled back and the error
** is returned with its message in db.  Transactions do not nest.
*/
enum kto_rc kto_db_transaction(struct kto_db *db,
                               enum kto_rc (*fn)(struct kto_db *db, void *arg),
                               void *arg);

/*
** The current local date and time for everything the engine decides by the
** clock (recency of contacts, "in the future", "invited recently").  Tests
** and demos pin it with kto_db_set_now(); NULL returns to the real clock.
*/
void kto_db_now(struct kto_db *db, struct kto_datetime *out);
void kto_db_set_now(struct kto_db *db, const struct kto_datetime *t);

/* Runs PRAGMA integrity_check; KTO_OK when it says "ok". */
enum kto_rc kto_db_integrity_check(struct kto_db *db);

/*
** A read transaction: the queries until kto_db_read_end() see one state of
** the database and take its lock once.  Writes on this connection need it
** ended first; kto_db_read_end() does nothing when none is open.
*/
enum kto_rc kto_db_read_begin(struct kto_db *db);
void kto_db_read_end(struct kto_db *db);

#endif
