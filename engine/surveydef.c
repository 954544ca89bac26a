/*
** engine/surveydef: the parser of survey definitions (FORMAT.md).
**
** The format is line-oriented, which makes error recovery simple: a bad
** line is reported and the parser goes on with the next one, so that
** `kto def check` lists every mistake in one run.  Parsing happens in
** three passes: the file is checked as text and cut into lines; the blocks
** and their attributes are read into the model; then references (the
** overall mark, norm items, conditions) are resolved, because they may
** name questions that come later in the file.
*/
#include "engine/surveydef_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/strparse.h"
#include "base/utf8.h"

/* PCRE2 limits for validation patterns: a pathological pattern or answer
 * fails the match instead of spinning (HARDENING.md F4). */
#define PATTERN_MATCH_LIMIT  100000
#define PATTERN_DEPTH_LIMIT  1000
#define PATTERN_HEAP_LIMIT   1024   /* KiB */

/* ---------------------------------------------------------------------- */
/* Diagnostics                                                             */

static void parser_vdiag(struct parser *p, enum kto_severity sev, int line,
                         int col, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void
parser_vdiag(struct parser *p, enum kto_severity sev, int line, int col,
             const char *fmt, va_list ap)
{
	char msg[900];

	vsnprintf(msg, sizeof msg, fmt, ap);
	kto_diag_add(p->diags, sev, line, col, "%s", msg);
}

void
parser_error(struct parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	parser_vdiag(p, KTO_SEV_ERROR, line, col, fmt, ap);
	va_end(ap);
}

void
parser_warning(struct parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	parser_vdiag(p, KTO_SEV_WARNING, line, col, fmt, ap);
	va_end(ap);
}

static void *
parser_alloc(struct parser *p, size_t n)
{
	void *ptr = kto_arena_alloc(p->arena, n);

	if (ptr == NULL)
		p->oom = true;
	return ptr;
}

static char *
parser_strndup(struct parser *p, const char *s, size_t n)
{
	char *ptr = kto_arena_strndup(p->arena, s, n);

	if (ptr == NULL)
		p->oom = true;
	return ptr;
}

/* ---------------------------------------------------------------------- */
/* Names of types and areas                                                */

static const char *const qtype_names[KTO_Q_COUNT] = {
	"mark", "scale", "yesno", "choice", "multi", "number", "text", "open", "date"
};

const char *
kto_qtype_name(enum kto_qtype t)
{
	return (unsigned)t < KTO_Q_COUNT ? qtype_names[t] : "?";
}

static const struct { const char *code, *dutch; } areas[KTO_AREA_COUNT] = {
	{ "", "" },
	{ "BER", "bereikbaarheid" },
	{ "TOE", "toegankelijkheid" },
	{ "INF", "informatievoorziening" },
	{ "WAC", "wachttijden" },
	{ "LEV", "levertijden" },
	{ "TAR", "tarieven" },
	{ "BEJ", "bejegening" },
	{ "BET", "betrouwbaarheid" },
	{ "TOT", "totaal" },
};

const char *
kto_area_code(enum kto_area a)
{
	return (unsigned)a < KTO_AREA_COUNT ? areas[a].code : "";
}

const char *
kto_area_dutch(enum kto_area a)
{
	return (unsigned)a < KTO_AREA_COUNT ? areas[a].dutch : "";
}

static bool
area_parse(const char *s, enum kto_area *out)
{
	for (int i = 1; i < KTO_AREA_COUNT; i++) {
		if (strcasecmp(s, areas[i].code) == 0 || strcasecmp(s, areas[i].dutch) == 0) {
			*out = (enum kto_area)i;
			return true;
		}
	}
	/* The longer names people also use. */
	if (strcasecmp(s, "beschikbaarheid") == 0) {
		*out = KTO_AREA_TOE;
		return true;
	}
	if (strcasecmp(s, "totaaloordeel") == 0 || strcasecmp(s, "totaalscore") == 0) {
		*out = KTO_AREA_TOT;
		return true;
	}
	return false;
}

bool
kto_yesno_parse(const char *s, bool *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "ja") == 0) {
		*out = true;
		return true;
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "nee") == 0) {
		*out = false;
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* Pass 1: the file as text, cut into lines                                */

struct line {
	const char *raw;     /* the line as in the file */
	const char *s;       /* its content after the indentation */
	size_t len;          /* content bytes, trailing white space removed */
	int no;              /* 1-based */
	int indent;          /* width of the indentation, tabs to multiples of 8 */
	int indent_chars;    /* characters of indentation */
	bool empty;          /* nothing but white space */
	bool comment;        /* the first non-blank character is '#' */
};

struct lines {
	struct line *v;
	size_t n;
};

/* The 1-based column, in characters, of ptr within ln. */
static int
col_of(const struct line *ln, const char *ptr)
{
	return (int)kto_utf8_length(ln->raw, (size_t)(ptr - ln->raw)) + 1;
}

/* Line and column of byte offset off in src, for whole-file checks. */
static void
position_of(const char *src, size_t off, int *line, int *col)
{
	size_t start = 0;

	*line = 1;
	for (size_t i = 0; i < off; i++) {
		if (src[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	}
	*col = (int)kto_utf8_length(src + start, off - start) + 1;
}

/* Checks that src is text we can parse; false (with an error) if not. */
static bool
check_text(struct parser *p, const char *src, size_t len)
{
	const char *nul;
	size_t bad;
	int line, col;

	if (len > KTO_DEF_MAX_FILE) {
		parser_error(p, 0, 0, "the file is %zu bytes; a survey definition may "
		    "be at most %u bytes (1 MiB). Is this the right file?", len,
		    KTO_DEF_MAX_FILE);
		return false;
	}
	nul = memchr(src, '\0', len);
	if (nul != NULL) {
		position_of(src, (size_t)(nul - src), &line, &col);
		parser_error(p, line, col, "this is not a text file (it contains a "
		    "NUL byte); a survey definition is plain UTF-8 text");
		return false;
	}
	bad = kto_utf8_invalid_at(src, len);
	if (bad != len) {
		position_of(src, bad, &line, &col);
		parser_error(p, line, col, "the file is not valid UTF-8 text here "
		    "(byte 0x%02X); save it as UTF-8 in your editor",
		    (unsigned char)src[bad]);
		return false;
	}
	return true;
}

static void
line_measure(struct line *ln, const char *start, size_t n)
{
	size_t i = 0;
	int width = 0;

	while (i < n && (start[i] == ' ' || start[i] == '\t')) {
		width = start[i] == '\t' ? (width / 8 + 1) * 8 : width + 1;
		i++;
	}
	while (n > i && (start[n - 1] == ' ' || start[n - 1] == '\t'))
		n--;
	ln->raw = start;
	ln->s = start + i;
	ln->len = n - i;
	ln->indent = width;
	ln->indent_chars = (int)i;
	ln->empty = ln->len == 0;
	ln->comment = !ln->empty && ln->s[0] == '#';
}

/*
** Reports an over-long line, or one with a control character, and makes it
** empty so that the rest of the file is still checked.
*/
static void
check_line(struct parser *p, struct line *ln, size_t bytes)
{
	if (bytes > KTO_DEF_MAX_LINE) {
		parser_error(p, ln->no, 1, "this line is %zu bytes long; lines may "
		    "be at most %d bytes. Break long texts over several lines "
		    "with 'key: |'", bytes, KTO_DEF_MAX_LINE);
	} else {
		size_t k;

		for (k = 0; k < ln->len; k++) {
			unsigned char c = (unsigned char)ln->s[k];

			if ((c < 0x20 && c != '\t') || c == 0x7F)
				break;
		}
		if (k == ln->len)
			return;
		parser_error(p, ln->no, col_of(ln, ln->s + k), "control character "
		    "U+%04X is not allowed in a survey definition",
		    (unsigned char)ln->s[k]);
	}
	ln->len = 0;
	ln->empty = true;
	ln->comment = false;
}

/*
** Cuts src into lines (LF, CRLF or a lone CR end a line).  Over-long lines
** and lines with control characters are reported and made empty, so that
** the rest of the file is still checked.
*/
static bool
split_lines(struct parser *p, const char *src, size_t len, struct lines *out)
{
	size_t count = 1, i = 0;

	for (size_t k = 0; k < len; k++)
		if (src[k] == '\n' || (src[k] == '\r' && (k + 1 == len || src[k + 1] != '\n')))
			count++;
	out->v = parser_alloc(p, count * sizeof *out->v);
	out->n = 0;
	if (out->v == NULL)
		return false;
	for (size_t k = 0; k <= len; k++) {
		struct line *ln;

		if (k < len && src[k] != '\n' && src[k] != '\r')
			continue;
		ln = &out->v[out->n];
		ln->no = (int)out->n + 1;
		line_measure(ln, src + i, k - i);
		out->n++;
		check_line(p, ln, k - i);
		if (k + 1 < len && src[k] == '\r' && src[k + 1] == '\n')
			k++;
		i = k + 1;
	}
	return true;
}

/* ---------------------------------------------------------------------- */
/* Pass 2: blocks and attributes                                           */

enum block_kind { BLOCK_SURVEY, BLOCK_PAGE, BLOCK_QUESTION, BLOCK_NORM, BLOCK_MAIL,
                  BLOCK_NONE };

/* One `key: value` line (or `key: |` with the text that follows). */
struct attr {
	char key[40];
	bool en;              /* the key ended in ".en" */
	const char *value;    /* NUL-terminated, in the arena */
	size_t value_len;
	int line, col;        /* of the value (of the key when it is a block) */
	int key_col;
	bool multiline;
	const struct lines *L;
	size_t index;         /* of the key line in L */
	size_t next;          /* the first line after the attribute */
	int text_indent;      /* multi-line: characters stripped from each line */
	/* A value continued on deeper-indented lines: where each part starts. */
	struct { size_t off; int line, col; } seg[16];
	size_t n_seg;
};

/* Bits of qtype for the keys that only some question types take. */
#define QT(t) (1u << (t))
#define QT_ALL ((1u << KTO_Q_COUNT) - 1)
#define QT_CHOICES (QT(KTO_Q_CHOICE) | QT(KTO_Q_MULTI) | QT(KTO_Q_SCALE))

enum key_id {
	K_TEXT,          /* a translatable text at `offset` */
	K_CHANNEL, K_OVERALL, K_SHOW_IF, K_AREA, K_REQUIRED, K_DONT_KNOW,
	K_OPTIONS, K_LABELS, K_MIN, K_MAX, K_DECIMALS, K_MIN_CHOICES,
	K_MAX_CHOICES, K_MAX_LENGTH, K_PATTERN, K_ITEM, K_MET_IF, K_APPLIES_IF,
	K_TARGET
};

struct key_def {
	const char *name;
	enum key_id id;
	size_t offset;        /* K_TEXT: offset of the struct kto_text */
	unsigned qtypes;      /* questions: the types it applies to */
	bool required;        /* the Dutch text must be given */
};

#define TEXT_KEY(name, type, field, req) \
	{ name, K_TEXT, offsetof(type, field), QT_ALL, req }

static const struct key_def survey_keys[] = {
	{ "channel", K_CHANNEL, 0, 0, true },
	TEXT_KEY("title", struct kto_survey, title, true),
	TEXT_KEY("intro", struct kto_survey, intro, false),
	TEXT_KEY("thanks", struct kto_survey, thanks, false),
	{ "overall", K_OVERALL, 0, 0, true },
	{ NULL, 0, 0, 0, false }
};

static const struct key_def page_keys[] = {
	TEXT_KEY("title", struct kto_page, title, false),
	TEXT_KEY("intro", struct kto_page, intro, false),
	{ "show-if", K_SHOW_IF, 0, 0, false },
	{ NULL, 0, 0, 0, false }
};

static const struct key_def question_keys[] = {
	TEXT_KEY("text", struct kto_question, text, true),
	TEXT_KEY("help", struct kto_question, help, false),
	{ "area", K_AREA, 0, QT_ALL, false },
	{ "required", K_REQUIRED, 0, QT_ALL, false },
	{ "dont-know", K_DONT_KNOW, 0, QT_ALL & ~(QT(KTO_Q_TEXT) | QT(KTO_Q_OPEN)), false },
	{ "show-if", K_SHOW_IF, 0, QT_ALL, false },
	{ "options", K_OPTIONS, 0, QT_CHOICES, false },
	{ "labels", K_LABELS, 0, QT(KTO_Q_SCALE), false },
	{ "min", K_MIN, 0, QT(KTO_Q_NUMBER) | QT(KTO_Q_DATE), false },
	{ "max", K_MAX, 0, QT(KTO_Q_NUMBER) | QT(KTO_Q_DATE), false },
	{ "decimals", K_DECIMALS, 0, QT(KTO_Q_NUMBER), false },
	{ "unit", K_TEXT, offsetof(struct kto_question, unit), QT(KTO_Q_NUMBER), false },
	{ "min-choices", K_MIN_CHOICES, 0, QT(KTO_Q_MULTI), false },
	{ "max-choices", K_MAX_CHOICES, 0, QT(KTO_Q_MULTI), false },
	{ "max-length", K_MAX_LENGTH, 0, QT(KTO_Q_TEXT) | QT(KTO_Q_OPEN), false },
	{ "pattern", K_PATTERN, 0, QT(KTO_Q_TEXT), false },
	{ "pattern-message", K_TEXT, offsetof(struct kto_question, pattern_message),
	  QT(KTO_Q_TEXT), false },
	{ NULL, 0, 0, 0, false }
};

static const struct key_def norm_keys[] = {
	TEXT_KEY("text", struct kto_norm, text, true),
	{ "item", K_ITEM, 0, 0, true },
	{ "met-if", K_MET_IF, 0, 0, true },
	{ "applies-if", K_APPLIES_IF, 0, 0, false },
	{ "target", K_TARGET, 0, 0, true },
	{ NULL, 0, 0, 0, false }
};

static const struct key_def mail_keys[] = {
	TEXT_KEY("subject", struct kto_mail, subject, true),
	TEXT_KEY("body", struct kto_mail, body, true),
	{ NULL, 0, 0, 0, false }
};

static const struct key_def *const block_keys[] = {
	[BLOCK_SURVEY] = survey_keys,
	[BLOCK_PAGE] = page_keys,
	[BLOCK_QUESTION] = question_keys,
	[BLOCK_NORM] = norm_keys,
	[BLOCK_MAIL] = mail_keys,
};


/* The block being read: its object, and which keys it has had. */
struct block {
	enum block_kind kind;
	void *obj;
	int line;
	const char *label;        /* "question B03", for messages */
	unsigned long seen_nl, seen_en;    /* bit per key index */
	unsigned long seen_line_dummy;
	/* values resolved after the block ends */
	struct attr overall;      /* survey */
	bool has_overall;
	struct attr item;         /* norm */
	bool has_item;
};

/* State of the whole file's reading. */
struct reader {
	struct parser *p;
	struct lines L;
	struct block blk;
	bool seen_survey;
	bool survey_first_reported;
	bool seen_mail[2];
	int mail_line[2];
	bool english_anywhere;
	/* Texts given in Dutch only, for the English-completeness warnings. */
	struct missing_en { const struct kto_text *t; int line; const char *what; } *missing;
	size_t n_missing, cap_missing;
	struct attr overall;
	bool has_overall;
	struct { struct attr item; size_t norm; } norm_items[KTO_DEF_MAX_NORMS];
	size_t n_norm_items;
};

static bool
is_id_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '_');
}

/* Checks an id (question, page, norm): a letter, then letters, digits, '_'. */
static bool
check_id(struct parser *p, const char *id, int line, int col, const char *what)
{
	size_t n = strlen(id);

	if (n == 0 || n > KTO_DEF_MAX_ID) {
		parser_error(p, line, col, "the %s id must be 1 to %d characters",
		    what, KTO_DEF_MAX_ID);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_id_char(id[i], i == 0)) {
			parser_error(p, line, col + (int)i, "the %s id '%s' may only "
			    "have letters, digits and '_', and must start with a letter",
			    what, kto_utf8_invalid_at(id, n) == n ? id : "?");
			return false;
		}
	}
	return true;
}

