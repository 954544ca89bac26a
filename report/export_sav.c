/*
** The respondent data as an SPSS system file, through ReadStat's writer.
**
** Every variable gets its Dutch label (the question's text); coded answers
** get value labels (the options' labels, ja/nee, the channels); "weet
** niet" is stored as a code (99, or 999 where 99 could be an option) that
** is declared user-missing and labelled with the question's own wording,
** so SPSS leaves it out of every statistic by itself while it stays
** countable.  The _dk columns say the same for readers that turn
** user-missing values into NA.  Dates are SPSS dates (seconds since
** 1582-10-14) shown as dd.mm.yyyy.
**
** Open and text answers are string variables holding the masked text
** (export_read.c), as wide as the longest answer: past 255 bytes ReadStat
** writes SPSS's "very long strings", up to XP_STRING_MAX bytes; a longer
** answer is cut there, at a character boundary (the CSV has it whole).
**
** ReadStat truncates labels at SPSS's limits in bytes, which could cut a
** UTF-8 character in two, and misreads value labels longer than 127 bytes;
** labels are therefore cut here first, at a character boundary.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <readstat.h>

#include "base/date.h"
#include "base/strparse.h"
#include "engine/channel.h"
#include "report/export_int.h"

struct sav_out {
	FILE *f;
	int error;               /* errno of a failed write; 0 */
};

/* ReadStat's data writer: returns the bytes written, fewer on failure. */
static ssize_t
write_bytes(const void *data, size_t len, void *ctx)
{
	struct sav_out *o = ctx;

	if (o->error != 0)
		return 0;
	if (len > 0 && fwrite(data, 1, len, o->f) != len) {
		o->error = errno ? errno : EIO;
		return 0;
	}
	return (ssize_t)len;
}

static bool
is_text(enum xp_kind k)
{
	return k == XP_MUNICIPALITY || k == XP_MUNICIPALITY_NAME || k == XP_LANGUAGE ||
	    k == XP_DESK || k == XP_TEXT;
}

/* Days since 1582-10-14, SPSS's day 0, times a day's seconds. */
static double
spss_date(double yyyymmdd)
{
	long n = (long)yyyymmdd;
	int64_t days = kto_days_from_civil((int)(n / 10000), (int)(n / 100 % 100),
	    (int)(n % 100)) - kto_days_from_civil(1582, 10, 14);

	return (double)days * 86400.0;
}

/* A value label, cut to SPSS's limit at a character boundary. */
static enum kto_rc
add_label(readstat_label_set_t *set, double value, const char *label)
{
	char *cut = xp_truncate(label && *label ? label : "-", XP_VALUE_LABEL_MAX);

	if (cut == NULL)
		return KTO_ENOMEM;
	readstat_label_double_value(set, value, cut);
	free(cut);
	return KTO_OK;
}

/* The value labels of column c; NULL set when it has none. */
static enum kto_rc
label_set(readstat_writer_t *w, const struct kto_respondent_data *d, size_t c,
          readstat_label_set_t **out)
{
	static const char *const channel_nl[] = { "balie", "telefoon", "e-mail" };
	const struct xp_column *col = &d->cols[c];
	readstat_label_set_t *set;
	char name[32], text[160];
	enum kto_rc rc = KTO_OK;

	*out = NULL;
	switch (col->kind) {
	case XP_CHANNEL: case XP_STRATUM: case XP_YESNO: case XP_CHOICE:
	case XP_SCALE: case XP_OPTION: case XP_DONT_KNOW:
		break;
	default:
		if (!isfinite(col->dk_code))
			return KTO_OK;
	}
	snprintf(name, sizeof name, "labels%zu", c + 1);
	if ((set = readstat_add_label_set(w, READSTAT_TYPE_DOUBLE, name)) == NULL)
		return KTO_ENOMEM;
	switch (col->kind) {
	case XP_CHANNEL:
		for (int k = 0; k < KTO_CHANNEL_COUNT && rc == KTO_OK; k++)
			rc = add_label(set, k + 1, channel_nl[k]);
		break;
	case XP_STRATUM:
		for (size_t h = 0; h < d->n_strata && rc == KTO_OK; h++) {
			snprintf(text, sizeof text, "%s %s (meting %lld)", d->strata[h].code,
			    channel_nl[d->strata[h].channel], (long long)d->strata[h].wave_id);
			rc = add_label(set, (double)(h + 1), text);
		}
		break;
	case XP_YESNO:
		rc = add_label(set, 1, "ja");
		if (rc == KTO_OK)
			rc = add_label(set, 0, "nee");
		break;
	case XP_CHOICE:
		for (size_t i = 0; i < col->n_options && rc == KTO_OK; i++)
			rc = add_label(set, (double)(i + 1), col->options[i].label);
		break;
	case XP_SCALE:
		for (size_t i = 0; i < col->n_options && rc == KTO_OK; i++) {
			double v;

			if (kto_parse_double(col->options[i].code, 1, 5, &v) == KTO_OK)
				rc = add_label(set, v, col->options[i].label);
		}
		break;
	case XP_OPTION:
		rc = add_label(set, 1, "gekozen");
		if (rc == KTO_OK)
			rc = add_label(set, 0, "niet gekozen");
		break;
	case XP_DONT_KNOW:
		rc = add_label(set, 1, "weet niet / n.v.t.");
		if (rc == KTO_OK)
			rc = add_label(set, 0, "geen 'weet niet'");
		break;
	default:
		break;
	}
	if (rc == KTO_OK && isfinite(col->dk_code))
		rc = add_label(set, col->dk_code, col->dk_label);
	*out = set;
	return rc;
}

