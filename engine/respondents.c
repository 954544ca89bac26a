/*
** Reading the respondents of a scope for the exports: see respondents.h.
** Open and text answers are masked here, row by row, before any callback
** sees them.
*/
#include "engine/respondents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "engine/db_int.h"
#include "engine/mask.h"
#include "engine/response.h"

/*
** The scope's waves, bound as ?1 (wave id, 0 for a year), ?2 (the year,
** "YYYY") and ?3 (a municipality's code, NULL for all).
*/
#define SCOPE_WAVES \
	"((?1 > 0 AND w.id = ?1) OR (?1 = 0 AND substr(w.period_from, 1, 4) = ?2)) " \
	"AND (?3 IS NULL OR m.code = ?3)"

/* The complete responses of the scope's strata. */
#define RESPONSES_FROM \
	"FROM response r JOIN wave_channel wc ON wc.wave_id = r.wave_id AND " \
	"wc.channel = r.channel "
#define RESPONSES_WHERE \
	"WHERE r.state = 'complete' AND r.wave_id IN (SELECT w.id FROM wave w " \
	"JOIN municipality m ON m.id = w.municipality_id WHERE " SCOPE_WAVES ")"

/* Prepares sql (of SCOPE_WAVES's parameters) for scope. */
static enum kto_rc
prepare_scoped(struct kto_db *db, sqlite3_stmt **st, const char *sql,
               const struct kto_respondents_scope *scope)
{
	char year[8];

	snprintf(year, sizeof year, "%04d", scope->year);
	return kto_db_prepare(db, st, sql, "itt", scope->wave_id, year,
	    scope->municipality);
}

static enum kto_rc
channel_of(struct kto_db *db, sqlite3_stmt *st, int i, enum kto_channel *out)
{
	const char *name = (const char *)sqlite3_column_text(st, i);

	if (name == NULL || !kto_channel_parse(name, out))
		return kto_db_seterr(db, KTO_EINTERNAL, "the database holds an "
		    "unknown channel '%s'", name ? name : "");
	return KTO_OK;
}

enum kto_rc
kto_respondents_strata(struct kto_db *db, const struct kto_respondents_scope *scope,
                       enum kto_rc (*fn)(void *ctx,
                                         const struct kto_respondents_stratum *s),
                       void *ctx)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = prepare_scoped(db, &st, "SELECT w.id, wc.channel, "
	    "coalesce(wc.population, 0), m.code, m.name FROM wave w JOIN "
	    "wave_channel wc ON wc.wave_id = w.id JOIN municipality m ON m.id = "
	    "w.municipality_id WHERE " SCOPE_WAVES " ORDER BY m.code, w.id, "
	    "wc.channel", scope);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		struct kto_respondents_stratum s;
		const char *name = (const char *)sqlite3_column_text(st, 4);
		const char *code = (const char *)sqlite3_column_text(st, 3);

		memset(&s, 0, sizeof s);
		s.wave_id = sqlite3_column_int64(st, 0);
		if ((rc = channel_of(db, st, 1, &s.channel)) != KTO_OK)
			break;
		s.population = sqlite3_column_double(st, 2);
		s.municipality = code ? code : "";
		s.municipality_name = name ? name : "";
		if ((rc = fn(ctx, &s)) != KTO_OK)
			break;
	}
	sqlite3_finalize(st);
	return rc;
}

enum kto_rc
kto_respondents_list(struct kto_db *db, const struct kto_respondents_scope *scope,
                     enum kto_rc (*fn)(void *ctx, const struct kto_respondents_ref *r),
                     void *ctx)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = prepare_scoped(db, &st, "SELECT r.id, r.wave_id, r.channel "
	    RESPONSES_FROM RESPONSES_WHERE " ORDER BY r.id", scope);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		struct kto_respondents_ref r;

		r.response_id = sqlite3_column_int64(st, 0);
		r.wave_id = sqlite3_column_int64(st, 1);
		if ((rc = channel_of(db, st, 2, &r.channel)) != KTO_OK ||
		    (rc = fn(ctx, &r)) != KTO_OK)
			break;
	}
	sqlite3_finalize(st);
	return rc;
}

