/*
** base/strparse: strict integer and decimal parsing.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <string.h>

#include "base/strparse.h"

#define SENTINEL_I 0x5eed
#define SENTINEL_D -12345.5

/* Expects s to be refused, with *out left alone. */
static void
refuse_i64(const char *s, int64_t min, int64_t max)
{
	int64_t v = SENTINEL_I;

	if (kto_parse_i64(s, min, max, &v) != KTO_EINPUT) {
		print_error("kto_parse_i64(\"%s\") was accepted\n", s ? s : "(null)");
		fail();
	}
	assert_int_equal(v, SENTINEL_I);
}

static void
refuse_double(const char *s, double min, double max)
{
	double v = SENTINEL_D;

	if (kto_parse_double(s, min, max, &v) != KTO_EINPUT) {
		print_error("kto_parse_double(\"%s\") was accepted as %.17g\n",
		    s ? s : "(null)", v);
		fail();
	}
	assert_true(v == SENTINEL_D);
}

static int64_t
accept_i64(const char *s, int64_t min, int64_t max)
{
	int64_t v = SENTINEL_I;

	assert_int_equal(kto_parse_i64(s, min, max, &v), KTO_OK);
	return v;
}

static double
accept_double(const char *s, double min, double max)
{
	double v = SENTINEL_D;

	assert_int_equal(kto_parse_double(s, min, max, &v), KTO_OK);
	return v;
}

static void
test_i64_valid(void **state)
{
	(void)state;
	assert_true(accept_i64("0", INT64_MIN, INT64_MAX) == 0);
	assert_true(accept_i64("42", INT64_MIN, INT64_MAX) == 42);
	assert_true(accept_i64("-42", INT64_MIN, INT64_MAX) == -42);
	assert_true(accept_i64("007", INT64_MIN, INT64_MAX) == 7);
	assert_true(accept_i64("9223372036854775807", INT64_MIN, INT64_MAX) ==
	    INT64_MAX);
	assert_true(accept_i64("-9223372036854775808", INT64_MIN, INT64_MAX) ==
	    INT64_MIN);
}

static void
test_i64_junk(void **state)
{
	(void)state;
	refuse_i64(NULL, INT64_MIN, INT64_MAX);
	refuse_i64("", INT64_MIN, INT64_MAX);
	refuse_i64("abc", INT64_MIN, INT64_MAX);
	refuse_i64("-", INT64_MIN, INT64_MAX);
	refuse_i64("--1", INT64_MIN, INT64_MAX);
	refuse_i64("12abc", INT64_MIN, INT64_MAX);
	refuse_i64("12.0", INT64_MIN, INT64_MAX);
	refuse_i64("12,0", INT64_MIN, INT64_MAX);
	refuse_i64("1e3", INT64_MIN, INT64_MAX);
	refuse_i64("0x10", INT64_MIN, INT64_MAX);
	refuse_i64("1 2", INT64_MIN, INT64_MAX);
}

static void
test_i64_spaces_and_plus(void **state)
{
	(void)state;
	refuse_i64(" 12", INT64_MIN, INT64_MAX);
	refuse_i64("\t12", INT64_MIN, INT64_MAX);
	refuse_i64("\n12", INT64_MIN, INT64_MAX);
	refuse_i64("12 ", INT64_MIN, INT64_MAX);
	refuse_i64("12\n", INT64_MIN, INT64_MAX);
	refuse_i64("- 12", INT64_MIN, INT64_MAX);
	refuse_i64("+12", INT64_MIN, INT64_MAX);
	refuse_i64("-+12", INT64_MIN, INT64_MAX);
}

static void
test_i64_overflow(void **state)
{
	(void)state;
	refuse_i64("9223372036854775808", INT64_MIN, INT64_MAX);
	refuse_i64("-9223372036854775809", INT64_MIN, INT64_MAX);
	refuse_i64("99999999999999999999999", INT64_MIN, INT64_MAX);
	refuse_i64("-99999999999999999999999", INT64_MIN, INT64_MAX);
}

static void
test_i64_range(void **state)
{
	(void)state;
	assert_true(accept_i64("1", 1, 4) == 1);
	assert_true(accept_i64("4", 1, 4) == 4);
	refuse_i64("0", 1, 4);
	refuse_i64("5", 1, 4);
	refuse_i64("-1", 0, INT64_MAX);
	assert_true(accept_i64("-3", -3, -1) == -3);
	refuse_i64("-4", -3, -1);
	refuse_i64("0", -3, -1);
}

