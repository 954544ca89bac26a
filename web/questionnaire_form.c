/*
** web/questionnaire_form: reading a posted page strictly.  What did not
** come from our page (an unknown field, an option the question does not
** have, a value twice, text that is not UTF-8) makes the form unusable;
** what a citizen can get wrong goes to f->error, by the question.
*/
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/strparse.h"
#include "base/utf8.h"
#include "engine/db.h"
#include "web/questionnaire_int.h"

/* ---------------------------------------------------------------------- */
/* Reading a posted page                                                   */

/* Text without a NUL byte that is well-formed UTF-8. */
static bool
readable(const struct kto_form_field *x)
{
	size_t n = strlen(x->value);

	return n == x->value_len && kto_utf8_invalid_at(x->value, n) == n;
}

/* Bytes of posted text a message about it quotes, at most. */
#define QUOTED_MAX 40

/*
** Posted text as a message to the citizen quotes it: at most QUOTED_MAX
** bytes, cut between characters, with '?' for a byte that is not UTF-8,
** so that the page the message goes on stays UTF-8.
*/
static const char *
quoted(const char *s, char out[QUOTED_MAX + 1])
{
	return kto_utf8_quote(s, out, QUOTED_MAX + 1);
}

/* The value of field `name` ("q.ID" or "dk.ID"); *count says how many. */
static const char *
field_value(const struct kto_web_request *r, const char *prefix,
            const struct kto_question *q, size_t *count)
{
	const char *first = NULL;
	size_t plen = strlen(prefix);

	*count = 0;
	for (size_t i = 0; i < r->n_fields; i++) {
		const char *n = r->fields[i].name;

		if (strncmp(n, prefix, plen) == 0 && strcmp(n + plen, q->id) == 0) {
			if ((*count)++ == 0)
				first = r->fields[i].value;
		}
	}
	return first;
}

static const char *
option_code(const struct kto_question *q, const char *v)
{
	const struct kto_option *o = kto_question_option(q, v);

	return o != NULL ? o->code : NULL;
}

/* A mark, scale, yes/no or choice: one of its values, or forged. */
static bool
read_single_choice(const struct kto_question *q, const char *v, struct kto_answer *a)
{
	int64_t m;

	if (q->type == KTO_Q_MARK) {
		if (kto_parse_i64(v, 1, 10, &m) != KTO_OK)
			return false;
		a->num = (double)m;
	} else if (q->type == KTO_Q_YESNO) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return false;
		a->code = strcmp(v, "yes") == 0 ? "yes" : "no";
	} else {
		const struct kto_option *o = kto_question_option(q, v);

		if (o == NULL)
			return false;
		a->code = o->code;
		if (q->type == KTO_Q_SCALE)
			a->num = (double)(o - q->options + 1);
	}
	a->state = KTO_ANSWER_VALUE;
	return true;
}

static bool
read_multi(struct qform *f, const struct kto_question *q, struct kto_answer *a,
           struct forged *why)
{
	const char **codes = kto_arena_alloc(f->r->arena, (q->n_options + 1) * sizeof *codes);
	char shown[QUOTED_MAX + 1];
	bool dont_know = false;

	if (codes == NULL)
		return false;
	for (size_t i = 0; i < f->r->n_fields; i++) {
		const char *n = f->r->fields[i].name, *c;

		if (strncmp(n, "q.", 2) != 0 || strcmp(n + 2, q->id) != 0)
			continue;
		/* Noted, not set yet: q_code_chosen() below needs the codes' state,
		 * else a code after a "dk" would go in twice. */
		if (q->dont_know && strcmp(f->r->fields[i].value, "dk") == 0) {
			dont_know = true;
			continue;
		}
		if ((c = option_code(q, f->r->fields[i].value)) == NULL) {
			snprintf(why->what, sizeof why->what, "question %s has no option "
			    "'%s'", q->id, quoted(f->r->fields[i].value, shown));
			return false;
		}
		if (!q_code_chosen(a, c) && a->n_codes < q->n_options) {
			codes[a->n_codes++] = c;
			a->codes = codes;
			a->state = KTO_ANSWER_VALUE;
		}
	}
	if (dont_know)
		a->state = KTO_ANSWER_DONT_KNOW;
	if (a->state == KTO_ANSWER_DONT_KNOW && a->n_codes > 0)
		f->error[q->index] = q_ui(f, "Kies antwoorden of 'weet niet', niet allebei",
		    "Choose answers or 'don't know', not both");
	else if (a->state == KTO_ANSWER_VALUE && q->min_choices > 0 &&
	    a->n_codes < (size_t)q->min_choices)
		f->error[q->index] = q_ui(f, "Kies meer antwoorden", "Choose more answers");
	else if (a->state == KTO_ANSWER_VALUE && q->max_choices > 0 &&
	    a->n_codes > (size_t)q->max_choices)
		f->error[q->index] = q_ui(f, "Kies minder antwoorden", "Choose fewer answers");
	return true;
}

