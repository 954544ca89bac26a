/*
** kto results compute: load (results_load.c), compute (stats/marks),
** compare with the year before, store.
*/
#include "engine/results_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "engine/audit.h"
#include "engine/channel.h"
#include "engine/db_int.h"

static const char *const against_name[KTO_VS_COUNT] = { "circle", "all", "previous" };

static const char *
flag_name(enum kto_marks_flag f)
{
	return f == KTO_MARKS_OK ? "ok" : f == KTO_MARKS_INDICATIVE ? "indicative"
	    : "too_few";
}

static const char *
channel_text(int channel)
{
	return channel == KTO_MARKS_ALL_CHANNELS ? "all" :
	    kto_channel_name((enum kto_channel)channel);
}

/* Everything one computation needs, in one place. */
struct computation {
	const struct kto_results_scope *scope;
	const char *actor;
	struct loaded l;
	size_t *n_h;
	double *population;
	size_t *stratum_municipality;
	int *stratum_channel;
	size_t *driver_areas;
	struct kto_marks_input in;
	struct kto_marks marks;
	struct kto_results_summary *out;
};

static void
computation_free(struct computation *c)
{
	kto_marks_free(&c->marks);
	results_loaded_free(&c->l);
	free(c->n_h);
	free(c->population);
	free(c->stratum_municipality);
	free(c->stratum_channel);
	free(c->driver_areas);
}

static void
note(struct kto_results_summary *out, const char *text)
{
	size_t len = strlen(out->notes);

	snprintf(out->notes + len, sizeof out->notes - len, "%s%s", len ? " " : "", text);
}

/*
** The design's strata.  Counter visitors who answered through the open
** link are not drawn from the contacts, so a stratum can have more
** responses than its recorded contacts; N_h is then taken as n_h (a
** census: no sampling error claimed) and the notes say so.
*/
static enum kto_rc
design_arrays(struct kto_db *db, struct computation *c)
{
	struct loaded *l = &c->l;
	size_t ns = l->n_strata ? l->n_strata : 1;
	bool clamped = false;

	c->n_h = calloc(ns, sizeof *c->n_h);
	c->population = calloc(ns, sizeof *c->population);
	c->stratum_municipality = calloc(ns, sizeof *c->stratum_municipality);
	c->stratum_channel = calloc(ns, sizeof *c->stratum_channel);
	c->driver_areas = calloc(l->n_vars + 1, sizeof *c->driver_areas);
	if (!c->n_h || !c->population || !c->stratum_municipality ||
	    !c->stratum_channel || !c->driver_areas)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	for (size_t r = 0; r < l->n_resp; r++)
		c->n_h[l->resp_stratum[r]]++;
	for (size_t h = 0; h < l->n_strata; h++) {
		c->population[h] = l->strata[h].population;
		if (c->population[h] < (double)c->n_h[h]) {
			clamped = clamped || c->population[h] > 0;
			c->population[h] = (double)c->n_h[h];
		}
		c->stratum_municipality[h] = l->strata[h].municipality;
		c->stratum_channel[h] = l->strata[h].channel;
	}
	if (clamped)
		note(c->out, "Some channels had more responses than recorded "
		    "contacts (the open counter link); their population was taken "
		    "as their responses.");
	return KTO_OK;
}

static void
marks_input(struct computation *c)
{
	struct loaded *l = &c->l;
	struct kto_marks_input *in = &c->in;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(in, 0, sizeof *in);
	in->n_strata = l->n_strata;
	in->stratum_municipality = c->stratum_municipality;
	in->stratum_channel = c->stratum_channel;
	in->population = c->population;
	in->n_municipalities = l->n_mun;
	in->municipality_circle = l->mun_circle;
	in->n_circles = l->n_circles;
	in->n_variables = l->n_vars;
	in->variables = l->vars;
	in->n_responses = l->n_resp;
	in->response_stratum = l->resp_stratum;
	in->value = l->value;
	in->dont_know = l->dont_know;
	in->overall = SIZE_MAX;
	in->driver_areas = c->driver_areas;
	for (size_t v = 0; v < l->n_vars; v++) {
		if (strcmp(l->var_id[v], "TOT") == 0)
			in->overall = v;
		else if (strncmp(l->var_id[v], "area:", 5) == 0)
			c->driver_areas[in->n_driver_areas++] = v;
	}
	in->level = c->scope->level > 0 ? c->scope->level : 0.95;
	in->threads = c->scope->threads > 0 ? c->scope->threads : cpus > 0 ? (int)cpus : 1;
}

