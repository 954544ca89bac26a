/*
** engine/circle: comparison circles, and the code and name rules of
** engine/naming as circles apply them.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/circle.h"
#include "engine/db.h"
#include "engine/municipality.h"
#include "tests/unit/testutil.h"

#define ACTOR "cli:unit-test"

static int64_t
circles(struct kto_db *db)
{
	return tu_query_int(db, "SELECT count(*) FROM circle");
}

static int64_t
audit_rows(struct kto_db *db)
{
	return tu_query_int(db, "SELECT count(*) FROM audit_log");
}

/* Expects add to fail with want and to change nothing. */
static void
refuse_add(struct kto_db *db, const char *code, const char *name,
           enum kto_rc want, const char *says)
{
	int64_t before = circles(db), audit = audit_rows(db);
	int64_t id = -7;

	if (kto_circle_add(db, ACTOR, code, name, &id) != want) {
		print_error("circle '%s' / '%s' was not refused with %s\n",
		    code ? code : "(null)", name ? name : "(null)", kto_strerror(want));
		fail();
	}
	assert_int_equal(kto_db_err(db)->rc, want);
	if (says != NULL)
		assert_contains(kto_db_errmsg(db), says);
	assert_int_equal(id, -7);
	assert_int_equal(circles(db), before);
	assert_int_equal(audit_rows(db), audit);
}

static void
test_add_find(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_circle c;
	int64_t id = 0;

	assert_int_equal(kto_circle_add(f->db, ACTOR, "kring-c", "Kring C", &id),
	    KTO_OK);
	assert_true(id > 0);
	memset(&c, 0, sizeof c);
	assert_int_equal(kto_circle_find(f->db, "kring-c", &c), KTO_OK);
	assert_int_equal(c.id, id);
	assert_string_equal(c.code, "kring-c");
	assert_string_equal(c.name, "Kring C");
	assert_int_equal(c.members, 0);

	/* Codes compare case-insensitively; the stored spelling is kept. */
	memset(&c, 0, sizeof c);
	assert_int_equal(kto_circle_find(f->db, "KRING-C", &c), KTO_OK);
	assert_int_equal(c.id, id);
	assert_string_equal(c.code, "kring-c");

	/* id_out may be NULL. */
	assert_int_equal(kto_circle_add(f->db, ACTOR, "K2", "Kring 2", NULL), KTO_OK);
	assert_int_equal(circles(f->db), 2);
}

static void
test_find_unknown(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_circle c;

	assert_int_equal(kto_circle_find(f->db, "nope", &c), KTO_ENOTFOUND);
	assert_int_equal(kto_db_err(f->db)->rc, KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "nope");
}

static void
test_duplicate(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_circle c;

	assert_int_equal(kto_circle_add(f->db, ACTOR, "kring-c", "Kring C", NULL),
	    KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM1", "Een",
	    "kring-c", NULL), KTO_OK);
	refuse_add(f->db, "kring-c", "Other", KTO_EEXISTS, "Kring C");
	refuse_add(f->db, "KRING-C", "Other", KTO_EEXISTS, "kring-c");
	/* The message names the existing record, with its members. */
	assert_contains(kto_db_errmsg(f->db), "Kring C");
	assert_contains(kto_db_errmsg(f->db), "1 member");
	refuse_add(f->db, "Kring-C", "Kring C", KTO_EEXISTS, "already exists");
	assert_int_equal(kto_circle_find(f->db, "kring-c", &c), KTO_OK);
	assert_string_equal(c.name, "Kring C");
}

static void
test_bad_codes(void **state)
{
	struct tu_fixture *f = *state;
	char code33[34], code32[33];

	memset(code33, 'a', 33);
	code33[33] = '\0';
	memset(code32, 'b', 32);
	code32[32] = '\0';

	refuse_add(f->db, "", "Name", KTO_EINPUT, "empty");
	refuse_add(f->db, NULL, "Name", KTO_EINPUT, "empty");
	refuse_add(f->db, code33, "Name", KTO_EINPUT, "at most 32");
	refuse_add(f->db, "-kring", "Name", KTO_EINPUT, "start");
	refuse_add(f->db, "_kring", "Name", KTO_EINPUT, "start");
	refuse_add(f->db, "kring c", "Name", KTO_EINPUT, "position 6");
	refuse_add(f->db, " kring", "Name", KTO_EINPUT, NULL);
	refuse_add(f->db, "kring\t", "Name", KTO_EINPUT, NULL);
	refuse_add(f->db, "kr\xc3\xa9ng", "Name", KTO_EINPUT, NULL);    /* é */
	refuse_add(f->db, "kr\xffng", "Name", KTO_EINPUT, NULL);
	refuse_add(f->db, "a/b", "Name", KTO_EINPUT, NULL);
	refuse_add(f->db, "a.b", "Name", KTO_EINPUT, NULL);
	refuse_add(f->db, "a'b", "Name", KTO_EINPUT, NULL);
	refuse_add(f->db, "a;b", "Name", KTO_EINPUT, NULL);
	/* The message says what a code may contain. */
	refuse_add(f->db, "x y", "Name", KTO_EINPUT, "letters, digits");

	/* Boundaries that are fine. */
	assert_int_equal(kto_circle_add(f->db, ACTOR, code32, "Name", NULL), KTO_OK);
	assert_int_equal(kto_circle_add(f->db, ACTOR, "a", "Name", NULL), KTO_OK);
	assert_int_equal(kto_circle_add(f->db, ACTOR, "9_-Z", "Name", NULL), KTO_OK);
	assert_int_equal(kto_circle_add(f->db, ACTOR, "a-", "Name", NULL), KTO_OK);
	assert_int_equal(circles(f->db), 4);
}

