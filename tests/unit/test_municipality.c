/*
** engine/municipality: registering, finding, listing and changing
** municipalities, and the audit trail they leave.
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
municipalities(struct kto_db *db)
{
	return tu_query_int(db, "SELECT count(*) FROM municipality");
}

static int64_t
audit_rows(struct kto_db *db)
{
	return tu_query_int(db, "SELECT count(*) FROM audit_log");
}

static int64_t
members(struct kto_db *db, const char *circle)
{
	struct kto_circle c;

	assert_int_equal(kto_circle_find(db, circle, &c), KTO_OK);
	return c.members;
}

/* Per test: a database with circles kring-a and kring-b. */
static int
setup(void **state)
{
	struct tu_fixture *f;

	if (tu_db_setup(state) != 0)
		return -1;
	f = *state;
	if (kto_circle_add(f->db, ACTOR, "kring-a", "Kring A", NULL) != KTO_OK ||
	    kto_circle_add(f->db, ACTOR, "kring-b", "Kring B", NULL) != KTO_OK) {
		tu_db_teardown(state);
		return -1;
	}
	return 0;
}

/* Expects add to fail with want and to change nothing. */
static void
refuse_add(struct kto_db *db, const char *code, const char *name,
           const char *circle, enum kto_rc want, const char *says)
{
	int64_t before = municipalities(db), audit = audit_rows(db);
	int64_t id = -7;

	if (kto_municipality_add(db, ACTOR, code, name, circle, &id) != want) {
		print_error("municipality '%s' / '%s' was not refused with %s\n",
		    code ? code : "(null)", name ? name : "(null)", kto_strerror(want));
		fail();
	}
	assert_int_equal(kto_db_err(db)->rc, want);
	if (says != NULL)
		assert_contains(kto_db_errmsg(db), says);
	assert_int_equal(id, -7);
	assert_int_equal(municipalities(db), before);
	assert_int_equal(audit_rows(db), audit);
}

static void
test_add_find(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;
	int64_t id = 0, id2 = 0;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0375", "Beverwijk",
	    "kring-a", &id), KTO_OK);
	assert_true(id > 0);
	memset(&m, 0x55, sizeof m);
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_OK);
	assert_int_equal(m.id, id);
	assert_string_equal(m.code, "GM0375");
	assert_string_equal(m.name, "Beverwijk");
	assert_string_equal(m.circle_code, "kring-a");
	assert_string_equal(m.circle_name, "Kring A");
	/* ISO 8601 UTC, e.g. 2026-11-23T18:40:00Z. */
	assert_int_equal(strlen(m.created_at), 20);
	assert_int_equal(m.created_at[10], 'T');
	assert_int_equal(m.created_at[19], 'Z');

	/* Case-insensitive lookup; the circle code too. */
	assert_int_equal(kto_municipality_find(f->db, "gm0375", &m), KTO_OK);
	assert_int_equal(m.id, id);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "KRING-B", &id2), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.circle_code, "kring-b");
	assert_true(id2 != id);
}

static void
test_add_without_circle(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0534", "Hillegom",
	    NULL, NULL), KTO_OK);
	memset(&m, 0x55, sizeof m);
	assert_int_equal(kto_municipality_find(f->db, "GM0534", &m), KTO_OK);
	assert_string_equal(m.name, "Hillegom");
	assert_string_equal(m.circle_code, "");
	assert_string_equal(m.circle_name, "");
	assert_int_equal(members(f->db, "kring-a"), 0);
}

static void
test_find_unknown(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;

	assert_int_equal(kto_municipality_find(f->db, "GM9999", &m), KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "GM9999");
}

static void
test_duplicate(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0375", "Beverwijk",
	    "kring-a", NULL), KTO_OK);
	refuse_add(f->db, "GM0375", "Other", NULL, KTO_EEXISTS, "Beverwijk");
	refuse_add(f->db, "gm0375", "Other", "kring-b", KTO_EEXISTS, "GM0375");
	/* The message names the existing record and its circle. */
	assert_contains(kto_db_errmsg(f->db), "Beverwijk");
	assert_contains(kto_db_errmsg(f->db), "kring-a");
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_OK);
	assert_string_equal(m.name, "Beverwijk");
	assert_string_equal(m.circle_code, "kring-a");

	/* Without a circle, the message still names it. */
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0473", "Zandvoort",
	    NULL, NULL), KTO_OK);
	refuse_add(f->db, "GM0473", "Z", NULL, KTO_EEXISTS, "Zandvoort");
}

