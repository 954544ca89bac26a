/*
** Reading a scope's strata, definitions and complete responses into the
** arrays stats/marks works on (see results_int.h).
*/
#include "engine/results_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "engine/channel.h"
#include "engine/db_int.h"
#include "engine/response.h"

/* ------------------------------------------------------------------ */
/* Growing arrays                                                      */

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

/* ------------------------------------------------------------------ */
/* Variables                                                           */

static enum kto_rc
variable_index(struct loaded *l, const char *id, enum kto_marks_kind kind,
               bool whole, double target, size_t *out)
{
	for (size_t v = 0; v < l->n_vars; v++)
		if (strcmp(l->var_id[v], id) == 0) {
			*out = v;
			return KTO_OK;
		}
	if (grow((void **)&l->vars, &l->cap_vars, l->n_vars + 1, sizeof *l->vars) ||
	    grow((void **)&l->var_id, &l->cap_var_ids, l->n_vars + 1, sizeof *l->var_id))
		return KTO_ENOMEM;
	if ((l->var_id[l->n_vars] = strdup(id)) == NULL)
		return KTO_ENOMEM;
	l->vars[l->n_vars].id = l->var_id[l->n_vars];
	l->vars[l->n_vars].kind = kind;
	l->vars[l->n_vars].whole_marks = whole;
	l->vars[l->n_vars].target = target;
	*out = l->n_vars++;
	return KTO_OK;
}

/* Which variable each question, area and norm of a version feeds. */
static enum kto_rc
map_version(struct loaded *l, struct version_map *vm)
{
	const struct kto_survey *s = vm->survey;
	char id[64];
	enum kto_rc rc = KTO_OK;

	vm->question_var = malloc((s->n_questions + 1) * sizeof *vm->question_var);
	vm->norm_var = malloc((s->n_norms + 1) * sizeof *vm->norm_var);
	if (vm->question_var == NULL || vm->norm_var == NULL)
		return KTO_ENOMEM;
	for (int a = 0; a < KTO_AREA_COUNT; a++)
		vm->area_var[a] = SIZE_MAX;
	for (size_t i = 0; i < s->n_questions && rc == KTO_OK; i++) {
		const struct kto_question *q = &s->questions[i];

		vm->question_var[i] = SIZE_MAX;
		if (q->type != KTO_Q_MARK)
			continue;
		if (q == s->overall) {
			rc = variable_index(l, "TOT", KTO_MARKS_MARK, true, NAN,
			    &vm->question_var[i]);
			continue;
		}
		rc = variable_index(l, q->id, KTO_MARKS_MARK, true, NAN,
		    &vm->question_var[i]);
		if (rc == KTO_OK && q->area != KTO_AREA_NONE && q->area != KTO_AREA_TOT) {
			snprintf(id, sizeof id, "area:%s", kto_area_code(q->area));
			rc = variable_index(l, id, KTO_MARKS_MARK, false, NAN,
			    &vm->area_var[q->area]);
		}
	}
	for (size_t k = 0; k < s->n_norms && rc == KTO_OK; k++) {
		snprintf(id, sizeof id, "norm:%s", s->norms[k].id);
		/* The first version's target stands for the norm. */
		rc = variable_index(l, id, KTO_MARKS_SHARE, false,
		    s->norms[k].target / 100, &vm->norm_var[k]);
	}
	return rc;
}

static enum kto_rc
version_of(struct kto_db *db, struct loaded *l, int64_t version_id, size_t *out)
{
	struct version_map *vm;
	enum kto_rc rc;

	for (size_t i = 0; i < l->n_versions; i++)
		if (l->versions[i].version_id == version_id) {
			*out = i;
			return KTO_OK;
		}
	if (grow((void **)&l->versions, &l->cap_versions, l->n_versions + 1,
	    sizeof *l->versions) != KTO_OK)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	vm = &l->versions[l->n_versions];
	memset(vm, 0, sizeof *vm);
	vm->version_id = version_id;
	if ((rc = kto_survey_version(db, version_id, &vm->survey)) != KTO_OK)
		return rc;
	l->n_versions++;
	if ((rc = map_version(l, vm)) != KTO_OK)
		return kto_db_seterr(db, rc, "out of memory");
	*out = l->n_versions - 1;
	return KTO_OK;
}

