/*
** base/csv: the streaming reader (RFC 4180 and what spreadsheets really
** write, HARDENING C1-C4 and C7) and the field writer (C9).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/utf8.h"

/*
** Fails the test unless needle occurs in haystack.  (testutil.h has one
** too, but linking it pulls in the engine; this test needs kto_base only.)
*/
#define assert_contains(haystack, needle) do {                        \
	const char *h_ = (haystack), *n_ = (needle);                  \
	if (strstr(h_, n_) == NULL) {                                 \
		print_error("'%s' does not contain '%s'\n", h_, n_);  \
		fail();                                               \
	}                                                             \
} while (0)

/* A string literal with its length, NUL bytes included. */
#define LIT(s) (s), (sizeof(s) - 1)

/* A temporary file holding data[0..len), positioned at its start. */
static FILE *
file_with(const void *data, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	if (len > 0)
		assert_int_equal(fwrite(data, 1, len, f), len);
	rewind(f);
	return f;
}

/* Creates a reader of data; *fp is the file to close afterwards. */
static struct kto_csv_reader *
reader_of(const void *data, size_t len, char delim,
          const struct kto_csv_limits *lim, FILE **fp)
{
	struct kto_csv_reader *r = NULL;

	*fp = file_with(data, len);
	assert_int_equal(kto_csv_reader_new(*fp, delim, lim, &r), KTO_OK);
	assert_non_null(r);
	return r;
}

/*
** Reads all of f and describes what came out: each record as [a|b|c], a
** record skipped for a limit as <LIMIT>, and the end as <END>, or the
** fatal error as <INPUT>, <IO> or <NOMEM>.  Checks on the way what holds
** for every record: n >= 1, NULL after the last field, valid UTF-8.
*/
static char *
drain(struct kto_csv_reader *r)
{
	struct kto_buf out = KTO_BUF_INIT(1u << 28);
	char **f;
	size_t n;
	enum kto_rc rc;

	while ((rc = kto_csv_next(r, &f, &n)) == KTO_OK || rc == KTO_ELIMIT) {
		if (rc == KTO_ELIMIT) {
			assert_null(f);
			assert_int_equal(n, 0);
			assert_true(kto_csv_error(r)[0] != '\0');
			assert_int_equal(kto_buf_adds(&out, "<LIMIT>"), KTO_OK);
			continue;
		}
		assert_true(n >= 1);
		assert_null(f[n]);
		assert_string_equal(kto_csv_error(r), "");
		assert_int_equal(kto_buf_addc(&out, '['), KTO_OK);
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(f[i]);

			assert_int_equal(kto_utf8_invalid_at(f[i], len), len);
			if (i > 0)
				assert_int_equal(kto_buf_addc(&out, '|'), KTO_OK);
			assert_int_equal(kto_buf_adds(&out, f[i]), KTO_OK);
		}
		assert_int_equal(kto_buf_addc(&out, ']'), KTO_OK);
	}
	assert_null(f);
	assert_int_equal(n, 0);
	switch (rc) {
	case KTO_ENOTFOUND:
		assert_string_equal(kto_csv_error(r), "");
		assert_int_equal(kto_buf_adds(&out, "<END>"), KTO_OK);
		break;
	case KTO_EINPUT:
		assert_true(kto_csv_error(r)[0] != '\0');
		assert_int_equal(kto_buf_adds(&out, "<INPUT>"), KTO_OK);
		break;
	default:
		print_error("unexpected %s: %s\n", kto_strerror(rc), kto_csv_error(r));
		fail();
	}
	/* The end and fatal errors stay. */
	assert_int_equal(kto_csv_next(r, &f, &n), rc);
	return kto_buf_detach(&out);
}

/* parse(data, len, delim): drain() over a fresh reader with default limits. */
static char *
parse_lim(const void *data, size_t len, char delim,
          const struct kto_csv_limits *lim)
{
	FILE *fp;
	struct kto_csv_reader *r = reader_of(data, len, delim, lim, &fp);
	char *s = drain(r);

	kto_csv_reader_free(r);
	fclose(fp);
	return s;
}

static char *
parse(const void *data, size_t len, char delim)
{
	return parse_lim(data, len, delim, NULL);
}

/* Fails unless data (a literal) parses to want. */
#define assert_parses(lit, delim, want) do {                    \
	char *got_ = parse(LIT(lit), (delim));                  \
	assert_string_equal(got_, (want));                      \
	free(got_);                                             \
} while (0)

/* --------------------------------------------------------------- reader */

static void
test_simple(void **state)
{
	(void)state;
	assert_parses("a,b,c\n1,2,3\n", ',', "[a|b|c][1|2|3]<END>");
	assert_parses("a;b\n1;2\n", ';', "[a|b][1|2]<END>");
	assert_parses("a\tb\n1\t2\n", '\t', "[a|b][1|2]<END>");
	/* With ';' as delimiter a comma is text, and the other way round. */
	assert_parses("a,b;c\n", ';', "[a,b|c]<END>");
	assert_parses("a,b;c\n", ',', "[a|b;c]<END>");
	assert_parses("x|y\n", '|', "[x|y]<END>");
	/* A single column. */
	assert_parses("email\na@b.nl\nc@d.nl\n", ',', "[email][a@b.nl][c@d.nl]<END>");
}

