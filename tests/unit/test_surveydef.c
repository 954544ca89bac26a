/*
** Unit tests of engine/surveydef and engine/cond: every question type,
** every class of error `kto def check` promises to explain (with its line),
** the bad inputs of issue 3, and the evaluation of conditions.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/surveydef.h"
#include "tests/unit/testutil.h"

/* The smallest valid survey; cases append to or replace parts of it. */
#define HEAD \
	"survey t\n" \
	"  channel: counter\n" \
	"  title: Titel\n" \
	"  overall: Q9\n"
#define OVERALL \
	"question Q9 mark\n" \
	"  text: Rapportcijfer\n" \
	"  area: TOT\n"
#define MAIL \
	"mail invitation\n" \
	"  subject: Uw mening over {municipality}\n" \
	"  body: |\n" \
	"    Beste inwoner,\n" \
	"    {link}\n" \
	"    {optout_link}\n"

static struct kto_survey *
parse(const char *src, struct kto_diags *d)
{
	struct kto_survey *s = NULL;

	kto_diags_init(d);
	kto_survey_parse(src, strlen(src), &s, d);
	return s;
}

static void
dump(const struct kto_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  %d:%d: %s%s\n", d->v[i].line, d->v[i].col,
		    d->v[i].severity == KTO_SEV_WARNING ? "warning: " : "", d->v[i].msg);
}

/* Asserts src is refused with an error at line containing text. */
static void
expect_error(const char *src, int line, const char *text)
{
	struct kto_diags d;
	struct kto_survey *s = parse(src, &d);
	bool found = false;

	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].severity == KTO_SEV_ERROR && d.v[i].line == line &&
		    strstr(d.v[i].msg, text) != NULL)
			found = true;
	if (!found || s != NULL) {
		print_error("expected an error at line %d with \"%s\"; got:\n", line, text);
		dump(&d);
	}
	assert_null(s);
	assert_true(found);
	kto_diags_release(&d);
}

static struct kto_survey *
expect_valid(const char *src)
{
	struct kto_diags d;
	struct kto_survey *s = parse(src, &d);

	if (s == NULL)
		dump(&d);
	assert_non_null(s);
	assert_int_equal(d.errors, 0);
	kto_diags_release(&d);
	return s;
}

static void
test_minimal(void **state)
{
	struct kto_survey *s = expect_valid(HEAD OVERALL MAIL);

	(void)state;
	assert_string_equal(s->name, "t");
	assert_int_equal(s->channel, KTO_CHANNEL_COUNTER);
	assert_int_equal(s->n_pages, 1);
	assert_int_equal(s->n_questions, 1);
	assert_ptr_equal(s->overall, &s->questions[0]);
	assert_true(s->invitation.present);
	assert_false(s->reminder.present);
	assert_string_equal(s->invitation.body.nl,
	    "Beste inwoner,\n{link}\n{optout_link}");
	kto_survey_free(s);
}

