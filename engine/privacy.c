/*
** engine/privacy: the retention purge, a citizen's export and erasure, and
** the team's privacy settings (see privacy.h).
*/
#include "engine/privacy.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/strparse.h"
#include "engine/audit.h"
#include "engine/blocklist.h"
#include "engine/db_int.h"
#include "engine/mask.h"

/* The keys of the settings in the setting table. */
#define SETTING_RETENTION "privacy_retention_days"
#define SETTING_KEEP_OPEN "privacy_keep_open_originals"

#define ARRAY_LEN(a) (sizeof (a) / sizeof *(a))

/* What an erased address is replaced by in an open answer. */
#define ADDRESS_MASK "[e-mail]"

/* ---------------------------------------------------------------------- */
/* Settings                                                                */

/* A setting's value as text into out ("" when not set). */
static enum kto_rc
setting_read(struct kto_db *db, const char *key, char *out, size_t n)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	out[0] = '\0';
	rc = kto_db_query(db, &st, "SELECT value FROM setting WHERE key = ?", "t", key);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		const void *v = sqlite3_column_blob(st, 0);

		if (len >= n)
			len = n - 1;
		if (v != NULL)
			memcpy(out, v, len);
		out[len] = '\0';
	}
	kto_db_query_done(st);
	return rc;
}

/* The setting table is STRICT with BLOB values: text goes in as bytes. */
static enum kto_rc
setting_write(struct kto_db *db, const char *key, const char *value)
{
	return kto_db_exec(db, "INSERT INTO setting (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", "tb", key,
	    value, strlen(value));
}

enum kto_rc
kto_privacy_settings_get(struct kto_db *db, struct kto_privacy_settings *out)
{
	char v[32];
	int64_t days;
	enum kto_rc rc;

	out->retention_days = KTO_RETENTION_DAYS_DEFAULT;
	out->keep_open_originals = false;
	if ((rc = setting_read(db, SETTING_RETENTION, v, sizeof v)) != KTO_OK)
		return rc;
	if (v[0] != '\0') {
		if (kto_parse_i64(v, 0, KTO_RETENTION_DAYS_MAX, &days) != KTO_OK)
			return kto_db_seterr(db, KTO_EINTERNAL, "the setting %s in the "
			    "database is not a number of days", SETTING_RETENTION);
		out->retention_days = (int)days;
	}
	if ((rc = setting_read(db, SETTING_KEEP_OPEN, v, sizeof v)) != KTO_OK)
		return rc;
	out->keep_open_originals = strcmp(v, "1") == 0;
	return KTO_OK;
}

enum kto_rc
kto_privacy_keep_open_originals(struct kto_db *db, bool *keep)
{
	char v[8];
	enum kto_rc rc = setting_read(db, SETTING_KEEP_OPEN, v, sizeof v);

	*keep = rc == KTO_OK && strcmp(v, "1") == 0;
	return rc;
}

struct settings_set {
	const char *actor;
	int days, keep;
};

static enum kto_rc
settings_set_txn(struct kto_db *db, void *arg)
{
	struct settings_set *s = arg;
	char v[32], detail[96];
	enum kto_rc rc;

	if (s->days >= 0) {
		snprintf(v, sizeof v, "%d", s->days);
		if ((rc = setting_write(db, SETTING_RETENTION, v)) != KTO_OK)
			return rc;
	}
	if (s->keep >= 0 &&
	    (rc = setting_write(db, SETTING_KEEP_OPEN, s->keep ? "1" : "0")) != KTO_OK)
		return rc;
	snprintf(detail, sizeof detail, "retention_days=%d keep_open_originals=%d",
	    s->days, s->keep);
	return kto_audit(db, s->actor, "privacy.settings", 0, NULL, detail);
}

