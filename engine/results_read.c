/*
** Reading stored result sets (see results.h), for kto results show, the
** portal and the reports.
*/
#include "engine/results.h"

#include <math.h>
#include <string.h>

#include "base/json.h"
#include "engine/db_int.h"

static double
column_double(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

enum kto_rc
kto_results_set_info(struct kto_db *db, int64_t id, struct kto_result_set_info *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_query(db, &st, "SELECT id, scope, coalesce(wave_id, 0), "
	    "coalesce(year, 0), level, responses, notes, computed_at, computed_by "
	    "FROM result_set WHERE id = ?", "i", id);

	memset(out, 0, sizeof *out);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		out->id = sqlite3_column_int64(st, 0);
		kto_db_column_copy(st, 1, out->scope, sizeof out->scope);
		out->wave_id = sqlite3_column_int64(st, 2);
		out->year = sqlite3_column_int(st, 3);
		out->level = sqlite3_column_double(st, 4);
		out->responses = sqlite3_column_int64(st, 5);
		kto_db_column_copy(st, 6, out->notes, sizeof out->notes);
		kto_db_column_copy(st, 7, out->computed_at, sizeof out->computed_at);
		kto_db_column_copy(st, 8, out->computed_by, sizeof out->computed_by);
	} else if (rc == KTO_OK) {
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "there is no result set %lld",
		    (long long)id);
	}
	kto_db_query_done(st);
	return rc;
}

/* The distribution column: a JSON array of ten shares, through json_each. */
static enum kto_rc
read_distribution(struct kto_db *db, const char *json, struct kto_result_row *r)
{
	sqlite3_stmt *st;
	bool row;
	int k = 0;
	enum kto_rc rc = kto_db_query(db, &st, "SELECT value FROM json_each(?)", "t", json);

	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row && k < 10)
		r->distribution[k++] = column_double(st, 0);
	kto_db_query_done(st);
	r->has_distribution = rc == KTO_OK && k == 10;
	return rc;
}

static enum kto_rc
read_comparisons(struct kto_db *db, int64_t set, struct kto_result_row *r)
{
	static const char *const against[3] = { "circle", "all", "previous" };
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_query(db, &st, "SELECT against, reference, diff, se, "
	    "df, p, p_holm, significant FROM result_comparison WHERE result_set_id = ? "
	    "AND unit = ? AND channel = ? AND variable = ?", "ittt", set, r->unit,
	    r->channel, r->variable);

	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		const char *a = (const char *)sqlite3_column_text(st, 0);

		for (int k = 0; k < 3; k++)
			if (a != NULL && strcmp(a, against[k]) == 0) {
				struct kto_result_comparison *c = &r->vs[k];

				c->made = true;
				c->reference = column_double(st, 1);
				c->diff = column_double(st, 2);
				c->se = column_double(st, 3);
				c->df = column_double(st, 4);
				c->p = column_double(st, 5);
				c->p_holm = column_double(st, 6);
				c->significant = sqlite3_column_int(st, 7);
			}
	}
	kto_db_query_done(st);
	return rc;
}

static void
row_from(sqlite3_stmt *st, struct kto_result_row *r)
{
	memset(r, 0, sizeof *r);
	kto_db_column_copy(st, 0, r->scope, sizeof r->scope);
	kto_db_column_copy(st, 1, r->unit, sizeof r->unit);
	kto_db_column_copy(st, 2, r->channel, sizeof r->channel);
	kto_db_column_copy(st, 3, r->variable, sizeof r->variable);
	kto_db_column_copy(st, 4, r->kind, sizeof r->kind);
	kto_db_column_copy(st, 5, r->flag, sizeof r->flag);
	r->n = sqlite3_column_int64(st, 6);
	r->dont_know = sqlite3_column_int64(st, 7);
	r->estimate = column_double(st, 8);
	r->se = column_double(st, 9);
	r->df = column_double(st, 10);
	r->ci_low = column_double(st, 11);
	r->ci_high = column_double(st, 12);
	r->pass = column_double(st, 13);
	r->pass_low = column_double(st, 14);
	r->pass_high = column_double(st, 15);
	r->high = column_double(st, 16);
	r->high_low = column_double(st, 17);
	r->high_high = column_double(st, 18);
	r->target = column_double(st, 20);
	r->vs_target = sqlite3_column_int(st, 21);
	for (int k = 0; k < 3; k++)
		r->vs[k].p = r->vs[k].p_holm = NAN;
}

enum kto_rc
kto_results_rows(struct kto_db *db, int64_t set, const char *unit,
                 const char *channel,
                 enum kto_rc (*fn)(void *ctx, const struct kto_result_row *r),
                 void *ctx)
{
	return kto_results_rows_where(db, set, unit, channel, NULL, fn, ctx);
}

