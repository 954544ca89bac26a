/*
** stats/describe: n, missing, mean, sample SD, min and max.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "stats/describe.h"
#include "tests/unit/testutil.h"

#define TOL 1e-12

/* HARDENING G1 */
static void
test_empty(void **state)
{
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(NULL, 0, &d), KTO_OK);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.missing, 0);
	/* Not 0, which is what gsl_stats_mean gives for no data (G1). */
	assert_nan(d.mean);
	assert_nan(d.sd);
	assert_nan(d.min);
	assert_nan(d.max);
}

static void
test_all_missing(void **state)
{
	double x[] = { NAN, NAN, NAN };
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(x, 3, &d), KTO_OK);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.missing, 3);
	assert_nan(d.mean);
	assert_nan(d.sd);
	assert_nan(d.min);
	assert_nan(d.max);
}

/* HARDENING G2 */
static void
test_one_value(void **state)
{
	double x[] = { 7.0 };
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(x, 1, &d), KTO_OK);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.missing, 0);
	assert_close(d.mean, 7.0, 0);
	assert_nan(d.sd);               /* like R's sd(7): NA, never 0 (G2) */
	assert_close(d.min, 7.0, 0);
	assert_close(d.max, 7.0, 0);
}

static void
test_one_value_among_missing(void **state)
{
	double x[] = { NAN, 4.0, NAN };
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(x, 3, &d), KTO_OK);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.missing, 2);
	assert_close(d.mean, 4.0, 0);
	assert_nan(d.sd);
}

/* HARDENING G3 */
static void
test_all_equal(void **state)
{
	double x[] = { 3.25, 3.25, 3.25, 3.25, 3.25 };
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(x, 5, &d), KTO_OK);
	assert_int_equal(d.n, 5);
	assert_close(d.mean, 3.25, 0);
	assert_true(d.sd == 0.0);       /* exactly 0, not a tiny residue (G3) */
	assert_close(d.min, 3.25, 0);
	assert_close(d.max, 3.25, 0);
}

/* HARDENING G4 */
static void
test_missing_not_zero(void **state)
{
	/* If NaN were coded as 0 the mean would be 1, not 2 (G4). */
	double x[] = { 1.0, NAN, 3.0, NAN };
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(x, 4, &d), KTO_OK);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.missing, 2);
	assert_close(d.mean, 2.0, TOL);
	assert_close(d.sd, sqrt(2.0), TOL);
	assert_close(d.min, 1.0, 0);
	assert_close(d.max, 3.0, 0);
}

static void
test_known_values(void **state)
{
	/*
	** mean = 40 / 8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
	** sample variance 32 / 7.
	*/
	double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(x, 8, &d), KTO_OK);
	assert_int_equal(d.n, 8);
	assert_int_equal(d.missing, 0);
	assert_close(d.mean, 5.0, TOL);
	assert_close(d.sd, sqrt(32.0 / 7.0), TOL);
	assert_close(d.sd, 2.1380899352993950, TOL);
	assert_close(d.min, 2.0, 0);
	assert_close(d.max, 9.0, 0);
}

static void
test_known_values_marks(void **state)
{
	/*
	** Report marks 1..10 with "weet niet" as NaN: present 6, 7, 8, 9, 10;
	** mean 8, squared deviations 4+1+0+1+4 = 10, variance 10 / 4 = 2.5.
	*/
	double x[] = { 6, NAN, 7, 8, NAN, 9, 10 };
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(x, 7, &d), KTO_OK);
	assert_int_equal(d.n, 5);
	assert_int_equal(d.missing, 2);
	assert_close(d.mean, 8.0, TOL);
	assert_close(d.sd, sqrt(2.5), TOL);
	assert_close(d.min, 6.0, 0);
	assert_close(d.max, 10.0, 0);
}

static void
test_negative_and_unsorted(void **state)
{
	/* mean 0; squared deviations 9+1+1+9 = 20; variance 20 / 3. */
	double x[] = { 3, -1, -3, 1 };
	struct kto_describe d;

	(void)state;
	assert_int_equal(kto_describe(x, 4, &d), KTO_OK);
	assert_close(d.mean, 0.0, TOL);
	assert_close(d.sd, sqrt(20.0 / 3.0), TOL);
	assert_close(d.min, -3.0, 0);
	assert_close(d.max, 3.0, 0);
}

static void
test_large_offset(void **state)
{
	/*
	** A one-pass sum of squares loses everything here (x^2 ~ 1e18, where
	** doubles are 128 apart); a careful two-pass variance gives the same SD
	** as for 4, 7, 13, 16: mean 10, squared deviations 36+9+9+36 = 90,
	** variance 30.
	*/
	double shifted[] = { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 };
	double plain[] = { 4, 7, 13, 16 };
	struct kto_describe ds, dp;

	(void)state;
	assert_int_equal(kto_describe(plain, 4, &dp), KTO_OK);
	assert_int_equal(kto_describe(shifted, 4, &ds), KTO_OK);
	assert_close(dp.sd, sqrt(30.0), TOL);
	assert_close(ds.sd, dp.sd, TOL);
	assert_close(ds.mean, 1e9 + 10, 1e-6);
	assert_close(ds.min, 1e9 + 4, 0);
	assert_close(ds.max, 1e9 + 16, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_all_missing),
		cmocka_unit_test(test_one_value),
		cmocka_unit_test(test_one_value_among_missing),
		cmocka_unit_test(test_all_equal),
		cmocka_unit_test(test_missing_not_zero),
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_known_values_marks),
		cmocka_unit_test(test_negative_and_unsorted),
		cmocka_unit_test(test_large_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