static void
test_unknown_circle(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality m;

	refuse_add(f->db, "GM0375", "Beverwijk", "kring-x", KTO_ENOTFOUND,
	    "kring-x");
	assert_int_equal(kto_municipality_find(f->db, "GM0375", &m), KTO_ENOTFOUND);
}

static void
test_bad_codes_and_names(void **state)
{
	struct tu_fixture *f = *state;
	char code33[34], name201[202];

	memset(code33, 'G', 33);
	code33[33] = '\0';
	memset(name201, 'n', 201);
	name201[201] = '\0';

	refuse_add(f->db, "", "Name", NULL, KTO_EINPUT, "municipality code");
	refuse_add(f->db, code33, "Name", NULL, KTO_EINPUT, "at most 32");
	refuse_add(f->db, "-GM1", "Name", NULL, KTO_EINPUT, "start");
	refuse_add(f->db, "GM 1", "Name", NULL, KTO_EINPUT, NULL);
	refuse_add(f->db, "GM\xc3\xa9", "Name", NULL, KTO_EINPUT, NULL);
	refuse_add(f->db, "GM1", "", NULL, KTO_EINPUT, "municipality name");
	refuse_add(f->db, "GM1", "  ", NULL, KTO_EINPUT, "empty");
	refuse_add(f->db, "GM1", "Bever\nwijk", NULL, KTO_EINPUT, "control");
	refuse_add(f->db, "GM1", "Bever\rwijk", NULL, KTO_EINPUT, "control");
	refuse_add(f->db, "GM1", "Beverwijk\x7f", NULL, KTO_EINPUT, "control");
	refuse_add(f->db, "GM1", "Beverw\xffjk", NULL, KTO_EINPUT, "UTF-8");
	refuse_add(f->db, "GM1", name201, NULL, KTO_EINPUT, "at most 200");
	/* A bad code is refused before the circle is looked up. */
	refuse_add(f->db, "bad code", "Name", "kring-x", KTO_EINPUT, NULL);
}

static void
test_list(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality *list = NULL;
	size_t n = 99;

	assert_int_equal(kto_municipality_list(f->db, NULL, &list, &n), KTO_OK);
	assert_null(list);
	assert_int_equal(n, 0);

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM3", "Drie",
	    "kring-a", NULL), KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM1", "Een",
	    "kring-b", NULL), KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM2", "Twee",
	    "kring-a", NULL), KTO_OK);
	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0", "Nul",
	    NULL, NULL), KTO_OK);

	assert_int_equal(kto_municipality_list(f->db, NULL, &list, &n), KTO_OK);
	assert_int_equal(n, 4);
	assert_string_equal(list[0].code, "GM0");
	assert_string_equal(list[0].circle_code, "");
	assert_string_equal(list[1].code, "GM1");
	assert_string_equal(list[1].name, "Een");
	assert_string_equal(list[1].circle_code, "kring-b");
	assert_string_equal(list[1].circle_name, "Kring B");
	assert_string_equal(list[2].code, "GM2");
	assert_string_equal(list[3].code, "GM3");
	free(list);

	/* Filtered by circle (its code case-insensitively). */
	list = NULL;
	assert_int_equal(kto_municipality_list(f->db, "KRING-A", &list, &n), KTO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].code, "GM2");
	assert_string_equal(list[1].code, "GM3");
	assert_string_equal(list[0].circle_code, "kring-a");
	assert_string_equal(list[1].circle_code, "kring-a");
	free(list);

	/* A circle nobody is in: empty, not an error. */
	assert_int_equal(kto_circle_add(f->db, ACTOR, "kring-c", "Kring C", NULL),
	    KTO_OK);
	list = (struct kto_municipality *)&list;
	assert_int_equal(kto_municipality_list(f->db, "kring-c", &list, &n), KTO_OK);
	assert_null(list);
	assert_int_equal(n, 0);

	/* An unknown circle is an error that says which. */
	list = (struct kto_municipality *)&list;
	n = 99;
	assert_int_equal(kto_municipality_list(f->db, "kring-x", &list, &n),
	    KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "kring-x");
	assert_null(list);
	assert_int_equal(n, 0);
}

