/*
** engine/cond: the condition language of show-if, met-if and applies-if
** (FORMAT.md section 5): parsing with precise positions, type checks
** against the questions, evaluation on answers, and the detection of
** conditions that can never be true.
*/
#include "engine/surveydef_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strparse.h"
#include "base/utf8.h"

/* ---------------------------------------------------------------------- */
/* Tokens                                                                  */

enum tok_kind { T_END, T_WORD, T_OP, T_LPAREN, T_RPAREN, T_COMMA, T_BAD };

struct token {
	enum tok_kind kind;
	const char *s;        /* in the condition text */
	size_t len;
	enum kto_cmp cmp;     /* T_OP */
};

struct cparser {
	struct parser *p;
	const struct pending_cond *pc;
	const char *pos;
	struct token tok;
	int depth;
	bool failed;          /* one error per condition is enough */
	/* questions the condition uses, for the ordering checks */
	const struct kto_question *used[16];
	size_t n_used;
};

static bool
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	    (unsigned char)c >= 0x80;
}

static void
next_token(struct cparser *cp)
{
	const char *s = cp->pos;
	struct token *t = &cp->tok;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	t->s = s;
	t->len = 1;
	switch (*s) {
	case '\0': t->kind = T_END; t->len = 0; break;
	case '(': t->kind = T_LPAREN; break;
	case ')': t->kind = T_RPAREN; break;
	case ',': t->kind = T_COMMA; break;
	case '=':
		t->kind = T_OP;
		t->cmp = KTO_CMP_EQ;
		t->len = s[1] == '=' ? 2 : 1;
		break;
	case '!':
		t->kind = s[1] == '=' ? T_OP : T_BAD;
		t->cmp = KTO_CMP_NE;
		t->len = 2;
		break;
	case '<':
		t->kind = T_OP;
		if (s[1] == '=') {
			t->cmp = KTO_CMP_LE;
			t->len = 2;
		} else if (s[1] == '>') {
			t->cmp = KTO_CMP_NE;
			t->len = 2;
		} else {
			t->cmp = KTO_CMP_LT;
		}
		break;
	case '>':
		t->kind = T_OP;
		t->cmp = s[1] == '=' ? KTO_CMP_GE : KTO_CMP_GT;
		t->len = s[1] == '=' ? 2 : 1;
		break;
	default:
		if (is_word_char(*s)) {
			t->kind = T_WORD;
			t->len = 0;
			while (is_word_char(s[t->len]))
				t->len++;
		} else {
			t->kind = T_BAD;
		}
	}
	cp->pos = s + t->len;
}

static bool
tok_is(const struct token *t, const char *word)
{
	return t->kind == T_WORD && strlen(word) == t->len &&
	    strncasecmp(t->s, word, t->len) == 0;
}

static bool
tok_is_any(const struct token *t, const char *a, const char *b)
{
	return tok_is(t, a) || tok_is(t, b);
}

/* Line and column of a point in the condition text. */
static void
cond_position(const struct cparser *cp, const char *at, int *line, int *col)
{
	const char *text = cp->pc->text, *start = text;

	*line = cp->pc->line;
	for (const char *s = text; s < at; s++)
		if (*s == '\n') {
			(*line)++;
			start = s + 1;
		}
	/* Multi-line conditions have lost their indentation: pc->col is the
	 * column of every line's first character. */
	*col = cp->pc->col + (int)kto_utf8_length(start, (size_t)(at - start));
}

