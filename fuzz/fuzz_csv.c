/*
** Fuzz target for the CSV reader and writer.  Any input must be read to
** its end or to a fatal error, within bounded time and memory, without a
** crash, a leak or undefined behaviour (the sanitizers check those), and:
**
**   - every error carries a message, and a fatal one stays;
**   - a record returned holds 1..max_fields fields, each within max_field,
**     all within max_record, and comes from a part of the input that is
**     well-formed UTF-8 without NUL bytes (so the fields are too);
**   - record numbers count up by one, lines never go back;
**   - what kto_csv_field() writes of the records, the reader reads back
**     the same (with the ' that defuses a formula in front).
**
** Each input is read twice: with the default limits and the delimiter
** detected, and with tiny limits and ';', to reach the limit paths.
*/
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static const struct kto_csv_limits big = { 1u << 20, 1u << 16, 1u << 22 };

/* A reader of data[0..size); *fp must be closed afterwards. */
static struct kto_csv_reader *
open_reader(const void *data, size_t size, char delim,
            const struct kto_csv_limits *lim, FILE **fp)
{
	static char empty[1];
	struct kto_csv_reader *r = NULL;

	/* fmemopen may refuse a size of 0; an empty file reads the same. */
	*fp = size > 0 ? fmemopen((void *)(uintptr_t)data, size, "r")
	               : fmemopen(empty, 1, "r");
	if (*fp == NULL)
		return NULL;
	if (size == 0)
		(void)fgetc(*fp);       /* now at the end */
	if (kto_csv_reader_new(*fp, delim, lim, &r) != KTO_OK) {
		fclose(*fp);
		return NULL;
	}
	return r;
}

