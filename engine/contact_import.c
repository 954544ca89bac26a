/*
** engine/contact_import: a contacts CSV file into the database (DESIGN.md
** section 5), row by row through the validation and storing of contacts.c.
**
** Two threads share the work, as an import has two halves of comparable
** cost and a machine at least two cores: a reader thread parses the CSV and
** validates each row (the keyed hash of its address included); the calling
** thread stores the rows, in the file's order, and alone touches the
** database connection.  Rows go from one to the other in batches, two in
** flight: while the writer stores one, the reader fills the other.
*/
#include "engine/contacts.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/csv.h"
#include "engine/audit.h"
#include "engine/contacts_int.h"
#include "engine/db_int.h"
#include "engine/municipality.h"

/* Rows per transaction: long enough to be fast, short enough that a
 * citizen's answer never waits behind an import for long. */
#define COMMIT_ROWS 20000

/* The page cache during an import, in KiB (negative: SQLite's convention). */
#define IMPORT_CACHE_PAGES "-65536"

/* Pages in the write-ahead log before a checkpoint, during an import. */
#define IMPORT_WAL_PAGES "10000"

/* The most rows, fields and bytes of field text handed over at a time. */
#define BATCH_ROWS 1024
#define BATCH_FIELDS (8 * BATCH_ROWS)
#define BATCH_TEXT ((size_t)1 << 20)

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

/* A row as the reader leaves it for the writer. */
struct staged_row {
	int64_t row_no;          /* the CSV record number: the header is row 1 */
	size_t first, n;         /* its fields: batch.fields[first .. first + n) */
	bool valid;              /* contact_validate() passed: r is ready */
	struct contact_row r;    /* its strings point into the batch's text */
	char reason[200];        /* why it is rejected, when not valid */
};

/* Rows on their way from the reader to the writer. */
struct batch {
	struct staged_row rows[BATCH_ROWS];
	size_t n_rows;
	char *fields[BATCH_FIELDS];
	size_t field_at[BATCH_FIELDS];  /* offsets in text, while filling */
	size_t n_fields;
	struct kto_buf text;            /* the fields, each NUL-terminated */
	unsigned long long bytes;       /* of the file read, after these rows */
	bool last;                      /* no batch follows this one */
	enum kto_rc stop_rc;            /* when last: KTO_OK at the end of the
	                                 * file, else why the file stopped */
	char stop_msg[300];
	bool full;                      /* filled and not yet stored */
};

struct importer {
	struct kto_db *db;
	const struct kto_import_options *opt;
	struct kto_import_report *rep;
	struct kto_csv_reader *csv;     /* the reader thread's, after the header */
	struct kto_csv_limits limits;
	struct contact_checker check;
	struct contact_stmts st;
	int64_t municipality_id, import_id;
	int map[COL_COUNT];             /* field index per column, -1 when absent */
	size_t n_header;
	char **header;                  /* copies, for the reject file */
	char delimiter;
	struct kto_buf line;            /* a reject-file line */
	bool in_txn;
	int64_t rows_in_txn;

	/* The hand-over between the threads. */
	pthread_mutex_t lock;
	pthread_cond_t changed;         /* a batch filled or emptied, or cancel */
	struct batch *batch[2];
	bool cancel;                    /* the writer gave up: the reader stops */
};

/* ---------------------------------------------------------------------- */
/* The header                                                              */

static void
append_name(char *list, size_t n, const char *name)
{
	size_t len = strlen(list);

	/* Whole names only: a cut one could end inside a UTF-8 character. */
	if (len + 2 + strlen(name) < n)
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
		/* At most 63 bytes, cut between UTF-8 characters. */
		for (k = len < 63 ? len : 63; k > 0 && k < len &&
		    ((unsigned char)v[k] & 0xC0) == 0x80; k--)
			;
		snprintf(name, sizeof name, "%.*s", (int)k, v);
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
	kto_buf_reset(&im->line);
	for (size_t i = 0; i < n; i++) {
		kto_csv_field(&im->line, f[i], im->delimiter);
		kto_buf_addc(&im->line, im->delimiter);
	}
	kto_csv_field(&im->line, extra, im->delimiter);
	kto_buf_adds(&im->line, "\r\n");
	fwrite(kto_buf_str(&im->line), 1, im->line.len, im->opt->rejects);
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
	im->delimiter = im->rep->delimiter = kto_csv_delimiter(im->csv);
	if ((rc = map_header(im, f, n)) != KTO_OK)
		return rc;
	if (im->opt->rejects != NULL)
		write_reject_line(im, f, n, "reason");
	return KTO_OK;
}

