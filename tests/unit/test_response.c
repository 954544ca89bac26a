/*
** engine/response on its own connection (the path without a commit
** group): answers saved per page and read back by type, completion once,
** a closed wave, and the open link's session respondents.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/diag.h"
#include "engine/contacts.h"
#include "engine/db.h"
#include "engine/db_int.h"
#include "engine/defstore.h"
#include "engine/municipality.h"
#include "engine/response.h"
#include "engine/wave.h"
#include "engine/sampling.h"
#include "tests/unit/testutil.h"

#define ACTOR "cli:unit-test"

static const char def[] =
    "survey kto-balie\n  channel: counter\n  title: T\n  overall: M1\n"
    "page een\n  title: Een\n"
    "question C1 choice\n  text: Waarvoor?\n  options:\n    a  A\n    b  B\n"
    "question MU multi\n  text: Wat?\n  options:\n    x  X\n    y  Y\n    z  Z\n"
    "page twee\n  title: Twee\n"
    "question M1 mark\n  text: Cijfer\n  area: TOT\n  required: yes\n  dont-know: yes\n"
    "question O1 open\n  text: Beter?\n"
    "mail invitation\n  subject: S\n  body: {link} {optout_link}\n";

/* A sampled wave of GM0001 with two invitations; their tokens. */
static void
world(struct kto_db *db, char tokens[2][32])
{
	tu_two_invitations(db, def, tokens);
}

static void
test_pages_saved_and_read_back(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_arena a = KTO_ARENA_INIT(1 << 20);
	char tokens[2][32];
	struct kto_respondent r;
	const struct kto_survey *s;
	struct kto_answer ans[4], back[4];
	static const char *const codes[] = { "x", "z" };
	bool now_done;

	world(f->db, tokens);
	assert_int_equal(kto_respondent_find(f->db, "AAAAAAAAAAAAAAAAAAAAAA", &r),
	    KTO_ENOTFOUND);
	assert_int_equal(kto_respondent_find(f->db, tokens[0], &r), KTO_OK);
	assert_int_equal(r.response_id, 0);
	assert_int_equal(kto_respondent_survey(f->db, &r, &s), KTO_OK);
	assert_int_equal(s->n_questions, 4);

	memset(ans, 0, sizeof ans);
	ans[0] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .code = "b" };
	ans[1] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .codes = codes,
	    .n_codes = 2 };
	assert_int_equal(kto_response_save(f->db, &r, s, 0, ans, 1, false, &now_done),
	    KTO_OK);
	assert_false(now_done);
	ans[2] = (struct kto_answer){ .state = KTO_ANSWER_DONT_KNOW };
	ans[3] = (struct kto_answer){ .state = KTO_ANSWER_VALUE,
	    .text = "<b>meer</b> \"balies\"" };
	assert_int_equal(kto_response_save(f->db, &r, s, 1, ans, 1, false, NULL),
	    KTO_OK);

	/* A new visit finds the page to return to and every answer. */
	assert_int_equal(kto_respondent_find(f->db, tokens[0], &r), KTO_OK);
	assert_true(r.response_id > 0);
	assert_int_equal(r.page, 1);
	assert_false(r.complete);
	assert_int_equal(kto_response_answers(f->db, &r, s, &a, back), KTO_OK);
	assert_string_equal(back[0].code, "b");
	assert_int_equal(back[1].n_codes, 2);
	assert_string_equal(back[1].codes[0], "x");
	assert_string_equal(back[1].codes[1], "z");
	assert_int_equal(back[2].state, KTO_ANSWER_DONT_KNOW);
	assert_string_equal(back[3].text, "<b>meer</b> \"balies\"");

	/* Completing: once; the second time changes nothing. */
	ans[2] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .num = 8 };
	assert_int_equal(kto_response_save(f->db, &r, s, 1, ans, 1, true, &now_done),
	    KTO_OK);
	assert_true(now_done);
	ans[2].num = 3;
	assert_int_equal(kto_response_save(f->db, &r, s, 1, ans, 1, true, &now_done),
	    KTO_OK);
	assert_false(now_done);
	assert_int_equal(tu_query_int(f->db, "SELECT value_num FROM answer WHERE "
	    "item = 'M1'"), 8);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM invitation WHERE "
	    "state = 'responded' AND responded_at IS NOT NULL"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM response"), 1);
	kto_respondent_survey_release(s);
	kto_arena_release(&a);
}

static void
test_closed_wave_takes_nothing(void **state)
{
	struct tu_fixture *f = *state;
	char tokens[2][32];
	struct kto_respondent r;
	const struct kto_survey *s;
	struct kto_answer ans[4];

	world(f->db, tokens);
	assert_int_equal(kto_wave_close(f->db, ACTOR, 1), KTO_OK);
	assert_int_equal(kto_respondent_find(f->db, tokens[1], &r), KTO_OK);
	assert_string_equal(r.inv.wave_state, "closed");
	assert_int_equal(kto_respondent_survey(f->db, &r, &s), KTO_OK);
	memset(ans, 0, sizeof ans);
	assert_int_equal(kto_response_save(f->db, &r, s, 0, ans, 1, false, NULL),
	    KTO_ESTATE);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM response"), 0);
	kto_respondent_survey_release(s);
}

static void
test_open_link_sessions(void **state)
{
	struct tu_fixture *f = *state;
	char tokens[2][32];
	struct kto_respondent r;
	const struct kto_survey *s;
	struct kto_answer ans[4];
	bool now_done;

	world(f->db, tokens);
	assert_int_equal(kto_respondent_open_link(f->db, "GM9999", "", "BBBBBBBBBBBBBBBBBBBBBB",
	    &r), KTO_ENOTFOUND);
	assert_int_equal(kto_respondent_open_link(f->db, "gm0001", "balie-2",
	    "BBBBBBBBBBBBBBBBBBBBBB", &r), KTO_OK);
	assert_true(r.by_session);
	assert_int_equal(kto_respondent_survey(f->db, &r, &s), KTO_OK);
	memset(ans, 0, sizeof ans);
	ans[2] = (struct kto_answer){ .state = KTO_ANSWER_VALUE, .num = 7 };
	assert_int_equal(kto_response_save(f->db, &r, s, 1, ans, 1, true, &now_done),
	    KTO_OK);
	assert_true(now_done);
	/* The same session again: its one response, complete. */
	assert_int_equal(kto_respondent_open_link(f->db, "GM0001", "balie-2",
	    "BBBBBBBBBBBBBBBBBBBBBB", &r), KTO_OK);
	assert_true(r.complete);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM response WHERE "
	    "invitation_id IS NULL AND desk = 'balie-2' AND channel = 'counter' "
	    "AND state = 'complete'"), 1);
	/* No invitation was touched. */
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM invitation "
	    "WHERE responded_at IS NOT NULL"), 0);
	kto_respondent_survey_release(s);
	/* Without a wave in fieldwork: KTO_ESTATE, naming the municipality. */
	assert_int_equal(kto_wave_close(f->db, ACTOR, 1), KTO_OK);
	assert_int_equal(kto_respondent_open_link(f->db, "GM0001", "",
	    "CCCCCCCCCCCCCCCCCCCCCC", &r), KTO_ESTATE);
	assert_string_equal(r.inv.municipality_name, "Testdorp");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pages_saved_and_read_back,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_closed_wave_takes_nothing,
		    tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_open_link_sessions, tu_db_setup,
		    tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