static void
test_empty_fields(void **state)
{
	FILE *fp;
	struct kto_csv_reader *r;
	char **f;
	size_t n;

	(void)state;
	assert_parses(",,\n", ',', "[||]<END>");
	assert_parses("a,\n,b\n", ',', "[a|][|b]<END>");
	assert_parses("a,", ',', "[a|]<END>");
	assert_parses("\"\"\n", ',', "[]<END>");
	assert_parses("\"\",\"\"", ',', "[|]<END>");

	/* A line holding "" is one empty field, not an empty line. */
	r = reader_of(LIT("\"\"\n"), ',', NULL, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(f[0], "");
	assert_null(f[1]);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ENOTFOUND);
	kto_csv_reader_free(r);
	fclose(fp);
}

/* HARDENING C3 */
static void
test_line_ends_identical(void **state)
{
	static const char *const inputs[] = {
		"id,naam\n1,\"Jansen\nP.\"\n2,Smit\n",
		"id,naam\r\n1,\"Jansen\r\nP.\"\r\n2,Smit\r\n",
		"id,naam\r1,\"Jansen\rP.\"\r2,Smit\r",
		"id,naam\r\n1,\"Jansen\nP.\"\r2,Smit",       /* mixed, no final break */
		"id,naam\n1,\"Jansen\r\nP.\"\n2,Smit\r\n",
	};
	const char *want = "[id|naam][1|Jansen\nP.][2|Smit]<END>";

	(void)state;
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		char *got = parse(inputs[i], strlen(inputs[i]), ',');

		assert_string_equal(got, want);
		free(got);
	}
	/* Without a final line break, each line-end style. */
	assert_parses("a,b\n1,2", ',', "[a|b][1|2]<END>");
	assert_parses("a,b\r\n1,2", ',', "[a|b][1|2]<END>");
	assert_parses("a,b\r1,2", ',', "[a|b][1|2]<END>");
	assert_parses("a", ',', "[a]<END>");
	assert_parses("\"a\"", ',', "[a]<END>");
	/* CR CR is two line ends (one empty line), LF CR as well. */
	assert_parses("a\r\rb\n\rc", ',', "[a][b][c]<END>");
}

/* HARDENING C4: RFC 4180 */
static void
test_quoting(void **state)
{
	(void)state;
	assert_parses("\"a,b\",c\n", ',', "[a,b|c]<END>");
	assert_parses("\"a;b\";c\n", ';', "[a;b|c]<END>");
	assert_parses("\"say \"\"hi\"\"\",x\n", ',', "[say \"hi\"|x]<END>");
	assert_parses("\"\"\"\"\n", ',', "[\"]<END>");
	assert_parses("\"a\"\"\"\n", ',', "[a\"]<END>");
	assert_parses("\"line1\nline2\",x\n", ',', "[line1\nline2|x]<END>");
	assert_parses("\"line1\r\nline2\"\n", ',', "[line1\nline2]<END>");
	assert_parses("\"line1\rline2\"\n", ',', "[line1\nline2]<END>");
	assert_parses("\"\n\n\"\n", ',', "[\n\n]<END>");
	/* A quoted field may hold an empty line; it is not skipped. */
	assert_parses("\"a\n\nb\",c\n", ',', "[a\n\nb|c]<END>");
	/* Tab inside quotes with a tab delimiter. */
	assert_parses("\"a\tb\"\tc\n", '\t', "[a\tb|c]<END>");
}

static void
test_lenient_quotes(void **state)
{
	(void)state;
	/* A quote in the middle of an unquoted field is text. */
	assert_parses("ab\"c,d\n", ',', "[ab\"c|d]<END>");
	assert_parses("5\" floppy,x\n", ',', "[5\" floppy|x]<END>");
	assert_parses("a\"\"b\n", ',', "[a\"\"b]<END>");
	/* Text after a closing quote is appended literally. */
	assert_parses("\"ab\"c,d\n", ',', "[abc|d]<END>");
	assert_parses("\"a\" ,b\n", ',', "[a |b]<END>");
	assert_parses("\"a\"b\"c\"\n", ',', "[ab\"c\"]<END>");
	/* A quote after leading space does not open quoting. */
	assert_parses(" \"a,b\"\n", ',', "[ \"a|b\"]<END>");
}

static void
test_whitespace_kept(void **state)
{
	(void)state;
	assert_parses(" a , b \n", ',', "[ a | b ]<END>");
	assert_parses("\t x\t,y \n", ',', "[\t x\t|y ]<END>");
	assert_parses("\" a \",  \n", ',', "[ a |  ]<END>");
	/* A line of blanks is a record, not an empty line. */
	assert_parses("a\n   \nb\n", ',', "[a][   ][b]<END>");
}

/* HARDENING C2: a BOM stripped */
static void
test_bom(void **state)
{
	FILE *fp;
	struct kto_csv_reader *r;
	char **f;
	size_t n, line, col;

	(void)state;
	assert_parses("\xEF\xBB\xBF" "id,naam\n1,x\n", ',', "[id|naam][1|x]<END>");
	assert_parses("\xEF\xBB\xBF", ',', "<END>");
	assert_parses("\xEF\xBB\xBF\n\n", ',', "<END>");
	assert_parses("\xEF\xBB\xBF" "\"q\"\n", ',', "[q]<END>");
	/* Only at the very start: later it is a character like any other. */
	assert_parses("a\n\xEF\xBB\xBF" "b\n", ',', "[a][\xEF\xBB\xBF" "b]<END>");
	/* Part of a BOM is invalid UTF-8. */
	assert_parses("\xEF\xBB", ',', "<INPUT>");

	/* Columns do not count the BOM. */
	r = reader_of(LIT("\xEF\xBB\xBF" "ab\xFF"), ',', NULL, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 3);
	assert_contains(kto_csv_error(r), "line 1, column 3");
	kto_csv_reader_free(r);
	fclose(fp);
}

