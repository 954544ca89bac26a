/*
** Reading the respondent data of a wave or a year: the strata with their
** N_h and n_h, the definition versions the responses answered (which give
** the columns and their labels), and the answers, coded per column.  The
** engine reads them (engine/respondents.h); this file lays them out.
**
** What is read, and what never is: a response's stratum (wave, channel),
** completion date, language, desk, closed answers, and its open and text
** answers, which the engine's reader has passed through kto_mask_text()
** (engine/mask.h, DESIGN.md section 7) before they reach this file, so
** that the raw text never reaches report/ nor the data the writers see; a
** text the masking could not finish arrives withheld, without its text,
** and becomes XP_UNMASKABLE here.  Never its id (used while loading only),
** its invitation, session key, token or e-mail address.
** The respondent number is the row's place in an
** order shuffled by a keyed hash of the response id (key: derived from the
** installation's secret and the scope), so it reveals neither the id nor
** the order of answering, and is the same on every export of an unchanged
** scope.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/strparse.h"
#include "engine/channel.h"
#include "engine/db.h"
#include "engine/email.h"
#include "engine/municipality.h"
#include "engine/respondents.h"
#include "engine/response.h"
#include "engine/surveydef.h"
#include "report/export_int.h"

/* At most this many cells (respondents x columns) in memory: ~580 MB. */
#define CELLS_MAX ((size_t)64 << 20)
#define NONE SIZE_MAX

/* A question (id and type) of the definitions and the columns it fills. */
struct question_cols {
	char *id;                /* the first version's */
	int type;
	size_t col;              /* the value; NONE for a multi */
	size_t dk_col;           /* its "weet niet" column; NONE: none yet */
	size_t *opt_cols;        /* multi: a column per option, any version's */
	size_t n_opt, cap_opt;
};

/* Per question of a version: where its answer goes. */
struct question_map {
	size_t reg;              /* in loader.questions; NONE: not exported */
	size_t *opt;             /* choice: the option's number; multi: column */
};

struct version_map {
	int64_t version_id;
	const struct kto_survey *s;
	struct question_map *q;
};

struct loader {
	struct kto_db *db;
	struct kto_respondent_data *d;
	struct kto_err *err;
	const struct kto_export_scope *scope;
	struct kto_respondents_scope what;     /* scope, as the engine reads it */
	struct question_cols *questions;
	size_t n_questions, cap_questions;
	struct version_map *versions;
	size_t n_versions, cap_versions;
	size_t tot_col;
	char municipality[KTO_CODE_MAX + 1];   /* as registered; "" for all */
	int64_t *ids;            /* the complete responses, by id */
	size_t *slot;            /* ... and the row each goes to */
	size_t cap_ids;
	size_t k;                /* load_answers(): the responses read so far */
	unsigned char subkey[crypto_generichash_KEYBYTES];
};

static enum kto_rc
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t cap2 = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return KTO_OK;
	while (cap2 < need)
		cap2 *= 2;
	if ((q = realloc(*p, cap2 * elem)) == NULL)
		return KTO_ENOMEM;
	*p = q;
	*cap = cap2;
	return KTO_OK;
}

static enum kto_rc
oom(struct loader *ld)
{
	return kto_err_set(ld->err, KTO_ENOMEM, "out of memory");
}

/* The error of the last failed engine call, into err. */
static enum kto_rc
db_error(struct loader *ld, enum kto_rc rc)
{
	const struct kto_err *e = kto_db_err(ld->db);

	return kto_err_set(ld->err, rc, "%s", e->msg[0] ? e->msg : kto_strerror(rc));
}

