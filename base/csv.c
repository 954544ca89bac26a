#include "base/csv.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

/*
** The read buffer.  A record may span any number of refills; only the few
** bytes that need lookahead (a CR, a quote inside quotes, the start of a
** UTF-8 sequence) are carried over from one fill to the next.
*/
#define CSV_BUF_SIZE (64 * 1024)

/* Most bytes a refill may have to carry over: an incomplete UTF-8 sequence. */
#define CSV_MAX_CARRY 4

#define CSV_MAGIC 0x43535652u   /* "CSVR" */

/*
** Byte classes, as bits in kto_csv_reader.cls: a byte with the bit of the
** current state set ends a run of plain field content.  Bytes from 0x80 up
** are in both so that UTF-8 sequences are checked as they pass.
*/
#define CL_UNQ 1u       /* outside quotes: delimiter, '"', CR, LF, NUL */
#define CL_Q   2u       /* inside quotes: '"', CR, LF, NUL */

enum csv_state {
	ST_FIELD_START, /* nothing of the field seen yet: a quote opens quoting */
	ST_UNQUOTED,    /* inside an unquoted field, or after a closing quote */
	ST_QUOTED       /* between the quotes of a quoted field */
};

/* What one pass of csv_parse() over the buffer ended with. */
enum csv_step {
	STEP_RECORD,    /* a record (or a skipped one) is complete */
	STEP_MORE,      /* the buffer is used up: refill, or handle the end */
	STEP_ERROR      /* r->fatal is set */
};

struct kto_csv_reader {
	unsigned magic;
	FILE *in;
	char delim;                     /* 0 until detected */
	bool started;                   /* the first fill has been done */
	bool eof;                       /* in has nothing more to give */
	struct kto_csv_limits lim;
	unsigned char cls[256];

	/* The read buffer: rbuf[rpos..rlen) is not consumed yet. */
	size_t rpos, rlen;
	unsigned long long nread;       /* bytes read from in altogether */

	/* The position, for messages. */
	size_t line;                    /* physical line of rbuf[rpos], from 1 */
	size_t line_start;              /* where in rbuf that line's counted part begins */
	size_t col_carry;               /* characters of the line before line_start */
	size_t quote_line;              /* where the open quoted field began */

	/* The record being read: field contents, each ended by a NUL. */
	char *data;
	size_t dlen, dcap, dmax;
	size_t content;                 /* bytes of content, NULs not counted */
	size_t field_start;             /* offset in data of the current field */
	size_t *offs;                   /* offsets of the finished fields */
	char **fields;                  /* offs made pointers, plus NULL */
	size_t nfields, fcap;
	size_t fieldno;                 /* fields begun before this one, kept
	                                   or not: for messages */
	enum csv_state state;
	bool skipping;                  /* a limit was hit: read on, keep nothing */
	size_t rec_line;                /* line where the current record began */
	size_t records;                 /* records finished, skipped ones included */

	/* What the accessors report about the last record. */
	size_t out_record, out_line;

	enum kto_rc fatal;              /* KTO_OK, or the final error */
	struct kto_err err;
	size_t err_line, err_col;

	unsigned char rbuf[];           /* CSV_BUF_SIZE bytes */
};

static bool
delimiter_ok(char d)
{
	unsigned char c = (unsigned char)d;

	return c != 0 && c < 0x80 && c != '"' && c != '\r' && c != '\n';
}


static void
init_classes(struct kto_csv_reader *r)
{
	memset(r->cls, 0, 128);
	memset(r->cls + 128, CL_UNQ | CL_Q, 128);
	r->cls['"'] = CL_UNQ | CL_Q;
	r->cls['\r'] = CL_UNQ | CL_Q;
	r->cls['\n'] = CL_UNQ | CL_Q;
	r->cls[0] = CL_UNQ | CL_Q;
	r->cls[(unsigned char)r->delim] = CL_UNQ;
}