enum kto_rc
kto_privacy_settings_set(struct kto_db *db, const char *actor, int retention_days,
                         int keep)
{
	struct settings_set s = { actor, retention_days, keep };

	if (retention_days > KTO_RETENTION_DAYS_MAX)
		return kto_db_seterr(db, KTO_EINPUT, "a retention of %d days is more "
		    "than the %d allowed", retention_days, KTO_RETENTION_DAYS_MAX);
	if (keep > 1)
		return kto_db_seterr(db, KTO_EINTERNAL, "keep must be -1, 0 or 1");
	return kto_db_transaction(db, settings_set_txn, &s);
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* One count(*) with ?1 bound to text t (and ?2 to a blob when b != NULL). */
static enum kto_rc
count_rows(struct kto_db *db, const char *sql, const char *t, const void *b,
           size_t bn, int64_t *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	*out = 0;
	rc = b != NULL ? kto_db_prepare(db, &st, sql, "tb", t, b, bn)
	    : kto_db_prepare(db, &st, sql, "t", t);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

enum kto_rc
kto_privacy_checkpoint(struct kto_db *db)
{
	int nlog = 0, nckpt = 0;
	int rc = sqlite3_wal_checkpoint_v2(db->sqlite, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, &nlog, &nckpt);

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return kto_db_seterr(db, KTO_EBUSY, "the write-ahead log could not be "
		    "emptied: another process is reading the database (%d of %d pages "
		    "copied); the erased data stays in the -wal file until it can be. "
		    "Run 'kto privacy purge' again when the database is quiet", nckpt,
		    nlog);
	if (rc != SQLITE_OK)
		return kto_db_fail(db, rc, "emptying the write-ahead log");
	return KTO_OK;
}

/*
** Every connection has secure_delete on (engine/db.c); these operations
** depend on it, so they say so themselves rather than trust that it stays.
*/
static enum kto_rc
secure_delete_on(struct kto_db *db)
{
	return kto_db_exec(db, "PRAGMA secure_delete = ON", "");
}

/* The normal form and keyed hash of an address a citizen gave. */
static enum kto_rc
address_key(struct kto_db *db, const char *email, char norm[KTO_EMAIL_MAX + 1],
            unsigned char hash[KTO_EMAIL_HASH_BYTES])
{
	const char *why;

	if (!kto_email_normalize(email, norm))
		return kto_db_seterr(db, KTO_EINPUT, "the address is longer than %d "
		    "characters; check it and try again", KTO_EMAIL_MAX);
	if ((why = kto_email_problem(norm)) != NULL)
		return kto_db_seterr(db, KTO_EINPUT, "'%.80s' is not an e-mail address: "
		    "it %s; give the address as the citizen wrote it, e.g. "
		    "jan@example.nl", email, why);
	return kto_email_hash(db, norm, hash);
}

/* ---------------------------------------------------------------------- */
/* The retention purge                                                     */

/*
** Whether wave t is past its retention at cutoff ?1: closed, and closed
** before the cutoff.  closed_at is UTC and the cutoff local time: the
** hour or two between them does not matter at a retention of days.
*/
#define PAST(t) "(" t ".state = 'closed' AND coalesce(" t ".closed_at, '') < ?1)"
#define WAVES_PAST "(SELECT w.id FROM wave w WHERE " PAST("w") ")"
#define WAVES_LIVE "(SELECT w.id FROM wave w WHERE NOT " PAST("w") ")"
#define INVITATIONS_PAST \
	"(SELECT id FROM invitation WHERE wave_id IN " WAVES_PAST ")"
#define COVERS(t) "(" t ".municipality_id = contact.municipality_id AND " \
	"substr(contact.contact_at, 1, 10) BETWEEN " t ".period_from AND " \
	t ".period_to)"

/*
** The contacts whose address the purge erases: covered (by period) or
** invited by a wave past its retention, and neither covered nor invited by
** a wave that is not -- a later wave over the same days, or a continuous
** one still running, still needs them.
*/
#define CONTACTS_DUE \
	"email IS NOT NULL AND (id IN (SELECT contact_id FROM invitation WHERE " \
	"wave_id IN " WAVES_PAST ") OR EXISTS (SELECT 1 FROM wave w WHERE " \
	PAST("w") " AND " COVERS("w") ")) AND NOT EXISTS (SELECT 1 FROM wave w " \
	"WHERE NOT " PAST("w") " AND " COVERS("w") ") AND id NOT IN (SELECT " \
	"contact_id FROM invitation WHERE contact_id IS NOT NULL AND wave_id IN " \
	WAVES_LIVE ")"

#define TOKENS_DUE "mail_token IS NOT NULL AND wave_id IN " WAVES_PAST
#define MAILS_DUE "(recipient IS NOT NULL OR message IS NOT NULL) AND " \
	"invitation_id IN " INVITATIONS_PAST
#define RESPONSES_DUE "invitation_id IN " INVITATIONS_PAST
#define PENDING "state IN ('queued', 'sending', 'temp_failed')"

/* One step of the purge: how to count it, how to do it. */
struct purge_step {
	const char *count_sql, *do_sql;
	size_t field;            /* offset of its counter in the report */
};

static const struct purge_step purge_steps[] = {
	{ "SELECT count(*) FROM contact WHERE " CONTACTS_DUE,
	  "UPDATE contact SET email = NULL WHERE " CONTACTS_DUE,
	  offsetof(struct kto_purge_report, addresses) },
	{ "SELECT count(*) FROM invitation WHERE " TOKENS_DUE,
	  "UPDATE invitation SET mail_token = NULL WHERE " TOKENS_DUE,
	  offsetof(struct kto_purge_report, tokens) },
	/* Mail not yet gone never goes now: the wave is closed. */
	{ "SELECT count(*) FROM mail_outbox WHERE " MAILS_DUE,
	  "UPDATE mail_outbox SET recipient = NULL, message = NULL, claimed_by = "
	  "NULL, last_reply = CASE WHEN " PENDING " THEN 'cancelled: the wave was "
	  "closed and its addresses erased' ELSE last_reply END, state = CASE "
	  "WHEN " PENDING " THEN 'perm_failed' ELSE state END WHERE " MAILS_DUE,
	  offsetof(struct kto_purge_report, mails) },
	/*
	** A response needs its invitation only while it can still be
	** answered; after the purge nothing leads from an address (or its
	** hash) to what the citizen answered.
	*/
	{ "SELECT count(*) FROM response WHERE " RESPONSES_DUE,
	  "UPDATE response SET invitation_id = NULL WHERE " RESPONSES_DUE,
	  offsetof(struct kto_purge_report, responses) },
};

/* A text with an address in it, and its masked form. */
struct reply_fix {
	int64_t id;
	char *masked;
};

/*
** SMTP replies often quote the recipient ("550 5.1.1 <jan@example.nl>:
** user unknown"): mask the addresses in them, keep the rest for the record.
*/
static enum kto_rc
purge_replies(struct kto_db *db, const char *cutoff, bool dry_run, int64_t *count)
{
	sqlite3_stmt *st;
	struct reply_fix *fix = NULL;
	size_t n = 0, cap = 0;
	bool row;
	enum kto_rc rc;

	*count = 0;
	rc = kto_db_prepare(db, &st, "SELECT id, last_reply FROM mail_outbox WHERE "
	    "last_reply LIKE '%@%' AND invitation_id IN " INVITATIONS_PAST, "t",
	    cutoff);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		const char *text = (const char *)sqlite3_column_text(st, 1);
		struct kto_buf b = KTO_BUF_INIT(1u << 16);
		unsigned found = 0;

		if ((rc = kto_mask_text(text, &b, &found)) == KTO_ELIMIT) {
			kto_buf_reset(&b);
			rc = kto_buf_adds(&b, "(reply removed: it could not be checked "
			    "for addresses)");
		}
		if (rc != KTO_OK) {
			kto_buf_release(&b);
			rc = kto_db_seterr(db, rc, "masking an SMTP reply: %s",
			    kto_strerror(rc));
			break;
		}
		if (strcmp(kto_buf_str(&b), text) == 0) {
			kto_buf_release(&b);
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct reply_fix *p = realloc(fix, ncap * sizeof *p);

			if (p == NULL) {
				kto_buf_release(&b);
				rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory");
				break;
			}
			fix = p;
			cap = ncap;
		}
		fix[n].id = sqlite3_column_int64(st, 0);
		fix[n++].masked = kto_buf_detach(&b);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		if (rc == KTO_OK && !dry_run)
			rc = kto_db_exec(db, "UPDATE mail_outbox SET last_reply = ? "
			    "WHERE id = ?", "ti", fix[i].masked, fix[i].id);
		free(fix[i].masked);
	}
	free(fix);
	if (rc == KTO_OK)
		*count = (int64_t)n;
	return rc;
}

/*
** text with every occurrence of norm (ASCII, compared without case)
** replaced by ADDRESS_MASK; a string to free(3), NULL when out of memory.
*/
static char *
replace_address(const char *text, const char *norm)
{
	struct kto_buf b = KTO_BUF_INIT(SIZE_MAX);
	size_t n = strlen(norm);
	enum kto_rc rc = KTO_OK;

	while (*text != '\0' && rc == KTO_OK) {
		if (strncasecmp(text, norm, n) == 0) {
			rc = kto_buf_adds(&b, ADDRESS_MASK);
			text += n;
		} else {
			rc = kto_buf_addc(&b, *text++);
		}
	}
	if (rc != KTO_OK) {
		kto_buf_release(&b);
		return NULL;
	}
	return kto_buf_detach(&b);
}

/* Replaces the address norm in one stored answer by "[e-mail]". */
static enum kto_rc
erase_in_answer(struct kto_db *db, int64_t response_id, const char *item,
                const char *norm)
{
	sqlite3_stmt *st;
	char *text = NULL;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT value_text FROM answer WHERE "
	    "response_id = ? AND item = ? AND value_text IS NOT NULL", "it",
	    response_id, item);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    (text = replace_address((const char *)sqlite3_column_text(st, 0),
	    norm)) == NULL)
		rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	sqlite3_finalize(st);
	if (rc == KTO_OK && text != NULL)
		rc = kto_db_exec(db, "UPDATE answer SET value_text = ? WHERE "
		    "response_id = ? AND item = ?", "tit", text, response_id, item);
	free(text);
	return rc;
}