static void
test_empty_lines(void **state)
{
	FILE *fp;
	struct kto_csv_reader *r;
	char **f;
	size_t n;

	(void)state;
	assert_parses("", ',', "<END>");
	assert_parses("\n", ',', "<END>");
	assert_parses("\r\n\r\n\n\r", ',', "<END>");
	assert_parses("\n\na,b\n\n\n1,2\n\n", ',', "[a|b][1|2]<END>");

	/* Lines count, records do not. */
	r = reader_of(LIT("\n\nid\r\n\r\n\r\n1\n\r2\n\n"), ',', NULL, &fp);
	assert_int_equal(kto_csv_record_number(r), 0);
	assert_int_equal(kto_csv_line(r), 0);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[0], "id");
	assert_int_equal(kto_csv_record_number(r), 1);
	assert_int_equal(kto_csv_line(r), 3);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[0], "1");
	assert_int_equal(kto_csv_record_number(r), 2);
	assert_int_equal(kto_csv_line(r), 6);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[0], "2");
	assert_int_equal(kto_csv_record_number(r), 3);
	assert_int_equal(kto_csv_line(r), 8);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ENOTFOUND);
	assert_int_equal(kto_csv_record_number(r), 3);
	kto_csv_reader_free(r);
	fclose(fp);
}

static void
test_numbers_multiline(void **state)
{
	static const char data[] =
	    "id;opmerking;email\r\n"                         /* line 1 */
	    "1;\"twee\r\nregels\";a@b.nl\r\n"                /* lines 2-3 */
	    "2;\"drie\nregels\n\";c@d.nl\r\n"                /* lines 4-6 */
	    "\r\n"                                          /* line 7, empty */
	    "3;\"\";e@f.nl\r\n"                             /* line 8 */
	    "4;\"open\r\n\r\nquote";                        /* line 9... */
	FILE *fp;
	struct kto_csv_reader *r = reader_of(LIT(data), 0, NULL, &fp);
	char **f;
	size_t n, line, col;

	(void)state;
	assert_int_equal(kto_csv_delimiter(r), 0);      /* not read yet */
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_delimiter(r), ';');
	assert_int_equal(n, 3);
	assert_int_equal(kto_csv_record_number(r), 1);
	assert_int_equal(kto_csv_line(r), 1);

	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[1], "twee\nregels");
	assert_string_equal(f[2], "a@b.nl");
	assert_int_equal(kto_csv_record_number(r), 2);
	assert_int_equal(kto_csv_line(r), 2);

	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[1], "drie\nregels\n");
	assert_int_equal(kto_csv_record_number(r), 3);
	assert_int_equal(kto_csv_line(r), 4);

	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[0], "3");
	assert_string_equal(f[1], "");
	assert_int_equal(kto_csv_record_number(r), 4);
	assert_int_equal(kto_csv_line(r), 8);

	/* The open quote of line 9 runs to the end: fatal, with its line. */
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	assert_null(f);
	assert_int_equal(n, 0);
	assert_int_equal(kto_csv_record_number(r), 5);
	assert_int_equal(kto_csv_line(r), 9);
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 9);
	assert_int_equal(col, 0);
	assert_contains(kto_csv_error(r), "line 9");
	assert_contains(kto_csv_error(r), "not closed");
	assert_contains(kto_csv_error(r), "record 5, field 2");
	/* Final: the same again, with the same message. */
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	assert_contains(kto_csv_error(r), "line 9");
	kto_csv_reader_free(r);
	fclose(fp);
}

/* HARDENING C4: an unbalanced quote, with its line */
static void
test_unbalanced_quote(void **state)
{
	FILE *fp;
	struct kto_csv_reader *r;
	char **f;
	size_t n, line, col;

	(void)state;
	assert_parses("\"", ',', "<INPUT>");
	assert_parses("a,\"b", ',', "<INPUT>");
	assert_parses("a\n\"b\"\"\n", ',', "[a]<INPUT>");
	/* A quote closed at the very end is fine. */
	assert_parses("a,\"b\"", ',', "[a|b]<END>");

	/* The good records before the open quote are returned first. */
	r = reader_of(LIT("naam,email\nA,a@x.nl\nB,\"b@x.nl\nC,c@x.nl\n"), ',',
	    NULL, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[0], "A");
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 3);
	assert_contains(kto_csv_error(r), "line 3:");
	assert_int_equal(kto_csv_record_number(r), 3);
	kto_csv_reader_free(r);
	fclose(fp);
}

