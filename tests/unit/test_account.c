/*
** Unit tests of engine/account (signing in, the per-account limit, signing
** out) and engine/audit's reader, on a fresh database per test.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/account.h"
#include "engine/audit.h"
#include "engine/db.h"
#include "engine/municipality.h"
#include "tests/unit/testutil.h"

#define EMAIL "kcc@example.org"

static void
add_manager(struct kto_db *db, char password[KTO_PASSWORD_CHARS + 1])
{
	assert_int_equal(kto_municipality_add(db, "cli:test", "GM0375", "Beverwijk",
	    NULL, NULL), KTO_OK);
	assert_int_equal(kto_account_add(db, "cli:test", EMAIL, KTO_ROLE_MANAGER,
	    "GM0375", password), KTO_OK);
}

static enum kto_rc
sign_in(struct kto_db *db, const char *email, const char *password)
{
	char cookie[KTO_SECRET_CHARS + 1];
	struct kto_session s;

	return kto_session_start(db, email, password, "192.0.2.1", cookie, &s);
}

static int64_t
count_action(struct kto_db *db, const char *action)
{
	char sql[200];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE action = '%s'",
	    action);
	return tu_query_int(db, sql);
}

static void
test_lock_after_failures(void **state)
{
	struct tu_fixture *f = *state;
	char password[KTO_PASSWORD_CHARS + 1];

	add_manager(f->db, password);
	for (int i = 0; i < KTO_SIGN_IN_FAILURES - 1; i++)
		assert_int_equal(sign_in(f->db, EMAIL, "wrong"), KTO_EPERM);
	assert_int_equal(count_action(f->db, "user.locked"), 0);
	assert_int_equal(sign_in(f->db, EMAIL, "wrong"), KTO_EPERM);
	assert_int_equal(count_action(f->db, "user.locked"), 1);
	/* Locked: the right password too, in any case of the address. */
	assert_int_equal(sign_in(f->db, EMAIL, password), KTO_EPERM);
	assert_int_equal(sign_in(f->db, "KCC@Example.org", password), KTO_EPERM);
	assert_int_equal(count_action(f->db, "user.sign_in_locked"), 2);
	assert_int_equal(count_action(f->db, "user.sign_in"), 0);
	/* Attempts while locked do not prolong it. */
	assert_int_equal(count_action(f->db, "user.sign_in_failed"), KTO_SIGN_IN_FAILURES);
	assert_int_equal(kto_account_unlock(f->db, "cli:test", EMAIL), KTO_OK);
	assert_int_equal(sign_in(f->db, EMAIL, password), KTO_OK);
	assert_int_equal(kto_account_unlock(f->db, "cli:test", "nobody@example.org"),
	    KTO_ENOTFOUND);
}

static void
test_success_resets(void **state)
{
	struct tu_fixture *f = *state;
	char password[KTO_PASSWORD_CHARS + 1];

	add_manager(f->db, password);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < KTO_SIGN_IN_FAILURES - 1; i++)
			assert_int_equal(sign_in(f->db, EMAIL, "wrong"), KTO_EPERM);
		assert_int_equal(sign_in(f->db, EMAIL, password), KTO_OK);
	}
	assert_int_equal(count_action(f->db, "user.locked"), 0);
}

static void
test_old_failures_do_not_count(void **state)
{
	struct tu_fixture *f = *state;
	char password[KTO_PASSWORD_CHARS + 1];

	add_manager(f->db, password);
	for (int i = 0; i < 10; i++)
		assert_int_equal(tu_sql(f->db, "INSERT INTO audit_log (at, actor, action, "
		    "subject) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-16 minutes'), "
		    "'x', 'user.sign_in_failed', '" EMAIL "')"), 0);
	assert_int_equal(sign_in(f->db, EMAIL, password), KTO_OK);
}

static void
test_unknown_and_other_accounts(void **state)
{
	struct tu_fixture *f = *state;
	char password[KTO_PASSWORD_CHARS + 1], other[KTO_PASSWORD_CHARS + 1], sql[300];

	add_manager(f->db, password);
	assert_int_equal(kto_account_add(f->db, "cli:test", "other@example.org",
	    KTO_ROLE_VIEWER, "GM0375", other), KTO_OK);
	for (int i = 0; i < KTO_SIGN_IN_FAILURES + 2; i++)
		assert_int_equal(sign_in(f->db, "nobody@example.org", "x"), KTO_EPERM);
	for (int i = 0; i < KTO_SIGN_IN_FAILURES; i++)
		assert_int_equal(sign_in(f->db, EMAIL, "x"), KTO_EPERM);
	assert_int_equal(sign_in(f->db, "other@example.org", other), KTO_OK);
	assert_int_equal(sign_in(f->db, EMAIL, "a-wrong-secret"), KTO_EPERM);
	/* Never a password in the log, right or wrong. */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE instr(actor || "
	    "action || coalesce(subject, '') || coalesce(detail, ''), '%s') > 0 OR "
	    "instr(coalesce(detail, ''), 'a-wrong-secret') > 0", other);
	assert_int_equal(tu_query_int(f->db, sql), 0);
}

