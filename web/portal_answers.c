/*
** The open answers in the portal: what citizens wrote, with personal data
** masked (engine/mask: BSN, e-mail, phone numbers, IBAN, addresses) before
** it reaches the page, searchable and in pages of 50.  The search runs
** over the masked text, so a masked address can never be found by typing
** it.
*/
#include "web/portal_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strparse.h"
#include "engine/mask.h"
#include "engine/municipality.h"
#include "engine/open_answers.h"
#include "report/wording.h"
#include "web/html.h"

#define PER_PAGE 50
#define QUERY_MAX 100

struct listing {
	struct portal *pt;
	const char *query;           /* NULL or "": everything */
	int64_t first, shown, matched;
	struct kto_buf masked;
	enum kto_rc rc;
};

/* Case-insensitive search for ASCII letters; other bytes as they are. */
static bool
contains(const char *text, const char *query)
{
	size_t n = strlen(query);

	for (; *text; text++)
		if (strncasecmp(text, query, n) == 0)
			return true;
	return n == 0;
}

static enum kto_rc
answer_row(void *ctx, const struct kto_open_answer *a)
{
	struct listing *l = ctx;
	struct kto_buf *b = &l->pt->p->body;
	enum kto_rc rc;

	kto_buf_reset(&l->masked);
	/* An answer the masking could not finish (a pathological text) is
	 * never shown unmasked: a placeholder stands in for it. */
	if ((rc = kto_mask_text(a->text, &l->masked, NULL)) == KTO_ELIMIT)
		rc = kto_buf_adds(&l->masked, nl_en(l->pt, "[antwoord niet te tonen]",
		    "[answer not shown]"));
	if (rc != KTO_OK)
		return rc;
	if (l->query && *l->query && !contains(kto_buf_str(&l->masked), l->query))
		return KTO_OK;
	if (l->matched++ < l->first || l->shown == PER_PAGE)
		return KTO_OK;
	l->shown++;
	kto_buf_addf(b, "<tr><td>%s</td><td>", a->completed);
	kto_html_text(b, kto_phrase_channel(l->pt->lang, a->channel));
	kto_buf_adds(b, "</td><td>");
	kto_html_text(b, a->question_text ? a->question_text : a->question);
	kto_buf_adds(b, "</td><td>");
	kto_html_text(b, kto_buf_str(&l->masked));
	kto_buf_adds(b, "</td></tr>\n");
	return KTO_OK;
}

static void
search_form(struct portal *pt, const char *code, int year, const char *query)
{
	struct kto_buf *b = &pt->p->body;

	kto_buf_adds(b, "<form method=\"get\" action=\"/portal/m/");
	kto_html_attr(b, code);
	kto_buf_addf(b, "/answers\"><input type=\"hidden\" name=\"year\" value=\"%d\">"
	    "<label class=\"field\" for=\"q\">%s</label>\n"
	    "<input type=\"text\" id=\"q\" name=\"q\" maxlength=\"%d\" value=\"", year,
	    nl_en(pt, "Zoeken in de antwoorden", "Search the answers"), QUERY_MAX);
	kto_html_attr(b, query ? query : "");
	kto_buf_addf(b, "\">\n<p><button type=\"submit\">%s</button></p>\n</form>\n",
	    nl_en(pt, "Zoeken", "Search"));
}

static void
page_links(struct portal *pt, const char *code, int year, const char *query,
           int64_t page, int64_t matched)
{
	struct kto_buf *b = &pt->p->body;
	int64_t pages = (matched + PER_PAGE - 1) / PER_PAGE;

	if (pages <= 1)
		return;
	kto_buf_addf(b, "<nav aria-label=\"%s\"><p>%s %lld %s %lld. ",
	    nl_en(pt, "Pagina's", "Pages"), nl_en(pt, "Pagina", "Page"), (long long)page,
	    nl_en(pt, "van", "of"), (long long)pages);
	for (int64_t p = page - 1; p <= page + 1; p += 2) {
		if (p < 1 || p > pages)
			continue;
		kto_buf_adds(b, "<a href=\"/portal/m/");
		kto_html_attr(b, code);
		kto_buf_addf(b, "/answers?year=%d&amp;page=%lld&amp;q=", year, (long long)p);
		portal_url_arg(b, query ? query : "");
		kto_buf_addf(b, "\">%s</a>%s", p < page ? nl_en(pt, "Vorige", "Previous") :
		    nl_en(pt, "Volgende", "Next"), p < page ? " " : "");
	}
	kto_buf_adds(b, "</p></nav>\n");
}