/* Every question type with its own keys, English texts and options. */
static void
test_every_type(void **state)
{
	const char *src = HEAD
	    "  title.en: Title\n"
	    "page een\n"
	    "  title: Een\n  title.en: One\n"
	    "question A1 mark\n  text: Cijfer\n  text.en: Mark\n  area: bejegening\n"
	    "  dont-know: yes\n"
	    "question A2 scale\n  text: Makkelijk\n  text.en: Easy\n  labels: agree\n"
	    "question A3 yesno\n  text: Afspraak?\n  text.en: Appointment?\n"
	    "  required: ja\n"
	    "question A4 choice\n  text: Waarvoor?\n  text.en: What for?\n"
	    "  options:\n    pas   Paspoort | Passport\n    rij   Rijbewijs | Licence\n"
	    "question A5 multi\n  text: Welke?\n  text.en: Which?\n  max-choices: 2\n"
	    "  options:\n    a  A | A\n    b  B | B\n    c  C | C\n"
	    "question A6 number\n  text: Minuten\n  text.en: Minutes\n"
	    "  min: 0\n  max: 240\n  unit: minuten\n  unit.en: minutes\n"
	    "question A7 text\n  text: Postcode\n  text.en: Postcode\n"
	    "  pattern: [1-9][0-9]{3} ?[A-Z]{2}\n"
	    "  pattern-message: Zoals 1234 AB\n  pattern-message.en: Like 1234 AB\n"
	    "question A8 open\n  text: Wat kan beter?\n  text.en: What could be better?\n"
	    "  max-length: 500\n"
	    "question A9 date\n  text: Wanneer?\n  text.en: When?\n"
	    "  min: 2020-01-01\n  max: today\n"
	    "page twee\n  title: Twee\n  title.en: Two\n"
	    "question Q9 mark\n  text: Rapportcijfer\n  text.en: Mark\n  area: TOT\n"
	    "  show-if: A3 = ja and (A1 >= 6 or A4 in (pas, rij)) and not A8 is answered\n"
	    MAIL
	    "  subject.en: Your opinion\n"
	    "  body.en: {link} {optout_link}\n";
	struct kto_survey *s = expect_valid(src);
	const struct kto_question *q;

	(void)state;
	assert_true(s->has_english);
	assert_int_equal(s->n_questions, 10);
	assert_int_equal(s->n_pages, 2);
	for (int t = 0; t < 9; t++)
		assert_int_equal(s->questions[t].type, (enum kto_qtype)t);
	q = kto_survey_question(s, "a1");
	assert_non_null(q);
	assert_int_equal(q->area, KTO_AREA_BEJ);
	assert_true(q->dont_know);
	assert_string_equal(q->dont_know_label.nl, "Weet niet / n.v.t.");
	q = kto_survey_question(s, "A2");
	assert_int_equal(q->n_options, 5);
	assert_string_equal(q->options[4].label.nl, "Helemaal mee eens");
	assert_true(kto_survey_question(s, "A3")->required);
	q = kto_survey_question(s, "A4");
	assert_string_equal(q->options[1].label.en, "Licence");
	assert_int_equal(kto_survey_question(s, "A5")->max_choices, 2);
	q = kto_survey_question(s, "A6");
	assert_close(q->max, 240, 0);
	assert_string_equal(q->unit.en, "minutes");
	q = kto_survey_question(s, "A7");
	assert_int_equal(q->max_length, 200);
	assert_int_equal(kto_question_match(q, "1234 AB"), KTO_OK);
	assert_int_equal(kto_question_match(q, "1234AB"), KTO_OK);
	/* Anchored at both ends: a postcode inside other text does not match. */
	assert_int_equal(kto_question_match(q, "x 1234 AB"), KTO_EINPUT);
	assert_int_equal(kto_question_match(q, "0234 AB"), KTO_EINPUT);
	assert_int_equal(kto_question_match(q, "\xC0\xAF"), KTO_EINPUT);
	assert_int_equal(kto_survey_question(s, "A8")->max_length, 500);
	q = kto_survey_question(s, "A9");
	assert_close(q->min, 20200101, 0);
	assert_true(q->max_today);
	assert_non_null(s->questions[9].show_if);
	assert_string_equal(s->questions[9].show_if->source,
	    "A3 = ja and (A1 >= 6 or A4 in (pas, rij)) and not A8 is answered");
	kto_survey_free(s);
}

struct answers {
	const struct kto_question *q[4];
	struct kto_answer a[4];
	size_t n;
};

static const struct kto_answer *
lookup(void *ctx, const struct kto_question *q)
{
	struct answers *as = ctx;

	for (size_t i = 0; i < as->n; i++)
		if (as->q[i] == q)
			return &as->a[i];
	return NULL;
}