/* Checks an option code: letters, digits, '-' and '_'. */
static bool
check_code(struct parser *p, const char *code, int line, int col)
{
	size_t n = strlen(code);

	if (n == 0 || n > KTO_DEF_MAX_ID) {
		parser_error(p, line, col, "an option code must be 1 to %d characters",
		    KTO_DEF_MAX_ID);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = code[i];

		if (!(is_id_char(c, false) || c == '-')) {
			parser_error(p, line, col + (int)i, "the option code '%s' may only "
			    "have letters, digits, '-' and '_'", code);
			return false;
		}
	}
	return true;
}

/* The next whitespace-separated word of *s, copied; NULL at the end. */
static char *
next_word(struct parser *p, const char **s, const char *end, const char **at)
{
	const char *w;

	while (*s < end && (**s == ' ' || **s == '\t'))
		(*s)++;
	if (*s >= end)
		return NULL;
	w = *s;
	while (*s < end && **s != ' ' && **s != '\t')
		(*s)++;
	if (at != NULL)
		*at = w;
	return parser_strndup(p, w, (size_t)(*s - w));
}

/* ---- multi-line texts and option lists --------------------------------- */

/* True when line j belongs to the indented body under a key at indent. */
static bool
in_body(const struct lines *L, size_t j, int indent)
{
	return j < L->n && (L->v[j].empty || L->v[j].indent > indent);
}

