/*
** engine/gauges: counts by state for monitoring (see gauges.h).
*/
#include "engine/gauges.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/db_int.h"

const char *const kto_outbox_state_names[KTO_OUTBOX_STATES] = {
	"queued", "sending", "sent", "temp_failed", "perm_failed"
};
const char *const kto_invitation_state_names[KTO_INVITATION_STATES] = {
	"queued", "invited", "reminded", "responded", "opted_out", "failed"
};
const char *const kto_response_state_names[KTO_RESPONSE_STATES] = {
	"draft", "complete"
};

/* sql yields (state, count) rows; each count lands at its state's index. */
static enum kto_rc
count_by_state(struct kto_db *db, const char *sql, const char *const *names,
               size_t n, int64_t *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_query(db, &st, sql, "");

	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		const char *state = (const char *)sqlite3_column_text(st, 0);

		for (size_t i = 0; state != NULL && i < n; i++)
			if (strcmp(state, names[i]) == 0)
				out[i] = sqlite3_column_int64(st, 1);
	}
	kto_db_query_done(st);
	return rc;
}

static enum kto_rc
file_sizes(struct kto_db *db, struct kto_gauges *out)
{
	sqlite3_stmt *st;
	bool row;
	const char *path = sqlite3_db_filename(db->sqlite, "main");
	char wal[4200];
	struct stat sb;
	enum kto_rc rc = kto_db_query(db, &st, "SELECT page_count * page_size "
	    "FROM pragma_page_count, pragma_page_size", "");

	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row)
		out->db_bytes = sqlite3_column_int64(st, 0);
	kto_db_query_done(st);
	if (path != NULL && path[0] != '\0') {
		snprintf(wal, sizeof wal, "%s-wal", path);
		if (stat(wal, &sb) == 0)
			out->wal_bytes = (int64_t)sb.st_size;
	}
	return rc;
}

enum kto_rc
kto_gauges_read(struct kto_db *db, struct kto_gauges *out)
{
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = kto_db_read_begin(db)) != KTO_OK)
		return rc;
	if ((rc = count_by_state(db, "SELECT state, count(*) FROM mail_outbox "
	    "GROUP BY state", kto_outbox_state_names, KTO_OUTBOX_STATES,
	    out->outbox)) == KTO_OK &&
	    (rc = count_by_state(db, "SELECT state, count(*) FROM invitation "
	    "GROUP BY state", kto_invitation_state_names, KTO_INVITATION_STATES,
	    out->invitations)) == KTO_OK &&
	    (rc = count_by_state(db, "SELECT state, count(*) FROM response "
	    "GROUP BY state", kto_response_state_names, KTO_RESPONSE_STATES,
	    out->responses)) == KTO_OK)
		rc = file_sizes(db, out);
	kto_db_read_end(db);
	if (rc != KTO_OK)
		memset(out, 0, sizeof *out);
	return rc;
}