void
portal_answers(struct portal *pt, const char *code)
{
	const struct kto_web_request *r = pt->r;
	const char *y = r->arg ? r->arg(r, "year") : NULL;
	const char *q = r->arg ? r->arg(r, "q") : NULL;
	const char *pg = r->arg ? r->arg(r, "page") : NULL;
	struct kto_municipality m;
	struct listing l;
	int64_t year = 0, page = 1;
	char title[256];

	if (kto_municipality_find(r->db, code, &m) != KTO_OK) {
		portal_message(pt, 404, nl_en(pt, "Niet gevonden", "Not found"),
		    nl_en(pt, "Deze gemeente bestaat niet.", "This municipality does not exist."));
		return;
	}
	if (y == NULL || kto_parse_i64(y, 1000, 9999, &year) != KTO_OK ||
	    (pg != NULL && kto_parse_i64(pg, 1, 1000000, &page) != KTO_OK) ||
	    (q != NULL && strlen(q) > QUERY_MAX)) {
		portal_message(pt, 400, nl_en(pt, "Ongeldige zoekvraag", "Invalid search"),
		    nl_en(pt, "Kies een jaar en een zoekterm van hooguit 100 tekens.",
		    "Choose a year and a search term of at most 100 characters."));
		return;
	}
	memset(&l, 0, sizeof l);
	l.pt = pt;
	l.query = q;
	l.first = (page - 1) * PER_PAGE;
	kto_buf_init(&l.masked, 1 << 20);
	snprintf(title, sizeof title, "%s %lld - %s", nl_en(pt, "Open antwoorden",
	    "Open answers"), (long long)year, m.name);
	portal_begin(pt, title);
	kto_buf_addf(&pt->p->body, "<h1>%s %lld: ", nl_en(pt, "Open antwoorden",
	    "Open answers"), (long long)year);
	kto_html_text(&pt->p->body, m.name);
	kto_buf_adds(&pt->p->body, nl_en(pt, "</h1>\n<p class=\"note\">Persoonsgegevens "
	    "(BSN, e-mailadressen, telefoonnummers, IBAN, adressen) zijn onherkenbaar "
	    "gemaakt voordat de antwoorden hier verschijnen.</p>\n", "</h1>\n<p "
	    "class=\"note\">Personal data (citizen service numbers, e-mail addresses, "
	    "phone numbers, IBANs, addresses) are masked before the answers appear "
	    "here.</p>\n"));
	search_form(pt, m.code, (int)year, q);
	kto_buf_adds(&pt->p->body, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" "
	    "aria-labelledby=\"answers-caption\"><table>\n<caption id=\"answers-caption\">");
	kto_buf_adds(&pt->p->body, nl_en(pt, "Antwoorden, nieuwste eerst</caption>\n"
	    "<thead><tr><th scope=\"col\">Datum</th><th scope=\"col\">Kanaal</th><th "
	    "scope=\"col\">Vraag</th><th scope=\"col\">Antwoord</th></tr></thead>\n"
	    "<tbody>\n", "Answers, newest first</caption>\n<thead><tr><th scope=\"col\">"
	    "Date</th><th scope=\"col\">Channel</th><th scope=\"col\">Question</th><th "
	    "scope=\"col\">Answer</th></tr></thead>\n<tbody>\n"));
	l.rc = kto_open_answers(r->db, m.code, (int)year, answer_row, &l);
	kto_buf_adds(&pt->p->body, "</tbody>\n</table></div>\n");
	kto_buf_addf(&pt->p->body, "<p role=\"status\">%lld %s%s.</p>\n",
	    (long long)l.matched, l.matched == 1 ? nl_en(pt, "antwoord", "answer") :
	    nl_en(pt, "antwoorden", "answers"), q && *q ? nl_en(pt, " gevonden", " found") : "");
	page_links(pt, m.code, (int)year, q, page, l.matched);
	portal_end(pt);
	kto_buf_release(&l.masked);
	if (l.rc != KTO_OK) {
		kto_buf_reset(&pt->p->body);
		web_unavailable(r, pt->p);
	}
}