static void
test_eval(void **state)
{
	struct kto_survey *s = expect_valid(HEAD
	    "page p1\n"
	    "question B2 yesno\n  text: Afspraak?\n"
	    "question B3 choice\n  text: Wachttijd\n  dont-know: yes\n"
	    "  options:\n    lt5 Kort\n    gt5 Lang\n"
	    "question B4 multi\n  text: Wat?\n  options:\n    a A\n    b B\n"
	    "page p2\n"
	    OVERALL
	    "  show-if: B2 = nee and not B3 in (gt5) or B4 = b\n"
	    MAIL);
	const struct kto_cond *c = s->questions[3].show_if;
	const char *codes_b[] = { "b" };
	struct answers as = { { &s->questions[0], &s->questions[1], &s->questions[2] },
	    { { KTO_ANSWER_VALUE, 0, "no", NULL, 0, NULL },
	      { KTO_ANSWER_VALUE, 0, "lt5", NULL, 0, NULL },
	      { KTO_ANSWER_NONE, 0, NULL, NULL, 0, NULL } }, 3 };

	(void)state;
	assert_true(kto_cond_eval(c, lookup, &as));
	as.a[1].code = "gt5";
	assert_false(kto_cond_eval(c, lookup, &as));
	/* "weet niet" is no answer: the comparison is false, its not true. */
	as.a[1].state = KTO_ANSWER_DONT_KNOW;
	assert_true(kto_cond_eval(c, lookup, &as));
	as.a[0].code = "yes";
	assert_false(kto_cond_eval(c, lookup, &as));
	as.a[2].state = KTO_ANSWER_VALUE;
	as.a[2].codes = codes_b;
	as.a[2].n_codes = 1;
	assert_true(kto_cond_eval(c, lookup, &as));
	assert_true(kto_cond_eval(NULL, lookup, &as));
	kto_survey_free(s);
}

/* The file as text: encodings, line ends, sizes (issue 3, "Bad input"). */
static void
test_text_level(void **state)
{
	static const char junk[] = "\x7f" "ELF\x02\x01\x01\0\0\0binary";
	struct kto_diags d;
	struct kto_survey *s;
	char *big, *line;
	size_t n;

	(void)state;
	s = parse("", &d);
	assert_null(s);
	assert_contains(d.v[0].msg, "empty");
	kto_diags_release(&d);

	kto_diags_init(&d);
	assert_int_equal(kto_survey_parse(junk, sizeof junk - 1, &s, &d), KTO_EINPUT);
	assert_contains(d.v[0].msg, "NUL byte");
	kto_diags_release(&d);

	expect_error(HEAD "question Q9 mark\n  text: Caf\xE9\n", 6, "not valid UTF-8");
	expect_error(HEAD "  intro: a\x01z\n" OVERALL MAIL, 5, "control character");

	/* A byte-order mark, CRLF line ends and tabs are harmless. */
	s = expect_valid("\xEF\xBB\xBF" "survey t\r\n\tchannel: phone\r\n\ttitle: T\r\n"
	    "\toverall: Q9\r\nquestion Q9 mark\r\n\ttext: Cijfer\r\n\tarea: TOT\r\n"
	    "mail invitation\r\n\tsubject: S\r\n\tbody: |\r\n\t\t{link}\r\n"
	    "\t\t{optout_link}\r\n");
	assert_string_equal(s->invitation.body.nl, "{link}\n{optout_link}");
	kto_survey_free(s);

	/* 50 MB: refused by size, without looking further. */
	n = 50u << 20;
	big = malloc(n);
	assert_non_null(big);
	memset(big, 'a', n);
	kto_diags_init(&d);
	assert_int_equal(kto_survey_parse(big, n, &s, &d), KTO_EINPUT);
	assert_contains(d.v[0].msg, "at most");
	kto_diags_release(&d);
	free(big);

	/* A single 1 MB line. */
	n = (1u << 20) - 64;
	line = malloc(n + 64);
	assert_non_null(line);
	memcpy(line, HEAD "  intro: ", strlen(HEAD "  intro: "));
	memset(line + strlen(HEAD "  intro: "), 'x', n - strlen(HEAD "  intro: "));
	line[n] = '\0';
	expect_error(line, 5, "lines may be at most");
	free(line);
}