/* HARDENING C2: not UTF-8, rejected with its line */
static void
test_invalid_utf8(void **state)
{
	/* "Café" written by Excel as Windows-1252: é is the single byte 0xE9. */
	static const char cp1252[] =
	    "naam;plaats\r\n"
	    "Jan;Utrecht\r\n"
	    "Ren\xC3\xA9;Caf\xE9 de Wit\r\n"
	    "Piet;Zeist\r\n";
	FILE *fp;
	struct kto_csv_reader *r = reader_of(LIT(cp1252), ';', NULL, &fp);
	char **f;
	size_t n, line, col;

	(void)state;
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	/* "René;Caf" is 8 characters (é is one), so 0xE9 is in column 9. */
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 9);
	assert_contains(kto_csv_error(r), "line 3, column 9");
	assert_contains(kto_csv_error(r), "0xE9");
	assert_contains(kto_csv_error(r), "UTF-8");
	assert_int_equal(kto_csv_record_number(r), 3);
	assert_int_equal(kto_csv_line(r), 3);
	/* Fatal: Piet is never reached. */
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	kto_csv_reader_free(r);
	fclose(fp);

	/* Well-formed multi-byte text passes, up to 4 bytes. */
	assert_parses("caf\xC3\xA9,\xE2\x82\xAC" "5,\xF0\x9F\x98\x80\n", ',',
	    "[caf\xC3\xA9|\xE2\x82\xAC" "5|\xF0\x9F\x98\x80]<END>");
	assert_parses("\"\xC3\xA9\n\xC3\xA9\"\n", ',', "[\xC3\xA9\n\xC3\xA9]<END>");
	/* Ill-formed: overlong, surrogate, beyond U+10FFFF, lone continuation. */
	assert_parses("a\n\xC0\xAF\n", ',', "[a]<INPUT>");
	assert_parses("a\n\xE0\x80\xAF\n", ',', "[a]<INPUT>");
	assert_parses("a\n\xED\xA0\x80\n", ',', "[a]<INPUT>");
	assert_parses("a\n\xF4\x90\x80\x80\n", ',', "[a]<INPUT>");
	assert_parses("a\n\x80\n", ',', "[a]<INPUT>");
	assert_parses("a\n\xFF\n", ',', "[a]<INPUT>");
	/* Cut short by a delimiter, a line end, a quote, or the end. */
	assert_parses("\xC3,x\n", ',', "<INPUT>");
	assert_parses("\xE2\x82\n", ',', "<INPUT>");
	assert_parses("\"\xC3\"\n", ',', "<INPUT>");
	assert_parses("ok\n\xF0\x9F\x98", ',', "[ok]<INPUT>");
	/* Inside quotes as well. */
	assert_parses("\"a\xE9\"\n", ',', "<INPUT>");

	/* The column of a byte in a quoted, multi-line field. */
	r = reader_of(LIT("h\n\"ab\ncd\xE9\"\n"), ',', NULL, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 3);
	assert_int_equal(kto_csv_line(r), 2);
	kto_csv_reader_free(r);
	fclose(fp);
}

static void
test_nul(void **state)
{
	FILE *fp;
	struct kto_csv_reader *r;
	char **f;
	size_t n, line, col;

	(void)state;
	assert_parses("a\0b\n", ',', "<INPUT>");
	assert_parses("\"a\0b\"\n", ',', "<INPUT>");
	assert_parses("a\n\0", ',', "[a]<INPUT>");

	/* UTF-16, as some tools write "Unicode text": NULs everywhere. */
	r = reader_of(LIT("\xFF\xFEi\0d\0"), 0, NULL, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	kto_csv_reader_free(r);
	fclose(fp);

	r = reader_of(LIT("id,x\n1,ab\0"), ',', NULL, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	assert_contains(kto_csv_error(r), "line 2, column 5: NUL");
	kto_csv_reader_free(r);
	fclose(fp);
}

/* HARDENING C1: the separator detected */
static void
test_detect(void **state)
{
	(void)state;
	/* Comma, semicolon as Dutch Excel writes, tab. */
	assert_parses("id,naam,email\n1,x,y\n", 0, "[id|naam|email][1|x|y]<END>");
	assert_parses("\xEF\xBB\xBF" "contact_id;channel;email\r\n"
	    "1;balie;\"Jansen, P.\"\r\n", 0,
	    "[contact_id|channel|email][1|balie|Jansen, P.]<END>");
	assert_parses("a\tb\tc\n1\t2,5\t3\n", 0, "[a|b|c][1|2,5|3]<END>");
	/* The most frequent wins; a comma in the header text is no match. */
	assert_parses("naam, voorletters;adres;plaats\n", 0,
	    "[naam, voorletters|adres|plaats]<END>");
	/* Delimiters inside quotes do not count. */
	assert_parses("\"a;b;c\",d,e\n", 0, "[a;b;c|d|e]<END>");
	assert_parses("\"a,\"\"b,c\";d\n", 0, "[a,\"b,c|d]<END>");
	/* Only the first record decides, after any empty lines. */
	assert_parses("\n\na;b\nc,d,e,f\n", 0, "[a|b][c,d,e,f]<END>");
	/* Ties go to ';', then ','; none at all gives ','. */
	assert_parses("a;b,c\n", 0, "[a|b,c]<END>");
	assert_parses("a,b\tc\n", 0, "[a|b\tc]<END>");
	assert_parses("email\nx,y\n", 0, "[email][x|y]<END>");
	assert_parses("", 0, "<END>");
}

/* HARDENING C1: the separator reported back */
static void
test_delimiter_reported(void **state)
{
	static const struct {
		const char *data;
		char want;
	} cases[] = {
		{ "a,b", ',' }, { "a;b", ';' }, { "a\tb", '\t' }, { "ab", ',' },
		{ "", ',' }, { "\"x;y\",z", ',' }, { "a;b;c,d,e,f", ',' },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		FILE *fp;
		struct kto_csv_reader *r = reader_of(cases[i].data,
		    strlen(cases[i].data), 0, NULL, &fp);
		char **f;
		size_t n;

		(void)kto_csv_next(r, &f, &n);
		assert_int_equal(kto_csv_delimiter(r), cases[i].want);
		kto_csv_reader_free(r);
		fclose(fp);
	}
}

/* A file with a 100 kB field in record 2 of 4. */
static void
test_limit_field(void **state)
{
	struct kto_buf in = KTO_BUF_INIT(1u << 20);
	FILE *fp;
	struct kto_csv_reader *r;
	char **f;
	size_t n, line, col;

	(void)state;
	assert_int_equal(kto_buf_adds(&in, "id,naam\n1,"), KTO_OK);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(kto_buf_adds(&in, "abcdefghij"), KTO_OK);
	assert_int_equal(kto_buf_adds(&in, "\n2,Smit\n3,\"x\"\n"), KTO_OK);

	r = reader_of(in.ptr, in.len, ',', NULL, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ELIMIT);
	assert_null(f);
	assert_int_equal(n, 0);
	assert_int_equal(kto_csv_record_number(r), 2);
	assert_int_equal(kto_csv_line(r), 2);
	assert_contains(kto_csv_error(r), "record 2 (line 2): field 2 is longer "
	    "than 4096 bytes");
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 0);
	/* Not fatal: the next records come out whole. */
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(f[0], "2");
	assert_string_equal(f[1], "Smit");
	assert_string_equal(kto_csv_error(r), "");
	assert_int_equal(kto_csv_record_number(r), 3);
	assert_int_equal(kto_csv_line(r), 3);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[1], "x");
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ENOTFOUND);
	kto_csv_reader_free(r);
	fclose(fp);
	kto_buf_release(&in);
}

