/*
** engine/response: saving a citizen's answers page by page, completing once.
*/
#include "engine/response.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/json.h"
#include "engine/commit_group.h"
#include "engine/db_int.h"
#include "engine/mask.h"
#include "engine/privacy.h"

enum kto_rc
kto_respondent_find(struct kto_db *db, const char *token, struct kto_respondent *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	if ((rc = kto_invitation_find(db, token, &out->inv)) != KTO_OK)
		return rc;
	rc = kto_db_query(db, &st, "SELECT wc.def_version_id, r.id, "
	    "r.state = 'complete', r.page, coalesce(r.language, i.language) "
	    "FROM invitation i JOIN wave_channel wc ON wc.wave_id = i.wave_id AND "
	    "wc.channel = i.channel LEFT JOIN response r ON r.invitation_id = i.id "
	    "WHERE i.id = ?", "i", out->inv.id);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		out->def_version_id = sqlite3_column_int64(st, 0);
		out->response_id = sqlite3_column_int64(st, 1);
		out->complete = sqlite3_column_int(st, 2) != 0;
		out->page = sqlite3_column_int(st, 3);
		kto_db_column_copy(st, 4, out->language, sizeof out->language);
	} else if (rc == KTO_OK) {
		rc = kto_db_seterr(db, KTO_EINTERNAL, "invitation %lld has no "
		    "channel in its wave", (long long)out->inv.id);
	}
	kto_db_query_done(st);
	return rc;
}

/* How far the session's citizen got, when it has a response. */
static enum kto_rc
session_progress(struct kto_db *db, struct kto_respondent *r)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc = kto_db_query(db, &st, "SELECT id, state = 'complete', "
	    "page, language FROM response WHERE session_key = ?", "b",
	    r->session_key, sizeof r->session_key);

	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		r->response_id = sqlite3_column_int64(st, 0);
		r->complete = sqlite3_column_int(st, 1) != 0;
		r->page = sqlite3_column_int(st, 2);
		kto_db_column_copy(st, 3, r->language, sizeof r->language);
	}
	kto_db_query_done(st);
	return rc;
}

enum kto_rc
kto_respondent_open_link(struct kto_db *db, const char *code, const char *desk,
                         const char *session, struct kto_respondent *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	out->by_session = true;
	snprintf(out->desk, sizeof out->desk, "%s", desk);
	snprintf(out->language, sizeof out->language, "nl");
	kto_token_hash(session, out->session_key);
	rc = kto_db_query(db, &st, "SELECT m.code, m.name, w.id, w.state, "
	    "wc.def_version_id FROM municipality m LEFT JOIN wave w ON "
	    "w.municipality_id = m.id AND w.state IN ('sampled', 'fieldwork') AND "
	    "EXISTS (SELECT 1 FROM wave_channel c WHERE c.wave_id = w.id AND "
	    "c.channel = 'counter') LEFT JOIN wave_channel wc ON wc.wave_id = w.id "
	    "AND wc.channel = 'counter' WHERE m.code = ? COLLATE NOCASE "
	    "ORDER BY w.id DESC LIMIT 1", "t", code);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		kto_db_column_copy(st, 0, out->inv.municipality, sizeof out->inv.municipality);
		kto_db_column_copy(st, 1, out->inv.municipality_name,
		    sizeof out->inv.municipality_name);
		out->inv.wave_id = sqlite3_column_int64(st, 2);
		kto_db_column_copy(st, 3, out->inv.wave_state, sizeof out->inv.wave_state);
		out->def_version_id = sqlite3_column_int64(st, 4);
		snprintf(out->inv.state, sizeof out->inv.state, "open");
	} else if (rc == KTO_OK) {
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "no municipality '%s'", code);
	}
	kto_db_query_done(st);
	if (rc == KTO_OK && out->inv.wave_id == 0)
		return kto_db_seterr(db, KTO_ESTATE, "municipality %s has no survey "
		    "at the counter now", out->inv.municipality);
	return rc == KTO_OK ? session_progress(db, out) : rc;
}

/*
** Parsed versions, shared by every thread: a stored version is immutable
** (a trigger guards it), so a parsed one stays right.  An entry in use is
** never freed; when the table is full, the least recently used entry no
** one uses makes room.
*/
#define SURVEY_CACHE 32