/* One answer to change: where, and the address to take out of it. */
struct answer_fix {
	int64_t response_id;
	char item[64];
	char address[KTO_EMAIL_MAX + 1];    /* "" when the query names none */
};

static void
answer_fix_fill(sqlite3_stmt *st, void *elem)
{
	struct answer_fix *f = elem;

	f->response_id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, f->item, sizeof f->item);
	f->address[0] = '\0';
	if (sqlite3_column_count(st) > 2)
		kto_db_column_copy(st, 2, f->address, sizeof f->address);
}

/*
** Runs st, whose rows are (response_id, item[, address]), and replaces the
** address -- the row's own, else norm -- in each answer by "[e-mail]";
** only counts them with dry_run.  *count: the rows.
*/
static enum kto_rc
fix_answers(struct kto_db *db, sqlite3_stmt *st, const char *norm, bool dry_run,
            int64_t *count)
{
	struct answer_fix *fix = NULL;
	size_t n = 0;
	enum kto_rc rc;

	*count = 0;
	if ((rc = kto_db_collect(db, st, sizeof *fix, answer_fix_fill, (void **)&fix,
	    &n)) != KTO_OK)
		return rc;
	for (size_t i = 0; i < n && rc == KTO_OK && !dry_run; i++)
		rc = erase_in_answer(db, fix[i].response_id, fix[i].item,
		    fix[i].address[0] ? fix[i].address : norm);
	free(fix);
	if (rc == KTO_OK)
		*count = (int64_t)n;
	return rc;
}

