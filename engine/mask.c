/*
** engine/mask: personal data in open answers replaced by placeholders
** (mask.h says what is masked and why).
**
** Each kind of personal data is one or two PCRE2 patterns.  A pattern finds
** candidates by their shape; the checks that need arithmetic (the BSN's
** elfproef, the IBAN's mod-97, the digit count of a phone number) run in a
** callout placed after the candidate, so that a candidate failing its
** check makes PCRE2 backtrack and try the shorter ones, as if the check
** were part of the pattern.  Capture group 1 of every pattern is the text
** to replace; what is around it is context (a "BSN:" before an eight-digit
** number) and stays.
**
** The patterns run side by side over the text.  Of the candidates the one
** that starts first wins, the longer one on a tie, and candidates that
** overlap a replaced one are searched again from its end.  So an e-mail
** address with digits in it is one [e-mail], and an IBAN is never partly a
** phone number.
**
** Every pattern starts with a lookbehind that lets a match begin only at
** the start of a word or number, and every repeat has an upper bound: a
** pattern tries each run of digits or letters once, a bounded number of
** ways, so the time taken stays linear in the length of the text even for
** hostile input (HARDENING.md F4), and JIT's small default stack is
** enough.  An unbounded "+" over a 100 KB run of letters ran out of JIT
** stack; PCRE2's match limits are the backstop.  Without JIT, PCRE2
** checks the UTF-8 of the rest of the text on every call, so the time
** grows with length times matches: milliseconds for an open answer (5000
** characters at most), a minute for a megabyte full of postcodes.
*/
#include "engine/mask.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/utf8.h"

/*
** Limits per pcre2_match call.  The patterns are linear, so ordinary text
** of several megabytes stays far below them; reaching one means a text
** built to make the matcher work, and kto_mask_text refuses it.
*/
#define MASK_MATCH_LIMIT  50000000
#define MASK_DEPTH_LIMIT  10000
#define MASK_HEAP_LIMIT   (16 * 1024)    /* KiB */

/* Callout numbers: which check runs on capture group 1. */
enum {
	CHECK_BSN = 1,
	CHECK_IBAN = 2,
	CHECK_PHONE = 3,
	CHECK_POSTCODE = 4
};

/*
** Pattern fragments.  The patterns are compiled with PCRE2_EXTENDED, so
** white space in them is layout; a literal space is written [ ].  SP is a
** space as people type it, including the no-break spaces that word
** processors put in numbers.
*/
#define SP "[ \\x{A0}\\x{202F}]"
#define EURO "\\x{20AC}"
/* The separators in a phone number: slash, dot and the dashes and hyphens. */
#define DASH "[\\-/.\\x{2010}-\\x{2014}\\x{2212}]"

/* Not glued to a preceding word or number. */
#define WORD_START "(?<![\\p{L}\\p{N}_])"

/* A house number with an addition: 12, 12a, 12 A, 12-3, 12-hs, 12bis. */
#define HOUSE_NUMBER \
	/* A postcode after a postcode is not its house number. */ \
	"(?![1-9][0-9]{3}" SP "?[A-Za-z]{2}(?![\\p{L}\\p{N}_]))" \
	"[0-9]{1,5}" \
	"(?: " SP "?-?" SP "?[A-Za-z](?![\\p{L}\\p{N}_])" \
	"  | -[0-9]{1,4}" \
	"  | " SP "?-?" SP "?(?i:hs|bis|huis|boven|beneden)(?![\\p{L}]) )?" \
	"(?![\\p{N}]|[.,:][\\p{N}])" \
	/* A number followed by a unit is a count, not a house number. */ \
	"(?!" SP "{0,3}(?i:%|km|m|meter|jaar|jr|uur|u|min|minuten|sec|keer|x|euro|eur|" \
	EURO "|procent|dagen|weken|maanden|stuks|personen|mensen|huizen|" \
	"woningen|kinderen|bomen|cm|kg|graden|straten|minuutjes)(?![\\p{L}]))"

#define POSTCODE \
	"[1-9][0-9]{3}" SP "?[A-Za-z]{2}(?![\\p{L}\\p{N}_\\-])"