static void cerror(struct cparser *cp, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
cerror(struct cparser *cp, const char *at, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	int line, col;

	if (cp->failed)
		return;
	cp->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cond_position(cp, at, &line, &col);
	parser_error(cp->p, line, col, "%s", msg);
}

static struct kto_cond *
new_cond(struct cparser *cp, enum kto_cond_kind kind, const char *at)
{
	struct kto_cond *c = kto_arena_alloc(cp->p->arena, sizeof *c);

	if (c == NULL) {
		cp->p->oom = true;
		cp->failed = true;
		return NULL;
	}
	c->kind = kind;
	cond_position(cp, at, &c->line, &c->col);
	return c;
}

/* ---------------------------------------------------------------------- */
/* Values, checked against the question's type                             */

static const char *
describe_type(const struct kto_question *q)
{
	switch (q->type) {
	case KTO_Q_MARK: return "a mark question (1 to 10); compare it with a number";
	case KTO_Q_SCALE: return "a scale question (1 to 5); compare it with a number";
	case KTO_Q_YESNO: return "a yes/no question; compare it with ja or nee";
	case KTO_Q_CHOICE:
	case KTO_Q_MULTI: return "a choice question; compare it with one of its option codes";
	case KTO_Q_NUMBER: return "a number question; compare it with a number";
	case KTO_Q_DATE: return "a date question; compare it with a date like 2026-01-31";
	default: return "a text question; only 'is answered' can be used";
	}
}

static void
list_options(const struct kto_question *q, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < q->n_options && len + 1 < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? ", " : "",
		    q->options[i].code);
}

/* Reads the current token as a value for question q. */
static bool
parse_value(struct cparser *cp, const struct kto_question *q, struct kto_value *v)
{
	const struct token *t = &cp->tok;
	char word[64];
	bool yes;

	if (t->kind != T_WORD) {
		cerror(cp, t->s, "expected a value to compare %s with", q->id);
		return false;
	}
	if (t->len >= sizeof word) {
		cerror(cp, t->s, "this value is too long");
		return false;
	}
	memcpy(word, t->s, t->len);
	word[t->len] = '\0';
	switch (q->type) {
	case KTO_Q_MARK:
	case KTO_Q_SCALE:
	case KTO_Q_NUMBER:
		if (strchr(word, ',') == NULL && kto_parse_double(word, -1e12, 1e12,
		    &v->num) == KTO_OK)
			return true;
		break;
	case KTO_Q_DATE:
		if (kto_date_parse(word, &v->num))
			return true;
		break;
	case KTO_Q_YESNO:
		if (kto_yesno_parse(word, &yes)) {
			v->code = yes ? "yes" : "no";
			return true;
		}
		break;
	case KTO_Q_CHOICE:
	case KTO_Q_MULTI: {
		const struct kto_option *o = kto_question_option(q, word);
		char opts[300];

		if (o != NULL) {
			v->code = o->code;
			return true;
		}
		list_options(q, opts, sizeof opts);
		cerror(cp, t->s, "%s has no option '%s'; its options are %s", q->id,
		    word, opts);
		return false;
	}
	default:
		break;
	}
	cerror(cp, t->s, "'%s' cannot be compared with %s: %s is %s", word, q->id,
	    q->id, describe_type(q));
	return false;
}

/* ---------------------------------------------------------------------- */
/* Grammar                                                                 */

static struct kto_cond *parse_or(struct cparser *cp);

static void
note_use(struct cparser *cp, const struct kto_question *q)
{
	for (size_t i = 0; i < cp->n_used; i++)
		if (cp->used[i] == q)
			return;
	if (cp->n_used < sizeof cp->used / sizeof cp->used[0])
		cp->used[cp->n_used++] = q;
}