/* Whether a date (YYYYMMDD) is within the question's min and max. */
static bool
date_in_range(struct qform *f, const struct kto_question *q, double ymd)
{
	struct kto_datetime now;
	double today;

	kto_db_now(f->r->db, &now);
	today = now.year * 10000.0 + now.month * 100 + now.day;
	if (q->has_min && ymd < (q->min_today ? today : q->min))
		return false;
	return !(q->has_max && ymd > (q->max_today ? today : q->max));
}

/* A number, text, open or date answer as typed; problems go to f->error. */
static void
read_typed(struct qform *f, const struct kto_question *q, const char *v,
           struct kto_answer *a)
{
	char msg[160];
	const char **err = &f->error[q->index];
	size_t len = strlen(v), chars = kto_utf8_length(v, len);
	double x = 0;                     /* a refused number stores 0, never garbage */

	f->raw[q->index] = v;
	if (v[strspn(v, " \t\r\n")] == '\0')
		return;                       /* empty: no answer */
	a->state = KTO_ANSWER_VALUE;
	switch (q->type) {
	case KTO_Q_NUMBER:
		if (kto_parse_double(v, q->has_min ? q->min : -1e15, q->has_max ? q->max :
		    1e15, &x) != KTO_OK || (q->decimals == 0 && x != (double)(int64_t)x)) {
			if (q->has_min && q->has_max && f->en)
				snprintf(msg, sizeof msg, "Enter a %snumber from %g to %g",
				    q->decimals ? "" : "whole ", q->min, q->max);
			else if (q->has_min && q->has_max)
				snprintf(msg, sizeof msg, "Vul een %sgetal in van %g tot en "
				    "met %g", q->decimals ? "" : "heel ", q->min, q->max);
			else
				snprintf(msg, sizeof msg, "%s", q_ui(f, "Vul een getal in",
				    "Enter a number"));
			*err = kto_arena_strdup(f->r->arena, msg);
		}
		a->num = x;
		break;
	case KTO_Q_DATE: {
		struct kto_datetime d;

		if (!kto_datetime_parse(v, &d) || strlen(v) != 10)
			*err = q_ui(f, "Vul een datum in als 2026-12-31",
			    "Enter a date as 2026-12-31");
		else if (!date_in_range(f, q, (a->num = d.year * 10000.0 +
		    d.month * 100 + d.day)))
			*err = q_ui(f, "Deze datum kan niet: kies een andere",
			    "This date is not possible: choose another");
		a->text = v;
		break;
	}
	default:
		if (q->type == KTO_Q_TEXT && strpbrk(v, "\r\n") != NULL)
			*err = q_ui(f, "Gebruik één regel", "Use a single line");
		else if ((int)chars > q->max_length) {
			if (f->en)
				snprintf(msg, sizeof msg, "Use at most %d characters (now %zu)",
				    q->max_length, chars);
			else
				snprintf(msg, sizeof msg, "Gebruik ten hoogste %d tekens (nu "
				    "%zu)", q->max_length, chars);
			*err = kto_arena_strdup(f->r->arena, msg);
		} else if (kto_question_match(q, v) != KTO_OK) {
			*err = q->pattern_message.nl ? q_tx(f, &q->pattern_message)
			    : q_ui(f, "Dit antwoord heeft niet de goede vorm",
			    "This answer is not in the right form");
		}
		a->text = v;
		break;
	}
}

