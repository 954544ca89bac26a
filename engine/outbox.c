/*
** engine/outbox: queueing, claiming and settling the mail.
*/
#include "engine/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "engine/db_int.h"
#include "engine/municipality.h"
#include "engine/surveydef.h"

/* Rows read per round of queueing: bounds memory, not the total. */
#define QUEUE_ROUND 500

/* Backoff of temporary failures: 5 minutes, doubling, at most 6 hours. */
#define BACKOFF_FIRST_SECONDS (5 * 60)
#define BACKOFF_MAX_SECONDS (6 * 3600)

static void
now_string(struct kto_db *db, int64_t offset, char out[20])
{
	struct kto_datetime t;

	kto_db_now(db, &t);
	kto_datetime_from_seconds(kto_datetime_seconds(&t) + offset, &t);
	kto_datetime_format(&t, out);
}

static int64_t
now_seconds(struct kto_db *db)
{
	struct kto_datetime t;

	kto_db_now(db, &t);
	return kto_datetime_seconds(&t);
}

/* ---------------------------------------------------------------------- */
/* Queueing                                                                */

/* One message to render, as read from the database. */
struct job_row {
	int64_t invitation_id, def_version_id;
	enum kto_mail_kind kind;
	char email[256], language[4], token[32], contact_at[20];
	char municipality[KTO_CODE_MAX + 1];
	enum kto_channel channel;
};

/* The parsed definitions and municipalities of one queueing, by id. */
struct job_cache {
	struct { int64_t id; struct kto_survey *s; } defs[64];
	size_t n_defs;
	struct kto_municipality munis[16];
	size_t n_munis;
};

static void
cache_release(struct job_cache *c)
{
	for (size_t i = 0; i < c->n_defs; i++)
		kto_survey_free(c->defs[i].s);
	c->n_defs = 0;
	c->n_munis = 0;
}

static const struct kto_survey *
cache_survey(struct kto_db *db, struct job_cache *c, int64_t vid)
{
	struct kto_diags d;
	struct kto_survey *s = NULL;
	sqlite3_stmt *st;
	bool row;

	for (size_t i = 0; i < c->n_defs; i++)
		if (c->defs[i].id == vid)
			return c->defs[i].s;
	if (c->n_defs == sizeof c->defs / sizeof c->defs[0])
		cache_release(c);
	if (kto_db_prepare(db, &st, "SELECT source FROM survey_def_version WHERE "
	    "id = ?", "i", vid) != KTO_OK)
		return NULL;
	kto_diags_init(&d);
	if (kto_db_step(db, st, &row) == KTO_OK && row) {
		const char *src = (const char *)sqlite3_column_text(st, 0);

		kto_survey_parse(src, strlen(src), &s, &d);
	}
	sqlite3_finalize(st);
	kto_diags_release(&d);
	if (s != NULL) {
		c->defs[c->n_defs].id = vid;
		c->defs[c->n_defs].s = s;
		c->n_defs++;
	}
	return s;
}

static const struct kto_municipality *
cache_municipality(struct kto_db *db, struct job_cache *c, const char *code)
{
	for (size_t i = 0; i < c->n_munis; i++)
		if (strcmp(c->munis[i].code, code) == 0)
			return &c->munis[i];
	if (c->n_munis == sizeof c->munis / sizeof c->munis[0])
		c->n_munis = 0;
	if (kto_municipality_find(db, code, &c->munis[c->n_munis]) != KTO_OK)
		return NULL;
	return &c->munis[c->n_munis++];
}

#define JOB_SELECT \
	"SELECT i.id, wc.def_version_id, c.email, i.language, i.mail_token, " \
	"c.contact_at, i.channel, m.code FROM invitation i " \
	"JOIN wave w ON w.id = i.wave_id " \
	"JOIN wave_channel wc ON wc.wave_id = i.wave_id AND wc.channel = i.channel " \
	"JOIN municipality m ON m.id = w.municipality_id " \
	"JOIN contact c ON c.id = i.contact_id "