/* HARDENING D3: a duplicate ID ("used twice"), named with its line */
static void
test_structure_errors(void **state)
{
	(void)state;
	expect_error("page p\n" HEAD OVERALL MAIL, 1, "must start with 'survey NAME'");
	expect_error(HEAD OVERALL MAIL "survey t2\n", 14, "one survey");
	expect_error(HEAD "  colour: red\n" OVERALL MAIL, 5, "unknown key 'colour'");
	expect_error(HEAD "  title: Twee\n" OVERALL MAIL, 5, "given twice");
	expect_error(HEAD "  channel.en: x\n" OVERALL MAIL, 5, "has no English version");
	expect_error(HEAD "  just words\n" OVERALL MAIL, 5, "expected 'key: value'");
	expect_error(HEAD OVERALL "section x\n" MAIL, 8, "unknown block 'section'");
	expect_error("survey t\n  title: T\n  overall: Q9\n" OVERALL MAIL, 1,
	    "has no 'channel:'");
	expect_error(HEAD "  channel: fax\n" OVERALL MAIL, 5, "");   /* twice */
	expect_error("survey t\n  channel: fax\n  title: T\n  overall: Q9\n" OVERALL
	    MAIL, 2, "unknown channel 'fax'");
	expect_error(HEAD OVERALL "question Q9 yesno\n  text: x\n" MAIL, 8,
	    "used twice");
	expect_error(HEAD OVERALL "question q9 yesno\n  text: x\n" MAIL, 8,
	    "used twice");
	expect_error(HEAD OVERALL "question Q1 slider\n  text: x\n" MAIL, 8,
	    "unknown question type 'slider'");
	expect_error(HEAD OVERALL "question 1Q yesno\n  text: x\n" MAIL, 8,
	    "must start with a letter");
	expect_error(HEAD OVERALL "question Q1 yesno\n  area: BER\n" MAIL, 8,
	    "has no 'text:'");
	expect_error(HEAD OVERALL "question Q1 yesno\n  text.en: Yes?\n" MAIL, 8,
	    "the Dutch text is required");
	expect_error(HEAD "  overall: Q9\n" OVERALL MAIL, 5, "given twice");
	expect_error(HEAD OVERALL, 1, "no 'mail invitation'");
	expect_error(HEAD "page leeg\n" "page vol\n" OVERALL MAIL, 5, "has no questions");
	expect_error(HEAD MAIL, 1, "no questions");
}

/* HARDENING D3: an invalid regex at the column PCRE2 names */
static void
test_question_errors(void **state)
{
	(void)state;
	expect_error(HEAD OVERALL "question Q1 mark\n  text: x\n" MAIL, 8, "has no area");
	expect_error(HEAD OVERALL "question Q1 mark\n  text: x\n  area: XYZ\n" MAIL,
	    10, "unknown area 'XYZ'");
	expect_error(HEAD OVERALL "question Q1 mark\n  text: x\n  area: BER\n"
	    "  unit: min\n" MAIL, 11, "does not apply to question type mark");
	expect_error(HEAD OVERALL "question Q1 open\n  text: x\n  dont-know: yes\n"
	    MAIL, 10, "does not apply");
	expect_error(HEAD OVERALL "question Q1 yesno\n  text: x\n  required: maybe\n"
	    MAIL, 10, "must be yes or no");
	expect_error(HEAD OVERALL "question Q1 choice\n  text: x\n  options:\n"
	    "    a A\n" MAIL, 8, "at least two options");
	expect_error(HEAD OVERALL "question Q1 choice\n  text: x\n  options:\n"
	    "    a A\n    A B\n    c C\n" MAIL, 12, "given twice");
	expect_error(HEAD OVERALL "question Q1 choice\n  text: x\n  options:\n"
	    "    a A\n    b\n    c C\n" MAIL, 12, "has no label");
	expect_error(HEAD OVERALL "question Q1 choice\n  text: x\n  options:\n"
	    "    a A\n    b/c B\n    c C\n" MAIL, 12, "option code 'b/c'");
	expect_error(HEAD OVERALL "question Q1 choice\n  text: x\n  options:\n" MAIL,
	    10, "has no options under it");
	expect_error(HEAD OVERALL "question Q1 scale\n  text: x\n" MAIL, 8,
	    "needs 'labels: agree'");
	expect_error(HEAD OVERALL "question Q1 scale\n  text: x\n  labels: happy\n"
	    MAIL, 10, "unknown label set 'happy'");
	expect_error(HEAD OVERALL "question Q1 scale\n  text: x\n  options:\n"
	    "    1 a\n    2 b\n    3 c\n" MAIL, 8, "exactly five");
	expect_error(HEAD OVERALL "question Q1 number\n  text: x\n  min: 0\n" MAIL, 8,
	    "needs both 'min:' and 'max:'");
	expect_error(HEAD OVERALL "question Q1 number\n  text: x\n  min: 9\n"
	    "  max: 3\n" MAIL, 8, "must be less than max");
	expect_error(HEAD OVERALL "question Q1 number\n  text: x\n  min: nul\n"
	    "  max: 3\n" MAIL, 10, "must be a number");
	expect_error(HEAD OVERALL "question Q1 number\n  text: x\n  min: 0\n"
	    "  max: 3\n  decimals: 7\n" MAIL, 12, "whole number from 0 to 3");
	expect_error(HEAD OVERALL "question Q1 date\n  text: x\n  min: 2026-02-30\n"
	    MAIL, 10, "must be a date");
	expect_error(HEAD OVERALL "question Q1 text\n  text: x\n  max-length: 99999\n"
	    MAIL, 10, "whole number from 1 to 5000");
	expect_error(HEAD OVERALL "question Q1 multi\n  text: x\n  max-choices: 5\n"
	    "  options:\n    a A\n    b B\n" MAIL, 8, "more than the 2 options");
	/* The pattern's own error, at the column PCRE2 names. */
	expect_error(HEAD OVERALL "question Q1 text\n  text: x\n  pattern: ab(c\n"
	    "  pattern-message: m\n" MAIL, 10, "does not compile: missing closing "
	    "parenthesis");
	expect_error(HEAD OVERALL "question Q1 text\n  text: x\n  pattern: [0-9]+\n"
	    MAIL, 8, "no 'pattern-message:'");
	expect_error(HEAD "  overall: Q1\n" OVERALL "question Q1 yesno\n  text: x\n"
	    MAIL, 5, "");
	expect_error("survey t\n  channel: phone\n  title: T\n  overall: Q1\n"
	    OVERALL "question Q1 yesno\n  text: x\n" MAIL, 4,
	    "must be a mark question, not yesno");
	expect_error("survey t\n  channel: phone\n  title: T\n  overall: Q1\n"
	    OVERALL "question Q1 mark\n  text: x\n  area: BEJ\n" MAIL, 4,
	    "must have 'area: TOT'");
	expect_error("survey t\n  channel: phone\n  title: T\n  overall: Q7\n"
	    OVERALL MAIL, 4, "does not exist");
}