/* ID op value | ID in (v, ...) | ID is [not] answered | ID is dont-know */
static struct kto_cond *
parse_comparison(struct cparser *cp)
{
	const struct token id = cp->tok;
	const struct kto_question *q;
	struct kto_cond *c;
	struct kto_value *vals;
	char name[KTO_DEF_MAX_ID + 1];

	if (id.kind != T_WORD) {
		cerror(cp, id.s, id.kind == T_END ? "the condition ends too early; "
		    "expected a question id" : "expected a question id here");
		return NULL;
	}
	if (id.len > KTO_DEF_MAX_ID) {
		cerror(cp, id.s, "there is no question with this id");
		return NULL;
	}
	memcpy(name, id.s, id.len);
	name[id.len] = '\0';
	q = parser_question(cp->p, name);
	if (q == NULL) {
		cerror(cp, id.s, "unknown question '%s'", name);
		return NULL;
	}
	note_use(cp, q);
	next_token(cp);

	if (tok_is(&cp->tok, "is")) {
		bool negate = false;

		next_token(cp);
		if (tok_is_any(&cp->tok, "not", "niet")) {
			negate = true;
			next_token(cp);
		}
		if (tok_is_any(&cp->tok, "answered", "beantwoord")) {
			c = new_cond(cp, KTO_COND_ANSWERED, id.s);
		} else if (tok_is_any(&cp->tok, "dont-know", "weet-niet")) {
			c = new_cond(cp, KTO_COND_DONT_KNOW, id.s);
			if (c != NULL && !q->dont_know)
				cerror(cp, cp->tok.s, "%s has no 'weet niet' option, so "
				    "'is dont-know' can never be true", q->id);
		} else {
			cerror(cp, cp->tok.s, "after 'is' write 'answered', 'not "
			    "answered' or 'dont-know'");
			return NULL;
		}
		if (c == NULL)
			return NULL;
		c->q = q;
		next_token(cp);
		if (negate) {
			struct kto_cond *n = new_cond(cp, KTO_COND_NOT, id.s);

			if (n != NULL)
				n->a = c;
			return n;
		}
		return c;
	}
	if (q->type == KTO_Q_TEXT || q->type == KTO_Q_OPEN) {
		cerror(cp, cp->tok.s, "%s is %s", q->id, describe_type(q));
		return NULL;
	}
	if (tok_is(&cp->tok, "in")) {
		size_t n = 0;

		next_token(cp);
		if (cp->tok.kind != T_LPAREN) {
			cerror(cp, cp->tok.s, "write the values after 'in' in brackets: "
			    "%s in (a, b)", q->id);
			return NULL;
		}
		vals = kto_arena_alloc(cp->p->arena, KTO_DEF_MAX_OPTIONS * sizeof *vals);
		if ((c = new_cond(cp, KTO_COND_IN, id.s)) == NULL || vals == NULL) {
			cp->p->oom = true;
			return NULL;
		}
		do {
			next_token(cp);
			if (n == KTO_DEF_MAX_OPTIONS) {
				cerror(cp, cp->tok.s, "too many values in the list");
				return NULL;
			}
			if (!parse_value(cp, q, &vals[n++]))
				return NULL;
			next_token(cp);
		} while (cp->tok.kind == T_COMMA);
		if (cp->tok.kind != T_RPAREN) {
			cerror(cp, cp->tok.s, "expected ',' or ')' in the list of values");
			return NULL;
		}
		next_token(cp);
		c->q = q;
		c->values = vals;
		c->n_values = n;
		return c;
	}
	if (cp->tok.kind != T_OP) {
		cerror(cp, cp->tok.s, "expected a comparison after %s: =, !=, <, <=, "
		    ">, >=, in (...), or is answered", q->id);
		return NULL;
	}
	if (cp->tok.cmp != KTO_CMP_EQ && cp->tok.cmp != KTO_CMP_NE &&
	    (q->type == KTO_Q_YESNO || q->type == KTO_Q_CHOICE ||
	     q->type == KTO_Q_MULTI)) {
		cerror(cp, cp->tok.s, "%s is a %s question: it can only be compared "
		    "with = or != (or 'in')", q->id, kto_qtype_name(q->type));
		return NULL;
	}
	if ((c = new_cond(cp, KTO_COND_CMP, id.s)) == NULL)
		return NULL;
	c->cmp = cp->tok.cmp;
	c->q = q;
	next_token(cp);
	vals = kto_arena_alloc(cp->p->arena, sizeof *vals);
	if (vals == NULL) {
		cp->p->oom = true;
		return NULL;
	}
	if (!parse_value(cp, q, vals))
		return NULL;
	c->values = vals;
	c->n_values = 1;
	next_token(cp);
	return c;
}

static struct kto_cond *
parse_primary(struct cparser *cp)
{
	struct kto_cond *c;

	if (++cp->depth > KTO_DEF_MAX_DEPTH) {
		cerror(cp, cp->tok.s, "the condition is nested too deeply (more than "
		    "%d levels); simplify it", KTO_DEF_MAX_DEPTH);
		return NULL;
	}
	if (tok_is_any(&cp->tok, "not", "niet")) {
		const char *at = cp->tok.s;

		next_token(cp);
		if ((c = new_cond(cp, KTO_COND_NOT, at)) == NULL)
			return NULL;
		c->a = parse_primary(cp);
		cp->depth--;
		return c->a ? c : NULL;
	}
	if (cp->tok.kind == T_LPAREN) {
		const char *open = cp->tok.s;

		next_token(cp);
		c = parse_or(cp);
		if (c == NULL)
			return NULL;
		if (cp->tok.kind != T_RPAREN) {
			cerror(cp, cp->tok.kind == T_END ? open : cp->tok.s,
			    cp->tok.kind == T_END ? "this '(' is never closed" :
			    "expected ')' here");
			return NULL;
		}
		next_token(cp);
		cp->depth--;
		return c;
	}
	c = parse_comparison(cp);
	cp->depth--;
	return c;
}