/* Reads question q from the form into f->ans; false when forged. */
static bool
read_question(struct qform *f, const struct kto_question *q, struct forged *why)
{
	struct kto_answer *a = &f->ans[q->index];
	size_t n, ndk;
	const char *v = field_value(f->r, "q.", q, &n);
	char shown[QUOTED_MAX + 1];

	field_value(f->r, "dk.", q, &ndk);
	memset(a, 0, sizeof *a);
	/* Text no browser sends for our page (HARDENING F2): on the field. */
	for (size_t i = 0; i < f->r->n_fields; i++)
		if (strncmp(f->r->fields[i].name, "q.", 2) == 0 &&
		    strcmp(f->r->fields[i].name + 2, q->id) == 0 &&
		    !readable(&f->r->fields[i])) {
			f->error[q->index] = q_ui(f, "Dit antwoord bevat tekens die niet "
			    "gelezen kunnen worden; typ het opnieuw", "This answer holds "
			    "characters that cannot be read; please type it again");
			return true;
		}
	if (q->type == KTO_Q_MULTI)
		return read_multi(f, q, a, why);
	if (n > 1 || ndk > 1 || (ndk > 0 && !q->dont_know) ||
	    (ndk > 0 && q_has_options(q))) {
		snprintf(why->what, sizeof why->what, "question %s was sent more "
		    "than once", q->id);
		return false;
	}
	if (q_has_options(q)) {
		if (v == NULL)
			return true;
		if (q->dont_know && strcmp(v, "dk") == 0) {
			a->state = KTO_ANSWER_DONT_KNOW;
			return true;
		}
		if (!read_single_choice(q, v, a)) {
			snprintf(why->what, sizeof why->what, "question %s has no answer "
			    "'%s'", q->id, quoted(v, shown));
			return false;
		}
		return true;
	}
	if (v != NULL)
		read_typed(f, q, v, a);
	if (ndk > 0) {
		if (a->state == KTO_ANSWER_VALUE)
			f->error[q->index] = q_ui(f, "Vul een antwoord in of kies 'weet "
			    "niet', niet allebei", "Give an answer or choose 'don't know', "
			    "not both");
		else
			a->state = KTO_ANSWER_DONT_KNOW;
	}
	return true;
}

/* Every field must belong to this page: anything else was not our form. */
static bool
fields_known(struct qform *f, struct forged *why)
{
	char shown[QUOTED_MAX + 1];

	for (size_t i = 0; i < f->r->n_fields; i++) {
		const char *n = f->r->fields[i].name, *id;
		const struct kto_question *q;

		if (strcmp(n, "page") == 0 || strcmp(n, "action") == 0) {
			if (!readable(&f->r->fields[i])) {
				snprintf(why->what, sizeof why->what, "field %s holds "
				    "text that is not UTF-8", n);
				return false;
			}
			continue;
		}
		id = strncmp(n, "q.", 2) == 0 ? n + 2 : strncmp(n, "dk.", 3) == 0 ?
		    n + 3 : NULL;
		q = id != NULL ? kto_survey_question(f->s, id) : NULL;
		if (q == NULL || q->page != f->page || !q_question_shown(f, q)) {
			snprintf(why->what, sizeof why->what, "the field '%s' does not "
			    "belong to this page", quoted(n, shown));
			return false;
		}
	}
	return true;
}

/* Reads the posted page; false (with why) when the form is not ours. */
bool
q_read_page(struct qform *f, struct forged *why)
{
	const struct kto_page *pg = &f->s->pages[f->page];

	if (!fields_known(f, why))
		return false;
	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++) {
		const struct kto_question *q = &f->s->questions[i];

		if (!q_question_shown(f, q)) {
			memset(&f->ans[i], 0, sizeof f->ans[i]);
			continue;
		}
		if (!read_question(f, q, why))
			return false;
		if (f->error[i] == NULL && q->required && f->ans[i].state == KTO_ANSWER_NONE)
			f->error[i] = q_ui(f, "Beantwoord deze vraag", "Please answer this "
			    "question");
	}
	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++)
		if (f->error[i] != NULL)
			f->n_errors++;
	return true;
}

/* The page number the form says it is; false when it is not one shown. */
bool
q_posted_page(struct qform *f, struct forged *why)
{
	int64_t n = -1;

	for (size_t i = 0; i < f->r->n_fields; i++)
		if (strcmp(f->r->fields[i].name, "page") == 0 &&
		    kto_parse_i64(f->r->fields[i].value, 0, (int64_t)f->s->n_pages - 1,
		    &n) != KTO_OK)
			n = -1;
	if (n < 0 || !q_page_shown(f, (size_t)n)) {
		snprintf(why->what, sizeof why->what, "%s", "the form does not say "
		    "which page it is");
		return false;
	}
	f->page = (size_t)n;
	return true;
}

const char *
q_posted_action(const struct kto_web_request *r)
{
	for (size_t i = 0; i < r->n_fields; i++)
		if (strcmp(r->fields[i].name, "action") == 0)
			return r->fields[i].value;
	return "next";
}

