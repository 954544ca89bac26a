/*
** base/utf8: well-formedness per RFC 3629, code point counts, control
** characters.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/utf8.h"

/* kto_utf8_invalid_at over a string literal, NULs included. */
#define INVALID_AT(lit) kto_utf8_invalid_at((lit), sizeof(lit) - 1)

static void
test_valid(void **state)
{
	(void)state;
	assert_int_equal(kto_utf8_invalid_at("", 0), 0);
	assert_int_equal(INVALID_AT("plain ASCII ~"), 13);
	assert_int_equal(INVALID_AT("a\0b"), 3);                /* NUL is ASCII */
	assert_int_equal(INVALID_AT("\x7f"), 1);
	assert_int_equal(INVALID_AT("caf\xc3\xa9"), 5);         /* é U+00E9 */
	assert_int_equal(INVALID_AT("\xc2\x80"), 2);            /* U+0080, lowest 2-byte */
	assert_int_equal(INVALID_AT("\xdf\xbf"), 2);            /* U+07FF */
	assert_int_equal(INVALID_AT("\xe0\xa0\x80"), 3);        /* U+0800, lowest 3-byte */
	assert_int_equal(INVALID_AT("\xe2\x82\xac"), 3);        /* € U+20AC */
	assert_int_equal(INVALID_AT("\xed\x9f\xbf"), 3);        /* U+D7FF, below surrogates */
	assert_int_equal(INVALID_AT("\xee\x80\x80"), 3);        /* U+E000, above surrogates */
	assert_int_equal(INVALID_AT("\xef\xbf\xbf"), 3);        /* U+FFFF */
	assert_int_equal(INVALID_AT("\xf0\x90\x80\x80"), 4);    /* U+10000, lowest 4-byte */
	assert_int_equal(INVALID_AT("\xf0\x9d\x84\x9e"), 4);    /* 𝄞 U+1D11E */
	assert_int_equal(INVALID_AT("\xf4\x8f\xbf\xbf"), 4);    /* U+10FFFF, the last */
	assert_int_equal(INVALID_AT("\xef\xbb\xbf" "BOM"), 6);     /* a BOM is well-formed */
	assert_int_equal(INVALID_AT("Sint-Oedenrode \xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e"),
	    15 + 2 + 3 + 4);
}

static void
test_overlong(void **state)
{
	(void)state;
	assert_int_equal(INVALID_AT("\xc0\xaf"), 0);            /* '/' in 2 bytes */
	assert_int_equal(INVALID_AT("\xc0\x80"), 0);            /* NUL in 2 bytes */
	assert_int_equal(INVALID_AT("\xc1\xbf"), 0);
	assert_int_equal(INVALID_AT("\xe0\x80\xaf"), 0);        /* '/' in 3 bytes */
	assert_int_equal(INVALID_AT("\xe0\x9f\xbf"), 0);        /* U+07FF in 3 bytes */
	assert_int_equal(INVALID_AT("\xf0\x80\x80\xaf"), 0);    /* '/' in 4 bytes */
	assert_int_equal(INVALID_AT("\xf0\x8f\xbf\xbf"), 0);    /* U+FFFF in 4 bytes */
	assert_int_equal(INVALID_AT("ab\xc0\xaf"), 2);
}

static void
test_surrogates(void **state)
{
	(void)state;
	assert_int_equal(INVALID_AT("\xed\xa0\x80"), 0);        /* U+D800 */
	assert_int_equal(INVALID_AT("\xed\xaf\xbf"), 0);        /* U+DBFF */
	assert_int_equal(INVALID_AT("\xed\xb0\x80"), 0);        /* U+DC00 */
	assert_int_equal(INVALID_AT("\xed\xbf\xbf"), 0);        /* U+DFFF */
	/* A CESU-8 pair for U+1F600 is two surrogates, not one code point. */
	assert_int_equal(INVALID_AT("ok\xed\xa0\xbd\xed\xb8\x80"), 2);
}

static void
test_above_max(void **state)
{
	(void)state;
	assert_int_equal(INVALID_AT("\xf4\x90\x80\x80"), 0);    /* U+110000 */
	assert_int_equal(INVALID_AT("\xf4\xbf\xbf\xbf"), 0);
	assert_int_equal(INVALID_AT("x\xf4\x90\x80\x80"), 1);
}

static void
test_bad_lead_bytes(void **state)
{
	char s[4];

	(void)state;
	for (int c = 0xf5; c <= 0xff; c++) {
		s[0] = 'a';
		s[1] = (char)c;
		s[2] = (char)0x80;
		s[3] = (char)0x80;
		assert_int_equal(kto_utf8_invalid_at(s, 4), 1);
		assert_int_equal(kto_utf8_invalid_at(s + 1, 1), 0);
	}
	/* Every continuation byte alone is invalid. */
	for (int c = 0x80; c <= 0xbf; c++) {
		s[0] = (char)c;
		assert_int_equal(kto_utf8_invalid_at(s, 1), 0);
	}
}