static struct kto_cond *
parse_binary(struct cparser *cp, bool is_or)
{
	struct kto_cond *left = is_or ? parse_binary(cp, false) : parse_primary(cp);

	while (left != NULL && (is_or ? tok_is_any(&cp->tok, "or", "of")
	    : tok_is_any(&cp->tok, "and", "en"))) {
		const char *at = cp->tok.s;
		struct kto_cond *c;

		next_token(cp);
		if ((c = new_cond(cp, is_or ? KTO_COND_OR : KTO_COND_AND, at)) == NULL)
			return NULL;
		c->a = left;
		c->b = is_or ? parse_binary(cp, false) : parse_primary(cp);
		if (c->b == NULL)
			return NULL;
		left = c;
	}
	return left;
}

static struct kto_cond *
parse_or(struct cparser *cp)
{
	return parse_binary(cp, true);
}

/* ---------------------------------------------------------------------- */
/* Evaluation                                                              */

static bool
multi_has(const struct kto_answer *a, const char *code)
{
	for (size_t i = 0; i < a->n_codes; i++)
		if (strcasecmp(a->codes[i], code) == 0)
			return true;
	return false;
}

static bool
value_equals(const struct kto_question *q, const struct kto_answer *a,
             const struct kto_value *v)
{
	switch (q->type) {
	case KTO_Q_YESNO:
	case KTO_Q_CHOICE:
		return a->code != NULL && strcasecmp(a->code, v->code) == 0;
	case KTO_Q_MULTI:
		return multi_has(a, v->code);
	default:
		return a->num == v->num;
	}
}

static bool
compare(const struct kto_cond *c, const struct kto_answer *a)
{
	const struct kto_value *v = &c->values[0];

	switch (c->cmp) {
	case KTO_CMP_EQ: return value_equals(c->q, a, v);
	case KTO_CMP_NE: return !value_equals(c->q, a, v);
	case KTO_CMP_LT: return a->num < v->num;
	case KTO_CMP_LE: return a->num <= v->num;
	case KTO_CMP_GT: return a->num > v->num;
	case KTO_CMP_GE: return a->num >= v->num;
	}
	return false;
}

bool
kto_cond_eval(const struct kto_cond *c, kto_answer_lookup lookup, void *ctx)
{
	const struct kto_answer *a;

	if (c == NULL)
		return true;
	switch (c->kind) {
	case KTO_COND_AND:
		return kto_cond_eval(c->a, lookup, ctx) && kto_cond_eval(c->b, lookup, ctx);
	case KTO_COND_OR:
		return kto_cond_eval(c->a, lookup, ctx) || kto_cond_eval(c->b, lookup, ctx);
	case KTO_COND_NOT:
		return !kto_cond_eval(c->a, lookup, ctx);
	default:
		break;
	}
	a = lookup(ctx, c->q);
	if (c->kind == KTO_COND_DONT_KNOW)
		return a != NULL && a->state == KTO_ANSWER_DONT_KNOW;
	if (a == NULL || a->state != KTO_ANSWER_VALUE)
		return false;
	if (c->kind == KTO_COND_ANSWERED)
		return true;
	if (c->kind == KTO_COND_IN) {
		for (size_t i = 0; i < c->n_values; i++)
			if (value_equals(c->q, a, &c->values[i]))
				return true;
		return false;
	}
	return compare(c, a);
}

/* ---------------------------------------------------------------------- */
/* Can the condition ever be true?                                         */