enum kto_rc
kto_respondents_versions(struct kto_db *db, const struct kto_respondents_scope *scope,
                         enum kto_rc (*fn)(void *ctx, int64_t version_id), void *ctx)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = prepare_scoped(db, &st, "SELECT DISTINCT r.def_version_id "
	    RESPONSES_FROM RESPONSES_WHERE " ORDER BY 1", scope);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    (rc = fn(ctx, sqlite3_column_int64(st, 0))) == KTO_OK)
		;
	sqlite3_finalize(st);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Responses with their answers                                        */

struct version {
	int64_t id;
	const struct kto_survey *s;
};

/* One response being read, and what outlives it. */
struct reading {
	struct kto_db *db;
	struct version *versions;    /* the surveys met so far, held */
	size_t n_versions, cap_versions;
	struct kto_respondents_row row;
	struct kto_answer *answers;  /* cap_answers of each */
	bool *withheld;
	char **masked;               /* per question: answers[i].text, owned */
	size_t cap_answers;
	struct kto_arena arena;      /* the answers' other strings */
	char *completed_at, *language, *desk;
};

static enum kto_rc
oom(struct reading *rd)
{
	return kto_db_seterr(rd->db, KTO_ENOMEM, "out of memory");
}

/* The survey of a version, from those held or newly looked up. */
static enum kto_rc
survey_of(struct reading *rd, int64_t version_id, const struct kto_survey **out)
{
	struct version *v;
	enum kto_rc rc;

	for (size_t i = 0; i < rd->n_versions; i++)
		if (rd->versions[i].id == version_id) {
			*out = rd->versions[i].s;
			return KTO_OK;
		}
	if (rd->n_versions == rd->cap_versions) {
		size_t cap = rd->cap_versions ? 2 * rd->cap_versions : 8;

		if ((v = realloc(rd->versions, cap * sizeof *v)) == NULL)
			return oom(rd);
		rd->versions = v;
		rd->cap_versions = cap;
	}
	if ((rc = kto_survey_version(rd->db, version_id, out)) != KTO_OK)
		return rc;
	rd->versions[rd->n_versions].id = version_id;
	rd->versions[rd->n_versions++].s = *out;
	return KTO_OK;
}

/* Room for an answer per question of a survey of n questions. */
static enum kto_rc
answers_room(struct reading *rd, size_t n)
{
	struct kto_answer *a;
	bool *w;
	char **m;

	if (n <= rd->cap_answers)
		return KTO_OK;
	if ((a = realloc(rd->answers, n * sizeof *a)) == NULL)
		return oom(rd);
	rd->answers = a;
	if ((w = realloc(rd->withheld, n * sizeof *w)) == NULL)
		return oom(rd);
	rd->withheld = w;
	if ((m = realloc(rd->masked, n * sizeof *m)) == NULL)
		return oom(rd);
	memset(m + rd->cap_answers, 0, (n - rd->cap_answers) * sizeof *m);
	rd->masked = m;
	rd->cap_answers = n;
	return KTO_OK;
}

/* Forgets the response read: its strings (masked[] holds cap_answers). */
static void
response_clear(struct reading *rd)
{
	for (size_t i = 0; i < rd->cap_answers; i++) {
		free(rd->masked[i]);
		rd->masked[i] = NULL;
	}
	free(rd->completed_at);
	free(rd->language);
	free(rd->desk);
	rd->completed_at = rd->language = rd->desk = NULL;
	kto_arena_release(&rd->arena);
	memset(&rd->row, 0, sizeof rd->row);
}

static enum kto_rc
copy_column(struct reading *rd, sqlite3_stmt *st, int i, bool keep_null, char **out)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	if (s == NULL && keep_null)
		return KTO_OK;
	if ((*out = strdup(s ? s : "")) == NULL)
		return oom(rd);
	return KTO_OK;
}

/* The response of the current row (columns 4 on) begins. */
static enum kto_rc
response_begin(struct reading *rd, sqlite3_stmt *st)
{
	const struct kto_survey *s;
	enum kto_rc rc;

	response_clear(rd);
	rd->row.response_id = sqlite3_column_int64(st, 4);
	rd->row.version_id = sqlite3_column_int64(st, 5);
	if ((rc = survey_of(rd, rd->row.version_id, &s)) != KTO_OK ||
	    (rc = answers_room(rd, s->n_questions + 1)) != KTO_OK ||
	    (rc = copy_column(rd, st, 6, true, &rd->completed_at)) != KTO_OK ||
	    (rc = copy_column(rd, st, 7, false, &rd->language)) != KTO_OK ||
	    (rc = copy_column(rd, st, 8, false, &rd->desk)) != KTO_OK)
		return rc;
	memset(rd->answers, 0, s->n_questions * sizeof *rd->answers);
	memset(rd->withheld, 0, s->n_questions * sizeof *rd->withheld);
	rd->row.survey = s;
	rd->row.completed_at = rd->completed_at;
	rd->row.language = rd->language;
	rd->row.desk = rd->desk;
	rd->row.answers = rd->answers;
	rd->row.withheld = rd->withheld;
	return KTO_OK;
}