/*
** Open answers of the waves past their retention that quote the address of
** one of the wave's invited contacts -- kept as typed by the team's setting,
** or typed in a way the patterns missed -- get it replaced by "[e-mail]":
** the address goes, whatever the answers keep.  The rows hold the address
** (text) to find in each answer; one answer may come more than once.
*/
static enum kto_rc
purge_answers(struct kto_db *db, const char *cutoff, bool dry_run, int64_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc;

	*count = 0;
	rc = kto_db_prepare(db, &st, "SELECT a.response_id, a.item, c.email FROM "
	    "answer a JOIN response r ON r.id = a.response_id JOIN invitation i ON "
	    "i.wave_id = r.wave_id JOIN contact c ON c.id = i.contact_id WHERE "
	    "r.wave_id IN " WAVES_PAST " AND a.value_text LIKE '%@%' AND c.email "
	    "IS NOT NULL AND instr(lower(a.value_text), c.email) > 0", "t", cutoff);
	if (rc != KTO_OK)
		return rc;
	return fix_answers(db, st, NULL, dry_run, count);
}

struct purge {
	const char *actor;
	struct kto_purge_report *r;
	char now[20];
};

static enum kto_rc
purge_txn(struct kto_db *db, void *arg)
{
	struct purge *p = arg;
	struct kto_purge_report *r = p->r;
	char detail[256];
	enum kto_rc rc;

	rc = count_rows(db, "SELECT count(*) FROM wave w WHERE " PAST("w"),
	    r->cutoff, NULL, 0, &r->waves);
	/* Before the contacts step: it reads the addresses that one erases. */
	if (rc == KTO_OK)
		rc = purge_answers(db, r->cutoff, r->dry_run, &r->answers);
	if (rc == KTO_OK)
		rc = count_rows(db, "SELECT count(*) FROM wave w WHERE " PAST("w")
		    " AND w.purged_at IS NULL", r->cutoff, NULL, 0, &r->waves_new);
	for (size_t i = 0; rc == KTO_OK && i < ARRAY_LEN(purge_steps); i++) {
		const struct purge_step *s = &purge_steps[i];
		int64_t *field = (int64_t *)(void *)((char *)r + s->field);

		if (r->dry_run) {
			rc = count_rows(db, s->count_sql, r->cutoff, NULL, 0, field);
		} else if ((rc = kto_db_exec(db, s->do_sql, "t", r->cutoff)) == KTO_OK) {
			*field = sqlite3_changes64(db->sqlite);
		}
	}
	if (rc == KTO_OK)
		rc = purge_replies(db, r->cutoff, r->dry_run, &r->replies);
	if (rc != KTO_OK || r->dry_run)
		return rc;
	if ((rc = kto_db_exec(db, "UPDATE wave SET purged_at = ?2 WHERE "
	    PAST("wave") " AND purged_at IS NULL", "tt", r->cutoff, p->now)) != KTO_OK)
		return rc;
	if (r->waves_new + r->addresses + r->tokens + r->mails + r->replies +
	    r->responses + r->answers == 0)
		return KTO_OK;      /* nothing changed: nothing to record */
	snprintf(detail, sizeof detail, "retention %d days; waves %lld (new %lld); "
	    "addresses %lld; tokens %lld; mails %lld; replies %lld; responses %lld; "
	    "open answers %lld", r->retention_days, (long long)r->waves,
	    (long long)r->waves_new, (long long)r->addresses, (long long)r->tokens,
	    (long long)r->mails, (long long)r->replies, (long long)r->responses,
	    (long long)r->answers);
	return kto_audit(db, p->actor, "privacy.purge", 0, NULL, detail);
}