/* Starts a field with one of these: kto_csv_field() puts a ' in front. */
static bool
defused(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/*
** Reads the records back from what kto_csv_field() wrote (out), and
** compares them with the originals (fields: each NUL-terminated; counts:
** the number of fields of each record).
*/
static void
check_round_trip(const struct kto_buf *out, char delim,
                 const struct kto_buf *fields, const struct kto_buf *counts)
{
	const char *want = fields->ptr;
	const size_t *cnt = (const size_t *)(const void *)counts->ptr;
	size_t nrec = counts->len / sizeof(size_t);
	FILE *fp;
	struct kto_csv_reader *r = open_reader(out->ptr, out->len, delim, &big, &fp);
	char **f;
	size_t n;

	if (r == NULL)
		return;         /* out of memory in fmemopen */
	for (size_t i = 0; i < nrec; i++) {
		enum kto_rc rc = kto_csv_next(r, &f, &n);

		if (rc == KTO_ENOMEM)
			goto out;
		CHECK(rc == KTO_OK);
		CHECK(n == cnt[i]);
		for (size_t k = 0; k < n; k++) {
			size_t wl = strlen(want);

			if (defused(want)) {
				CHECK(f[k][0] == '\'');
				CHECK(strcmp(f[k] + 1, want) == 0);
			} else {
				CHECK(strcmp(f[k], want) == 0);
			}
			want += wl + 1;
		}
	}
	CHECK(kto_csv_next(r, &f, &n) == KTO_ENOTFOUND);
out:
	kto_csv_reader_free(r);
	fclose(fp);
}

static void
run(const uint8_t *data, size_t size, char delim,
    const struct kto_csv_limits *lim, bool round_trip)
{
	struct kto_buf out = KTO_BUF_INIT(1u << 24);
	struct kto_buf fields = KTO_BUF_INIT(1u << 24);
	struct kto_buf counts = KTO_BUF_INIT(1u << 24);
	struct kto_csv_reader *r;
	FILE *fp;
	char **f;
	size_t n, last_record = 0, last_line = 0, calls = 0;
	enum kto_rc rc;
	/* The write-back buffers are complete.  They start with a BOM, as an
	 * export for Excel does, so that a first field that starts with
	 * U+FEFF is not taken for one when read back. */
	bool ok = kto_buf_adds(&out, "\xEF\xBB\xBF") == KTO_OK;

	r = open_reader(data, size, delim, lim, &fp);
	if (r == NULL) {
		kto_buf_release(&out);
		return;
	}
	for (;;) {
		rc = kto_csv_next(r, &f, &n);
		/* Every call consumes input, so there are no more than these. */
		CHECK(++calls <= size + 2);
		if (rc == KTO_ENOTFOUND) {
			CHECK(f == NULL && n == 0);
			CHECK(kto_csv_bytes(r) == size);
			break;
		}
		if (rc != KTO_OK) {
			size_t line, col;

			CHECK(f == NULL && n == 0);
			CHECK(kto_csv_error(r)[0] != '\0');
			kto_csv_error_pos(r, &line, &col);
			CHECK(line >= 1);
			if (rc == KTO_ELIMIT) {
				CHECK(kto_csv_record_number(r) == last_record + 1);
				last_record++;
				continue;
			}
			CHECK(rc == KTO_EINPUT || rc == KTO_ENOMEM || rc == KTO_EIO);
			/* Final: the same again. */
			CHECK(kto_csv_next(r, &f, &n) == rc);
			CHECK(kto_csv_error(r)[0] != '\0');
			ok = false;
			break;
		}

		/* A record: numbered in order, within the limits, clean text. */
		{
			unsigned long long used = kto_csv_bytes(r);
			size_t total = 0;

			CHECK(kto_csv_record_number(r) == last_record + 1);
			last_record++;
			CHECK(kto_csv_line(r) >= 1 && kto_csv_line(r) >= last_line);
			last_line = kto_csv_line(r);
			CHECK(kto_csv_error(r)[0] == '\0');
			CHECK(used <= size);
			CHECK(memchr(data, 0, (size_t)used) == NULL);
			CHECK(kto_utf8_invalid_at((const char *)data, (size_t)used) ==
			    (size_t)used);
			CHECK(n >= 1 && n <= lim->max_fields);
			CHECK(f[n] == NULL);
			for (size_t i = 0; i < n; i++) {
				size_t len = strlen(f[i]);

				CHECK(len <= lim->max_field);
				CHECK(kto_utf8_invalid_at(f[i], len) == len);
				CHECK(strchr(f[i], '\r') == NULL);
				total += len;
			}
			CHECK(total <= lim->max_record);
		}

		/* Write it back, as an export would. */
		if (round_trip && ok) {
			char d = kto_csv_delimiter(r);
			enum kto_rc wrc = KTO_OK;

			if (n == 1 && f[0][0] == '\0') {
				/* Bare, it would be an empty line, which is no record. */
				wrc = kto_buf_adds(&out, "\"\"");
			}
			for (size_t i = 0; i < n && wrc == KTO_OK; i++) {
				if (i > 0)
					wrc = kto_buf_addc(&out, d);
				if (wrc == KTO_OK && !(n == 1 && f[0][0] == '\0'))
					wrc = kto_csv_field(&out, f[i], d);
				if (wrc == KTO_OK)
					wrc = kto_buf_add(&fields, f[i], strlen(f[i]) + 1);
			}
			if (wrc == KTO_OK)
				wrc = kto_buf_adds(&out, "\r\n");
			if (wrc == KTO_OK)
				wrc = kto_buf_add(&counts, &n, sizeof n);
			if (wrc != KTO_OK)
				ok = false;
		}
	}
	if (round_trip && ok)
		check_round_trip(&out, kto_csv_delimiter(r), &fields, &counts);
	kto_csv_reader_free(r);
	fclose(fp);
	kto_buf_release(&out);
	kto_buf_release(&fields);
	kto_buf_release(&counts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kto_csv_limits dflt = KTO_CSV_LIMITS_DEFAULT;
	static const struct kto_csv_limits tiny = { 5, 3, 9 };

	/* Keep a run fast: the reader streams, so size adds nothing new. */
	if (size > (1u << 20))
		return 0;
	run(data, size, 0, &dflt, true);
	run(data, size, ';', &tiny, true);
	return 0;
}