static void
test_limit_quoted_multiline(void **state)
{
	/* The skipped field spans lines and holds delimiters. */
	struct kto_csv_limits lim = { 8, 4, 100 };
	FILE *fp;
	struct kto_csv_reader *r = reader_of(LIT(
	    "a,b\n"
	    "\"123456789,\n\n,\"\"x\",y\n"
	    "c,\"d\"\n"), ',', &lim, &fp);
	char **f;
	size_t n;

	(void)state;
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ELIMIT);
	assert_int_equal(kto_csv_line(r), 2);
	assert_contains(kto_csv_error(r), "field 1 is longer than 8 bytes");
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[0], "c");
	assert_string_equal(f[1], "d");
	assert_int_equal(kto_csv_record_number(r), 3);
	assert_int_equal(kto_csv_line(r), 5);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ENOTFOUND);
	kto_csv_reader_free(r);
	fclose(fp);
}

/* HARDENING C7: caps on fields and records */
static void
test_limit_fields_and_record(void **state)
{
	struct kto_csv_limits lim = { 10, 3, 12 };
	FILE *fp;
	struct kto_csv_reader *r;
	char **f;
	size_t n;
	char *got;

	(void)state;
	/* Exactly at each limit is fine; one more is not. */
	got = parse_lim(LIT("a,b,c\na,b,c,d\n1234567890\n12345678901\n"
	    "1234,5678,9012\n1234,5678,90123\n,,\n,,,\n"), ',', &lim);
	assert_string_equal(got, "[a|b|c]<LIMIT>[1234567890]<LIMIT>"
	    "[1234|5678|9012]<LIMIT>[||]<LIMIT><END>");
	free(got);

	r = reader_of(LIT("a,b,c,d,e\nx\n"), ',', &lim, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ELIMIT);
	assert_contains(kto_csv_error(r), "record 1 (line 1): the record has more "
	    "fields than 3");
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[0], "x");
	assert_int_equal(kto_csv_record_number(r), 2);
	kto_csv_reader_free(r);
	fclose(fp);

	r = reader_of(LIT("123456,123456,1\n"), ',', &lim, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ELIMIT);
	assert_contains(kto_csv_error(r), "the record is longer than 12");
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ENOTFOUND);
	kto_csv_reader_free(r);
	fclose(fp);

	/* Skipped at the end of the input, without a final line break. */
	got = parse_lim(LIT("ok\n12345678901"), ',', &lim);
	assert_string_equal(got, "[ok]<LIMIT><END>");
	free(got);
	got = parse_lim(LIT("ok\n1,2,3,"), ',', &lim);
	assert_string_equal(got, "[ok]<LIMIT><END>");
	free(got);
	/* The rest of a skipped record is still checked. */
	got = parse_lim(LIT("ok\n12345678901\xE9\n"), ',', &lim);
	assert_string_equal(got, "[ok]<INPUT>");
	free(got);
	got = parse_lim(LIT("ok\n12345678901,\"\nmore\n"), ',', &lim);
	assert_string_equal(got, "[ok]<INPUT>");
	free(got);
	r = reader_of(LIT("1,2,3,4,\"5\n"), ',', &lim, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	assert_contains(kto_csv_error(r), "line 1: the quoted field opened on "
	    "this line (record 1, field 5) is not closed");
	kto_csv_reader_free(r);
	fclose(fp);
	/* A skipped record whose fields are all empty after a long one. */
	got = parse_lim(LIT("12345678901,\nnext\n"), ',', &lim);
	assert_string_equal(got, "<LIMIT>[next]<END>");
	free(got);
}

static void
test_limits_minimal(void **state)
{
	struct kto_csv_limits one = { 1, 1, 1 };
	char *got;

	(void)state;
	got = parse_lim(LIT("a\nab\na,b\n\"\"\n,\n\"b\"\n"), ',', &one);
	assert_string_equal(got, "[a]<LIMIT><LIMIT>[]<LIMIT>[b]<END>");
	free(got);
}