static struct {
	int64_t version_id;
	struct kto_survey *survey;
	unsigned users;
	uint64_t last_used;
} survey_cache[SURVEY_CACHE];
static uint64_t survey_clock;
static pthread_mutex_t survey_lock = PTHREAD_MUTEX_INITIALIZER;

/* The cached survey of a version, taken for use; NULL when not cached. */
static const struct kto_survey *
cached_survey(int64_t version_id)
{
	const struct kto_survey *s = NULL;

	pthread_mutex_lock(&survey_lock);
	for (size_t i = 0; i < SURVEY_CACHE && s == NULL; i++)
		if (survey_cache[i].survey != NULL &&
		    survey_cache[i].version_id == version_id) {
			s = survey_cache[i].survey;
			survey_cache[i].users++;
			survey_cache[i].last_used = ++survey_clock;
		}
	pthread_mutex_unlock(&survey_lock);
	return s;
}

/*
** Caches s, taken for use, and returns the survey to use: another
** thread's when it was first.  Without a free slot s is used uncached and
** freed by kto_respondent_survey_release().
*/
static const struct kto_survey *
cache_survey(int64_t version_id, struct kto_survey *s)
{
	struct kto_survey *drop = NULL;
	const struct kto_survey *use = s;
	size_t slot = SURVEY_CACHE;

	pthread_mutex_lock(&survey_lock);
	for (size_t i = 0; i < SURVEY_CACHE; i++) {
		if (survey_cache[i].survey != NULL &&
		    survey_cache[i].version_id == version_id) {
			survey_cache[i].users++;
			use = survey_cache[i].survey;
			drop = s;
			slot = SURVEY_CACHE;
			break;
		}
		if (survey_cache[i].users == 0 && (slot == SURVEY_CACHE ||
		    survey_cache[i].last_used < survey_cache[slot].last_used))
			slot = i;
	}
	if (slot < SURVEY_CACHE) {
		drop = survey_cache[slot].survey;
		survey_cache[slot].version_id = version_id;
		survey_cache[slot].survey = s;
		survey_cache[slot].users = 1;
		survey_cache[slot].last_used = ++survey_clock;
	}
	pthread_mutex_unlock(&survey_lock);
	kto_survey_free(drop);
	return use;
}

void
kto_respondent_survey_release(const struct kto_survey *s)
{
	bool cached = false;

	if (s == NULL)
		return;
	pthread_mutex_lock(&survey_lock);
	for (size_t i = 0; i < SURVEY_CACHE && !cached; i++)
		if (survey_cache[i].survey == s) {
			survey_cache[i].users--;
			cached = true;
		}
	pthread_mutex_unlock(&survey_lock);
	if (!cached)
		kto_survey_free((struct kto_survey *)(uintptr_t)s);
}

enum kto_rc
kto_respondent_survey(struct kto_db *db, const struct kto_respondent *r,
                      const struct kto_survey **out)
{
	return kto_survey_version(db, r->def_version_id, out);
}

enum kto_rc
kto_survey_version(struct kto_db *db, int64_t version_id,
                   const struct kto_survey **out)
{
	struct kto_survey *s = NULL;
	struct kto_diags d;
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	if ((*out = cached_survey(version_id)) != NULL)
		return KTO_OK;
	rc = kto_db_query(db, &st, "SELECT source FROM survey_def_version WHERE "
	    "id = ?", "i", version_id);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && !row)
		rc = kto_db_seterr(db, KTO_EINTERNAL, "survey definition version %lld "
		    "is missing", (long long)version_id);
	if (rc == KTO_OK) {
		const char *src = (const char *)sqlite3_column_text(st, 0);

		kto_diags_init(&d);
		rc = kto_survey_parse(src ? src : "", src ? strlen(src) : 0, &s, &d);
		kto_diags_release(&d);
		if (rc != KTO_OK)
			rc = kto_db_seterr(db, rc == KTO_ENOMEM ? rc : KTO_EINTERNAL,
			    "survey definition version %lld no longer parses",
			    (long long)version_id);
	}
	kto_db_query_done(st);
	if (rc != KTO_OK)
		return rc;
	*out = cache_survey(version_id, s);
	return KTO_OK;
}

/* ---------------------------------------------------------------------- */
/* Reading answers                                                         */