enum kto_rc
kto_results_rows_where(struct kto_db *db, int64_t set, const char *unit,
                       const char *channel, const char *variable,
                       enum kto_rc (*fn)(void *ctx, const struct kto_result_row *r),
                       void *ctx)
{
	sqlite3_stmt *st;
	struct kto_result_row r;
	bool row;
	enum kto_rc rc;

	if ((rc = kto_db_read_begin(db)) != KTO_OK)
		return rc;
	/* A municipality's rows, and those it is compared with. */
	rc = kto_db_prepare(db, &st, "SELECT scope, unit, channel, variable, kind, "
	    "flag, n, dont_know, estimate, se, df, ci_low, ci_high, pass, pass_low, "
	    "pass_high, high, high_low, high_high, distribution, target, "
	    "coalesce(vs_target, 2) FROM result WHERE "
	    "result_set_id = ?1 AND (?2 IS NULL OR unit = ?2 OR scope = 'all' OR "
	    "(scope = 'circle' AND unit = (SELECT c.code FROM municipality m JOIN "
	    "circle c ON c.id = m.circle_id WHERE m.code = ?2))) AND (?3 IS NULL OR "
	    "channel = ?3) AND (?4 IS NULL OR variable = ?4) ORDER BY CASE scope WHEN 'municipality' THEN 0 WHEN "
	    "'circle' THEN 1 ELSE 2 END, unit, CASE channel WHEN 'counter' THEN 0 "
	    "WHEN 'phone' THEN 1 WHEN 'email' THEN 2 ELSE 3 END, variable",
	    "ittt", set, unit, channel, variable);
	while (rc == KTO_OK && (rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		row_from(st, &r);
		if (sqlite3_column_type(st, 19) != SQLITE_NULL)
			rc = read_distribution(db, (const char *)sqlite3_column_text(st, 19), &r);
		if (rc == KTO_OK && strcmp(r.scope, "municipality") == 0)
			rc = read_comparisons(db, set, &r);
		if (rc == KTO_OK)
			rc = fn(ctx, &r);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	kto_db_read_end(db);
	return rc;
}

enum kto_rc
kto_results_drivers(struct kto_db *db, int64_t set, const char *unit,
                    enum kto_rc (*fn)(void *ctx, const struct kto_result_driver *d),
                    void *ctx)
{
	sqlite3_stmt *st = NULL;
	struct kto_result_driver d;
	bool row;
	enum kto_rc rc = kto_db_prepare(db, &st, "SELECT unit, area, n, r2, coef, se, "
	    "importance, vs_circle, coalesce(quadrant, '') FROM result_driver WHERE result_set_id = ?1 AND (?2 IS NULL "
	    "OR unit = ?2) ORDER BY unit, area", "it", set, unit);

	while (rc == KTO_OK && (rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		memset(&d, 0, sizeof d);
		kto_db_column_copy(st, 0, d.unit, sizeof d.unit);
		kto_db_column_copy(st, 1, d.area, sizeof d.area);
		d.n = sqlite3_column_int64(st, 2);
		d.r2 = column_double(st, 3);
		d.coef = column_double(st, 4);
		d.se = column_double(st, 5);
		d.importance = column_double(st, 6);
		d.vs_circle = column_double(st, 7);
		kto_db_column_copy(st, 8, d.quadrant, sizeof d.quadrant);
		rc = fn(ctx, &d);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	return rc;
}

static void
set_info_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_result_set_info *out = elem;

	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, out->scope, sizeof out->scope);
	out->year = sqlite3_column_int(st, 2);
	out->level = sqlite3_column_double(st, 3);
	out->responses = sqlite3_column_int64(st, 4);
	kto_db_column_copy(st, 5, out->computed_at, sizeof out->computed_at);
	out->wave_id = sqlite3_column_int64(st, 6);
}

enum kto_rc
kto_results_waves(struct kto_db *db, const char *code, struct kto_result_set_info **out,
                  size_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc = kto_db_prepare(db, &st, "SELECT s.id, s.scope, 0, s.level, "
	    "s.responses, s.computed_at, s.wave_id FROM result_set s WHERE s.id IN "
	    "(SELECT max(r.id) FROM result_set r JOIN wave w ON w.id = r.wave_id JOIN "
	    "municipality m ON m.id = w.municipality_id WHERE r.scope = 'wave' AND "
	    "m.code = ? GROUP BY r.wave_id) ORDER BY s.wave_id", "t", code);

	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, set_info_fill, (void **)out, count);
}

enum kto_rc
kto_results_years(struct kto_db *db, struct kto_result_set_info **out, size_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc = kto_db_prepare(db, &st, "SELECT id, scope, year, level, "
	    "responses, computed_at, 0 FROM result_set WHERE id IN (SELECT max(id) FROM "
	    "result_set WHERE scope = 'year' GROUP BY year) ORDER BY year DESC", "");

	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, set_info_fill, (void **)out, count);
}
