/*
** web/questionnaire: /s/TOKEN, the citizen's questionnaire.
**
** Without JavaScript: every page is a plain form; "next" and "back" post it,
** the answers are checked and saved on the server, and the browser is sent
** on (303) to the page to show, so that a reload never posts twice.
** show-if conditions use answers of earlier pages only, so the server can
** decide which pages and questions to show.  The last "send" completes the
** response once, however often it is pressed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "base/strparse.h"
#include "base/utf8.h"
#include "engine/commit_group.h"
#include "engine/db.h"
#include "engine/municipality.h"
#include "engine/response.h"
#include "web/html.h"
#include "web/pages_int.h"
#include "web/ratelimit.h"

/* One request's view of a questionnaire. */
struct qform {
	const struct kto_web_request *r;
	struct kto_web_page *p;
	char self[160];              /* the questionnaire's path: /s/TOKEN, /c/CODE */
	struct kto_respondent who;
	struct kto_municipality town;    /* its colour and privacy statement */
	const struct kto_survey *s;  /* shared: see kto_respondent_survey() */
	struct kto_answer *ans;      /* per question: saved, then as posted */
	const char **raw;            /* per question: what was typed, to show again */
	const char **error;          /* per question: what is wrong, or NULL */
	size_t n_errors;
	bool en;                     /* the page is in English */
	size_t page;
	bool waiting;                /* a write is pending: f lives in the arena */
};

/* Why a posted form cannot be used at all: it did not come from our page. */
struct forged {
	char what[200];
};

static const char *
tx(const struct qform *f, const struct kto_text *t)
{
	return f->en && t->en != NULL ? t->en : t->nl;
}

static const char *
ui(const struct qform *f, const char *nl, const char *en)
{
	return f->en ? en : nl;
}

/* ---------------------------------------------------------------------- */
/* What is shown                                                           */

static const struct kto_answer *
lookup(void *ctx, const struct kto_question *q)
{
	const struct qform *f = ctx;

	return f->ans[q->index].state == KTO_ANSWER_NONE ? NULL : &f->ans[q->index];
}

static bool
page_shown(struct qform *f, size_t i)
{
	return kto_cond_eval(f->s->pages[i].show_if, lookup, f);
}

static bool
question_shown(struct qform *f, const struct kto_question *q)
{
	return page_shown(f, q->page) && kto_cond_eval(q->show_if, lookup, f);
}

/* The first shown page from i on; n_pages when none. */
static size_t
next_shown(struct qform *f, size_t i)
{
	while (i < f->s->n_pages && !page_shown(f, i))
		i++;
	return i;
}

/* The last shown page before i; SIZE_MAX when none. */
static size_t
prev_shown(struct qform *f, size_t i)
{
	while (i-- > 0)
		if (page_shown(f, i))
			return i;
	return SIZE_MAX;
}

/* A text of the definition as paragraphs: a blank line separates them. */
static void
paragraphs(struct kto_buf *b, struct kto_arena *a, const char *text)
{
	while (*text != '\0') {
		const char *end = strstr(text, "\n\n");
		size_t n = end ? (size_t)(end - text) : strlen(text);
		char *para = kto_arena_strndup(a, text, n);

		if (para == NULL)
			return;
		kto_buf_adds(b, "<p>");
		kto_html_text(b, para);
		kto_buf_adds(b, "</p>\n");
		text += n;
		text += strspn(text, "\n");
	}
}

/*
** The municipality's name at the top, on its house colour when it has one
** (kto municipality set --colour guarantees white text is readable on it),
** with the language switch.
*/
static void
brand_header(struct qform *f, bool language_switch)
{
	struct kto_buf *b = &f->p->body;

	kto_buf_adds(b, "<header class=\"org");
	if (f->town.colour[0] == '#') {
		kto_buf_adds(b, " brand\" style=\"background:");
		kto_html_attr(b, f->town.colour);
	}
	kto_buf_adds(b, "\"><p>");
	kto_html_text(b, ui(f, "Gemeente ", "Municipality of "));
	kto_html_text(b, f->who.inv.municipality_name);
	if (language_switch)
		kto_buf_adds(b, f->en ? " &middot; <a href=\"?lang=nl\" lang=\"nl\" "
		    "hreflang=\"nl\">Nederlands</a>" : " &middot; <a href=\"?lang=en\" "
		    "lang=\"en\" hreflang=\"en\">English</a>");
	kto_buf_adds(b, "</p></header>\n");
}

/* A link to the municipality's privacy statement, when it has one. */
static void
privacy_footer(struct qform *f)
{
	struct kto_buf *b = &f->p->body;

	if (f->town.privacy_url[0] == '\0')
		return;
	kto_buf_adds(b, "<footer><p><a href=\"");
	kto_html_attr(b, f->town.privacy_url);
	kto_buf_adds(b, "\">");
	kto_html_text(b, ui(f, "Privacyverklaring van gemeente ", "Privacy statement "
	    "of the municipality of "));
	kto_html_text(b, f->who.inv.municipality_name);
	kto_buf_adds(b, "</a></p></footer>\n");
}

