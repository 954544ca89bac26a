/*
** Fuzz target for the form decoder of the questionnaire
** (web/questionnaire_form): a posted page, decoded as the server decodes
** application/x-www-form-urlencoded bodies (libmicrohttpd's '+' and
** MHD_http_unescape, so that values may hold NULs and any bytes), checked
** against a survey definition with every question type.  Any body must be
** either refused as not our form, with a reason, or read into answers
** that keep the definition's promises: only its options, a code at most
** once, text that is UTF-8 and within its length, numbers and dates within
** their bounds unless an error says otherwise, and an error count that
** matches the errors.
**
** Input: one byte of flags (English; earlier answers that open the pages
** and questions behind a show-if), then the body.
*/
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/utf8.h"
#include "engine/db.h"
#include "engine/surveydef.h"
#include "web/questionnaire_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The server's limits: SERVER_MAX_BODY and KTO_FORM_MAX_FIELDS. */
#define FORM_FUZZ_MAX (64 * 1024)

/* The pinned "today" of the database clock, as date answers hold it. */
#define FORM_TODAY 20261124.0

static const char form_survey[] =
	"survey fuzz-form\n"
	"  channel: balie\n"
	"  title: Formulier\n"
	"  title.en: Form\n"
	"  overall: M1\n"
	"\n"
	"page een\n"
	"  title: Een\n"
	"  title.en: One\n"
	"question Y1 yesno\n"
	"  text: Had u een afspraak?\n  text.en: Appointment?\n"
	"  dont-know: yes\n"
	"question C1 choice\n"
	"  text: Waarvoor?\n  text.en: What for?\n  dont-know: yes\n"
	"  options:\n    pas   Paspoort | Passport\n    rij   Rijbewijs | Licence\n"
	"    a-b_c  Anders | Other\n"
	"question M1 mark\n"
	"  text: Cijfer\n  text.en: Mark\n  area: TOT\n  required: yes\n"
	"question S1 scale\n"
	"  text: Makkelijk\n  text.en: Easy\n  labels: agree\n  dont-know: yes\n"
	"question MU multi\n"
	"  text: Welke?\n  text.en: Which?\n  min-choices: 2\n  max-choices: 3\n"
	"  dont-know: yes\n"
	"  options:\n    a  A | A\n    b  B | B\n    c  C | C\n    d  D | D\n"
	"question MV multi\n"
	"  text: Welke nog?\n  text.en: Which else?\n"
	"  options:\n    x  X | X\n    y  Y | Y\n"
	"\n"
	"page twee\n"
	"  title: Twee\n  title.en: Two\n"
	"  show-if: Y1 = ja\n"
	"question N1 number\n"
	"  text: Minuten\n  text.en: Minutes\n"
	"  min: 0\n  max: 240\n  decimals: 1\n  unit: minuten\n  unit.en: minutes\n"
	"  dont-know: yes\n"
	"question N2 number\n"
	"  text: Aantal\n  text.en: Number\n  min: -1000000\n  max: 1000000\n"
	"  decimals: 2\n"
	"question D1 date\n"
	"  text: Wanneer?\n  text.en: When?\n  min: 2020-01-01\n  max: today\n"
	"question D2 date\n"
	"  text: Afspraak\n  text.en: Appointment\n  min: today\n  dont-know: yes\n"
	"question T1 text\n"
	"  text: Postcode\n  text.en: Postcode\n"
	"  pattern: [1-9][0-9]{3} ?[A-Z]{2}\n"
	"  pattern-message: Zoals 1234 AB\n  pattern-message.en: Like 1234 AB\n"
	"question T2 text\n"
	"  text: Naam\n  text.en: Name\n  max-length: 20\n"
	"  show-if: C1 in (pas, rij)\n"
	"question O1 open\n"
	"  text: Wat kan beter?\n  text.en: What could be better?\n  max-length: 50\n"
	"  required: yes\n"
	"\n"
	"page drie\n"
	"  title: Drie\n  title.en: Three\n"
	"  show-if: not Y1 is answered\n"
	"question O2 open\n"
	"  text: Nog iets?\n  text.en: Anything else?\n"
	"\n"
	"mail invitation\n"
	"  subject: Uw mening\n  subject.en: Your opinion\n"
	"  body: {link} {optout_link}\n  body.en: {link} {optout_link}\n"
	"mail reminder\n"
	"  subject: Uw mening\n  subject.en: Your opinion\n"
	"  body: {link} {optout_link}\n  body.en: {link} {optout_link}\n";

