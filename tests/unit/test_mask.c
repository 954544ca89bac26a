/*
** engine/mask: personal data in open answers replaced by placeholders.
**
** The bulk of the cases is the corpus mask_corpus.tsv, true and false
** positives side by side; the tests here add what a corpus line cannot
** say: the found bits, appending, the limit path, invalid UTF-8, very
** long and hostile input, and several threads at once.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "engine/mask.h"

#ifndef KTO_MASK_CORPUS
#error "KTO_MASK_CORPUS must name tests/unit/mask_corpus.tsv"
#endif

#define ALL_KINDS (KTO_MASK_BSN | KTO_MASK_EMAIL | KTO_MASK_PHONE | \
                   KTO_MASK_IBAN | KTO_MASK_ADDRESS)

struct corpus_case {
	int line;
	char *input;
	char *expected;
	unsigned kinds;
};

static struct corpus_case *cases;
static size_t n_cases;
static char *corpus_text;

/* ---------------------------------------------------------------------- */
/* The corpus                                                              */

/* Undoes \n, \t and \\ in place. */
static void
unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == 't' || s[1] == '\\')) {
			*o++ = s[1] == 'n' ? '\n' : s[1] == 't' ? '\t' : '\\';
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

static int
parse_kinds(const char *s, unsigned *kinds)
{
	static const struct { const char *name; unsigned kind; } names[] = {
		{ "bsn", KTO_MASK_BSN }, { "email", KTO_MASK_EMAIL },
		{ "phone", KTO_MASK_PHONE }, { "iban", KTO_MASK_IBAN },
		{ "adres", KTO_MASK_ADDRESS },
	};

	*kinds = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		size_t i;

		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == len && strncmp(s, names[i].name, len) == 0)
				break;
		if (i == sizeof names / sizeof names[0])
			return -1;
		*kinds |= names[i].kind;
		s += len;
		if (*s == ',')
			s++;
	}
	return 0;
}

/* Reads the corpus into cases[]; exits on any error, before cmocka runs. */
static void
load_corpus(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;
	char *p;
	int line = 0;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "test_mask: cannot read '%s'\n", path);
		exit(1);
	}
	corpus_text = malloc((size_t)size + 1);
	cases = calloc((size_t)size + 1, sizeof cases[0]);
	if (corpus_text == NULL || cases == NULL ||
	    fread(corpus_text, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "test_mask: cannot read '%s'\n", path);
		exit(1);
	}
	fclose(f);
	corpus_text[size] = '\0';

	for (p = corpus_text; *p; ) {
		char *end = strchr(p, '\n'), *f2, *f3;
		struct corpus_case *c;

		line++;
		if (end != NULL)
			*end = '\0';
		if (*p == '\0' || *p == '#')
			goto next;
		if ((f2 = strchr(p, '\t')) == NULL || (f3 = strchr(f2 + 1, '\t')) == NULL ||
		    strchr(f3 + 1, '\t') != NULL) {
			fprintf(stderr, "%s:%d: want input TAB expected TAB kinds\n", path, line);
			exit(1);
		}
		*f2++ = '\0';
		*f3++ = '\0';
		c = &cases[n_cases++];
		c->line = line;
		c->input = p;
		c->expected = f2;
		unescape(c->input);
		unescape(c->expected);
		if (parse_kinds(f3, &c->kinds) != 0) {
			fprintf(stderr, "%s:%d: unknown kind in '%s'\n", path, line, f3);
			exit(1);
		}
next:
		if (end == NULL)
			break;
		p = end + 1;
	}
}

/* Masks s into a fresh string the caller frees; fails the test on error. */
static char *
mask(const char *s, unsigned *found)
{
	struct kto_buf b = KTO_BUF_INIT(1 << 24);
	char *r;

	assert_int_equal(kto_mask_text(s, &b, found), KTO_OK);
	r = kto_buf_detach(&b);
	assert_non_null(r);
	return r;
}