static void
test_bad_arguments(void **state)
{
	struct kto_csv_limits zero = { 0, 64, 100 }, huge = { 10, 10, SIZE_MAX };
	FILE *fp = file_with("", 0);
	struct kto_csv_reader *good, *r;

	(void)state;
	/* *out is NULL after a failure, whatever it held. */
	assert_int_equal(kto_csv_reader_new(fp, ',', NULL, &good), KTO_OK);
	r = good;
	assert_int_equal(kto_csv_reader_new(fp, '"', NULL, &r), KTO_EINPUT);
	assert_null(r);
	assert_int_equal(kto_csv_reader_new(fp, '\n', NULL, &r), KTO_EINPUT);
	assert_int_equal(kto_csv_reader_new(fp, '\r', NULL, &r), KTO_EINPUT);
	assert_int_equal(kto_csv_reader_new(fp, (char)0xE9, NULL, &r), KTO_EINPUT);
	assert_int_equal(kto_csv_reader_new(fp, ',', &zero, &r), KTO_EINPUT);
	assert_int_equal(kto_csv_reader_new(fp, ',', &huge, &r), KTO_EINPUT);
	assert_int_equal(kto_csv_reader_new(NULL, ',', NULL, &r), KTO_EINPUT);
	assert_null(r);
	kto_csv_reader_free(good);
	kto_csv_reader_free(NULL);
	fclose(fp);
}

/*
** Each tricky sequence placed at every offset around the 64 KiB refill
** boundary: the carried-over bytes must give what one buffer gives.
*/
static void
test_buffer_boundaries(void **state)
{
	static const struct {
		const char *tail;
		const char *want;
	} cases[] = {
		{ "x\r\ny\n", "[x][y]" },
		{ "\"a\"\"b\",c\n", "[a\"b|c]" },
		{ "\"ab\",c\n", "[ab|c]" },
		{ "\"a\r\nb\"\n", "[a\nb]" },
		{ "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\n", "[\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80]" },
		{ "\"\xF0\x9F\x98\x80\"\n", "[\xF0\x9F\x98\x80]" },
		{ "\r\r\ny\r", "[y]" },
	};
	const struct kto_csv_limits lim = { 1u << 20, 8, 1u << 20 };
	const size_t bufsize = 64 * 1024;

	(void)state;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		for (size_t shift = 0; shift < 8; shift++) {
			/* A first record of one long field, then a line break. */
			size_t pad = bufsize - 5 + shift, tl = strlen(cases[c].tail);
			char *in = malloc(pad + 1 + tl), *got, *want;

			assert_non_null(in);
			memset(in, 'p', pad);
			in[pad] = '\n';
			memcpy(in + pad + 1, cases[c].tail, tl);
			got = parse_lim(in, pad + 1 + tl, ',', &lim);
			want = malloc(pad + 64);
			assert_non_null(want);
			snprintf(want, pad + 64, "[%.*s]%s<END>", (int)pad, in,
			    cases[c].want);
			if (strcmp(got, want) != 0) {
				print_error("case %zu, shift %zu: got ...%s\n", c, shift,
				    strlen(got) > pad ? got + pad : got);
				fail();
			}
			free(got);
			free(want);
			free(in);
		}
	}
}

static void
test_invalid_at_boundary(void **state)
{
	const size_t bufsize = 64 * 1024;
	const struct kto_csv_limits lim = { 1u << 20, 8, 1u << 20 };

	(void)state;
	/* A truncated sequence whose lead byte is the last of the buffer. */
	for (size_t shift = 0; shift < 4; shift++) {
		size_t pad = bufsize - 2 + shift;
		char *in = malloc(pad + 8);
		FILE *fp;
		struct kto_csv_reader *r;
		char **f;
		size_t n, line, col;

		assert_non_null(in);
		memset(in, 'q', pad);
		memcpy(in + pad, "\xE2\x82x\n", 4);
		r = reader_of(in, pad + 4, ',', &lim, &fp);
		assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
		kto_csv_error_pos(r, &line, &col);
		assert_int_equal(line, 1);
		assert_int_equal(col, pad + 1);
		kto_csv_reader_free(r);
		fclose(fp);
		free(in);
	}
}

/* Columns count characters, over a line that spans several refills. */
static void
test_column_long_line(void **state)
{
	const struct kto_csv_limits lim = { 1u << 20, 8, 1u << 20 };
	const size_t chars = 100000;    /* 200,000 bytes: four fills */
	char *in = malloc(2 * chars + 16);
	size_t len = 0, line, col;
	FILE *fp;
	struct kto_csv_reader *r;
	char **f;
	size_t n;

	(void)state;
	assert_non_null(in);
	memcpy(in, "h\n", 2);
	len = 2;
	for (size_t i = 0; i < chars; i++) {
		memcpy(in + len, "\xC3\xA9", 2);
		len += 2;
	}
	memcpy(in + len, "\xE9\n", 2);
	len += 2;
	r = reader_of(in, len, ',', &lim, &fp);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EINPUT);
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, chars + 1);
	assert_contains(kto_csv_error(r), "line 2, column 100001:");
	kto_csv_reader_free(r);
	fclose(fp);
	free(in);
}

/* Writes data into fd in pieces of 1 to 13 bytes, as a slow pipe does. */
static void
write_slowly(int fd, const char *data, size_t len)
{
	size_t off = 0, k = 0;

	while (off < len) {
		size_t piece = 1 + (k++ * 7) % 13;
		ssize_t w;

		if (piece > len - off)
			piece = len - off;
		w = write(fd, data + off, piece);
		if (w <= 0)
			_exit(1);
		off += (size_t)w;
	}
}