/*
** The delimiter of the first record in the buffer: the most frequent of
** ';' ',' and tab outside quotes, ties in that order, ',' when none occurs.
** Only what the first fill holds is looked at; 64 KiB is plenty of header.
** The delimiter is not known yet, so a quote counts as opening a quoted
** field at the start of a line or after any of the candidates.
*/
static char
detect_delimiter(const unsigned char *b, size_t n)
{
	static const char cand[3] = { ';', ',', '\t' };
	size_t count[3] = { 0, 0, 0 }, best = 0;
	bool in_quotes = false, at_start = true, seen = false;
	char d = ',';

	for (size_t i = 0; i < n; i++) {
		unsigned char c = b[i];

		if (in_quotes) {
			if (c == '"') {
				if (i + 1 < n && b[i + 1] == '"')
					i++;
				else
					in_quotes = false;
			}
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (seen)
				break;
			continue;       /* an empty line before the header */
		}
		seen = true;
		if (c == '"' && at_start) {
			in_quotes = true;
			at_start = false;
			continue;
		}
		at_start = false;
		for (int k = 0; k < 3; k++) {
			if (c == (unsigned char)cand[k]) {
				count[k]++;
				at_start = true;
			}
		}
	}
	for (int k = 0; k < 3; k++) {
		if (count[k] > best) {
			best = count[k];
			d = cand[k];
		}
	}
	return d;
}

/* The column, in characters from 1, of rbuf[pos] on the current line. */
static size_t
column_at(const struct kto_csv_reader *r, const unsigned char *buf, size_t pos)
{
	size_t from = r->line_start <= pos ? r->line_start : pos;

	return r->col_carry + kto_utf8_length((const char *)buf + from, pos - from) + 1;
}

/* Records a final error about the record being read. */
static enum csv_step
fail_at(struct kto_csv_reader *r, enum kto_rc rc, size_t line, size_t col)
{
	r->fatal = rc;
	r->err_line = line;
	r->err_col = col;
	r->out_record = r->records + 1;
	r->out_line = r->rec_line;
	return STEP_ERROR;
}

static enum csv_step
bad_byte(struct kto_csv_reader *r, const unsigned char *buf, size_t pos)
{
	size_t col = column_at(r, buf, pos);

	if (buf[pos] == 0)
		kto_err_set(&r->err, KTO_EINPUT, "line %zu, column %zu: NUL byte; "
		    "this is not a text file", r->line, col);
	else
		kto_err_set(&r->err, KTO_EINPUT, "line %zu, column %zu: invalid "
		    "UTF-8 (byte 0x%02X); save the file as UTF-8 (in Excel: "
		    "\"CSV UTF-8\"), not as Windows-1252 or Latin-1",
		    r->line, col, buf[pos]);
	return fail_at(r, KTO_EINPUT, r->line, col);
}

static enum csv_step
no_memory(struct kto_csv_reader *r)
{
	kto_err_set(&r->err, KTO_ENOMEM, "line %zu: out of memory reading a "
	    "record", r->line);
	return fail_at(r, KTO_ENOMEM, r->line, 0);
}

/* Starts skipping the current record; the first limit hit is reported. */
static void
limit_hit(struct kto_csv_reader *r, const char *what, size_t field, size_t max)
{
	if (r->skipping)
		return;
	r->skipping = true;
	r->err_line = r->rec_line;
	r->err_col = 0;
	if (field != 0)
		kto_err_set(&r->err, KTO_ELIMIT, "record %zu (line %zu): field %zu "
		    "is longer than %zu bytes; the record is skipped",
		    r->records + 1, r->rec_line, field, max);
	else
		kto_err_set(&r->err, KTO_ELIMIT, "record %zu (line %zu): %s %zu; "
		    "the record is skipped", r->records + 1, r->rec_line,
		    what != NULL ? what : "a limit is", max);
}

/* Makes room for n more bytes of data; the limits keep dlen + n <= dmax. */
static bool
data_reserve(struct kto_csv_reader *r, size_t n)
{
	size_t cap;
	char *p;

	assert(n <= r->dmax - r->dlen);
	if (r->dlen + n <= r->dcap)
		return true;
	cap = r->dcap ? r->dcap : 1024;
	while (cap < r->dlen + n)
		cap *= 2;
	if (cap > r->dmax)
		cap = r->dmax;
	p = realloc(r->data, cap);
	if (p == NULL)
		return false;
	r->data = p;
	r->dcap = cap;
	return true;
}

/* Appends n bytes to the current field, unless a limit is (or gets) hit. */
static bool
field_add(struct kto_csv_reader *r, const unsigned char *s, size_t n)
{
	if (r->skipping)
		return true;
	if (n > r->lim.max_field - (r->dlen - r->field_start)) {
		limit_hit(r, NULL, r->fieldno + 1, r->lim.max_field);
		return true;
	}
	if (n > r->lim.max_record - r->content) {
		limit_hit(r, "the record is longer than", 0, r->lim.max_record);
		return true;
	}
	/* One more byte for the NUL that field_end() will write. */
	if (!data_reserve(r, n + 1))
		return false;
	memcpy(r->data + r->dlen, s, n);
	r->dlen += n;
	r->content += n;
	return true;
}