static void
check(const char *s, const char *want, unsigned want_kinds)
{
	unsigned found = 0xdead;
	char *got = mask(s, &found);

	if (strcmp(got, want) != 0)
		print_error("input: %s\n", s);
	assert_string_equal(got, want);
	assert_int_equal(found, want_kinds);
	free(got);
}

/* ---------------------------------------------------------------------- */
/* Threads: first, so that the patterns are compiled under contention.     */

#define N_THREADS 4
#define ROUNDS 20

static pthread_barrier_t start_line;

static void *
mask_corpus_thread(void *arg)
{
	struct kto_buf b = KTO_BUF_INIT(1 << 20);
	intptr_t failures = 0;

	(void)arg;
	pthread_barrier_wait(&start_line);
	for (int r = 0; r < ROUNDS; r++) {
		for (size_t i = 0; i < n_cases; i++) {
			unsigned found;

			kto_buf_reset(&b);
			if (kto_mask_text(cases[i].input, &b, &found) != KTO_OK ||
			    strcmp(kto_buf_str(&b), cases[i].expected) != 0 ||
			    found != cases[i].kinds)
				failures++;
		}
	}
	kto_buf_release(&b);
	return (void *)failures;
}

static void
test_threads(void **state)
{
	pthread_t t[N_THREADS];

	(void)state;
	assert_int_equal(pthread_barrier_init(&start_line, NULL, N_THREADS), 0);
	for (int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, mask_corpus_thread, NULL), 0);
	for (int i = 0; i < N_THREADS; i++) {
		void *failures;

		assert_int_equal(pthread_join(t[i], &failures), 0);
		assert_int_equal((intptr_t)failures, 0);
	}
	pthread_barrier_destroy(&start_line);
}

/* ---------------------------------------------------------------------- */