static void
job_fill(sqlite3_stmt *st, void *elem)
{
	struct job_row *j = elem;
	char ch[16];

	j->invitation_id = sqlite3_column_int64(st, 0);
	j->def_version_id = sqlite3_column_int64(st, 1);
	kto_db_column_copy(st, 2, j->email, sizeof j->email);
	kto_db_column_copy(st, 3, j->language, sizeof j->language);
	kto_db_column_copy(st, 4, j->token, sizeof j->token);
	kto_db_column_copy(st, 5, j->contact_at, sizeof j->contact_at);
	kto_db_column_copy(st, 6, ch, sizeof ch);
	if (!kto_channel_parse(ch, &j->channel))
		j->channel = KTO_CHANNEL_COUNTER;
	kto_db_column_copy(st, 7, j->municipality, sizeof j->municipality);
}

/* The due messages of one kind, at most QUEUE_ROUND. */
static enum kto_rc
due_jobs(struct kto_db *db, enum kto_mail_kind kind, struct job_row **jobs,
         size_t *n)
{
	sqlite3_stmt *st;
	char now[20];
	enum kto_rc rc;

	now_string(db, 0, now);
	if (kind == KTO_MAIL_INVITATION)
		rc = kto_db_prepare(db, &st, JOB_SELECT "WHERE w.state IN "
		    "('sampled', 'fieldwork') AND i.state = 'queued' AND "
		    "i.mail_token IS NOT NULL AND c.email IS NOT NULL AND NOT EXISTS "
		    "(SELECT 1 FROM mail_outbox o WHERE o.invitation_id = i.id AND "
		    "o.kind = 'invitation') ORDER BY i.id LIMIT ?", "I", QUEUE_ROUND);
	else
		rc = kto_db_prepare(db, &st, JOB_SELECT "WHERE w.state IN "
		    "('sampled', 'fieldwork') AND w.reminder_days > 0 AND "
		    "i.state = 'invited' AND i.responded_at IS NULL AND "
		    "i.mail_token IS NOT NULL AND c.email IS NOT NULL AND "
		    "strftime('%Y-%m-%dT%H:%M:%S', i.invited_at, '+' || "
		    "w.reminder_days || ' days') <= ? AND NOT EXISTS (SELECT 1 FROM "
		    "mail_outbox o WHERE o.invitation_id = i.id AND o.kind = "
		    "'reminder') ORDER BY i.id LIMIT ?", "tI", now, QUEUE_ROUND);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_collect(db, st, sizeof **jobs, job_fill, (void **)jobs, n);
	for (size_t i = 0; rc == KTO_OK && i < *n; i++)
		(*jobs)[i].kind = kind;
	return rc;
}

struct queue_round {
	struct job_row *jobs;
	size_t n;
	kto_mail_renderer render;
	void *ctx;
	struct job_cache *cache;
	struct kto_queue_report *rep;
	size_t queued;
};

static void
note_problem(struct kto_queue_report *rep, const char *who, const char *why)
{
	rep->not_queued++;
	if (rep->problem[0] == '\0')
		snprintf(rep->problem, sizeof rep->problem, "%s: %s", who, why);
}

/* Renders and inserts one job; a job that cannot be rendered is noted. */
static enum kto_rc
queue_one(struct kto_db *db, struct queue_round *q, const struct job_row *j,
          struct kto_buf *msg)
{
	struct kto_mail_job job;
	struct kto_err err = KTO_ERR_INIT;
	char id[256], now[20];
	const struct kto_survey *s = cache_survey(db, q->cache, j->def_version_id);
	const struct kto_municipality *m = cache_municipality(db, q->cache,
	    j->municipality);
	enum kto_rc rc;