static const char *
field(const struct importer *im, char **f, size_t n, enum col c)
{
	int i = im->map[c];

	return (i >= 0 && (size_t)i < n) ? f[i] : NULL;
}

/* ---------------------------------------------------------------------- */
/* The reader thread: parse and validate                                   */

static bool
batch_has_room(const struct importer *im, const struct batch *b)
{
	return b->n_rows < BATCH_ROWS &&
	    b->n_fields + im->limits.max_fields <= BATCH_FIELDS &&
	    b->text.len + im->limits.max_record + im->limits.max_fields <= BATCH_TEXT;
}

/* Copies the fields of one record into the batch; false when out of memory. */
static bool
batch_add_fields(struct batch *b, char **f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		b->field_at[b->n_fields++] = b->text.len;
		if (kto_buf_add(&b->text, f[i], strlen(f[i]) + 1) != KTO_OK)
			return false;
	}
	return true;
}

/* Reads records into b until it is full or the file ends or stops. */
static void
batch_fill(struct importer *im, struct batch *b)
{
	b->n_rows = b->n_fields = 0;
	kto_buf_reset(&b->text);
	b->last = false;
	b->stop_rc = KTO_OK;
	while (b->n_rows == 0 || batch_has_room(im, b)) {
		struct staged_row *s = &b->rows[b->n_rows];
		char **f;
		size_t n;
		enum kto_rc rc = kto_csv_next(im->csv, &f, &n);

		if (rc == KTO_ENOTFOUND) {
			b->last = true;
			break;
		}
		if (rc != KTO_OK && rc != KTO_ELIMIT) {
			b->last = true;
			b->stop_rc = rc;
			snprintf(b->stop_msg, sizeof b->stop_msg, "%s", kto_csv_error(im->csv));
			break;
		}
		s->row_no = (int64_t)kto_csv_record_number(im->csv);
		s->first = b->n_fields;
		s->n = 0;
		s->valid = false;
		s->reason[0] = '\0';
		b->n_rows++;
		if (rc == KTO_ELIMIT) {     /* kept out: rejected with the reason */
			snprintf(s->reason, sizeof s->reason, "%s", kto_csv_error(im->csv));
			continue;
		}
		s->n = n;
		if (!batch_add_fields(b, f, n)) {
			b->n_rows--;
			b->last = true;
			b->stop_rc = KTO_ENOMEM;
			snprintf(b->stop_msg, sizeof b->stop_msg, "out of memory on "
			    "row %lld", (long long)s->row_no);
			break;
		}
	}
	for (size_t i = 0; i < b->n_fields; i++)
		b->fields[i] = b->text.ptr + b->field_at[i];
	b->bytes = kto_csv_bytes(im->csv);
}

/* Validates the rows of b that were read whole. */
static void
batch_check(const struct importer *im, struct batch *b)
{
	for (size_t i = 0; i < b->n_rows; i++) {
		struct staged_row *s = &b->rows[i];
		char **f = b->fields + s->first;
		struct kto_contact_input in;

		if (s->reason[0] != '\0')
			continue;
		if (s->n > im->n_header) {
			snprintf(s->reason, sizeof s->reason, "the row has %zu fields but "
			    "the header has %zu; is a value with the separator in it "
			    "missing its quotes?", s->n, im->n_header);
			continue;
		}
		in.contact_id = field(im, f, s->n, COL_ID);
		in.channel = field(im, f, s->n, COL_CHANNEL);
		in.contact_at = field(im, f, s->n, COL_AT);
		in.email = field(im, f, s->n, COL_EMAIL);
		in.product = field(im, f, s->n, COL_PRODUCT);
		in.team = field(im, f, s->n, COL_TEAM);
		in.language = field(im, f, s->n, COL_LANGUAGE);
		s->valid = contact_validate(&im->check, &in, &s->r, s->reason,
		    sizeof s->reason);
	}
}

/* Waits until b is `full` (or not); false when the import was cancelled. */
static bool
wait_for(struct importer *im, struct batch *b, bool full)
{
	bool ok;

	pthread_mutex_lock(&im->lock);
	while (b->full != full && !im->cancel)
		pthread_cond_wait(&im->changed, &im->lock);
	ok = !im->cancel;
	pthread_mutex_unlock(&im->lock);
	return ok;
}

static void
set_full(struct importer *im, struct batch *b, bool full)
{
	pthread_mutex_lock(&im->lock);
	b->full = full;
	pthread_cond_broadcast(&im->changed);
	pthread_mutex_unlock(&im->lock);
}