/* ------------------------------------------------------------------ */
/* Strata                                                              */

static size_t
circle_of(struct loaded *l, const char *code)
{
	if (*code == '\0')
		return SIZE_MAX;
	for (size_t c = 0; c < l->n_circles; c++)
		if (strcmp(l->circle_code[c], code) == 0)
			return c;
	if (grow((void **)&l->circle_code, &l->cap_circles, l->n_circles + 1,
	    sizeof *l->circle_code) != KTO_OK)
		return SIZE_MAX - 1;
	snprintf(l->circle_code[l->n_circles], sizeof *l->circle_code, "%s", code);
	return l->n_circles++;
}

static enum kto_rc
add_stratum(struct kto_db *db, struct loaded *l, sqlite3_stmt *st)
{
	const char *code = (const char *)sqlite3_column_text(st, 5);
	const char *circle = (const char *)sqlite3_column_text(st, 6);
	enum kto_channel ch;
	size_t h = l->n_strata, m = l->n_mun;

	if (grow((void **)&l->strata, &l->cap_strata, h + 1, sizeof *l->strata) != KTO_OK)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	if (m == 0 || strcmp(l->mun_code[m - 1], code) != 0) {
		if (grow((void **)&l->mun_code, &l->cap_mun, m + 1, sizeof *l->mun_code) ||
		    grow((void **)&l->mun_circle, &l->cap_mun_circle, m + 1,
		    sizeof *l->mun_circle))
			return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
		snprintf(l->mun_code[m], sizeof *l->mun_code, "%s", code);
		if ((l->mun_circle[m] = circle_of(l, circle ? circle : "")) == SIZE_MAX - 1)
			return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
		l->n_mun++;
	}
	l->strata[h].wave_id = sqlite3_column_int64(st, 0);
	kto_channel_parse((const char *)sqlite3_column_text(st, 1), &ch);
	l->strata[h].channel = (int)ch;
	l->strata[h].population = sqlite3_column_double(st, 2);
	l->strata[h].municipality = l->n_mun - 1;
	l->n_strata++;
	return KTO_OK;
}

static enum kto_rc
load_strata(struct kto_db *db, const struct kto_results_scope *scope, struct loaded *l)
{
	sqlite3_stmt *st;
	bool row;
	char year[8];
	enum kto_rc rc;

	snprintf(year, sizeof year, "%04d", scope->year);
	rc = kto_db_prepare(db, &st, "SELECT w.id, wc.channel, "
	    "coalesce(wc.population, 0), wc.def_version_id, m.id, m.code, "
	    "coalesce(c.code, '') FROM wave w JOIN wave_channel wc ON wc.wave_id = "
	    "w.id JOIN municipality m ON m.id = w.municipality_id LEFT JOIN circle c "
	    "ON c.id = m.circle_id WHERE (?1 > 0 AND w.id = ?1) OR (?1 = 0 AND "
	    "substr(w.period_from, 1, 4) = ?2) ORDER BY m.code, w.id, wc.channel",
	    "it", scope->wave_id, year);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    (rc = add_stratum(db, l, st)) == KTO_OK)
		;
	sqlite3_finalize(st);
	if (rc == KTO_OK && l->n_strata == 0)
		rc = scope->wave_id > 0 ? kto_db_seterr(db, KTO_ENOTFOUND, "there is "
		    "no wave %lld", (long long)scope->wave_id) : kto_db_seterr(db,
		    KTO_ENOTFOUND, "no wave starts in %d", scope->year);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Responses                                                           */

struct answers_ctx {
	const struct kto_survey *s;
	const struct kto_answer *ans;
};

static const struct kto_answer *
lookup_answer(void *ctx, const struct kto_question *q)
{
	const struct answers_ctx *a = ctx;
	const struct kto_answer *ans = &a->ans[q->index];

	return ans->state == KTO_ANSWER_NONE ? NULL : ans;
}