/*
** Reads the text after `key: |`: the following lines indented deeper than
** the key, without their common indentation.  Comments are text here: a
** mail may well contain a '#'.
*/
static void
read_block_text(struct parser *p, struct attr *a)
{
	const struct lines *L = a->L;
	const struct line *key = &L->v[a->index];
	size_t first = a->index + 1, last = first, j;
	int strip = -1;
	size_t total = 0;
	char *text, *w;

	for (j = first; in_body(L, j, key->indent); j++) {
		if (L->v[j].empty)
			continue;
		last = j + 1;
		if (strip < 0 || L->v[j].indent_chars < strip)
			strip = L->v[j].indent_chars;
	}
	a->next = last > first ? last : first;
	/* Blank lines after the text belong to nobody: skip them as well. */
	while (a->next < L->n && L->v[a->next].empty)
		a->next++;
	if (strip < 0) {
		a->value = "";
		a->value_len = 0;
		a->text_indent = 0;
		return;
	}
	for (j = first; j < last; j++)
		total += (L->v[j].empty ? 0 : (size_t)(L->v[j].s - L->v[j].raw) -
		    (size_t)strip + L->v[j].len) + 1;
	text = parser_alloc(p, total + 1);
	if (text == NULL)
		return;
	w = text;
	for (j = first; j < last; j++) {
		const struct line *ln = &L->v[j];

		if (!ln->empty) {
			size_t n = (size_t)(ln->s - ln->raw) - (size_t)strip + ln->len;

			memcpy(w, ln->raw + strip, n);
			w += n;
		}
		if (j + 1 < last)
			*w++ = '\n';
	}
	*w = '\0';
	a->value = text;
	a->value_len = (size_t)(w - text);
	a->line = L->v[first].no;
	a->col = strip + 1;
	a->text_indent = strip;
}

/* Position (line, col) of byte off within the value of a. */
static void
attr_position(const struct attr *a, size_t off, int *line, int *col)
{
	if (!a->multiline) {
		size_t k = 0;

		while (k + 1 < a->n_seg && a->seg[k + 1].off <= off)
			k++;
		if (a->n_seg == 0) {
			*line = a->line;
			*col = a->col + (int)kto_utf8_length(a->value, off);
		} else {
			*line = a->seg[k].line;
			*col = a->seg[k].col + (int)kto_utf8_length(a->value + a->seg[k].off,
			    off - a->seg[k].off);
		}
		return;
	}
	{
		size_t start = 0;
		int n = 0;

		for (size_t i = 0; i < off; i++) {
			if (a->value[i] == '\n') {
				n++;
				start = i + 1;
			}
		}
		*line = a->line + n;
		*col = a->text_indent + 1 + (int)kto_utf8_length(a->value + start, off - start);
	}
}

/* ---- texts ---------------------------------------------------------------- */

static void
note_missing_english(struct reader *r, const struct kto_text *t, int line,
                     const char *what)
{
	struct parser *p = r->p;

	if (r->n_missing == r->cap_missing) {
		size_t ncap = r->cap_missing ? r->cap_missing * 2 : 64;
		struct missing_en *m = parser_alloc(p, ncap * sizeof *m);

		if (m == NULL)
			return;
		if (r->n_missing)
			memcpy(m, r->missing, r->n_missing * sizeof *m);
		r->missing = m;
		r->cap_missing = ncap;
	}
	r->missing[r->n_missing].t = t;
	r->missing[r->n_missing].line = line;
	r->missing[r->n_missing].what = what;
	r->n_missing++;
}

static void
set_text(struct reader *r, struct kto_text *t, const struct attr *a,
         const char *label)
{
	struct parser *p = r->p;
	size_t chars = kto_utf8_length(a->value, a->value_len);
	size_t max = strcmp(a->key, "body") == 0 ? KTO_DEF_MAX_MAIL_BODY : KTO_DEF_MAX_TEXT;

	if (a->value_len == 0) {
		parser_error(p, a->line, a->key_col, "'%s%s' of %s is empty", a->key,
		    a->en ? ".en" : "", label);
		return;
	}
	if (chars > max) {
		parser_error(p, a->line, a->col, "this text is %zu characters long; "
		    "at most %zu are allowed", chars, max);
		return;
	}
	if (a->en) {
		t->en = a->value;
		r->english_anywhere = true;
	} else {
		t->nl = a->value;
	}
}

/* ---- values ------------------------------------------------------------ */

static bool
parse_yesno_value(struct parser *p, const struct attr *a, bool *out)
{
	if (kto_yesno_parse(a->value, out))
		return true;
	parser_error(p, a->line, a->col, "'%s' must be yes or no (ja or nee), "
	    "not '%s'", a->key, a->value);
	return false;
}

static bool
parse_int_value(struct parser *p, const struct attr *a, int64_t min, int64_t max,
                int *out)
{
	int64_t v;

	if (kto_parse_i64(a->value, min, max, &v) != KTO_OK) {
		parser_error(p, a->line, a->col, "'%s' must be a whole number from "
		    "%lld to %lld, not '%s'", a->key, (long long)min, (long long)max,
		    a->value);
		return false;
	}
	*out = (int)v;
	return true;
}

/*
 * Survey files take dates in the ISO form only (YYYY-MM-DD): they are
 * written once by the benchmark team and read by tools that expect ISO.
 */
bool
kto_date_parse(const char *s, double *out)
{
	struct kto_datetime t;

	if (strlen(s) != 10 || s[4] != '-' || !kto_datetime_parse(s, &t))
		return false;
	*out = t.year * 10000.0 + t.month * 100.0 + t.day;
	return true;
}

static void
set_range(struct parser *p, struct kto_question *q, const struct attr *a, bool is_min)
{
	double v;
	bool today = false;

	if (q->type == KTO_Q_DATE) {
		if (strcasecmp(a->value, "today") == 0 || strcasecmp(a->value, "vandaag") == 0) {
			today = true;
			v = 0;
		} else if (!kto_date_parse(a->value, &v)) {
			parser_error(p, a->line, a->col, "'%s' of a date question must be "
			    "a date like 2026-01-31, or today; '%s' is not", a->key, a->value);
			return;
		}
	} else if (kto_parse_double(a->value, -1e12, 1e12, &v) != KTO_OK) {
		parser_error(p, a->line, a->col, "'%s' must be a number, not '%s'",
		    a->key, a->value);
		return;
	}
	if (is_min) {
		q->has_min = true;
		q->min_today = today;
		q->min = v;
	} else {
		q->has_max = true;
		q->max_today = today;
		q->max = v;
	}
}

static void
set_dont_know(struct reader *r, struct kto_question *q, const struct attr *a)
{
	struct parser *p = r->p;
	bool yes;
	const char *bar;

	if (kto_yesno_parse(a->value, &yes)) {
		q->dont_know = yes;
		return;
	}
	/* A label of our own: "Niet van toepassing | Not applicable". */
	q->dont_know = true;
	bar = strchr(a->value, '|');
	if (bar == NULL) {
		q->dont_know_label.nl = a->value;
		return;
	}
	{
		const char *nl_end = bar, *en = bar + 1;

		while (nl_end > a->value && (nl_end[-1] == ' ' || nl_end[-1] == '\t'))
			nl_end--;
		while (*en == ' ' || *en == '\t')
			en++;
		if (nl_end == a->value || *en == '\0') {
			parser_error(p, a->line, a->col, "write the label as 'Dutch "
			    "text | English text', or just yes");
			return;
		}
		q->dont_know_label.nl = parser_strndup(p, a->value, (size_t)(nl_end - a->value));
		q->dont_know_label.en = en;
		r->english_anywhere = true;
	}
}