static void
test_lone_continuation(void **state)
{
	(void)state;
	assert_int_equal(INVALID_AT("\x80"), 0);
	assert_int_equal(INVALID_AT("abc\xbf"), 3);
	/* One continuation byte too many after a complete sequence. */
	assert_int_equal(INVALID_AT("\xc3\xa9\xa9"), 2);
	assert_int_equal(INVALID_AT("\xe2\x82\xac\x80z"), 3);
}

static void
test_truncated(void **state)
{
	(void)state;
	assert_int_equal(INVALID_AT("a\xc3"), 1);
	assert_int_equal(INVALID_AT("\xe2\x82"), 0);
	assert_int_equal(INVALID_AT("ab\xe2"), 2);
	assert_int_equal(INVALID_AT("\xf0\x9d\x84"), 0);
	assert_int_equal(INVALID_AT("\xf0\x9d"), 0);
	/* Interrupted by an ASCII byte. */
	assert_int_equal(INVALID_AT("\xc3" "a"), 0);
	assert_int_equal(INVALID_AT("\xe2\x82" "a"), 0);
	assert_int_equal(INVALID_AT("\xf0\x9d\x84" "a"), 0);
	assert_int_equal(INVALID_AT("\xe2\x28\xa1"), 0);
	/* n cuts a sequence that continues in memory: only n counts. */
	assert_int_equal(kto_utf8_invalid_at("x\xc3\xa9", 2), 1);
	assert_int_equal(kto_utf8_invalid_at("\xf0\x9d\x84\x9e", 3), 0);
	assert_int_equal(kto_utf8_invalid_at("\xf0\x9d\x84\x9e", 4), 4);
}

static void
test_offset_is_first_bad_sequence(void **state)
{
	(void)state;
	/* "héllo" is 6 bytes, then a bad byte, then more bad ones. */
	assert_int_equal(INVALID_AT("h\xc3\xa9llo\xff\xc0\xaf"), 6);
	assert_int_equal(INVALID_AT("\xe2\x82\xac\xe2\x82\xac\xed\xa0\x80"), 6);
}

static void
test_length(void **state)
{
	(void)state;
	assert_int_equal(kto_utf8_length("", 0), 0);
	assert_int_equal(kto_utf8_length("abc", 3), 3);
	assert_int_equal(kto_utf8_length("h\xc3\xa9llo", 6), 5);
	assert_int_equal(kto_utf8_length("\xe2\x82\xac\xf0\x9d\x84\x9e", 7), 2);
	assert_int_equal(kto_utf8_length("\xf4\x8f\xbf\xbf" "a\xc3\xa9", 7), 3);
	/* Only the first n bytes count. */
	assert_int_equal(kto_utf8_length("abcdef", 2), 2);
}

static void
test_has_control(void **state)
{
	(void)state;
	assert_false(kto_text_has_control(""));
	assert_false(kto_text_has_control("Kring C"));
	assert_false(kto_text_has_control("a\tb"));             /* tab is allowed */
	assert_false(kto_text_has_control("\t"));
	assert_false(kto_text_has_control("caf\xc3\xa9 ~"));
	assert_true(kto_text_has_control("a\nb"));
	assert_true(kto_text_has_control("a\rb"));
	assert_true(kto_text_has_control("\r\n"));
	assert_true(kto_text_has_control("end\n"));
	assert_true(kto_text_has_control("\x7f"));              /* DEL */
	assert_true(kto_text_has_control("x\x7fy"));
	assert_true(kto_text_has_control("\x01"));
	assert_true(kto_text_has_control("\x1b[31m"));          /* ESC */
	assert_true(kto_text_has_control("a\x1f"));
	/* Every C0 control except tab. */
	for (int c = 1; c < 0x20; c++) {
		char s[4] = { 'x', (char)c, 'y', '\0' };

		if (c == '\t')
			assert_false(kto_text_has_control(s));
		else
			assert_true(kto_text_has_control(s));
	}
	for (int c = 0x20; c < 0x7f; c++) {
		char s[2] = { (char)c, '\0' };

		assert_false(kto_text_has_control(s));
	}
}

/* Quoting outside text: always well formed, cut between characters. */
static void
test_quote(void **state)
{
	char out[8];

	(void)state;
	assert_string_equal(kto_utf8_quote("abc", out, sizeof out), "abc");
	assert_string_equal(kto_utf8_quote("a\xC8\xA3" "b", out, sizeof out), "a\xC8\xA3" "b");
	/* A lone lead byte, a lone continuation, an overlong '/': one '?' each. */
	assert_string_equal(kto_utf8_quote("\xC8x\x80\xC0\xAF", out, sizeof out), "?x???");
	/* Seven bytes of room: "abcdé" is 6 bytes, "abcdéé" would cut the é. */
	assert_string_equal(kto_utf8_quote("abcd\xC3\xA9\xC3\xA9", out, sizeof out),
	    "abcd\xC3\xA9");
	assert_int_equal(kto_utf8_invalid_at(out, strlen(out)), strlen(out));
	assert_string_equal(kto_utf8_quote("", out, 1), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates),
		cmocka_unit_test(test_above_max),
		cmocka_unit_test(test_bad_lead_bytes),
		cmocka_unit_test(test_lone_continuation),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_offset_is_first_bad_sequence),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_has_control),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