static void *
reader_main(void *arg)
{
	struct importer *im = arg;

	for (size_t k = 0;; k++) {
		struct batch *b = im->batch[k % 2];

		if (!wait_for(im, b, false))
			return NULL;
		batch_fill(im, b);
		batch_check(im, b);
		set_full(im, b, true);
		if (b->last)
			return NULL;
	}
}

/* ---------------------------------------------------------------------- */
/* The writer: store, count, commit                                        */

static void
count(struct importer *im, const struct staged_row *s, char **f,
      enum kto_contact_outcome o)
{
	struct kto_import_report *rep = im->rep;
	const char *channel = field(im, f, s->n, COL_CHANNEL);
	enum kto_channel ch;
	struct kto_import_counts *c[2] = { &rep->unknown_channel, &rep->total };

	if (s->valid)
		c[0] = &rep->channel[s->r.channel];
	else if (channel != NULL && kto_channel_parse(channel, &ch))
		c[0] = &rep->channel[ch];
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
		rep->rejects[rep->n_rejects].row = s->row_no;
		snprintf(rep->rejects[rep->n_rejects].reason,
		    sizeof rep->rejects[0].reason, "%s", s->reason);
		rep->n_rejects++;
	}
	if (im->opt->rejects != NULL)
		write_reject_line(im, f, s->n, s->reason);
}

static enum kto_rc
txn_begin(struct importer *im)
{
	enum kto_rc rc = kto_db_exec(im->db, "BEGIN IMMEDIATE", "");

	im->in_txn = rc == KTO_OK;
	im->db->in_transaction = im->in_txn;
	im->rows_in_txn = 0;
	return rc;
}

static enum kto_rc
txn_end(struct importer *im, bool commit)
{
	enum kto_rc rc = KTO_OK;

	if (!im->in_txn)
		return KTO_OK;
	if (commit)
		rc = kto_db_exec(im->db, "COMMIT", "");
	if (!commit || rc != KTO_OK) {
		struct kto_err saved = im->db->err;

		sqlite3_exec(im->db->sqlite, "ROLLBACK", NULL, NULL, NULL);
		im->db->err = saved;
	}
	im->in_txn = false;
	im->db->in_transaction = false;
	return rc;
}

/* Stores the rows of b in order, committing every COMMIT_ROWS rows. */
static enum kto_rc
batch_store(struct importer *im, struct batch *b)
{
	struct kto_import_report *rep = im->rep;
	enum kto_rc rc;

	for (size_t i = 0; i < b->n_rows; i++) {
		struct staged_row *s = &b->rows[i];
		enum kto_contact_outcome o = KTO_CONTACT_REJECTED;

		if (s->valid && (rc = contact_store(im->db, &im->st,
		    im->municipality_id, &s->r, im->import_id, s->row_no, &o,
		    s->reason, sizeof s->reason)) != KTO_OK)
			return rc;
		rep->rows++;
		count(im, s, b->fields + s->first, o);
		if (!im->opt->dry_run && ++im->rows_in_txn == COMMIT_ROWS) {
			if ((rc = txn_end(im, true)) != KTO_OK ||
			    (rc = txn_begin(im)) != KTO_OK)
				return rc;
			rep->committed_rows = rep->rows;
		}
	}
	if (im->opt->progress != NULL)
		im->opt->progress(im->opt->progress_ctx, b->bytes);
	if (b->last && b->stop_rc != KTO_OK) {
		rep->stopped = true;
		snprintf(rep->stop_reason, sizeof rep->stop_reason, "%s", b->stop_msg);
		if (b->stop_rc != KTO_EINPUT)
			return kto_db_seterr(im->db, b->stop_rc, "%s", b->stop_msg);
	}
	return KTO_OK;
}

