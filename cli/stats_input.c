/*
** Reading an analyst's CSV for kto stats estimate (see stats_input.h).
** The rules are R's: a missing value is an empty field and is left out of
** the estimate (na.rm = TRUE) but still counts in its stratum; a missing
** stratum, population or weight is an error, as svydesign() makes it.
*/
#include "cli/stats_input.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/strparse.h"

#define MAX_STRATA_COLUMNS 8

/* ------------------------------------------------------------------ */
/* Labels to numbers: an open-addressing table of strings              */

struct labels {
	char **label;        /* by number */
	size_t n, cap;
	size_t *slot;        /* number + 1, 0 for empty */
	size_t n_slots;      /* a power of two */
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
labels_free(struct labels *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->label[i]);
	free(t->label);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

static enum kto_rc
labels_grow(struct labels *t)
{
	size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
	size_t *slot = calloc(n_slots, sizeof *slot);

	if (slot == NULL)
		return KTO_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t s = fnv1a(t->label[i]) & (n_slots - 1);

		while (slot[s] != 0)
			s = (s + 1) & (n_slots - 1);
		slot[s] = i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->n_slots = n_slots;
	return KTO_OK;
}

/* The number of label s, adding it when new. */
static enum kto_rc
labels_number(struct labels *t, const char *s, size_t *out)
{
	size_t i;

	if ((t->n + 1) * 2 > t->n_slots && labels_grow(t) != KTO_OK)
		return KTO_ENOMEM;
	for (i = fnv1a(s) & (t->n_slots - 1); t->slot[i] != 0;
	    i = (i + 1) & (t->n_slots - 1))
		if (strcmp(t->label[t->slot[i] - 1], s) == 0) {
			*out = t->slot[i] - 1;
			return KTO_OK;
		}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **l = realloc(t->label, cap * sizeof *l);

		if (l == NULL)
			return KTO_ENOMEM;
		t->label = l;
		t->cap = cap;
	}
	if ((t->label[t->n] = strdup(s)) == NULL)
		return KTO_ENOMEM;
	t->slot[i] = t->n + 1;
	*out = t->n++;
	return KTO_OK;
}

/* ------------------------------------------------------------------ */
/* The reader's state                                                  */

struct reader {
	const char *file, *who;
	const struct stats_columns *cols;
	struct kto_csv_reader *csv;
	int value, fpc, weights, by;           /* column numbers, -1: none */
	int strata[MAX_STRATA_COLUMNS];
	size_t n_strata_cols;
	size_t row;                            /* as a spreadsheet numbers it */
	size_t cap;
	/* Per stratum, for --fpc: the value, and the row it was first given on. */
	double *stratum_fpc;
	size_t *stratum_row, *stratum_n, cap_strata;
	bool fractions;                        /* every fpc value is at most 1 */
	struct labels strata_labels, group_labels;
	struct kto_buf key;
	struct stats_input *in;
};

/* "who: file, row N, column 'c': 'value' what", or without the value. */
static enum kto_rc
input_error(const struct reader *r, const char *column, const char *value,
            const char *what)
{
	fprintf(stderr, "%s: %s, row %zu, column '%s': %s%s%s%s\n", r->who, r->file,
	    r->row, column, value ? "'" : "", value ? value : "", value ? "' " : "",
	    what);
	return KTO_EINPUT;
}

/* The column called name: exactly, else ignoring case; -1 when absent. */
static int
column_index(char **fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return (int)i;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(fields[i], name) == 0)
			return (int)i;
	return -1;
}

static enum kto_rc
find_column(struct reader *r, char **fields, size_t n, const char *name, int *out)
{
	*out = -1;
	if (name == NULL)
		return KTO_OK;
	if ((*out = column_index(fields, n, name)) >= 0)
		return KTO_OK;
	fprintf(stderr, "%s: %s has no column '%s'; its columns are:", r->who,
	    r->file, name);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s '%s'", i ? "," : "", fields[i]);
	fputc('\n', stderr);
	return KTO_EINPUT;
}