/* ---------------------------------------------------------------------- */
/* Pages other than the questions                                          */

static void
link_not_valid(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Deze link hoort niet bij een "
	    "vragenlijst. Controleer of u de link uit uw e-mail helemaal hebt "
	    "overgenomen; kopieer hem zo nodig opnieuw.", NULL };
	static const char *const en[] = { "This link does not belong to a "
	    "questionnaire. Please check that you copied the whole link from your "
	    "e-mail, and copy it again if need be.", NULL };

	web_simple_page(p, r, 404, "Link werkt niet / Link does not work",
	    "Deze link werkt niet", nl, "This link does not work", en);
}

static void
closed(struct qform *f)
{
	char nl1[512], en1[512];
	const char *nl[] = { nl1, "Bedankt voor uw belangstelling.", NULL };
	const char *en[] = { en1, "Thank you for your interest.", NULL };

	snprintf(nl1, sizeof nl1, "Het onderzoek van gemeente %s is gesloten: er "
	    "kunnen geen antwoorden meer worden gegeven.", f->who.inv.municipality_name);
	snprintf(en1, sizeof en1, "The survey of the municipality of %s has "
	    "closed: answers can no longer be given.", f->who.inv.municipality_name);
	web_simple_page(f->p, f->r, 410, "Onderzoek gesloten / Survey closed",
	    "Het onderzoek is gesloten", nl, "The survey has closed", en);
}

static void
thanks(struct qform *f)
{
	struct kto_web_page *p = f->p;

	web_page_begin(p, ui(f, "Bedankt", "Thank you"), f->en ? "en" : "nl");
	brand_header(f, false);
	kto_buf_adds(&p->body, "<h1>");
	kto_html_text(&p->body, ui(f, "Bedankt!", "Thank you!"));
	kto_buf_adds(&p->body, "</h1>\n");
	paragraphs(&p->body, f->r->arena, f->s->thanks.nl != NULL ?
	    tx(f, &f->s->thanks) : ui(f, "Uw antwoorden zijn ontvangen.",
	    "Your answers have been received."));
	kto_buf_adds(&p->body, "<p>");
	kto_html_text(&p->body, ui(f, "U kunt dit venster nu sluiten.",
	    "You can close this window now."));
	kto_buf_adds(&p->body, "</p>\n");
	privacy_footer(f);
	web_page_end(p);
}

static void
bad_form(struct qform *f, const struct forged *why)
{
	const char *nl[] = { "Dit formulier kan niet worden verwerkt:", why->what,
	    "Open de link uit uw e-mail opnieuw; uw eerdere antwoorden zijn "
	    "bewaard.", NULL };
	const char *en[] = { "This form cannot be processed:", why->what,
	    "Please open the link from your e-mail again; your earlier answers "
	    "have been kept.", NULL };

	web_simple_page(f->p, f->r, 400, "Formulier niet bruikbaar / Form not "
	    "usable", "Formulier niet bruikbaar", nl, "Form not usable", en);
}

/* The 303 to the questionnaire's own address: a reload then only GETs. */
static void
see_other(struct qform *f)
{
	f->p->status = 303;
	snprintf(f->p->location, sizeof f->p->location, "%s%s", f->self,
	    f->en ? "?lang=en" : "");
	kto_buf_adds(&f->p->body, "");
}

/* ---------------------------------------------------------------------- */
/* Rendering a page of questions                                           */

static void
attr_id(struct kto_buf *b, const char *prefix, const struct kto_question *q)
{
	kto_buf_adds(b, prefix);
	kto_html_attr(b, q->id);
}

/* One radio button or check box with its label. */
static void
choice_input(struct kto_buf *b, const struct kto_question *q, const char *type,
             const char *value, const char *label, bool checked)
{
	kto_buf_addf(b, "<label class=\"opt\"><input type=\"%s\" name=\"q.", type);
	kto_html_attr(b, q->id);
	kto_buf_adds(b, "\" value=\"");
	kto_html_attr(b, value);
	kto_buf_addf(b, "\"%s> ", checked ? " checked" : "");
	kto_html_text(b, label);
	kto_buf_adds(b, "</label>\n");
}

static bool
code_chosen(const struct kto_answer *a, const char *code)
{
	if (a->state != KTO_ANSWER_VALUE)
		return false;
	if (a->code != NULL && strcmp(a->code, code) == 0)
		return true;
	for (size_t i = 0; i < a->n_codes; i++)
		if (strcmp(a->codes[i], code) == 0)
			return true;
	return false;
}

