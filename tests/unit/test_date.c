/*
** base/date: every form of date and date-time municipalities write, the
** ones refused, and the day and second arithmetic the engine relies on
** (the "contacted at most N days ago" and "in the future" rules).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"

/* Parses s, expecting success with exactly these fields. */
static void
expect_dt(const char *s, int y, int mo, int d, int h, int mi, int sec,
          bool has_time)
{
	struct kto_datetime t;

	if (!kto_datetime_parse(s, &t)) {
		print_error("'%s' was refused\n", s);
		fail();
	}
	if (t.year != y || t.month != mo || t.day != d || t.hour != h ||
	    t.minute != mi || t.second != sec || t.has_time != has_time) {
		print_error("'%s' gave %04d-%02d-%02d %02d:%02d:%02d has_time=%d, "
		    "wanted %04d-%02d-%02d %02d:%02d:%02d has_time=%d\n", s, t.year,
		    t.month, t.day, t.hour, t.minute, t.second, t.has_time, y, mo, d,
		    h, mi, sec, has_time);
		fail();
	}
}

static void
expect_bad(const char *s)
{
	struct kto_datetime t;

	if (kto_datetime_parse(s, &t)) {
		print_error("'%s' was accepted as %04d-%02d-%02d %02d:%02d:%02d\n", s,
		    t.year, t.month, t.day, t.hour, t.minute, t.second);
		fail();
	}
}

static void
test_iso_date(void **state)
{
	(void)state;
	expect_dt("2026-11-23", 2026, 11, 23, 0, 0, 0, false);
	expect_dt("2026-01-01", 2026, 1, 1, 0, 0, 0, false);
	expect_dt("1900-01-01", 1900, 1, 1, 0, 0, 0, false);
	expect_dt("2999-12-31", 2999, 12, 31, 0, 0, 0, false);
	expect_dt("2024-02-29", 2024, 2, 29, 0, 0, 0, false);
	expect_dt("2000-02-29", 2000, 2, 29, 0, 0, 0, false);
}

