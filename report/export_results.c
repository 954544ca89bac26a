/*
** The aggregated results of a stored result set as CSV and JSON.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/json.h"
#include "engine/db.h"
#include "engine/results.h"
#include "report/export.h"
#include "report/export_int.h"
#include "report/wording.h"

/* The most one export document may take in memory (JSON) or one record. */
#define RESULTS_JSON_MAX (256u << 20)
#define RECORD_MAX (1u << 20)

static const char *const against_key[3] = { "circle", "all", "previous" };

static enum kto_rc
db_error(struct kto_db *db, enum kto_rc rc, struct kto_err *err)
{
	const struct kto_err *e = kto_db_err(db);

	return kto_err_set(err, rc, "%s", e->msg[0] ? e->msg : kto_strerror(rc));
}

enum kto_rc
xp_write(FILE *out, const struct kto_buf *b, struct kto_err *err)
{
	if (b->len > 0 && fwrite(b->ptr, 1, b->len, out) != b->len)
		return kto_err_set(err, KTO_EIO, "writing the export failed: %s",
		    strerror(errno));
	return KTO_OK;
}

enum kto_rc
xp_number(struct kto_buf *b, double v, enum kto_export_dialect d)
{
	char s[40], *dot;
	int p;

	if (!isfinite(v))
		return KTO_OK;
	if (v == 0)
		v = 0;                   /* no "-0" */
	/*
	** Whole numbers in full ("10", not "1e+01"); others in the shortest
	** form that reads back as the same double, which for a fraction of 1
	** or more has enough digits never to need an exponent.
	*/
	if (fabs(v) < 1e15 && v == floor(v))
		snprintf(s, sizeof s, "%.0f", v);
	else
		for (p = 1; p <= 17; p++) {
			snprintf(s, sizeof s, "%.*g", p, v);
			if (strtod(s, NULL) == v)
				break;
		}
	if (d == KTO_DIALECT_NL && (dot = strchr(s, '.')) != NULL)
		*dot = ',';
	return kto_buf_adds(b, s);
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */

struct results_csv {
	const struct kto_export_csv *fmt;
	char delim;
	struct kto_buf rec;
	FILE *out;
	struct kto_err *err;
	enum kto_rc rc;          /* an error of ours, not the database's */
	enum kto_rc brc;         /* the first failed append to rec */
};

static void
sticky(struct results_csv *c, enum kto_rc rc)
{
	if (c->brc == KTO_OK)
		c->brc = rc;
}

static void
add_text(struct results_csv *c, const char *s, bool first)
{
	if (!first)
		sticky(c, kto_buf_addc(&c->rec, c->delim));
	sticky(c, kto_csv_field(&c->rec, s, c->delim));
}

static void
add_num(struct results_csv *c, double v)
{
	sticky(c, kto_buf_addc(&c->rec, c->delim));
	sticky(c, xp_number(&c->rec, v, c->fmt->dialect));
}

/* Ends the record and writes it. */
static enum kto_rc
end_record(struct results_csv *c)
{
	sticky(c, kto_buf_adds(&c->rec, "\r\n"));
	if (c->brc != KTO_OK)
		return kto_err_set(c->err, c->brc, "could not build a CSV record: %s",
		    kto_strerror(c->brc));
	return xp_write(c->out, &c->rec, c->err);
}

static const char *const header[] = {
	"scope", "unit", "channel", "variable", "label", "kind", "n", "dont_know",
	"estimate", "se", "ci_low", "ci_high", "df", "flag", "pct_pass",
	"pct_pass_low", "pct_pass_high", "pct_8_plus", "pct_8_plus_low",
	"pct_8_plus_high", "target", "target_met", NULL
};

static const char *const comparison_fields[] = {
	"reference", "diff", "se", "df", "p", "p_holm", "significant", NULL
};

static enum kto_rc
csv_header(struct results_csv *c)
{
	char name[48];

	if (c->fmt->bom)
		sticky(c, kto_buf_adds(&c->rec, "\xef\xbb\xbf"));
	for (size_t i = 0; header[i] != NULL; i++)
		add_text(c, header[i], i == 0);
	for (int k = 1; k <= 10; k++) {
		snprintf(name, sizeof name, "share_%d", k);
		add_text(c, name, false);
	}
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; comparison_fields[i] != NULL; i++) {
			snprintf(name, sizeof name, "vs_%s_%s", against_key[k],
			    comparison_fields[i]);
			add_text(c, name, false);
		}
	return end_record(c);
}