static void
dont_know_input(struct qform *f, const struct kto_question *q, const char *type)
{
	struct kto_buf *b = &f->p->body;
	const char *label = q->dont_know_label.nl != NULL ? tx(f, &q->dont_know_label)
	    : ui(f, "Weet niet / niet van toepassing", "Don't know / not applicable");
	bool dk = f->ans[q->index].state == KTO_ANSWER_DONT_KNOW;

	if (strcmp(type, "radio") == 0) {
		choice_input(b, q, "radio", "dk", label, dk);
		return;
	}
	kto_buf_adds(b, "<label class=\"opt dk\"><input type=\"checkbox\" name=\"dk.");
	kto_html_attr(b, q->id);
	kto_buf_addf(b, "\" value=\"1\"%s> ", dk ? " checked" : "");
	kto_html_text(b, label);
	kto_buf_adds(b, "</label>\n");
}

/* The options of a mark, scale, yes/no, choice or multi question. */
static void
options(struct qform *f, const struct kto_question *q)
{
	struct kto_buf *b = &f->p->body;
	const struct kto_answer *a = &f->ans[q->index];
	const char *type = q->type == KTO_Q_MULTI ? "checkbox" : "radio";

	kto_buf_addf(b, "<div class=\"opts%s\">\n", q->type == KTO_Q_MARK ?
	    " marks" : "");
	if (q->type == KTO_Q_MARK) {
		for (int m = 1; m <= 10; m++) {
			char v[4];

			snprintf(v, sizeof v, "%d", m);
			choice_input(b, q, "radio", v, v, a->state == KTO_ANSWER_VALUE &&
			    (int)a->num == m);
		}
	} else if (q->type == KTO_Q_YESNO) {
		choice_input(b, q, "radio", "yes", ui(f, "Ja", "Yes"), code_chosen(a, "yes"));
		choice_input(b, q, "radio", "no", ui(f, "Nee", "No"), code_chosen(a, "no"));
	} else {
		for (size_t i = 0; i < q->n_options; i++) {
			const struct kto_option *o = &q->options[i];
			bool on = q->type == KTO_Q_SCALE ? a->state == KTO_ANSWER_VALUE &&
			    (size_t)a->num == i + 1 : code_chosen(a, o->code);

			choice_input(b, q, type, o->code, tx(f, &o->label), on);
		}
	}
	kto_buf_adds(b, "</div>\n");
	if (q->dont_know)
		dont_know_input(f, q, type);
}

/* The single input of a number, text, open or date question. */
static void
single_input(struct qform *f, const struct kto_question *q)
{
	struct kto_buf *b = &f->p->body;
	const char *v = f->raw[q->index];

	if (q->type == KTO_Q_OPEN) {
		attr_id(b, "<textarea rows=\"5\" id=\"i-", q);
		kto_buf_adds(b, "\" name=\"q.");
		kto_html_attr(b, q->id);
		kto_buf_addf(b, "\" maxlength=\"%d\">", q->max_length);
		kto_html_text(b, v ? v : "");
		kto_buf_adds(b, "</textarea>\n");
	} else {
		attr_id(b, "<input id=\"i-", q);
		kto_buf_adds(b, "\" name=\"q.");
		kto_html_attr(b, q->id);
		if (q->type == KTO_Q_NUMBER)
			kto_buf_addf(b, "\" type=\"text\" inputmode=\"%s\"",
			    q->decimals > 0 ? "decimal" : "numeric");
		else if (q->type == KTO_Q_DATE)
			kto_buf_adds(b, "\" type=\"date\"");
		else
			kto_buf_addf(b, "\" type=\"text\" maxlength=\"%d\"", q->max_length);
		kto_buf_adds(b, " value=\"");
		kto_html_attr(b, v ? v : "");
		kto_buf_adds(b, "\">");
		if (q->unit.nl != NULL) {
			kto_buf_adds(b, " <span class=\"unit\">");
			kto_html_text(b, tx(f, &q->unit));
			kto_buf_adds(b, "</span>");
		}
		kto_buf_adds(b, "\n");
	}
	if (q->dont_know)
		dont_know_input(f, q, "checkbox");
}

static bool
has_options(const struct kto_question *q)
{
	return q->type == KTO_Q_MARK || q->type == KTO_Q_SCALE ||
	    q->type == KTO_Q_YESNO || q->type == KTO_Q_CHOICE || q->type == KTO_Q_MULTI;
}