/* A multi's codes from their stored JSON array, through SQLite's json_each. */
static enum kto_rc
load_codes(struct kto_db *db, const char *json, struct kto_arena *a,
           struct kto_answer *ans)
{
	const char **codes = kto_arena_alloc(a, KTO_DEF_MAX_OPTIONS * sizeof *codes);
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	if (codes == NULL)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	rc = kto_db_query(db, &st, "SELECT value FROM json_each(?)", "t", json);
	if (rc != KTO_OK)
		return rc;
	ans->n_codes = 0;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    ans->n_codes < KTO_DEF_MAX_OPTIONS) {
		const char *c = (const char *)sqlite3_column_text(st, 0);

		if (c != NULL && (codes[ans->n_codes] = kto_arena_strdup(a, c)) != NULL)
			ans->n_codes++;
	}
	kto_db_query_done(st);
	ans->codes = codes;
	return rc;
}

enum kto_rc
kto_answer_from_row(struct kto_db *db, sqlite3_stmt *st, const struct kto_question *q,
                struct kto_arena *a, struct kto_answer *ans)
{
	const char *text = (const char *)sqlite3_column_text(st, 2);

	memset(ans, 0, sizeof *ans);
	if (sqlite3_column_int(st, 3) != 0) {
		ans->state = KTO_ANSWER_DONT_KNOW;
		return KTO_OK;
	}
	ans->state = KTO_ANSWER_VALUE;
	ans->num = sqlite3_column_double(st, 1);
	switch (q->type) {
	case KTO_Q_MULTI:
		return load_codes(db, text ? text : "[]", a, ans);
	case KTO_Q_YESNO:
	case KTO_Q_CHOICE:
		ans->code = text ? kto_arena_strdup(a, text) : NULL;
		break;
	case KTO_Q_TEXT:
	case KTO_Q_OPEN:
	case KTO_Q_DATE:
		ans->text = text ? kto_arena_strdup(a, text) : NULL;
		break;
	default:
		break;
	}
	return KTO_OK;
}

enum kto_rc
kto_response_answers(struct kto_db *db, const struct kto_respondent *r,
                     const struct kto_survey *s, struct kto_arena *a,
                     struct kto_answer *answers)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	memset(answers, 0, s->n_questions * sizeof *answers);
	if (r->response_id == 0)
		return KTO_OK;
	rc = kto_db_query(db, &st, "SELECT item, value_num, value_text, "
	    "dont_know FROM answer WHERE response_id = ?", "i", r->response_id);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		const struct kto_question *q = kto_survey_question(s,
		    (const char *)sqlite3_column_text(st, 0));

		/* A question a later version dropped: not shown, kept stored. */
		if (q != NULL && (rc = kto_answer_from_row(db, st, q, a,
		    &answers[q->index])) != KTO_OK)
			break;
	}
	kto_db_query_done(st);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Saving                                                                  */

/* The stored text of an answer: a code, a text, a JSON array; NULL for none. */
static enum kto_rc
answer_text(const struct kto_question *q, const struct kto_answer *ans,
            struct kto_buf *out, const char **text)
{
	struct kto_json j;

	*text = NULL;
	switch (q->type) {
	case KTO_Q_MULTI:
		kto_buf_reset(out);
		kto_json_init(&j, out, false);
		kto_json_array_begin(&j);
		for (size_t i = 0; i < ans->n_codes; i++)
			kto_json_string(&j, ans->codes[i]);
		kto_json_array_end(&j);
		if (kto_json_finish(&j) != KTO_OK)
			return KTO_ENOMEM;
		*text = kto_buf_str(out);
		break;
	case KTO_Q_YESNO:
	case KTO_Q_CHOICE:
		*text = ans->code;
		break;
	case KTO_Q_TEXT:
	case KTO_Q_OPEN:
	case KTO_Q_DATE:
		*text = ans->text;
		break;
	default:
		break;
	}
	return KTO_OK;
}

/*
** What an open answer is stored as when masking it hit PCRE2's limits (a
** hostile text, HARDENING.md F4): it cannot be shown to be free of
** personal data, so it is not kept.
*/
#define OPEN_UNMASKABLE "[tekst niet bewaard: niet te controleren op " \
	"persoonsgegevens]"