char *
xp_truncate(const char *s, size_t max)
{
	size_t n = strlen(s);
	char *out;

	if (n > max) {
		n = max;
		/* Back off over continuation bytes to a character's start. */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* ------------------------------------------------------------------ */
/* Columns                                                             */

/* SPSS's reserved words, which cannot name a variable. */
static const char *const reserved[] = {
	"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO",
	"WITH", NULL
};

static bool
name_taken(const struct kto_respondent_data *d, const char *name)
{
	for (size_t i = 0; reserved[i] != NULL; i++)
		if (strcasecmp(reserved[i], name) == 0)
			return true;
	for (size_t c = 0; c < d->n_cols; c++)
		if (strcasecmp(d->cols[c].name, name) == 0)
			return true;
	return false;
}

/*
** A variable name from base that SPSS, R and Python all accept: letters,
** digits and '_', starting with a letter, at most XP_NAME_MAX bytes, and
** unique without regard to case ("B01", then "B01_2", ...).
*/
static void
make_name(const struct kto_respondent_data *d, const char *base, char *out)
{
	char clean[XP_NAME_MAX + 1];
	size_t n = 0;

	if (!((base[0] >= 'a' && base[0] <= 'z') || (base[0] >= 'A' && base[0] <= 'Z'))) {
		clean[n++] = 'v';
		clean[n++] = '_';
	}
	for (const char *p = base; *p != '\0' && n < XP_NAME_MAX - 6; p++) {
		char c = *p;

		clean[n++] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9')) ? c : '_';
	}
	clean[n] = '\0';
	memcpy(out, clean, n + 1);
	for (int k = 2; name_taken(d, out) && k < 10000; k++) {
		char suffix[8];
		size_t len = (size_t)snprintf(suffix, sizeof suffix, "_%d", k);

		memcpy(out + n, suffix, len + 1);    /* n + 5 <= XP_NAME_MAX */
	}
}

/* Adds a column; its label is copied with line breaks made spaces. */
static enum kto_rc
add_column(struct loader *ld, const char *name, const char *label,
           enum xp_kind kind, size_t *out)
{
	struct kto_respondent_data *d = ld->d;
	struct xp_column *c;

	if (grow((void **)&d->cols, &d->cap_cols, d->n_cols + 1, sizeof *d->cols))
		return oom(ld);
	c = &d->cols[d->n_cols];
	memset(c, 0, sizeof *c);
	make_name(d, name, c->name);
	c->kind = kind;
	c->dk_code = NAN;
	if ((c->label = strdup(label)) == NULL)
		return oom(ld);
	for (char *p = c->label; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	*out = d->n_cols++;
	return KTO_OK;
}

static enum kto_rc
add_option(struct loader *ld, struct xp_column *c, const char *code, const char *label)
{
	struct xp_option *o;

	if (grow((void **)&c->options, &c->cap_options, c->n_options + 1,
	    sizeof *c->options))
		return oom(ld);
	o = &c->options[c->n_options];
	o->code = strdup(code);
	o->label = strdup(label ? label : code);
	if (o->code == NULL || o->label == NULL) {
		free(o->code);
		free(o->label);
		return oom(ld);
	}
	c->n_options++;
	return KTO_OK;
}

static enum kto_rc
fixed_columns(struct loader *ld)
{
	static const struct { const char *name, *label; enum xp_kind kind; } fixed[] = {
		{ "respondent", "Respondentnummer (willekeurig, per export)", XP_RESPONDENT },
		{ "municipality", "Gemeente (code)", XP_MUNICIPALITY },
		{ "municipality_name", "Gemeente", XP_MUNICIPALITY_NAME },
		{ "channel", "Kanaal", XP_CHANNEL },
		{ "wave", "Meting", XP_WAVE },
		{ "stratum", "Stratum: meting x kanaal", XP_STRATUM },
		{ "weight", "Weegfactor N_h / n_h", XP_WEIGHT },
		{ "population", "Populatie N_h: contacten van het kanaal in de periode",
		  XP_POPULATION },
		{ "completed", "Datum ingevuld", XP_COMPLETED },
		{ "language", "Taal van de vragenlijst", XP_LANGUAGE },
		{ "desk", "Balie (open link)", XP_DESK },
	};
	size_t col;
	enum kto_rc rc;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if ((rc = add_column(ld, fixed[i].name, fixed[i].label, fixed[i].kind,
		    &col)) != KTO_OK)
			return rc;
	return add_column(ld, "TOT", "Totaaloordeel (rapportcijfer)", XP_MARK,
	    &ld->tot_col);
}

static enum xp_kind
kind_of(enum kto_qtype t)
{
	switch (t) {
	case KTO_Q_MARK: return XP_MARK;
	case KTO_Q_SCALE: return XP_SCALE;
	case KTO_Q_YESNO: return XP_YESNO;
	case KTO_Q_CHOICE: return XP_CHOICE;
	case KTO_Q_NUMBER: return XP_NUMBER;
	case KTO_Q_DATE: return XP_DATE;
	case KTO_Q_TEXT:
	case KTO_Q_OPEN: return XP_TEXT;
	default: return XP_OPTION;
	}
}

/* The columns of question q, created on first sight; *reg its entry. */
static enum kto_rc
question_columns(struct loader *ld, const struct kto_question *q, size_t *reg)
{
	struct question_cols *qc;
	size_t col;
	enum kto_rc rc;

	for (size_t i = 0; i < ld->n_questions; i++)
		if (ld->questions[i].type == (int)q->type &&
		    strcasecmp(ld->questions[i].id, q->id) == 0) {
			*reg = i;
			return KTO_OK;
		}
	if (grow((void **)&ld->questions, &ld->cap_questions, ld->n_questions + 1,
	    sizeof *ld->questions))
		return oom(ld);
	qc = &ld->questions[ld->n_questions];
	memset(qc, 0, sizeof *qc);
	qc->type = (int)q->type;
	qc->col = qc->dk_col = NONE;
	if ((qc->id = strdup(q->id)) == NULL)
		return oom(ld);
	*reg = ld->n_questions++;
	/* A multi has a column per option instead, made as they are met. */
	if (q->type != KTO_Q_MULTI) {
		if ((rc = add_column(ld, q->id, q->text.nl, kind_of(q->type), &col)) != KTO_OK)
			return rc;
		ld->questions[*reg].col = col;
		ld->d->cols[col].decimals = q->decimals;
	}
	return KTO_OK;
}

/* Sets what "weet niet" is called in column c, when it is not yet. */
static enum kto_rc
set_dk_label(struct loader *ld, struct xp_column *c, const struct kto_question *q)
{
	if (c->dk_label != NULL || !q->dont_know)
		return KTO_OK;
	c->dk_label = strdup(q->dont_know_label.nl ? q->dont_know_label.nl :
	    "Weet niet / n.v.t.");
	return c->dk_label == NULL ? oom(ld) : KTO_OK;
}

static enum kto_rc
label_of(struct loader *ld, const char *a, const char *b, char **out)
{
	struct kto_buf buf = KTO_BUF_INIT(1 << 16);

	if (kto_buf_addf(&buf, "%s: %s", a, b) != KTO_OK ||
	    (*out = kto_buf_detach(&buf)) == NULL) {
		kto_buf_release(&buf);
		return oom(ld);
	}
	return KTO_OK;
}

/* Maps question q of a version to its columns, creating what is new. */
static enum kto_rc
map_question(struct loader *ld, const struct kto_question *q, struct question_map *qm)
{
	struct kto_respondent_data *d = ld->d;
	struct question_cols *qc;
	size_t reg = NONE, col;
	char *label = NULL;
	enum kto_rc rc;

	qm->reg = NONE;
	if ((rc = question_columns(ld, q, &reg)) != KTO_OK)
		return rc;
	qm->reg = reg;
	if (q->type != KTO_Q_CHOICE && q->type != KTO_Q_MULTI && q->type != KTO_Q_SCALE)
		goto options_done;
	if ((qm->opt = calloc(q->n_options + 1, sizeof *qm->opt)) == NULL)
		return oom(ld);
	for (size_t i = 0; i < q->n_options; i++) {
		const struct kto_option *o = &q->options[i];
		size_t k;

		qc = &ld->questions[reg];
		if (q->type == KTO_Q_CHOICE || q->type == KTO_Q_SCALE) {
			struct xp_column *c = &d->cols[qc->col];

			for (k = 0; k < c->n_options; k++)
				if (strcmp(c->options[k].code, o->code) == 0)
					break;
			if (k == c->n_options &&
			    (rc = add_option(ld, c, o->code, o->label.nl)) != KTO_OK)
				return rc;
			qm->opt[i] = k + 1;
		} else if (q->type == KTO_Q_MULTI) {
			for (k = 0; k < qc->n_opt; k++)
				if (strcmp(d->cols[qc->opt_cols[k]].options[0].code, o->code) == 0)
					break;
			if (k == qc->n_opt) {
				char base[80];

				snprintf(base, sizeof base, "%s_%s", q->id, o->code);
				if ((rc = label_of(ld, q->text.nl, o->label.nl ? o->label.nl :
				    o->code, &label)) != KTO_OK)
					return rc;
				rc = add_column(ld, base, label, XP_OPTION, &col);
				free(label);
				qc = &ld->questions[reg];
				if (rc != KTO_OK || (rc = add_option(ld, &d->cols[col], o->code,
				    o->label.nl)) != KTO_OK)
					return rc;
				if (grow((void **)&qc->opt_cols, &qc->cap_opt, qc->n_opt + 1,
				    sizeof *qc->opt_cols))
					return oom(ld);
				qc->opt_cols[qc->n_opt++] = col;
			}
			qm->opt[i] = qc->opt_cols[k];
			if ((rc = set_dk_label(ld, &d->cols[qm->opt[i]], q)) != KTO_OK)
				return rc;
		}
	}
options_done:
	qc = &ld->questions[reg];
	if (qc->col != NONE && (rc = set_dk_label(ld, &d->cols[qc->col], q)) != KTO_OK)
		return rc;
	if (q->dont_know && qc->dk_col == NONE) {
		char base[48];

		snprintf(base, sizeof base, "%s_dk", q->id);
		if ((rc = label_of(ld, q->text.nl, q->dont_know_label.nl ?
		    q->dont_know_label.nl : "weet niet", &label)) != KTO_OK)
			return rc;
		rc = add_column(ld, base, label, XP_DONT_KNOW, &col);
		free(label);
		if (rc != KTO_OK)
			return rc;
		ld->questions[reg].dk_col = col;
	}
	if (q == ld->versions[ld->n_versions - 1].s->overall && q->type == KTO_Q_MARK &&
	    (rc = set_dk_label(ld, &d->cols[ld->tot_col], q)) != KTO_OK)
		return rc;
	return KTO_OK;
}

static enum kto_rc
map_version(struct loader *ld, int64_t version_id)
{
	struct version_map *vm;
	enum kto_rc rc;

	if (grow((void **)&ld->versions, &ld->cap_versions, ld->n_versions + 1,
	    sizeof *ld->versions))
		return oom(ld);
	vm = &ld->versions[ld->n_versions];
	memset(vm, 0, sizeof *vm);
	vm->version_id = version_id;
	if ((rc = kto_survey_version(ld->db, version_id, &vm->s)) != KTO_OK)
		return db_error(ld, rc);
	ld->n_versions++;
	if ((vm->q = calloc(vm->s->n_questions + 1, sizeof *vm->q)) == NULL)
		return oom(ld);
	for (size_t i = 0; i < vm->s->n_questions; i++)
		if ((rc = map_question(ld, &vm->s->questions[i], &vm->q[i])) != KTO_OK)
			return rc;
	return KTO_OK;
}

/* ------------------------------------------------------------------ */
/* Strata and responses                                                */

/*
** The rc of an engine walk: a callback's error is in ld->err already,
** the engine's own is taken from the database handle.
*/
static enum kto_rc
walk_error(struct loader *ld, enum kto_rc rc)
{
	if (rc == KTO_OK || ld->err->rc != KTO_OK)
		return rc;
	return db_error(ld, rc);
}

static enum kto_rc
add_stratum(void *ctx, const struct kto_respondents_stratum *st)
{
	struct loader *ld = ctx;
	struct kto_respondent_data *d = ld->d;
	struct xp_stratum *s;

	if (grow((void **)&d->strata, &d->cap_strata, d->n_strata + 1,
	    sizeof *d->strata))
		return oom(ld);
	s = &d->strata[d->n_strata];
	memset(s, 0, sizeof *s);
	s->wave_id = st->wave_id;
	s->channel = (int)st->channel;
	s->population = st->population;
	snprintf(s->code, sizeof s->code, "%s", st->municipality);
	if ((s->name = strdup(st->municipality_name)) == NULL)
		return oom(ld);
	d->n_strata++;
	return KTO_OK;
}

static enum kto_rc
load_strata(struct loader *ld)
{
	const struct kto_export_scope *scope = ld->scope;
	enum kto_rc rc;

	rc = walk_error(ld, kto_respondents_strata(ld->db, &ld->what, add_stratum, ld));
	if (rc == KTO_OK && ld->d->n_strata == 0)
		rc = scope->wave_id > 0 ? kto_err_set(ld->err, KTO_ENOTFOUND, "there is "
		    "no wave %lld%s%s", (long long)scope->wave_id, scope->municipality ?
		    " of municipality " : "", scope->municipality ? scope->municipality : "") :
		    kto_err_set(ld->err, KTO_ENOTFOUND, "no wave %sstarts in %d",
		    scope->municipality ? "of that municipality " : "", scope->year);
	return rc;
}

static size_t
stratum_of(const struct kto_respondent_data *d, int64_t wave, enum kto_channel ch)
{
	for (size_t h = 0; h < d->n_strata; h++)
		if (d->strata[h].wave_id == wave && d->strata[h].channel == (int)ch)
			return h;
	return NONE;
}

static int
cmp_key(const void *a, const void *b)
{
	const struct xp_row *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->response_id < y->response_id ? -1 : x->response_id > y->response_id;
}

/* A complete response: its row, keyed by a hash of its id. */
static enum kto_rc
add_response(void *ctx, const struct kto_respondents_ref *ref)
{
	struct loader *ld = ctx;
	struct kto_respondent_data *d = ld->d;
	unsigned char in[8], hash[8];
	size_t n = d->n_rows, h = stratum_of(d, ref->wave_id, ref->channel);
	struct xp_row *r;

	if (grow((void **)&ld->ids, &ld->cap_ids, n + 1, sizeof *ld->ids) ||
	    grow((void **)&d->rows, &d->cap_rows, n + 1, sizeof *d->rows))
		return oom(ld);
	if (h == NONE)
		return KTO_OK;
	for (int i = 0; i < 8; i++)
		in[i] = (unsigned char)((uint64_t)ref->response_id >> (8 * i));
	crypto_generichash(hash, sizeof hash, in, sizeof in, ld->subkey,
	    sizeof ld->subkey);
	r = &d->rows[n];
	memset(r, 0, sizeof *r);
	for (int i = 0; i < 8; i++)
		r->key = r->key << 8 | hash[i];
	r->response_id = ref->response_id;
	r->stratum = h;
	d->strata[h].n++;
	ld->ids[n] = ref->response_id;
	d->n_rows = n + 1;
	return KTO_OK;
}

/*
** The responses' ids and strata, and the row each goes to: rows are sorted
** by a keyed hash of the id, and ld->slot[k] is the row of the k-th
** response by id.
*/
static enum kto_rc
load_ids(struct loader *ld)
{
	struct kto_respondent_data *d = ld->d;
	size_t n;
	enum kto_rc rc;

	rc = walk_error(ld, kto_respondents_list(ld->db, &ld->what, add_response, ld));
	if (rc != KTO_OK)
		return rc;
	if ((n = d->n_rows) == 0)
		return KTO_OK;
	qsort(d->rows, n, sizeof *d->rows, cmp_key);
	/* ids are ascending: find each row's id among them. */
	if ((ld->slot = malloc(n * sizeof *ld->slot)) == NULL)
		return oom(ld);
	for (size_t r = 0; r < n; r++) {
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (ld->ids[mid] < d->rows[r].response_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		ld->slot[lo] = r;
	}
	return KTO_OK;
}

static enum kto_rc
add_version(void *ctx, int64_t version_id)
{
	return map_version(ctx, version_id);
}

static enum kto_rc
load_versions(struct loader *ld)
{
	return walk_error(ld, kto_respondents_versions(ld->db, &ld->what, add_version, ld));
}

static struct version_map *
version_of(struct loader *ld, int64_t version_id)
{
	for (size_t i = 0; i < ld->n_versions; i++)
		if (ld->versions[i].version_id == version_id)
			return &ld->versions[i];
	return NULL;
}

static void
set_cell(struct kto_respondent_data *d, size_t r, size_t c, enum xp_cell state,
         double v)
{
	d->state[xp_cell(d, r, c)] = (unsigned char)state;
	d->value[xp_cell(d, r, c)] = v;
}

/* A new response in row r: what its questionnaire asked is known. */
static void
begin_response(struct loader *ld, size_t r, const struct version_map *vm,
               const struct kto_respondents_row *in)
{
	struct kto_respondent_data *d = ld->d;
	struct xp_row *row = &d->rows[r];
	struct kto_datetime t;

	if (in->completed_at != NULL && kto_datetime_parse(in->completed_at, &t))
		row->completed = t.year * 10000 + t.month * 100 + t.day;
	snprintf(row->language, sizeof row->language, "%s", in->language);
	snprintf(row->desk, sizeof row->desk, "%s", in->desk);
	/* A "weet niet" column is 0 wherever the question was in the
	 * respondent's questionnaire, and stays empty elsewhere. */
	for (size_t i = 0; i < vm->s->n_questions; i++) {
		const struct question_map *qm = &vm->q[i];

		if (qm->reg != NONE && vm->s->questions[i].dont_know &&
		    ld->questions[qm->reg].dk_col != NONE)
			set_cell(d, r, ld->questions[qm->reg].dk_col, XP_CELL_VALUE, 0);
	}
}

/*
** An open or text answer into row r of column c, masked already by the
** engine's reader; one it withheld (the masking could not finish) is
** XP_UNMASKABLE: it must not be shown as it was given.
*/
static enum kto_rc
store_text(struct loader *ld, size_t r, size_t c, const char *masked, bool withheld)
{
	struct kto_respondent_data *d = ld->d;
	char **slot = &d->cols[c].texts[r];
	char *copy;

	if (withheld)
		masked = XP_UNMASKABLE;
	if (masked == NULL)
		return KTO_OK;
	if ((copy = strdup(masked)) == NULL)
		return oom(ld);
	free(*slot);
	*slot = copy;
	set_cell(d, r, c, XP_CELL_VALUE, 0);
	return KTO_OK;
}

static enum kto_rc
store_answer(struct loader *ld, size_t r, const struct version_map *vm,
             const struct kto_question *q, const struct kto_answer *a, bool withheld)
{
	struct kto_respondent_data *d = ld->d;
	const struct question_map *qm = &vm->q[q->index];
	const struct question_cols *qc;
	bool overall = q == vm->s->overall && q->type == KTO_Q_MARK;

	if (qm->reg == NONE || a->state == KTO_ANSWER_NONE)
		return KTO_OK;
	qc = &ld->questions[qm->reg];
	if (a->state == KTO_ANSWER_DONT_KNOW) {
		if (qc->col != NONE)
			set_cell(d, r, qc->col, XP_CELL_DONT_KNOW, NAN);
		for (size_t i = 0; q->type == KTO_Q_MULTI && i < q->n_options; i++)
			set_cell(d, r, qm->opt[i], XP_CELL_DONT_KNOW, NAN);
		if (qc->dk_col != NONE)
			set_cell(d, r, qc->dk_col, XP_CELL_VALUE, 1);
		if (overall)
			set_cell(d, r, ld->tot_col, XP_CELL_DONT_KNOW, NAN);
		return KTO_OK;
	}
	switch (q->type) {
	case KTO_Q_TEXT:
	case KTO_Q_OPEN:
		return store_text(ld, r, qc->col, a->text, withheld);
	case KTO_Q_DATE: {
		struct kto_datetime t;

		/* YYYYMMDD in value_num; the text "YYYY-MM-DD" beside it. */
		if (a->num >= 10000101 && a->num <= 99991231)
			set_cell(d, r, qc->col, XP_CELL_VALUE, a->num);
		else if (a->text != NULL && kto_datetime_parse(a->text, &t))
			set_cell(d, r, qc->col, XP_CELL_VALUE,
			    t.year * 10000.0 + t.month * 100 + t.day);
		break;
	}
	case KTO_Q_MARK:
	case KTO_Q_SCALE:
	case KTO_Q_NUMBER:
		set_cell(d, r, qc->col, XP_CELL_VALUE, a->num);
		if (overall)
			set_cell(d, r, ld->tot_col, XP_CELL_VALUE, a->num);
		break;
	case KTO_Q_YESNO:
		if (a->code != NULL && (strcmp(a->code, "yes") == 0 ||
		    strcmp(a->code, "no") == 0))
			set_cell(d, r, qc->col, XP_CELL_VALUE, a->code[0] == 'y');
		break;
	case KTO_Q_CHOICE: {
		const struct kto_option *o = a->code ? kto_question_option(q, a->code) : NULL;

		if (o != NULL)
			set_cell(d, r, qc->col, XP_CELL_VALUE,
			    (double)qm->opt[o - q->options]);
		break;
	}
	case KTO_Q_MULTI:
		for (size_t i = 0; i < q->n_options; i++)
			set_cell(d, r, qm->opt[i], XP_CELL_VALUE, 0);
		for (size_t k = 0; k < a->n_codes; k++) {
			const struct kto_option *o = kto_question_option(q, a->codes[k]);

			if (o != NULL)
				set_cell(d, r, qm->opt[o - q->options], XP_CELL_VALUE, 1);
		}
		break;
	default:
		break;
	}
	return KTO_OK;
}

/* A response with its answers, read in the order of load_ids(). */
static enum kto_rc
add_answers(void *ctx, const struct kto_respondents_row *in)
{
	struct loader *ld = ctx;
	const struct version_map *vm;
	size_t r;
	enum kto_rc rc;

	/* Same snapshot, same order: the k-th response here is the k-th of
	 * load_ids(). */
	if (ld->k >= ld->d->n_rows || ld->ids[ld->k] != in->response_id)
		return kto_err_set(ld->err, KTO_EINTERNAL, "the responses changed "
		    "while they were read");
	r = ld->slot[ld->k++];
	if ((vm = version_of(ld, in->version_id)) == NULL ||
	    vm->s->n_questions != in->survey->n_questions)
		return kto_err_set(ld->err, KTO_EINTERNAL, "a definition version was "
		    "not read");
	begin_response(ld, r, vm, in);
	for (size_t i = 0; i < vm->s->n_questions; i++)
		if ((rc = store_answer(ld, r, vm, &vm->s->questions[i], &in->answers[i],
		    in->withheld[i])) != KTO_OK)
			return rc;
	return KTO_OK;
}

static enum kto_rc
load_answers(struct loader *ld)
{
	enum kto_rc rc;

	ld->k = 0;
	rc = walk_error(ld, kto_respondents_read(ld->db, &ld->what, add_answers, ld));
	if (rc == KTO_OK && ld->k != ld->d->n_rows)
		rc = kto_err_set(ld->err, KTO_EINTERNAL, "the responses changed while "
		    "they were read");
	return rc;
}

/* ------------------------------------------------------------------ */
/* Finishing                                                           */

static void
finish(struct loader *ld)
{
	struct kto_respondent_data *d = ld->d;

	/*
	** As the result sets do (engine/results.c): a stratum with more
	** responses than recorded contacts (the counter's open link) is
	** taken as a census, N_h = n_h.
	*/
	for (size_t h = 0; h < d->n_strata; h++)
		if (d->strata[h].population < (double)d->strata[h].n)
			d->strata[h].population = (double)d->strata[h].n;
	for (size_t c = 0; c < d->n_cols; c++) {
		struct xp_column *col = &d->cols[c];
		double top = col->kind == XP_MARK ? 10 : col->kind == XP_CHOICE ||
		    col->kind == XP_SCALE ? (double)col->n_options : 1;

		if (col->dk_label != NULL && col->kind != XP_NUMBER &&
		    col->kind != XP_DATE && col->kind != XP_TEXT)
			col->dk_code = top < 99 ? 99 : top < 999 ? 999 : 9999;
		col->width = 1;
		for (size_t r = 0; col->kind == XP_TEXT && r < d->n_rows; r++)
			if (col->texts[r] != NULL && strlen(col->texts[r]) > col->width)
				col->width = strlen(col->texts[r]);
	}
	for (size_t r = 0; r < d->n_rows; r++) {
		const struct xp_row *row = &d->rows[r];
		const struct xp_stratum *s = &d->strata[row->stratum];

		for (size_t c = 0; c < d->n_cols; c++) {
			struct xp_column *col = &d->cols[c];
			double v = NAN;
			size_t w = 0;

			switch (col->kind) {
			case XP_RESPONDENT: v = (double)(r + 1); break;
			case XP_CHANNEL: v = s->channel + 1; break;
			case XP_WAVE: v = (double)s->wave_id; break;
			case XP_STRATUM: v = (double)(row->stratum + 1); break;
			case XP_WEIGHT: v = s->population / (double)s->n; break;
			case XP_POPULATION: v = s->population; break;
			case XP_COMPLETED: v = row->completed ? (double)row->completed : NAN; break;
			case XP_MUNICIPALITY: w = strlen(s->code); break;
			case XP_MUNICIPALITY_NAME: w = strlen(s->name); break;
			case XP_LANGUAGE: w = strlen(row->language); break;
			case XP_DESK: w = strlen(row->desk); break;
			default: continue;
			}
			if (w > col->width)
				col->width = w;
			if (!isnan(v))
				set_cell(d, r, c, XP_CELL_VALUE, v);
		}
	}
}

static void
loader_release(struct loader *ld)
{
	for (size_t i = 0; i < ld->n_versions; i++) {
		const struct kto_survey *s = ld->versions[i].s;

		for (size_t q = 0; q < s->n_questions; q++)
			free(ld->versions[i].q[q].opt);
		free(ld->versions[i].q);
		kto_respondent_survey_release(s);
	}
	free(ld->versions);
	for (size_t i = 0; i < ld->n_questions; i++) {
		free(ld->questions[i].id);
		free(ld->questions[i].opt_cols);
	}
	free(ld->questions);
	free(ld->ids);
	free(ld->slot);
	sodium_memzero(ld->subkey, sizeof ld->subkey);
}

/* The key of the respondent numbers: the installation's secret and the scope. */
static enum kto_rc
derive_key(struct loader *ld)
{
	unsigned char key[KTO_EMAIL_KEY_BYTES];
	char what[96];
	enum kto_rc rc;

	if ((rc = kto_email_hash_key(ld->db, key)) != KTO_OK)
		return db_error(ld, rc);
	snprintf(what, sizeof what, "kto export respondent numbers v1|%lld|%d|%s",
	    (long long)ld->scope->wave_id, ld->scope->wave_id ? 0 : ld->scope->year,
	    ld->municipality);
	crypto_generichash(ld->subkey, sizeof ld->subkey, (const unsigned char *)what,
	    strlen(what), key, sizeof key);
	sodium_memzero(key, sizeof key);
	return KTO_OK;
}

enum kto_rc
kto_respondent_data_load(struct kto_db *db, const struct kto_export_scope *scope,
                         struct kto_respondent_data **out, struct kto_err *err)
{
	struct kto_err local = KTO_ERR_INIT;
	struct loader ld;
	struct kto_respondent_data *d;
	struct kto_municipality m;
	enum kto_rc rc;

	*out = NULL;
	if (err == NULL)
		err = &local;
	kto_err_clear(err);
	if ((d = calloc(1, sizeof *d)) == NULL)
		return kto_err_set(err, KTO_ENOMEM, "out of memory");
	memset(&ld, 0, sizeof ld);
	ld.db = db;
	ld.d = d;
	ld.err = err;
	ld.scope = scope;
	if (scope->municipality != NULL &&
	    (rc = kto_municipality_find(db, scope->municipality, &m)) != KTO_OK) {
		rc = db_error(&ld, rc);
		goto done;
	}
	if (scope->municipality != NULL)
		snprintf(ld.municipality, sizeof ld.municipality, "%s", m.code);
	ld.what.wave_id = scope->wave_id;
	ld.what.year = scope->year;
	ld.what.municipality = ld.municipality[0] ? ld.municipality : NULL;
	if (sodium_init() < 0) {
		rc = kto_err_set(err, KTO_EINTERNAL, "libsodium could not start");
		goto done;
	}
	/* The key may be created (a write): before the read transaction. */
	if ((rc = derive_key(&ld)) != KTO_OK)
		goto done;
	if ((rc = kto_db_read_begin(db)) != KTO_OK) {
		rc = db_error(&ld, rc);
		goto done;
	}
	if ((rc = fixed_columns(&ld)) == KTO_OK &&
	    (rc = load_strata(&ld)) == KTO_OK &&
	    (rc = load_ids(&ld)) == KTO_OK &&
	    (rc = load_versions(&ld)) == KTO_OK) {
		if (d->n_rows == 0) {
			rc = kto_err_set(err, KTO_EINPUT, "there are no complete responses "
			    "in %s%s%s yet", scope->wave_id ? "wave " : "", scope->wave_id ?
			    "that wave" : "that year", scope->municipality ?
			    " for that municipality" : "");
		} else if (d->n_cols > CELLS_MAX / d->n_rows) {
			rc = kto_err_set(err, KTO_ELIMIT, "%zu respondents with %zu "
			    "variables are too many to export at once; export one "
			    "municipality at a time (--municipality)", d->n_rows, d->n_cols);
		} else if ((d->value = malloc(d->n_rows * d->n_cols * sizeof *d->value)) ==
		    NULL || (d->state = calloc(d->n_rows * d->n_cols, 1)) == NULL) {
			rc = oom(&ld);
		} else {
			for (size_t i = 0; i < d->n_rows * d->n_cols; i++)
				d->value[i] = NAN;
			for (size_t c = 0; c < d->n_cols && rc == KTO_OK; c++)
				if (d->cols[c].kind == XP_TEXT && (d->cols[c].texts =
				    calloc(d->n_rows, sizeof *d->cols[c].texts)) == NULL)
					rc = oom(&ld);
			if (rc == KTO_OK)
				rc = load_answers(&ld);
		}
	}
	kto_db_read_end(db);
	if (rc == KTO_OK) {
		finish(&ld);
		if (scope->wave_id)
			snprintf(d->scope_text, sizeof d->scope_text, "meting %lld",
			    (long long)scope->wave_id);
		else
			snprintf(d->scope_text, sizeof d->scope_text, "%d", scope->year);
		if (scope->municipality)
			snprintf(d->scope_text + strlen(d->scope_text), sizeof d->scope_text -
			    strlen(d->scope_text), ", %s", d->strata[0].code);
	}
done:
	loader_release(&ld);
	if (rc != KTO_OK) {
		kto_respondent_data_free(d);
		return rc;
	}
	*out = d;
	return KTO_OK;
}

size_t
kto_respondent_data_rows(const struct kto_respondent_data *d)
{
	return d->n_rows;
}

size_t
kto_respondent_data_columns(const struct kto_respondent_data *d)
{
	return d->n_cols;
}

void
kto_respondent_data_free(struct kto_respondent_data *d)
{
	if (d == NULL)
		return;
	for (size_t c = 0; c < d->n_cols; c++) {
		struct xp_column *col = &d->cols[c];

		free(col->label);
		free(col->dk_label);
		for (size_t i = 0; i < col->n_options; i++) {
			free(col->options[i].code);
			free(col->options[i].label);
		}
		free(col->options);
		for (size_t r = 0; col->texts != NULL && r < d->n_rows; r++)
			free(col->texts[r]);
		free(col->texts);
	}
	free(d->cols);
	for (size_t h = 0; h < d->n_strata; h++)
		free(d->strata[h].name);
	free(d->strata);
	free(d->rows);
	free(d->value);
	free(d->state);
	free(d);
}