/* The five-point label sets of `labels:`. */
static const struct {
	const char *name;
	const char *nl[5], *en[5];
} label_sets[] = {
	{ "agree",
	  { "Helemaal mee oneens", "Mee oneens", "Neutraal", "Mee eens", "Helemaal mee eens" },
	  { "Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree" } },
	{ "satisfied",
	  { "Zeer ontevreden", "Ontevreden", "Neutraal", "Tevreden", "Zeer tevreden" },
	  { "Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied" } },
	{ "easy",
	  { "Zeer moeilijk", "Moeilijk", "Neutraal", "Makkelijk", "Zeer makkelijk" },
	  { "Very difficult", "Difficult", "Neutral", "Easy", "Very easy" } },
};

static void
set_labels(struct parser *p, struct kto_question *q, const struct attr *a)
{
	static const char *const codes[5] = { "1", "2", "3", "4", "5" };

	for (size_t s = 0; s < sizeof label_sets / sizeof label_sets[0]; s++) {
		struct kto_option *o;

		if (strcasecmp(a->value, label_sets[s].name) != 0)
			continue;
		if ((o = parser_alloc(p, 5 * sizeof *o)) == NULL)
			return;
		for (int i = 0; i < 5; i++) {
			o[i].code = codes[i];
			o[i].label.nl = label_sets[s].nl[i];
			o[i].label.en = label_sets[s].en[i];
		}
		q->options = o;
		q->n_options = 5;
		return;
	}
	parser_error(p, a->line, a->col, "unknown label set '%s'; use agree, "
	    "satisfied or easy, or give five options", a->value);
}

/*
** Reads the option lines under `options:`: "code  Dutch label | English".
*/
static void
read_options(struct reader *r, struct kto_question *q, struct attr *a)
{
	struct parser *p = r->p;
	const struct lines *L = a->L;
	const struct line *key = &L->v[a->index];
	struct kto_option *opts;
	size_t n = 0, j;

	opts = parser_alloc(p, KTO_DEF_MAX_OPTIONS * sizeof *opts);
	if (opts == NULL)
		return;
	for (j = a->index + 1; in_body(L, j, key->indent); j++) {
		const struct line *ln = &L->v[j];
		const char *s = ln->s, *end = ln->s + ln->len, *at, *bar, *nl_end;
		char *code;
		struct kto_option *o;

		if (ln->empty || ln->comment)
			continue;
		code = next_word(p, &s, end, &at);
		if (code == NULL)
			return;
		if (!check_code(p, code, ln->no, col_of(ln, at)))
			continue;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end || *s == '|') {
			parser_error(p, ln->no, col_of(ln, s), "option '%s' has no "
			    "label; write the code, then the Dutch text", code);
			continue;
		}
		if (kto_question_option(&(struct kto_question){ .options = opts,
		    .n_options = n }, code) != NULL) {
			parser_error(p, ln->no, col_of(ln, at), "option '%s' is given "
			    "twice in question %s", code, q->id);
			continue;
		}
		if (n == KTO_DEF_MAX_OPTIONS) {
			parser_error(p, ln->no, col_of(ln, at), "a question may have at "
			    "most %d options", KTO_DEF_MAX_OPTIONS);
			break;
		}
		o = &opts[n++];
		o->code = code;
		bar = memchr(s, '|', (size_t)(end - s));
		nl_end = bar ? bar : end;
		while (nl_end > s && (nl_end[-1] == ' ' || nl_end[-1] == '\t'))
			nl_end--;
		o->label.nl = parser_strndup(p, s, (size_t)(nl_end - s));
		if (bar != NULL) {
			const char *en = bar + 1;

			while (en < end && (*en == ' ' || *en == '\t'))
				en++;
			if (en == end)
				parser_error(p, ln->no, col_of(ln, bar), "nothing after "
				    "'|': give the English label, or remove the '|'");
			else if (memchr(en, '|', (size_t)(end - en)) != NULL)
				parser_error(p, ln->no, col_of(ln, en), "a label cannot "
				    "contain '|'");
			o->label.en = parser_strndup(p, en, (size_t)(end - en));
			r->english_anywhere = true;
		} else {
			note_missing_english(r, &o->label, ln->no, "option label");
		}
	}
	a->next = j;
	if (n == 0)
		parser_error(p, a->line, a->key_col, "'options:' has no options under "
		    "it; put one per line, indented: code, then the text");
	q->options = opts;
	q->n_options = n;
}

static void
compile_pattern(struct parser *p, struct kto_question *q, const struct attr *a)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;

	/*
	** The whole answer must match (anchored at both ends): staff write
	** "[0-9]{4} ?[A-Z]{2}" meaning a postcode, not "contains a postcode".
	** PCRE2_UTF makes PCRE2 check the answer is valid UTF-8 at match time;
	** we never pass PCRE2_NO_UTF_CHECK (HARDENING.md F2).
	*/
	re = pcre2_compile((PCRE2_SPTR)a->value, a->value_len,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED | PCRE2_ENDANCHORED,
	    &errcode, &erroff, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];
		int line, col;

		pcre2_get_error_message(errcode, msg, sizeof msg);
		attr_position(a, erroff, &line, &col);
		parser_error(p, line, col, "the pattern does not compile: %s "
		    "(at character %zu of the pattern)", (char *)msg,
		    kto_utf8_length(a->value, erroff) + 1);
		return;
	}
	/* JIT where the platform has it; the interpreter works everywhere. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	q->pattern = re;
	q->pattern_source = a->value;
}

static void
set_target(struct parser *p, struct kto_norm *n, const struct attr *a)
{
	char tmp[32];
	size_t len = a->value_len;
	double v;

	if (len > 0 && a->value[len - 1] == '%')
		len--;
	while (len > 0 && a->value[len - 1] == ' ')
		len--;
	if (len == 0 || len >= sizeof tmp) {
		parser_error(p, a->line, a->col, "the target must be a percentage "
		    "such as 95%%");
		return;
	}
	memcpy(tmp, a->value, len);
	tmp[len] = '\0';
	if (kto_parse_double(tmp, 0, 100, &v) != KTO_OK || v <= 0) {
		parser_error(p, a->line, a->col, "the target must be a percentage "
		    "above 0 and at most 100, such as 95%%; not '%s'", a->value);
		return;
	}
	n->target = v;
}

static void
add_pending_cond(struct parser *p, const struct attr *a, enum cond_owner owner,
                 size_t owner_index, const struct kto_cond **slot,
                 const struct kto_question *norm_item)
{
	struct pending_cond *c;

	if (p->n_conds == p->cap_conds) {
		size_t ncap = p->cap_conds ? p->cap_conds * 2 : 32;
		struct pending_cond *v = parser_alloc(p, ncap * sizeof *v);

		if (v == NULL)
			return;
		if (p->n_conds)
			memcpy(v, p->conds, p->n_conds * sizeof *v);
		p->conds = v;
		p->cap_conds = ncap;
	}
	c = &p->conds[p->n_conds++];
	c->text = a->value;
	c->line = a->line;
	c->col = a->col;
	c->owner = owner;
	c->owner_index = owner_index;
	c->slot = slot;
	c->norm_item = norm_item;
}

/* ---- mail placeholders ------------------------------------------------- */

/* The placeholders of mail texts, and whether a subject may use them. */
static const struct { const char *name; bool in_subject; } placeholders[] = {
	{ "municipality", true }, { "contact_date", true }, { "channel", true },
	{ "sender_name", true }, { "link", false }, { "optout_link", false },
	{ "privacy_url", false }, { "signature", false },
};

/* The placeholder {name} at s (s[0] == '{'); its index, or -1. */
static int
placeholder_at(const char *s, const char **close)
{
	size_t n;

	*close = strchr(s, '}');
	if (*close == NULL || memchr(s, '\n', (size_t)(*close - s)) != NULL)
		return -2;
	n = (size_t)(*close - s - 1);
	for (size_t k = 0; k < sizeof placeholders / sizeof placeholders[0]; k++)
		if (strlen(placeholders[k].name) == n &&
		    strncmp(placeholders[k].name, s + 1, n) == 0)
			return (int)k;
	return -1;
}

/* Checks every {placeholder} of a mail text where it was written. */
static void
check_placeholders(struct parser *p, const struct attr *a, bool subject)
{
	const char *text = a->value;

	for (const char *s = text; *s; s++) {
		const char *close;
		int k, line, col;

		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			s++;
			continue;
		}
		if (*s != '{' && *s != '}')
			continue;
		attr_position(a, (size_t)(s - text), &line, &col);
		if (*s == '}') {
			parser_error(p, line, col, "a lone '}' in a mail text; write "
			    "'}}' for a literal brace");
			continue;
		}
		k = placeholder_at(s, &close);
		if (k == -2) {
			parser_error(p, line, col, "'{' without a closing '}' on the "
			    "same line; write '{{' for a literal brace");
			return;
		}
		if (k == -1)
			parser_error(p, line, col, "unknown placeholder %.*s; use "
			    "{municipality}, {contact_date}, {channel}, {link}, "
			    "{optout_link}, {sender_name}, {privacy_url} or {signature}",
			    (int)(close - s > 40 ? 40 : close - s + 1), s);
		else if (subject && !placeholders[k].in_subject)
			parser_error(p, line, col, "{%s} cannot be used in a subject",
			    placeholders[k].name);
		s = close;
	}
}