	if (s == NULL || m == NULL) {
		note_problem(q->rep, j->municipality, "the survey definition or the "
		    "municipality could not be read");
		return KTO_OK;
	}
	if (j->kind == KTO_MAIL_REMINDER && !s->reminder.present)
		return KTO_OK;   /* this survey sends no reminders */
	memset(&job, 0, sizeof job);
	job.invitation_id = j->invitation_id;
	job.kind = j->kind;
	job.email = j->email;
	job.language = j->language;
	job.token = j->token;
	job.contact_at = j->contact_at;
	job.channel = j->channel;
	job.municipality = m;
	job.survey = s;
	job.now = now_seconds(db);
	kto_buf_reset(msg);
	rc = q->render(q->ctx, &job, msg, id, sizeof id, &err);
	if (rc == KTO_EINPUT) {
		note_problem(q->rep, m->code, kto_err_msg(&err));
		return KTO_OK;
	}
	if (rc != KTO_OK)
		return kto_db_seterr(db, rc, "rendering a mail: %s", kto_err_msg(&err));
	now_string(db, 0, now);
	rc = kto_db_exec(db, "INSERT INTO mail_outbox (invitation_id, kind, "
	    "message_id, sender, recipient, message, next_attempt_at, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (invitation_id, kind) "
	    "DO NOTHING", "ittttbtt", j->invitation_id,
	    j->kind == KTO_MAIL_INVITATION ? "invitation" : "reminder", id,
	    m->sender_address, j->email, msg->ptr, msg->len, now, now);
	/* Another sender may have queued it between our read and our write:
	 * then it is theirs, and not counted here. */
	if (rc == KTO_OK && sqlite3_changes(db->sqlite) > 0) {
		q->queued++;
		if (j->kind == KTO_MAIL_INVITATION)
			q->rep->invitations++;
		else
			q->rep->reminders++;
	}
	return rc;
}

static enum kto_rc
queue_round_txn(struct kto_db *db, void *arg)
{
	struct queue_round *q = arg;
	struct kto_buf msg = KTO_BUF_INIT(4u << 20);
	enum kto_rc rc = KTO_OK;

	for (size_t i = 0; i < q->n && rc == KTO_OK; i++)
		rc = queue_one(db, q, &q->jobs[i], &msg);
	kto_buf_release(&msg);
	return rc;
}

enum kto_rc
kto_outbox_queue(struct kto_db *db, kto_mail_renderer render, void *ctx,
                 struct kto_queue_report *rep)
{
	struct job_cache cache;
	enum kto_rc rc = KTO_OK;

	memset(rep, 0, sizeof *rep);
	memset(&cache, 0, sizeof cache);
	for (int kind = KTO_MAIL_INVITATION; kind <= KTO_MAIL_REMINDER && rc == KTO_OK;
	    kind++) {
		/* Rounds until a round queues nothing new: what could not be
		 * rendered stays due but must not loop forever. */
		for (;;) {
			struct queue_round q = { NULL, 0, render, ctx, &cache, rep, 0 };

			if ((rc = due_jobs(db, (enum kto_mail_kind)kind, &q.jobs, &q.n)) != KTO_OK)
				break;
			if (q.n > 0)
				rc = kto_db_transaction(db, queue_round_txn, &q);
			free(q.jobs);
			if (rc != KTO_OK || q.queued == 0 || q.n < QUEUE_ROUND)
				break;
		}
	}
	cache_release(&cache);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Claiming                                                                */

void
kto_outbox_items_free(struct kto_outbox_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i].message);
	free(items);
}

