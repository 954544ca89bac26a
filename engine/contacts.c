/*
** engine/contacts: validating and storing contacts.  The CSV import
** (contact_import.c) goes through the same two steps.
*/
#include "engine/contacts.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/date.h"
#include "base/utf8.h"
#include "engine/contacts_int.h"
#include "engine/db_int.h"
#include "engine/municipality.h"

/* ---------------------------------------------------------------------- */
/* Validation                                                              */

static bool
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t")] == '\0';
}

/* A short copy of s for messages: long or odd values stay readable. */
static const char *
shown(const char *s, char *buf, size_t n)
{
	size_t len = strlen(s);

	if (kto_utf8_invalid_at(s, len) != len || kto_text_has_control(s))
		snprintf(buf, n, "(unreadable)");
	else if (len > 40)
		snprintf(buf, n, "%.37s...", s);
	else
		snprintf(buf, n, "%s", s);
	return buf;
}

static bool
language_parse(const char *s, const char **out)
{
	static const struct { const char *word, *code; } langs[] = {
		{ "nl", "nl" }, { "nld", "nl" }, { "dut", "nl" }, { "nederlands", "nl" },
		{ "dutch", "nl" }, { "en", "en" }, { "eng", "en" }, { "engels", "en" },
		{ "english", "en" },
	};

	if (blank(s)) {
		*out = "nl";
		return true;
	}
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
		if (strcasecmp(s, langs[i].word) == 0) {
			*out = langs[i].code;
			return true;
		}
	return false;
}

static bool
check_text_field(const char *v, const char *name, size_t max, char *reason,
                 size_t rlen)
{
	size_t n = strlen(v);

	if (kto_utf8_invalid_at(v, n) != n || kto_text_has_control(v)) {
		snprintf(reason, rlen, "%s contains a line break or an unreadable "
		    "character", name);
		return false;
	}
	if (n > max) {
		snprintf(reason, rlen, "%s is longer than %zu characters", name, max);
		return false;
	}
	return true;
}

bool
contact_validate(const struct contact_checker *c,
                 const struct kto_contact_input *in, struct contact_row *row,
                 char *reason, size_t rlen)
{
	struct kto_datetime t;
	char buf[64];
	const char *problem;

	row->email[0] = '\0';
	row->product = row->team = NULL;
	if (blank(in->contact_id)) {
		snprintf(reason, rlen, "contact_id is empty");
		return false;
	}
	if (!check_text_field(in->contact_id, "contact_id", KTO_CONTACT_ID_MAX,
	    reason, rlen))
		return false;
	row->external_id = in->contact_id;
	if (blank(in->channel)) {
		snprintf(reason, rlen, "channel is empty (use counter, phone or email)");
		return false;
	}
	if (!kto_channel_parse(in->channel, &row->channel)) {
		snprintf(reason, rlen, "unknown channel '%s' (use counter, phone or "
		    "email, or balie, telefoon, e-mail)", shown(in->channel, buf,
		    sizeof buf));
		return false;
	}
	if (blank(in->contact_at)) {
		snprintf(reason, rlen, "contact_at is empty");
		return false;
	}
	if (!kto_datetime_parse(in->contact_at, &t)) {
		snprintf(reason, rlen, "bad date '%s' in contact_at (write 2026-11-23, "
		    "2026-11-23 14:05 or 23-11-2026)", shown(in->contact_at, buf,
		    sizeof buf));
		return false;
	}
	if (kto_datetime_seconds(&t) >= c->today_end) {
		snprintf(reason, rlen, "contact_at %s is in the future",
		    shown(in->contact_at, buf, sizeof buf));
		return false;
	}
	kto_datetime_format(&t, row->contact_at);
	if (!blank(in->email)) {
		if (strpbrk(in->email, "\r\n") != NULL) {
			snprintf(reason, rlen, "the e-mail address contains a line break");
			return false;
		}
		if (!kto_email_normalize(in->email, row->email)) {
			snprintf(reason, rlen, "the e-mail address is longer than %d "
			    "characters", KTO_EMAIL_MAX);
			return false;
		}
		if ((problem = kto_email_problem(row->email)) != NULL) {
			snprintf(reason, rlen, "malformed e-mail address '%s': it %s",
			    shown(in->email, buf, sizeof buf), problem);
			return false;
		}
		kto_email_hash_keyed(c->email_key, row->email, row->email_hash);
	}
	if (!blank(in->product)) {
		if (!check_text_field(in->product, "product", KTO_CONTACT_TEXT_MAX,
		    reason, rlen))
			return false;
		row->product = in->product;
	}
	if (!blank(in->team)) {
		if (!check_text_field(in->team, "team", KTO_CONTACT_TEXT_MAX, reason,
		    rlen))
			return false;
		row->team = in->team;
	}
	if (!language_parse(in->language, &row->language)) {
		snprintf(reason, rlen, "unknown language '%s' (use nl or en)",
		    shown(in->language, buf, sizeof buf));
		return false;
	}
	return true;
}