/*
** The truth of a condition depends only on the answers to the few questions
** it uses, and for each question only on which side of each constant the
** answer lies.  So we try a small set of representative answers per
** question (every mark, every option, each constant and its neighbours for
** numbers and dates, unanswered and "weet niet") and evaluate the condition
** on every combination.  When none makes it true, it can never be true.
*/
#define SAT_MAX_STATES   64        /* representatives per question */
#define SAT_MAX_COMBOS   200000    /* evaluations per condition */

struct sat_question {
	const struct kto_question *q;
	struct kto_answer states[SAT_MAX_STATES];
	const char *codes[SAT_MAX_STATES][8];    /* multi: chosen codes */
	size_t n;
};

struct sat {
	struct sat_question *qs;
	size_t n;
	size_t pick[16];
};

static void
sat_add(struct sat_question *sq, struct kto_answer a)
{
	for (size_t i = 0; i < sq->n; i++)
		if (sq->states[i].state == a.state && sq->states[i].num == a.num &&
		    sq->states[i].code == a.code && a.codes == NULL)
			return;
	if (sq->n < SAT_MAX_STATES)
		sq->states[sq->n++] = a;
}

static void
collect_constants(const struct kto_cond *c, const struct kto_question *q,
                  double *out, size_t *n, size_t max)
{
	if (c == NULL)
		return;
	collect_constants(c->a, q, out, n, max);
	collect_constants(c->b, q, out, n, max);
	if (c->q != q)
		return;
	for (size_t i = 0; i < c->n_values && *n < max; i++)
		out[(*n)++] = c->values[i].num;
}

static void
collect_codes(const struct kto_cond *c, const struct kto_question *q,
              const char **out, size_t *n, size_t max)
{
	if (c == NULL)
		return;
	collect_codes(c->a, q, out, n, max);
	collect_codes(c->b, q, out, n, max);
	if (c->q != q)
		return;
	for (size_t i = 0; i < c->n_values && *n < max; i++) {
		size_t k;

		for (k = 0; k < *n; k++)
			if (strcasecmp(out[k], c->values[i].code) == 0)
				break;
		if (k == *n)
			out[(*n)++] = c->values[i].code;
	}
}

/* Representative numeric answers for q around the constants of c. */
static void
sat_numbers(struct sat_question *sq, const struct kto_cond *c)
{
	const struct kto_question *q = sq->q;
	double consts[16];
	size_t n = 0;
	double lo = q->type == KTO_Q_MARK ? 1 : q->type == KTO_Q_SCALE ? 1 : q->min;
	double hi = q->type == KTO_Q_MARK ? 10 : q->type == KTO_Q_SCALE ? 5 : q->max;
	bool bounded = q->type != KTO_Q_DATE || (q->has_min && q->has_max &&
	    !q->min_today && !q->max_today);
	double step = q->type == KTO_Q_NUMBER ? pow(10, -q->decimals) : 1;
	struct kto_answer a = { KTO_ANSWER_VALUE, 0, NULL, NULL, 0, NULL };

	if (q->type == KTO_Q_MARK || q->type == KTO_Q_SCALE) {
		for (double v = lo; v <= hi; v++) {
			a.num = v;
			sat_add(sq, a);
		}
		return;
	}
	if (q->type == KTO_Q_DATE && !bounded) {
		lo = 19000101;
		hi = 29991231;
	}
	collect_constants(c, q, consts, &n, 16);
	for (size_t i = 0; i < n; i++) {
		double base = q->type == KTO_Q_NUMBER ? round(consts[i] / step) * step
		    : consts[i];
		double cand[5] = { consts[i], base - step, base, base + step,
		    floor(consts[i]) };

		for (int k = 0; k < 5; k++) {
			if (cand[k] < lo || cand[k] > hi)
				continue;
			a.num = cand[k];
			sat_add(sq, a);
		}
	}
	a.num = lo;
	sat_add(sq, a);
	a.num = hi;
	sat_add(sq, a);
}

