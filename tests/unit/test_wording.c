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
	kto_fmt_mark(KTO_LANG_NL, 7.449, s, sizeof s);
	assert_string_equal(s, "7,4");
	kto_fmt_mark(KTO_LANG_NL, 7.45001, s, sizeof s);
	assert_string_equal(s, "7,5");
	kto_fmt_mark(KTO_LANG_NL, 10, s, sizeof s);
	assert_string_equal(s, "10,0");
	kto_fmt_mark(KTO_LANG_NL, NAN, s, sizeof s);
	assert_string_equal(s, "-");
	/* No "-0,0": a sign without a digit to carry it misleads. */
	kto_fmt_mark(KTO_LANG_NL, -0.04, s, sizeof s);
	assert_string_equal(s, "0,0");
	kto_fmt_mark_diff(KTO_LANG_NL, 0.34, s, sizeof s);
	assert_string_equal(s, "+0,3");
	kto_fmt_mark_diff(KTO_LANG_NL, -0.36, s, sizeof s);
	assert_string_equal(s, "-0,4");
	kto_fmt_mark_diff(KTO_LANG_NL, 0.02, s, sizeof s);
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
	assert_string_equal(kto_phrase_comparison(KTO_LANG_NL, KTO_AGAINST_CIRCLE, NULL),
	    "niet te vergelijken met uw kring");
	assert_string_equal(kto_phrase_comparison(KTO_LANG_NL, KTO_AGAINST_PREVIOUS, &c),
	    "niet te vergelijken met vorig jaar");
	c.made = true;
	c.diff = 0.6;                 /* a large difference, not significant */
	c.significant = 0;
	assert_string_equal(kto_phrase_comparison(KTO_LANG_NL, KTO_AGAINST_CIRCLE, &c),
	    "gelijk aan uw kring");
	assert_null(strstr(kto_phrase_comparison(KTO_LANG_NL, KTO_AGAINST_ALL, &c), "hoger"));
	c.significant = 1;
	assert_string_equal(kto_phrase_comparison(KTO_LANG_NL, KTO_AGAINST_ALL, &c),
	    "significant hoger dan alle deelnemers");
	c.significant = -1;
	assert_string_equal(kto_phrase_comparison(KTO_LANG_NL, KTO_AGAINST_PREVIOUS, &c),
	    "significant lager dan vorig jaar");
	assert_string_equal(kto_phrase_comparison(KTO_LANG_EN, KTO_AGAINST_PREVIOUS, &c),
	    "significantly lower than last year");
}

static void
test_labels(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(kto_variable_label(KTO_LANG_NL, "TOT", buf, sizeof buf), "totaaloordeel");
	assert_string_equal(kto_variable_label(KTO_LANG_NL, "area:BEJ", buf, sizeof buf), "bejegening");
	assert_string_equal(kto_variable_label(KTO_LANG_NL, "norm:N4", buf, sizeof buf), "norm N4");
	assert_string_equal(kto_variable_label(KTO_LANG_NL, "B10", buf, sizeof buf), "B10");
	assert_string_equal(kto_phrase_flag(KTO_LANG_NL, "too_few"), "te weinig waarnemingen");
	assert_string_equal(kto_phrase_flag(KTO_LANG_NL, "indicative"), "indicatief");
	assert_string_equal(kto_phrase_flag(KTO_LANG_NL, "ok"), "");
}

/* The English side: the same facts, a decimal point, no Dutch words left. */
static void
test_english(void **state)
{
	struct kto_result_comparison c;
	char s[32];

	(void)state;
	kto_fmt_mark(KTO_LANG_EN, 7.449, s, sizeof s);
	assert_string_equal(s, "7.4");
	kto_fmt_mark_diff(KTO_LANG_EN, -0.36, s, sizeof s);
	assert_string_equal(s, "-0.4");
	kto_fmt_interval(KTO_LANG_EN, 7.21, 7.64, false, s, sizeof s);
	assert_string_equal(s, "7.2\xe2\x80\x93" "7.6");
	kto_fmt_interval(KTO_LANG_NL, 7.21, 7.64, false, s, sizeof s);
	assert_string_equal(s, "7,2\xe2\x80\x93" "7,6");
	kto_fmt_decimal2(KTO_LANG_EN, 0.354, s, sizeof s);
	assert_string_equal(s, "0.35");
	memset(&c, 0, sizeof c);
	c.made = true;
	assert_string_equal(kto_phrase_comparison(KTO_LANG_EN, KTO_AGAINST_CIRCLE, &c),
	    "not different from your circle");
	c.significant = 1;
	assert_string_equal(kto_phrase_comparison(KTO_LANG_EN, KTO_AGAINST_ALL, &c),
	    "significantly higher than all participants");
	assert_string_equal(kto_variable_label(KTO_LANG_EN, "TOT", s, sizeof s), "overall mark");
	assert_string_equal(kto_variable_label(KTO_LANG_EN, "area:BEJ", s, sizeof s),
	    "treatment by staff");
	assert_string_equal(kto_phrase_flag(KTO_LANG_EN, "too_few"), "too few responses");
	assert_string_equal(kto_phrase_channel(KTO_LANG_EN, "counter"), "counter");
	assert_string_equal(kto_phrase_channel(KTO_LANG_NL, "counter"), "balie");
	assert_string_equal(kto_phrase_target(KTO_LANG_EN, -1), "not met");
	assert_string_equal(kto_phrase_target(KTO_LANG_NL, -1), "niet gehaald");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_comparisons),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_english),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