/* True when text uses the placeholder {name}. */
static bool
uses_placeholder(const char *text, const char *name)
{
	for (const char *s = text; s && *s; s++) {
		const char *close;
		int k;

		if (s[0] == '{' && s[1] == '{') {
			s++;
			continue;
		}
		if (*s != '{')
			continue;
		k = placeholder_at(s, &close);
		if (k >= 0 && strcmp(placeholders[k].name, name) == 0)
			return true;
		if (close != NULL)
			s = close;
	}
	return false;
}

/* ---- attribute dispatch ------------------------------------------------ */

/*
** Reads a value that may go on over the following, deeper-indented lines:
** those lines are joined to it with single spaces, so a long question can
** be wrapped in the editor without any special syntax.
*/
static void
read_folded(struct parser *p, struct attr *a, const char *v, const char *end)
{
	const struct lines *L = a->L;
	const struct line *key = &L->v[a->index];
	struct kto_buf b = KTO_BUF_INIT(KTO_DEF_MAX_LINE * 16);
	size_t j = a->index + 1;

	a->seg[0].off = 0;
	a->seg[0].line = a->line;
	a->seg[0].col = a->col;
	a->n_seg = 1;
	if (kto_buf_add(&b, v, (size_t)(end - v)) != KTO_OK)
		p->oom = true;
	for (; j < L->n && !L->v[j].empty && L->v[j].indent > key->indent; j++) {
		const struct line *ln = &L->v[j];

		if (ln->comment)
			continue;
		if (b.len > 0 && kto_buf_addc(&b, ' ') != KTO_OK)
			p->oom = true;
		if (a->n_seg < sizeof a->seg / sizeof a->seg[0]) {
			a->seg[a->n_seg].off = b.len;
			a->seg[a->n_seg].line = ln->no;
			a->seg[a->n_seg].col = col_of(ln, ln->s);
			a->n_seg++;
		}
		if (kto_buf_add(&b, ln->s, ln->len) != KTO_OK)
			p->oom = true;
	}
	a->next = j;
	a->value = parser_strndup(p, kto_buf_str(&b), b.len);
	a->value_len = b.len;
	kto_buf_release(&b);
}

/*
** Reads the attribute line at index i of the current block into a; the
** value of `key: |` is the text below it.  Returns false (with an error)
** when the line is not of the form key: value.
*/
static bool
read_attr(struct parser *p, const struct lines *L, size_t i, struct attr *a)
{
	const struct line *ln = &L->v[i];
	const char *colon = memchr(ln->s, ':', ln->len), *v, *end = ln->s + ln->len;
	size_t klen;

	memset(a, 0, sizeof *a);
	a->L = L;
	a->index = i;
	a->next = i + 1;
	a->line = ln->no;
	a->key_col = col_of(ln, ln->s);
	if (colon == NULL) {
		parser_error(p, ln->no, a->key_col, "expected 'key: value' here; "
		    "a line under a block says what it sets, such as 'text: ...'");
		return false;
	}
	klen = (size_t)(colon - ln->s);
	while (klen > 0 && (ln->s[klen - 1] == ' ' || ln->s[klen - 1] == '\t'))
		klen--;
	if (klen == 0 || klen >= sizeof a->key) {
		parser_error(p, ln->no, a->key_col, "expected a key before ':'");
		return false;
	}
	memcpy(a->key, ln->s, klen);
	a->key[klen] = '\0';
	if (klen > 3 && strcmp(a->key + klen - 3, ".en") == 0) {
		a->en = true;
		a->key[klen - 3] = '\0';
	}
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	a->col = col_of(ln, v);
	if (end - v == 1 && *v == '|') {
		a->multiline = true;
		read_block_text(p, a);
	} else if (strcmp(a->key, "options") == 0) {
		a->value = parser_strndup(p, v, (size_t)(end - v));
		a->value_len = (size_t)(end - v);
	} else {
		read_folded(p, a, v, end);
	}
	return a->value != NULL;
}

static const struct key_def *
find_key(const struct key_def *keys, const char *name, size_t *index)
{
	for (size_t i = 0; keys[i].name != NULL; i++) {
		if (strcmp(keys[i].name, name) == 0) {
			*index = i;
			return &keys[i];
		}
	}
	return NULL;
}

static void
list_keys(const struct key_def *keys, unsigned qtype_bit, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; keys[i].name != NULL && len < n; i++) {
		if (qtype_bit && !(keys[i].qtypes & qtype_bit))
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "",
		    keys[i].name);
	}
}

static void apply_attr(struct reader *r, const struct key_def *k, struct attr *a);

/* Handles one attribute line of the current block; returns the next line. */
/* The first line after the body of the attribute at line i. */
static size_t
skip_body(const struct lines *L, size_t i)
{
	size_t j = i + 1;

	while (in_body(L, j, L->v[i].indent))
		j++;
	return j;
}

static size_t
block_attr(struct reader *r, size_t i)
{
	struct parser *p = r->p;
	struct block *b = &r->blk;
	const struct key_def *keys = block_keys[b->kind], *k;
	struct attr a;
	size_t idx;
	unsigned qbit = 0;
	unsigned long *seen;

	if (!read_attr(p, &r->L, i, &a))
		return skip_body(&r->L, i);
	if (b->kind == BLOCK_QUESTION)
		qbit = QT(((struct kto_question *)b->obj)->type);
	k = find_key(keys, a.key, &idx);
	if (k == NULL || (qbit && !(k->qtypes & qbit))) {
		char known[400];

		list_keys(keys, qbit, known, sizeof known);
		if (k != NULL)
			parser_error(p, a.line, a.key_col, "'%s' does not apply to "
			    "question type %s; it takes: %s", a.key,
			    kto_qtype_name(((struct kto_question *)b->obj)->type), known);
		else
			parser_error(p, a.line, a.key_col, "unknown key '%s' in %s; "
			    "known keys: %s", a.key, b->label, known);
		return skip_body(&r->L, i);
	}
	if (a.en && k->id != K_TEXT) {
		parser_error(p, a.line, a.key_col, "'%s' is not a text and has no "
		    "English version; write '%s:' without '.en'", a.key, a.key);
		return a.next;
	}
	seen = a.en ? &b->seen_en : &b->seen_nl;
	if (*seen & (1ul << idx)) {
		parser_error(p, a.line, a.key_col, "'%s%s' is given twice in %s",
		    a.key, a.en ? ".en" : "", b->label);
		return skip_body(&r->L, i);
	}
	*seen |= 1ul << idx;
	if (k->id != K_OPTIONS && !a.multiline && a.value_len == 0) {
		parser_error(p, a.line, a.key_col, "'%s' has no value", a.key);
		return a.next;
	}
	if (k->id == K_OPTIONS && a.value_len != 0) {
		parser_error(p, a.line, a.col, "put the options on the lines under "
		    "'options:', one per line");
		return a.next;
	}
	apply_attr(r, k, &a);
	return a.next;
}