static void
test_bad_names(void **state)
{
	struct tu_fixture *f = *state;
	char name201[202], name200[201];

	memset(name201, 'n', 201);
	name201[201] = '\0';
	memset(name200, 'n', 200);
	name200[200] = '\0';

	refuse_add(f->db, "k1", "", KTO_EINPUT, "empty");
	refuse_add(f->db, "k1", NULL, KTO_EINPUT, "empty");
	refuse_add(f->db, "k1", "   ", KTO_EINPUT, "empty");
	refuse_add(f->db, "k1", " \t ", KTO_EINPUT, "empty");
	refuse_add(f->db, "k1", "Kring\nC", KTO_EINPUT, "control");
	refuse_add(f->db, "k1", "Kring C\r", KTO_EINPUT, "control");
	refuse_add(f->db, "k1", "Kring\x7f", KTO_EINPUT, "control");
	refuse_add(f->db, "k1", "\x1b[31mKring", KTO_EINPUT, "control");
	refuse_add(f->db, "k1", "Kring \xff", KTO_EINPUT, "UTF-8");
	refuse_add(f->db, "k1", "Kring \xc0\xaf", KTO_EINPUT, "UTF-8");
	refuse_add(f->db, "k1", "Kring \xed\xa0\x80", KTO_EINPUT, "UTF-8");
	refuse_add(f->db, "k1", "Kring \xc3", KTO_EINPUT, "UTF-8");
	refuse_add(f->db, "k1", name201, KTO_EINPUT, "at most 200");

	assert_int_equal(kto_circle_add(f->db, ACTOR, "k1", name200, NULL), KTO_OK);
	assert_int_equal(kto_circle_add(f->db, ACTOR, "k2", "Kring\tC", NULL), KTO_OK);
	assert_int_equal(kto_circle_add(f->db, ACTOR, "k3",
	    "Sint-Oedenrode \"test\" \xc3\xa9", NULL), KTO_OK);
	{
		struct kto_circle c;

		assert_int_equal(kto_circle_find(f->db, "k1", &c), KTO_OK);
		assert_string_equal(c.name, name200);
		assert_int_equal(kto_circle_find(f->db, "k3", &c), KTO_OK);
		assert_string_equal(c.name, "Sint-Oedenrode \"test\" \xc3\xa9");
	}
}

static void
test_list(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_circle *list = (struct kto_circle *)&list;
	size_t n = 99;

	/* Empty: NULL and 0. */
	assert_int_equal(kto_circle_list(f->db, &list, &n), KTO_OK);
	assert_null(list);
	assert_int_equal(n, 0);

	assert_int_equal(kto_circle_add(f->db, ACTOR, "b", "Bee", NULL), KTO_OK);
	assert_int_equal(kto_circle_add(f->db, ACTOR, "C", "Cee", NULL), KTO_OK);
	assert_int_equal(kto_circle_add(f->db, ACTOR, "a", "Ay", NULL), KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM1", "Een", "b", NULL),
	    KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM2", "Twee", "B", NULL),
	    KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM3", "Drie", "a", NULL),
	    KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM4", "Vier", NULL, NULL),
	    KTO_OK);

	assert_int_equal(kto_circle_list(f->db, &list, &n), KTO_OK);
	assert_int_equal(n, 3);
	assert_non_null(list);
	/* Ordered by code, case-insensitively (the column is NOCASE). */
	assert_string_equal(list[0].code, "a");
	assert_string_equal(list[0].name, "Ay");
	assert_int_equal(list[0].members, 1);
	assert_string_equal(list[1].code, "b");
	assert_string_equal(list[1].name, "Bee");
	assert_int_equal(list[1].members, 2);
	assert_string_equal(list[2].code, "C");
	assert_int_equal(list[2].members, 0);
	assert_true(list[0].id != list[1].id && list[1].id != list[2].id);
	free(list);
}

static void
test_list_many(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_circle *list = NULL;
	size_t n = 0;
	char code[16];

	/* More than the first allocation of kto_db_collect. */
	for (int i = 0; i < 40; i++) {
		snprintf(code, sizeof code, "c%02d", i);
		assert_int_equal(kto_circle_add(f->db, ACTOR, code, "Name", NULL), KTO_OK);
	}
	assert_int_equal(kto_circle_list(f->db, &list, &n), KTO_OK);
	assert_int_equal(n, 40);
	for (int i = 0; i < 40; i++) {
		snprintf(code, sizeof code, "c%02d", i);
		assert_string_equal(list[i].code, code);
	}
	free(list);
}

static void
test_audit(void **state)
{
	struct tu_fixture *f = *state;
	int64_t id = 0;

	assert_int_equal(audit_rows(f->db), 0);
	assert_int_equal(kto_circle_add(f->db, ACTOR, "kring-c", "Kring C", &id),
	    KTO_OK);
	assert_int_equal(audit_rows(f->db), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log WHERE "
	    "actor = '" ACTOR "' AND action = 'circle.add' AND subject = 'kring-c' "
	    "AND detail = 'Kring C' AND municipality_id IS NULL AND at LIKE '20%Z'"),
	    1);
	/* Failed adds leave no trace (refuse_add checks the count too). */
	refuse_add(f->db, "KRING-C", "Again", KTO_EEXISTS, NULL);
	refuse_add(f->db, "bad code", "X", KTO_EINPUT, NULL);
	assert_int_equal(audit_rows(f->db), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_find_unknown, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_bad_codes, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_list, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_list_many, tu_db_setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_audit, tu_db_setup, tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