/*
** A question as a fieldset: its text is the legend, which names the group
** of options (or the input and its "weet niet" box); help and error are
** tied to it with aria-describedby, and an error marks it invalid.
*/
static void
question(struct qform *f, const struct kto_question *q)
{
	struct kto_buf *b = &f->p->body;
	const char *err = f->error[q->index];

	attr_id(b, "<fieldset id=\"q-", q);
	kto_buf_adds(b, "\"");
	if (err != NULL || q->help.nl != NULL) {
		kto_buf_adds(b, " aria-describedby=\"");
		if (err != NULL)
			attr_id(b, "e-", q);
		if (q->help.nl != NULL) {
			kto_buf_adds(b, err != NULL ? " " : "");
			attr_id(b, "h-", q);
		}
		kto_buf_adds(b, "\"");
	}
	kto_buf_addf(b, "%s>\n<legend>", err != NULL ? " class=\"invalid\"" : "");
	if (has_options(q)) {
		kto_html_text(b, tx(f, &q->text));
	} else {
		attr_id(b, "<label for=\"i-", q);
		kto_buf_adds(b, "\">");
		kto_html_text(b, tx(f, &q->text));
		kto_buf_adds(b, "</label>");
	}
	if (!q->required)
		kto_buf_addf(b, " <span class=\"opt-q\">(%s)</span>", ui(f, "niet verplicht",
		    "optional"));
	kto_buf_adds(b, "</legend>\n");
	if (q->help.nl != NULL) {
		attr_id(b, "<p class=\"help\" id=\"h-", q);
		kto_buf_adds(b, "\">");
		kto_html_text(b, tx(f, &q->help));
		kto_buf_adds(b, "</p>\n");
	}
	if (err != NULL) {
		attr_id(b, "<p class=\"error\" id=\"e-", q);
		kto_buf_adds(b, "\">");
		kto_html_text(b, err);
		kto_buf_adds(b, "</p>\n");
	}
	if (has_options(q))
		options(f, q);
	else
		single_input(f, q);
	kto_buf_adds(b, "</fieldset>\n");
}

/* The list of errors at the top, announced at once to screen readers. */
static void
error_summary(struct qform *f)
{
	struct kto_buf *b = &f->p->body;
	const struct kto_page *pg = &f->s->pages[f->page];

	kto_buf_adds(b, "<div class=\"summary\" role=\"alert\" tabindex=\"-1\" "
	    "id=\"errors\">\n<h2>");
	kto_html_text(b, f->n_errors == 1 ? ui(f, "Eén antwoord is nog niet goed",
	    "One answer needs attention") : ui(f, "Enkele antwoorden zijn nog niet "
	    "goed", "Some answers need attention"));
	kto_buf_adds(b, "</h2>\n<ul>\n");
	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++) {
		const struct kto_question *q = &f->s->questions[i];

		if (f->error[i] == NULL)
			continue;
		attr_id(b, "<li><a href=\"#q-", q);
		kto_buf_adds(b, "\">");
		kto_html_text(b, tx(f, &q->text));
		kto_buf_adds(b, ": ");
		kto_html_text(b, f->error[i]);
		kto_buf_adds(b, "</a></li>\n");
	}
	kto_buf_adds(b, "</ul>\n</div>\n");
}

/* "Vraag 2 van 4": counted over the pages shown. */
static void
progress(struct qform *f)
{
	size_t shown = 0, at = 0;

	for (size_t i = 0; i < f->s->n_pages; i++)
		if (page_shown(f, i)) {
			shown++;
			if (i <= f->page)
				at = shown;
		}
	kto_buf_addf(&f->p->body, "<p class=\"progress\">%s %zu %s %zu "
	    "<progress max=\"%zu\" value=\"%zu\"></progress></p>\n",
	    ui(f, "Stap", "Step"), at, ui(f, "van", "of"), shown, shown, at);
}

static void
render(struct qform *f)
{
	struct kto_web_page *p = f->p;
	struct kto_buf *b = &p->body;
	const struct kto_page *pg = &f->s->pages[f->page];
	bool last = next_shown(f, f->page + 1) == f->s->n_pages;
	char title[512];

	snprintf(title, sizeof title, "%s%s - %s - %s %s", f->n_errors ?
	    ui(f, "Fout: ", "Error: ") : "", pg->title.nl ? tx(f, &pg->title) :
	    tx(f, &f->s->title), tx(f, &f->s->title), ui(f, "gemeente",
	    "municipality of"), f->who.inv.municipality_name);
	web_page_begin(p, title, f->en ? "en" : "nl");
	brand_header(f, true);
	progress(f);
	if (f->n_errors > 0)
		error_summary(f);
	kto_buf_adds(b, "<h1>");
	kto_html_text(b, pg->title.nl ? tx(f, &pg->title) : tx(f, &f->s->title));
	kto_buf_adds(b, "</h1>\n");
	if (f->page == next_shown(f, 0) && f->s->intro.nl != NULL)
		paragraphs(b, f->r->arena, tx(f, &f->s->intro));
	if (pg->intro.nl != NULL)
		paragraphs(b, f->r->arena, tx(f, &pg->intro));
	kto_buf_adds(b, "<form method=\"post\" novalidate action=\"");
	kto_html_attr(b, f->self);
	kto_buf_addf(b, "%s\">\n<input type=\"hidden\" name=\"page\" value=\"%zu\">\n",
	    f->en ? "?lang=en" : "", f->page);
	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++)
		if (question_shown(f, &f->s->questions[i]))
			question(f, &f->s->questions[i]);
	/* "next" first: Enter in a field submits with the first button. */
	kto_buf_addf(b, "<div class=\"nav\">\n<button type=\"submit\" name=\"action\" "
	    "value=\"next\" class=\"primary\">%s</button>\n", last ?
	    ui(f, "Versturen", "Send") : ui(f, "Volgende", "Next"));
	if (prev_shown(f, f->page) != SIZE_MAX)
		kto_buf_addf(b, "<button type=\"submit\" name=\"action\" value=\"back\">"
		    "%s</button>\n", ui(f, "Vorige", "Back"));
	kto_buf_adds(b, "</div>\n</form>\n");
	privacy_footer(f);
	web_page_end(p);
	if (f->n_errors > 0)
		p->status = 422;
}