/* Seconds at the end of the database clock's today. */
static int64_t
today_end(struct kto_db *db)
{
	struct kto_datetime now;

	kto_db_now(db, &now);
	return kto_days_from_civil(now.year, now.month, now.day) * 86400 + 86400;
}

enum kto_rc
contact_checker_init(struct kto_db *db, struct contact_checker *c)
{
	c->today_end = today_end(db);
	return kto_email_hash_key(db, c->email_key);
}

void
contact_checker_clear(struct contact_checker *c)
{
	sodium_memzero(c->email_key, sizeof c->email_key);
}

/* ---------------------------------------------------------------------- */
/* Storing                                                                 */

void
contact_stmts_release(struct contact_stmts *s)
{
	sqlite3_finalize(s->find);
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->update);
	sqlite3_finalize(s->touch);
	sqlite3_finalize(s->sampled);
	memset(s, 0, sizeof *s);
}

enum kto_rc
contact_stmts_prepare(struct kto_db *db, struct contact_stmts *s)
{
	struct kto_datetime now;
	enum kto_rc rc;

	memset(s, 0, sizeof *s);
	kto_db_now(db, &now);
	kto_datetime_format(&now, s->now);
	if ((rc = kto_db_prepare(db, &s->find, "SELECT id, channel, contact_at, "
	    "coalesce(email, ''), product, team, language, seen_import_id, "
	    "seen_row FROM contact WHERE municipality_id = ? AND external_id = ?",
	    "")) != KTO_OK ||
	    (rc = kto_db_prepare(db, &s->insert, "INSERT INTO contact "
	    "(municipality_id, external_id, channel, contact_at, email, email_hash, "
	    "product, team, language, import_id, seen_import_id, seen_row, "
	    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (municipality_id, external_id) DO NOTHING", "")) != KTO_OK ||
	    (rc = kto_db_prepare(db, &s->update, "UPDATE contact SET channel = ?, "
	    "contact_at = ?, email = ?, email_hash = ?, product = ?, team = ?, "
	    "language = ?, seen_import_id = ?, seen_row = ? WHERE id = ?", ""))
	    != KTO_OK ||
	    (rc = kto_db_prepare(db, &s->touch, "UPDATE contact SET "
	    "seen_import_id = ?, seen_row = ? WHERE id = ?", "")) != KTO_OK ||
	    (rc = kto_db_prepare(db, &s->sampled, "SELECT wave_id FROM invitation "
	    "WHERE contact_id = ? LIMIT 1", "")) != KTO_OK)
		contact_stmts_release(s);
	return rc;
}

static bool
same_text(sqlite3_stmt *st, int col, const char *v)
{
	const char *old = (const char *)sqlite3_column_text(st, col);

	if (v == NULL || *v == '\0')
		return old == NULL || *old == '\0';
	return old != NULL && strcmp(old, v) == 0;
}

/* True when the stored contact (the row of s->find) equals r. */
static bool
contact_same(sqlite3_stmt *st, const struct contact_row *r)
{
	return same_text(st, 1, kto_channel_name(r->channel)) &&
	    same_text(st, 2, r->contact_at) && same_text(st, 3, r->email) &&
	    same_text(st, 4, r->product) && same_text(st, 5, r->team) &&
	    same_text(st, 6, r->language);
}

/* Binds the stored fields of r from column `first` on. */
static int
bind_fields(sqlite3_stmt *st, int first, const struct contact_row *r)
{
	int rc = sqlite3_bind_text(st, first, kto_channel_name(r->channel), -1,
	    SQLITE_STATIC);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, first + 1, r->contact_at, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = r->email[0] ? sqlite3_bind_text(st, first + 2, r->email, -1,
		    SQLITE_STATIC) : sqlite3_bind_null(st, first + 2);
	if (rc == SQLITE_OK)
		rc = r->email[0] ? sqlite3_bind_blob(st, first + 3, r->email_hash,
		    KTO_EMAIL_HASH_BYTES, SQLITE_STATIC) : sqlite3_bind_null(st, first + 3);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, first + 4, r->product, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, first + 5, r->team, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, first + 6, r->language, -1, SQLITE_STATIC);
	return rc;
}

/* Runs a statement that returns no rows, then resets it for reuse. */
static enum kto_rc
run(struct kto_db *db, sqlite3_stmt *st, int bind_rc)
{
	bool row;
	enum kto_rc rc = bind_rc == SQLITE_OK ? kto_db_step(db, st, &row)
	    : kto_db_fail(db, bind_rc, "binding a contact");

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static enum kto_rc
contact_insert(struct kto_db *db, struct contact_stmts *s, int64_t mid,
               const struct contact_row *r, int64_t import_id, int64_t row_no)
{
	sqlite3_stmt *st = s->insert;
	int rc = sqlite3_bind_int64(st, 1, mid);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, r->external_id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = bind_fields(st, 3, r);
	if (rc == SQLITE_OK && import_id > 0) {
		rc = sqlite3_bind_int64(st, 10, import_id);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 11, import_id);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 12, row_no);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 13, s->now, -1, SQLITE_STATIC);
	return run(db, st, rc);
}

