/*
** The respondent data as CSV: a header of the variable names, then one
** record per respondent.  Numbers as xp_number() writes them; a choice as
** its option code; dates as YYYY-MM-DD; "weet niet" and unanswered
** questions as empty fields, with "weet niet" in the question's _dk
** column (docs/exports.md).  Open and text answers are written as
** export_read.c masked them, through kto_csv_field() as every text.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/csv.h"
#include "engine/channel.h"
#include "report/export_int.h"

#define RECORD_MAX (16u << 20)

/* The text of a text column in row r. */
static const char *
text_of(const struct kto_respondent_data *d, const struct xp_column *col,
        const struct xp_row *row)
{
	const struct xp_stratum *s = &d->strata[row->stratum];

	switch (col->kind) {
	case XP_MUNICIPALITY: return s->code;
	case XP_MUNICIPALITY_NAME: return s->name;
	case XP_CHANNEL: return kto_channel_name((enum kto_channel)s->channel);
	case XP_LANGUAGE: return row->language;
	case XP_DESK: return row->desk;
	default: return NULL;
	}
}

static enum kto_rc
cell(struct kto_buf *b, const struct kto_respondent_data *d, size_t r, size_t c,
     const struct kto_export_csv *fmt, char delim)
{
	const struct xp_column *col = &d->cols[c];
	const char *text = text_of(d, col, &d->rows[r]);
	double v = d->value[xp_cell(d, r, c)];
	char date[48];
	long n;

	if (col->kind == XP_TEXT)
		return col->texts[r] != NULL ? kto_csv_field(b, col->texts[r], delim) :
		    KTO_OK;
	if (text != NULL)
		return kto_csv_field(b, text, delim);
	if (d->state[xp_cell(d, r, c)] != XP_CELL_VALUE || !isfinite(v))
		return KTO_OK;
	switch (col->kind) {
	case XP_CHOICE:
		n = (long)v;
		return n >= 1 && (size_t)n <= col->n_options ?
		    kto_csv_field(b, col->options[n - 1].code, delim) : KTO_OK;
	case XP_DATE:
	case XP_COMPLETED:
		n = (long)v;
		snprintf(date, sizeof date, "%04ld-%02ld-%02ld", n / 10000,
		    n / 100 % 100, n % 100);
		return kto_buf_adds(b, date);
	default:
		return xp_number(b, v, fmt->dialect);
	}
}

enum kto_rc
kto_respondent_data_csv(const struct kto_respondent_data *d,
                        const struct kto_export_csv *fmt, FILE *out,
                        struct kto_err *err)
{
	struct kto_buf b = KTO_BUF_INIT(RECORD_MAX);
	char delim = kto_export_delimiter(fmt->dialect);
	enum kto_rc rc = KTO_OK;

	if (fmt->bom)
		rc = kto_buf_adds(&b, "\xef\xbb\xbf");
	for (size_t c = 0; c < d->n_cols && rc == KTO_OK; c++)
		if ((rc = c ? kto_buf_addc(&b, delim) : KTO_OK) == KTO_OK)
			rc = kto_csv_field(&b, d->cols[c].name, delim);
	if (rc == KTO_OK)
		rc = kto_buf_adds(&b, "\r\n");
	for (size_t r = 0; r <= d->n_rows && rc == KTO_OK; r++) {
		if ((rc = xp_write(out, &b, err)) != KTO_OK)
			break;
		kto_buf_reset(&b);
		if (r == d->n_rows)
			break;
		for (size_t c = 0; c < d->n_cols && rc == KTO_OK; c++)
			if ((rc = c ? kto_buf_addc(&b, delim) : KTO_OK) == KTO_OK)
				rc = cell(&b, d, r, c, fmt, delim);
		if (rc == KTO_OK)
			rc = kto_buf_adds(&b, "\r\n");
	}
	if (rc != KTO_OK && rc != KTO_EIO)
		rc = kto_err_set(err, rc, "could not build a CSV record: %s",
		    kto_strerror(rc));
	kto_buf_release(&b);
	return rc;
}