/* HARDENING F4: ReDoS ends at the PCRE2 match limit */
static void
test_pattern_limits(void **state)
{
	struct kto_survey *s = expect_valid(HEAD OVERALL
	    "question Q1 text\n  text: x\n  pattern: (a+)+b\n"
	    "  pattern-message: m\n" MAIL);
	char evil[64];

	(void)state;
	memset(evil, 'a', sizeof evil - 2);
	evil[sizeof evil - 2] = 'c';
	evil[sizeof evil - 1] = '\0';
	/* Catastrophic backtracking ends at the match limit, not in a hang. */
	assert_int_not_equal(kto_question_match(&s->questions[1], evil), KTO_OK);
	assert_int_equal(kto_question_match(&s->questions[1], "aab"), KTO_OK);
	kto_survey_free(s);
}

#define P2 "page p2\n"
#define YN(id) "question " id " yesno\n  text: x\n"

static void
test_condition_errors(void **state)
{
	(void)state;
	/* Unknown, self, same page, later, cycle. */
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: Z = ja\n" MAIL, 11,
	    "unknown question 'Z'");
	expect_error(HEAD YN("A") "  show-if: A = ja\n" P2 OVERALL MAIL, 7,
	    "uses A itself");
	expect_error(HEAD YN("A") YN("B") "  show-if: A = ja\n" P2 OVERALL MAIL, 9,
	    "on the same page");
	expect_error(HEAD YN("A") "  show-if: B = ja\n" P2 YN("B") OVERALL MAIL, 7,
	    "comes later");
	expect_error(HEAD YN("A") "  show-if: C = ja\n" P2 YN("B")
	    "  show-if: A = ja\n" "page p3\n" YN("C") "  show-if: B = nee\n"
	    OVERALL MAIL, 7, "show-if cycle: A -> C -> B -> A");
	expect_error(HEAD YN("A") P2 "  show-if: B = ja\n" YN("B") OVERALL MAIL, 8,
	    "on that page itself");
	/* Types. */
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A = 7\n" MAIL, 11,
	    "is a yes/no question");
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A < ja\n" MAIL, 11,
	    "can only be compared with = or !=");
	expect_error(HEAD "question A choice\n  text: x\n  options:\n    a A\n"
	    "    b B\n" P2 OVERALL "  show-if: A = c\n" MAIL, 14,
	    "A has no option 'c'; its options are a, b");
	expect_error(HEAD "question A mark\n  text: x\n  area: BER\n" P2 OVERALL
	    "  show-if: A = hoog\n" MAIL, 12, "is a mark question");
	expect_error(HEAD "question A open\n  text: x\n" P2 OVERALL
	    "  show-if: A = x\n" MAIL, 11, "only 'is answered'");
	expect_error(HEAD "question A date\n  text: x\n" P2 OVERALL
	    "  show-if: A > 31-01-2026\n" MAIL, 11, "is a date question");
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A is dont-know\n" MAIL, 11,
	    "has no 'weet niet' option");
	/* Never true. */
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A = ja and A = nee\n" MAIL,
	    11, "can never be true");
	expect_error(HEAD "question A mark\n  text: x\n  area: BER\n" P2 OVERALL
	    "  show-if: A > 10\n" MAIL, 12, "can never be true");
	expect_error(HEAD "question A number\n  text: x\n  min: 0\n  max: 60\n" P2
	    OVERALL "  show-if: A > 30 and A < 20\n" MAIL, 13, "can never be true");
	expect_error(HEAD "question A number\n  text: x\n  min: 0\n  max: 60\n" P2
	    OVERALL "  show-if: A > 100\n" MAIL, 13, "can never be true");
	/* Syntax. */
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: (A = ja\n" MAIL, 11,
	    "never closed");
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A = ja)\n" MAIL, 11,
	    "no matching '('");
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A = ja A = nee\n" MAIL, 11,
	    "combine comparisons");
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A =\n" MAIL, 11,
	    "expected a value");
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A in ja\n" MAIL, 11,
	    "in brackets");
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A is maybe\n" MAIL, 11,
	    "after 'is'");
	expect_error(HEAD YN("A") P2 OVERALL "  show-if: A ~ ja\n" MAIL, 11,
	    "expected a comparison");
}