static struct kto_survey *survey;
static struct kto_db *db;
static char db_dir[256], db_path[300];

static void
cleanup(void)
{
	kto_survey_free(survey);
	kto_db_close(db);
	unlink(db_path);
	rmdir(db_dir);
}

/*
** The survey once, and a database whose clock is pinned (for "today"):
** reading a form only asks it the time.
*/
static void
setup(void)
{
	static const struct kto_datetime now = { 2026, 11, 24, 12, 0, 0, true };
	struct kto_err err = KTO_ERR_INIT;
	const char *tmp = getenv("TMPDIR");
	struct kto_diags d;

	kto_diags_init(&d);
	if (kto_survey_parse(form_survey, sizeof form_survey - 1, &survey, &d) != KTO_OK) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "line %d: %s\n", d.v[i].line, d.v[i].msg);
		abort();
	}
	kto_diags_release(&d);
	snprintf(db_dir, sizeof db_dir, "%s/kto-fuzz-form-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(db_dir) == NULL)
		abort();
	snprintf(db_path, sizeof db_path, "%s/kto.db", db_dir);
	atexit(cleanup);
	if (kto_db_open(db_path, KTO_DB_CREATE, &db, &err) != KTO_OK) {
		fprintf(stderr, "%s\n", kto_err_msg(&err));
		abort();
	}
	kto_db_set_now(db, &now);
}

/* The body's fields as the server hands them over; false when too many. */
static bool
decode(struct kto_arena *arena, char *body, struct kto_form_field *fields,
       size_t *n)
{
	char *save = NULL;

	*n = 0;
	for (char *pair = strtok_r(body, "&", &save); pair != NULL;
	    pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '='), *value = eq != NULL ? eq + 1 : pair + strlen(pair);
		size_t len;

		if (*n == KTO_FORM_MAX_FIELDS)
			return false;
		if (eq != NULL)
			*eq = '\0';
		for (char *c = pair; *c; c++)
			if (*c == '+')
				*c = ' ';
		for (char *c = value; *c; c++)
			if (*c == '+')
				*c = ' ';
		MHD_http_unescape(pair);
		len = MHD_http_unescape(value);
		fields[*n].name = kto_arena_strdup(arena, pair);
		fields[*n].value = kto_arena_strndup(arena, value, len);
		fields[*n].value_len = len;
		if (fields[*n].name == NULL || fields[*n].value == NULL)
			return false;
		(*n)++;
	}
	return true;
}

/* Earlier answers from the flags: they open page two, three and T2. */
static void
preset(struct kto_answer *ans, unsigned flags)
{
	const struct kto_question *y1 = kto_survey_question(survey, "Y1"),
	    *c1 = kto_survey_question(survey, "C1");

	if (flags & 2) {
		ans[y1->index].state = KTO_ANSWER_VALUE;
		ans[y1->index].code = flags & 4 ? "yes" : "no";
	}
	if (flags & 8) {
		ans[c1->index].state = KTO_ANSWER_VALUE;
		ans[c1->index].code = flags & 16 ? "pas" : "a-b_c";
	}
}

static bool
has_option(const struct kto_question *q, const char *code)
{
	for (size_t i = 0; i < q->n_options; i++)
		if (q->options[i].code == code)
			return true;
	return false;
}