/* Ends the current field.  There are fewer than max_fields before it. */
static bool
field_end(struct kto_csv_reader *r)
{
	if (r->skipping)
		return true;
	assert(r->nfields < r->lim.max_fields);
	if (r->nfields == r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 16;
		size_t *o;
		char **f;

		if (cap > r->lim.max_fields)
			cap = r->lim.max_fields;
		o = realloc(r->offs, cap * sizeof *o);
		if (o == NULL)
			return false;
		r->offs = o;
		f = realloc(r->fields, (cap + 1) * sizeof *f);
		if (f == NULL)
			return false;
		r->fields = f;
		r->fcap = cap;
	}
	if (!data_reserve(r, 1))
		return false;
	r->offs[r->nfields++] = r->field_start;
	r->data[r->dlen++] = '\0';
	r->field_start = r->dlen;
	return true;
}

static void
new_line(struct kto_csv_reader *r, size_t pos)
{
	r->line++;
	r->line_start = pos;
	r->col_carry = 0;
}

/*
** Parses rbuf[rpos..rlen) until a record ends, the buffer is used up, or
** the input proves unusable.  Runs of plain content are found with the
** class table and copied with one memcpy each; only the bytes that mean
** something (delimiter, quote, line break, non-ASCII) are looked at one by
** one.  A byte that needs the bytes after it to be understood and is too
** near the end of the buffer is left unconsumed for the next fill, unless
** the input has ended.
*/
static enum csv_step
csv_parse(struct kto_csv_reader *r)
{
	static const unsigned char lf = '\n', quote = '"';
	const unsigned char *buf = r->rbuf;
	const unsigned char *cls = r->cls;
	const unsigned char delim = (unsigned char)r->delim;
	const size_t end = r->rlen;
	const bool eof = r->eof;
	size_t p = r->rpos;

	for (;;) {
		unsigned mask = r->state == ST_QUOTED ? CL_Q : CL_UNQ;
		size_t s = p;
		unsigned c;
		int len = 0;

		for (;;) {
			while (p < end && !(cls[buf[p]] & mask))
				p++;
			if (p == end || buf[p] < 0x80)
				break;
			len = kto_utf8_sequence(buf + p, end - p);
			if (len <= 0)
				break;
			p += (size_t)len;
		}
		if (p > s) {
			if (!field_add(r, buf + s, p - s))
				return no_memory(r);
			if (r->state == ST_FIELD_START)
				r->state = ST_UNQUOTED;
		}
		if (p == end)
			break;
		c = buf[p];
		if (c >= 0x80) {
			if (len == 0 && !eof)
				break;          /* the rest of it is in the next fill */
			return bad_byte(r, buf, p);
		}
		if (c == 0)
			return bad_byte(r, buf, p);
		if (c == '\r' || c == '\n') {
			if (c == '\r') {
				if (p + 1 == end && !eof)
					break;  /* is it CRLF? */
				if (p + 1 < end && buf[p + 1] == '\n')
					p++;
			}
			p++;
			new_line(r, p);
			if (r->state == ST_QUOTED) {
				if (!field_add(r, &lf, 1))
					return no_memory(r);
				continue;
			}
			if (r->state == ST_FIELD_START && r->nfields == 0 &&
			    !r->skipping) {
				r->rec_line = r->line;  /* an empty line */
				continue;
			}
			r->rpos = p;
			return STEP_RECORD;
		}
		if (c == '"') {
			if (r->state == ST_QUOTED) {
				if (p + 1 == end && !eof)
					break;  /* closing, or the first of ""? */
				if (p + 1 < end && buf[p + 1] == '"') {
					if (!field_add(r, &quote, 1))
						return no_memory(r);
					p += 2;
				} else {
					/* Closed; any text up to the delimiter is appended. */
					r->state = ST_UNQUOTED;
					p++;
				}
			} else if (r->state == ST_FIELD_START) {
				r->state = ST_QUOTED;
				r->quote_line = r->line;
				p++;
			} else {
				/* Lenient: a quote inside an unquoted field is text. */
				if (!field_add(r, &quote, 1))
					return no_memory(r);
				p++;
			}
			continue;
		}
		assert(c == delim);
		(void)delim;
		if (!field_end(r))
			return no_memory(r);
		r->fieldno++;
		if (!r->skipping && r->nfields == r->lim.max_fields)
			limit_hit(r, "the record has more fields than", 0,
			    r->lim.max_fields);
		r->state = ST_FIELD_START;
		p++;
	}
	r->rpos = p;
	return STEP_MORE;
}