/* "nr", "nr.", "huisnummer", "no." before a house number. */
#define NUMBER_WORD \
	"(?:(?i:huis)?(?i:nummer|nr|no)\\.?" SP "{0,3})?"

struct mask_pattern {
	enum kto_mask_kind kind;
	const char *source;
};

static const struct mask_pattern patterns[] = {
	/*
	** E-mail: a pragmatic local@domain.tld.  The local part may not
	** start with a dot or an apostrophe, so that "'jan@x.nl'" and
	** "...jan@x.nl" keep their punctuation; the lookbehinds let a
	** match start only where a local part can start.
	*/
	{ KTO_MASK_EMAIL,
	  "(?<![\\p{L}\\p{N}_%+\\-])(?<![\\p{L}\\p{N}_%+\\-][.'])"
	  "("
	  "  [\\p{L}\\p{N}_%+\\-]{1,64} (?:[.'][\\p{L}\\p{N}_%+\\-]{1,64}){0,16}"
	  "  (?: @ | [ ]?(?i:\\(at\\)|\\[at\\]|\\{at\\})[ ]? )"
	  "  (?: [\\p{L}\\p{N}] (?:[\\p{L}\\p{N}\\-]{0,61}[\\p{L}\\p{N}])? \\. ){1,8}"
	  "  \\p{L}{2,63}"
	  ")"
	  "(?![\\p{L}\\p{N}_\\-])" },

	/*
	** IBAN: country, check digits, then 11 to 30 letters and digits
	** with spaces anywhere between them; the callout wants the
	** country's length and mod-97, and backtracking tries every
	** length that ends at a word boundary.
	*/
	{ KTO_MASK_IBAN,
	  WORD_START
	  "( (?:[A-Za-z]{2}|[A-Z]{2}" SP "?)[0-9]{2} (?:" SP "?[A-Za-z0-9]){11,30} )"
	  "(?![\\p{L}\\p{N}_])"
	  "(?C2)" },

	/*
	** Phone: an optional +31 / 0031 with an optional (0), an optional
	** area code in brackets, then groups of digits with the separators
	** people use.  The callout parses the groups (phone_ok).  Not after
	** a digit and '.', ',', '-' or ':' (amounts, dates, times, codes),
	** nor after "NL91 ABNA " (the rest of an IBAN).
	*/
	{ KTO_MASK_PHONE,
	  "(?<![\\p{L}\\p{N}_+])(?<![\\p{N}][.,\\-:])"
	  "(?<![A-Za-z]{2}[0-9]{2}[ ][A-Za-z]{4}[ ])"
	  "(?<!" EURO ")(?<!" EURO "[ ])"
	  "("
	  "  (?: (?:\\+|00)[ ]?31 [ ]? (?:\\([ ]?0[ ]?\\)[ ]?)? (?:-[ ]?)? | \\+ )?"
	  "  (?: \\([0-9]{2,4}\\)[ ]? (?:[\\-/][ ]?)? )?"
	  "  [0-9]{1,11}"
	  "  (?: (?:" SP "?" DASH SP "?|" SP ") [0-9]{1,10} ){0,6}"
	  ")"
	  "(?![\\p{L}\\p{N}_]|[.,\\-:][\\p{N}])"
	  "(?C3)" },

	/*
	** BSN, eight digits after a word that says so; nine digits glued
	** to it ("BSN123456782") too.  Only the number is replaced.
	*/
	{ KTO_MASK_BSN,
	  WORD_START
	  "(?i: bsn | burger[ \\-]?service[ \\-]?nummer | sofi[ \\-]?(?:nummer|nr) )"
	  "[^\\p{N}\\n]{0,24}?"
	  "([0-9]{8,9})"
	  "(?![\\p{N}]|[.,\\-][\\p{N}])"
	  "(?C1)" },

	/*
	** BSN, nine digits: 123456782, 123.456.782, 123 456 782,
	** 1234.56.782, with one kind of separator.  Not inside a longer
	** run of digits, not an amount.
	*/
	{ KTO_MASK_BSN,
	  WORD_START
	  "(?<![\\p{N}][.,\\-])(?<!" EURO ")(?<!" EURO "[ ])(?<!EUR[ ])(?<!eur[ ])"
	  "( [0-9]{9}"
	  "| (?<![\\p{N}][ ]) [0-9]{3} ([ .\\-]) [0-9]{3} \\2 [0-9]{3}"
	  "| (?<![\\p{N}][ ]) [0-9]{4} ([ .\\-]) [0-9]{2} \\3 [0-9]{3} )"
	  "(?![\\p{L}\\p{N}_]|[.,\\-][\\p{N}])"
	  "(?(2)(?![ ][\\p{N}]))(?(3)(?![ ][\\p{N}]))"
	  "(?C1)" },

	/*
	** A street and its number, with the postcode when it follows.  The
	** street is the word ending in one of the usual suffixes, with at
	** least one letter before it: "Burgemeester van Randwijcklaan 12"
	** keeps "Burgemeester van", which no longer points to a house.
	*/
	{ KTO_MASK_ADDRESS,
	  "(?<![\\p{L}\\p{N}_'\\-])"
	  "("
	  "  \\p{L}[\\p{L}'\\-]{0,40}?"
	  "  (?i:straat|laan|weg|plein|kade|gracht|singel|dijk|dreef|steeg|"
	  "      plantsoen|boulevard|hof|wal|erf)"
	  "  (?![\\p{L}])"
	  "  " SP "{1,3} " NUMBER_WORD HOUSE_NUMBER
	  "  (?: " SP "{0,3},?" SP "{0,3} " POSTCODE " )?"
	  ")"
	  "(?C4)" },

	/*
	** A street whose name starts with its kind, in capitals as street
	** names are written: "Laan van Meerdervoort 12", "Markt 1", "Hof van
	** Holland 3".  Up to four words between the kind and the number.
	*/
	{ KTO_MASK_ADDRESS,
	  WORD_START
	  "("
	  "  (?:Laan|Plein|Kade|Weg|Singel|Dijk|Straat|Hof|Markt|Brink|Dam|Gracht|"
	  "     Wal|Steeg|Dreef|Plantsoen|Boulevard|Park|Erf)"
	  "  (?: " SP "{1,3} (?:van|der|de|den|het|op|ten|ter|te|in|aan|bij|'t|"
	  "                \\p{Lu}[\\p{L}'\\-.]{0,40}) ){0,4}"
	  "  " SP "{1,3} " NUMBER_WORD HOUSE_NUMBER
	  "  (?: " SP "{0,3},?" SP "{0,3} " POSTCODE " )?"
	  ")"
	  "(?C4)" },

	/*
	** A postcode, with the house number when it follows: "1234 AB 12",
	** "1234AB 12a", "1234 ab, nr 12".
	*/
	{ KTO_MASK_ADDRESS,
	  WORD_START "(?<![\\p{N}][.,\\-:])"
	  "("
	  "  " POSTCODE
	  "  (?: " SP "{0,3},?" SP "{0,3} " NUMBER_WORD HOUSE_NUMBER " )?"
	  ")"
	  "(?C4)" },
};

