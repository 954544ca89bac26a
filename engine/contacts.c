/*
** engine/contacts: validating and storing contacts, one at a time or from
** a CSV file.
*/
#include "engine/contacts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/date.h"
#include "base/utf8.h"
#include "engine/audit.h"
#include "engine/db_int.h"
#include "engine/email.h"
#include "engine/municipality.h"

/* Rows per transaction: long enough to be fast, short enough that a
 * citizen's answer never waits behind an import for long. */
#define IMPORT_BATCH 20000

/* The page cache during an import, in KiB (negative: SQLite's convention). */
#define IMPORT_CACHE_PAGES "-65536"

/* ---------------------------------------------------------------------- */
/* Validation                                                              */

/* A contact after validation, ready to store. */
struct contact_row {
	const char *external_id;
	enum kto_channel channel;
	char contact_at[20];
	char email[KTO_EMAIL_MAX + 1];     /* "" when none */
	unsigned char email_hash[KTO_EMAIL_HASH_BYTES];
	const char *product, *team;        /* NULL when none */
	const char *language;              /* "nl" or "en" */
};

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

/*
** Checks one contact; fills *row, or writes the reason and returns false.
** today_end: seconds at the end of today, for "in the future".
*/
static bool
contact_validate(struct kto_db *db, const struct kto_contact_input *in,
                 int64_t today_end, struct contact_row *row, char *reason,
                 size_t rlen, enum kto_rc *rc)
{
	struct kto_datetime t;
	char buf[64];
	const char *problem;

	*rc = KTO_OK;
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
	if (kto_datetime_seconds(&t) >= today_end) {
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
		if ((*rc = kto_email_hash(db, row->email, row->email_hash)) != KTO_OK)
			return false;
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

/* ---------------------------------------------------------------------- */
/* Storing                                                                 */

struct contact_stmts {
	sqlite3_stmt *find, *insert, *update, *touch, *sampled;
	char now[24];        /* created_at, bound once rather than per row */
};

static void
stmts_release(struct contact_stmts *s)
{
	sqlite3_finalize(s->find);
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->update);
	sqlite3_finalize(s->touch);
	sqlite3_finalize(s->sampled);
	memset(s, 0, sizeof *s);
}

static enum kto_rc
stmts_prepare(struct kto_db *db, struct contact_stmts *s)
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
		stmts_release(s);
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

/*
** Stores a validated contact: added, updated, unchanged, or rejected with a
** reason (given twice in this import; changed after being sampled).
*/
static enum kto_rc
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
	struct contact_stmts s;
	struct contact_row r;
	enum kto_rc rc;

	if ((rc = kto_municipality_find(db, p->code, &m)) != KTO_OK)
		return rc;
	if (!contact_validate(db, p->in, today_end(db), &r, p->reason, p->rlen, &rc)) {
		*p->outcome = KTO_CONTACT_REJECTED;
		return rc;
	}
	if ((rc = stmts_prepare(db, &s)) != KTO_OK)
		return rc;
	rc = contact_store(db, &s, m.id, &r, 0, 0, p->outcome, p->reason, p->rlen);
	stmts_release(&s);
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

/* ---------------------------------------------------------------------- */
/* A CSV file                                                              */

enum col { COL_ID, COL_CHANNEL, COL_AT, COL_EMAIL, COL_PRODUCT, COL_TEAM,
           COL_LANGUAGE, COL_COUNT };

/* Column names, with the Dutch ones municipal exports use. */
static const struct { const char *name; enum col col; } column_names[] = {
	{ "contact_id", COL_ID }, { "contactid", COL_ID }, { "contact-id", COL_ID },
	{ "channel", COL_CHANNEL }, { "kanaal", COL_CHANNEL },
	{ "contact_at", COL_AT }, { "contact_date", COL_AT }, { "datum", COL_AT },
	{ "contactmoment", COL_AT }, { "email", COL_EMAIL }, { "e-mail", COL_EMAIL },
	{ "e_mail", COL_EMAIL }, { "emailadres", COL_EMAIL },
	{ "e-mailadres", COL_EMAIL }, { "product", COL_PRODUCT },
	{ "team", COL_TEAM }, { "language", COL_LANGUAGE }, { "taal", COL_LANGUAGE },
};

static const char *const col_canonical[COL_COUNT] = {
	"contact_id", "channel", "contact_at", "email", "product", "team", "language"
};

struct importer {
	struct kto_db *db;
	const struct kto_import_options *opt;
	struct kto_import_report *rep;
	struct kto_csv_reader *csv;
	struct contact_stmts st;
	int64_t municipality_id, import_id, today_end;
	int map[COL_COUNT];        /* field index per column, -1 when absent */
	size_t n_header;
	char **header;             /* copies, for the reject file */
	struct kto_buf line;       /* a reject-file line */
	bool in_batch;
};

static void
append_name(char *list, size_t n, const char *name)
{
	size_t len = strlen(list);

	if (len + 1 < n)
		snprintf(list + len, n - len, "%s%s", len ? ", " : "", name);
}

/* Maps the header's columns; KTO_EINPUT when a required one is missing. */
static enum kto_rc
map_header(struct importer *im, char **f, size_t n)
{
	struct kto_import_report *rep = im->rep;
	char missing[128] = "";

	for (int c = 0; c < COL_COUNT; c++)
		im->map[c] = -1;
	for (size_t i = 0; i < n; i++) {
		char name[64];
		size_t k, len;
		const char *v = f[i] + strspn(f[i], " \t");

		len = strlen(v);
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), v);
		append_name(rep->columns, sizeof rep->columns, name);
		for (k = 0; k < sizeof column_names / sizeof column_names[0]; k++)
			if (strcasecmp(name, column_names[k].name) == 0)
				break;
		if (k == sizeof column_names / sizeof column_names[0]) {
			append_name(rep->ignored, sizeof rep->ignored, name[0] ? name :
			    "(unnamed)");
			continue;
		}
		if (im->map[column_names[k].col] >= 0)
			return kto_db_seterr(im->db, KTO_EINPUT, "the header names "
			    "column %s twice (columns %d and %zu); keep one",
			    col_canonical[column_names[k].col],
			    im->map[column_names[k].col] + 1, i + 1);
		im->map[column_names[k].col] = (int)i;
	}
	for (int c = COL_ID; c <= COL_AT; c++)
		if (im->map[c] < 0)
			append_name(missing, sizeof missing, col_canonical[c]);
	if (missing[0])
		return kto_db_seterr(im->db, KTO_EINPUT, "the file has no column %s. "
		    "The first row must name the columns; this file's first row "
		    "reads: %s", missing, rep->columns);
	im->header = calloc(n ? n : 1, sizeof *im->header);
	if (im->header == NULL)
		return kto_db_seterr(im->db, KTO_ENOMEM, "out of memory");
	im->n_header = n;
	for (size_t i = 0; i < n; i++)
		if ((im->header[i] = strdup(f[i])) == NULL)
			return kto_db_seterr(im->db, KTO_ENOMEM, "out of memory");
	return KTO_OK;
}