static enum kto_rc
csv_row(void *ctx, const struct kto_result_row *r)
{
	struct results_csv *c = ctx;
	bool mark = strcmp(r->kind, "mark") == 0;
	char label[96];

	kto_buf_reset(&c->rec);
	add_text(c, r->scope, true);
	add_text(c, r->unit, false);
	add_text(c, r->channel, false);
	add_text(c, r->variable, false);
	add_text(c, kto_variable_label(KTO_LANG_NL, r->variable, label, sizeof label), false);
	add_text(c, r->kind, false);
	add_num(c, (double)r->n);
	add_num(c, (double)r->dont_know);
	add_num(c, r->estimate);
	add_num(c, r->se);
	add_num(c, r->ci_low);
	add_num(c, r->ci_high);
	add_num(c, r->df);
	add_text(c, r->flag, false);
	add_num(c, mark ? r->pass : NAN);
	add_num(c, mark ? r->pass_low : NAN);
	add_num(c, mark ? r->pass_high : NAN);
	add_num(c, mark ? r->high : NAN);
	add_num(c, mark ? r->high_low : NAN);
	add_num(c, mark ? r->high_high : NAN);
	add_num(c, r->target);
	add_text(c, !isfinite(r->target) ? "" : r->vs_target == 1 ? "met" :
	    r->vs_target == -1 ? "not met" : r->vs_target == 0 ? "undecided" : "",
	    false);
	for (int k = 0; k < 10; k++)
		add_num(c, r->has_distribution ? r->distribution[k] : NAN);
	for (int k = 0; k < 3; k++) {
		const struct kto_result_comparison *v = &r->vs[k];
		bool made = v->made && strcmp(r->scope, "municipality") == 0;

		add_num(c, made ? v->reference : NAN);
		add_num(c, made ? v->diff : NAN);
		add_num(c, made ? v->se : NAN);
		add_num(c, made ? v->df : NAN);
		add_num(c, made ? v->p : NAN);
		add_num(c, made ? v->p_holm : NAN);
		add_num(c, made ? (double)v->significant : NAN);
	}
	return c->rc = end_record(c);
}

enum kto_rc
kto_export_results_csv(struct kto_db *db, int64_t set, const char *unit,
                       const struct kto_export_csv *fmt, FILE *out,
                       struct kto_err *err)
{
	struct results_csv c = { fmt, kto_export_delimiter(fmt->dialect),
	    KTO_BUF_INIT(RECORD_MAX), out, err, KTO_OK, KTO_OK };
	struct kto_result_set_info info;
	enum kto_rc rc;

	if ((rc = kto_results_set_info(db, set, &info)) != KTO_OK)
		return db_error(db, rc, err);
	if ((rc = csv_header(&c)) == KTO_OK) {
		rc = kto_results_rows(db, set, unit, NULL, csv_row, &c);
		if (rc != KTO_OK && c.rc == KTO_OK)
			rc = db_error(db, rc, err);
	}
	kto_buf_release(&c.rec);
	return rc;
}

/* ------------------------------------------------------------------ */
/* JSON: the shape of `kto results show --json`                         */

static void
json_comparison(struct kto_json *j, const struct kto_result_comparison *c)
{
	kto_json_object_begin(j);
	kto_json_kv_double(j, "reference", c->reference);
	kto_json_kv_double(j, "diff", c->diff);
	kto_json_kv_double(j, "se", c->se);
	kto_json_kv_double(j, "df", c->df);
	kto_json_kv_double(j, "p", c->p);
	kto_json_kv_double(j, "p_holm", c->p_holm);
	kto_json_kv_int(j, "significant", c->significant);
	kto_json_object_end(j);
}