#define N_PATTERNS (sizeof patterns / sizeof patterns[0])

static pthread_once_t compile_once = PTHREAD_ONCE_INIT;
static pcre2_code *codes[N_PATTERNS];
static enum kto_rc compile_rc;

/*
** PCRE2_MATCH_INVALID_UTF: invalid UTF-8 never matches but does not stop
** the search either, so a stray byte cannot switch masking off (and
** PCRE2_NO_UTF_CHECK is never used, HARDENING.md F2).
** PCRE2_NO_AUTO_POSSESS: auto-possessification would skip the backtracks
** the callouts rely on (pcre2callout(3), "Missing callouts").
*/
static void
compile_all(void)
{
	const uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP |
	    PCRE2_EXTENDED | PCRE2_NO_AUTO_POSSESS;

	for (size_t i = 0; i < N_PATTERNS; i++) {
		int errcode;
		PCRE2_SIZE erroff;

		codes[i] = pcre2_compile((PCRE2_SPTR)patterns[i].source,
		    PCRE2_ZERO_TERMINATED, opts, &errcode, &erroff, NULL);
		if (codes[i] == NULL) {
			compile_rc = errcode == PCRE2_ERROR_NOMEMORY ?
			    KTO_ENOMEM : KTO_EINTERNAL;
			return;
		}
		/* JIT where the platform has it; the interpreter works everywhere. */
		(void)pcre2_jit_compile(codes[i], PCRE2_JIT_COMPLETE);
	}
	compile_rc = KTO_OK;
}