/* Writes one CSV line of fields, plus `extra` as the last field. */
static void
write_reject_line(struct importer *im, char **f, size_t n, const char *extra)
{
	char delim = kto_csv_delimiter(im->csv);

	kto_buf_reset(&im->line);
	for (size_t i = 0; i < n; i++) {
		kto_csv_field(&im->line, f[i], delim);
		kto_buf_addc(&im->line, delim);
	}
	kto_csv_field(&im->line, extra, delim);
	kto_buf_adds(&im->line, "\r\n");
	fwrite(kto_buf_str(&im->line), 1, im->line.len, im->opt->rejects);
}

static struct kto_import_counts *
counts_for(struct kto_import_report *rep, const char *channel)
{
	enum kto_channel c;

	if (channel != NULL && kto_channel_parse(channel, &c))
		return &rep->channel[c];
	return &rep->unknown_channel;
}

static void
count(struct importer *im, const char *channel, enum kto_contact_outcome o,
      int64_t row, const char *reason, char **f, size_t n)
{
	struct kto_import_report *rep = im->rep;
	struct kto_import_counts *c[2] = { counts_for(rep, channel), &rep->total };

	for (int i = 0; i < 2; i++) {
		switch (o) {
		case KTO_CONTACT_ADDED: c[i]->added++; break;
		case KTO_CONTACT_UPDATED: c[i]->updated++; break;
		case KTO_CONTACT_UNCHANGED: c[i]->unchanged++; break;
		case KTO_CONTACT_REJECTED: c[i]->rejected++; break;
		}
	}
	if (o != KTO_CONTACT_REJECTED)
		return;
	if (rep->n_rejects < KTO_IMPORT_KEEP_REJECTS) {
		rep->rejects[rep->n_rejects].row = row;
		snprintf(rep->rejects[rep->n_rejects].reason,
		    sizeof rep->rejects[0].reason, "%s", reason);
		rep->n_rejects++;
	}
	if (im->opt->rejects != NULL)
		write_reject_line(im, f, n, reason);
}