static void
sat_prepare(struct sat_question *sq, const struct kto_cond *c)
{
	const struct kto_question *q = sq->q;
	struct kto_answer a = { KTO_ANSWER_NONE, 0, NULL, NULL, 0, NULL };

	sq->n = 0;
	sat_add(sq, a);
	if (q->dont_know) {
		a.state = KTO_ANSWER_DONT_KNOW;
		sat_add(sq, a);
	}
	a.state = KTO_ANSWER_VALUE;
	switch (q->type) {
	case KTO_Q_YESNO:
		a.code = "yes";
		sat_add(sq, a);
		a.code = "no";
		sat_add(sq, a);
		break;
	case KTO_Q_CHOICE:
		for (size_t i = 0; i < q->n_options; i++) {
			a.code = q->options[i].code;
			sat_add(sq, a);
		}
		break;
	case KTO_Q_MULTI: {
		const char *codes[6];
		size_t n = 0;

		collect_codes(c, q, codes, &n, 6);
		for (size_t mask = 0; mask < ((size_t)1 << n) && sq->n < SAT_MAX_STATES; mask++) {
			size_t k = 0;

			for (size_t b = 0; b < n; b++)
				if (mask & ((size_t)1 << b))
					sq->codes[sq->n][k++] = codes[b];
			a.codes = sq->codes[sq->n];
			a.n_codes = k;
			sq->states[sq->n++] = a;
		}
		break;
	}
	case KTO_Q_TEXT:
	case KTO_Q_OPEN:
		a.text = "x";
		sat_add(sq, a);
		break;
	default:
		sat_numbers(sq, c);
	}
}

static const struct kto_answer *
sat_lookup(void *ctx, const struct kto_question *q)
{
	struct sat *s = ctx;

	for (size_t i = 0; i < s->n; i++)
		if (s->qs[i].q == q)
			return &s->qs[i].states[s->pick[i]];
	return NULL;
}

/* Evaluates c on every combination; true when some combination holds. */
static bool
sat_search(struct sat *s, const struct kto_cond *c, size_t i)
{
	if (i == s->n)
		return kto_cond_eval(c, sat_lookup, s);
	for (s->pick[i] = 0; s->pick[i] < s->qs[i].n; s->pick[i]++)
		if (sat_search(s, c, i + 1))
			return true;
	return false;
}

/* -1: cannot tell (too many combinations); 0: never true; 1: can be true. */
static int
cond_satisfiable(const struct kto_cond *c, const struct kto_question *const *used,
                 size_t n_used)
{
	struct sat_question *qs;
	struct sat s;
	double combos = 1;
	int result;

	if (n_used > 16)
		return -1;
	qs = calloc(n_used ? n_used : 1, sizeof *qs);
	if (qs == NULL)
		return -1;
	for (size_t i = 0; i < n_used; i++) {
		qs[i].q = used[i];
		sat_prepare(&qs[i], c);
		combos *= (double)qs[i].n;
	}
	if (combos > SAT_MAX_COMBOS) {
		free(qs);
		return -1;
	}
	s.qs = qs;
	s.n = n_used;
	result = sat_search(&s, c, 0) ? 1 : 0;
	free(qs);
	return result;
}

/* ---------------------------------------------------------------------- */
/* Resolution                                                              */

static bool
cond_uses(const struct kto_cond *c, const struct kto_question *q)
{
	if (c == NULL)
		return false;
	return c->q == q || cond_uses(c->a, q) || cond_uses(c->b, q);
}

/* Checks that the condition only uses questions it may depend on. */
static void
check_order(struct cparser *cp)
{
	const struct pending_cond *pc = cp->pc;
	struct parser *p = cp->p;

	for (size_t i = 0; i < cp->n_used && !cp->failed; i++) {
		const struct kto_question *q = cp->used[i];

		if (pc->owner == COND_QUESTION_SHOW) {
			const struct kto_question *self = &p->questions[pc->owner_index];

			if (q == self)
				cerror(cp, pc->text, "the show-if of %s uses %s itself; a "
				    "question can only depend on earlier answers", self->id,
				    q->id);
			else if (q->index > self->index)
				;   /* reported by cond_report_cycles() */
			else if (q->page == self->page)
				cerror(cp, pc->text, "the show-if of %s uses %s, which is on "
				    "the same page; without JavaScript a question can only "
				    "depend on answers from earlier pages. Move %s to a later "
				    "page", self->id, q->id, self->id);
		} else if (pc->owner == COND_PAGE_SHOW) {
			if (q->page >= pc->owner_index)
				cerror(cp, pc->text, "the show-if of page %s uses %s, which "
				    "is on %s; a page can only depend on answers from "
				    "earlier pages", p->pages[pc->owner_index].id, q->id,
				    q->page == pc->owner_index ? "that page itself" :
				    "a later page");
		}
	}
}