/*
** Cancels what must no longer go out: mail of closed waves, reminders to
** citizens who answered in the meantime, and mail to addresses that opted
** out since it was queued.
*/
static enum kto_rc
cancel_stale_txn(struct kto_db *db, void *arg)
{
	static const char *const cancels[] = {
		/* Only invitations with mail still waiting are looked at, each
		 * by key: this runs before every claim. */
		"UPDATE invitation SET state = 'opted_out', mail_token = NULL WHERE "
		"id IN (SELECT invitation_id FROM mail_outbox WHERE state IN "
		"('queued', 'temp_failed')) AND state IN ('queued', 'invited') AND "
		"EXISTS (SELECT 1 FROM opt_out o WHERE o.email_hash = "
		"invitation.email_hash AND (o.municipality_id IS NULL OR "
		"o.municipality_id = (SELECT municipality_id FROM wave WHERE id = "
		"invitation.wave_id)))",
		"UPDATE mail_outbox SET state = 'perm_failed', message = NULL, "
		"recipient = NULL, last_reply = CASE (SELECT i.state FROM invitation i "
		"WHERE i.id = invitation_id) WHEN 'opted_out' THEN 'cancelled: the "
		"citizen opted out' WHEN 'responded' THEN 'cancelled: the citizen "
		"responded' ELSE 'cancelled: the wave is closed' END "
		"WHERE state IN ('queued', 'temp_failed') AND EXISTS (SELECT 1 FROM "
		"invitation i JOIN wave w ON w.id = i.wave_id WHERE i.id = "
		"mail_outbox.invitation_id AND (w.state = 'closed' OR i.state = "
		"'opted_out' OR (i.responded_at IS NOT NULL AND mail_outbox.kind = "
		"'reminder')))",
		NULL
	};
	enum kto_rc rc = KTO_OK;

	(void)arg;
	for (int i = 0; cancels[i] != NULL && rc == KTO_OK; i++)
		rc = kto_db_exec(db, cancels[i], "");
	return rc;
}

enum kto_rc
kto_outbox_cancel_stale(struct kto_db *db)
{
	return kto_db_transaction(db, cancel_stale_txn, NULL);
}

struct claim {
	const char *worker;
	size_t max;
	int lease;
	struct kto_outbox_item *items;
	size_t n;
};

static enum kto_rc
claim_txn(struct kto_db *db, void *arg)
{
	struct claim *c = arg;
	sqlite3_stmt *st;
	char now[20], expired[20];
	bool row;
	enum kto_rc rc;

	now_string(db, 0, now);
	now_string(db, -c->lease, expired);
	if ((rc = kto_db_exec(db, "UPDATE mail_outbox SET state = 'queued', "
	    "claimed_by = NULL WHERE state = 'sending' AND claimed_at < ?", "t",
	    expired)) != KTO_OK)
		return rc;
	c->items = calloc(c->max ? c->max : 1, sizeof *c->items);
	if (c->items == NULL)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	rc = kto_db_prepare(db, &st, "SELECT id, sender, recipient, message, "
	    "attempts FROM mail_outbox WHERE state IN ('queued', 'temp_failed') "
	    "AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?", "ti",
	    now, (int64_t)c->max);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row && c->n < c->max) {
		struct kto_outbox_item *it = &c->items[c->n];
		size_t len = (size_t)sqlite3_column_bytes(st, 3);

		it->id = sqlite3_column_int64(st, 0);
		kto_db_column_copy(st, 1, it->sender, sizeof it->sender);
		kto_db_column_copy(st, 2, it->recipient, sizeof it->recipient);
		it->attempts = sqlite3_column_int(st, 4);
		it->message = malloc(len + 1);
		if (it->message == NULL) {
			rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory");
			break;
		}
		if (len > 0)
			memcpy(it->message, sqlite3_column_blob(st, 3), len);
		it->message[len] = '\0';
		it->len = len;
		c->n++;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < c->n && rc == KTO_OK; i++)
		rc = kto_db_exec(db, "UPDATE mail_outbox SET state = 'sending', "
		    "claimed_by = ?, claimed_at = ? WHERE id = ?", "tti", c->worker,
		    now, c->items[i].id);
	return rc;
}

enum kto_rc
kto_outbox_claim(struct kto_db *db, const char *worker, size_t max,
                 int lease_seconds, struct kto_outbox_item **items, size_t *n)
{
	struct claim c = { worker, max, lease_seconds, NULL, 0 };
	enum kto_rc rc = kto_db_transaction(db, claim_txn, &c);

	if (rc != KTO_OK) {
		kto_outbox_items_free(c.items, c.n);
		*items = NULL;
		*n = 0;
		return rc;
	}
	*items = c.items;
	*n = c.n;
	return KTO_OK;
}

