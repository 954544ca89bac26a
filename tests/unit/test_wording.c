/*
** report/wording: how marks and comparisons are put in Dutch.  The rule
** that matters most: "hoger" and "lager" only for a significant
** difference; "gelijk aan" otherwise, and "niet te vergelijken" when no
** comparison was made.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "report/wording.h"

static void
test_marks(void **state)
{
	char s[16];

	(void)state;
	kto_fmt_mark(7.449, s, sizeof s);
	assert_string_equal(s, "7,4");
	kto_fmt_mark(7.45001, s, sizeof s);
	assert_string_equal(s, "7,5");
	kto_fmt_mark(10, s, sizeof s);
	assert_string_equal(s, "10,0");
	kto_fmt_mark(NAN, s, sizeof s);
	assert_string_equal(s, "-");
	/* No "-0,0": a sign without a digit to carry it misleads. */
	kto_fmt_mark(-0.04, s, sizeof s);
	assert_string_equal(s, "0,0");
	kto_fmt_mark_diff(0.34, s, sizeof s);
	assert_string_equal(s, "+0,3");
	kto_fmt_mark_diff(-0.36, s, sizeof s);
	assert_string_equal(s, "-0,4");
	kto_fmt_mark_diff(0.02, s, sizeof s);
	assert_string_equal(s, "0,0");
	kto_fmt_pct(0.424, s, sizeof s);
	assert_string_equal(s, "42%");
	kto_fmt_pct(INFINITY, s, sizeof s);
	assert_string_equal(s, "-");
}

static void
test_comparisons(void **state)
{
	struct kto_result_comparison c;

	(void)state;
	memset(&c, 0, sizeof c);
	assert_string_equal(kto_phrase_comparison(KTO_AGAINST_CIRCLE, NULL),
	    "niet te vergelijken met uw kring");
	assert_string_equal(kto_phrase_comparison(KTO_AGAINST_PREVIOUS, &c),
	    "niet te vergelijken met vorig jaar");
	c.made = true;
	c.diff = 0.6;                 /* a large difference, not significant */
	c.significant = 0;
	assert_string_equal(kto_phrase_comparison(KTO_AGAINST_CIRCLE, &c),
	    "gelijk aan uw kring");
	assert_null(strstr(kto_phrase_comparison(KTO_AGAINST_ALL, &c), "hoger"));
	c.significant = 1;
	assert_string_equal(kto_phrase_comparison(KTO_AGAINST_ALL, &c),
	    "significant hoger dan alle deelnemers");
	c.significant = -1;
	assert_string_equal(kto_phrase_comparison(KTO_AGAINST_PREVIOUS, &c),
	    "significant lager dan vorig jaar");
	assert_string_equal(kto_phrase_comparison_en(KTO_AGAINST_PREVIOUS, &c),
	    "significantly lower than last year");
}

static void
test_labels(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(kto_variable_label("TOT", buf, sizeof buf), "totaaloordeel");
	assert_string_equal(kto_variable_label("area:BEJ", buf, sizeof buf), "bejegening");
	assert_string_equal(kto_variable_label("norm:N4", buf, sizeof buf), "norm N4");
	assert_string_equal(kto_variable_label("B10", buf, sizeof buf), "B10");
	assert_string_equal(kto_phrase_flag("too_few"), "te weinig waarnemingen");
	assert_string_equal(kto_phrase_flag("indicative"), "indicatief");
	assert_string_equal(kto_phrase_flag("ok"), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_comparisons),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