void
kto_result_row_json(struct kto_json *j, const struct kto_result_row *r)
{
	kto_json_object_begin(j);
	kto_json_kv_string(j, "scope", r->scope);
	kto_json_kv_string(j, "unit", r->unit);
	kto_json_kv_string(j, "channel", r->channel);
	kto_json_kv_string(j, "variable", r->variable);
	kto_json_kv_string(j, "kind", r->kind);
	kto_json_kv_int(j, "n", r->n);
	kto_json_kv_int(j, "dont_know", r->dont_know);
	kto_json_kv_double(j, "estimate", r->estimate);
	kto_json_kv_double(j, "se", r->se);
	kto_json_kv_double(j, "ci_low", r->ci_low);
	kto_json_kv_double(j, "ci_high", r->ci_high);
	kto_json_kv_double(j, "df", r->df);
	kto_json_kv_string(j, "flag", r->flag);
	if (strcmp(r->kind, "mark") == 0) {
		kto_json_kv_double(j, "pct_pass", r->pass);
		kto_json_kv_double(j, "pct_pass_low", r->pass_low);
		kto_json_kv_double(j, "pct_pass_high", r->pass_high);
		kto_json_kv_double(j, "pct_8_plus", r->high);
		kto_json_kv_double(j, "pct_8_plus_low", r->high_low);
		kto_json_kv_double(j, "pct_8_plus_high", r->high_high);
	}
	if (isfinite(r->target)) {
		kto_json_kv_double(j, "target", r->target);
		kto_json_kv_string(j, "target_met", r->vs_target == 1 ? "met" :
		    r->vs_target == -1 ? "not met" : r->vs_target == 0 ?
		    "undecided" : NULL);
	}
	if (r->has_distribution) {
		kto_json_key(j, "distribution");
		kto_json_array_begin(j);
		for (int k = 0; k < 10; k++)
			kto_json_double(j, r->distribution[k]);
		kto_json_array_end(j);
	}
	if (strcmp(r->scope, "municipality") == 0) {
		kto_json_key(j, "comparisons");
		kto_json_object_begin(j);
		for (int k = 0; k < 3; k++)
			if (r->vs[k].made) {
				kto_json_key(j, against_key[k]);
				json_comparison(j, &r->vs[k]);
			}
		kto_json_object_end(j);
	}
	kto_json_object_end(j);
}

static enum kto_rc
json_row(void *ctx, const struct kto_result_row *r)
{
	kto_result_row_json(ctx, r);
	return KTO_OK;
}

void
kto_result_driver_json(struct kto_json *j, const struct kto_result_driver *d)
{
	kto_json_object_begin(j);
	kto_json_kv_string(j, "unit", d->unit);
	kto_json_kv_string(j, "area", d->area);
	kto_json_kv_int(j, "n", d->n);
	kto_json_kv_double(j, "r2", d->r2);
	kto_json_kv_double(j, "coef", d->coef);
	kto_json_kv_double(j, "se", d->se);
	kto_json_kv_double(j, "importance", d->importance);
	kto_json_kv_double(j, "vs_circle", d->vs_circle);
	kto_json_kv_string(j, "quadrant", d->quadrant[0] ? d->quadrant : NULL);
	kto_json_object_end(j);
}

static enum kto_rc
json_driver(void *ctx, const struct kto_result_driver *d)
{
	kto_result_driver_json(ctx, d);
	return KTO_OK;
}

enum kto_rc
kto_export_results_json(struct kto_db *db, int64_t set, const char *unit, FILE *out,
                        struct kto_err *err)
{
	struct kto_buf doc = KTO_BUF_INIT(RESULTS_JSON_MAX);
	struct kto_result_set_info info;
	struct kto_json j;
	enum kto_rc rc;

	if ((rc = kto_results_set_info(db, set, &info)) != KTO_OK)
		return db_error(db, rc, err);
	kto_json_init(&j, &doc, true);
	kto_json_object_begin(&j);
	kto_json_key(&j, "result_set");
	kto_json_object_begin(&j);
	kto_json_kv_int(&j, "id", info.id);
	kto_json_kv_string(&j, "scope", info.scope);
	if (info.wave_id)
		kto_json_kv_int(&j, "wave", info.wave_id);
	else
		kto_json_kv_int(&j, "year", info.year);
	kto_json_kv_double(&j, "level", info.level);
	kto_json_kv_int(&j, "responses", info.responses);
	kto_json_kv_string(&j, "computed_at", info.computed_at);
	kto_json_kv_string(&j, "notes", info.notes);
	kto_json_object_end(&j);
	kto_json_key(&j, "results");
	kto_json_array_begin(&j);
	rc = kto_results_rows(db, set, unit, NULL, json_row, &j);
	kto_json_array_end(&j);
	kto_json_key(&j, "drivers");
	kto_json_array_begin(&j);
	if (rc == KTO_OK)
		rc = kto_results_drivers(db, set, unit, json_driver, &j);
	kto_json_array_end(&j);
	kto_json_object_end(&j);
	if (rc != KTO_OK)
		rc = db_error(db, rc, err);
	else if ((rc = kto_json_finish(&j)) != KTO_OK)
		rc = kto_err_set(err, rc, "could not build the JSON document: %s",
		    kto_strerror(rc));
	else
		rc = xp_write(out, &doc, err);
	kto_buf_release(&doc);
	return rc;
}