enum kto_rc
kto_privacy_purge(struct kto_db *db, const char *actor, int retention_days,
                  bool dry_run, struct kto_purge_report *out)
{
	struct purge p = { actor, out, "" };
	struct kto_privacy_settings set;
	struct kto_datetime now, cut;
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	out->dry_run = dry_run;
	if (retention_days < 0) {
		if ((rc = kto_privacy_settings_get(db, &set)) != KTO_OK)
			return rc;
		retention_days = set.retention_days;
	}
	if (retention_days > KTO_RETENTION_DAYS_MAX)
		return kto_db_seterr(db, KTO_EINPUT, "a retention of %d days is more "
		    "than the %d allowed", retention_days, KTO_RETENTION_DAYS_MAX);
	out->retention_days = retention_days;
	kto_db_now(db, &now);
	kto_datetime_format(&now, p.now);
	kto_datetime_from_seconds(kto_datetime_seconds(&now) -
	    (int64_t)retention_days * 86400, &cut);
	kto_datetime_format(&cut, out->cutoff);
	if ((rc = secure_delete_on(db)) != KTO_OK ||
	    (rc = kto_db_transaction(db, purge_txn, &p)) != KTO_OK)
		return rc;
	out->committed = true;
	if (dry_run)
		return KTO_OK;
	rc = kto_privacy_checkpoint(db);
	out->checkpointed = rc == KTO_OK;
	return rc;
}

/* ---------------------------------------------------------------------- */
/* A citizen's export                                                      */

/* The invitations of an address: by its hash, or through its contacts. */
#define INVITATIONS_OF "(SELECT id FROM invitation WHERE email_hash = ?2 OR " \
	"contact_id IN (SELECT id FROM contact WHERE email = ?1 OR " \
	"email_hash = ?2))"

static void
px_contact_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_px_contact *c = elem;

	kto_db_column_copy(st, 0, c->municipality, sizeof c->municipality);
	kto_db_column_copy(st, 1, c->municipality_name, sizeof c->municipality_name);
	kto_db_column_copy(st, 2, c->external_id, sizeof c->external_id);
	kto_db_column_copy(st, 3, c->channel, sizeof c->channel);
	kto_db_column_copy(st, 4, c->contact_at, sizeof c->contact_at);
	kto_db_column_copy(st, 5, c->imported_at, sizeof c->imported_at);
	c->address_held = sqlite3_column_int(st, 6) != 0;
}

static void
px_invitation_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_px_invitation *v = elem;

	v->wave_id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, v->municipality, sizeof v->municipality);
	kto_db_column_copy(st, 2, v->channel, sizeof v->channel);
	kto_db_column_copy(st, 3, v->state, sizeof v->state);
	kto_db_column_copy(st, 4, v->wave_state, sizeof v->wave_state);
	kto_db_column_copy(st, 5, v->created_at, sizeof v->created_at);
	kto_db_column_copy(st, 6, v->invited_at, sizeof v->invited_at);
	kto_db_column_copy(st, 7, v->reminded_at, sizeof v->reminded_at);
	kto_db_column_copy(st, 8, v->responded_at, sizeof v->responded_at);
	kto_db_column_copy(st, 9, v->wave_purged_at, sizeof v->wave_purged_at);
	v->token_held = sqlite3_column_int(st, 10) != 0;
	v->mails = sqlite3_column_int64(st, 11);
	v->mails_with_address = sqlite3_column_int64(st, 12);
	kto_db_column_copy(st, 13, v->response, sizeof v->response);
}