static void
apply_attr(struct reader *r, const struct key_def *k, struct attr *a)
{
	struct parser *p = r->p;
	struct block *b = &r->blk;
	struct kto_question *q = b->kind == BLOCK_QUESTION ? b->obj : NULL;
	struct kto_norm *n = b->kind == BLOCK_NORM ? b->obj : NULL;
	struct kto_survey *s = p->survey;
	enum kto_area area;

	switch (k->id) {
	case K_TEXT:
		set_text(r, (struct kto_text *)((char *)b->obj + k->offset), a, b->label);
		if (b->kind == BLOCK_MAIL)
			check_placeholders(p, a, strcmp(a->key, "subject") == 0);
		break;
	case K_CHANNEL:
		if (!kto_channel_parse(a->value, &s->channel))
			parser_error(p, a->line, a->col, "unknown channel '%s'; use "
			    "counter, phone or email (balie, telefoon, e-mail)", a->value);
		break;
	case K_OVERALL:
		r->overall = *a;
		r->has_overall = true;
		break;
	case K_SHOW_IF:
		if (b->kind == BLOCK_PAGE)
			add_pending_cond(p, a, COND_PAGE_SHOW, p->n_pages - 1,
			    &((struct kto_page *)b->obj)->show_if, NULL);
		else
			add_pending_cond(p, a, COND_QUESTION_SHOW, q->index, &q->show_if, NULL);
		break;
	case K_AREA:
		if (area_parse(a->value, &area)) {
			q->area = area;
		} else {
			/* Reported here; KTO_AREA_COUNT keeps "has no area" quiet. */
			q->area = KTO_AREA_COUNT;
			parser_error(p, a->line, a->col, "unknown area '%s'; use one of "
			    "BER, TOE, INF, WAC, LEV, TAR, BEJ, BET, TOT", a->value);
		}
		break;
	case K_REQUIRED:
		parse_yesno_value(p, a, &q->required);
		break;
	case K_DONT_KNOW:
		set_dont_know(r, q, a);
		break;
	case K_OPTIONS:
		if (q->n_options > 0) {
			parser_error(p, a->line, a->key_col, "give either 'labels' or "
			    "'options', not both");
			a->next = skip_body(a->L, a->index);
		} else
			read_options(r, q, a);
		break;
	case K_LABELS:
		if (q->n_options > 0)
			parser_error(p, a->line, a->key_col, "give either 'labels' or "
			    "'options', not both");
		else
			set_labels(p, q, a);
		break;
	case K_MIN:
	case K_MAX:
		set_range(p, q, a, k->id == K_MIN);
		break;
	case K_DECIMALS:
		parse_int_value(p, a, 0, 3, &q->decimals);
		break;
	case K_MIN_CHOICES:
		parse_int_value(p, a, 1, KTO_DEF_MAX_OPTIONS, &q->min_choices);
		break;
	case K_MAX_CHOICES:
		parse_int_value(p, a, 1, KTO_DEF_MAX_OPTIONS, &q->max_choices);
		break;
	case K_MAX_LENGTH:
		parse_int_value(p, a, 1, KTO_DEF_MAX_ANSWER_TEXT, &q->max_length);
		break;
	case K_PATTERN:
		compile_pattern(p, q, a);
		break;
	case K_ITEM:
		if (r->n_norm_items < KTO_DEF_MAX_NORMS) {
			r->norm_items[r->n_norm_items].item = *a;
			r->norm_items[r->n_norm_items].norm = p->n_norms - 1;
			r->n_norm_items++;
		}
		break;
	case K_MET_IF:
		add_pending_cond(p, a, COND_NORM, p->n_norms - 1, &n->met_if, NULL);
		break;
	case K_APPLIES_IF:
		add_pending_cond(p, a, COND_NORM, p->n_norms - 1, &n->applies_if, NULL);
		break;
	case K_TARGET:
		set_target(p, n, a);
		break;
	}
}

/* ---- blocks ------------------------------------------------------------ */

/* Checks the keys a block must have, once the block has ended. */
static void
block_end(struct reader *r)
{
	struct parser *p = r->p;
	struct block *b = &r->blk;
	const struct key_def *keys;

	if (b->kind == BLOCK_NONE)
		return;
	keys = block_keys[b->kind];
	for (size_t i = 0; keys[i].name != NULL; i++) {
		bool has_nl = b->seen_nl & (1ul << i), has_en = b->seen_en & (1ul << i);

		if (keys[i].required && !has_nl)
			parser_error(p, b->line, 1, "%s has no '%s:'%s", b->label,
			    keys[i].name, has_en ? " (only an English one; the Dutch "
			    "text is required)" : "");
		else if (keys[i].id == K_TEXT && has_nl && !has_en)
			note_missing_english(r, (const struct kto_text *)
			    ((char *)b->obj + keys[i].offset), b->line, keys[i].name);
	}
	b->kind = BLOCK_NONE;
}

static char *
block_label(struct parser *p, const char *kind, const char *name)
{
	size_t n = strlen(kind) + strlen(name) + 2;
	char *s = parser_alloc(p, n);

	if (s != NULL)
		snprintf(s, n, "%s %s", kind, name);
	return s;
}

/* Adds an untitled page for questions that come before any page block. */
static bool
ensure_page(struct reader *r, int line)
{
	struct parser *p = r->p;

	if (p->n_pages > 0)
		return true;
	p->pages[0].id = "";
	p->pages[0].line = line;
	p->n_pages = 1;
	return true;
}

static bool
duplicate_id(struct parser *p, const char *id, int line, int col)
{
	for (size_t i = 0; i < p->n_questions; i++)
		if (strcasecmp(p->questions[i].id, id) == 0) {
			parser_error(p, line, col, "id '%s' is used twice (question at "
			    "line %d)", id, p->questions[i].line);
			return true;
		}
	for (size_t i = 0; i < p->n_pages; i++)
		if (p->pages[i].id[0] && strcasecmp(p->pages[i].id, id) == 0) {
			parser_error(p, line, col, "id '%s' is used twice (page at line "
			    "%d)", id, p->pages[i].line);
			return true;
		}
	for (size_t i = 0; i < p->n_norms; i++)
		if (strcasecmp(p->norms[i].id, id) == 0) {
			parser_error(p, line, col, "id '%s' is used twice (norm at line "
			    "%d)", id, p->norms[i].line);
			return true;
		}
	return false;
}

static bool
qtype_parse(const char *s, enum kto_qtype *out)
{
	for (int i = 0; i < KTO_Q_COUNT; i++)
		if (strcasecmp(s, qtype_names[i]) == 0) {
			*out = (enum kto_qtype)i;
			return true;
		}
	return false;
}