/* Print format, measure and display width of a numeric column. */
static void
numeric_layout(readstat_variable_t *v, const struct xp_column *col)
{
	readstat_measure_t measure = READSTAT_MEASURE_NOMINAL;
	char format[16];
	int width = 8;
	double top = isfinite(col->dk_code) ? col->dk_code : (double)col->n_options;

	switch (col->kind) {
	case XP_RESPONDENT:
	case XP_WAVE:
		snprintf(format, sizeof format, "F8.0");
		break;
	case XP_POPULATION:
		snprintf(format, sizeof format, "F8.0");
		measure = READSTAT_MEASURE_SCALE;
		break;
	case XP_WEIGHT:
		snprintf(format, sizeof format, "F10.4");
		measure = READSTAT_MEASURE_SCALE;
		width = 10;
		break;
	case XP_COMPLETED:
	case XP_DATE:
		snprintf(format, sizeof format, "EDATE10");
		measure = READSTAT_MEASURE_SCALE;
		width = 10;
		break;
	case XP_MARK:
		snprintf(format, sizeof format, "F2.0");
		measure = READSTAT_MEASURE_SCALE;
		break;
	case XP_SCALE:
		snprintf(format, sizeof format, "F%d.0", top >= 10 ? 2 : 1);
		measure = READSTAT_MEASURE_ORDINAL;
		break;
	case XP_NUMBER:
		snprintf(format, sizeof format, "F%d.%d", 10 + col->decimals,
		    col->decimals);
		measure = READSTAT_MEASURE_SCALE;
		break;
	case XP_STRATUM:
		snprintf(format, sizeof format, "F4.0");
		break;
	default:     /* channel, yes/no, multi options, _dk: codes */
		snprintf(format, sizeof format, "F%d.0", top >= 1000 ? 5 : top >= 100 ?
		    3 : top >= 10 ? 2 : 1);
		break;
	}
	readstat_variable_set_format(v, format);
	readstat_variable_set_measure(v, measure);
	readstat_variable_set_alignment(v, READSTAT_ALIGNMENT_RIGHT);
	readstat_variable_set_display_width(v, width);
}

static enum kto_rc
add_variables(readstat_writer_t *w, const struct kto_respondent_data *d,
              readstat_variable_t **vars)
{
	for (size_t c = 0; c < d->n_cols; c++) {
		const struct xp_column *col = &d->cols[c];
		readstat_label_set_t *set;
		readstat_variable_t *v;
		char *label;
		enum kto_rc rc;

		if (is_text(col->kind)) {
			v = readstat_add_variable(w, col->name, READSTAT_TYPE_STRING,
			    col->width > XP_STRING_MAX ? XP_STRING_MAX : col->width);
			if (v == NULL)
				return KTO_ENOMEM;
			readstat_variable_set_measure(v, READSTAT_MEASURE_NOMINAL);
			readstat_variable_set_alignment(v, READSTAT_ALIGNMENT_LEFT);
			readstat_variable_set_display_width(v, col->width < 8 ? 8 :
			    col->width > 40 ? 40 : (int)col->width);
		} else {
			v = readstat_add_variable(w, col->name, READSTAT_TYPE_DOUBLE, 0);
			if (v == NULL)
				return KTO_ENOMEM;
			numeric_layout(v, col);
		}
		if ((label = xp_truncate(col->label, XP_VAR_LABEL_MAX)) == NULL)
			return KTO_ENOMEM;
		readstat_variable_set_label(v, label);
		free(label);
		if ((rc = label_set(w, d, c, &set)) != KTO_OK)
			return rc;
		if (set != NULL)
			readstat_variable_set_label_set(v, set);
		if (isfinite(col->dk_code) &&
		    readstat_variable_add_missing_double_value(v, col->dk_code) != READSTAT_OK)
			return KTO_EINTERNAL;
		vars[c] = v;
	}
	return KTO_OK;
}