/*
** An open answer as stored: masked (engine/mask) unless the team's setting
** keeps the originals (engine/privacy), so that the typed BSN or phone
** number never reaches the database file.  *text points into masked.
*/
static enum kto_rc
mask_open_answer(struct kto_db *db, struct kto_buf *masked, const char **text)
{
	enum kto_rc rc;

	kto_buf_reset(masked);
	rc = kto_mask_text(*text, masked, NULL);
	if (rc == KTO_ELIMIT)
		rc = kto_buf_adds(masked, OPEN_UNMASKABLE);
	if (rc != KTO_OK)
		return kto_db_seterr(db, rc, "masking an open answer: %s",
		    kto_strerror(rc));
	*text = kto_buf_str(masked);
	return KTO_OK;
}

/*
** Replaces the stored answer to q with ans (or with none); mask_open: store
** open answers masked.
*/
static enum kto_rc
write_answer(struct kto_db *db, int64_t response_id, const struct kto_question *q,
             const struct kto_answer *ans, struct kto_buf *scratch,
             bool mask_open)
{
	const char *text;
	bool has_num = q->type == KTO_Q_MARK || q->type == KTO_Q_SCALE ||
	    q->type == KTO_Q_NUMBER || q->type == KTO_Q_DATE;
	enum kto_rc rc = kto_db_exec(db, "DELETE FROM answer WHERE response_id = ? "
	    "AND item = ?", "it", response_id, q->id);

	if (rc != KTO_OK || ans->state == KTO_ANSWER_NONE)
		return rc;
	if (ans->state == KTO_ANSWER_DONT_KNOW)
		return kto_db_exec(db, "INSERT INTO answer (response_id, item, "
		    "dont_know) VALUES (?, ?, 1)", "it", response_id, q->id);
	if (answer_text(q, ans, scratch, &text) != KTO_OK)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory");
	if (q->type == KTO_Q_OPEN && mask_open && text != NULL &&
	    (rc = mask_open_answer(db, scratch, &text)) != KTO_OK)
		return rc;
	if (has_num)
		return kto_db_exec(db, "INSERT INTO answer (response_id, item, "
		    "value_num, value_text) VALUES (?, ?, ?, ?)", "itdt", response_id,
		    q->id, ans->num, text);
	return kto_db_exec(db, "INSERT INTO answer (response_id, item, value_text) "
	    "VALUES (?, ?, ?)", "itt", response_id, q->id, text);
}

struct save {
	struct kto_respondent *r;
	const struct kto_survey *s;
	size_t page;
	const struct kto_answer *answers;
	int next_page;
	bool complete, *completed_now;
};

/* The response row, created when need be; its id and state. */
static enum kto_rc
response_row(struct kto_db *db, struct kto_respondent *r)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	/* Two tabs may both get here first: the UNIQUE keys keep one row. */
	if (r->by_session)
		rc = kto_db_exec(db, "INSERT INTO response (wave_id, municipality_id, "
		    "channel, def_version_id, session_key, language, desk) SELECT w.id, "
		    "w.municipality_id, 'counter', ?, ?, ?, nullif(?, '') FROM wave w "
		    "WHERE w.id = ? ON CONFLICT (session_key) DO NOTHING", "ibtti",
		    r->def_version_id, r->session_key, sizeof r->session_key,
		    r->language, r->desk, r->inv.wave_id);
	else
		rc = kto_db_exec(db, "INSERT INTO response (wave_id, municipality_id, "
		    "channel, def_version_id, invitation_id, language) SELECT "
		    "i.wave_id, w.municipality_id, i.channel, ?, i.id, ? FROM "
		    "invitation i JOIN wave w ON w.id = i.wave_id WHERE i.id = ? ON "
		    "CONFLICT (invitation_id) DO NOTHING", "iti", r->def_version_id,
		    r->language, r->inv.id);
	if (rc != KTO_OK)
		return rc;
	if (r->by_session)
		rc = kto_db_query(db, &st, "SELECT r.id, r.state = 'complete', "
		    "w.state FROM response r JOIN wave w ON w.id = r.wave_id WHERE "
		    "r.session_key = ?", "b", r->session_key, sizeof r->session_key);
	else
		rc = kto_db_query(db, &st, "SELECT r.id, r.state = 'complete', "
		    "w.state FROM response r JOIN wave w ON w.id = r.wave_id WHERE "
		    "r.invitation_id = ?", "i", r->inv.id);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		r->response_id = sqlite3_column_int64(st, 0);
		r->complete = sqlite3_column_int(st, 1) != 0;
		kto_db_column_copy(st, 2, r->inv.wave_state, sizeof r->inv.wave_state);
	} else if (rc == KTO_OK) {
		rc = kto_db_seterr(db, KTO_EINTERNAL, "the response was not stored");
	}
	kto_db_query_done(st);
	return rc;
}