void
cond_resolve(struct parser *p, const struct pending_cond *pc)
{
	struct cparser cp;
	struct kto_cond *c;

	memset(&cp, 0, sizeof cp);
	cp.p = p;
	cp.pc = pc;
	cp.pos = pc->text;
	next_token(&cp);
	if (cp.tok.kind == T_END) {
		cerror(&cp, pc->text, "the condition is empty");
		return;
	}
	c = parse_or(&cp);
	if (c != NULL && cp.tok.kind != T_END)
		cerror(&cp, cp.tok.s, cp.tok.kind == T_RPAREN ? "this ')' has no "
		    "matching '('" : "unexpected text here; combine comparisons "
		    "with and, or, not");
	if (c == NULL || cp.failed)
		return;
	check_order(&cp);
	if (pc->norm_item != NULL && !cond_uses(c, pc->norm_item))
		cerror(&cp, pc->text, "met-if does not use the norm's item %s",
		    pc->norm_item->id);
	if (cp.failed)
		return;
	if (cond_satisfiable(c, cp.used, cp.n_used) == 0) {
		cerror(&cp, pc->text, "this condition can never be true, whatever "
		    "the answers are; check the values and the and/or");
		return;
	}
	c->source = pc->text;
	*pc->slot = c;
}

/* ---------------------------------------------------------------------- */
/* Cycles                                                                  */

/*
** A show-if that uses a later question is an error.  When the later
** question depends, directly or through others, on the first one, the
** questions wait on each other: we name the whole cycle, which says more
** than "comes later".
*/
static bool
find_path(const struct kto_question *from, const struct kto_question *to,
          const struct parser *p, const struct kto_question **path, size_t *len,
          unsigned char *seen)
{
	const struct kto_cond *c = from->show_if;

	path[(*len)++] = from;
	if (cond_uses(c, to)) {
		path[(*len)++] = to;
		return true;
	}
	seen[from->index] = 1;
	for (size_t i = 0; i < p->n_questions; i++) {
		const struct kto_question *next = &p->questions[i];

		if (!seen[i] && cond_uses(c, next) &&
		    find_path(next, to, p, path, len, seen))
			return true;
	}
	(*len)--;
	return false;
}

bool
cond_report_cycles(struct parser *p)
{
	bool any = false;
	unsigned char *seen = calloc(p->n_questions ? p->n_questions : 1, 1);
	const struct kto_question *path[KTO_DEF_MAX_QUESTIONS + 2];

	if (seen == NULL) {
		p->oom = true;
		return false;
	}
	for (size_t i = 0; i < p->n_conds; i++) {
		const struct pending_cond *pc = &p->conds[i];
		const struct kto_question *self;

		if (pc->owner != COND_QUESTION_SHOW || *pc->slot == NULL)
			continue;
		self = &p->questions[pc->owner_index];
		for (size_t k = pc->owner_index + 1; k < p->n_questions; k++) {
			const struct kto_question *later = &p->questions[k];
			size_t len = 0;
			char chain[600];
			size_t clen = 0;

			if (!cond_uses(*pc->slot, later))
				continue;
			any = true;
			memset(seen, 0, p->n_questions);
			path[len++] = self;
			if (find_path(later, self, p, path, &len, seen)) {
				for (size_t j = 0; j < len && clen + 40 < sizeof chain; j++)
					clen += (size_t)snprintf(chain + clen, sizeof chain - clen,
					    "%s%s", j ? " -> " : "", path[j]->id);
				parser_error(p, pc->line, pc->col, "show-if cycle: %s; "
				    "questions cannot depend on each other", chain);
			} else {
				parser_error(p, pc->line, pc->col, "the show-if of %s uses "
				    "%s, which comes later in the survey; a question can "
				    "only depend on answers from earlier pages", self->id,
				    later->id);
			}
			break;
		}
	}
	free(seen);
	return any;
}