static void
test_condition_columns(void **state)
{
	struct kto_diags d;

	(void)state;
	parse(HEAD YN("A") P2 OVERALL "  show-if: A = ja and B = nee\n" MAIL, &d);
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.v[1].line, 11);
	assert_int_equal(d.v[1].col, 23);   /* the B */
	kto_diags_release(&d);
}

/* HARDENING D1: deep nesting */
static void
test_deep_nesting(void **state)
{
	char src[4096];
	size_t n;

	(void)state;
	n = (size_t)snprintf(src, sizeof src, "%s", HEAD YN("A") P2 OVERALL
	    "  show-if: ");
	for (int i = 0; i < 200; i++)
		src[n++] = '(';
	n += (size_t)snprintf(src + n, sizeof src - n, "A = ja");
	for (int i = 0; i < 200; i++)
		src[n++] = ')';
	snprintf(src + n, sizeof src - n, "\n%s", MAIL);
	expect_error(src, 11, "nested too deeply");

	n = (size_t)snprintf(src, sizeof src, "%s", HEAD YN("A") P2 OVERALL
	    "  show-if: ");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(src + n, sizeof src - n, "not ");
	snprintf(src + n, sizeof src - n, "A = ja\n%s", MAIL);
	expect_error(src, 11, "nested too deeply");
}