/* Starts the block whose header is line i; returns false to skip its lines. */
static bool
block_begin(struct reader *r, const struct line *ln)
{
	struct parser *p = r->p;
	struct block *b = &r->blk;
	const char *s = ln->s, *end = ln->s + ln->len, *at_kw, *at_name = NULL,
	    *at_extra = NULL;
	char *kw, *name, *extra, *more;

	memset(b, 0, sizeof *b);
	b->kind = BLOCK_NONE;
	b->line = ln->no;
	kw = next_word(p, &s, end, &at_kw);
	name = next_word(p, &s, end, &at_name);
	extra = next_word(p, &s, end, &at_extra);
	if (kw == NULL)
		return false;

	if (strcmp(kw, "survey") != 0 && !r->seen_survey && !r->survey_first_reported) {
		parser_error(p, ln->no, 1, "the file must start with 'survey NAME' "
		    "(after comments); found '%s'", kw);
		r->survey_first_reported = true;
	}
	if (name == NULL && strcmp(kw, "survey") != 0 && strcmp(kw, "page") != 0 &&
	    strcmp(kw, "question") != 0 && strcmp(kw, "norm") != 0 &&
	    strcmp(kw, "mail") != 0) {
		parser_error(p, ln->no, 1, "expected a block such as 'question ID "
		    "TYPE' at the start of the line; indent the lines that belong to "
		    "a block");
		return false;
	}

	if (strcmp(kw, "survey") == 0) {
		if (r->seen_survey) {
			parser_error(p, ln->no, 1, "a second 'survey' block: a file holds "
			    "one survey; put the other survey in a file of its own");
			return false;
		}
		r->seen_survey = true;
		if (name == NULL) {
			parser_error(p, ln->no, col_of(ln, end), "the survey needs a name: "
			    "'survey NAME', e.g. 'survey kto-balie'");
			return false;
		}
		for (const char *c = name; *c; c++)
			if (!(is_id_char(*c, false) || *c == '-') || strlen(name) > 64) {
				parser_error(p, ln->no, col_of(ln, at_name), "the survey name "
				    "'%s' may only have letters, digits, '-' and '_' (at most "
				    "64)", name);
				break;
			}
		if (extra != NULL)
			parser_error(p, ln->no, col_of(ln, at_extra), "unexpected '%s' "
			    "after the survey name", extra);
		p->survey->name = name;
		b->kind = BLOCK_SURVEY;
		b->obj = p->survey;
		b->label = "the survey";
		return true;
	}
	if (strcmp(kw, "page") == 0) {
		struct kto_page *pg;

		if (name == NULL) {
			parser_error(p, ln->no, col_of(ln, end), "the page needs an id: "
			    "'page ID', e.g. 'page wachten'");
			return false;
		}
		if (!check_id(p, name, ln->no, col_of(ln, at_name), "page") ||
		    duplicate_id(p, name, ln->no, col_of(ln, at_name)))
			name[0] = '\0';
		if (extra != NULL)
			parser_error(p, ln->no, col_of(ln, at_extra), "unexpected '%s' "
			    "after the page id", extra);
		/* An untitled first page that got no questions is replaced. */
		if (p->n_pages == 1 && p->pages[0].id[0] == '\0' &&
		    p->pages[0].n_questions == 0)
			p->n_pages = 0;
		if (p->n_pages == KTO_DEF_MAX_PAGES) {
			parser_error(p, ln->no, 1, "a survey may have at most %d pages",
			    KTO_DEF_MAX_PAGES);
			return false;
		}
		pg = &p->pages[p->n_pages++];
		pg->id = name;
		pg->line = ln->no;
		pg->first_question = p->n_questions;
		b->kind = BLOCK_PAGE;
		b->obj = pg;
		b->label = block_label(p, "page", name);
		return b->label != NULL;
	}
	if (strcmp(kw, "question") == 0) {
		struct kto_question *q;
		enum kto_qtype type;

		if (name == NULL || extra == NULL) {
			parser_error(p, ln->no, col_of(ln, end), "write 'question ID "
			    "TYPE', e.g. 'question B18 mark'; the types are mark, scale, "
			    "yesno, choice, multi, number, text, open, date");
			return false;
		}
		if (!qtype_parse(extra, &type)) {
			parser_error(p, ln->no, col_of(ln, at_extra), "unknown question "
			    "type '%s'; use mark, scale, yesno, choice, multi, number, "
			    "text, open or date", extra);
			return false;
		}
		if ((more = next_word(p, &s, end, &at_kw)) != NULL)
			parser_error(p, ln->no, col_of(ln, at_kw), "unexpected '%s' "
			    "after the question type", more);
		if (!check_id(p, name, ln->no, col_of(ln, at_name), "question") ||
		    duplicate_id(p, name, ln->no, col_of(ln, at_name)))
			return false;
		if (p->n_questions == KTO_DEF_MAX_QUESTIONS) {
			parser_error(p, ln->no, 1, "a survey may have at most %d questions",
			    KTO_DEF_MAX_QUESTIONS);
			return false;
		}
		ensure_page(r, ln->no);
		q = &p->questions[p->n_questions];
		q->id = name;
		q->type = type;
		q->index = p->n_questions++;
		q->page = p->n_pages - 1;
		q->line = ln->no;
		p->pages[q->page].n_questions++;
		b->kind = BLOCK_QUESTION;
		b->obj = q;
		b->label = block_label(p, "question", name);
		return b->label != NULL;
	}
	if (strcmp(kw, "norm") == 0) {
		struct kto_norm *n;

		if (name == NULL) {
			parser_error(p, ln->no, col_of(ln, end), "the norm needs an id: "
			    "'norm ID', e.g. 'norm N5'");
			return false;
		}
		if (extra != NULL)
			parser_error(p, ln->no, col_of(ln, at_extra), "unexpected '%s' "
			    "after the norm id; put its text under it as 'text: ...'", extra);
		if (!check_id(p, name, ln->no, col_of(ln, at_name), "norm") ||
		    duplicate_id(p, name, ln->no, col_of(ln, at_name)))
			return false;
		if (p->n_norms == KTO_DEF_MAX_NORMS) {
			parser_error(p, ln->no, 1, "a survey may have at most %d norms",
			    KTO_DEF_MAX_NORMS);
			return false;
		}
		n = &p->norms[p->n_norms++];
		n->id = name;
		n->line = ln->no;
		b->kind = BLOCK_NORM;
		b->obj = n;
		b->label = block_label(p, "norm", name);
		return b->label != NULL;
	}
	if (strcmp(kw, "mail") == 0) {
		int which;

		if (name == NULL || (strcmp(name, "invitation") != 0 &&
		    strcmp(name, "reminder") != 0)) {
			parser_error(p, ln->no, name ? col_of(ln, at_name) : col_of(ln, end),
			    "write 'mail invitation' or 'mail reminder'");
			return false;
		}
		if (extra != NULL)
			parser_error(p, ln->no, col_of(ln, at_extra), "unexpected '%s' "
			    "after 'mail %s'", extra, name);
		which = strcmp(name, "reminder") == 0;
		if (r->seen_mail[which]) {
			parser_error(p, ln->no, 1, "'mail %s' is given twice", name);
			return false;
		}
		r->seen_mail[which] = true;
		r->mail_line[which] = ln->no;
		b->kind = BLOCK_MAIL;
		b->obj = which ? &p->survey->reminder : &p->survey->invitation;
		((struct kto_mail *)b->obj)->present = true;
		b->label = which ? "mail reminder" : "mail invitation";
		return true;
	}
	parser_error(p, ln->no, 1, "unknown block '%s'; a block starts with survey, "
	    "page, question, norm or mail (indent the lines that belong to a block)",
	    kw);
	return false;
}

static void
read_blocks(struct reader *r)
{
	struct parser *p = r->p;
	size_t i = 0;
	bool skipping = false;

	r->blk.kind = BLOCK_NONE;
	while (i < r->L.n && !p->oom) {
		const struct line *ln = &r->L.v[i];

		if (ln->empty || ln->comment) {
			i++;
			continue;
		}
		if (ln->indent == 0) {
			block_end(r);
			skipping = !block_begin(r, ln);
			i++;
			continue;
		}
		if (skipping) {
			i++;
			continue;
		}
		if (r->blk.kind == BLOCK_NONE) {
			parser_error(p, ln->no, col_of(ln, ln->s), "this line is indented, "
			    "but there is no block above it; start with 'survey NAME'");
			skipping = true;
			i++;
			continue;
		}
		i = block_attr(r, i);
	}
	block_end(r);
}

/* ---------------------------------------------------------------------- */
/* Pass 3: checks across the file                                          */

const struct kto_question *
parser_question(const struct parser *p, const char *id)
{
	for (size_t i = 0; i < p->n_questions; i++)
		if (strcasecmp(p->questions[i].id, id) == 0)
			return &p->questions[i];
	return NULL;
}

static void
check_question(struct parser *p, struct kto_question *q)
{
	switch (q->type) {
	case KTO_Q_MARK:
		if (q->area == KTO_AREA_NONE)
			parser_error(p, q->line, 1, "mark question %s has no area; add "
			    "'area:' with the performance area it measures (BER, TOE, INF, "
			    "WAC, LEV, TAR, BEJ, BET or TOT)", q->id);
		break;
	case KTO_Q_SCALE:
		if (q->n_options == 0)
			parser_error(p, q->line, 1, "scale question %s needs 'labels: "
			    "agree' (or satisfied, easy) or five options 1 to 5", q->id);
		else if (q->n_options != 5)
			parser_error(p, q->line, 1, "scale question %s has %zu options; a "
			    "scale has exactly five, with the codes 1 to 5", q->id,
			    q->n_options);
		else
			for (size_t i = 0; i < 5; i++)
				if (q->options[i].code[0] != (char)('1' + i) ||
				    q->options[i].code[1] != '\0') {
					parser_error(p, q->line, 1, "the options of scale "
					    "question %s must have the codes 1, 2, 3, 4, 5 in "
					    "that order", q->id);
					break;
				}
		break;
	case KTO_Q_CHOICE:
	case KTO_Q_MULTI:
		if (q->n_options < 2)
			parser_error(p, q->line, 1, "%s question %s needs at least two "
			    "options under 'options:'", kto_qtype_name(q->type), q->id);
		if (q->max_choices && q->min_choices > q->max_choices)
			parser_error(p, q->line, 1, "min-choices (%d) is more than "
			    "max-choices (%d)", q->min_choices, q->max_choices);
		if (q->max_choices > (int)q->n_options && q->n_options >= 2)
			parser_error(p, q->line, 1, "max-choices (%d) is more than the "
			    "%zu options", q->max_choices, q->n_options);
		break;
	case KTO_Q_NUMBER:
		if (!q->has_min || !q->has_max)
			parser_error(p, q->line, 1, "number question %s needs both 'min:' "
			    "and 'max:', so that a typing error like 1000 minutes is "
			    "caught", q->id);
		else if (q->min >= q->max)
			parser_error(p, q->line, 1, "min (%g) must be less than max (%g)",
			    q->min, q->max);
		break;
	case KTO_Q_DATE:
		if (q->has_min && q->has_max && !q->min_today && !q->max_today &&
		    q->min > q->max)
			parser_error(p, q->line, 1, "the earliest date is after the latest");
		break;
	case KTO_Q_TEXT:
	case KTO_Q_OPEN:
		if (q->max_length == 0)
			q->max_length = q->type == KTO_Q_TEXT ? 200 : 1000;
		if (q->pattern != NULL && q->pattern_message.nl == NULL)
			parser_error(p, q->line, 1, "question %s has a pattern but no "
			    "'pattern-message:' telling the citizen what to write", q->id);
		if (q->pattern == NULL && q->pattern_message.nl != NULL)
			parser_warning(p, q->line, 1, "question %s has a pattern-message "
			    "but no pattern", q->id);
		break;
	case KTO_Q_YESNO:
	case KTO_Q_COUNT:
		break;
	}
	if (q->dont_know && q->dont_know_label.nl == NULL) {
		q->dont_know_label.nl = "Weet niet / n.v.t.";
		q->dont_know_label.en = "Don't know / not applicable";
	}
}