static enum kto_rc
read_header(struct reader *r)
{
	char **fields, names[256], *save = NULL, *tok;
	size_t n;
	enum kto_rc rc = kto_csv_next(r->csv, &fields, &n);

	if (rc == KTO_ENOTFOUND) {
		fprintf(stderr, "%s: %s is empty: it needs a header row with the "
		    "column names\n", r->who, r->file);
		return KTO_EINPUT;
	}
	if (rc != KTO_OK) {
		fprintf(stderr, "%s: %s: %s\n", r->who, r->file, kto_csv_error(r->csv));
		return rc == KTO_ELIMIT ? KTO_EINPUT : rc;
	}
	if ((rc = find_column(r, fields, n, r->cols->value, &r->value)) != KTO_OK ||
	    (rc = find_column(r, fields, n, r->cols->fpc, &r->fpc)) != KTO_OK ||
	    (rc = find_column(r, fields, n, r->cols->weights, &r->weights)) != KTO_OK ||
	    (rc = find_column(r, fields, n, r->cols->by, &r->by)) != KTO_OK)
		return rc;
	if (r->cols->strata == NULL)
		return KTO_OK;
	snprintf(names, sizeof names, "%s", r->cols->strata);
	for (tok = strtok_r(names, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (r->n_strata_cols == MAX_STRATA_COLUMNS) {
			fprintf(stderr, "%s: --strata: at most %d columns\n", r->who,
			    MAX_STRATA_COLUMNS);
			return KTO_EINPUT;
		}
		rc = find_column(r, fields, n, tok, &r->strata[r->n_strata_cols++]);
		if (rc != KTO_OK)
			return rc;
	}
	return KTO_OK;
}

static enum kto_rc
grow_rows(struct reader *r)
{
	struct stats_input *in = r->in;
	size_t cap = r->cap ? r->cap * 2 : 1024;
	double *v = realloc(in->value, cap * sizeof *v);
	size_t *s, *g;
	double *w;

	if (v == NULL)
		return KTO_ENOMEM;
	in->value = v;
	if ((s = realloc(in->stratum, cap * sizeof *s)) == NULL)
		return KTO_ENOMEM;
	in->stratum = s;
	if ((g = realloc(in->group, cap * sizeof *g)) == NULL)
		return KTO_ENOMEM;
	in->group = g;
	if (r->weights >= 0) {
		if ((w = realloc(in->weight, cap * sizeof *w)) == NULL)
			return KTO_ENOMEM;
		in->weight = w;
	}
	r->cap = cap;
	return KTO_OK;
}

static enum kto_rc
parse_value(struct reader *r, const char *s, double *out)
{
	if (*s == '\0' || strcmp(s, "NA") == 0) {
		*out = NAN;
		return KTO_OK;
	}
	if (kto_parse_double(s, -HUGE_VAL, HUGE_VAL, out) != KTO_OK)
		return input_error(r, r->cols->value, s, "is not a number; leave "
		    "the field empty (or NA) for a missing value");
	if (r->cols->zero_one && *out != 0 && *out != 1)
		return input_error(r, r->cols->value, s, "is not 0 or 1: a "
		    "proportion needs 0 (no) or 1 (yes) in every row with a value");
	return KTO_OK;
}

/* A number that svydesign() would not take empty or negative. */
static enum kto_rc
parse_design_number(struct reader *r, const char *column, const char *s,
                    double *out)
{
	if (*s == '\0' || strcmp(s, "NA") == 0)
		return input_error(r, column, NULL, "the field is empty: every row "
		    "needs one, as the design depends on it");
	if (kto_parse_double(s, 0, HUGE_VAL, out) != KTO_OK)
		return input_error(r, column, s, "is not a number of 0 or more");
	return KTO_OK;
}

/* Without --strata every row is in the one stratum "". */
static enum kto_rc
row_stratum(struct reader *r, char **fields, size_t *out)
{
	kto_buf_reset(&r->key);
	for (size_t k = 0; k < r->n_strata_cols; k++) {
		const char *s = fields[r->strata[k]];
		const char *names = r->cols->strata;

		if (*s == '\0')
			return input_error(r, names, NULL, "a stratum column is "
			    "empty: every row needs its stratum");
		if ((k > 0 && kto_buf_addc(&r->key, '/') != KTO_OK) ||
		    kto_buf_adds(&r->key, s) != KTO_OK)
			return KTO_ENOMEM;
	}
	return labels_number(&r->strata_labels, kto_buf_str(&r->key), out);
}

/*
** The fpc field of the row now read, for stratum h: the same on every row
** of a stratum, which is checked here, where the row's number is known.
*/
static enum kto_rc
row_fpc(struct reader *r, const char *field, size_t h)
{
	double f;
	enum kto_rc rc = parse_design_number(r, r->cols->fpc, field, &f);

	if (rc != KTO_OK)
		return rc;
	if (h >= r->cap_strata) {
		size_t cap = r->cap_strata ? 2 * r->cap_strata : 64;
		double *v = realloc(r->stratum_fpc, cap * sizeof *v);
		size_t *row, *n;

		if (v == NULL)
			return KTO_ENOMEM;
		r->stratum_fpc = v;
		if ((row = realloc(r->stratum_row, cap * sizeof *row)) == NULL)
			return KTO_ENOMEM;
		r->stratum_row = row;
		if ((n = realloc(r->stratum_n, cap * sizeof *n)) == NULL)
			return KTO_ENOMEM;
		r->stratum_n = n;
		memset(n + r->cap_strata, 0, (cap - r->cap_strata) * sizeof *n);
		r->cap_strata = cap;
	}
	if (r->stratum_n[h]++ == 0) {
		r->stratum_fpc[h] = f;
		r->stratum_row[h] = r->row;
	} else if (f != r->stratum_fpc[h]) {
		char what[160];

		snprintf(what, sizeof what, "differs from the %g on row %zu; the "
		    "population size must be the same on every row of a stratum",
		    r->stratum_fpc[h], r->stratum_row[h]);
		return input_error(r, r->cols->fpc, field, what);
	}
	r->fractions = r->fractions && f <= 1;
	return KTO_OK;
}

static int
max_column(const struct reader *r)
{
	int m = r->value;

	m = r->fpc > m ? r->fpc : m;
	m = r->weights > m ? r->weights : m;
	m = r->by > m ? r->by : m;
	for (size_t k = 0; k < r->n_strata_cols; k++)
		m = r->strata[k] > m ? r->strata[k] : m;
	return m;
}

static enum kto_rc
read_row(struct reader *r, char **fields, size_t n)
{
	struct stats_input *in = r->in;
	size_t i = in->n_rows;
	enum kto_rc rc;

	if ((int)n <= max_column(r)) {
		fprintf(stderr, "%s: %s, row %zu: only %zu fields, fewer than the "
		    "header has\n", r->who, r->file, r->row, n);
		return KTO_EINPUT;
	}
	if (i == r->cap && (rc = grow_rows(r)) != KTO_OK)
		return rc;
	if ((rc = parse_value(r, fields[r->value], &in->value[i])) != KTO_OK ||
	    (rc = row_stratum(r, fields, &in->stratum[i])) != KTO_OK)
		return rc;
	if (r->weights >= 0 && (rc = parse_design_number(r, r->cols->weights,
	    fields[r->weights], &in->weight[i])) != KTO_OK)
		return rc;
	if (r->fpc >= 0 && (rc = row_fpc(r, fields[r->fpc], in->stratum[i])) != KTO_OK)
		return rc;
	in->group[i] = SIZE_MAX;
	if (r->by >= 0 && fields[r->by][0] != '\0' &&
	    (rc = labels_number(&r->group_labels, fields[r->by], &in->group[i])) != KTO_OK)
		return rc;
	in->n_rows++;
	return KTO_OK;
}

/* ------------------------------------------------------------------ */
/* After the rows                                                      */

static enum kto_rc
population_error(const struct reader *r, size_t h, const char *what)
{
	const char *stratum = r->in->stratum_label[h];

	fprintf(stderr, "%s: %s, row %zu, column '%s': %s%s%s%s\n", r->who,
	    r->file, r->stratum_row[h], r->cols->fpc, what, *stratum ?
	    " (stratum '" : "", stratum, *stratum ? "')" : "");
	return KTO_EINPUT;
}

/*
** N_h per stratum from the fpc column (checked the same on every row of a
** stratum as the rows were read).  As in R, values that are all at most 1
** are sampling fractions n_h/N_h rather than population sizes.
*/
static enum kto_rc
population_per_stratum(struct reader *r)
{
	struct stats_input *in = r->in;

	in->population = calloc(in->n_strata ? in->n_strata : 1, sizeof *in->population);
	if (in->population == NULL)
		return KTO_ENOMEM;
	for (size_t h = 0; h < in->n_strata && h < r->cap_strata; h++) {
		double f = r->stratum_fpc[h], n_h = (double)r->stratum_n[h];

		if (f <= 0)
			return population_error(r, h, "the population size must be "
			    "more than 0");
		in->population[h] = r->fractions ? n_h / f : f;
		if (in->population[h] < n_h)
			return population_error(r, h, "the population size is smaller "
			    "than the number of rows");
	}
	return KTO_OK;
}

static int
label_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Renumbers the groups so that their numbers follow their labels' order. */
static enum kto_rc
sort_groups(struct reader *r)
{
	struct stats_input *in = r->in;
	size_t n = r->group_labels.n, *renumber;
	char **sorted = malloc((n ? n : 1) * sizeof *sorted);

	renumber = malloc((n ? n : 1) * sizeof *renumber);
	if (sorted == NULL || renumber == NULL) {
		free(sorted);
		free(renumber);
		return KTO_ENOMEM;
	}
	if (n > 0)
		memcpy(sorted, r->group_labels.label, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, label_order);
	for (size_t k = 0; k < n; k++) {
		size_t old;

		labels_number(&r->group_labels, sorted[k], &old);   /* found */
		renumber[old] = k;
	}
	for (size_t i = 0; i < in->n_rows; i++)
		if (in->group[i] != SIZE_MAX)
			in->group[i] = renumber[in->group[i]];
	in->group_label = sorted;
	in->n_groups = n;
	free(renumber);
	return KTO_OK;
}

static enum kto_rc
read_rows(struct reader *r)
{
	char **fields;
	size_t n;
	enum kto_rc rc;

	while ((rc = kto_csv_next(r->csv, &fields, &n)) == KTO_OK) {
		r->row = kto_csv_record_number(r->csv);
		if ((rc = read_row(r, fields, n)) != KTO_OK)
			return rc;
	}
	if (rc == KTO_ENOTFOUND)
		return KTO_OK;
	fprintf(stderr, "%s: %s: %s\n", r->who, r->file, kto_csv_error(r->csv));
	return rc == KTO_ELIMIT ? KTO_EINPUT : rc;
}

enum kto_rc
stats_input_read(const char *file, const struct stats_columns *cols,
                 const char *who, struct stats_input *in)
{
	struct reader r = { .file = file, .who = who, .cols = cols, .in = in,
	    .fractions = true };
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	struct kto_csv_limits lim = { 65536, 4096, 1 << 20 };
	enum kto_rc rc;

	memset(in, 0, sizeof *in);
	kto_buf_init(&r.key, 4096);
	if (f == NULL) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", who, file, strerror(errno));
		return KTO_EINPUT;
	}
	rc = kto_csv_reader_new(f, 0, &lim, &r.csv);
	if (rc == KTO_OK && (rc = read_header(&r)) == KTO_OK &&
	    (rc = read_rows(&r)) == KTO_OK) {
		in->n_strata = r.strata_labels.n ? r.strata_labels.n : 1;
		/* Ownership of the labels passes to in. */
		in->stratum_label = r.strata_labels.label;
		r.strata_labels.label = NULL;
		r.strata_labels.n = 0;
		if (r.fpc >= 0)
			rc = population_per_stratum(&r);
		if (rc == KTO_OK)
			rc = sort_groups(&r);
	}
	if (rc == KTO_OK && in->n_rows == 0) {
		fprintf(stderr, "%s: %s has a header but no rows\n", who, file);
		rc = KTO_EINPUT;
	}
	if (rc == KTO_ENOMEM)
		fprintf(stderr, "%s: out of memory reading %s\n", who, file);
	/* The labels now in group_label stay; the table's own copy goes. */
	if (in->group_label != NULL)
		r.group_labels.n = 0;
	labels_free(&r.group_labels);
	labels_free(&r.strata_labels);
	kto_csv_reader_free(r.csv);
	kto_buf_release(&r.key);
	free(r.stratum_fpc);
	free(r.stratum_row);
	free(r.stratum_n);
	if (f != stdin)
		fclose(f);
	if (rc != KTO_OK)
		stats_input_free(in);
	return rc;
}

void
stats_input_free(struct stats_input *in)
{
	free(in->value);
	free(in->stratum);
	free(in->population);
	free(in->weight);
	free(in->group);
	for (size_t g = 0; g < in->n_groups; g++)
		free(in->group_label[g]);
	free(in->group_label);
	if (in->stratum_label != NULL)
		for (size_t h = 0; h < in->n_strata; h++)
			free(in->stratum_label[h]);
	free(in->stratum_label);
	memset(in, 0, sizeof *in);
}