static void
test_norms(void **state)
{
	const char *norm = HEAD "question W choice\n  text: Wacht\n  options:\n"
	    "    kort Kort\n    lang Lang\n" YN("B") OVERALL
	    "norm N1\n  text: Binnen 15 minuten\n  item: W\n  applies-if: B = nee\n"
	    "  met-if: W = kort\n  target: 95%\n" MAIL;
	struct kto_survey *s = expect_valid(norm);

	(void)state;
	assert_int_equal(s->n_norms, 1);
	assert_string_equal(s->norms[0].item->id, "W");
	assert_close(s->norms[0].target, 95, 0);
	assert_non_null(s->norms[0].applies_if);
	kto_survey_free(s);

	expect_error(HEAD OVERALL "norm N1\n  text: t\n  item: X\n  met-if: Q9 > 5\n"
	    "  target: 90%\n" MAIL, 10, "item X does not exist");
	expect_error(HEAD YN("B") OVERALL "norm N1\n  text: t\n  item: B\n"
	    "  met-if: Q9 > 5\n  target: 90%\n" MAIL, 13, "does not use the norm's item B");
	expect_error(HEAD OVERALL "norm N1\n  text: t\n  item: Q9\n  met-if: Q9 > 5\n"
	    "  target: 0%\n" MAIL, 12, "percentage above 0");
	expect_error(HEAD OVERALL "norm N1\n  text: t\n  item: Q9\n  met-if: Q9 > 5\n"
	    MAIL, 8, "has no 'target:'");
}

static void
test_mail_errors(void **state)
{
	(void)state;
	expect_error(HEAD OVERALL "mail invitation\n  subject: s\n  body: {link}\n",
	    8, "must contain {optout_link}");
	expect_error(HEAD OVERALL "mail invitation\n  subject: s {link}\n"
	    "  body: {link} {optout_link}\n", 9, "cannot be used in a subject");
	expect_error(HEAD OVERALL "mail invitation\n  subject: s\n  body: |\n"
	    "    Beste {naam},\n    {link} {optout_link}\n", 11,
	    "unknown placeholder {naam}");
	expect_error(HEAD OVERALL "mail invitation\n  subject: s\n  body: |\n"
	    "    {link} {optout_link}\n    open {brace\n", 12, "without a closing");
	expect_error(HEAD OVERALL MAIL "mail invitation\n  subject: s\n", 14,
	    "given twice");
	expect_error(HEAD OVERALL MAIL "mail bounce\n", 14, "write 'mail invitation'");
	expect_error(HEAD OVERALL "mail invitation\n  subject: s\n"
	    "  body: {link} {optout_link}\n  body.en: Dear, {link}\n", 8,
	    "English body of the invitation mail must contain {optout_link}");
}

static void
test_warnings(void **state)
{
	struct kto_diags d;
	struct kto_survey *s;
	bool missing_en = false, no_reminder = false;

	(void)state;
	s = parse(HEAD "  title.en: Title\n" OVERALL MAIL, &d);
	assert_non_null(s);
	for (size_t i = 0; i < d.n; i++) {
		assert_int_equal(d.v[i].severity, KTO_SEV_WARNING);
		if (strstr(d.v[i].msg, "no English text") && d.v[i].line == 6)
			missing_en = true;
		if (strstr(d.v[i].msg, "no reminders"))
			no_reminder = true;
	}
	assert_true(missing_en);
	assert_true(no_reminder);
	kto_survey_free(s);
	kto_diags_release(&d);
}

/* Every error in a file is reported, not just the first. */
static void
test_reports_all(void **state)
{
	struct kto_diags d;

	(void)state;
	parse(HEAD "  colour: red\n" OVERALL "question Q1 mark\n  text: x\n"
	    "question Q2 slider\n  text: y\n" "question Q3 yesno\n  text: z\n"
	    "  show-if: Q1 = ja\n", &d);
	assert_true(d.errors >= 5);
	for (size_t i = 1; i < d.n; i++)
		assert_true(d.v[i - 1].line <= d.v[i].line);
	kto_diags_release(&d);
}

static void
test_folded_lines(void **state)
{
	struct kto_survey *s = expect_valid(HEAD
	    "question Q9 mark\n  text: Welk rapportcijfer geeft u\n"
	    "     voor de dienstverlening?\n  area: TOT\n" MAIL);

	(void)state;
	assert_string_equal(s->questions[0].text.nl,
	    "Welk rapportcijfer geeft u voor de dienstverlening?");
	kto_survey_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_text_level),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_question_errors),
		cmocka_unit_test(test_pattern_limits),
		cmocka_unit_test(test_condition_errors),
		cmocka_unit_test(test_condition_columns),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_norms),
		cmocka_unit_test(test_mail_errors),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_reports_all),
		cmocka_unit_test(test_folded_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