static void
worker_fill(sqlite3_stmt *st, void *elem)
{
	kto_db_column_copy(st, 0, elem, 128);
}

enum kto_rc
kto_outbox_release_dead(struct kto_db *db,
                        bool (*alive)(void *ctx, const char *worker), void *ctx,
                        int64_t *released)
{
	char (*workers)[128] = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	enum kto_rc rc;

	if (released != NULL)
		*released = 0;
	rc = kto_db_prepare(db, &st, "SELECT DISTINCT claimed_by FROM mail_outbox "
	    "WHERE state = 'sending' AND claimed_by IS NOT NULL", "");
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_collect(db, st, sizeof *workers, worker_fill,
	    (void **)&workers, &n)) != KTO_OK)
		return rc;
	for (size_t i = 0; i < n && rc == KTO_OK; i++) {
		if (alive(ctx, workers[i]))
			continue;
		rc = kto_db_exec(db, "UPDATE mail_outbox SET state = 'queued', "
		    "claimed_by = NULL WHERE state = 'sending' AND claimed_by = ?", "t",
		    workers[i]);
		if (rc == KTO_OK && released != NULL)
			*released += sqlite3_changes(db->sqlite);
	}
	free(workers);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Settling                                                                */

struct finish {
	struct kto_outbox_result *r;
	size_t n;
	int max_retry_hours;
};

static enum kto_rc
finish_sent(struct kto_db *db, const struct kto_outbox_result *r, const char *now)
{
	enum kto_rc rc;

	rc = kto_db_exec(db, "UPDATE mail_outbox SET state = 'sent', sent_at = ?, "
	    "message = NULL, recipient = NULL, attempts = attempts + 1, "
	    "last_reply = ?, claimed_by = NULL WHERE id = ? AND state = 'sending'",
	    "tti", now, r->reply, r->id);
	if (rc != KTO_OK || sqlite3_changes(db->sqlite) == 0)
		return rc;
	/*
	** The token is kept for mailing only: after the last mail (the
	** reminder, or the invitation when the wave sends none) it goes.
	*/
	if ((rc = kto_db_exec(db, "UPDATE invitation SET "
	    "invited_at = coalesce(invited_at, ?), state = CASE state WHEN 'queued' "
	    "THEN 'invited' ELSE state END WHERE id = (SELECT invitation_id FROM "
	    "mail_outbox WHERE id = ? AND kind = 'invitation')", "ti", now, r->id))
	    != KTO_OK)
		return rc;
	if ((rc = kto_db_exec(db, "UPDATE invitation SET reminded_at = ?, state = "
	    "CASE state WHEN 'invited' THEN 'reminded' ELSE state END, mail_token = "
	    "NULL WHERE id = (SELECT invitation_id FROM mail_outbox WHERE id = ? AND "
	    "kind = 'reminder')", "ti", now, r->id)) != KTO_OK)
		return rc;
	if ((rc = kto_db_exec(db, "UPDATE invitation SET mail_token = NULL WHERE "
	    "id = (SELECT invitation_id FROM mail_outbox WHERE id = ?) AND "
	    "(SELECT w.reminder_days FROM wave w WHERE w.id = invitation.wave_id) = 0",
	    "i", r->id)) != KTO_OK)
		return rc;
	return kto_db_exec(db, "UPDATE wave SET state = 'fieldwork' WHERE state = "
	    "'sampled' AND id = (SELECT i.wave_id FROM invitation i JOIN mail_outbox o "
	    "ON o.invitation_id = i.id WHERE o.id = ?)", "i", r->id);
}

static enum kto_rc
finish_permanent(struct kto_db *db, int64_t id, const char *reply)
{
	enum kto_rc rc;

	rc = kto_db_exec(db, "UPDATE mail_outbox SET state = 'perm_failed', "
	    "message = NULL, recipient = NULL, attempts = attempts + 1, "
	    "last_reply = ?, claimed_by = NULL WHERE id = ? AND state = 'sending'",
	    "ti", reply, id);
	if (rc != KTO_OK || sqlite3_changes(db->sqlite) == 0)
		return rc;
	return kto_db_exec(db, "UPDATE invitation SET state = 'failed', "
	    "mail_token = NULL WHERE id = (SELECT invitation_id FROM mail_outbox "
	    "WHERE id = ?) AND state IN ('queued', 'invited', 'reminded')", "i", id);
}