static void
test_corpus(void **state)
{
	int bad = 0;

	(void)state;
	assert_true(n_cases >= 80);
	for (size_t i = 0; i < n_cases; i++) {
		const struct corpus_case *c = &cases[i];
		unsigned found = 0;
		char *got = mask(c->input, &found);

		if (strcmp(got, c->expected) != 0 || found != c->kinds) {
			print_error("mask_corpus.tsv:%d:\n  input: %s\n  want:  %s (%u)\n"
			    "  got:   %s (%u)\n", c->line, c->input, c->expected,
			    c->kinds, got, found);
			bad++;
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

static void
test_found(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(1024);
	unsigned found = 0xdead;

	(void)state;
	/* NULL found is allowed. */
	assert_int_equal(kto_mask_text("BSN 123456782", &b, NULL), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "BSN [BSN]");
	/* Nothing found sets 0, not "unchanged". */
	kto_buf_reset(&b);
	assert_int_equal(kto_mask_text("niets bijzonders", &b, &found), KTO_OK);
	assert_int_equal(found, 0);
	check("", "", 0);
	check("0612345678", "[telefoonnummer]", KTO_MASK_PHONE);
	check("a@b.nl 0612345678 123456782 NL91ABNA0417164300 1234 AB 1",
	    "[e-mail] [telefoonnummer] [BSN] [IBAN] [adres]", ALL_KINDS);
	/* Back to back, and the same kind twice counts once. */
	check("a@b.nl,c@d.nl", "[e-mail],[e-mail]", KTO_MASK_EMAIL);
	kto_buf_release(&b);
}

static void
test_null_text(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(16);
	unsigned found = 7;

	(void)state;
	assert_int_equal(kto_mask_text(NULL, &b, &found), KTO_OK);
	assert_int_equal(b.len, 0);
	assert_string_equal(kto_buf_str(&b), "");
	assert_int_equal(found, 0);
	kto_buf_release(&b);
}

static void
test_appends(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(1024);

	(void)state;
	assert_int_equal(kto_buf_adds(&b, "<p>"), KTO_OK);
	assert_int_equal(kto_mask_text("bel 06-12345678", &b, NULL), KTO_OK);
	assert_int_equal(kto_buf_adds(&b, "</p>"), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "<p>bel [telefoonnummer]</p>");
	kto_buf_release(&b);
}

/*
** KTO_ELIMIT leaves out exactly as it was and *found at 0; the limit
** counts the masked text, not the input, so a text that shrinks fits.
*/
static void
test_limit(void **state)
{
	const char *in = "mail jan.jansen@example.nl";          /* 26 bytes */
	const char *want = "mail [e-mail]";                     /* 13 bytes */
	struct kto_buf b;
	unsigned found = 0xdead;

	(void)state;
	/* "ab" + 13 bytes = 15: fits exactly. */
	kto_buf_init(&b, 15);
	assert_int_equal(kto_buf_adds(&b, "ab"), KTO_OK);
	assert_int_equal(kto_mask_text(in, &b, &found), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "abmail [e-mail]");
	assert_int_equal(found, KTO_MASK_EMAIL);
	kto_buf_release(&b);

	/* One byte short. */
	kto_buf_init(&b, 14);
	assert_int_equal(kto_buf_adds(&b, "ab"), KTO_OK);
	found = 0xdead;
	assert_int_equal(kto_mask_text(in, &b, &found), KTO_ELIMIT);
	assert_int_equal(b.len, 2);
	assert_string_equal(kto_buf_str(&b), "ab");
	assert_int_equal(found, 0);
	/* And the buffer still works. */
	assert_int_equal(kto_mask_text("x", &b, NULL), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "abx");
	kto_buf_release(&b);

	/* A full buffer takes nothing more, but the empty text. */
	kto_buf_init(&b, 2);
	assert_int_equal(kto_buf_adds(&b, "ab"), KTO_OK);
	assert_int_equal(kto_mask_text(want, &b, NULL), KTO_ELIMIT);
	assert_string_equal(kto_buf_str(&b), "ab");
	assert_int_equal(kto_mask_text("", &b, NULL), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "ab");
	kto_buf_release(&b);
}

/*
** Invalid UTF-8 does not switch masking off; each bad byte becomes
** U+FFFD, so the result is valid UTF-8.
*/
/* HARDENING F2: invalid UTF-8 never reaches PCRE2 unchecked */
static void
test_invalid_utf8(void **state)
{
	static const struct {
		const char *in, *want;
		unsigned kinds;
	} t[] = {
		{ "\xff bel 0612345678", "\xEF\xBF\xBD bel [telefoonnummer]", KTO_MASK_PHONE },
		/* A lone continuation byte, glued: the number is still a number. */
		{ "\x80" "0612345678\x80", "\xEF\xBF\xBD[telefoonnummer]\xEF\xBF\xBD",
		  KTO_MASK_PHONE },
		/* Overlong '/', a surrogate, a truncated euro sign at the end. */
		{ "\xC0\xAF BSN 123456782 \xED\xA0\x80 x \xE2\x82",
		  "\xEF\xBF\xBD\xEF\xBF\xBD BSN [BSN] \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD x "
		  "\xEF\xBF\xBD\xEF\xBF\xBD", KTO_MASK_BSN },
		{ "jan@example.nl\xfe", "[e-mail]\xEF\xBF\xBD", KTO_MASK_EMAIL },
		/* Valid multibyte text is copied as it is. */
		{ "caf\xC3\xA9 \xE2\x82\xAC 5 \xF0\x9F\x98\x8A", "caf\xC3\xA9 \xE2\x82\xAC 5 \xF0\x9F\x98\x8A", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		unsigned found;
		char *got = mask(t[i].in, &found);

		assert_string_equal(got, t[i].want);
		assert_int_equal(found, t[i].kinds);
		assert_int_equal(kto_utf8_invalid_at(got, strlen(got)), strlen(got));
		free(got);
	}
}

/*
** How much text the long tests use.  With JIT the masking is linear, so a
** megabyte takes a moment.  The interpreter re-checks the UTF-8 of the
** rest of the text on every pcre2_match call, which makes the time grow
** with length times matches: still milliseconds for an answer (at most
** KTO_DEF_MAX_ANSWER_TEXT characters), but seconds for a megabyte.
*/
static size_t
long_size(void)
{
	uint32_t jit = 0;

	(void)pcre2_config(PCRE2_CONFIG_JIT, &jit);
	return jit ? (size_t)1 << 20 : (size_t)1 << 16;
}

/* A long answer with personal data spread through it, a megabyte with JIT. */
static void
test_long_input(void **state)
{
	static const char *para =
	    "Al maanden ligt er afval naast de container. Ik heb gebeld met "
	    "06-12345678 en gemaild naar jan.jansen@example.nl, mijn BSN "
	    "123456782 en IBAN NL91 ABNA 0417 1643 00 gegeven, en het adres "
	    "Kerkstraat 12, 1234 AB. Ordernummer 123456789 op 12-03-2026. ";
	static const char *masked =
	    "Al maanden ligt er afval naast de container. Ik heb gebeld met "
	    "[telefoonnummer] en gemaild naar [e-mail], mijn BSN "
	    "[BSN] en IBAN [IBAN] gegeven, en het adres "
	    "[adres]. Ordernummer 123456789 op 12-03-2026. ";
	struct kto_buf in = KTO_BUF_INIT(1 << 22), want = KTO_BUF_INIT(1 << 22);
	unsigned found;
	char *got;

	(void)state;
	while (in.len < long_size()) {
		assert_int_equal(kto_buf_adds(&in, para), KTO_OK);
		assert_int_equal(kto_buf_adds(&want, masked), KTO_OK);
	}
	got = mask(kto_buf_str(&in), &found);
	assert_int_equal(strlen(got), want.len);
	assert_true(strcmp(got, kto_buf_str(&want)) == 0);
	assert_int_equal(found, ALL_KINDS);
	free(got);
	kto_buf_release(&in);
	kto_buf_release(&want);
}

/*
** Input built to make a matcher backtrack: long runs that almost match.
** Each must come back without hitting a match limit or running out of
** JIT stack, because every pattern tries a run only from its start, and
** a bounded number of ways.
*/
/* HARDENING F4: ReDoS strings against the masking patterns */
static void
test_hostile_input(void **state)
{
	static const char *units[] = {
		"1", "a", "a.", "a-", "0 ", "06-", "1234 AB ", "aaaa@", "@a.", "NL91",
		"nl91 ", "Kerkstraat", "straat ", "+31 ", "(0)", "\xC3\xA9", "\xff",
		"BSN ", "1.", "0.", "Kerkstraat 12, ", "a@b.nl ", "0612345678 ",
		"12 ", "ab12 ", "a'", "Laan Van ", "1234 ab 12 ", "06 12 ", "jan(at)x",
	};
	struct kto_buf in = KTO_BUF_INIT(1 << 21);
	struct kto_buf out = KTO_BUF_INIT(1 << 23);

	(void)state;
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		enum kto_rc rc;

		kto_buf_reset(&in);
		while (in.len < long_size())
			assert_int_equal(kto_buf_adds(&in, units[u]), KTO_OK);
		kto_buf_reset(&out);
		rc = kto_mask_text(kto_buf_str(&in), &out, NULL);
		if (rc != KTO_OK)
			print_error("unit '%s': %s\n", units[u], kto_strerror(rc));
		assert_int_equal(rc, KTO_OK);
		assert_true(out.len > 0);
	}
	kto_buf_release(&in);
	kto_buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_null_text),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_hostile_input),
	};
	int rc;

	load_corpus(KTO_MASK_CORPUS);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(cases);
	free(corpus_text);
	return rc;
}