/* ------------------------------------------------------------------ */
/* The year before                                                     */

static enum kto_rc
previous_set(struct kto_db *db, int year, int64_t *id)
{
	struct kto_results_scope prev = { 0, year - 1, 0, 0 };
	enum kto_rc rc = kto_results_latest(db, &prev, id);

	if (rc == KTO_ENOTFOUND) {
		*id = 0;
		return KTO_OK;
	}
	return rc;
}

static enum kto_rc
compare_one(struct kto_db *db, struct computation *c, int64_t set,
            struct kto_marks_result *r)
{
	sqlite3_stmt *st;
	bool row;
	struct kto_svy_estimate prev;
	enum kto_rc rc = kto_db_query(db, &st, "SELECT estimate, se, df, flag FROM "
	    "result WHERE result_set_id = ? AND scope = 'municipality' AND unit = ? "
	    "AND channel = ? AND variable = ?", "itt" "t", set,
	    c->l.mun_code[r->unit], channel_text(r->channel), c->l.var_id[r->variable]);

	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL) {
		memset(&prev, 0, sizeof prev);
		prev.estimate = sqlite3_column_double(st, 0);
		prev.se = sqlite3_column_double(st, 1);
		prev.df = sqlite3_column_double(st, 2);
		kto_marks_compare_previous(r, &prev,
		    strcmp((const char *)sqlite3_column_text(st, 3), "too_few") != 0);
	}
	kto_db_query_done(st);
	return rc;
}

static enum kto_rc
compare_previous(struct kto_db *db, struct computation *c)
{
	int64_t set = 0;
	enum kto_rc rc;

	if (c->scope->wave_id > 0 || (rc = previous_set(db, c->scope->year, &set)) != KTO_OK)
		return KTO_OK;
	if (set == 0)
		return KTO_OK;
	c->out->previous_set_id = set;
	if ((rc = kto_db_read_begin(db)) != KTO_OK)
		return rc;
	for (size_t i = 0; i < c->marks.n_results && rc == KTO_OK; i++)
		if (c->marks.results[i].scope == KTO_SCOPE_MUNICIPALITY)
			rc = compare_one(db, c, set, &c->marks.results[i]);
	kto_db_read_end(db);
	if (rc == KTO_OK && kto_marks_adjust(&c->marks) != KTO_OK)
		rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	return rc;
}

/* ------------------------------------------------------------------ */
/* Storing                                                             */

static const char *
unit_text(const struct computation *c, const struct kto_marks_result *r)
{
	return r->scope == KTO_SCOPE_MUNICIPALITY ? c->l.mun_code[r->unit] :
	    r->scope == KTO_SCOPE_CIRCLE ? c->l.circle_code[r->unit] : "";
}

static enum kto_rc
distribution_json(const struct kto_marks_result *r, struct kto_buf *b)
{
	struct kto_json j;

	kto_buf_reset(b);
	if (!isfinite(r->dist[0]))
		return KTO_OK;
	kto_json_init(&j, b, false);
	kto_json_array_begin(&j);
	for (int k = 0; k < 10; k++)
		kto_json_double(&j, r->dist[k]);
	kto_json_array_end(&j);
	return kto_json_finish(&j);
}