enum kto_rc
contact_store(struct kto_db *db, struct contact_stmts *s, int64_t mid,
              const struct contact_row *r, int64_t import_id, int64_t row_no,
              enum kto_contact_outcome *outcome, char *reason, size_t rlen)
{
	sqlite3_stmt *st = s->find;
	int64_t id, seen_import, seen_row;
	bool row, same;
	int brc;
	enum kto_rc rc;

	/* Most rows are new: try the insert first, look only on a conflict. */
	if ((rc = contact_insert(db, s, mid, r, import_id, row_no)) != KTO_OK)
		return rc;
	if (sqlite3_changes(db->sqlite) > 0) {
		*outcome = KTO_CONTACT_ADDED;
		return KTO_OK;
	}
	brc = sqlite3_bind_int64(st, 1, mid);
	if (brc == SQLITE_OK)
		brc = sqlite3_bind_text(st, 2, r->external_id, -1, SQLITE_STATIC);
	rc = brc == SQLITE_OK ? kto_db_step(db, st, &row)
	    : kto_db_fail(db, brc, "binding a contact");
	if (rc != KTO_OK || !row) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return rc != KTO_OK ? rc : kto_db_seterr(db, KTO_EINTERNAL,
		    "contact '%s' neither inserted nor found", r->external_id);
	}
	id = sqlite3_column_int64(st, 0);
	seen_import = sqlite3_column_int64(st, 7);
	seen_row = sqlite3_column_int64(st, 8);
	same = contact_same(st, r);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);

	if (import_id > 0 && seen_import == import_id) {
		*outcome = KTO_CONTACT_REJECTED;
		snprintf(reason, rlen, "contact_id '%.64s' appears again in this file "
		    "(first on row %lld)", r->external_id, (long long)seen_row);
		return KTO_OK;
	}
	if (same) {
		*outcome = KTO_CONTACT_UNCHANGED;
		if (import_id == 0)
			return KTO_OK;
		st = s->touch;
		brc = sqlite3_bind_int64(st, 1, import_id);
		if (brc == SQLITE_OK)
			brc = sqlite3_bind_int64(st, 2, row_no);
		if (brc == SQLITE_OK)
			brc = sqlite3_bind_int64(st, 3, id);
		return run(db, st, brc);
	}
	/* Changed: allowed only while no wave has sampled the contact. */
	st = s->sampled;
	brc = sqlite3_bind_int64(st, 1, id);
	rc = brc == SQLITE_OK ? kto_db_step(db, st, &row)
	    : kto_db_fail(db, brc, "binding a contact");
	if (rc == KTO_OK && row) {
		*outcome = KTO_CONTACT_REJECTED;
		snprintf(reason, rlen, "contact_id '%.64s' was already sampled in "
		    "wave %lld and cannot change any more", r->external_id,
		    (long long)sqlite3_column_int64(st, 0));
	}
	sqlite3_reset(st);
	if (rc != KTO_OK || row)
		return rc;
	*outcome = KTO_CONTACT_UPDATED;
	st = s->update;
	brc = bind_fields(st, 1, r);
	if (brc == SQLITE_OK)
		brc = import_id ? sqlite3_bind_int64(st, 8, import_id)
		    : sqlite3_bind_null(st, 8);
	if (brc == SQLITE_OK)
		brc = import_id ? sqlite3_bind_int64(st, 9, row_no)
		    : sqlite3_bind_null(st, 9);
	if (brc == SQLITE_OK)
		brc = sqlite3_bind_int64(st, 10, id);
	return run(db, st, brc);
}

/* ---------------------------------------------------------------------- */
/* One contact                                                             */

struct put {
	const char *code;
	const struct kto_contact_input *in;
	enum kto_contact_outcome *outcome;
	char *reason;
	size_t rlen;
};

static enum kto_rc
put_txn(struct kto_db *db, void *arg)
{
	struct put *p = arg;
	struct kto_municipality m;
	struct contact_checker check;
	struct contact_stmts s;
	struct contact_row r;
	bool valid;
	enum kto_rc rc;

	if ((rc = kto_municipality_find(db, p->code, &m)) != KTO_OK ||
	    (rc = contact_checker_init(db, &check)) != KTO_OK)
		return rc;
	valid = contact_validate(&check, p->in, &r, p->reason, p->rlen);
	contact_checker_clear(&check);
	if (!valid) {
		*p->outcome = KTO_CONTACT_REJECTED;
		return KTO_OK;
	}
	if ((rc = contact_stmts_prepare(db, &s)) != KTO_OK)
		return rc;
	rc = contact_store(db, &s, m.id, &r, 0, 0, p->outcome, p->reason, p->rlen);
	contact_stmts_release(&s);
	return rc;
}

enum kto_rc
kto_contact_put(struct kto_db *db, const char *code,
                const struct kto_contact_input *in,
                enum kto_contact_outcome *outcome, char *reason, size_t reason_len)
{
	struct put p = { code, in, outcome, reason, reason_len };

	reason[0] = '\0';
	*outcome = KTO_CONTACT_REJECTED;
	return kto_db_transaction(db, put_txn, &p);
}