/* ---------------------------------------------------------------------- */
/* The checks                                                              */

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static unsigned char
to_upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

/*
** The elfproef on the digits of s[0..n): nine, or eight that are a BSN
** with its leading zero dropped.  All zeros passes the sum but is no BSN.
*/
static bool
bsn_ok(const unsigned char *s, size_t n)
{
	int d[9], nd = 0, sum = 0;
	bool nonzero = false;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			continue;
		if (nd == 9)
			return false;
		d[nd++] = s[i] - '0';
	}
	if (nd == 8) {
		memmove(d + 1, d, 8 * sizeof d[0]);
		d[0] = 0;
		nd = 9;
	}
	if (nd != 9)
		return false;
	for (int i = 0; i < 8; i++) {
		sum += (9 - i) * d[i];
		nonzero |= d[i] != 0;
	}
	sum -= d[8];
	nonzero |= d[8] != 0;
	return nonzero && sum % 11 == 0;
}

/* IBAN lengths of SWIFT's IBAN registry (ISO 13616), by country. */
static const struct {
	char cc[3];
	unsigned char len;
} iban_lengths[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 },
	{ "BA", 20 }, { "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BI", 27 },
	{ "BR", 29 }, { "BY", 28 }, { "CH", 21 }, { "CR", 22 }, { "CY", 28 },
	{ "CZ", 24 }, { "DE", 22 }, { "DJ", 27 }, { "DK", 18 }, { "DO", 28 },
	{ "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 }, { "FK", 18 },
	{ "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GI", 23 },
	{ "GL", 18 }, { "GR", 27 }, { "GT", 28 }, { "HN", 28 }, { "HR", 21 },
	{ "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IQ", 23 }, { "IS", 26 },
	{ "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 },
	{ "LC", 32 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 },
	{ "LY", 25 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 },
	{ "MN", 20 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NI", 28 },
	{ "NL", 18 }, { "NO", 15 }, { "OM", 23 }, { "PK", 24 }, { "PL", 28 },
	{ "PS", 29 }, { "PT", 25 }, { "QA", 29 }, { "RO", 24 }, { "RS", 22 },
	{ "RU", 33 }, { "SA", 24 }, { "SC", 31 }, { "SD", 18 }, { "SE", 24 },
	{ "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "SO", 23 }, { "ST", 25 },
	{ "SV", 28 }, { "TL", 23 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 },
	{ "VA", 22 }, { "VG", 24 }, { "XK", 20 }, { "YE", 30 },
};

static size_t
iban_length(const unsigned char *cc)
{
	for (size_t i = 0; i < sizeof iban_lengths / sizeof iban_lengths[0]; i++)
		if (iban_lengths[i].cc[0] == cc[0] && iban_lengths[i].cc[1] == cc[1])
			return iban_lengths[i].len;
	return 0;
}

/*
** ISO 13616: the country's length, check digits 02..98, and the number
** with its first four characters moved to the end and letters counted
** as 10..35 leaves 1 modulo 97.  Spaces in s are skipped.
*/
static bool
iban_ok(const unsigned char *s, size_t n)
{
	unsigned char c[40];
	size_t nc = 0, want;
	unsigned rem = 0;
	int check;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]) && !is_alpha(s[i]))
			continue;       /* a space, or a byte of a no-break space */
		if (nc == sizeof c)
			return false;
		c[nc++] = to_upper(s[i]);
	}
	if (nc < 5 || (want = iban_length(c)) != nc)
		return false;
	check = (c[2] - '0') * 10 + (c[3] - '0');
	if (check < 2 || check > 98)
		return false;
	for (size_t k = 0; k < nc; k++) {
		unsigned char ch = c[(k + 4) % nc];

		if (is_digit(ch))
			rem = (rem * 10 + (unsigned)(ch - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(ch - 'A' + 10)) % 97;
	}
	return rem == 1;
}