static void
px_optout_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_px_optout *o = elem;

	kto_db_column_copy(st, 0, o->municipality, sizeof o->municipality);
	kto_db_column_copy(st, 1, o->source, sizeof o->source);
	kto_db_column_copy(st, 2, o->created_at, sizeof o->created_at);
}

/* Runs a query with ?1 the address and ?2 its hash, collecting rows. */
static enum kto_rc
collect_by_address(struct kto_db *db, const char *sql, const char *norm,
                   const unsigned char *hash, size_t elem_size,
                   void (*fill)(sqlite3_stmt *, void *), void **out, size_t *n)
{
	sqlite3_stmt *st;
	enum kto_rc rc;

	*out = NULL;
	*n = 0;
	rc = kto_db_prepare(db, &st, sql, "tb", norm, hash, (size_t)KTO_EMAIL_HASH_BYTES);
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, elem_size, fill, out, n);
}

/* The staff and test patterns the address matches. */
static enum kto_rc
px_exclusions(struct kto_db *db, const char *norm, struct kto_privacy_export *x)
{
	struct kto_pattern *list;
	size_t n;
	enum kto_rc rc;

	if ((rc = kto_pattern_list(db, &list, &n)) != KTO_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char lower[sizeof list[i].pattern];
		struct kto_px_exclusion *e;

		for (size_t k = 0; k < sizeof lower; k++) {
			char ch = list[i].pattern[k];

			lower[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
			if (ch == '\0')
				break;
		}
		if (fnmatch(lower, norm, 0) != 0)
			continue;
		e = realloc(x->exclusions, (x->n_exclusions + 1) * sizeof *e);
		if (e == NULL) {
			free(list);
			return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
		}
		x->exclusions = e;
		e += x->n_exclusions++;
		e->id = list[i].id;
		snprintf(e->pattern, sizeof e->pattern, "%s", list[i].pattern);
		snprintf(e->municipality, sizeof e->municipality, "%s",
		    list[i].municipality);
		e->exact = strcmp(lower, norm) == 0;
	}
	free(list);
	return KTO_OK;
}

/* Counts of the places where the address can only be found as text. */
static enum kto_rc
px_text_counts(struct kto_db *db, const char *norm, int64_t *answers,
               int64_t *audit)
{
	enum kto_rc rc;

	rc = count_rows(db, "SELECT count(*) FROM answer WHERE value_text IS NOT "
	    "NULL AND instr(lower(value_text), ?1) > 0", norm, NULL, 0, answers);
	if (rc != KTO_OK)
		return rc;
	return count_rows(db, "SELECT count(*) FROM audit_log WHERE "
	    "instr(lower(coalesce(subject, '') || ' ' || coalesce(detail, '')), ?1) > 0",
	    norm, NULL, 0, audit);
}

static enum kto_rc
px_portal(struct kto_db *db, const char *norm, char *role, size_t n)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	role[0] = '\0';
	rc = kto_db_prepare(db, &st, "SELECT role FROM app_user WHERE email = ? "
	    "COLLATE NOCASE", "t", norm);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row)
		kto_db_column_copy(st, 0, role, n);
	sqlite3_finalize(st);
	return rc;
}

struct export {
	const char *actor, *email;
	struct kto_privacy_export *x;
};

