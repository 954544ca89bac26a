#include "base/date.h"

#include <stdio.h>
#include <string.h>

bool
kto_date_valid(int y, int m, int d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int max;

	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	max = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* Reads exactly n digits at *s; -1 when they are not all digits. */
static int
digits(const char **s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*s)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*s += n;
	return v;
}

/* Reads 1 or 2 digits (Dutch dates write 3-1-2026 as well as 03-01-2026). */
static int
digits12(const char **s)
{
	const char *p = *s;

	if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9')
		return digits(s, 2);
	return digits(s, 1);
}

/* HH:MM[:SS][.fraction][Z|±HH[:]MM] at s; the whole rest must be used. */
static bool
parse_time(const char *s, struct kto_datetime *t)
{
	t->hour = digits12(&s);
	if (t->hour < 0 || t->hour > 23 || *s++ != ':')
		return false;
	t->minute = digits(&s, 2);
	if (t->minute < 0 || t->minute > 59)
		return false;
	t->second = 0;
	if (*s == ':') {
		s++;
		t->second = digits(&s, 2);
		if (t->second < 0 || t->second > 59)
			return false;
		if (*s == '.' || *s == ',') {
			s++;
			if (*s < '0' || *s > '9')
				return false;
			while (*s >= '0' && *s <= '9')
				s++;
		}
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int hh, mm = 0;

		s++;
		hh = digits(&s, 2);
		if (*s == ':') {
			s++;
			mm = digits(&s, 2);     /* after a colon the minutes must follow */
		} else if (*s != '\0') {
			mm = digits(&s, 2);
		}
		if (hh < 0 || hh > 14 || mm < 0 || mm > 59)
			return false;
	}
	t->has_time = true;
	return *s == '\0';
}

bool
kto_datetime_parse(const char *s, struct kto_datetime *t)
{
	const char *p = s;

	memset(t, 0, sizeof *t);
	if (strlen(s) < 8 || strlen(s) > 40)
		return false;
	if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9' && p[4] == '-') {
		/* ISO 8601: YYYY-MM-DD */
		t->year = digits(&p, 4);
		if (*p++ != '-' || (t->month = digits(&p, 2)) < 0 || *p++ != '-' ||
		    (t->day = digits(&p, 2)) < 0)
			return false;
	} else {
		/* Dutch: D-M-YYYY or D/M/YYYY */
		char sep;

		t->day = digits12(&p);
		sep = *p;
		if (t->day < 0 || (sep != '-' && sep != '/'))
			return false;
		p++;
		t->month = digits12(&p);
		if (t->month < 0 || *p++ != sep || (t->year = digits(&p, 4)) < 0)
			return false;
	}
	if (!kto_date_valid(t->year, t->month, t->day))
		return false;
	if (*p == '\0')
		return true;
	if (*p != 'T' && *p != ' ')
		return false;
	return parse_time(p + 1, t);
}

/* After Howard Hinnant's days_from_civil: exact for all Gregorian dates. */
int64_t
kto_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
kto_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t
kto_datetime_seconds(const struct kto_datetime *t)
{
	return kto_days_from_civil(t->year, t->month, t->day) * 86400 +
	    t->hour * 3600 + t->minute * 60 + t->second;
}

void
kto_datetime_from_seconds(int64_t secs, struct kto_datetime *t)
{
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rest = secs - days * 86400;

	kto_civil_from_days(days, &t->year, &t->month, &t->day);
	t->hour = (int)(rest / 3600);
	t->minute = (int)(rest / 60 % 60);
	t->second = (int)(rest % 60);
	t->has_time = true;
}

/* Writes v as exactly n digits (imports format a date per row: no printf). */
static void
put_digits(char *out, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
kto_date_format(const struct kto_datetime *t, char out[11])
{
	put_digits(out, (unsigned)t->year % 10000u, 4);
	out[4] = '-';
	put_digits(out + 5, (unsigned)t->month % 100u, 2);
	out[7] = '-';
	put_digits(out + 8, (unsigned)t->day % 100u, 2);
	out[10] = '\0';
}

void
kto_datetime_format(const struct kto_datetime *t, char out[20])
{
	kto_date_format(t, out);
	out[10] = 'T';
	put_digits(out + 11, (unsigned)t->hour % 100u, 2);
	out[13] = ':';
	put_digits(out + 14, (unsigned)t->minute % 100u, 2);
	out[16] = ':';
	put_digits(out + 17, (unsigned)t->second % 100u, 2);
	out[19] = '\0';
}
