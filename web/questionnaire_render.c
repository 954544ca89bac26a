/*
** web/questionnaire_render: the HTML of the questionnaire's pages.  Every
** question is a fieldset whose legend is its text; help and error are
** tied to it with aria-describedby; text goes through web/html.
*/
#include <stdio.h>
#include <string.h>

#include "web/html.h"
#include "web/questionnaire_int.h"

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
	/* Decorative: the name beside it says whose it is (alt=""). */
	if (f->town.has_logo) {
		kto_buf_adds(b, "<img src=\"/logo/");
		kto_html_attr(b, f->town.code);
		kto_buf_adds(b, "\" alt=\"\" height=\"40\" class=\"logo\"> ");
	}
	kto_html_text(b, q_ui(f, "Gemeente ", "Municipality of "));
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
	kto_html_text(b, q_ui(f, "Privacyverklaring van gemeente ", "Privacy statement "
	    "of the municipality of "));
	kto_html_text(b, f->who.inv.municipality_name);
	kto_buf_adds(b, "</a></p></footer>\n");
}

/* ---------------------------------------------------------------------- */
/* Pages other than the questions                                          */

void
q_link_not_valid(const struct kto_web_request *r, struct kto_web_page *p)
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

void
q_closed(struct qform *f)
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

/* The citizen unsubscribed from the mail of this invitation: no survey. */
void
q_opted_out(struct qform *f)
{
	static const char *const nl[] = { "U heeft zich afgemeld voor de "
	    "uitnodigingen van dit onderzoek. Daarom is deze vragenlijst voor u "
	    "gesloten, en staan er geen antwoorden van u in.", "Bedankt voor het "
	    "laten weten.", NULL };
	static const char *const en[] = { "You unsubscribed from the invitations "
	    "of this survey. This questionnaire is therefore closed for you, and "
	    "holds no answers of yours.", "Thank you for letting us know.", NULL };

	web_simple_page(f->p, f->r, 410, "Afgemeld / Unsubscribed", "U bent "
	    "afgemeld", nl, "You have unsubscribed", en);
}

void
q_thanks(struct qform *f)
{
	struct kto_web_page *p = f->p;

	web_page_begin(p, q_ui(f, "Bedankt", "Thank you"), f->en ? "en" : "nl");
	brand_header(f, false);
	kto_buf_adds(&p->body, "<h1>");
	kto_html_text(&p->body, q_ui(f, "Bedankt!", "Thank you!"));
	kto_buf_adds(&p->body, "</h1>\n");
	paragraphs(&p->body, f->r->arena, f->s->thanks.nl != NULL ?
	    q_tx(f, &f->s->thanks) : q_ui(f, "Uw antwoorden zijn ontvangen.",
	    "Your answers have been received."));
	kto_buf_adds(&p->body, "<p>");
	/* Also what a second visit finds (HARDENING T3): no answers shown. */
	kto_html_text(&p->body, q_ui(f, "Deze vragenlijst is ingevuld; de "
	    "antwoorden kunnen niet meer worden gewijzigd. U kunt dit venster nu "
	    "sluiten.", "This questionnaire has been completed; the answers can no "
	    "longer be changed. You can close this window now."));
	kto_buf_adds(&p->body, "</p>\n");
	privacy_footer(f);
	web_page_end(p);
}

void
q_bad_form(struct qform *f, const struct forged *why)
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
	/* Plain appends, not kto_buf_addf: a page has dozens of these and
	 * formatting them was a measurable share of a GET (bench/web.sh). */
	kto_buf_adds(b, "<label class=\"opt\"><input type=\"");
	kto_buf_adds(b, type);
	kto_buf_adds(b, "\" name=\"q.");
	kto_html_attr(b, q->id);
	kto_buf_adds(b, "\" value=\"");
	kto_html_attr(b, value);
	kto_buf_adds(b, checked ? "\" checked> " : "\"> ");
	kto_html_text(b, label);
	kto_buf_adds(b, "</label>\n");
}