static enum kto_rc
export_txn(struct kto_db *db, void *arg)
{
	struct export *e = arg;
	struct kto_privacy_export *x = e->x;
	unsigned char hash[KTO_EMAIL_HASH_BYTES];
	char detail[200];
	enum kto_rc rc;

	if ((rc = address_key(db, e->email, x->address, hash)) != KTO_OK)
		return rc;
	rc = collect_by_address(db, "SELECT m.code, m.name, c.external_id, "
	    "c.channel, c.contact_at, c.created_at, c.email IS NOT NULL FROM contact "
	    "c JOIN municipality m ON m.id = c.municipality_id WHERE c.email = ?1 OR "
	    "c.email_hash = ?2 ORDER BY c.contact_at, c.id", x->address, hash,
	    sizeof *x->contacts, px_contact_fill, (void **)&x->contacts,
	    &x->n_contacts);
	if (rc == KTO_OK)
		rc = collect_by_address(db, "SELECT i.wave_id, m.code, i.channel, "
		    "i.state, w.state, i.created_at, coalesce(i.invited_at, ''), "
		    "coalesce(i.reminded_at, ''), coalesce(i.responded_at, ''), "
		    "coalesce(w.purged_at, ''), i.mail_token IS NOT NULL, (SELECT "
		    "count(*) FROM mail_outbox o WHERE o.invitation_id = i.id), (SELECT "
		    "count(*) FROM mail_outbox o WHERE o.invitation_id = i.id AND "
		    "(o.recipient IS NOT NULL OR o.message IS NOT NULL)), coalesce(("
		    "SELECT r.state FROM response r WHERE r.invitation_id = i.id), '') "
		    "FROM invitation i JOIN wave w ON w.id = i.wave_id JOIN "
		    "municipality m ON m.id = w.municipality_id WHERE i.id IN "
		    INVITATIONS_OF " ORDER BY i.id", x->address, hash,
		    sizeof *x->invitations, px_invitation_fill,
		    (void **)&x->invitations, &x->n_invitations);
	if (rc == KTO_OK)
		rc = collect_by_address(db, "SELECT coalesce(m.code, ''), o.source, "
		    "o.created_at FROM opt_out o LEFT JOIN municipality m ON m.id = "
		    "o.municipality_id WHERE o.email_hash = ?2 AND ?1 IS NOT NULL "
		    "ORDER BY o.id", x->address, hash, sizeof *x->optouts,
		    px_optout_fill, (void **)&x->optouts, &x->n_optouts);
	if (rc == KTO_OK)
		rc = px_exclusions(db, x->address, x);
	if (rc == KTO_OK)
		rc = px_text_counts(db, x->address, &x->open_answers, &x->audit_entries);
	if (rc == KTO_OK)
		rc = px_portal(db, x->address, x->portal_role, sizeof x->portal_role);
	sodium_memzero(hash, sizeof hash);
	if (rc != KTO_OK)
		return rc;
	if (x->n_contacts + x->n_invitations + x->n_optouts + x->n_exclusions == 0 &&
	    x->open_answers + x->audit_entries == 0 && x->portal_role[0] == '\0')
		return kto_db_seterr(db, KTO_ENOTFOUND, "kto holds nothing about this "
		    "address: no contact, invitation, opt-out or exclusion has it "
		    "(check the spelling)");
	snprintf(detail, sizeof detail, "contacts %zu; invitations %zu; opt-outs "
	    "%zu; exclusions %zu", x->n_contacts, x->n_invitations, x->n_optouts,
	    x->n_exclusions);
	return kto_audit(db, e->actor, "privacy.export", 0, NULL, detail);
}

void
kto_privacy_export_release(struct kto_privacy_export *x)
{
	free(x->contacts);
	free(x->invitations);
	free(x->optouts);
	free(x->exclusions);
	memset(x, 0, sizeof *x);
}

enum kto_rc
kto_privacy_export(struct kto_db *db, const char *actor, const char *email,
                   struct kto_privacy_export *out)
{
	struct export e = { actor, email, out };
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = kto_db_transaction(db, export_txn, &e)) != KTO_OK)
		kto_privacy_export_release(out);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Erasure                                                                 */

/* Open answers that quote the address get "[e-mail]" in its place. */
static enum kto_rc
erase_in_answers(struct kto_db *db, const char *norm, int64_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc;

	*count = 0;
	rc = kto_db_prepare(db, &st, "SELECT response_id, item FROM answer WHERE "
	    "value_text IS NOT NULL AND instr(lower(value_text), ?) > 0", "t", norm);
	if (rc != KTO_OK)
		return rc;
	return fix_answers(db, st, norm, false, count);
}

/*
** A staff or test pattern that is exactly the address would keep it in
** the clear; an opt-out by hash (same scope) excludes it just as well.
*/
static enum kto_rc
erase_exclusions(struct kto_db *db, const char *norm, const unsigned char *hash,
                 int64_t *count)
{
	enum kto_rc rc;

	rc = kto_db_exec(db, "INSERT INTO opt_out (email_hash, municipality_id, "
	    "source) SELECT DISTINCT ?2, a.municipality_id, 'admin' FROM "
	    "address_exclusion a WHERE lower(a.pattern) = ?1 AND NOT EXISTS (SELECT "
	    "1 FROM opt_out o WHERE o.email_hash = ?2 AND o.municipality_id IS "
	    "a.municipality_id)", "tb", norm, hash, (size_t)KTO_EMAIL_HASH_BYTES);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_exec(db, "DELETE FROM address_exclusion WHERE lower(pattern) = ?",
	    "t", norm);
	*count = sqlite3_changes64(db->sqlite);
	return rc;
}

/* One step of an erasure, with ?1 the address and ?2 its hash. */
struct erase_step {
	const char *sql;
	size_t field;            /* offset of its counter in the report */
};