/* ---------------------------------------------------------------------- */
/* Reading a posted page                                                   */

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

	if (codes == NULL)
		return false;
	for (size_t i = 0; i < f->r->n_fields; i++) {
		const char *n = f->r->fields[i].name, *c;

		if (strncmp(n, "q.", 2) != 0 || strcmp(n + 2, q->id) != 0)
			continue;
		if (q->dont_know && strcmp(f->r->fields[i].value, "dk") == 0) {
			a->state = KTO_ANSWER_DONT_KNOW;
			continue;
		}
		if ((c = option_code(q, f->r->fields[i].value)) == NULL) {
			snprintf(why->what, sizeof why->what, "question %s has no option "
			    "'%.40s'", q->id, f->r->fields[i].value);
			return false;
		}
		if (!code_chosen(a, c) && a->n_codes < q->n_options) {
			codes[a->n_codes++] = c;
			a->codes = codes;
			a->state = KTO_ANSWER_VALUE;
		}
	}
	if (a->state == KTO_ANSWER_DONT_KNOW && a->n_codes > 0)
		f->error[q->index] = ui(f, "Kies antwoorden of 'weet niet', niet allebei",
		    "Choose answers or 'don't know', not both");
	else if (a->state == KTO_ANSWER_VALUE && q->min_choices > 0 &&
	    a->n_codes < (size_t)q->min_choices)
		f->error[q->index] = ui(f, "Kies meer antwoorden", "Choose more answers");
	else if (a->state == KTO_ANSWER_VALUE && q->max_choices > 0 &&
	    a->n_codes > (size_t)q->max_choices)
		f->error[q->index] = ui(f, "Kies minder antwoorden", "Choose fewer answers");
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
	double x;

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
				snprintf(msg, sizeof msg, "%s", ui(f, "Vul een getal in",
				    "Enter a number"));
			*err = kto_arena_strdup(f->r->arena, msg);
		}
		a->num = x;
		break;
	case KTO_Q_DATE: {
		struct kto_datetime d;

		if (!kto_datetime_parse(v, &d) || strlen(v) != 10)
			*err = ui(f, "Vul een datum in als 2026-12-31",
			    "Enter a date as 2026-12-31");
		else if (!date_in_range(f, q, (a->num = d.year * 10000.0 +
		    d.month * 100 + d.day)))
			*err = ui(f, "Deze datum kan niet: kies een andere",
			    "This date is not possible: choose another");
		a->text = v;
		break;
	}
	default:
		if (q->type == KTO_Q_TEXT && strpbrk(v, "\r\n") != NULL)
			*err = ui(f, "Gebruik één regel", "Use a single line");
		else if ((int)chars > q->max_length) {
			if (f->en)
				snprintf(msg, sizeof msg, "Use at most %d characters (now %zu)",
				    q->max_length, chars);
			else
				snprintf(msg, sizeof msg, "Gebruik ten hoogste %d tekens (nu "
				    "%zu)", q->max_length, chars);
			*err = kto_arena_strdup(f->r->arena, msg);
		} else if (kto_question_match(q, v) != KTO_OK) {
			*err = q->pattern_message.nl ? tx(f, &q->pattern_message)
			    : ui(f, "Dit antwoord heeft niet de goede vorm",
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

	field_value(f->r, "dk.", q, &ndk);
	memset(a, 0, sizeof *a);
	if (q->type == KTO_Q_MULTI)
		return read_multi(f, q, a, why);
	if (n > 1 || ndk > 1 || (ndk > 0 && !q->dont_know) ||
	    (ndk > 0 && has_options(q))) {
		snprintf(why->what, sizeof why->what, "question %s was sent more "
		    "than once", q->id);
		return false;
	}
	if (has_options(q)) {
		if (v == NULL)
			return true;
		if (q->dont_know && strcmp(v, "dk") == 0) {
			a->state = KTO_ANSWER_DONT_KNOW;
			return true;
		}
		if (!read_single_choice(q, v, a)) {
			snprintf(why->what, sizeof why->what, "question %s has no answer "
			    "'%.40s'", q->id, v);
			return false;
		}
		return true;
	}
	if (v != NULL)
		read_typed(f, q, v, a);
	if (ndk > 0) {
		if (a->state == KTO_ANSWER_VALUE)
			f->error[q->index] = ui(f, "Vul een antwoord in of kies 'weet "
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
	for (size_t i = 0; i < f->r->n_fields; i++) {
		const char *n = f->r->fields[i].name, *id;
		const struct kto_question *q;

		if (kto_utf8_invalid_at(f->r->fields[i].value,
		    strlen(f->r->fields[i].value)) != strlen(f->r->fields[i].value)) {
			snprintf(why->what, sizeof why->what, "field %.40s holds text "
			    "that is not UTF-8", n);
			return false;
		}
		if (strcmp(n, "page") == 0 || strcmp(n, "action") == 0)
			continue;
		id = strncmp(n, "q.", 2) == 0 ? n + 2 : strncmp(n, "dk.", 3) == 0 ?
		    n + 3 : NULL;
		q = id != NULL ? kto_survey_question(f->s, id) : NULL;
		if (q == NULL || q->page != f->page || !question_shown(f, q)) {
			snprintf(why->what, sizeof why->what, "the field '%.40s' does not "
			    "belong to this page", n);
			return false;
		}
	}
	return true;
}

/* Reads the posted page; false (with why) when the form is not ours. */
static bool
read_page(struct qform *f, struct forged *why)
{
	const struct kto_page *pg = &f->s->pages[f->page];

	if (!fields_known(f, why))
		return false;
	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++) {
		const struct kto_question *q = &f->s->questions[i];

		if (!question_shown(f, q)) {
			memset(&f->ans[i], 0, sizeof f->ans[i]);
			continue;
		}
		if (!read_question(f, q, why))
			return false;
		if (f->error[i] == NULL && q->required && f->ans[i].state == KTO_ANSWER_NONE)
			f->error[i] = ui(f, "Beantwoord deze vraag", "Please answer this "
			    "question");
	}
	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++)
		if (f->error[i] != NULL)
			f->n_errors++;
	return true;
}

/* The page number the form says it is; false when it is not one shown. */
static bool
posted_page(struct qform *f, struct forged *why)
{
	int64_t n = -1;

	for (size_t i = 0; i < f->r->n_fields; i++)
		if (strcmp(f->r->fields[i].name, "page") == 0 &&
		    kto_parse_i64(f->r->fields[i].value, 0, (int64_t)f->s->n_pages - 1,
		    &n) != KTO_OK)
			n = -1;
	if (n < 0 || !page_shown(f, (size_t)n)) {
		snprintf(why->what, sizeof why->what, "%s", "the form does not say "
		    "which page it is");
		return false;
	}
	f->page = (size_t)n;
	return true;
}

static const char *
posted_action(const struct kto_web_request *r)
{
	for (size_t i = 0; i < r->n_fields; i++)
		if (strcmp(r->fields[i].name, "action") == 0)
			return r->fields[i].value;
	return "next";
}

/* ---------------------------------------------------------------------- */
/* The requests                                                            */

/* The page after a save: on to the next page, or why not. */
static void
after_save(struct qform *f, enum kto_rc rc)
{
	if (rc == KTO_ESTATE)
		closed(f);
	else if (rc != KTO_OK)
		web_unavailable(f->r, f->p);
	else
		see_other(f);
}

static void
pending_finish(struct kto_web_pending *w, enum kto_rc rc,
               const struct kto_web_request *r, struct kto_web_page *p)
{
	struct qform *f = w->ctx;

	f->r = r;                    /* the request as the server has it now */
	f->p = p;
	after_save(f, rc);
}

static void
pending_release(struct kto_web_pending *w)
{
	struct qform *f = w->ctx;

	kto_respondent_survey_release(f->s);
}

/*
** Leaves the save to the server, which has the commit group run it while
** the connection waits without a thread; false when it cannot (then the
** caller saves and waits itself).  f moves into the request's arena.
*/
static bool
save_later(struct qform *f, size_t next, bool complete)
{
	struct kto_arena *a = f->r->arena;
	struct kto_web_pending *w = kto_arena_alloc(a, sizeof *w);
	struct qform *kept = kto_arena_alloc(a, sizeof *kept);

	if (f->r->pending == NULL || f->r->writer == NULL || w == NULL || kept == NULL)
		return false;
	*kept = *f;
	if (kto_response_save_job(a, &kept->who, kept->s, kept->page, kept->ans,
	    (int)next, complete, &w->write, &w->arg) != KTO_OK)
		return false;
	w->finish = pending_finish;
	w->release = pending_release;
	w->ctx = kept;
	*f->r->pending = w;
	f->waiting = true;            /* the survey is released with w */
	return true;
}

static void
save(struct qform *f, size_t next, bool complete)
{
	struct kto_err err = KTO_ERR_INIT;
	enum kto_rc rc;

	/* Answers the citizen can no longer see are not kept. */
	if (complete)
		for (size_t i = 0; i < f->s->n_questions; i++)
			if (!question_shown(f, &f->s->questions[i]))
				memset(&f->ans[i], 0, sizeof f->ans[i]);
	if (save_later(f, next, complete))
		return;
	if (f->r->writer != NULL) {
		kto_write_fn fn;
		void *arg;

		rc = kto_response_save_job(f->r->arena, &f->who, f->s, f->page, f->ans,
		    (int)next, complete, &fn, &arg);
		if (rc == KTO_OK)
			rc = kto_commit_group_run(f->r->writer, fn, arg, &err);
	} else {
		kto_db_read_end(f->r->db);   /* writing here: its own transaction */
		rc = kto_response_save(f->r->db, &f->who, f->s, f->page, f->ans,
		    (int)next, complete, NULL);
	}
	after_save(f, rc);
}

static void
post(struct qform *f)
{
	struct forged why = { "" };
	const char *action = posted_action(f->r);
	bool back = strcmp(action, "back") == 0;
	size_t next;

	if (f->r->form_unreadable) {
		snprintf(why.what, sizeof why.what, "%s", "the form has too many "
		    "fields or is not a form");
		bad_form(f, &why);
		return;
	}
	if (!back && strcmp(action, "next") != 0) {
		snprintf(why.what, sizeof why.what, "there is no button '%.40s'", action);
		bad_form(f, &why);
		return;
	}
	if (!posted_page(f, &why) || !read_page(f, &why)) {
		bad_form(f, &why);
		return;
	}
	if (back) {
		/* Going back keeps what is right and forgets what is not. */
		for (size_t i = 0; i < f->s->n_questions; i++)
			if (f->error[i] != NULL)
				memset(&f->ans[i], 0, sizeof f->ans[i]);
		next = prev_shown(f, f->page);
		save(f, next == SIZE_MAX ? f->page : next, false);
	} else if (f->n_errors > 0) {
		render(f);
	} else {
		next = next_shown(f, f->page + 1);
		save(f, next == f->s->n_pages ? f->page : next, next == f->s->n_pages);
	}
}

static void
show(struct qform *f)
{
	size_t page = f->who.page >= 0 ? (size_t)f->who.page : 0;

	if (page >= f->s->n_pages)
		page = 0;
	f->page = next_shown(f, page);
	if (f->page == f->s->n_pages)
		f->page = next_shown(f, 0);
	if (f->page == f->s->n_pages) {
		web_unavailable(f->r, f->p);      /* a definition with no page shown */
		return;
	}
	/* Typed answers are shown as they were saved. */
	for (size_t i = 0; i < f->s->n_questions; i++)
		if (f->ans[i].state == KTO_ANSWER_VALUE && f->s->questions[i].type ==
		    KTO_Q_NUMBER) {
			char *v = kto_arena_alloc(f->r->arena, 32);

			if (v != NULL)
				snprintf(v, 32, "%g", f->ans[i].num);
			f->raw[i] = v;
		} else if (f->ans[i].state == KTO_ANSWER_VALUE) {
			f->raw[i] = f->ans[i].text;
		}
	render(f);
}

static bool
qform_load(struct qform *f)
{
	size_t n = f->s->n_questions ? f->s->n_questions : 1;

	f->ans = kto_arena_alloc(f->r->arena, n * sizeof *f->ans);
	f->raw = kto_arena_alloc(f->r->arena, n * sizeof *f->raw);
	f->error = kto_arena_alloc(f->r->arena, n * sizeof *f->error);
	return f->ans != NULL && f->raw != NULL && f->error != NULL &&
	    kto_response_answers(f->r->db, &f->who, f->s, f->r->arena, f->ans) == KTO_OK;
}

/* The questionnaire of f->who, once found: the page asked for. */
static void
serve(struct qform *f)
{
	const struct kto_web_request *r = f->r;

	if (r->lang != NULL && (strcmp(r->lang, "nl") == 0 || strcmp(r->lang, "en") == 0))
		snprintf(f->who.language, sizeof f->who.language, "%s", r->lang);
	f->en = strcmp(f->who.language, "en") == 0;
	if (kto_municipality_find(r->db, f->who.inv.municipality, &f->town) != KTO_OK ||
	    kto_respondent_survey(r->db, &f->who, &f->s) != KTO_OK) {
		web_unavailable(r, f->p);
		return;
	}
	if (f->who.complete && strcmp(r->method, "POST") == 0)
		see_other(f);         /* the last button again: to the thanks */
	else if (f->who.complete)
		thanks(f);
	else if (strcmp(f->who.inv.wave_state, "closed") == 0)
		closed(f);
	else if (!qform_load(f))
		web_unavailable(r, f->p);
	else if (strcmp(r->method, "POST") == 0)
		post(f);
	else
		show(f);
	if (!f->waiting)
		kto_respondent_survey_release(f->s);
}

void
web_questionnaire(const struct kto_web_request *r, struct kto_web_page *p,
                  const char *token)
{
	struct qform f = { .r = r, .p = p };
	enum kto_rc rc;

	/*
	** A request reads in one transaction: one lock of the database file
	** instead of one per query, and one consistent view.  Writes go to
	** the commit group's connection, so it can stay open to the end.
	*/
	kto_db_read_begin(r->db);
	rc = kto_respondent_find(r->db, token, &f.who);
	if (rc == KTO_ENOTFOUND) {
		link_not_valid(r, p);
	} else if (rc != KTO_OK) {
		web_unavailable(r, p);
	} else {
		snprintf(f.self, sizeof f.self, "/s/%s", token);
		serve(&f);
	}
	kto_db_read_end(r->db);
}

/* ---------------------------------------------------------------------- */
/* /c/CODE[/DESK]: the counter's open link                                 */

/* New questionnaires one address may start at the open link per window. */
#define OPEN_LINK_LIMIT 30
#define OPEN_LINK_WINDOW 600

static bool
word_ok(const char *s, size_t n, size_t max, const char *extra)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr(extra, s[i]) != NULL))
			return false;
	return true;
}