static void
test_sign_out_logged(void **state)
{
	struct tu_fixture *f = *state;
	char password[KTO_PASSWORD_CHARS + 1], cookie[KTO_SECRET_CHARS + 1];
	struct kto_session s;

	add_manager(f->db, password);
	assert_int_equal(kto_session_start(f->db, EMAIL, password, NULL, cookie, &s), KTO_OK);
	assert_int_equal(kto_session_end(f->db, cookie), KTO_OK);
	assert_int_equal(kto_session_end(f->db, cookie), KTO_OK);
	assert_int_equal(count_action(f->db, "user.sign_out"), 1);
	assert_int_equal(tu_query_int(f->db, "SELECT count(*) FROM audit_log a JOIN "
	    "municipality m ON m.id = a.municipality_id WHERE a.action = "
	    "'user.sign_out' AND m.code = 'GM0375'"), 1);
}

struct collected {
	int n;
	char actions[16][64];
	int64_t last_id;
};

static enum kto_rc
collect(void *ctx, const struct kto_audit_entry *e)
{
	struct collected *c = ctx;

	if (c->n < 16)
		snprintf(c->actions[c->n], sizeof c->actions[0], "%s", e->action);
	c->n++;
	c->last_id = e->id;
	return KTO_OK;
}

static void
test_audit_filters(void **state)
{
	struct tu_fixture *f = *state;
	struct kto_audit_filter flt;
	struct collected c;

	assert_int_equal(kto_municipality_add(f->db, "cli:t", "GM0375", "Beverwijk",
	    NULL, NULL), KTO_OK);
	assert_int_equal(kto_audit_code(f->db, "cli:t", "wave.close", "gm0375", "wave 1",
	    NULL), KTO_OK);
	assert_int_equal(kto_audit(f->db, "cli:t", "user.sign_in", 0, "a", NULL), KTO_OK);
	assert_int_equal(kto_audit(f->db, "cli:t", "user.sign_in_failed", 0, "a", NULL),
	    KTO_OK);
	assert_int_equal(kto_audit(f->db, "cli:t", "users.other", 0, "a", NULL), KTO_OK);

	memset(&flt, 0, sizeof flt);
	memset(&c, 0, sizeof c);
	flt.action = "user";
	assert_int_equal(kto_audit_list(f->db, &flt, collect, &c), KTO_OK);
	assert_int_equal(c.n, 2);                 /* not users.other */
	assert_string_equal(c.actions[0], "user.sign_in_failed");   /* newest first */

	memset(&c, 0, sizeof c);
	flt.action = "user.sign_in";
	assert_int_equal(kto_audit_list(f->db, &flt, collect, &c), KTO_OK);
	assert_int_equal(c.n, 1);

	memset(&c, 0, sizeof c);
	memset(&flt, 0, sizeof flt);
	flt.municipality = "GM0375";
	assert_int_equal(kto_audit_list(f->db, &flt, collect, &c), KTO_OK);
	/* municipality.add and wave.close */
	assert_int_equal(c.n, 2);
	assert_string_equal(c.actions[0], "wave.close");

	memset(&c, 0, sizeof c);
	memset(&flt, 0, sizeof flt);
	flt.limit = 2;
	assert_int_equal(kto_audit_list(f->db, &flt, collect, &c), KTO_OK);
	assert_int_equal(c.n, 2);
	flt.before_id = c.last_id;
	flt.limit = 0;
	memset(&c, 0, sizeof c);
	assert_int_equal(kto_audit_list(f->db, &flt, collect, &c), KTO_OK);
	assert_int_equal(c.n, 3);

	memset(&flt, 0, sizeof flt);
	flt.since = "2999-01-01";
	memset(&c, 0, sizeof c);
	assert_int_equal(kto_audit_list(f->db, &flt, collect, &c), KTO_OK);
	assert_int_equal(c.n, 0);
	flt.since = "2000-01-01T10:00";
	flt.until = "2999-12-31";
	assert_int_equal(kto_audit_list(f->db, &flt, collect, &c), KTO_OK);
	assert_int_equal(c.n, 5);
	flt.since = "yesterday";
	assert_int_equal(kto_audit_list(f->db, &flt, collect, &c), KTO_EINPUT);
	assert_non_null(strstr(kto_db_errmsg(f->db), "not a date"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock_after_failures, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_success_resets, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_old_failures_do_not_count, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_other_accounts, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_sign_out_logged, tu_db_setup,
		    tu_db_teardown),
		cmocka_unit_test_setup_teardown(test_audit_filters, tu_db_setup,
		    tu_db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