/* "0900-1700": business hours, not a service number with 4 digits. */
static bool
looks_like_time(const char *d)
{
	int hh = (d[0] - '0') * 10 + (d[1] - '0');
	int mm = (d[2] - '0') * 10 + (d[3] - '0');

	return hh <= 23 && mm % 15 == 0;
}

#define PHONE_MAX_DIGITS 20
#define PHONE_MAX_GROUPS 10

/* The groups of digits of a phone number candidate, in order. */
struct phone_groups {
	char digits[PHONE_MAX_DIGITS];
	size_t n;                               /* digits */
	size_t start[PHONE_MAX_GROUPS], len[PHONE_MAX_GROUPS];
	bool paren[PHONE_MAX_GROUPS];           /* written in brackets */
	size_t first, ng;                       /* groups first..ng-1 count */
};

/* Cuts s[0..n) into groups of digits at every other character. */
static bool
phone_split(const unsigned char *s, size_t n, struct phone_groups *g)
{
	bool in_group = false, paren = false;

	g->n = g->first = g->ng = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_digit(s[i])) {
			if (g->n == PHONE_MAX_DIGITS)
				return false;
			if (!in_group) {
				if (g->ng == PHONE_MAX_GROUPS)
					return false;
				g->start[g->ng] = g->n;
				g->len[g->ng] = 0;
				g->paren[g->ng] = paren;
				g->ng++;
				in_group = true;
			}
			g->digits[g->n++] = (char)s[i];
			g->len[g->ng - 1]++;
			continue;
		}
		in_group = false;
		if (s[i] == '(')
			paren = true;
		else if (s[i] == ')')
			paren = false;
	}
	return g->ng > 0;
}

/* Drops the first k digits, and the groups they empty. */
static void
phone_drop(struct phone_groups *g, size_t k)
{
	while (k > 0 && g->first < g->ng) {
		size_t take = k < g->len[g->first] ? k : g->len[g->first];

		g->start[g->first] += take;
		g->len[g->first] -= take;
		k -= take;
		if (g->len[g->first] == 0)
			g->first++;
	}
}

/* The digits left, from group first on. */
static size_t
phone_count(const struct phone_groups *g)
{
	size_t n = 0;

	for (size_t i = g->first; i < g->ng; i++)
		n += g->len[i];
	return n;
}

/*
** A number outside the Netherlands, "+32 470 12 34 56" or "0049 30
** 1234567": E.164 allows 8 to 15 digits with the country code; the
** country code (and an area code with it) is a group of its own unless
** the whole number is written as one.
*/
static bool
phone_foreign_ok(const struct phone_groups *g, size_t prefix)
{
	size_t n = phone_count(g) - prefix;

	if (g->digits[g->start[g->first] + prefix] == '0' || n < 8 || n > 15)
		return false;
	return g->ng == 1 || g->len[0] - prefix <= 4;
}