static enum kto_rc
finish_temporary(struct kto_db *db, struct kto_outbox_result *r,
                 int max_retry_hours)
{
	sqlite3_stmt *st;
	struct kto_datetime created;
	int64_t now = now_seconds(db), delay = BACKOFF_FIRST_SECONDS;
	char created_s[24] = "", next[20];
	int attempts = 0;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT attempts, created_at FROM mail_outbox "
	    "WHERE id = ? AND state = 'sending'", "i", r->id);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		attempts = sqlite3_column_int(st, 0);
		kto_db_column_copy(st, 1, created_s, sizeof created_s);
	}
	sqlite3_finalize(st);
	if (rc != KTO_OK || !row)
		return rc;
	if (kto_datetime_parse(created_s, &created) &&
	    now - kto_datetime_seconds(&created) >= (int64_t)max_retry_hours * 3600) {
		char reply[300];

		snprintf(reply, sizeof reply, "gave up after %d hours: %s",
		    max_retry_hours, r->reply);
		r->outcome = KTO_MAIL_PERMANENT;
		snprintf(r->reply, sizeof r->reply, "%.250s", reply);
		return finish_permanent(db, r->id, reply);
	}
	for (int i = 0; i < attempts && delay < BACKOFF_MAX_SECONDS; i++)
		delay *= 2;
	if (delay > BACKOFF_MAX_SECONDS)
		delay = BACKOFF_MAX_SECONDS;
	now_string(db, delay, next);
	return kto_db_exec(db, "UPDATE mail_outbox SET state = 'temp_failed', "
	    "attempts = attempts + 1, next_attempt_at = ?, last_reply = ?, "
	    "claimed_by = NULL WHERE id = ?", "tti", next, r->reply, r->id);
}

static enum kto_rc
finish_txn(struct kto_db *db, void *arg)
{
	struct finish *f = arg;
	char now[20];
	enum kto_rc rc = KTO_OK;

	now_string(db, 0, now);
	for (size_t i = 0; i < f->n && rc == KTO_OK; i++) {
		struct kto_outbox_result *r = &f->r[i];

		switch (r->outcome) {
		case KTO_MAIL_SENT: rc = finish_sent(db, r, now); break;
		case KTO_MAIL_PERMANENT: rc = finish_permanent(db, r->id, r->reply); break;
		case KTO_MAIL_TEMPORARY: rc = finish_temporary(db, r, f->max_retry_hours); break;
		}
	}
	return rc;
}

enum kto_rc
kto_outbox_finish(struct kto_db *db, struct kto_outbox_result *r, size_t n,
                  int max_retry_hours)
{
	struct finish f = { r, n, max_retry_hours };

	if (n == 0)
		return KTO_OK;
	return kto_db_transaction(db, finish_txn, &f);
}

enum kto_rc
kto_outbox_count(struct kto_db *db, struct kto_outbox_counts *out)
{
	sqlite3_stmt *st;
	char now[20];
	bool row;
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	now_string(db, 0, now);
	rc = kto_db_prepare(db, &st, "SELECT sum(state = 'queued'), "
	    "sum(state = 'sending'), sum(state = 'sent'), sum(state = 'temp_failed'), "
	    "sum(state = 'perm_failed'), sum(state IN ('queued', 'temp_failed') AND "
	    "next_attempt_at <= ?) FROM mail_outbox", "t", now);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		out->queued = sqlite3_column_int64(st, 0);
		out->sending = sqlite3_column_int64(st, 1);
		out->sent = sqlite3_column_int64(st, 2);
		out->temp_failed = sqlite3_column_int64(st, 3);
		out->perm_failed = sqlite3_column_int64(st, 4);
		out->due = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return rc;
}