static void
check_mail_links(struct parser *p, const char *body, const char *lang,
                 const char *kind, int line)
{
	bool link = uses_placeholder(body, "link");
	bool optout = uses_placeholder(body, "optout_link");

	if (!link || !optout)
		parser_error(p, line, 1, "the %s body of the %s mail must contain "
		    "%s%s%s: the citizen's link and the way to opt out", lang, kind,
		    link ? "" : "{link}", !link && !optout ? " and " : "",
		    optout ? "" : "{optout_link}");
}

static void
check_mail(struct parser *p, const struct kto_mail *m, const char *kind, int line)
{
	if (!m->present)
		return;
	if (m->body.nl)
		check_mail_links(p, m->body.nl, "Dutch", kind, line);
	if (m->body.en)
		check_mail_links(p, m->body.en, "English", kind, line);
}

static void
check_survey(struct reader *r)
{
	struct parser *p = r->p;
	struct kto_survey *s = p->survey;

	if (!r->seen_survey) {
		if (!r->survey_first_reported && p->diags->errors == 0)
			parser_error(p, 1, 1, "the file is empty: a survey definition "
			    "starts with 'survey NAME' (see survey-defs/FORMAT.md)");
		return;
	}
	for (size_t i = 0; i < p->n_questions; i++)
		check_question(p, &p->questions[i]);
	if (p->n_questions == 0)
		parser_error(p, 1, 1, "the survey has no questions; add them as "
		    "'question ID TYPE' blocks");
	for (size_t i = 0; i < p->n_pages; i++)
		if (p->pages[i].n_questions == 0)
			parser_error(p, p->pages[i].line, 1, "page %s has no questions",
			    p->pages[i].id);
	if (r->has_overall) {
		const struct kto_question *q = parser_question(p, r->overall.value);

		if (q == NULL)
			parser_error(p, r->overall.line, r->overall.col, "'overall' names "
			    "question %s, which does not exist", r->overall.value);
		else if (q->type != KTO_Q_MARK)
			parser_error(p, r->overall.line, r->overall.col, "the overall mark "
			    "%s must be a mark question, not %s", q->id,
			    kto_qtype_name(q->type));
		else if (q->area != KTO_AREA_TOT && q->area != KTO_AREA_NONE)
			parser_error(p, r->overall.line, r->overall.col, "the overall mark "
			    "%s must have 'area: TOT', not %s", q->id, kto_area_code(q->area));
		else
			s->overall = q;
	}
	for (size_t i = 0; i < r->n_norm_items; i++) {
		const struct attr *a = &r->norm_items[i].item;
		const struct kto_question *q = parser_question(p, a->value);

		if (q == NULL)
			parser_error(p, a->line, a->col, "the norm's item %s does not exist",
			    a->value);
		else
			p->norms[r->norm_items[i].norm].item = q;
	}
	for (size_t i = 0; i < p->n_conds; i++) {
		struct pending_cond *c = &p->conds[i];

		if (c->owner == COND_NORM && c->slot == &p->norms[c->owner_index].met_if)
			c->norm_item = p->norms[c->owner_index].item;
		cond_resolve(p, c);
	}
	cond_report_cycles(p);
	if (!s->invitation.present)
		parser_error(p, 1, 1, "the survey has no 'mail invitation' block; "
		    "citizens are invited with its subject and body");
	else if (!s->reminder.present)
		parser_warning(p, 1, 1, "no 'mail reminder' block: no reminders will "
		    "be sent for this survey");
	check_mail(p, &s->invitation, "invitation", r->mail_line[0]);
	check_mail(p, &s->reminder, "reminder", r->mail_line[1]);
	if (r->english_anywhere) {
		s->has_english = true;
		for (size_t i = 0; i < r->n_missing; i++)
			if (r->missing[i].t->en == NULL && r->missing[i].t->nl != NULL)
				parser_warning(p, r->missing[i].line, 1, "%s has no English "
				    "text ('%s.en:'); the Dutch text will be shown",
				    r->missing[i].what, r->missing[i].what);
	}
}

struct kto_survey_owner {
	struct kto_survey survey;
	struct kto_arena arena;
};

static void
free_patterns(const struct kto_question *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pcre2_code_free(q[i].pattern);
}

void
kto_survey_free(struct kto_survey *s)
{
	struct kto_survey_owner *o = (struct kto_survey_owner *)s;
	struct kto_arena arena;

	if (s == NULL)
		return;
	free_patterns(s->questions, s->n_questions);
	arena = o->arena;
	kto_arena_release(&arena);
	free(o);
}

enum kto_rc
kto_survey_parse(const char *src, size_t len, struct kto_survey **out,
                 struct kto_diags *diags)
{
	struct kto_survey_owner *o;
	struct parser p;
	struct reader r;
	enum kto_rc rc;

	*out = NULL;
	o = calloc(1, sizeof *o);
	if (o == NULL)
		return KTO_ENOMEM;
	kto_arena_init(&o->arena, KTO_DEF_MAX_MEMORY);
	memset(&p, 0, sizeof p);
	memset(&r, 0, sizeof r);
	p.arena = &o->arena;
	p.diags = diags;
	p.survey = &o->survey;
	r.p = &p;

	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) {
		src += 3;   /* the byte-order mark some editors write */
		len -= 3;
	}
	p.questions = parser_alloc(&p, KTO_DEF_MAX_QUESTIONS * sizeof *p.questions);
	p.pages = parser_alloc(&p, KTO_DEF_MAX_PAGES * sizeof *p.pages);
	p.norms = parser_alloc(&p, KTO_DEF_MAX_NORMS * sizeof *p.norms);
	if (!p.oom && check_text(&p, src, len) && split_lines(&p, src, len, &r.L)) {
		read_blocks(&r);
		if (!p.oom)
			check_survey(&r);
	}
	o->survey.questions = p.questions;
	o->survey.n_questions = p.n_questions;
	o->survey.pages = p.pages;
	o->survey.n_pages = p.n_pages;
	o->survey.norms = p.norms;
	o->survey.n_norms = p.n_norms;
	kto_diags_sort(diags);

	if (p.oom || diags->oom)
		rc = KTO_ENOMEM;
	else if (diags->errors > 0)
		rc = KTO_EINPUT;
	else
		rc = KTO_OK;
	if (rc != KTO_OK) {
		kto_survey_free(&o->survey);
		return rc;
	}
	*out = &o->survey;
	return KTO_OK;
}

const struct kto_question *
kto_survey_question(const struct kto_survey *s, const char *id)
{
	for (size_t i = 0; i < s->n_questions; i++)
		if (strcasecmp(s->questions[i].id, id) == 0)
			return &s->questions[i];
	return NULL;
}

const struct kto_option *
kto_question_option(const struct kto_question *q, const char *code)
{
	for (size_t i = 0; i < q->n_options; i++)
		if (strcasecmp(q->options[i].code, code) == 0)
			return &q->options[i];
	return NULL;
}

enum kto_rc
kto_question_match(const struct kto_question *q, const char *answer)
{
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int rc;

	if (q->pattern == NULL)
		return KTO_OK;
	md = pcre2_match_data_create_from_pattern(q->pattern, NULL);
	mc = pcre2_match_context_create(NULL);
	if (md == NULL || mc == NULL) {
		pcre2_match_data_free(md);
		pcre2_match_context_free(mc);
		return KTO_ENOMEM;
	}
	pcre2_set_match_limit(mc, PATTERN_MATCH_LIMIT);
	pcre2_set_depth_limit(mc, PATTERN_DEPTH_LIMIT);
	pcre2_set_heap_limit(mc, PATTERN_HEAP_LIMIT);
	rc = pcre2_match(q->pattern, (PCRE2_SPTR)answer, PCRE2_ZERO_TERMINATED, 0, 0,
	    md, mc);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	if (rc >= 0)
		return KTO_OK;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT)
		return KTO_ELIMIT;
	return KTO_EINPUT;
}