/* The variables of one response from its answers. */
static void
response_values(const struct loaded *l, const struct version_map *vm,
                const struct kto_answer *ans, double *value, unsigned char *dk)
{
	const struct kto_survey *s = vm->survey;
	double sum[KTO_AREA_COUNT] = { 0 }, count[KTO_AREA_COUNT] = { 0 };
	struct answers_ctx ctx = { s, ans };

	for (size_t v = 0; v < l->n_vars; v++) {
		value[v] = NAN;
		dk[v] = 0;
	}
	for (size_t i = 0; i < s->n_questions; i++) {
		size_t v = vm->question_var[i];

		if (v == SIZE_MAX)
			continue;
		if (ans[i].state == KTO_ANSWER_DONT_KNOW) {
			dk[v] = 1;
		} else if (ans[i].state == KTO_ANSWER_VALUE) {
			value[v] = ans[i].num;
			if (s->questions[i].area != KTO_AREA_NONE && &s->questions[i] != s->overall) {
				sum[s->questions[i].area] += ans[i].num;
				count[s->questions[i].area]++;
			}
		}
	}
	for (int a = 0; a < KTO_AREA_COUNT; a++)
		if (vm->area_var[a] != SIZE_MAX && count[a] > 0)
			value[vm->area_var[a]] = sum[a] / count[a];
	for (size_t k = 0; k < s->n_norms; k++) {
		const struct kto_norm *n = &s->norms[k];
		bool applies = ans[n->item->index].state == KTO_ANSWER_VALUE &&
		    (n->applies_if == NULL || kto_cond_eval(n->applies_if, lookup_answer, &ctx));

		if (applies)
			value[vm->norm_var[k]] = kto_cond_eval(n->met_if, lookup_answer, &ctx);
	}
}

/* Room for one more response row of n_vars (values filled in later). */
static enum kto_rc
new_response(struct loaded *l, size_t stratum)
{
	size_t r = l->n_resp;

	if (grow((void **)&l->resp_stratum, &l->cap_resp, r + 1, sizeof *l->resp_stratum))
		return KTO_ENOMEM;
	if (l->cap_resp * l->n_vars > l->cap_values) {
		double *v = realloc(l->value, (l->cap_resp * l->n_vars + 1) * sizeof *v);
		unsigned char *d;

		if (v == NULL)
			return KTO_ENOMEM;
		l->value = v;
		if ((d = realloc(l->dont_know, l->cap_resp * l->n_vars + 1)) == NULL)
			return KTO_ENOMEM;
		l->dont_know = d;
		l->cap_values = l->cap_resp * l->n_vars;
	}
	l->resp_stratum[r] = stratum;
	l->n_resp++;
	return KTO_OK;
}

struct reading {
	struct kto_answer *ans;
	size_t n_ans;
	struct kto_arena arena;
	int64_t response;          /* being read; 0 before the first */
	size_t version;
};

static void
finish_response(struct loaded *l, struct reading *rd)
{
	size_t r = l->n_resp - 1;

	response_values(l, &l->versions[rd->version], rd->ans,
	    l->value + r * l->n_vars, l->dont_know + r * l->n_vars);
}

/* One row of (item, value_num, value_text, dont_know, response, version). */
static enum kto_rc
read_answer_row(struct kto_db *db, struct loaded *l, size_t h, sqlite3_stmt *st,
                struct reading *rd)
{
	int64_t id = sqlite3_column_int64(st, 4);
	const struct kto_survey *s;
	const struct kto_question *q;
	enum kto_rc rc;

	if (id != rd->response) {
		if (rd->response != 0)
			finish_response(l, rd);
		rd->response = id;
		if ((rc = version_of(db, l, sqlite3_column_int64(st, 5), &rd->version)) != KTO_OK)
			return rc;
		s = l->versions[rd->version].survey;
		if (s->n_questions > rd->n_ans) {
			struct kto_answer *a = realloc(rd->ans, s->n_questions * sizeof *a);

			if (a == NULL)
				return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
			rd->ans = a;
			rd->n_ans = s->n_questions;
		}
		memset(rd->ans, 0, s->n_questions * sizeof *rd->ans);
		kto_arena_release(&rd->arena);
		if (new_response(l, h) != KTO_OK)
			return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	}
	s = l->versions[rd->version].survey;
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		return KTO_OK;                  /* a response without answers */
	q = kto_survey_question(s, (const char *)sqlite3_column_text(st, 0));
	return q == NULL ? KTO_OK : kto_answer_from_row(db, st, q, &rd->arena,
	    &rd->ans[q->index]);
}