static void
test_members(void **state)
{
	struct tu_fixture *f = *state;
	char code[16];

	for (int i = 0; i < 11; i++) {
		snprintf(code, sizeof code, "GM%04d", i);
		assert_int_equal(kto_municipality_add(f->db, ACTOR, code, "Gemeente",
		    i < 7 ? "kring-a" : "kring-b", NULL), KTO_OK);
	}
	assert_int_equal(members(f->db, "kring-a"), 7);
	assert_int_equal(members(f->db, "kring-b"), 4);
}

static void
test_update_rename(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = { "Bussum (Gooise Meren)", NULL };
	struct kto_municipality m;
	int64_t audit;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	audit = audit_rows(f->db);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "gm0381", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Bussum (Gooise Meren)");
	assert_string_equal(m.circle_code, "kring-a");   /* unchanged */
	assert_int_equal(audit_rows(f->db), audit + 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.rename' AND subject = 'GM0381' AND "
	    "detail = 'Bussum (Gooise Meren)' AND actor = '" ACTOR "' AND "
	    "municipality_id = (SELECT id FROM municipality WHERE code = 'GM0381')"),
	    1);
}

static void
test_update_move(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = { NULL, "kring-b" };
	struct kto_municipality m;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	assert_int_equal(members(f->db, "kring-a"), 1);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Bussum");           /* unchanged */
	assert_string_equal(m.circle_code, "kring-b");
	assert_string_equal(m.circle_name, "Kring B");
	assert_int_equal(members(f->db, "kring-a"), 0);
	assert_int_equal(members(f->db, "kring-b"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.move' AND subject = 'GM0381' AND "
	    "detail = 'kring-b'"), 1);
}

static void
test_update_no_circle(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = { NULL, "" };
	struct kto_municipality m;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.circle_code, "");
	assert_string_equal(m.circle_name, "");
	assert_int_equal(members(f->db, "kring-a"), 0);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM municipality "
	    "WHERE code = 'GM0381' AND circle_id IS NULL"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log "
	    "WHERE action = 'municipality.move' AND subject = 'GM0381'"), 1);

	/* And back into a circle. */
	ch.circle_code = "kring-a";
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch), KTO_OK);
	assert_int_equal(members(f->db, "kring-a"), 1);
}

static void
test_update_both_atomic(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes ch = { "Nieuwe naam", "kring-x" };
	struct kto_municipality m;
	int64_t audit;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	audit = audit_rows(f->db);
	/* The move fails, so the rename in the same call must not stick. */
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch),
	    KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "kring-x");
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Bussum");
	assert_string_equal(m.circle_code, "kring-a");
	assert_int_equal(audit_rows(f->db), audit);

	/* Both valid: both applied. */
	ch.circle_code = "kring-b";
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &ch), KTO_OK);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Nieuwe naam");
	assert_string_equal(m.circle_code, "kring-b");
	assert_int_equal(audit_rows(f->db), audit + 2);
}

static void
test_update_errors(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_municipality_changes bad_name = { "Bad\nname", NULL };
	struct kto_municipality_changes blank = { "   ", NULL };
	struct kto_municipality_changes rename = { "X", NULL };
	struct kto_municipality m;
	int64_t audit;

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0381", "Bussum",
	    "kring-a", NULL), KTO_OK);
	audit = audit_rows(f->db);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM9999", &rename),
	    KTO_ENOTFOUND);
	assert_contains(kto_db_errmsg(f->db), "GM9999");
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &bad_name),
	    KTO_EINPUT);
	assert_int_equal(kto_municipality_update(f->db, ACTOR, "GM0381", &blank),
	    KTO_EINPUT);
	assert_int_equal(kto_municipality_find(f->db, "GM0381", &m), KTO_OK);
	assert_string_equal(m.name, "Bussum");
	assert_int_equal(audit_rows(f->db), audit);
}

static void
test_audit_add(void **state)
{
	struct tu_fixture *f = *state;
	int64_t id = 0, before = audit_rows(f->db);

	assert_int_equal(kto_municipality_add(f->db, ACTOR, "GM0375", "Beverwijk",
	    "kring-a", &id), KTO_OK);
	assert_int_equal(audit_rows(f->db), before + 1);
	assert_int_equal(tu_query_int(f->db, "SELECT municipality_id FROM audit_log "
	    "WHERE action = 'municipality.add' AND subject = 'GM0375' AND "
	    "detail = 'Beverwijk' AND actor = '" ACTOR "'"), id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_add_without_circle, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_find_unknown, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_circle, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_bad_codes_and_names, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_members, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_rename, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_move, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_no_circle, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_both_atomic, setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_update_errors, setup, tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_audit_add, setup, tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
