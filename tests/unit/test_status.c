/*
** base/status: kto_strerror and the kto_err message carrier.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/status.h"

static void
test_strerror_every_code(void **state)
{
	static const struct { enum kto_rc rc; const char *text; } want[] = {
		{ KTO_OK, "ok" },
		{ KTO_EINPUT, "invalid input" },
		{ KTO_ENOTFOUND, "not found" },
		{ KTO_EEXISTS, "already exists" },
		{ KTO_ESTATE, "not allowed in the current state" },
		{ KTO_ELIMIT, "limit exceeded" },
		{ KTO_ESCHEMA, "unsupported database" },
		{ KTO_EIO, "input/output error" },
		{ KTO_EBUSY, "database busy" },
		{ KTO_EFULL, "disk or database full" },
		{ KTO_ENOMEM, "out of memory" },
		{ KTO_EDB, "database error" },
		{ KTO_EPERM, "permission denied" },
		{ KTO_EINTERNAL, "internal error" },
	};
	size_t n = sizeof want / sizeof want[0];

	(void)state;
	/* The table above must cover every code: a new code needs a text. */
	assert_int_equal(n, KTO_RC_COUNT);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(want[i].rc, i);
		assert_string_equal(kto_strerror(want[i].rc), want[i].text);
	}
}

static void
test_strerror_distinct(void **state)
{
	(void)state;
	for (int a = 0; a < KTO_RC_COUNT; a++) {
		assert_non_null(kto_strerror((enum kto_rc)a));
		assert_true(strlen(kto_strerror((enum kto_rc)a)) > 0);
		for (int b = a + 1; b < KTO_RC_COUNT; b++)
			assert_string_not_equal(kto_strerror((enum kto_rc)a),
			    kto_strerror((enum kto_rc)b));
	}
}

static void
test_strerror_out_of_range(void **state)
{
	(void)state;
	/*
	** Only values an enum kto_rc can represent (0..15): larger ones would
	** trip clang's -fsanitize=enum in the test itself.
	*/
	assert_string_equal(kto_strerror(KTO_RC_COUNT), "unknown error");
	assert_string_equal(kto_strerror((enum kto_rc)(KTO_RC_COUNT + 1)),
	    "unknown error");
}

static void
test_err_set_returns_rc_and_formats(void **state)
{
	struct kto_err err = KTO_ERR_INIT;

	(void)state;
	assert_int_equal(err.rc, KTO_OK);
	assert_string_equal(err.msg, "");
	assert_int_equal(kto_err_set(&err, KTO_EINPUT, "line %d: '%s'", 7, "x"),
	    KTO_EINPUT);
	assert_int_equal(err.rc, KTO_EINPUT);
	assert_string_equal(err.msg, "line 7: 'x'");
	assert_string_equal(kto_err_msg(&err), "line 7: 'x'");

	/* A second set replaces the first. */
	assert_int_equal(kto_err_set(&err, KTO_ENOTFOUND, "gone"), KTO_ENOTFOUND);
	assert_int_equal(err.rc, KTO_ENOTFOUND);
	assert_string_equal(kto_err_msg(&err), "gone");
}

static void
test_err_msg_falls_back_to_strerror(void **state)
{
	struct kto_err err = KTO_ERR_INIT;

	(void)state;
	assert_string_equal(kto_err_msg(&err), "ok");
	err.rc = KTO_EBUSY;
	assert_string_equal(kto_err_msg(&err), "database busy");
	/* An empty message also falls back. */
	kto_err_set(&err, KTO_EIO, "%s", "");
	assert_string_equal(kto_err_msg(&err), "input/output error");
}

static void
test_err_clear(void **state)
{
	struct kto_err err;

	(void)state;
	memset(&err, 'x', sizeof err);
	kto_err_clear(&err);
	assert_int_equal(err.rc, KTO_OK);
	assert_string_equal(err.msg, "");
	assert_string_equal(kto_err_msg(&err), "ok");

	kto_err_set(&err, KTO_EDB, "boom");
	kto_err_clear(&err);
	assert_int_equal(err.rc, KTO_OK);
	assert_string_equal(kto_err_msg(&err), "ok");

	kto_err_clear(NULL);    /* allowed; must not crash */
}

static void
test_err_null(void **state)
{
	(void)state;
	assert_int_equal(kto_err_set(NULL, KTO_EPERM, "no %s", "way"), KTO_EPERM);
	assert_int_equal(kto_err_set(NULL, KTO_OK, "fine"), KTO_OK);
}

static void
test_err_truncates(void **state)
{
	struct kto_err err = KTO_ERR_INIT;
	char big[3 * KTO_ERR_MAX];

	(void)state;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	kto_err_set(&err, KTO_ELIMIT, "%s", big);
	assert_int_equal(err.rc, KTO_ELIMIT);
	assert_int_equal(strlen(err.msg), KTO_ERR_MAX - 1);
	assert_int_equal(err.msg[0], 'a');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_every_code),
		cmocka_unit_test(test_strerror_distinct),
		cmocka_unit_test(test_strerror_out_of_range),
		cmocka_unit_test(test_err_set_returns_rc_and_formats),
		cmocka_unit_test(test_err_msg_falls_back_to_strerror),
		cmocka_unit_test(test_err_clear),
		cmocka_unit_test(test_err_null),
		cmocka_unit_test(test_err_truncates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