/*
** Moves the unconsumed tail (at most CSV_MAX_CARRY bytes) to the front of
** the buffer and reads as much as fits after it.
*/
static enum kto_rc
refill(struct kto_csv_reader *r)
{
	size_t keep = r->rlen - r->rpos, want, got;

	assert(keep <= CSV_MAX_CARRY);
	if (r->rpos > 0) {
		if (r->line_start < r->rpos)
			r->col_carry += kto_utf8_length((const char *)r->rbuf +
			    r->line_start, r->rpos - r->line_start);
		memmove(r->rbuf, r->rbuf + r->rpos, keep);
		r->rpos = 0;
		r->rlen = keep;
		r->line_start = 0;
	}
	want = CSV_BUF_SIZE - keep;
	got = fread(r->rbuf + keep, 1, want, r->in);
	r->rlen += got;
	r->nread += got;
	if (got < want) {
		/* stdio's fread only stops short at the end or on an error. */
		if (ferror(r->in)) {
			int e = errno;

			kto_err_set(&r->err, KTO_EIO, "line %zu: cannot read the "
			    "input: %s", r->line, strerror(e));
			fail_at(r, KTO_EIO, r->line, 0);
			return KTO_EIO;
		}
		r->eof = true;
	}
	return KTO_OK;
}

/* The first fill: skips a byte-order mark and settles the delimiter. */
static enum kto_rc
start(struct kto_csv_reader *r)
{
	enum kto_rc rc = refill(r);

	if (rc != KTO_OK)
		return rc;
	r->started = true;
	if (r->rlen >= 3 && memcmp(r->rbuf, "\xEF\xBB\xBF", 3) == 0) {
		r->rpos = 3;
		r->line_start = 3;
	}
	if (r->delim == 0)
		r->delim = detect_delimiter(r->rbuf + r->rpos, r->rlen - r->rpos);
	init_classes(r);
	return KTO_OK;
}

enum kto_rc
kto_csv_reader_new(FILE *in, char delimiter, const struct kto_csv_limits *lim,
                   struct kto_csv_reader **out)
{
	static const struct kto_csv_limits dflt = KTO_CSV_LIMITS_DEFAULT;
	struct kto_csv_reader *r;

	*out = NULL;
	if (lim == NULL)
		lim = &dflt;
	if (in == NULL || (delimiter != 0 && !delimiter_ok(delimiter)))
		return KTO_EINPUT;
	if (lim->max_field < 1 || lim->max_field > KTO_CSV_LIMIT_MAX ||
	    lim->max_fields < 1 || lim->max_fields > KTO_CSV_LIMIT_MAX ||
	    lim->max_record < 1 || lim->max_record > KTO_CSV_LIMIT_MAX)
		return KTO_EINPUT;
	r = calloc(1, sizeof *r + CSV_BUF_SIZE);
	if (r == NULL)
		return KTO_ENOMEM;
	r->magic = CSV_MAGIC;
	r->in = in;
	r->delim = delimiter;
	r->lim = *lim;
	/* Content, a NUL per field, and the NUL of a field being read. */
	r->dmax = lim->max_record + lim->max_fields + 1;
	r->line = 1;
	r->state = ST_FIELD_START;
	kto_err_clear(&r->err);
	*out = r;
	return KTO_OK;
}

void
kto_csv_reader_free(struct kto_csv_reader *r)
{
	if (r == NULL)
		return;
	assert(r->magic == CSV_MAGIC);
	r->magic = 0;
	free(r->data);
	free(r->offs);
	free(r->fields);
	free(r);
}

/* Ends the record: its last field, its number, the fields for the caller. */
static enum kto_rc
record_end(struct kto_csv_reader *r, char ***fields, size_t *n)
{
	if (!field_end(r)) {
		no_memory(r);
		return r->fatal;
	}
	r->records++;
	r->out_record = r->records;
	r->out_line = r->rec_line;
	if (r->skipping)
		return KTO_ELIMIT;
	for (size_t i = 0; i < r->nfields; i++)
		r->fields[i] = r->data + r->offs[i];
	r->fields[r->nfields] = NULL;
	*fields = r->fields;
	*n = r->nfields;
	return KTO_OK;
}

