/*
** engine/check: integrity and the data model's own rules (see check.h).
*/
#include "engine/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/db_int.h"

/*
** A rule of the data model that SQLite's constraints cannot state.  sql
** returns one row: the number of rows breaking the rule and one of them
** (its id), for the message.
*/
struct rule {
	const char *name;
	const char *sql;
	const char *what;     /* "N <what>, for example <example>" */
	const char *example;  /* what the example id is the id of */
};

static const struct rule rules[] = {
	{ "wave-sampled-at",
	  "SELECT count(*), min(id) FROM wave WHERE state <> 'draft' AND "
	  "sampled_at IS NULL",
	  "waves past 'draft' without the time they were sampled", "wave" },
	{ "wave-closed-at",
	  "SELECT count(*), min(id) FROM wave WHERE state = 'closed' AND "
	  "closed_at IS NULL",
	  "closed waves without the time they were closed", "wave" },
	{ "wave-sample-size",
	  "SELECT count(*), min(wc.wave_id) FROM wave_channel wc JOIN wave w ON "
	  "w.id = wc.wave_id WHERE w.state <> 'draft' AND w.continuous = 0 AND "
	  "wc.sample_size IS NOT (SELECT count(*) FROM invitation i WHERE "
	  "i.wave_id = wc.wave_id AND i.channel = wc.channel)",
	  "channels of sampled waves whose invitations do not number the sample "
	  "size recorded for them", "wave" },
	{ "invitation-responded",
	  "SELECT count(*), min(i.id) FROM invitation i WHERE i.state = "
	  "'responded' AND NOT EXISTS (SELECT 1 FROM response r WHERE "
	  "r.invitation_id = i.id AND r.state = 'complete')",
	  "invitations marked 'responded' without a complete response",
	  "invitation" },
	{ "response-invitation",
	  "SELECT count(*), min(r.id) FROM response r JOIN invitation i ON i.id = "
	  "r.invitation_id WHERE i.wave_id <> r.wave_id OR i.channel <> r.channel",
	  "responses in another wave or channel than their invitation",
	  "response" },
	{ "response-municipality",
	  "SELECT count(*), min(r.id) FROM response r JOIN wave w ON w.id = "
	  "r.wave_id WHERE w.municipality_id <> r.municipality_id",
	  "responses of another municipality than their wave's", "response" },
	{ "response-definition",
	  "SELECT count(*), min(r.id) FROM response r LEFT JOIN wave_channel wc "
	  "ON wc.wave_id = r.wave_id AND wc.channel = r.channel WHERE "
	  "wc.def_version_id IS NOT r.def_version_id",
	  "responses to another definition version than their wave uses for "
	  "their channel", "response" },
	{ "response-wave-state",
	  "SELECT count(*), min(r.id) FROM response r JOIN wave w ON w.id = "
	  "r.wave_id WHERE w.state = 'draft'",
	  "responses to waves still in 'draft'", "response" },
	{ "response-completed-at",
	  "SELECT count(*), min(id) FROM response WHERE state = 'complete' AND "
	  "completed_at IS NULL",
	  "complete responses without the time they were completed", "response" },
	{ "outbox-sent-at",
	  "SELECT count(*), min(id) FROM mail_outbox WHERE state = 'sent' AND "
	  "sent_at IS NULL",
	  "sent messages without the time they were sent", "message" },
	{ "outbox-erased",
	  "SELECT count(*), min(id) FROM mail_outbox WHERE state IN ('sent', "
	  "'perm_failed') AND (recipient IS NOT NULL OR message IS NOT NULL)",
	  "delivered or abandoned messages that still hold the address or the "
	  "message (they must be erased then)", "message" },
	{ "import-finished",
	  "SELECT count(*), min(id) FROM contact_import WHERE status <> "
	  "'running' AND finished_at IS NULL",
	  "finished contact imports without the time they finished", "import" },
};

struct checker {
	struct kto_db *db;
	void (*problem)(void *ctx, const char *check, const char *message);
	void *ctx;
	size_t n;
	bool damaged;         /* integrity_check found something */
};

static void
report(struct checker *c, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
report(struct checker *c, const char *check, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->n++;
	if (c->problem != NULL)
		c->problem(c->ctx, check, msg);
}

/* Every line of PRAGMA integrity_check but "ok" is a problem. */
static enum kto_rc
check_integrity(struct checker *c)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_prepare(c->db, &st, "PRAGMA integrity_check(100)",
	    "");

	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(c->db, st, &row)) == KTO_OK && row) {
		const char *line = (const char *)sqlite3_column_text(st, 0);

		if (line != NULL && strcmp(line, "ok") != 0) {
			c->damaged = true;
			report(c, "integrity", "%s. The file is damaged: restore the "
			    "last backup (docs/operations.md)", line);
		}
	}
	sqlite3_finalize(st);
	/* Damage that stops the check itself is the worst kind, not an error. */
	if (rc != KTO_OK && ((sqlite3_errcode(c->db->sqlite) & 0xff) == SQLITE_CORRUPT ||
	    (sqlite3_errcode(c->db->sqlite) & 0xff) == SQLITE_NOTADB)) {
		c->damaged = true;
		report(c, "integrity", "%s: the file is too damaged to check. "
		    "Restore the last backup (docs/operations.md)", kto_db_errmsg(c->db));
		rc = KTO_OK;
	}
	return rc;
}

static enum kto_rc
check_foreign_keys(struct checker *c)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_prepare(c->db, &st, "PRAGMA foreign_key_check", "");

	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(c->db, st, &row)) == KTO_OK && row)
		report(c, "foreign-key", "row %lld of table %s points at a row of "
		    "%s that does not exist", (long long)sqlite3_column_int64(st, 1),
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
check_schema_version(struct checker *c)
{
	int have = kto_db_schema_version(c->db);
	int want = kto_db_latest_schema_version();

	if (have != want)
		report(c, "schema-version", "the schema is at version %d, this kto "
		    "expects %d", have, want);
	return KTO_OK;
}

static enum kto_rc
check_rule(struct checker *c, const struct rule *r)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_prepare(c->db, &st, r->sql, "");

	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(c->db, st, &row)) == KTO_OK && row &&
	    sqlite3_column_int64(st, 0) > 0)
		report(c, r->name, "%lld %s, for example %s %lld",
		    (long long)sqlite3_column_int64(st, 0), r->what, r->example,
		    (long long)sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	return rc;
}

enum kto_rc
kto_db_check(struct kto_db *db,
             void (*problem)(void *ctx, const char *check, const char *message),
             void *ctx, size_t *n_problems)
{
	struct checker c = { db, problem, ctx, 0, false };
	enum kto_rc rc;

	*n_problems = 0;
	/* One snapshot for every check, even while kto serve writes. */
	if ((rc = kto_db_read_begin(db)) != KTO_OK)
		return rc;
	if ((rc = check_schema_version(&c)) == KTO_OK)
		rc = check_integrity(&c);
	/*
	** The foreign keys and the rules read tables through their indexes;
	** on a damaged file they fail or report nonsense, so they wait until
	** the file is sound.
	*/
	if (rc == KTO_OK && !c.damaged)
		rc = check_foreign_keys(&c);
	for (size_t i = 0; rc == KTO_OK && !c.damaged &&
	    i < sizeof rules / sizeof rules[0]; i++)
		rc = check_rule(&c, &rules[i]);
	kto_db_read_end(db);
	*n_problems = c.n;
	return rc;
}