/*
** Whether s[0..n), found by the phone pattern, is a phone number.  The
** groups of digits are what tells a phone number from a date or a code:
**   - +31 / 0031 (with "(0)" or a wrongly kept 0) becomes a leading 0,
**     and so does a bare 31 when bare_31 says the context is a wa.me link;
**     another country code is checked by phone_foreign_ok;
**   - then ten digits, 0 and not 00, or 0800 / 0900 / 0906 / 0909 and
**     eight to eleven digits;
**   - written in groups, the first (the area code) has two to four digits
**     and two only for 06; the number after it does not start with 0
**     (no Dutch subscriber number does, and "06-03-2026 12" is a date);
**     later groups have at least two digits;
**   - and a day-month-year at the front is a date.
*/
static bool
phone_ok(const unsigned char *s, size_t n, bool bare_31)
{
	struct phone_groups g;
	char d[PHONE_MAX_DIGITS + 2];
	size_t nd = 0, g0;
	bool plus = n > 0 && s[0] == '+', intl = false;

	if (!phone_split(s, n, &g))
		return false;
	if (plus) {
		if (g.n < 2 || g.digits[0] != '3' || g.digits[1] != '1')
			return phone_foreign_ok(&g, 0);
		phone_drop(&g, 2);
		intl = true;
	} else if (g.n >= 2 && g.digits[0] == '0' && g.digits[1] == '0') {
		if (g.n < 4 || g.digits[2] != '3' || g.digits[3] != '1')
			return g.ng > 1 && g.len[0] >= 3 && g.len[0] <= 5 &&
			    phone_foreign_ok(&g, 2);
		phone_drop(&g, 4);
		intl = true;
	} else if (bare_31 && g.ng == 1 && g.n == 11 && g.digits[0] == '3' &&
	    g.digits[1] == '1') {
		phone_drop(&g, 2);
		intl = true;
	}
	if (intl) {
		/* "+31 (0)6", "+31 06": the trunk 0 is dropped, then restored. */
		if (g.first < g.ng && g.paren[g.first] && g.len[g.first] == 1 &&
		    g.digits[g.start[g.first]] == '0')
			g.first++;
		else if (g.first < g.ng && g.digits[g.start[g.first]] == '0')
			phone_drop(&g, 1);
		if (g.first == g.ng)
			return false;
		d[nd++] = '0';
	}
	for (size_t i = g.first; i < g.ng; i++) {
		memcpy(d + nd, g.digits + g.start[i], g.len[i]);
		nd += g.len[i];
	}
	d[nd] = '\0';
	if (intl)
		g.len[g.first]++;       /* the restored 0 is part of the area code */

	if (nd < 8 || d[0] != '0' || d[1] == '0')
		return false;
	if (strncmp(d, "0800", 4) == 0 || strncmp(d, "0900", 4) == 0 ||
	    strncmp(d, "0906", 4) == 0 || strncmp(d, "0909", 4) == 0) {
		if (nd > 11)
			return false;
		return !(nd == 8 && looks_like_time(d + 4));
	}
	if (nd != 10)
		return false;
	if (g.ng - g.first == 1)
		return true;
	for (size_t i = g.first + 1; i < g.ng && i < PHONE_MAX_GROUPS; i++)
		if (g.len[i] < 2 || g.paren[i])
			return false;
	g0 = g.len[g.first];
	if (g0 < 2 || g0 > 4 || (g0 == 2 && d[1] != '6'))
		return false;
	if (d[g0] == '0')
		return false;
	if (g.ng - g.first >= 3 && g0 <= 2 && g.len[g.first + 1] <= 2 &&
	    g.len[g.first + 2] == 4 &&
	    (strncmp(d + g0 + g.len[g.first + 1], "19", 2) == 0 ||
	     strncmp(d + g0 + g.len[g.first + 1], "20", 2) == 0))
		return false;
	return true;
}

/*
** Two-letter words that follow a year or a count in ordinary Dutch (and
** some English); "in 2026 en 2027" is not a postcode.  Only consulted
** for letters not written in capitals, as postcodes are.
*/
static const char postcode_stopwords[][3] = {
	"al", "am", "an", "as", "at", "be", "bv", "by", "ca", "cm", "cq", "de",
	"dr", "en", "er", "eu", "ev", "ga", "he", "hr", "ik", "in", "ir", "is",
	"it", "ja", "je", "jr", "kg", "km", "me", "ml", "mm", "mn", "mr", "my",
	"na", "nl", "no", "nr", "nu", "oa", "of", "ok", "om", "on", "op", "or",
	"ov", "pc", "pm", "ps", "so", "sr", "st", "te", "tm", "to", "tv", "up",
	"us", "uw", "vs", "wc", "we", "ze", "zn", "zo",
};

static bool
postcode_letters_ok(unsigned char a, unsigned char b)
{
	unsigned char ua = to_upper(a), ub = to_upper(b);

	/* SA, SD and SS are never given out. */
	if (ua == 'S' && (ub == 'A' || ub == 'D' || ub == 'S'))
		return false;
	if (a == ua && b == ub)
		return true;
	for (size_t i = 0; i < sizeof postcode_stopwords / sizeof postcode_stopwords[0]; i++)
		if ((unsigned char)postcode_stopwords[i][0] == (a | 0x20) &&
		    (unsigned char)postcode_stopwords[i][1] == (b | 0x20))
			return false;
	return true;
}