/* What an answer read without an error must be. */
static void
check_answer(const struct kto_question *q, const struct kto_answer *a)
{
	if (a->state == KTO_ANSWER_DONT_KNOW && !q->dont_know)
		abort();
	if (a->state != KTO_ANSWER_VALUE)
		return;
	switch (q->type) {
	case KTO_Q_MARK:
		if (!(a->num >= 1 && a->num <= 10) || a->num != (double)(int)a->num)
			abort();
		break;
	case KTO_Q_YESNO:
		if (a->code == NULL || (strcmp(a->code, "yes") && strcmp(a->code, "no")))
			abort();
		break;
	case KTO_Q_SCALE:
	case KTO_Q_CHOICE:
		if (!has_option(q, a->code))
			abort();
		break;
	case KTO_Q_MULTI:
		if (a->n_codes == 0 || a->n_codes > q->n_options ||
		    (q->min_choices > 0 && a->n_codes < (size_t)q->min_choices) ||
		    (q->max_choices > 0 && a->n_codes > (size_t)q->max_choices))
			abort();
		for (size_t i = 0; i < a->n_codes; i++) {
			if (!has_option(q, a->codes[i]))
				abort();
			for (size_t k = 0; k < i; k++)
				if (a->codes[k] == a->codes[i])
					abort();     /* a code twice */
		}
		break;
	case KTO_Q_NUMBER:
		if ((q->has_min && !(a->num >= q->min)) || (q->has_max && !(a->num <= q->max)) ||
		    (q->decimals == 0 && a->num != (double)(int64_t)a->num))
			abort();
		break;
	case KTO_Q_DATE:
		if (a->text == NULL || strlen(a->text) != 10 ||
		    (q->has_min && a->num < (q->min_today ? FORM_TODAY : q->min)) ||
		    (q->has_max && a->num > (q->max_today ? FORM_TODAY : q->max)))
			abort();
		break;
	default:
		if (a->text == NULL || (int)kto_utf8_length(a->text, strlen(a->text)) >
		    q->max_length || kto_utf8_invalid_at(a->text, strlen(a->text)) !=
		    strlen(a->text) || (q->type == KTO_Q_TEXT && strpbrk(a->text, "\r\n")))
			abort();
	}
}

static void
check_read(struct qform *f)
{
	const struct kto_page *pg = &survey->pages[f->page];
	size_t errors = 0;

	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++) {
		const struct kto_question *q = &survey->questions[i];

		if (f->error[i] != NULL) {
			if (f->error[i][0] == '\0' || kto_utf8_invalid_at(f->error[i],
			    strlen(f->error[i])) != strlen(f->error[i]))
				abort();
			errors++;
			continue;
		}
		check_answer(q, &f->ans[i]);
		if (q->required && f->ans[i].state == KTO_ANSWER_NONE &&
		    q_question_shown(f, q))
			abort();
	}
	if (errors != f->n_errors)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kto_arena arena = KTO_ARENA_INIT(2 * 1024 * 1024);
	struct kto_form_field *fields;
	struct kto_web_request r;
	struct qform f;
	struct forged why;
	size_t n;
	char *body;

	if (size < 1 || size > FORM_FUZZ_MAX)
		return 0;
	if (survey == NULL)
		setup();
	body = kto_arena_strndup(&arena, (const char *)data + 1, size - 1);
	fields = kto_arena_alloc(&arena, KTO_FORM_MAX_FIELDS * sizeof *fields);
	memset(&r, 0, sizeof r);
	memset(&f, 0, sizeof f);
	memset(&why, 0, sizeof why);
	f.ans = kto_arena_alloc(&arena, survey->n_questions * sizeof *f.ans);
	f.raw = kto_arena_alloc(&arena, survey->n_questions * sizeof *f.raw);
	f.error = kto_arena_alloc(&arena, survey->n_questions * sizeof *f.error);
	if (body == NULL || fields == NULL || f.ans == NULL || f.raw == NULL ||
	    f.error == NULL)
		abort();
	memset(f.ans, 0, survey->n_questions * sizeof *f.ans);
	memset(f.raw, 0, survey->n_questions * sizeof *f.raw);
	memset(f.error, 0, survey->n_questions * sizeof *f.error);
	if (decode(&arena, body, fields, &n)) {
		r.method = "POST";
		r.path = "/s/fuzz";
		r.fields = fields;
		r.n_fields = n;
		r.db = db;
		r.arena = &arena;
		f.r = &r;
		f.s = survey;
		f.en = data[0] & 1;
		preset(f.ans, data[0]);
		if (q_posted_page(&f, &why) && q_read_page(&f, &why))
			check_read(&f);
		else if (why.what[0] == '\0' ||
		    kto_utf8_invalid_at(why.what, strlen(why.what)) != strlen(why.what))
			abort();             /* a refusal says why, readably */
		(void)q_posted_action(&r);
	}
	kto_arena_release(&arena);
	return 0;
}