static const char *
field(const struct importer *im, char **f, size_t n, enum col c)
{
	int i = im->map[c];

	return (i >= 0 && (size_t)i < n) ? f[i] : NULL;
}

/* One data row: validate, store, count. */
static enum kto_rc
import_row(struct importer *im, char **f, size_t n)
{
	struct kto_contact_input in;
	struct contact_row r;
	enum kto_contact_outcome o = KTO_CONTACT_REJECTED;
	int64_t row = (int64_t)kto_csv_record_number(im->csv);
	char reason[200];
	enum kto_rc rc = KTO_OK;

	reason[0] = '\0';

	in.contact_id = field(im, f, n, COL_ID);
	in.channel = field(im, f, n, COL_CHANNEL);
	in.contact_at = field(im, f, n, COL_AT);
	in.email = field(im, f, n, COL_EMAIL);
	in.product = field(im, f, n, COL_PRODUCT);
	in.team = field(im, f, n, COL_TEAM);
	in.language = field(im, f, n, COL_LANGUAGE);
	if (n > im->n_header)
		snprintf(reason, sizeof reason, "the row has %zu fields but the header "
		    "has %zu; is a value with the separator in it missing its quotes?",
		    n, im->n_header);
	else if (contact_validate(im->db, &in, im->today_end, &r, reason,
	    sizeof reason, &rc))
		rc = contact_store(im->db, &im->st, im->municipality_id, &r,
		    im->import_id, row, &o, reason, sizeof reason);
	if (rc != KTO_OK)
		return rc;
	im->rep->rows++;
	count(im, in.channel, o, row, reason, f, n);
	return KTO_OK;
}

static enum kto_rc
batch_begin(struct importer *im)
{
	enum kto_rc rc = kto_db_exec(im->db, "BEGIN IMMEDIATE", "");

	im->in_batch = rc == KTO_OK;
	im->db->in_transaction = im->in_batch;
	/*
	** Foreign keys checked at the commit instead of at each statement
	** (the keys are the same): an immediate check makes SQLite keep a
	** statement journal for every insert.  SQLite resets this at every
	** commit, so each batch sets it again.
	*/
	if (rc == KTO_OK)
		rc = kto_db_exec(im->db, "PRAGMA defer_foreign_keys = ON", "");
	return rc;
}

static enum kto_rc
batch_end(struct importer *im, bool commit)
{
	enum kto_rc rc = KTO_OK;

	if (!im->in_batch)
		return KTO_OK;
	if (commit)
		rc = kto_db_exec(im->db, "COMMIT", "");
	if (!commit || rc != KTO_OK) {
		struct kto_err saved = im->db->err;

		sqlite3_exec(im->db->sqlite, "ROLLBACK", NULL, NULL, NULL);
		im->db->err = saved;
	}
	im->in_batch = false;
	im->db->in_transaction = false;
	return rc;
}