/* The length of the space at s (a space or a no-break space), else 0. */
static size_t
space_len(const unsigned char *s, size_t n)
{
	if (n >= 1 && s[0] == ' ')
		return 1;
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
		return 2;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0xAF)
		return 3;
	return 0;
}

/* Every postcode in s[0..n) has letters a postcode can have. */
static bool
postcodes_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++) {
		size_t j;

		if ((i > 0 && is_digit(s[i - 1])) || s[i] < '1' || s[i] > '9' ||
		    !is_digit(s[i + 1]) || !is_digit(s[i + 2]) || !is_digit(s[i + 3]))
			continue;
		j = i + 4;
		j += space_len(s + j, n - j);
		if (j + 2 > n || !is_alpha(s[j]) || !is_alpha(s[j + 1]) ||
		    (j + 2 < n && is_alpha(s[j + 2])))
			continue;
		if (!postcode_letters_ok(s[j], s[j + 1]))
			return false;
	}
	return true;
}

/*
** The callout after each candidate: 0 lets the match go on, 1 fails it
** here so that PCRE2 backtracks to the next candidate.
*/
static int
check_candidate(pcre2_callout_block *cb, void *data)
{
	const unsigned char *s;
	size_t n;
	bool ok;

	(void)data;
	if (cb->capture_top < 2 || cb->offset_vector[2] == PCRE2_UNSET)
		return 1;
	s = (const unsigned char *)cb->subject + cb->offset_vector[2];
	n = cb->offset_vector[3] - cb->offset_vector[2];
	switch (cb->callout_number) {
	case CHECK_BSN:      ok = bsn_ok(s, n); break;
	case CHECK_IBAN:     ok = iban_ok(s, n); break;
	case CHECK_PHONE:
		/* WhatsApp links carry the number as 31612345678. */
		ok = phone_ok(s, n, cb->offset_vector[2] >= 6 &&
		    memcmp(s - 6, "wa.me/", 6) == 0);
		break;
	case CHECK_POSTCODE: ok = postcodes_ok(s, n); break;
	default:             ok = false; break;
	}
	return ok ? 0 : 1;
}

/* ---------------------------------------------------------------------- */
/* Masking                                                                 */

static const char *
placeholder(enum kto_mask_kind kind)
{
	switch (kind) {
	case KTO_MASK_BSN:     return "[BSN]";
	case KTO_MASK_EMAIL:   return "[e-mail]";
	case KTO_MASK_PHONE:   return "[telefoonnummer]";
	case KTO_MASK_IBAN:    return "[IBAN]";
	case KTO_MASK_ADDRESS: return "[adres]";
	}
	return "[?]";
}

/* The next candidate of one pattern: group 1 of its match. */
struct candidate {
	size_t start, end;
	bool valid;             /* false: no more candidates in the text */
};

struct scan {
	const char *text;
	size_t len;
	pcre2_match_context *mc;
	pcre2_match_data *md[N_PATTERNS];
	struct candidate cand[N_PATTERNS];
};

/* Looks for pattern i's first candidate at or after from. */
static enum kto_rc
find_next(struct scan *sc, size_t i, size_t from)
{
	struct candidate *c = &sc->cand[i];
	PCRE2_SIZE *ov;
	int rc;

	rc = pcre2_match(codes[i], (PCRE2_SPTR)sc->text, sc->len, from, 0,
	    sc->md[i], sc->mc);
	if (rc == PCRE2_ERROR_NOMATCH) {
		c->valid = false;
		return KTO_OK;
	}
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return KTO_ELIMIT;
	if (rc == PCRE2_ERROR_NOMEMORY)
		return KTO_ENOMEM;
	if (rc < 0)
		return KTO_EINTERNAL;
	ov = pcre2_get_ovector_pointer(sc->md[i]);
	/* Every pattern's group 1 is part of every match and never empty. */
	if (rc < 2 || ov[2] == PCRE2_UNSET || ov[3] <= ov[2] || ov[2] < from)
		return KTO_EINTERNAL;
	c->start = ov[2];
	c->end = ov[3];
	c->valid = true;
	return KTO_OK;
}