static void
test_pipe(void **state)
{
	struct kto_buf in = KTO_BUF_INIT(1u << 22);
	int fds[2];
	pid_t pid;
	FILE *fp;
	struct kto_csv_reader *r;
	char *from_pipe, *from_file;
	int status;

	(void)state;
	assert_int_equal(kto_buf_adds(&in, "\xEF\xBB\xBF" "id;naam;opmerking\r\n"),
	    KTO_OK);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(kto_buf_addf(&in, "%d;Ren\xC3\xA9 %d;\"a;\"\"b\"\"\r\nc\"\r\n",
		    i, i * 7), KTO_OK);
	from_file = parse(in.ptr, in.len, 0);

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		write_slowly(fds[1], in.ptr, in.len);
		close(fds[1]);
		_exit(0);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	assert_non_null(fp);
	assert_int_equal(kto_csv_reader_new(fp, 0, NULL, &r), KTO_OK);
	from_pipe = drain(r);
	assert_int_equal(kto_csv_delimiter(r), ';');
	assert_int_equal(kto_csv_bytes(r), in.len);
	assert_int_equal(kto_csv_record_number(r), 20001);
	assert_int_equal(kto_csv_line(r), 40000);
	kto_csv_reader_free(r);
	fclose(fp);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	assert_string_equal(from_pipe, from_file);
	assert_contains(from_pipe, "[19999|Ren\xC3\xA9 139993|a;\"b\"\nc]<END>");
	free(from_pipe);
	free(from_file);
	kto_buf_release(&in);
}

static void
test_read_error(void **state)
{
	/* Reading a stream opened for writing fails (EBADF), as a disk may. */
	FILE *fp = fopen("/dev/null", "w");
	struct kto_csv_reader *r;
	char **f;
	size_t n, line, col;

	(void)state;
	assert_non_null(fp);
	assert_int_equal(kto_csv_reader_new(fp, 0, NULL, &r), KTO_OK);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EIO);
	assert_null(f);
	assert_int_equal(n, 0);
	assert_contains(kto_csv_error(r), "cannot read the input: ");
	kto_csv_error_pos(r, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 0);
	/* Final. */
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_EIO);
	assert_contains(kto_csv_error(r), "cannot read the input: ");
	kto_csv_reader_free(r);
	fclose(fp);
}

static void
test_progress_bytes(void **state)
{
	FILE *fp;
	struct kto_csv_reader *r = reader_of(LIT("\xEF\xBB\xBF" "a,b\r\n1,2\r\n"), ',',
	    NULL, &fp);
	char **f;
	size_t n;

	(void)state;
	assert_int_equal(kto_csv_bytes(r), 0);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_bytes(r), 8);          /* BOM, a,b CR LF */
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_int_equal(kto_csv_bytes(r), 13);
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_ENOTFOUND);
	assert_int_equal(kto_csv_bytes(r), 13);
	kto_csv_reader_free(r);
	fclose(fp);
}

static void
test_fields_writable_and_reused(void **state)
{
	FILE *fp;
	struct kto_csv_reader *r = reader_of(LIT("abc,def\nghi,jkl\n"), ',', NULL,
	    &fp);
	char **f;
	size_t n;

	(void)state;
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	f[0][0] = 'X';          /* the caller may change them in place */
	assert_string_equal(f[0], "Xbc");
	assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
	assert_string_equal(f[0], "ghi");
	assert_string_equal(f[1], "jkl");
	kto_csv_reader_free(r);
	fclose(fp);
}

/* A large file streams through the fixed buffer: every row comes out. */
/* HARDENING C7: a streaming parse of many rows */
static void
test_many_rows(void **state)
{
	FILE *fp = tmpfile();
	struct kto_csv_reader *r;
	char **f;
	size_t n, rows = 0;
	enum kto_rc rc;
	long size;

	(void)state;
	assert_non_null(fp);
	fputs("contact_id;channel;contact_at;email\r\n", fp);
	for (int i = 0; i < 100000; i++)
		fprintf(fp, "%d;balie;2024-03-%02d;persoon%d@example.nl\r\n", i,
		    1 + i % 28, i);
	size = ftell(fp);
	rewind(fp);
	assert_int_equal(kto_csv_reader_new(fp, 0, NULL, &r), KTO_OK);
	while ((rc = kto_csv_next(r, &f, &n)) == KTO_OK) {
		assert_int_equal(n, 4);
		if (rows > 0) {
			char want[64];

			snprintf(want, sizeof want, "persoon%zu@example.nl", rows - 1);
			assert_string_equal(f[3], want);
		}
		rows++;
	}
	assert_int_equal(rc, KTO_ENOTFOUND);
	assert_int_equal(rows, 100001);
	assert_int_equal(kto_csv_bytes(r), (unsigned long long)size);
	assert_int_equal(kto_csv_line(r), 100001);
	kto_csv_reader_free(r);
	fclose(fp);
}

/* --------------------------------------------------------------- writer */

/* kto_csv_field(s, delim) into a fresh buffer, compared with want. */
static void
check_field(const char *s, char delim, const char *want)
{
	struct kto_buf b = KTO_BUF_INIT(1u << 16);

	assert_int_equal(kto_csv_field(&b, s, delim), KTO_OK);
	if (strcmp(kto_buf_str(&b), want) != 0) {
		print_error("field '%s': got '%s', want '%s'\n", s ? s : "(null)",
		    kto_buf_str(&b), want);
		fail();
	}
	kto_buf_release(&b);
}

/* HARDENING C9: RFC 4180 quoting on output */
static void
test_field_quoting(void **state)
{
	(void)state;
	check_field("plain", ',', "plain");
	check_field("", ',', "");
	check_field(NULL, ',', "");
	check_field("a;b", ';', "\"a;b\"");
	check_field("a;b", ',', "a;b");
	check_field("a,b", ',', "\"a,b\"");
	check_field("a\"b", ',', "\"a\"\"b\"");
	check_field("\"", ',', "\"\"\"\"");
	check_field("\"\"x\"", ',', "\"\"\"\"\"x\"\"\"");
	check_field("two\nlines", ',', "\"two\nlines\"");
	check_field("cr\rhere", ',', "\"cr\rhere\"");
	check_field("a\tb", '\t', "\"a\tb\"");
	check_field("a\tb", ',', "a\tb");
	check_field(" spaced ", ',', " spaced ");
	check_field("caf\xC3\xA9", ';', "caf\xC3\xA9");
	/* Not at the start: no formula. */
	check_field("a=b", ',', "a=b");
	check_field("e-mail", ',', "e-mail");
}

