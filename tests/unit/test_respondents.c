/*
** engine/respondents: the strata, complete responses, definition versions
** and answers of a scope, as the exports read them.  Above all: open and
** text answers stored unmasked (as older databases, or the privacy setting
** that keeps originals, hold them) reach a callback only masked, or
** withheld without their text when the masking cannot finish; drafts are
** never read.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/diag.h"
#include "engine/db.h"
#include "engine/defstore.h"
#include "engine/municipality.h"
#include "engine/respondents.h"
#include "engine/wave.h"
#include "tests/unit/testutil.h"

#define ACTOR "cli:unit-test"

/* Question indexes of def. */
enum { C1, MU, M1, O1, N_QUESTIONS };

static const char def[] =
    "survey kto-balie\n  channel: counter\n  title: T\n  overall: M1\n"
    "page een\n  title: Een\n"
    "question C1 choice\n  text: Waarvoor?\n  options:\n    a  A\n    b  B\n"
    "question MU multi\n  text: Wat?\n  options:\n    x  X\n    y  Y\n    z  Z\n"
    "page twee\n  title: Twee\n"
    "question M1 mark\n  text: Cijfer\n  area: TOT\n  required: yes\n  dont-know: yes\n"
    "question O1 open\n  text: Beter?\n"
    "mail invitation\n  subject: S\n  body: {link} {optout_link}\n";

#define SECRET "GEHEIM-concept"
#define TYPED "bel 06-12345678 of mail piet@voorbeeld.nl"
#define MASKED "bel [telefoonnummer] of mail [e-mail]"

/* Phone numbers whose masks make the text longer than the reader keeps. */
static char *
too_long_when_masked(void)
{
	static const char one[] = "0612345678 ";
	size_t n = KTO_RESPONDENTS_TEXT_MAX / 16 + 1, len = sizeof one - 1;
	char *s = malloc(n * len + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * len, one, len);
	s[n * len] = '\0';
	return s;
}

static void
exec(struct kto_db *db, const char *sql)
{
	assert_int_equal(tu_sql(db, sql), 0);
}

static int64_t
add_wave(struct kto_db *db, const char *code, const char *name, const char *from)
{
	struct kto_wave_spec s;
	int64_t id;

	assert_int_equal(kto_municipality_add(db, ACTOR, code, name, NULL, NULL), KTO_OK);
	kto_wave_spec_init(&s);
	s.municipality = code;
	s.from = from;
	s.to = "2026-11-20";
	s.channel[KTO_CHANNEL_COUNTER] = true;
	s.has_seed = true;
	s.seed = 1;
	assert_int_equal(kto_wave_create(db, ACTOR, &s, &id), KTO_OK);
	return id;
}

/*
** GM0001 (wave 1) with two complete responses and a draft, GM0002 (wave
** 2) with one complete response; the answers written as stored, raw.
*/
static void
world(struct kto_db *db)
{
	struct kto_datetime now;
	struct kto_def_version v;
	struct kto_diags d;
	bool created;
	char *hostile = too_long_when_masked();
	struct kto_buf b = KTO_BUF_INIT(4 << 20);

	assert_true(kto_datetime_parse("2026-11-20T12:00:00", &now));
	kto_db_set_now(db, &now);
	kto_diags_init(&d);
	assert_int_equal(kto_def_load(db, ACTOR, "t.kto", def, strlen(def), &v,
	    &created, &d), KTO_OK);
	kto_diags_release(&d);
	assert_int_equal(add_wave(db, "GM0001", "Testdorp", "2026-11-01"), 1);
	assert_int_equal(add_wave(db, "GM0002", "Anderdorp", "2026-11-02"), 2);
	exec(db, "UPDATE wave_channel SET population = 40 WHERE wave_id = 1");
	/* Ids out of the strata's order: 5 (GM0002), 7, 9 (draft), 11. */
	exec(db, "INSERT INTO response (id, wave_id, municipality_id, channel, "
	    "def_version_id, state, language, completed_at, desk) VALUES "
	    "(5, 2, 2, 'counter', 1, 'complete', 'en', '2026-11-18T09:00:00Z', NULL), "
	    "(7, 1, 1, 'counter', 1, 'complete', 'nl', '2026-11-19T10:00:00Z', 'balie-2'), "
	    "(9, 1, 1, 'counter', 1, 'draft', 'nl', NULL, NULL), "
	    "(11, 1, 1, 'counter', 1, 'complete', 'nl', '2026-11-19T11:00:00Z', NULL)");
	exec(db, "INSERT INTO answer (response_id, item, value_num, value_text, "
	    "dont_know) VALUES (5, 'M1', 9, NULL, 0), "
	    "(7, 'C1', NULL, 'b', 0), (7, 'MU', NULL, '[\"x\",\"z\"]', 0), "
	    "(7, 'M1', NULL, NULL, 1), (7, 'O1', NULL, '" TYPED "', 0), "
	    "(9, 'O1', NULL, '" SECRET "', 0), (11, 'M1', 7, NULL, 0)");
	assert_int_equal(kto_buf_adds(&b, "INSERT INTO answer (response_id, item, "
	    "value_text) VALUES (11, 'O1', '"), KTO_OK);
	assert_int_equal(kto_buf_adds(&b, hostile), KTO_OK);
	assert_int_equal(kto_buf_adds(&b, "')"), KTO_OK);
	exec(db, kto_buf_str(&b));
	kto_buf_release(&b);
	free(hostile);
}