bool
q_code_chosen(const struct kto_answer *a, const char *code)
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
	const char *label = q->dont_know_label.nl != NULL ? q_tx(f, &q->dont_know_label)
	    : q_ui(f, "Weet niet / niet van toepassing", "Don't know / not applicable");
	bool dk = f->ans[q->index].state == KTO_ANSWER_DONT_KNOW;

	if (strcmp(type, "radio") == 0) {
		choice_input(b, q, "radio", "dk", label, dk);
		return;
	}
	kto_buf_adds(b, "<label class=\"opt dk\"><input type=\"checkbox\" name=\"dk.");
	kto_html_attr(b, q->id);
	kto_buf_adds(b, dk ? "\" value=\"1\" checked> " : "\" value=\"1\"> ");
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

	kto_buf_adds(b, q->type == KTO_Q_MARK ? "<div class=\"opts marks\">\n"
	    : "<div class=\"opts\">\n");
	if (q->type == KTO_Q_MARK) {
		static const char *const mark[] = { "1", "2", "3", "4", "5",
		    "6", "7", "8", "9", "10" };

		for (int m = 1; m <= 10; m++) {
			const char *v = mark[m - 1];

			choice_input(b, q, "radio", v, v, a->state == KTO_ANSWER_VALUE &&
			    (int)a->num == m);
		}
	} else if (q->type == KTO_Q_YESNO) {
		choice_input(b, q, "radio", "yes", q_ui(f, "Ja", "Yes"), q_code_chosen(a, "yes"));
		choice_input(b, q, "radio", "no", q_ui(f, "Nee", "No"), q_code_chosen(a, "no"));
	} else {
		for (size_t i = 0; i < q->n_options; i++) {
			const struct kto_option *o = &q->options[i];
			bool on = q->type == KTO_Q_SCALE ? a->state == KTO_ANSWER_VALUE &&
			    (size_t)a->num == i + 1 : q_code_chosen(a, o->code);

			choice_input(b, q, type, o->code, q_tx(f, &o->label), on);
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
			kto_html_text(b, q_tx(f, &q->unit));
			kto_buf_adds(b, "</span>");
		}
		kto_buf_adds(b, "\n");
	}
	if (q->dont_know)
		dont_know_input(f, q, "checkbox");
}

bool
q_has_options(const struct kto_question *q)
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
	kto_buf_adds(b, err != NULL ? " class=\"invalid\">\n<legend>" : ">\n<legend>");
	if (q_has_options(q)) {
		kto_html_text(b, q_tx(f, &q->text));
	} else {
		attr_id(b, "<label for=\"i-", q);
		kto_buf_adds(b, "\">");
		kto_html_text(b, q_tx(f, &q->text));
		kto_buf_adds(b, "</label>");
	}
	if (!q->required)
		kto_buf_adds(b, q_ui(f, " <span class=\"opt-q\">(niet verplicht)</span>",
		    " <span class=\"opt-q\">(optional)</span>"));
	kto_buf_adds(b, "</legend>\n");
	if (q->help.nl != NULL) {
		attr_id(b, "<p class=\"help\" id=\"h-", q);
		kto_buf_adds(b, "\">");
		kto_html_text(b, q_tx(f, &q->help));
		kto_buf_adds(b, "</p>\n");
	}
	if (err != NULL) {
		attr_id(b, "<p class=\"error\" id=\"e-", q);
		kto_buf_adds(b, "\">");
		kto_html_text(b, err);
		kto_buf_adds(b, "</p>\n");
	}
	if (q_has_options(q))
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
	kto_html_text(b, f->n_errors == 1 ? q_ui(f, "Eén antwoord is nog niet goed",
	    "One answer needs attention") : q_ui(f, "Enkele antwoorden zijn nog niet "
	    "goed", "Some answers need attention"));
	kto_buf_adds(b, "</h2>\n<ul>\n");
	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++) {
		const struct kto_question *q = &f->s->questions[i];

		if (f->error[i] == NULL)
			continue;
		attr_id(b, "<li><a href=\"#q-", q);
		kto_buf_adds(b, "\">");
		kto_html_text(b, q_tx(f, &q->text));
		kto_buf_adds(b, ": ");
		kto_html_text(b, f->error[i]);
		kto_buf_adds(b, "</a></li>\n");
	}
	kto_buf_adds(b, "</ul>\n</div>\n");
}

/*
** The answers of this page could not be saved just now (the database was
** busy or full).  They are in the form below as they were typed: the
** citizen loses nothing by pressing the button again in a while.
*/
static void
not_saved_notice(struct qform *f)
{
	struct kto_buf *b = &f->p->body;

	kto_buf_adds(b, "<div class=\"summary\" role=\"alert\" tabindex=\"-1\" "
	    "id=\"errors\">\n<h2>");
	kto_html_text(b, q_ui(f, "Probeer het later opnieuw", "Please try again later"));
	kto_buf_adds(b, "</h2>\n<p>");
	kto_html_text(b, q_ui(f, "Uw antwoorden konden op dit moment niet worden "
	    "opgeslagen. Ze staan hieronder nog ingevuld: druk over een paar minuten "
	    "opnieuw op de knop.", "Your answers could not be saved just now. They "
	    "are still filled in below: please press the button again in a few "
	    "minutes."));
	kto_buf_adds(b, "</p>\n</div>\n");
}