static void
test_double_valid(void **state)
{
	(void)state;
	assert_true(accept_double("0.3", -1e9, 1e9) == 0.3);
	assert_true(accept_double("0,3", -1e9, 1e9) == 0.3);
	assert_true(accept_double("-2,5", -1e9, 1e9) == -2.5);
	assert_true(accept_double("42", -1e9, 1e9) == 42.0);
	assert_true(accept_double("0", -1e9, 1e9) == 0.0);
	assert_true(accept_double(".5", -1e9, 1e9) == 0.5);
	assert_true(accept_double(",5", -1e9, 1e9) == 0.5);
	assert_true(accept_double("1e3", -1e9, 1e9) == 1000.0);
	assert_true(accept_double("2,5e-1", -1e9, 1e9) == 0.25);
	assert_true(accept_double("1.7976931348623157e308", -DBL_MAX, DBL_MAX) ==
	    DBL_MAX);
}

static void
test_double_comma_and_point(void **state)
{
	(void)state;
	refuse_double("1,000.5", -1e9, 1e9);
	refuse_double("1.000,5", -1e9, 1e9);
	refuse_double("1,2,3", -1e9, 1e9);
	refuse_double("1.2.3", -1e9, 1e9);
	refuse_double(",", -1e9, 1e9);
	refuse_double(".", -1e9, 1e9);
}

static void
test_double_inf_nan_hex(void **state)
{
	(void)state;
	refuse_double("inf", -DBL_MAX, DBL_MAX);
	refuse_double("INF", -DBL_MAX, DBL_MAX);
	refuse_double("-inf", -DBL_MAX, DBL_MAX);
	refuse_double("infinity", -DBL_MAX, DBL_MAX);
	refuse_double("-Infinity", -DBL_MAX, DBL_MAX);
	refuse_double("nan", -DBL_MAX, DBL_MAX);
	refuse_double("NaN", -DBL_MAX, DBL_MAX);
	refuse_double("-nan", -DBL_MAX, DBL_MAX);
	refuse_double("0x1p3", -DBL_MAX, DBL_MAX);
	refuse_double("0X10", -DBL_MAX, DBL_MAX);
	refuse_double("-0x1,8p1", -DBL_MAX, DBL_MAX);
	/* Beyond double: strtod says ERANGE, or the result is infinite. */
	refuse_double("1e999", -DBL_MAX, DBL_MAX);
	refuse_double("-1e999", -DBL_MAX, DBL_MAX);
}

static void
test_double_junk(void **state)
{
	char longnum[80];

	(void)state;
	refuse_double(NULL, -1e9, 1e9);
	refuse_double("", -1e9, 1e9);
	refuse_double("abc", -1e9, 1e9);
	refuse_double("-", -1e9, 1e9);
	refuse_double(" 1", -1e9, 1e9);
	refuse_double("1 ", -1e9, 1e9);
	refuse_double("+1", -1e9, 1e9);
	refuse_double("1.5x", -1e9, 1e9);
	refuse_double("1e", -1e9, 1e9);
	refuse_double("3 4", -1e9, 1e9);
	/* Longer than any number a person types. */
	memset(longnum, '1', sizeof longnum - 1);
	longnum[sizeof longnum - 1] = '\0';
	refuse_double(longnum, -DBL_MAX, DBL_MAX);
}

static void
test_double_range(void **state)
{
	(void)state;
	assert_true(accept_double("0", 0, 1) == 0.0);
	assert_true(accept_double("1", 0, 1) == 1.0);
	assert_true(accept_double("0,3", 0, 1) == 0.3);
	refuse_double("1,5", 0, 1);
	refuse_double("1.0000001", 0, 1);
	refuse_double("-0,1", 0, 1);
	refuse_double("-0.0001", 0, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i64_valid),
		cmocka_unit_test(test_i64_junk),
		cmocka_unit_test(test_i64_spaces_and_plus),
		cmocka_unit_test(test_i64_overflow),
		cmocka_unit_test(test_i64_range),
		cmocka_unit_test(test_double_valid),
		cmocka_unit_test(test_double_comma_and_point),
		cmocka_unit_test(test_double_inf_nan_hex),
		cmocka_unit_test(test_double_junk),
		cmocka_unit_test(test_double_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