/*
** The complete responses of one stratum.  Every definition version is
** mapped (its variables known) before any row is read, so that the rows
** all have the final number of variables.
*/
static enum kto_rc
load_stratum_responses(struct kto_db *db, struct loaded *l, size_t h,
                       struct reading *rd)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_prepare(db, &st, "SELECT a.item, a.value_num, "
	    "a.value_text, a.dont_know, r.id, r.def_version_id FROM response r "
	    "LEFT JOIN answer a ON a.response_id = r.id WHERE r.wave_id = ? AND "
	    "r.channel = ? AND r.state = 'complete' ORDER BY r.id", "it",
	    l->strata[h].wave_id, kto_channel_name((enum kto_channel)l->strata[h].channel));

	if (rc != KTO_OK)
		return rc;
	rd->response = 0;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    (rc = read_answer_row(db, l, h, st, rd)) == KTO_OK)
		;
	if (rc == KTO_OK && rd->response != 0)
		finish_response(l, rd);
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
map_all_versions(struct kto_db *db, struct loaded *l)
{
	sqlite3_stmt *st;
	bool row;
	size_t ignored;
	enum kto_rc rc = kto_db_prepare(db, &st, "SELECT DISTINCT r.def_version_id "
	    "FROM response r JOIN wave w ON w.id = r.wave_id WHERE r.state = "
	    "'complete' AND r.wave_id IN (SELECT value FROM json_each(?)) "
	    "UNION SELECT def_version_id FROM wave_channel WHERE wave_id IN "
	    "(SELECT value FROM json_each(?1))", "t", l->wave_ids_json);

	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    (rc = version_of(db, l, sqlite3_column_int64(st, 0), &ignored)) == KTO_OK)
		;
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
wave_ids_json(struct kto_db *db, struct loaded *l)
{
	struct kto_buf b = KTO_BUF_INIT(1 << 24);

	kto_buf_addc(&b, '[');
	for (size_t h = 0; h < l->n_strata; h++)
		if (h == 0 || l->strata[h].wave_id != l->strata[h - 1].wave_id)
			kto_buf_addf(&b, "%s%lld", b.len > 1 ? "," : "",
			    (long long)l->strata[h].wave_id);
	if (kto_buf_addc(&b, ']') != KTO_OK ||
	    (l->wave_ids_json = kto_buf_detach(&b)) == NULL) {
		kto_buf_release(&b);
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	}
	return KTO_OK;
}

enum kto_rc
results_load(struct kto_db *db, const struct kto_results_scope *scope, struct loaded *l)
{
	struct reading rd = { NULL, 0, { NULL, 0, 0 }, 0, 0 };
	enum kto_rc rc;

	memset(l, 0, sizeof *l);
	kto_arena_init(&rd.arena, 1 << 20);
	if ((rc = kto_db_read_begin(db)) != KTO_OK)
		return rc;
	if ((rc = load_strata(db, scope, l)) == KTO_OK &&
	    (rc = wave_ids_json(db, l)) == KTO_OK &&
	    (rc = map_all_versions(db, l)) == KTO_OK)
		for (size_t h = 0; h < l->n_strata && rc == KTO_OK; h++)
			rc = load_stratum_responses(db, l, h, &rd);
	kto_db_read_end(db);
	free(rd.ans);
	kto_arena_release(&rd.arena);
	return rc;
}

void
results_loaded_free(struct loaded *l)
{
	for (size_t i = 0; i < l->n_versions; i++) {
		kto_respondent_survey_release(l->versions[i].survey);
		free(l->versions[i].question_var);
		free(l->versions[i].norm_var);
	}
	free(l->versions);
	for (size_t v = 0; v < l->n_vars; v++)
		free(l->var_id[v]);
	free(l->var_id);
	free(l->vars);
	free(l->strata);
	free(l->mun_code);
	free(l->mun_circle);
	free(l->circle_code);
	free(l->resp_stratum);
	free(l->value);
	free(l->dont_know);
	free(l->wave_ids_json);
	memset(l, 0, sizeof *l);
}
