/*
** Internals of engine/db shared by the engine's modules; nothing outside
** engine/ includes this file.
**
** Every statement is prepared with bound parameters: SQL text is never built
** from data.  The bind helpers take a type string, one letter per parameter:
**   t  const char *   (NULL binds SQL NULL)
**   i  int64_t        (pass int64_t exactly: it is read with va_arg)
**   I  int
**   N  int64_t, binding SQL NULL when it is 0 ("none")
**   d  double         (NaN binds SQL NULL)
**   b  const void *, size_t  (a blob; NULL binds SQL NULL)
**   n  no argument: SQL NULL
*/
#ifndef KTO_ENGINE_DB_INT_H
#define KTO_ENGINE_DB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "engine/db.h"

/* Statements kto_db_exec() keeps prepared, by their SQL text. */
#define KTO_DB_STMT_CACHE 32

struct kto_db {
	sqlite3 *sqlite;
	struct {
		char *sql;
		sqlite3_stmt *st;
	} cache[KTO_DB_STMT_CACHE];
	unsigned cache_next;         /* the slot replaced next */
	struct kto_err err;
	bool in_transaction;
	int64_t now_override;        /* seconds; 0: the real clock */
	bool hash_key_ready;         /* hash_key holds the address hash key */
	unsigned char hash_key[32];
};

/* Records an error in db->err and returns it. */
enum kto_rc kto_db_seterr(struct kto_db *db, enum kto_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
** Maps an SQLite result code to a kto_rc and records "what: SQLite's
** message" in db->err.  SQLITE_BUSY becomes KTO_EBUSY, SQLITE_FULL
** KTO_EFULL, SQLITE_NOMEM KTO_ENOMEM, anything else KTO_EDB.
*/
enum kto_rc kto_db_fail(struct kto_db *db, int sqlite_rc, const char *what);

/* Prepares sql and binds the arguments described by types. */
enum kto_rc kto_db_prepare(struct kto_db *db, sqlite3_stmt **out,
                           const char *sql, const char *types, ...);

/*
** Steps st once: KTO_OK with *row true when a row is ready, with *row false
** when the statement is done; an error otherwise (st must still be
** finalized by the caller).
*/
enum kto_rc kto_db_step(struct kto_db *db, sqlite3_stmt *st, bool *row);

/*
** kto_db_prepare() for a query run often (every web request): the
** statement comes from the connection's cache, compiled once, and goes
** back with kto_db_query_done() instead of sqlite3_finalize().
*/
enum kto_rc kto_db_query(struct kto_db *db, sqlite3_stmt **out, const char *sql,
                         const char *types, ...);
void kto_db_query_done(sqlite3_stmt *st);

/* Prepares, binds, runs to completion and finalizes a statement. */
enum kto_rc kto_db_exec(struct kto_db *db, const char *sql, const char *types, ...);

/*
** Steps st to the end, appending one element of elem_size per row, filled
** by fill(st, elem), and finalizes st.  On success *out is an array of
** *count elements for the caller to free(3) (NULL when there are no rows);
** on failure nothing is returned and nothing leaks.
*/
enum kto_rc kto_db_collect(struct kto_db *db, sqlite3_stmt *st, size_t elem_size,
                           void (*fill)(sqlite3_stmt *st, void *elem),
                           void **out, size_t *count);

/* True when the last failed step was a UNIQUE or PRIMARY KEY violation. */
bool kto_db_is_unique_violation(struct kto_db *db);

/* Copies column i as text into dst (size n, always NUL-terminated). */
void kto_db_column_copy(sqlite3_stmt *st, int i, char *dst, size_t n);

#endif