/*
** Masks the text of open or text answer i.  A text the masking cannot
** finish (PCRE2's match limits, or a masked text over
** KTO_RESPONDENTS_TEXT_MAX) is withheld: it must not be shown as it is.
*/
static enum kto_rc
mask_answer(struct reading *rd, size_t i)
{
	struct kto_answer *a = &rd->answers[i];
	struct kto_buf b = KTO_BUF_INIT(KTO_RESPONDENTS_TEXT_MAX);
	enum kto_rc rc;

	free(rd->masked[i]);
	rd->masked[i] = NULL;
	rd->withheld[i] = false;
	if (a->text == NULL || a->state != KTO_ANSWER_VALUE) {
		a->text = NULL;
		return KTO_OK;
	}
	rc = kto_mask_text(a->text, &b, NULL);
	a->text = NULL;
	if (rc == KTO_ELIMIT) {
		rd->withheld[i] = true;
		rc = KTO_OK;
	} else if (rc == KTO_OK && (rd->masked[i] = kto_buf_detach(&b)) == NULL) {
		rc = KTO_ENOMEM;
	}
	kto_buf_release(&b);
	a->text = rd->masked[i];
	if (rc == KTO_ENOMEM)
		return oom(rd);
	if (rc != KTO_OK)
		return kto_db_seterr(rd->db, rc, "could not mask an open answer: %s",
		    kto_strerror(rc));
	return KTO_OK;
}

/* One answer row of the response being read. */
static enum kto_rc
read_answer(struct reading *rd, sqlite3_stmt *st)
{
	const struct kto_question *q;
	enum kto_rc rc;

	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		return KTO_OK;                  /* a response without answers */
	q = kto_survey_question(rd->row.survey, (const char *)sqlite3_column_text(st, 0));
	if (q == NULL)
		return KTO_OK;
	if ((rc = kto_answer_from_row(rd->db, st, q, &rd->arena,
	    &rd->answers[q->index])) != KTO_OK)
		return rc;
	if (q->type == KTO_Q_OPEN || q->type == KTO_Q_TEXT)
		return mask_answer(rd, q->index);
	return KTO_OK;
}

static void
reading_release(struct reading *rd)
{
	response_clear(rd);
	for (size_t i = 0; i < rd->n_versions; i++)
		kto_respondent_survey_release(rd->versions[i].s);
	free(rd->versions);
	free(rd->answers);
	free(rd->withheld);
	free(rd->masked);
}

enum kto_rc
kto_respondents_read(struct kto_db *db, const struct kto_respondents_scope *scope,
                     enum kto_rc (*fn)(void *ctx, const struct kto_respondents_row *r),
                     void *ctx)
{
	struct reading rd;
	sqlite3_stmt *st;
	bool row, open = false;
	enum kto_rc rc;

	memset(&rd, 0, sizeof rd);
	rd.db = db;
	kto_arena_init(&rd.arena, 1 << 20);
	/* Columns 1 to 3 as kto_answer_from_row() expects them. */
	rc = prepare_scoped(db, &st, "SELECT a.item, a.value_num, a.value_text, "
	    "a.dont_know, r.id, r.def_version_id, r.completed_at, r.language, "
	    "r.desk " RESPONSES_FROM "LEFT JOIN answer a ON a.response_id = r.id "
	    RESPONSES_WHERE " ORDER BY r.id", scope);
	if (rc != KTO_OK) {
		reading_release(&rd);
		return rc;
	}
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		if (!open || sqlite3_column_int64(st, 4) != rd.row.response_id) {
			if (open && (rc = fn(ctx, &rd.row)) != KTO_OK)
				break;
			if ((rc = response_begin(&rd, st)) != KTO_OK)
				break;
			open = true;
		}
		if ((rc = read_answer(&rd, st)) != KTO_OK)
			break;
	}
	if (rc == KTO_OK && open)
		rc = fn(ctx, &rd.row);
	sqlite3_finalize(st);
	reading_release(&rd);
	return rc;
}
