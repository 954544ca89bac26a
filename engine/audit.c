/*
** The audit log (see audit.h): appending, and reading it back filtered.
*/
#include "engine/audit.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "engine/db_int.h"

enum kto_rc
kto_audit(struct kto_db *db, const char *actor, const char *action,
          int64_t municipality_id, const char *subject, const char *detail)
{
	if (municipality_id > 0)
		return kto_db_exec(db, "INSERT INTO audit_log (actor, action, "
		    "municipality_id, subject, detail) VALUES (?, ?, ?, ?, ?)",
		    "ttitt", actor, action, municipality_id, subject, detail);
	return kto_db_exec(db, "INSERT INTO audit_log (actor, action, subject, "
	    "detail) VALUES (?, ?, ?, ?)", "tttt", actor, action, subject, detail);
}

enum kto_rc
kto_audit_code(struct kto_db *db, const char *actor, const char *action,
               const char *municipality, const char *subject, const char *detail)
{
	return kto_db_exec(db, "INSERT INTO audit_log (actor, action, municipality_id, "
	    "subject, detail) VALUES (?, ?, (SELECT id FROM municipality WHERE code = ? "
	    "COLLATE NOCASE), ?, ?)", "ttttt", actor, action,
	    municipality ? municipality : "", subject, detail);
}

/*
** A --since/--until bound as the log writes times ("...T...Z", UTC).  A
** date alone is the start of that day, or for until the start of the
** next, so that "--until 2026-11-23" includes the whole day.
*/
static enum kto_rc
time_bound(struct kto_db *db, const char *what, const char *s, bool until,
           char out[24])
{
	struct kto_datetime t;
	char text[20];

	if (s == NULL) {
		out[0] = '\0';
		return KTO_OK;
	}
	if (!kto_datetime_parse(s, &t))
		return kto_db_seterr(db, KTO_EINPUT, "%s '%s' is not a date: write "
		    "YYYY-MM-DD or YYYY-MM-DDTHH:MM", what, s);
	if (until && !t.has_time)
		kto_datetime_from_seconds(kto_datetime_seconds(&t) + 86400, &t);
	else if (until)
		kto_datetime_from_seconds(kto_datetime_seconds(&t) + 1, &t);
	kto_datetime_format(&t, text);
	snprintf(out, 24, "%sZ", text);
	return KTO_OK;
}

enum kto_rc
kto_audit_list(struct kto_db *db, const struct kto_audit_filter *f,
               enum kto_rc (*each)(void *ctx, const struct kto_audit_entry *e),
               void *ctx)
{
	char since[24], until[24], prefix[80];
	struct kto_audit_entry e;
	sqlite3_stmt *st;
	bool row;
	int limit = f->limit > 0 ? f->limit : KTO_AUDIT_LIMIT;
	enum kto_rc rc;

	if ((rc = time_bound(db, "since", f->since, false, since)) != KTO_OK ||
	    (rc = time_bound(db, "until", f->until, true, until)) != KTO_OK)
		return rc;
	/* "user" and "user." both mean every user.* action, and "user.add" itself. */
	snprintf(prefix, sizeof prefix, "%s", f->action ? f->action : "");
	if (prefix[0] != '\0' && prefix[strlen(prefix) - 1] == '.')
		prefix[strlen(prefix) - 1] = '\0';
	rc = kto_db_prepare(db, &st, "SELECT a.id, a.at, a.actor, a.action, "
	    "coalesce(m.code, ''), coalesce(a.subject, ''), coalesce(a.detail, '') "
	    "FROM audit_log a LEFT JOIN municipality m ON m.id = a.municipality_id "
	    "WHERE (?1 = '' OR a.at >= ?1) AND (?2 = '' OR a.at < ?2) "
	    "AND (?3 = '' OR m.code = ?3 COLLATE NOCASE) "
	    "AND (?4 = '' OR a.action = ?4 OR substr(a.action, 1, length(?4) + 1) = ?4 || '.') "
	    "AND (?5 = 0 OR a.id < ?5) ORDER BY a.id DESC LIMIT ?6", "ttttii",
	    since, until, f->municipality ? f->municipality : "", prefix,
	    f->before_id, (int64_t)limit);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		memset(&e, 0, sizeof e);
		e.id = sqlite3_column_int64(st, 0);
		kto_db_column_copy(st, 1, e.at, sizeof e.at);
		kto_db_column_copy(st, 2, e.actor, sizeof e.actor);
		kto_db_column_copy(st, 3, e.action, sizeof e.action);
		kto_db_column_copy(st, 4, e.municipality, sizeof e.municipality);
		kto_db_column_copy(st, 5, e.subject, sizeof e.subject);
		kto_db_column_copy(st, 6, e.detail, sizeof e.detail);
		if ((rc = each(ctx, &e)) != KTO_OK)
			break;
	}
	sqlite3_finalize(st);
	return rc;
}