static void
add_notes(readstat_writer_t *w, const struct kto_respondent_data *d)
{
	char line[160];

	/* ASCII (codes and numbers), so cutting at 80 bytes, SPSS's line, is safe. */
	snprintf(line, sizeof line, "kto: respondentgegevens %s, %zu respondenten.",
	    d->scope_text, d->n_rows);
	line[80] = '\0';
	readstat_add_note(w, line);
	readstat_add_note(w, "Steekproefopzet: strata = stratum, fpc = population, "
	    "gewicht = weight.");
	readstat_add_note(w, "Weet niet: code 99 of 999 (user-missing) en de "
	    "variabele VRAAG_dk.");
	readstat_add_note(w, "Open antwoorden: persoonsgegevens gemaskeerd "
	    "([BSN], [e-mail], [adres]...).");
}

/* A masked answer; missing when there is none; cut at XP_STRING_MAX. */
static readstat_error_t
insert_text(readstat_writer_t *w, readstat_variable_t *v, const char *text)
{
	readstat_error_t e;
	char *cut;

	if (text == NULL)
		return readstat_insert_missing_value(w, v);
	if (strlen(text) <= XP_STRING_MAX)
		return readstat_insert_string_value(w, v, text);
	if ((cut = xp_truncate(text, XP_STRING_MAX)) == NULL)
		return READSTAT_ERROR_MALLOC;
	e = readstat_insert_string_value(w, v, cut);
	free(cut);
	return e;
}

static readstat_error_t
write_row(readstat_writer_t *w, const struct kto_respondent_data *d, size_t r,
          readstat_variable_t *const *vars)
{
	const struct xp_row *row = &d->rows[r];
	const struct xp_stratum *s = &d->strata[row->stratum];
	readstat_error_t e = readstat_begin_row(w);

	for (size_t c = 0; c < d->n_cols && e == READSTAT_OK; c++) {
		const struct xp_column *col = &d->cols[c];
		size_t i = xp_cell(d, r, c);
		double v = d->value[i];

		switch (col->kind) {
		case XP_MUNICIPALITY:
			e = readstat_insert_string_value(w, vars[c], s->code);
			continue;
		case XP_MUNICIPALITY_NAME:
			e = readstat_insert_string_value(w, vars[c], s->name);
			continue;
		case XP_LANGUAGE:
			e = readstat_insert_string_value(w, vars[c], row->language);
			continue;
		case XP_DESK:
			e = readstat_insert_string_value(w, vars[c], row->desk);
			continue;
		case XP_TEXT:
			e = insert_text(w, vars[c], col->texts[r]);
			continue;
		default:
			break;
		}
		if (d->state[i] == XP_CELL_DONT_KNOW && isfinite(col->dk_code))
			e = readstat_insert_double_value(w, vars[c], col->dk_code);
		else if (d->state[i] != XP_CELL_VALUE || !isfinite(v))
			e = readstat_insert_missing_value(w, vars[c]);
		else if (col->kind == XP_DATE || col->kind == XP_COMPLETED)
			e = readstat_insert_double_value(w, vars[c], spss_date(v));
		else
			e = readstat_insert_double_value(w, vars[c], v);
	}
	if (e == READSTAT_OK)
		e = readstat_end_row(w);
	return e;
}

enum kto_rc
kto_respondent_data_sav(const struct kto_respondent_data *d, FILE *out,
                        struct kto_err *err)
{
	struct sav_out o = { out, 0 };
	readstat_writer_t *w = readstat_writer_init();
	readstat_variable_t **vars = calloc(d->n_cols + 1, sizeof *vars);
	readstat_error_t e = READSTAT_OK;
	char label[160];
	enum kto_rc rc;

	if (w == NULL || vars == NULL) {
		rc = kto_err_set(err, KTO_ENOMEM, "out of memory");
		goto done;
	}
	readstat_set_data_writer(w, write_bytes);
	readstat_writer_set_compression(w, READSTAT_COMPRESS_ROWS);
	snprintf(label, sizeof label, "kto respondentgegevens %s", d->scope_text);
	label[64] = '\0';          /* SPSS's file label; ASCII */
	readstat_writer_set_file_label(w, label);
	if ((rc = add_variables(w, d, vars)) != KTO_OK) {
		rc = kto_err_set(err, rc, "could not describe the variables: %s",
		    kto_strerror(rc));
		goto done;
	}
	add_notes(w, d);
	e = readstat_begin_writing_sav(w, &o, (long)d->n_rows);
	for (size_t r = 0; r < d->n_rows && e == READSTAT_OK; r++)
		e = write_row(w, d, r, vars);
	if (e == READSTAT_OK)
		e = readstat_end_writing(w);
	if (o.error != 0)
		rc = kto_err_set(err, o.error == ENOSPC ? KTO_EFULL : KTO_EIO,
		    "writing the .sav file failed: %s", strerror(o.error));
	else if (e != READSTAT_OK)
		rc = kto_err_set(err, KTO_EINTERNAL, "ReadStat could not write the "
		    ".sav file: %s", readstat_error_message(e));
done:
	readstat_writer_free(w);
	free(vars);
	return rc;
}