enum kto_rc
kto_csv_next(struct kto_csv_reader *r, char ***fields, size_t *n)
{
	*fields = NULL;
	*n = 0;
	assert(r->magic == CSV_MAGIC);
	if (r->fatal != KTO_OK)
		return r->fatal;
	kto_err_clear(&r->err);
	r->err_line = r->err_col = 0;
	if (!r->started && start(r) != KTO_OK)
		return r->fatal;

	r->dlen = r->content = r->field_start = r->nfields = r->fieldno = 0;
	r->state = ST_FIELD_START;
	r->skipping = false;
	r->rec_line = r->line;
	for (;;) {
		switch (csv_parse(r)) {
		case STEP_RECORD:
			return record_end(r, fields, n);
		case STEP_ERROR:
			return r->fatal;
		case STEP_MORE:
			break;
		}
		if (!r->eof) {
			if (refill(r) != KTO_OK)
				return r->fatal;
			continue;
		}
		/* The end of the input, all of it parsed. */
		assert(r->rpos == r->rlen);
		if (r->state == ST_QUOTED) {
			kto_err_set(&r->err, KTO_EINPUT, "line %zu: the quoted field "
			    "opened on this line (record %zu, field %zu) is not "
			    "closed before the end of the file", r->quote_line,
			    r->records + 1, r->fieldno + 1);
			fail_at(r, KTO_EINPUT, r->quote_line, 0);
			return r->fatal;
		}
		if (r->state == ST_FIELD_START && r->nfields == 0 && !r->skipping)
			return KTO_ENOTFOUND;
		/* The last record, without a line break after it. */
		return record_end(r, fields, n);
	}
}

const char *
kto_csv_error(const struct kto_csv_reader *r)
{
	return r->err.rc == KTO_OK ? "" : kto_err_msg(&r->err);
}

void
kto_csv_error_pos(const struct kto_csv_reader *r, size_t *line, size_t *col)
{
	*line = r->err.rc == KTO_OK ? 0 : r->err_line;
	*col = r->err.rc == KTO_OK ? 0 : r->err_col;
}

size_t
kto_csv_record_number(const struct kto_csv_reader *r)
{
	return r->out_record;
}

size_t
kto_csv_line(const struct kto_csv_reader *r)
{
	return r->out_line;
}

char
kto_csv_delimiter(const struct kto_csv_reader *r)
{
	return r->delim;
}

unsigned long long
kto_csv_bytes(const struct kto_csv_reader *r)
{
	return r->nread - (r->rlen - r->rpos);
}

enum kto_rc
kto_csv_field(struct kto_buf *out, const char *s, char delimiter)
{
	const char special[] = { delimiter, '"', '\r', '\n', '\0' };
	size_t mark = out->len;
	bool defuse, quote;
	enum kto_rc rc = KTO_OK;

	if (!delimiter_ok(delimiter))
		return KTO_EINPUT;
	if (s == NULL)
		s = "";
	/*
	** A spreadsheet runs a cell that starts with one of these as a formula
	** (=HYPERLINK(...), +cmd|'/c calc'!A0, and tab or CR before either);
	** the leading ' makes it text, and spreadsheets do not show it.
	*/
	defuse = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	quote = s[strcspn(s, special)] != '\0';
	if (quote)
		rc = kto_buf_addc(out, '"');
	if (rc == KTO_OK && defuse)
		rc = kto_buf_addc(out, '\'');
	if (rc == KTO_OK && quote) {
		const char *q;

		/* Each quote is written twice: the span up to it, then it again. */
		while (rc == KTO_OK && (q = strchr(s, '"')) != NULL) {
			rc = kto_buf_add(out, s, (size_t)(q - s) + 1);
			if (rc == KTO_OK)
				rc = kto_buf_addc(out, '"');
			s = q + 1;
		}
		if (rc == KTO_OK)
			rc = kto_buf_adds(out, s);
		if (rc == KTO_OK)
			rc = kto_buf_addc(out, '"');
	} else if (rc == KTO_OK) {
		rc = kto_buf_adds(out, s);
	}
	if (rc != KTO_OK) {
		/* All or nothing: the buffer goes back to what it held. */
		out->len = mark;
		if (out->ptr != NULL)
			out->ptr[mark] = '\0';
	}
	return rc;
}