/*
** Appends s[0..n) with each byte that does not begin a well-formed UTF-8
** sequence replaced by U+FFFD.
*/
static enum kto_rc
add_text(struct kto_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;
	enum kto_rc rc;

	while (i < n) {
		int len;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = kto_utf8_sequence(s + i, n - i);
		if (len > 0) {
			i += (size_t)len;
			continue;
		}
		if ((rc = kto_buf_add(b, s + run, i - run)) != KTO_OK ||
		    (rc = kto_buf_add(b, "\xEF\xBF\xBD", 3)) != KTO_OK)
			return rc;
		run = ++i;
	}
	return kto_buf_add(b, s + run, n - run);
}

static enum kto_rc
mask_into(struct scan *sc, struct kto_buf *b, unsigned *found)
{
	size_t pos = 0;
	enum kto_rc rc;

	for (size_t i = 0; i < N_PATTERNS; i++)
		if ((rc = find_next(sc, i, 0)) != KTO_OK)
			return rc;
	for (;;) {
		size_t best = N_PATTERNS;

		for (size_t i = 0; i < N_PATTERNS; i++) {
			const struct candidate *c = &sc->cand[i];

			if (!c->valid)
				continue;
			if (best == N_PATTERNS || c->start < sc->cand[best].start ||
			    (c->start == sc->cand[best].start &&
			     c->end > sc->cand[best].end))
				best = i;
		}
		if (best == N_PATTERNS)
			break;
		if ((rc = add_text(b, sc->text + pos, sc->cand[best].start - pos)) != KTO_OK ||
		    (rc = kto_buf_adds(b, placeholder(patterns[best].kind))) != KTO_OK)
			return rc;
		*found |= (unsigned)patterns[best].kind;
		pos = sc->cand[best].end;
		/* Candidates overlapping the replaced text: look again after it. */
		for (size_t i = 0; i < N_PATTERNS; i++) {
			struct candidate *c = &sc->cand[i];

			if (c->valid && c->start < pos && (rc = find_next(sc, i, pos)) != KTO_OK)
				return rc;
		}
	}
	return add_text(b, sc->text + pos, sc->len - pos);
}

enum kto_rc
kto_mask_text(const char *text, struct kto_buf *out, unsigned *found)
{
	struct scan sc;
	struct kto_buf tmp;
	unsigned kinds = 0;
	enum kto_rc rc;

	if (found != NULL)
		*found = 0;
	if (pthread_once(&compile_once, compile_all) != 0)
		return KTO_EINTERNAL;
	if (compile_rc != KTO_OK)
		return compile_rc;
	if (text == NULL)
		text = "";

	memset(&sc, 0, sizeof sc);
	sc.text = text;
	sc.len = strlen(text);
	/*
	** The result is built apart and appended in one go, so that an error
	** half-way leaves out as it was.
	*/
	kto_buf_init(&tmp, out->max - out->len);
	rc = KTO_ENOMEM;
	sc.mc = pcre2_match_context_create(NULL);
	if (sc.mc == NULL)
		goto out;
	pcre2_set_match_limit(sc.mc, MASK_MATCH_LIMIT);
	pcre2_set_depth_limit(sc.mc, MASK_DEPTH_LIMIT);
	pcre2_set_heap_limit(sc.mc, MASK_HEAP_LIMIT);
	pcre2_set_callout(sc.mc, check_candidate, NULL);
	for (size_t i = 0; i < N_PATTERNS; i++)
		if ((sc.md[i] = pcre2_match_data_create_from_pattern(codes[i], NULL)) == NULL)
			goto out;
	/* Most text is copied: room for all of it, as far as the limit goes. */
	if ((rc = kto_buf_reserve(&tmp, sc.len < tmp.max ? sc.len : tmp.max)) != KTO_OK ||
	    (rc = mask_into(&sc, &tmp, &kinds)) != KTO_OK)
		goto out;
	rc = kto_buf_add(out, kto_buf_str(&tmp), tmp.len);
out:
	for (size_t i = 0; i < N_PATTERNS; i++)
		pcre2_match_data_free(sc.md[i]);
	pcre2_match_context_free(sc.mc);
	kto_buf_release(&tmp);
	if (rc == KTO_OK && found != NULL)
		*found = kinds;
	return rc;
}