static enum kto_rc
store_result(struct kto_db *db, const struct computation *c, int64_t set,
             const struct kto_marks_result *r, struct kto_buf *b)
{
	static const char *const scope[] = { "municipality", "circle", "all" };
	bool share = c->l.vars[r->variable].kind == KTO_MARKS_SHARE;
	enum kto_rc rc = distribution_json(r, b);

	if (rc != KTO_OK)
		return kto_db_seterr(db, rc, "out of memory");
	rc = kto_db_exec(db, "INSERT INTO result (result_set_id, scope, unit, "
	    "channel, variable, kind, n, dont_know, estimate, se, df, ci_low, ci_high, "
	    "flag, pass, pass_low, pass_high, high, high_low, high_high, distribution, "
	    "target, vs_target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?)",
	    "itttttii" "ddddd" "t" "dddddd" "t" "dd", set, scope[r->scope], unit_text(c, r),
	    channel_text(r->channel), c->l.var_id[r->variable], share ? "share" : "mark",
	    (int64_t)r->est.n, (int64_t)r->dont_know, r->est.estimate, r->est.se,
	    r->est.df, r->est.ci_low, r->est.ci_high, flag_name(r->flag),
	    share ? NAN : r->pass.estimate, share ? NAN : r->pass.ci_low,
	    share ? NAN : r->pass.ci_high, share ? NAN : r->high.estimate,
	    share ? NAN : r->high.ci_low, share ? NAN : r->high.ci_high,
	    b->len ? kto_buf_str(b) : NULL, c->l.vars[r->variable].target,
	    !share || !isfinite(c->l.vars[r->variable].target) ||
	    r->flag == KTO_MARKS_TOO_FEW ? NAN : (double)r->vs_target);
	for (int k = 0; k < KTO_VS_COUNT && rc == KTO_OK; k++) {
		const struct kto_marks_comparison *v = &r->vs[k];

		if (r->scope != KTO_SCOPE_MUNICIPALITY || !v->made)
			continue;
		rc = kto_db_exec(db, "INSERT INTO result_comparison (result_set_id, "
		    "unit, channel, variable, against, reference, diff, se, df, p, "
		    "p_holm, significant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "ittttddddddI", set, unit_text(c, r), channel_text(r->channel),
		    c->l.var_id[r->variable], against_name[k], v->reference, v->diff,
		    v->se, v->df, v->p, v->p_holm, v->significant);
	}
	return rc;
}

/* The municipality's area marks against its circle's other members. */
static double *
areas_vs_circle(const struct computation *c)
{
	size_t na = c->marks.n_driver_areas, nv = c->l.n_vars;
	double *vs = malloc((c->l.n_mun * na + 1) * sizeof *vs);
	size_t *area_of = malloc((nv + 1) * sizeof *area_of);

	if (vs == NULL || area_of == NULL) {
		free(vs);
		free(area_of);
		return NULL;
	}
	for (size_t i = 0; i < c->l.n_mun * na; i++)
		vs[i] = NAN;
	for (size_t v = 0; v < nv; v++)
		area_of[v] = SIZE_MAX;
	for (size_t a = 0; a < na; a++)
		area_of[c->driver_areas[a]] = a;
	for (size_t i = 0; i < c->marks.n_results; i++) {
		const struct kto_marks_result *r = &c->marks.results[i];

		if (r->scope == KTO_SCOPE_MUNICIPALITY && r->channel ==
		    KTO_MARKS_ALL_CHANNELS && area_of[r->variable] != SIZE_MAX &&
		    r->vs[KTO_VS_CIRCLE].made)
			vs[r->unit * na + area_of[r->variable]] = r->vs[KTO_VS_CIRCLE].diff;
	}
	free(area_of);
	return vs;
}

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The quadrant of an area: its importance against the municipality's median. */
static const char *
quadrant(const struct kto_marks_driver *d, size_t na, size_t a, double vs)
{
	double imp[64], median;
	size_t k = 0;

	for (size_t j = 0; j < na && k < 64; j++)
		if (isfinite(d->importance[j]))
			imp[k++] = d->importance[j];
	if (k == 0 || !isfinite(d->importance[a]) || !isfinite(vs))
		return NULL;
	qsort(imp, k, sizeof *imp, compare_doubles);
	median = k % 2 ? imp[k / 2] : (imp[k / 2 - 1] + imp[k / 2]) / 2;
	if (d->importance[a] >= median)
		return vs < 0 ? "verbeteren" : "behouden";
	return vs < 0 ? "bewaken" : "minder urgent";
}

static enum kto_rc
store_drivers(struct kto_db *db, const struct computation *c, int64_t set)
{
	size_t na = c->marks.n_driver_areas;
	double *vs = areas_vs_circle(c);
	enum kto_rc rc = vs != NULL ? KTO_OK : kto_db_seterr(db, KTO_ENOMEM,
	    "out of memory");

	for (size_t m = 0; m < c->marks.n_drivers && rc == KTO_OK; m++) {
		const struct kto_marks_driver *d = &c->marks.drivers[m];

		for (size_t a = 0; a < na && rc == KTO_OK; a++)
			rc = kto_db_exec(db, "INSERT INTO result_driver (result_set_id, "
			    "unit, area, n, r2, coef, se, importance, vs_circle, quadrant) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ittiddddd" "t", set,
			    c->l.mun_code[m], c->l.var_id[c->driver_areas[a]] + 5,
			    (int64_t)d->n, d->r2, d->coef[a], d->se[a], d->importance[a],
			    vs[m * na + a], quadrant(d, na, a, vs[m * na + a]));
	}
	free(vs);
	return rc;
}