static enum kto_rc
import_start(struct importer *im, const char *actor, const char *file_name)
{
	enum kto_rc rc = kto_db_exec(im->db, "INSERT INTO contact_import "
	    "(municipality_id, file_name, actor) VALUES (?, ?, ?)", "itt",
	    im->municipality_id, file_name, actor);

	im->import_id = sqlite3_last_insert_rowid(im->db->sqlite);
	return rc;
}

static enum kto_rc
import_finish(struct importer *im, const char *actor, const char *file_name)
{
	struct kto_import_report *rep = im->rep;
	char detail[300];
	enum kto_rc rc;

	rc = kto_db_exec(im->db, "UPDATE contact_import SET status = ?, "
	    "rows_total = ?, accepted = ?, updated = ?, unchanged = ?, rejected = ?, "
	    "message = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
	    "WHERE id = ?", "tiiiiiti", rep->stopped ? "failed" : "complete",
	    rep->rows, rep->total.added, rep->total.updated, rep->total.unchanged,
	    rep->total.rejected, rep->stopped ? rep->stop_reason : NULL,
	    im->import_id);
	if (rc != KTO_OK)
		return rc;
	snprintf(detail, sizeof detail, "%s: %lld rows, %lld added, %lld updated, "
	    "%lld unchanged, %lld rejected%s", file_name, (long long)rep->rows,
	    (long long)rep->total.added, (long long)rep->total.updated,
	    (long long)rep->total.unchanged, (long long)rep->total.rejected,
	    rep->stopped ? " (stopped)" : "");
	return kto_audit(im->db, actor, "contacts.import", im->municipality_id,
	    NULL, detail);
}

/* Reads and maps the header row. */
static enum kto_rc
import_header(struct importer *im)
{
	char **f;
	size_t n;
	enum kto_rc rc = kto_csv_next(im->csv, &f, &n);

	if (rc == KTO_ENOTFOUND)
		return kto_db_seterr(im->db, KTO_EINPUT, "the file is empty; the first "
		    "row must name the columns: contact_id, channel, contact_at, email");
	if (rc == KTO_EINPUT || rc == KTO_ELIMIT)
		return kto_db_seterr(im->db, KTO_EINPUT, "%s", kto_csv_error(im->csv));
	if (rc != KTO_OK)
		return kto_db_seterr(im->db, rc, "%s", kto_csv_error(im->csv));
	im->rep->delimiter = kto_csv_delimiter(im->csv);
	if ((rc = map_header(im, f, n)) != KTO_OK)
		return rc;
	if (im->opt->rejects != NULL)
		write_reject_line(im, f, n, "reason");
	return KTO_OK;
}

/* The rows after the header, in batches. */
static enum kto_rc
import_rows(struct importer *im)
{
	struct kto_import_report *rep = im->rep;
	int64_t in_batch = 0;
	enum kto_rc rc = KTO_OK;

	for (;;) {
		char **f;
		size_t n;
		enum kto_rc crc = kto_csv_next(im->csv, &f, &n);

		if (crc == KTO_ENOTFOUND)
			break;
		if (crc == KTO_ELIMIT) {
			int64_t row = (int64_t)kto_csv_record_number(im->csv);

			rep->rows++;
			count(im, NULL, KTO_CONTACT_REJECTED, row, kto_csv_error(im->csv),
			    NULL, 0);
			continue;
		}
		if (crc != KTO_OK) {
			rep->stopped = true;
			snprintf(rep->stop_reason, sizeof rep->stop_reason, "%s",
			    kto_csv_error(im->csv));
			if (crc != KTO_EINPUT)
				rc = kto_db_seterr(im->db, crc, "%s", kto_csv_error(im->csv));
			break;
		}
		if ((rc = import_row(im, f, n)) != KTO_OK)
			break;
		if (im->opt->progress != NULL && rep->rows % 1000 == 0)
			im->opt->progress(im->opt->progress_ctx, kto_csv_bytes(im->csv));
		if (!im->opt->dry_run && ++in_batch == IMPORT_BATCH) {
			if ((rc = batch_end(im, true)) != KTO_OK ||
			    (rc = batch_begin(im)) != KTO_OK)
				break;
			rep->committed_rows = rep->rows;
			in_batch = 0;
		}
	}
	return rc;
}