struct seen {
	size_t n;
	int64_t ids[8], waves[8];
	char codes[8][16], names[8][32];
	double population[8];
	enum kto_rc stop_after_first;
};

static enum kto_rc
see_stratum(void *ctx, const struct kto_respondents_stratum *s)
{
	struct seen *w = ctx;

	assert_true(w->n < 8);
	assert_int_equal(s->channel, KTO_CHANNEL_COUNTER);
	w->waves[w->n] = s->wave_id;
	w->population[w->n] = s->population;
	snprintf(w->codes[w->n], sizeof w->codes[0], "%s", s->municipality);
	snprintf(w->names[w->n], sizeof w->names[0], "%s", s->municipality_name);
	w->n++;
	return KTO_OK;
}

static void
test_strata_of_a_scope(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_respondents_scope year = { 0, 2026, NULL };
	struct kto_respondents_scope one = { 0, 2026, "GM0002" };
	struct kto_respondents_scope wave = { 1, 0, NULL };
	struct kto_respondents_scope none = { 0, 1999, NULL };
	struct seen w;

	world(f->db);
	memset(&w, 0, sizeof w);
	assert_int_equal(kto_respondents_strata(f->db, &year, see_stratum, &w), KTO_OK);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.codes[0], "GM0001");
	assert_string_equal(w.names[0], "Testdorp");
	assert_int_equal(w.waves[0], 1);
	assert_close(w.population[0], 40, 0);
	assert_string_equal(w.codes[1], "GM0002");
	assert_int_equal(w.waves[1], 2);
	assert_close(w.population[1], 0, 0);      /* not known */

	memset(&w, 0, sizeof w);
	assert_int_equal(kto_respondents_strata(f->db, &one, see_stratum, &w), KTO_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.names[0], "Anderdorp");
	memset(&w, 0, sizeof w);
	assert_int_equal(kto_respondents_strata(f->db, &wave, see_stratum, &w), KTO_OK);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.waves[0], 1);
	memset(&w, 0, sizeof w);
	assert_int_equal(kto_respondents_strata(f->db, &none, see_stratum, &w), KTO_OK);
	assert_int_equal(w.n, 0);
}

static enum kto_rc
see_ref(void *ctx, const struct kto_respondents_ref *r)
{
	struct seen *w = ctx;

	assert_true(w->n < 8);
	assert_int_equal(r->channel, KTO_CHANNEL_COUNTER);
	w->ids[w->n] = r->response_id;
	w->waves[w->n++] = r->wave_id;
	return w->n == 1 ? w->stop_after_first : KTO_OK;
}

static enum kto_rc
see_version(void *ctx, int64_t version_id)
{
	struct seen *w = ctx;

	w->ids[w->n++] = version_id;
	return KTO_OK;
}

static void
test_complete_responses_by_id(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_respondents_scope year = { 0, 2026, NULL };
	struct kto_respondents_scope one = { 0, 2026, "GM0001" };
	struct seen w;

	world(f->db);
	memset(&w, 0, sizeof w);
	assert_int_equal(kto_respondents_list(f->db, &year, see_ref, &w), KTO_OK);
	assert_int_equal(w.n, 3);                 /* not the draft, 9 */
	assert_int_equal(w.ids[0], 5);
	assert_int_equal(w.waves[0], 2);
	assert_int_equal(w.ids[1], 7);
	assert_int_equal(w.ids[2], 11);
	memset(&w, 0, sizeof w);
	assert_int_equal(kto_respondents_list(f->db, &one, see_ref, &w), KTO_OK);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.ids[0], 7);
	/* A callback's error stops the walk and comes back. */
	memset(&w, 0, sizeof w);
	w.stop_after_first = KTO_EINPUT;
	assert_int_equal(kto_respondents_list(f->db, &year, see_ref, &w), KTO_EINPUT);
	assert_int_equal(w.n, 1);

	memset(&w, 0, sizeof w);
	assert_int_equal(kto_respondents_versions(f->db, &year, see_version, &w), KTO_OK);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.ids[0], tu_query_int(f->db, "SELECT id FROM "
	    "survey_def_version"));
}