static enum kto_rc
store(struct kto_db *db, void *arg)
{
	struct computation *c = arg;
	struct kto_buf b = KTO_BUF_INIT(4096);
	char detail[128];
	int64_t set;
	enum kto_rc rc;

	rc = kto_db_exec(db, "INSERT INTO result_set (scope, wave_id, year, level, "
	    "responses, notes, computed_by) VALUES (?, ?, ?, ?, ?, ?, ?)", "tNNdit" "t",
	    c->scope->wave_id > 0 ? "wave" : "year", c->scope->wave_id,
	    (int64_t)(c->scope->wave_id > 0 ? 0 : c->scope->year), c->in.level,
	    (int64_t)c->l.n_resp, c->out->notes, c->actor);
	if (rc != KTO_OK)
		return rc;
	set = sqlite3_last_insert_rowid(db->sqlite);
	for (size_t i = 0; i < c->marks.n_results && rc == KTO_OK; i++)
		rc = store_result(db, c, set, &c->marks.results[i], &b);
	kto_buf_release(&b);
	if (rc == KTO_OK)
		rc = store_drivers(db, c, set);
	snprintf(detail, sizeof detail, "%zu responses, %zu results", c->l.n_resp,
	    c->marks.n_results);
	if (rc == KTO_OK)
		rc = kto_audit(db, c->actor, "results.compute", 0, c->scope->wave_id > 0 ?
		    "wave" : "year", detail);
	c->out->result_set_id = set;
	return rc;
}

/* ------------------------------------------------------------------ */

enum kto_rc
kto_results_compute(struct kto_db *db, const char *actor,
                    const struct kto_results_scope *scope,
                    struct kto_results_summary *out)
{
	struct computation c;
	enum kto_rc rc;

	memset(&c, 0, sizeof c);
	memset(out, 0, sizeof *out);
	c.scope = scope;
	c.actor = actor;
	c.out = out;
	if ((rc = results_load(db, scope, &c.l)) != KTO_OK) {
		computation_free(&c);
		return rc;
	}
	if (c.l.n_resp == 0) {
		computation_free(&c);
		return kto_db_seterr(db, KTO_EINPUT, "there are no complete responses "
		    "yet in this %s", scope->wave_id > 0 ? "wave" : "year");
	}
	if ((rc = design_arrays(db, &c)) == KTO_OK) {
		marks_input(&c);
		rc = kto_marks_compute(&c.in, &c.marks);
		if (rc != KTO_OK)
			rc = kto_db_seterr(db, rc, rc == KTO_ENOMEM ? "out of memory"
			    : "the responses do not fit their design (internal)");
	}
	if (rc == KTO_OK)
		rc = compare_previous(db, &c);
	if (rc == KTO_OK)
		rc = kto_db_transaction(db, store, &c);
	out->responses = (int64_t)c.l.n_resp;
	out->municipalities = (int64_t)c.l.n_mun;
	out->strata = (int64_t)c.l.n_strata;
	out->variables = (int64_t)c.l.n_vars;
	out->results = (int64_t)c.marks.n_results;
	computation_free(&c);
	return rc;
}

enum kto_rc
kto_results_latest(struct kto_db *db, const struct kto_results_scope *scope,
                   int64_t *result_set_id)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_query(db, &st, "SELECT max(id) FROM result_set WHERE "
	    "(?1 > 0 AND wave_id = ?1) OR (?1 = 0 AND year = ?2)", "iI",
	    scope->wave_id, scope->year);

	if (rc != KTO_OK)
		return rc;
	*result_set_id = 0;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row)
		*result_set_id = sqlite3_column_int64(st, 0);
	kto_db_query_done(st);
	if (rc == KTO_OK && *result_set_id == 0)
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "no results have been computed "
		    "for this %s yet: run 'kto results compute'",
		    scope->wave_id > 0 ? "wave" : "year");
	return rc;
}
