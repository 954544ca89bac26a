/*
** Calendar dates and local date-times, as municipalities write them.
**
** Accepted forms (a date alone means the start of that day):
**   2026-11-23          2026-11-23T14:05[:30][Z|+01:00]   2026-11-23 14:05[:30]
**   23-11-2026          23/11/2026   23-11-2026 14:05[:30]   (Dutch: day first)
** A zone suffix is accepted and ignored: contact times are the
** municipality's local time, and a day's precision is all kto needs.
*/
#ifndef KTO_BASE_DATE_H
#define KTO_BASE_DATE_H

#include <stdbool.h>
#include <stdint.h>

struct kto_datetime {
	int year, month, day;
	int hour, minute, second;
	bool has_time;
};

/* Parses s in one of the forms above; false when it is not a real date. */
bool kto_datetime_parse(const char *s, struct kto_datetime *out);

/* Days since 1970-01-01 of a calendar date (proleptic Gregorian). */
int64_t kto_days_from_civil(int year, int month, int day);

/* The calendar date of a day number. */
void kto_civil_from_days(int64_t days, int *year, int *month, int *day);

/* Seconds since 1970-01-01T00:00:00 of a local date-time, as if UTC. */
int64_t kto_datetime_seconds(const struct kto_datetime *t);

/* The date-time of a seconds count (the inverse of the above). */
void kto_datetime_from_seconds(int64_t secs, struct kto_datetime *out);

/* Writes "YYYY-MM-DDTHH:MM:SS" (out must hold 20 bytes). */
void kto_datetime_format(const struct kto_datetime *t, char out[20]);

/* Writes "YYYY-MM-DD" (out must hold 11 bytes). */
void kto_date_format(const struct kto_datetime *t, char out[11]);

/* True when the date exists (29 February only in leap years). */
bool kto_date_valid(int year, int month, int day);

#endif