/* The rows after the header: read in the reader thread, stored here. */
static enum kto_rc
import_rows(struct importer *im)
{
	pthread_t reader;
	enum kto_rc rc = KTO_OK;

	if (pthread_create(&reader, NULL, reader_main, im) != 0)
		return kto_db_seterr(im->db, KTO_ENOMEM, "cannot start a thread to "
		    "read the file");
	for (size_t k = 0;; k++) {
		struct batch *b = im->batch[k % 2];
		bool last;

		wait_for(im, b, true);
		rc = batch_store(im, b);
		last = b->last;
		set_full(im, b, false);
		if (rc != KTO_OK || last)
			break;
	}
	pthread_mutex_lock(&im->lock);
	im->cancel = true;
	pthread_cond_broadcast(&im->changed);
	pthread_mutex_unlock(&im->lock);
	pthread_join(reader, NULL);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* The import as a whole                                                   */

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

static enum kto_rc
importer_init(struct importer *im, struct kto_db *db,
              const struct kto_import_options *opt, struct kto_import_report *rep)
{
	static const struct kto_csv_limits limits = KTO_CSV_LIMITS_DEFAULT;

	memset(rep, 0, sizeof *rep);
	memset(im, 0, sizeof *im);
	im->db = db;
	im->opt = opt;
	im->rep = rep;
	im->limits = limits;
	kto_buf_init(&im->line, 1u << 20);
	pthread_mutex_init(&im->lock, NULL);
	pthread_cond_init(&im->changed, NULL);
	for (int i = 0; i < 2; i++) {
		if ((im->batch[i] = calloc(1, sizeof *im->batch[i])) == NULL)
			return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
		kto_buf_init(&im->batch[i]->text, BATCH_TEXT);
	}
	return KTO_OK;
}

static void
importer_release(struct importer *im)
{
	contact_stmts_release(&im->st);
	contact_checker_clear(&im->check);
	kto_csv_reader_free(im->csv);
	for (size_t i = 0; i < im->n_header; i++)
		free(im->header[i]);
	free(im->header);
	kto_buf_release(&im->line);
	for (int i = 0; i < 2; i++) {
		if (im->batch[i] != NULL)
			kto_buf_release(&im->batch[i]->text);
		free(im->batch[i]);
	}
	pthread_cond_destroy(&im->changed);
	pthread_mutex_destroy(&im->lock);
}

/*
** Settings for the length of the import; import_settings(db, false) puts
** SQLite's defaults and kto's own back.
*/
static void
import_settings(struct kto_db *db, bool importing)
{
	/*
	** Contacts arrive in the file's order, not the unique index's: with
	** SQLite's default 2 MB cache every insert then reads and writes
	** index pages through the file system.  A larger cache for the import
	** keeps them in memory; memory stays bounded by it, not by the file.
	*/
	kto_db_exec(db, importing ? "PRAGMA cache_size = " IMPORT_CACHE_PAGES
	    : "PRAGMA cache_size = -2000", "");
	/*
	** The transactions in between need not each reach the disk: the
	** import is acknowledged by its last commit, whose sync (synchronous
	** = FULL, set again before it) makes every earlier one durable too.
	** A power cut half-way loses at most some of them, which importing
	** the file again restores.
	*/
	kto_db_exec(db, importing ? "PRAGMA synchronous = NORMAL"
	    : "PRAGMA synchronous = FULL", "");
	/*
	** Checkpoints copy the write-ahead log into the database file.  At
	** SQLite's default (every 1000 pages) an import copies the pages it
	** keeps changing -- the right edges of the table and its index --
	** many times over; every IMPORT_WAL_PAGES pages, far fewer times.
	*/
	kto_db_exec(db, importing ? "PRAGMA wal_autocheckpoint = " IMPORT_WAL_PAGES
	    : "PRAGMA wal_autocheckpoint = 1000", "");
	if (!importing)
		kto_db_exec(db, "PRAGMA foreign_keys = ON", "");
}

/*
** Foreign keys off for the contacts themselves: SQLite checks each row's
** two keys with a lookup each, a tenth of the cost of storing it, and kto
** knows both keys good.  The municipality was looked up at the start, and
** the import record, committed with the keys on, refers to it: from then
** on no connection of kto's (they all have the keys on) can delete it.
** The import record is the one the rows refer to.  The pragma has no
** effect inside a transaction, hence between the first two; a dry run
** commits nothing and turns them off at once.  import_settings(db, false)
** turns them on again.
*/
static enum kto_rc
keys_off(struct importer *im)
{
	return kto_db_exec(im->db, "PRAGMA foreign_keys = OFF", "");
}

/*
** Records the import and opens the transaction its first rows go into.  A
** dry run is one transaction, rolled back at the end: the same code path,
** so it finds exactly what a real import would.
*/
static enum kto_rc
import_begin(struct importer *im, const char *actor, const char *file_name)
{
	enum kto_rc rc;

	if (im->opt->dry_run) {
		if ((rc = keys_off(im)) != KTO_OK || (rc = txn_begin(im)) != KTO_OK)
			return rc;
		return import_start(im, actor, file_name);
	}
	if ((rc = txn_begin(im)) != KTO_OK ||
	    (rc = import_start(im, actor, file_name)) != KTO_OK ||
	    (rc = txn_end(im, true)) != KTO_OK || (rc = keys_off(im)) != KTO_OK)
		return rc;
	return txn_begin(im);
}

/*
** After a failure (a full disk, a busy database): the record of the import
** says so and how many rows were kept, if the database still takes that
** much.  Best effort, keeping the failure's own message.
*/
static void
import_mark_failed(struct importer *im)
{
	struct kto_err saved = im->db->err;

	kto_db_exec(im->db, "UPDATE contact_import SET status = 'failed', "
	    "rows_total = ?, message = ?, finished_at = "
	    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ? AND "
	    "status = 'running'", "iti", im->rep->committed_rows,
	    kto_err_msg(&saved), im->import_id);
	im->db->err = saved;
}

/* Commits the last rows with the record of the import, or rolls back. */
static enum kto_rc
import_end(struct importer *im, enum kto_rc rc, const char *actor,
           const char *file_name)
{
	if (im->opt->dry_run) {
		txn_end(im, false);
		im->rep->import_id = 0;
		return rc;
	}
	kto_db_exec(im->db, "PRAGMA synchronous = FULL", "");
	if (rc == KTO_OK)
		rc = import_finish(im, actor, file_name);
	if (rc == KTO_OK)
		rc = txn_end(im, true);
	else
		txn_end(im, false);
	if (rc == KTO_OK)
		im->rep->committed_rows = im->rep->rows;
	else if (im->import_id != 0)
		import_mark_failed(im);
	im->rep->import_id = im->import_id;
	return rc;
}

/*
** Puts the connection's settings back after an import, and says so when it
** cannot: the connection lives on (a web worker's does), and one left at
** synchronous = NORMAL or without its foreign keys would acknowledge
** writes it can lose, or break references, without a word (found by
** tests/unit/test_faults.c).  Such a failure is most likely a passing
** shortage of memory, so each setting is tried again before giving up.
*/
static enum kto_rc
import_settings_restore(struct kto_db *db)
{
	static const char *const restore[] = {
		"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
		"PRAGMA cache_size = -2000", "PRAGMA wal_autocheckpoint = 1000", NULL
	};
	enum kto_rc rc = KTO_OK, one = KTO_OK;

	for (int i = 0; restore[i] != NULL; i++) {
		for (int attempt = 0; attempt < 3; attempt++)
			if ((one = kto_db_exec(db, restore[i], "")) == KTO_OK)
				break;
		if (one != KTO_OK && rc == KTO_OK)
			rc = kto_db_seterr(db, one, "after the import, '%s' failed: %s; "
			    "close this connection (the rows committed are kept)",
			    restore[i], kto_db_errmsg(db));
	}
	return rc;
}

/* The import after its header: rows, then the record of the import. */
static enum kto_rc
import_body(struct importer *im, const char *actor, const char *file_name)
{
	enum kto_rc rc, restored;
	struct kto_err saved;

	import_settings(im->db, true);
	if ((rc = import_begin(im, actor, file_name)) == KTO_OK &&
	    (rc = contact_stmts_prepare(im->db, &im->st)) == KTO_OK)
		rc = import_rows(im);
	contact_stmts_release(&im->st);
	rc = import_end(im, rc, actor, file_name);
	saved = im->db->err;
	restored = import_settings_restore(im->db);
	if (rc != KTO_OK)
		im->db->err = saved;     /* the import's own failure comes first */
	return rc != KTO_OK ? rc : restored;
}

enum kto_rc
kto_contacts_import(struct kto_db *db, const char *actor, const char *code,
                    FILE *in, const char *file_name,
                    const struct kto_import_options *opt,
                    struct kto_import_report *rep)
{
	struct kto_municipality m;
	struct importer im;
	enum kto_rc rc = importer_init(&im, db, opt, rep);

	if (rc == KTO_OK && (rc = kto_municipality_find(db, code, &m)) == KTO_OK &&
	    (rc = contact_checker_init(db, &im.check)) == KTO_OK) {
		im.municipality_id = m.id;
		if ((rc = kto_csv_reader_new(in, 0, &im.limits, &im.csv)) != KTO_OK)
			rc = kto_db_seterr(db, rc, "cannot read '%s'", file_name);
	}
	if (rc == KTO_OK && (rc = import_header(&im)) == KTO_OK) {
		rc = import_body(&im, actor, file_name);
		if (opt->progress != NULL)
			opt->progress(opt->progress_ctx, kto_csv_bytes(im.csv));
	}
	importer_release(&im);
	return rc;
}