static const struct erase_step erase_steps[] = {
	{ "UPDATE mail_outbox SET recipient = NULL, message = NULL, last_reply = "
	  "CASE WHEN " PENDING " THEN 'cancelled: the address was erased on "
	  "request' ELSE NULL END, claimed_by = NULL, state = CASE WHEN " PENDING
	  " THEN 'perm_failed' ELSE state END WHERE invitation_id IN "
	  INVITATIONS_OF " OR lower(recipient) = ?1",
	  offsetof(struct kto_erase_report, mails) },
	{ "UPDATE response SET invitation_id = NULL WHERE invitation_id IN "
	  INVITATIONS_OF, offsetof(struct kto_erase_report, responses) },
	/* Kept, without a way back to the address: the wave's counts need them. */
	{ "UPDATE invitation SET contact_id = NULL, email_hash = NULL, mail_token = "
	  "NULL, state = CASE WHEN state IN ('queued', 'invited', 'reminded') THEN "
	  "'opted_out' ELSE state END WHERE id IN " INVITATIONS_OF,
	  offsetof(struct kto_erase_report, invitations) },
	/* Kept, anonymous: the contact still counts in its wave's population. */
	{ "UPDATE contact SET email = NULL, email_hash = NULL, external_id = "
	  "'gewist-' || id WHERE email = ?1 OR email_hash = ?2",
	  offsetof(struct kto_erase_report, contacts) },
};

struct erase {
	const char *actor, *email;
	struct kto_erase_report *r;
};

static enum kto_rc
erase_txn(struct kto_db *db, void *arg)
{
	struct erase *e = arg;
	struct kto_erase_report *r = e->r;
	unsigned char hash[KTO_EMAIL_HASH_BYTES];
	char norm[KTO_EMAIL_MAX + 1], role[16], detail[300];
	enum kto_rc rc;

	if ((rc = address_key(db, e->email, norm, hash)) != KTO_OK)
		return rc;
	rc = erase_exclusions(db, norm, hash, &r->exclusions);
	for (size_t i = 0; rc == KTO_OK && i < ARRAY_LEN(erase_steps); i++) {
		const struct erase_step *s = &erase_steps[i];

		rc = kto_db_exec(db, s->sql, "tb", norm, hash,
		    (size_t)KTO_EMAIL_HASH_BYTES);
		if (rc == KTO_OK)
			*(int64_t *)(void *)((char *)r + s->field) =
			    sqlite3_changes64(db->sqlite);
	}
	if (rc == KTO_OK)
		rc = erase_in_answers(db, norm, &r->open_answers);
	if (rc == KTO_OK)
		rc = count_rows(db, "SELECT count(*) FROM opt_out WHERE email_hash = ?2 "
		    "AND ?1 IS NOT NULL", norm, hash, sizeof hash, &r->optouts_kept);
	if (rc == KTO_OK)
		rc = count_rows(db, "SELECT count(*) FROM audit_log WHERE instr(lower("
		    "coalesce(subject, '') || ' ' || coalesce(detail, '')), ?1) > 0",
		    norm, NULL, 0, &r->audit_entries);
	if (rc == KTO_OK)
		rc = px_portal(db, norm, role, sizeof role);
	sodium_memzero(hash, sizeof hash);
	if (rc != KTO_OK)
		return rc;
	r->portal_account = role[0] != '\0';
	if (r->contacts + r->invitations + r->mails + r->responses +
	    r->open_answers + r->exclusions + r->optouts_kept == 0 &&
	    !r->portal_account)
		return kto_db_seterr(db, KTO_ENOTFOUND, "kto holds nothing about this "
		    "address: no contact, invitation, opt-out or exclusion has it "
		    "(check the spelling)");
	snprintf(detail, sizeof detail, "contacts %lld; invitations %lld; mails "
	    "%lld; responses unlinked %lld; open answers %lld; exclusions %lld; "
	    "opt-outs kept %lld", (long long)r->contacts, (long long)r->invitations,
	    (long long)r->mails, (long long)r->responses,
	    (long long)r->open_answers, (long long)r->exclusions,
	    (long long)r->optouts_kept);
	return kto_audit(db, e->actor, "privacy.erase", 0, NULL, detail);
}

enum kto_rc
kto_privacy_erase(struct kto_db *db, const char *actor, const char *email,
                  struct kto_erase_report *out)
{
	struct erase e = { actor, email, out };
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = secure_delete_on(db)) != KTO_OK ||
	    (rc = kto_db_transaction(db, erase_txn, &e)) != KTO_OK)
		return rc;
	out->committed = true;
	rc = kto_privacy_checkpoint(db);
	out->checkpointed = rc == KTO_OK;
	return rc;
}