static enum kto_rc
complete(struct kto_db *db, struct kto_respondent *r, bool *completed_now)
{
	struct kto_datetime t;
	char now[24];
	enum kto_rc rc;

	kto_db_now(db, &t);
	kto_datetime_format(&t, now);
	rc = kto_db_exec(db, "UPDATE response SET state = 'complete', "
	    "completed_at = ? WHERE id = ? AND state = 'draft'", "ti", now,
	    r->response_id);

	if (rc != KTO_OK)
		return rc;
	*completed_now = sqlite3_changes(db->sqlite) > 0;
	r->complete = true;
	if (!*completed_now || r->by_session)
		return KTO_OK;
	/* responded_at also stops the reminder (engine/outbox). */
	return kto_db_exec(db, "UPDATE invitation SET responded_at = ?, state = "
	    "CASE WHEN state IN ('queued', 'invited', 'reminded') THEN 'responded' "
	    "ELSE state END WHERE id = ?", "ti", now, r->inv.id);
}

static enum kto_rc
save_txn(struct kto_db *db, void *arg)
{
	struct save *sv = arg;
	const struct kto_page *pg = &sv->s->pages[sv->page];
	struct kto_buf scratch = KTO_BUF_INIT(1u << 16);
	size_t first = sv->complete ? 0 : pg->first_question;
	size_t n = sv->complete ? sv->s->n_questions : pg->n_questions;
	bool keep_open;
	enum kto_rc rc;

	*sv->completed_now = false;
	if ((rc = response_row(db, sv->r)) != KTO_OK)
		return rc;
	if (strcmp(sv->r->inv.wave_state, "closed") == 0)
		return kto_db_seterr(db, KTO_ESTATE, "the survey is closed");
	if (sv->r->complete)
		return KTO_OK;        /* the second press of the last button */
	if ((rc = kto_privacy_keep_open_originals(db, &keep_open)) != KTO_OK)
		return rc;
	/* Completing writes every question: the hidden ones come back empty. */
	for (size_t i = first; i < first + n && rc == KTO_OK; i++)
		rc = write_answer(db, sv->r->response_id, &sv->s->questions[i],
		    &sv->answers[i], &scratch, !keep_open);
	kto_buf_release(&scratch);
	if (rc == KTO_OK)
		rc = kto_db_exec(db, "UPDATE response SET page = ?, language = ? "
		    "WHERE id = ?", "iti", (int64_t)sv->next_page, sv->r->language,
		    sv->r->response_id);
	if (rc == KTO_OK && sv->complete)
		rc = complete(db, sv->r, sv->completed_now);
	return rc;
}

enum kto_rc
kto_response_save_job(struct kto_arena *a, struct kto_respondent *r,
                      const struct kto_survey *s, size_t page,
                      const struct kto_answer *answers, int next_page,
                      bool complete, kto_write_fn *fn, void **arg)
{
	struct save *sv = kto_arena_alloc(a, sizeof *sv + sizeof(bool));

	if (sv == NULL)
		return KTO_ENOMEM;
	if (page >= s->n_pages)
		return KTO_EINPUT;
	*sv = (struct save){ r, s, page, answers, next_page, complete,
	    (bool *)(void *)(sv + 1) };
	*fn = save_txn;
	*arg = sv;
	return KTO_OK;
}

enum kto_rc
kto_response_save(struct kto_db *db, struct kto_respondent *r,
                  const struct kto_survey *s, size_t page,
                  const struct kto_answer *answers, int next_page,
                  bool complete, bool *completed_now)
{
	struct save sv = { r, s, page, answers, next_page, complete, completed_now };
	bool ignored;

	if (completed_now == NULL)
		sv.completed_now = &ignored;
	if (page >= s->n_pages)
		return kto_db_seterr(db, KTO_EINPUT, "the questionnaire has no page %zu",
		    page + 1);
	return kto_db_transaction(db, save_txn, &sv);
}