static void
test_iso_datetime(void **state)
{
	(void)state;
	expect_dt("2026-11-23T14:05", 2026, 11, 23, 14, 5, 0, true);
	expect_dt("2026-11-23T14:05:30", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23 14:05", 2026, 11, 23, 14, 5, 0, true);
	expect_dt("2026-11-23 14:05:30", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23T00:00:00", 2026, 11, 23, 0, 0, 0, true);
	expect_dt("2026-11-23T23:59:59", 2026, 11, 23, 23, 59, 59, true);
	/* Fractional seconds, with a dot or a comma, are dropped. */
	expect_dt("2026-11-23T14:05:30.5", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23T14:05:30.123456", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23T14:05:30,25", 2026, 11, 23, 14, 5, 30, true);
	/* Zones are accepted and ignored: the local time stays. */
	expect_dt("2026-11-23T14:05:30Z", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23T14:05Z", 2026, 11, 23, 14, 5, 0, true);
	expect_dt("2026-11-23T14:05:30+01:00", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23T14:05:30-05:00", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23T14:05:30+0100", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23T14:05+02:00", 2026, 11, 23, 14, 5, 0, true);
	expect_dt("2026-11-23T14:05:30.75Z", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("2026-11-23 14:05:30.75+01:00", 2026, 11, 23, 14, 5, 30, true);
	/* A one-digit hour, as spreadsheets write it. */
	expect_dt("2026-11-23 9:05", 2026, 11, 23, 9, 5, 0, true);
}

static void
test_dutch(void **state)
{
	(void)state;
	expect_dt("23-11-2026", 2026, 11, 23, 0, 0, 0, false);
	expect_dt("3-1-2026", 2026, 1, 3, 0, 0, 0, false);
	expect_dt("03-01-2026", 2026, 1, 3, 0, 0, 0, false);
	expect_dt("23/11/2026", 2026, 11, 23, 0, 0, 0, false);
	expect_dt("3/1/2026", 2026, 1, 3, 0, 0, 0, false);
	expect_dt("29/2/2024", 2024, 2, 29, 0, 0, 0, false);
	expect_dt("23-11-2026 14:05", 2026, 11, 23, 14, 5, 0, true);
	expect_dt("23-11-2026 14:05:30", 2026, 11, 23, 14, 5, 30, true);
	expect_dt("23/11/2026 14:05", 2026, 11, 23, 14, 5, 0, true);
	expect_dt("23/11/2026 9:05:07", 2026, 11, 23, 9, 5, 7, true);
	/* Day first: 1-2-2026 is 1 February, not 2 January. */
	expect_dt("1-2-2026", 2026, 2, 1, 0, 0, 0, false);
}

/*
** Dutch dates whose day and month have three digits together (D-MM-YYYY,
** DD-M-YYYY) have a '-' as their fifth character, like ISO dates: they
** must not be taken for ISO.  (A regression test: "15-3-2026" was once
** refused.)
*/
static void
test_dutch_three_digits(void **state)
{
	(void)state;
	expect_dt("15-3-2026", 2026, 3, 15, 0, 0, 0, false);
	expect_dt("29-2-2024", 2024, 2, 29, 0, 0, 0, false);
	expect_dt("9-12-2026", 2026, 12, 9, 0, 0, 0, false);
	expect_dt("23-1-2026 14:05", 2026, 1, 23, 14, 5, 0, true);
	expect_dt("1-12-2026 9:05:07", 2026, 12, 1, 9, 5, 7, true);
	expect_bad("29-2-2025");
	expect_bad("31-4-2026");
	expect_bad("1-13-2026");
	expect_bad("15-3/2026");
}

/*
** Regression (was a bug in base/date.c, parse_time, the zone offset): after "+HH:" the minutes
** are read only "if (*s != '\0')", so an offset cut off after its colon
** ("+01:") is accepted as if it were "+01".  Expected: refused, like
** "+01:0" is.
*/
static void
test_rejects_dangling_zone_colon(void **state)
{
	struct kto_datetime t;

	(void)state;
	assert_false(kto_datetime_parse("2026-11-23T14:05:30+01:", &t));
	expect_bad("2026-11-23T14:05+01:");
	expect_dt("2026-11-23T14:05+01", 2026, 11, 23, 14, 5, 0, true);
}

static void
test_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"2026",
		"2026-02-31", "2026-02-30", "2025-02-29", "1900-02-29", "2100-02-29",
		"2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32",
		"31-02-2026", "29-2-2025", "1-13-2026", "0-1-2026",
		"2026-11-23T24:00", "2026-11-23T24:00:00", "2026-11-23T12:60",
		"2026-11-23T12:30:60", "2026-11-23T1:5", "2026-11-23T",
		"2026-11-23 ", "2026-11-23x", "2026-11-23T14:05x", "2026-11-23T14:05:30 ",
		"2026-11-23T14:05:30Zjunk", "2026-11-23T14:05:30+01:00x",
		"2026-11-23T14:05:30+1:00", "2026-11-23T14:05:30+15:00",
		"2026-11-23T14:05:30.", "2026-11-23T14:05.5", "2026-11-23T14",
		"2026-11-23T14:05:30+01:0", "23-11-2026x", "23-11-2026 ",
		"1-2/2026", "1/2-2026", "23/11-2026 14:05", "2026/11/23", "2026-1-1",
		"2026-11-3", "26-11-23", "23-11-26", "23.11.2026", " 2026-11-23",
		"1899-12-31", "3000-01-01", "31-12-1899", "1-1-3000", "0000-01-01",
		"abcdefghij", "2026-1a-01", "20261123",
		"2026-11-23T14:05:30.5.5",
		"2026-11-23T14:05:30Z\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_bad(bad[i]);
}

static void
test_reject_overlong(void **state)
{
	char s[80];
	struct kto_datetime t;

	(void)state;
	/* 41 characters: a valid date-time followed by a long fraction. */
	snprintf(s, sizeof s, "2026-11-23T14:05:30.%s", "123456789012345678901");
	assert_int_equal(strlen(s), 41);
	assert_false(kto_datetime_parse(s, &t));
	s[40] = '\0';
	assert_true(kto_datetime_parse(s, &t));
	assert_int_equal(t.second, 30);
}

/* A refused parse leaves no stale fields behind. */
static void
test_parse_clears(void **state)
{
	struct kto_datetime t;

	(void)state;
	assert_true(kto_datetime_parse("2026-11-23T14:05:30", &t));
	assert_true(kto_datetime_parse("2026-11-24", &t));
	assert_int_equal(t.hour, 0);
	assert_int_equal(t.minute, 0);
	assert_int_equal(t.second, 0);
	assert_false(t.has_time);
}

static void
test_date_valid(void **state)
{
	(void)state;
	assert_true(kto_date_valid(2024, 2, 29));
	assert_false(kto_date_valid(2023, 2, 29));
	assert_true(kto_date_valid(2000, 2, 29));
	assert_false(kto_date_valid(1900, 2, 29));
	assert_false(kto_date_valid(2100, 2, 29));
	assert_true(kto_date_valid(2400, 2, 29));
	assert_true(kto_date_valid(2026, 12, 31));
	assert_false(kto_date_valid(2026, 11, 31));
	assert_false(kto_date_valid(2026, 0, 1));
	assert_false(kto_date_valid(2026, 13, 1));
	assert_false(kto_date_valid(2026, 1, 0));
	assert_false(kto_date_valid(1899, 12, 31));
	assert_false(kto_date_valid(3000, 1, 1));
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static void
test_days_known(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(kto_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(kto_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(kto_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(kto_days_from_civil(2000, 1, 1), 10957);
	assert_int_equal(kto_days_from_civil(2000, 3, 1), 11017);   /* 2000-02-29 exists */
	assert_int_equal(kto_days_from_civil(1900, 1, 1), -25567);
	assert_int_equal(kto_days_from_civil(1900, 3, 1) -
	    kto_days_from_civil(1900, 2, 28), 1);                   /* 1900 is no leap year */
	assert_int_equal(kto_days_from_civil(2026, 11, 23), 20780);
	kto_civil_from_days(20780, &y, &m, &d);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_int_equal(d, 23);
	kto_civil_from_days(11016, &y, &m, &d);
	assert_int_equal(y, 2000);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	kto_civil_from_days(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
}

/*
** Every day from 1 January 1900 to 31 December 2999, walking the calendar
** independently: consecutive day numbers, and back to the same date.
*/
static void
test_days_roundtrip(void **state)
{
	int64_t expect = kto_days_from_civil(1900, 1, 1);
	int64_t leap_days = 0;

	(void)state;
	for (int y = 1900; y <= 2999; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= month_days(y, m); d++) {
				int64_t n = kto_days_from_civil(y, m, d);
				int yy, mm, dd;

				if (n != expect) {
					print_error("%04d-%02d-%02d is day %lld, wanted %lld\n",
					    y, m, d, (long long)n, (long long)expect);
					fail();
				}
				kto_civil_from_days(n, &yy, &mm, &dd);
				if (yy != y || mm != m || dd != d) {
					print_error("day %lld gave %04d-%02d-%02d, wanted "
					    "%04d-%02d-%02d\n", (long long)n, yy, mm, dd, y, m, d);
					fail();
				}
				if (m == 2 && d == 29)
					leap_days++;
				expect++;
			}
	/* 1100 years: 275 multiples of 4, minus 1900, 2100, 2200, 2300,
	 * 2500, 2600, 2700, 2900 = 267 leap days; 2000 and 2400 stay. */
	assert_int_equal(leap_days, 267);
	assert_int_equal(expect - kto_days_from_civil(1900, 1, 1),
	    1100 * 365 + 267);
}

static void
test_seconds_roundtrip(void **state)
{
	struct kto_datetime t, back;
	char buf[20];

	(void)state;
	assert_true(kto_datetime_parse("1970-01-01T00:00:00", &t));
	assert_int_equal(kto_datetime_seconds(&t), 0);
	assert_true(kto_datetime_parse("2026-11-23T14:05:30", &t));
	assert_int_equal(kto_datetime_seconds(&t), (int64_t)20780 * 86400 +
	    14 * 3600 + 5 * 60 + 30);
	assert_true(kto_datetime_parse("1969-12-31T23:59:59", &t));
	assert_int_equal(kto_datetime_seconds(&t), -1);

	/* Both signs, every hour and odd minutes and seconds, leap days. */
	for (int64_t s = (int64_t)kto_days_from_civil(1900, 1, 1) * 86400;
	    s < (int64_t)kto_days_from_civil(3000, 1, 1) * 86400;
	    s += 86400 * 37 + 3661 * 7 + 13) {
		kto_datetime_from_seconds(s, &back);
		assert_true(back.has_time);
		assert_true(kto_date_valid(back.year, back.month, back.day));
		assert_in_range(back.hour, 0, 23);
		assert_in_range(back.minute, 0, 59);
		assert_in_range(back.second, 0, 59);
		assert_int_equal(kto_datetime_seconds(&back), s);
		/* And through the text form. */
		kto_datetime_format(&back, buf);
		assert_true(kto_datetime_parse(buf, &t));
		assert_int_equal(kto_datetime_seconds(&t), s);
	}
	/* The second before and after midnight, before 1970. */
	kto_datetime_from_seconds(-86400, &back);
	kto_datetime_format(&back, buf);
	assert_string_equal(buf, "1969-12-31T00:00:00");
	kto_datetime_from_seconds(-86401, &back);
	kto_datetime_format(&back, buf);
	assert_string_equal(buf, "1969-12-30T23:59:59");
	kto_datetime_from_seconds((int64_t)11016 * 86400 + 86399, &back);
	kto_datetime_format(&back, buf);
	assert_string_equal(buf, "2000-02-29T23:59:59");
}

static void
test_format(void **state)
{
	struct kto_datetime t;
	char dt[20], d[11];

	(void)state;
	assert_true(kto_datetime_parse("3-1-2026 9:05", &t));
	kto_datetime_format(&t, dt);
	kto_date_format(&t, d);
	assert_string_equal(dt, "2026-01-03T09:05:00");
	assert_string_equal(d, "2026-01-03");
	assert_int_equal(strlen(dt), 19);

	assert_true(kto_datetime_parse("2026-11-23T14:05:30.9+01:00", &t));
	kto_datetime_format(&t, dt);
	assert_string_equal(dt, "2026-11-23T14:05:30");

	assert_true(kto_datetime_parse("1900-01-01", &t));
	kto_datetime_format(&t, dt);
	kto_date_format(&t, d);
	assert_string_equal(dt, "1900-01-01T00:00:00");
	assert_string_equal(d, "1900-01-01");

	/* The formatted text sorts like the time it stands for. */
	{
		struct kto_datetime a, b;
		char sa[20], sb[20];

		assert_true(kto_datetime_parse("9/12/2026 23:59:59", &a));
		assert_true(kto_datetime_parse("10-12-2026 0:00", &b));
		kto_datetime_format(&a, sa);
		kto_datetime_format(&b, sb);
		assert_true(strcmp(sa, sb) < 0);
		assert_true(kto_datetime_seconds(&a) + 1 == kto_datetime_seconds(&b));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso_date),
		cmocka_unit_test(test_iso_datetime),
		cmocka_unit_test(test_dutch),
		cmocka_unit_test(test_dutch_three_digits),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_rejects_dangling_zone_colon),
		cmocka_unit_test(test_reject_overlong),
		cmocka_unit_test(test_parse_clears),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_days_known),
		cmocka_unit_test(test_days_roundtrip),
		cmocka_unit_test(test_seconds_roundtrip),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