static void
importer_release(struct importer *im)
{
	stmts_release(&im->st);
	kto_csv_reader_free(im->csv);
	for (size_t i = 0; i < im->n_header; i++)
		free(im->header[i]);
	free(im->header);
	kto_buf_release(&im->line);
}

enum kto_rc
kto_contacts_import(struct kto_db *db, const char *actor, const char *code,
                    FILE *in, const char *file_name,
                    const struct kto_import_options *opt,
                    struct kto_import_report *rep)
{
	static const struct kto_csv_limits limits = KTO_CSV_LIMITS_DEFAULT;
	struct kto_municipality m;
	struct importer im;
	enum kto_rc rc;

	memset(rep, 0, sizeof *rep);
	memset(&im, 0, sizeof im);
	im.db = db;
	im.opt = opt;
	im.rep = rep;
	im.today_end = today_end(db);
	kto_buf_init(&im.line, 1u << 20);
	if ((rc = kto_municipality_find(db, code, &m)) != KTO_OK)
		return rc;
	im.municipality_id = m.id;
	if ((rc = kto_csv_reader_new(in, 0, &limits, &im.csv)) != KTO_OK) {
		importer_release(&im);
		return kto_db_seterr(db, rc, "cannot read '%s'", file_name);
	}
	if ((rc = import_header(&im)) != KTO_OK) {
		importer_release(&im);
		return rc;
	}
	/*
	** Contacts arrive in the file's order, but the frame index wants them
	** by date: with SQLite's default 2 MB cache every insert then reads and
	** writes index pages through the file system.  A larger cache for the
	** import keeps them in memory; memory stays bounded by it, not by the
	** file.
	*/
	kto_db_exec(db, "PRAGMA cache_size = " IMPORT_CACHE_PAGES, "");
	/*
	** The batches in between need not each reach the disk: the import is
	** acknowledged by its last commit, whose sync (synchronous = FULL,
	** set again before it) makes every earlier batch durable too.  A
	** power cut half-way loses at most some batches, which importing the
	** file again restores.
	*/
	kto_db_exec(db, "PRAGMA synchronous = NORMAL", "");
	/*
	** A dry run is one transaction that is rolled back: the same code
	** path, so it finds exactly what a real import would.
	*/
	if ((rc = batch_begin(&im)) == KTO_OK &&
	    (rc = import_start(&im, actor, file_name)) == KTO_OK &&
	    (opt->dry_run || ((rc = batch_end(&im, true)) == KTO_OK &&
	    (rc = batch_begin(&im)) == KTO_OK)) &&
	    (rc = stmts_prepare(db, &im.st)) == KTO_OK)
		rc = import_rows(&im);
	stmts_release(&im.st);
	if (opt->dry_run) {
		batch_end(&im, false);
		rep->import_id = 0;
	} else {
		kto_db_exec(db, "PRAGMA synchronous = FULL", "");
		if (rc == KTO_OK)
			rc = import_finish(&im, actor, file_name);
		if (rc == KTO_OK)
			rc = batch_end(&im, true);
		else
			batch_end(&im, false);
		if (rc == KTO_OK)
			rep->committed_rows = rep->rows;
		rep->import_id = im.import_id;
	}
	if (opt->progress != NULL)
		opt->progress(opt->progress_ctx, kto_csv_bytes(im.csv));
	kto_db_exec(db, "PRAGMA cache_size = -2000", "");   /* SQLite's default */
	kto_db_exec(db, "PRAGMA synchronous = FULL", "");
	importer_release(&im);
	return rc;
}