/* HARDENING C9 */
static void
test_field_formula_injection(void **state)
{
	(void)state;
	check_field("=SUM(A1)", ',', "'=SUM(A1)");
	check_field("=SUM(A1;A2)", ';', "\"'=SUM(A1;A2)\"");
	check_field("+1", ',', "'+1");
	check_field("-1", ',', "'-1");
	check_field("@x", ',', "'@x");
	check_field("\tx", ',', "'\tx");
	check_field("\tx", '\t', "\"'\tx\"");
	check_field("\rx", ',', "\"'\rx\"");
	check_field("=cmd|' /C calc'!A0", ',', "'=cmd|' /C calc'!A0");
	check_field("=HYPERLINK(\"http://x\",\"y\")", ',',
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	check_field("=", ',', "'=");
	check_field("'quoted", ',', "'quoted");
}

static void
test_field_limits(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(11);

	(void)state;
	assert_int_equal(kto_buf_adds(&b, "x,"), KTO_OK);
	/* "a\"b" needs 6 bytes quoted; "x," plus that fits, a second does not. */
	assert_int_equal(kto_csv_field(&b, "a\"b", ','), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "x,\"a\"\"b\"");
	assert_int_equal(kto_csv_field(&b, "c\"d", ','), KTO_ELIMIT);
	/* All or nothing: nothing of the refused field is left. */
	assert_string_equal(kto_buf_str(&b), "x,\"a\"\"b\"");
	assert_int_equal(b.len, 8);
	assert_int_equal(kto_csv_field(&b, "=1", ','), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "x,\"a\"\"b\"'=1");
	assert_int_equal(kto_csv_field(&b, "", ','), KTO_OK);
	assert_int_equal(kto_csv_field(&b, "z", ','), KTO_ELIMIT);
	kto_buf_release(&b);

	/* A delimiter the reader would refuse. */
	assert_int_equal(kto_csv_field(&b, "x", '"'), KTO_EINPUT);
	assert_int_equal(kto_csv_field(&b, "x", '\n'), KTO_EINPUT);
	assert_int_equal(kto_csv_field(&b, "x", 0), KTO_EINPUT);
	assert_int_equal(b.len, 0);
	kto_buf_release(&b);
}

/* What kto_csv_field() writes, the reader reads back. */
static void
test_round_trip(void **state)
{
	static const char *const values[] = {
		"plain", "", "a,b", "a;b", "say \"hi\"", "\"", "two\nlines",
		" spaced ", "caf\xC3\xA9", "ab\"c", "x\ty", "tail\"", "=1+2",
		"-5", "@home", "\"\"",
	};
	const size_t nv = sizeof values / sizeof values[0];
	static const char delims[] = { ',', ';', '\t' };

	(void)state;
	for (size_t d = 0; d < sizeof delims; d++) {
		struct kto_buf out = KTO_BUF_INIT(1u << 16);
		FILE *fp;
		struct kto_csv_reader *r;
		char **f;
		size_t n;

		/* Each value as a record of its own and all in one record. */
		for (size_t i = 0; i < nv; i++) {
			assert_int_equal(kto_csv_field(&out, "k", delims[d]), KTO_OK);
			assert_int_equal(kto_buf_addc(&out, delims[d]), KTO_OK);
			assert_int_equal(kto_csv_field(&out, values[i], delims[d]),
			    KTO_OK);
			assert_int_equal(kto_buf_adds(&out, "\r\n"), KTO_OK);
		}
		for (size_t i = 0; i < nv; i++) {
			if (i > 0)
				assert_int_equal(kto_buf_addc(&out, delims[d]), KTO_OK);
			assert_int_equal(kto_csv_field(&out, values[i], delims[d]),
			    KTO_OK);
		}
		r = reader_of(out.ptr, out.len, delims[d], NULL, &fp);
		for (size_t i = 0; i < nv; i++) {
			const char *v = values[i];
			bool defused = strchr("=+-@", v[0]) != NULL && v[0] != '\0';

			assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
			assert_int_equal(n, 2);
			assert_string_equal(f[1] + defused, v);
			if (defused)
				assert_int_equal(f[1][0], '\'');
		}
		assert_int_equal(kto_csv_next(r, &f, &n), KTO_OK);
		assert_int_equal(n, nv);
		assert_int_equal(kto_csv_next(r, &f, &n), KTO_ENOTFOUND);
		kto_csv_reader_free(r);
		fclose(fp);
		kto_buf_release(&out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_line_ends_identical),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_lenient_quotes),
		cmocka_unit_test(test_whitespace_kept),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_numbers_multiline),
		cmocka_unit_test(test_unbalanced_quote),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_delimiter_reported),
		cmocka_unit_test(test_limit_field),
		cmocka_unit_test(test_limit_quoted_multiline),
		cmocka_unit_test(test_limit_fields_and_record),
		cmocka_unit_test(test_limits_minimal),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_buffer_boundaries),
		cmocka_unit_test(test_invalid_at_boundary),
		cmocka_unit_test(test_column_long_line),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_progress_bytes),
		cmocka_unit_test(test_fields_writable_and_reused),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_field_quoting),
		cmocka_unit_test(test_field_formula_injection),
		cmocka_unit_test(test_field_limits),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