static void
no_counter_survey(const struct kto_web_request *r, struct kto_web_page *p,
                  const char *name)
{
	char nl1[512], en1[512];
	const char *nl[] = { nl1, NULL };
	const char *en[] = { en1, NULL };

	snprintf(nl1, sizeof nl1, "Gemeente %s houdt op dit moment geen onderzoek "
	    "onder bezoekers van de balie. Bedankt voor uw belangstelling.", name);
	snprintf(en1, sizeof en1, "The municipality of %s is not running a survey "
	    "of counter visitors at the moment. Thank you for your interest.", name);
	web_simple_page(p, r, 404, "Geen onderzoek / No survey", "Er loopt nu geen "
	    "onderzoek", nl, "No survey at the moment", en);
}

static void
too_many(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Vanaf dit netwerk zijn kort na elkaar "
	    "veel vragenlijsten begonnen. Probeer het over tien minuten opnieuw.",
	    NULL };
	static const char *const en[] = { "Many questionnaires were started from "
	    "this network in a short time. Please try again in ten minutes.", NULL };

	web_simple_page(p, r, 429, "Even geduld / Please wait", "Even geduld", nl,
	    "Please wait", en);
}

static void
cookies_needed(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Uw browser bewaart geen cookies. Deze "
	    "vragenlijst heeft er één nodig om uw antwoorden bij elkaar te houden; "
	    "hij wordt na een dag gewist en dient nergens anders voor.", NULL };
	static const char *const en[] = { "Your browser does not keep cookies. "
	    "This questionnaire needs one to keep your answers together; it is "
	    "deleted after a day and serves no other purpose.", NULL };

	web_simple_page(p, r, 400, "Cookie nodig / Cookie needed", "Een cookie is "
	    "nodig", nl, "A cookie is needed", en);
}