struct rows {
	size_t n;
	int64_t ids[8];
	bool checked_7, checked_11;
	enum kto_rc stop_with;
};

/* No text handed out may be the raw one, or any part of what was typed. */
static void
assert_no_raw_text(const struct kto_respondents_row *r)
{
	for (size_t i = 0; i < r->survey->n_questions; i++) {
		const char *t = r->answers[i].text;

		if (t == NULL)
			continue;
		assert_null(strstr(t, "06-12345678"));
		assert_null(strstr(t, "0612345678"));
		assert_null(strstr(t, "piet@voorbeeld.nl"));
		assert_null(strstr(t, SECRET));
	}
}

static enum kto_rc
see_row(void *ctx, const struct kto_respondents_row *r)
{
	struct rows *w = ctx;
	const struct kto_answer *a = r->answers;

	assert_true(w->n < 8);
	w->ids[w->n++] = r->response_id;
	assert_int_equal(r->survey->n_questions, N_QUESTIONS);
	assert_int_equal(r->version_id, 1);
	assert_no_raw_text(r);
	if (r->response_id == 5) {
		assert_string_equal(r->language, "en");
		assert_string_equal(r->desk, "");
		assert_string_equal(r->completed_at, "2026-11-18T09:00:00Z");
		assert_int_equal(a[M1].state, KTO_ANSWER_VALUE);
		assert_close(a[M1].num, 9, 0);
		assert_int_equal(a[O1].state, KTO_ANSWER_NONE);
		assert_int_equal(a[C1].state, KTO_ANSWER_NONE);
	} else if (r->response_id == 7) {
		assert_string_equal(r->desk, "balie-2");
		assert_string_equal(a[C1].code, "b");
		assert_int_equal(a[MU].n_codes, 2);
		assert_string_equal(a[MU].codes[1], "z");
		assert_int_equal(a[M1].state, KTO_ANSWER_DONT_KNOW);
		assert_int_equal(a[O1].state, KTO_ANSWER_VALUE);
		assert_false(r->withheld[O1]);
		assert_string_equal(a[O1].text, MASKED);
		w->checked_7 = true;
	} else if (r->response_id == 11) {
		/* The masked text would pass the limit: withheld, no text. */
		assert_close(a[M1].num, 7, 0);
		assert_int_equal(a[O1].state, KTO_ANSWER_VALUE);
		assert_true(r->withheld[O1]);
		assert_null(a[O1].text);
		assert_false(r->withheld[M1]);
		w->checked_11 = true;
	}
	return w->stop_with;
}

static void
test_answers_masked_as_read(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_respondents_scope year = { 0, 2026, NULL };
	struct kto_respondents_scope wave = { 2, 0, NULL };
	struct rows w;

	world(f->db);
	/* The draft's text is in the database, never in a callback. */
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM answer WHERE "
	    "value_text = '" SECRET "'"), 1);
	memset(&w, 0, sizeof w);
	assert_int_equal(kto_db_read_begin(f->db), KTO_OK);
	assert_int_equal(kto_respondents_read(f->db, &year, see_row, &w), KTO_OK);
	kto_db_read_end(f->db);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.ids[0], 5);
	assert_int_equal(w.ids[1], 7);
	assert_int_equal(w.ids[2], 11);
	assert_true(w.checked_7);
	assert_true(w.checked_11);

	memset(&w, 0, sizeof w);
	assert_int_equal(kto_respondents_read(f->db, &wave, see_row, &w), KTO_OK);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.ids[0], 5);

	/* A callback's error stops the walk and comes back, nothing leaks. */
	memset(&w, 0, sizeof w);
	w.stop_with = KTO_EIO;
	assert_int_equal(kto_respondents_read(f->db, &year, see_row, &w), KTO_EIO);
	assert_int_equal(w.n, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_strata_of_a_scope,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_complete_responses_by_id,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_answers_masked_as_read,
		    tu_db_setup, tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