/* "Vraag 2 van 4": counted over the pages shown. */
static void
progress(struct qform *f)
{
	struct kto_buf *b = &f->p->body;
	size_t shown = 0, at = 0;

	for (size_t i = 0; i < f->s->n_pages; i++)
		if (q_page_shown(f, i)) {
			shown++;
			if (i <= f->page)
				at = shown;
		}
	kto_buf_adds(b, "<p class=\"progress\">");
	kto_buf_adds(b, q_ui(f, "Stap ", "Step "));
	kto_buf_addu(b, at);
	kto_buf_adds(b, q_ui(f, " van ", " of "));
	kto_buf_addu(b, shown);
	kto_buf_adds(b, " <progress max=\"");
	kto_buf_addu(b, shown);
	kto_buf_adds(b, "\" value=\"");
	kto_buf_addu(b, at);
	kto_buf_adds(b, "\"></progress></p>\n");
}

void
q_render(struct qform *f)
{
	struct kto_web_page *p = f->p;
	struct kto_buf *b = &p->body;
	const struct kto_page *pg = &f->s->pages[f->page];
	bool last = q_next_shown(f, f->page + 1) == f->s->n_pages;
	char title[512];

	snprintf(title, sizeof title, "%s%s - %s - %s %s", f->not_saved ?
	    q_ui(f, "Niet opgeslagen: ", "Not saved: ") : f->n_errors ?
	    q_ui(f, "Fout: ", "Error: ") : "", pg->title.nl ? q_tx(f, &pg->title) :
	    q_tx(f, &f->s->title), q_tx(f, &f->s->title), q_ui(f, "gemeente",
	    "municipality of"), f->who.inv.municipality_name);
	web_page_begin(p, title, f->en ? "en" : "nl");
	brand_header(f, true);
	progress(f);
	if (f->not_saved)
		not_saved_notice(f);
	else if (f->n_errors > 0)
		error_summary(f);
	kto_buf_adds(b, "<h1>");
	kto_html_text(b, pg->title.nl ? q_tx(f, &pg->title) : q_tx(f, &f->s->title));
	kto_buf_adds(b, "</h1>\n");
	if (f->page == q_next_shown(f, 0) && f->s->intro.nl != NULL)
		paragraphs(b, f->r->arena, q_tx(f, &f->s->intro));
	if (pg->intro.nl != NULL)
		paragraphs(b, f->r->arena, q_tx(f, &pg->intro));
	kto_buf_adds(b, "<form method=\"post\" novalidate action=\"");
	kto_html_attr(b, f->self);
	kto_buf_adds(b, f->en ? "?lang=en" : "");
	kto_buf_adds(b, "\">\n<input type=\"hidden\" name=\"page\" value=\"");
	kto_buf_addu(b, f->page);
	kto_buf_adds(b, "\">\n");
	for (size_t i = pg->first_question; i < pg->first_question + pg->n_questions; i++)
		if (q_question_shown(f, &f->s->questions[i]))
			question(f, &f->s->questions[i]);
	/* "next" first: Enter in a field submits with the first button. */
	kto_buf_adds(b, "<div class=\"nav\">\n<button type=\"submit\" name=\"action\" "
	    "value=\"next\" class=\"primary\">");
	kto_buf_adds(b, last ? q_ui(f, "Versturen", "Send") : q_ui(f, "Volgende", "Next"));
	kto_buf_adds(b, "</button>\n");
	if (q_prev_shown(f, f->page) != SIZE_MAX) {
		kto_buf_adds(b, "<button type=\"submit\" name=\"action\" value=\"back\">");
		kto_buf_adds(b, q_ui(f, "Vorige", "Back"));
		kto_buf_adds(b, "</button>\n");
	}
	kto_buf_adds(b, "</div>\n</form>\n");
	privacy_footer(f);
	web_page_end(p);
	if (f->not_saved) {
		p->status = 503;
		p->retry_after = WEB_RETRY_AFTER_SECONDS;
	} else if (f->n_errors > 0) {
		p->status = 422;
	}
}