void
web_open_link(const struct kto_web_request *r, struct kto_web_page *p,
              const char *rest)
{
	struct qform f = { .r = r, .p = p };
	const char *slash = strchr(rest, '/');
	size_t code_len = slash ? (size_t)(slash - rest) : strlen(rest);
	char code[17], desk[33] = "", session[KTO_TOKEN_CHARS + 1];
	enum kto_rc rc;

	if (!word_ok(rest, code_len, 16, "") ||
	    (slash != NULL && !word_ok(slash + 1, strlen(slash + 1), 32, "-_"))) {
		web_not_found(r, p);
		return;
	}
	snprintf(code, sizeof code, "%.*s", (int)code_len, rest);
	if (slash != NULL)
		snprintf(desk, sizeof desk, "%s", slash + 1);
	/* One browser session, one response: its cookie keys the response. */
	if (r->session != NULL && kto_token_wellformed(r->session)) {
		snprintf(session, sizeof session, "%s", r->session);
	} else if (strcmp(r->method, "POST") == 0) {
		cookies_needed(r, p);
		return;
	} else if (!web_rate_allow(r->client_ip, (int64_t)time(NULL),
	    OPEN_LINK_LIMIT, OPEN_LINK_WINDOW)) {
		too_many(r, p);
		return;
	} else if (kto_token_new(session) != KTO_OK) {
		web_unavailable(r, p);
		return;
	} else {
		snprintf(p->set_cookie, sizeof p->set_cookie, "kto_session=%s; "
		    "Path=/c/; Max-Age=86400; HttpOnly; SameSite=Lax", session);
	}
	kto_db_read_begin(r->db);
	rc = kto_respondent_open_link(r->db, code, desk, session, &f.who);
	if (rc == KTO_ENOTFOUND)
		web_not_found(r, p);
	else if (rc == KTO_ESTATE)
		no_counter_survey(r, p, f.who.inv.municipality_name);
	else if (rc != KTO_OK)
		web_unavailable(r, p);
	else {
		snprintf(f.self, sizeof f.self, "/c/%s", rest);
		serve(&f);
	}
	kto_db_read_end(r->db);
}
