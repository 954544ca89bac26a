/*
** web/pages: the route table and the pages.  Texts are Dutch first, with
** English below or (with ?lang=en) first.
*/
#include "web/pages.h"

#include <stdio.h>
#include <string.h>

#include "engine/blocklist.h"
#include "engine/invitation.h"
#include "engine/municipality.h"
#include "web/html.h"
#include "web/pages_int.h"

#define PAGE_MAX (256 * 1024)

void
kto_web_page_init(struct kto_web_page *p)
{
	p->status = 200;
	p->content_type = "text/html; charset=utf-8";
	p->allow = NULL;
	p->location[0] = '\0';
	p->set_cookie[0] = '\0';
	p->alert[0] = '\0';
	p->cache_control = NULL;
	p->retry_after = 0;
	kto_buf_init(&p->body, PAGE_MAX);
}

void
kto_web_page_release(struct kto_web_page *p)
{
	kto_buf_release(&p->body);
}

/* ---------------------------------------------------------------------- */
/* Page frame                                                              */

void
web_page_begin(struct kto_web_page *p, const char *title, const char *lang)
{
	web_page_begin_css(p, title, lang, NULL);
}

void
web_page_begin_css(struct kto_web_page *p, const char *title, const char *lang,
                   const char *extra_css)
{
	/* Room for a whole questionnaire page at once (they stay under
	 * 20 KB); failure here only means growing later. */
	kto_buf_reserve(&p->body, 8192);
	kto_buf_adds(&p->body, "<!DOCTYPE html>\n<html lang=\"");
	kto_buf_adds(&p->body, lang);
	kto_buf_adds(&p->body, "\">\n<head>\n<meta charset=\"utf-8\">\n<meta "
	    "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>");
	kto_html_text(&p->body, title);
	/*
	** One small style sheet for every page: large touch targets, visible
	** focus, contrast of at least 7:1 for text, and a single column that
	** reflows at 320 px and at 200 % zoom.
	*/
	kto_buf_adds(&p->body, "</title>\n<style>body{font-family:sans-serif;"
	    "max-width:36em;margin:1em auto;padding:0 1em;line-height:1.5;"
	    "color:#1a1a1a;background:#fff}"
	    "button{font:inherit;font-size:1.1em;padding:.6em 1.2em;"
	    "border:2px solid #1a1a1a;background:#fff;color:#1a1a1a;"
	    "border-radius:4px;margin:.3em .5em .3em 0}"
	    "button.primary{background:#1a1a1a;color:#fff}"
	    ":focus{outline:3px solid #0b57d0;outline-offset:2px}"
	    "a{color:#0b4fb3}"
	    ".brand{color:#fff;padding:.4em .8em;border-radius:4px}"
	    ".brand a{color:#fff}.brand a:focus{outline-color:#fff}"
	    "footer{margin-top:2em;font-size:.9em}"
	    "img.logo{vertical-align:middle;max-width:40%;height:auto;max-height:40px}"
	    "fieldset{border:0;padding:0;margin:0 0 1.6em}"
	    "legend{font-weight:bold;padding:0;margin-bottom:.4em}"
	    "label.opt{display:block;padding:.45em 0}"
	    ".marks{display:flex;flex-wrap:wrap;gap:.2em .4em}"
	    ".marks label.opt{display:inline-block;min-width:2.6em}"
	    "input[type=radio],input[type=checkbox]{width:1.3em;height:1.3em;"
	    "vertical-align:middle;margin-right:.4em}"
	    "input[type=text],input[type=date],textarea{font:inherit;width:100%;"
	    "max-width:30em;box-sizing:border-box;padding:.4em;"
	    "border:2px solid #555;border-radius:4px}"
	    ".help,.opt-q{color:#444;font-weight:normal}"
	    ".error{color:#a00000;font-weight:bold}"
	    ".invalid input,.invalid textarea{border-color:#a00000}"
	    ".summary{border:3px solid #a00000;padding:.5em 1em;margin:1em 0}"
	    "progress{width:8em;vertical-align:middle}"
	    "section+section{border-top:1px solid #999;margin-top:2em}");
	if (extra_css != NULL)
		kto_buf_adds(&p->body, extra_css);
	kto_buf_adds(&p->body, "</style>\n</head>\n<body>\n<main>\n");
}

void
web_page_end(struct kto_web_page *p)
{
	kto_buf_adds(&p->body, "</main>\n</body>\n</html>\n");
}

/* A section of text in one language: a heading and paragraphs. */
static void
section(struct kto_web_page *p, const char *lang, const char *heading,
        const char *const *paragraphs)
{
	kto_buf_addf(&p->body, "<section lang=\"%s\">\n<h1>", lang);
	kto_html_text(&p->body, heading);
	kto_buf_adds(&p->body, "</h1>\n");
	for (int i = 0; paragraphs[i] != NULL; i++) {
		kto_buf_adds(&p->body, "<p>");
		kto_html_text(&p->body, paragraphs[i]);
		kto_buf_adds(&p->body, "</p>\n");
	}
}

static void
section_end(struct kto_web_page *p)
{
	kto_buf_adds(&p->body, "</section>\n");
}

bool
web_english_first(const struct kto_web_request *r)
{
	return r->lang != NULL && strcmp(r->lang, "en") == 0;
}

/* A page with the same message in Dutch and English. */
void
web_simple_page(struct kto_web_page *p, const struct kto_web_request *r, unsigned status,
            const char *title, const char *nl_head, const char *const *nl,
            const char *en_head, const char *const *en)
{
	bool en_first = web_english_first(r);

	p->status = status;
	web_page_begin(p, title, en_first ? "en" : "nl");
	section(p, en_first ? "en" : "nl", en_first ? en_head : nl_head,
	    en_first ? en : nl);
	section_end(p);
	section(p, en_first ? "nl" : "en", en_first ? nl_head : en_head,
	    en_first ? nl : en);
	section_end(p);
	web_page_end(p);
}

/* ---------------------------------------------------------------------- */
/* Error pages                                                             */

void
web_not_found(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Controleer of u de link uit uw e-mail "
	    "helemaal hebt overgenomen.", NULL };
	static const char *const en[] = { "Please check that you copied the "
	    "whole link from your e-mail.", NULL };

	web_simple_page(p, r, 404, "Niet gevonden / Not found", "Deze pagina bestaat "
	    "niet", nl, "This page does not exist", en);
}

void
web_unavailable(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Er gaat op dit moment iets mis aan onze "
	    "kant. Probeer het later opnieuw.", NULL };
	static const char *const en[] = { "Something is wrong on our side at the "
	    "moment. Please try again later.", NULL };

	web_simple_page(p, r, 503, "Probeer het later opnieuw / Please try again later",
	    "Probeer het later opnieuw", nl, "Please try again later", en);
	p->retry_after = WEB_RETRY_AFTER_SECONDS;
}

static void
method_not_allowed(const struct kto_web_request *r, struct kto_web_page *p,
                   const char *allow)
{
	static const char *const nl[] = { "Deze pagina kan zo niet worden "
	    "gebruikt.", NULL };
	static const char *const en[] = { "This page cannot be used this way.", NULL };

	web_simple_page(p, r, 405, "Niet toegestaan / Not allowed", "Niet toegestaan",
	    nl, "Not allowed", en);
	p->allow = allow;
}

/* ---------------------------------------------------------------------- */
/* /healthz                                                                */

static void
healthz(const struct kto_web_request *r, struct kto_web_page *p, const char *arg)
{
	(void)arg;
	p->content_type = "text/plain; charset=utf-8";
	if (r->db == NULL) {
		p->status = 503;
		kto_buf_adds(&p->body, "database web_unavailable\n");
		return;
	}
	kto_buf_adds(&p->body, "ok\n");
}

/* ---------------------------------------------------------------------- */
/* /o/TOKEN: opting out                                                    */

/*
** GET shows what the button does and changes nothing: mail scanners and
** link previews follow links, and must not opt anyone out.  POST (the
** button, or a mail client's one-click request of RFC 8058) records it.
*/
static void
optout_form(const struct kto_web_request *r, struct kto_web_page *p, const char *token)
{
	struct kto_invitation_info inv;
	bool en_first = web_english_first(r);
	char nl1[400], en1[400];
	const char *nl[] = { nl1, "Als u zich afmeldt, ontvangt u geen "
	    "uitnodigingen meer voor klanttevredenheidsonderzoeken, van geen enkele "
	    "gemeente.", NULL };
	const char *en[] = { en1, "If you unsubscribe, you will receive no more "
	    "invitations to customer satisfaction surveys, from any municipality.",
	    NULL };

	if (kto_invitation_find(r->db, token, &inv) != KTO_OK) {
		web_not_found(r, p);
		return;
	}
	snprintf(nl1, sizeof nl1, "U kreeg van gemeente %s een uitnodiging voor "
	    "een kort onderzoek naar uw ervaring met de dienstverlening.",
	    inv.municipality_name);
	snprintf(en1, sizeof en1, "The municipality of %s invited you to a short "
	    "survey about your experience with its services.", inv.municipality_name);
	web_page_begin(p, en_first ? "Unsubscribe" : "Afmelden", en_first ? "en" : "nl");
	for (int k = 0; k < 2; k++) {
		bool en_now = (k == 0) == en_first;

		section(p, en_now ? "en" : "nl", en_now ? "No more invitations?" :
		    "Geen uitnodigingen meer?", en_now ? en : nl);
		kto_buf_adds(&p->body, "<form method=\"post\" action=\"/o/");
		kto_html_attr(&p->body, token);
		kto_buf_adds(&p->body, "\">\n<button type=\"submit\">");
		kto_html_text(&p->body, en_now ? "Unsubscribe" : "Afmelden");
		kto_buf_adds(&p->body, "</button>\n</form>\n");
		section_end(p);
	}
	web_page_end(p);
}

static void
optout_record(const struct kto_web_request *r, struct kto_web_page *p, const char *token)
{
	struct kto_optout_result res;
	enum kto_rc rc = kto_optout_token(r->db, token, "link", &res);
	static const char *const nl[] = { "U bent afgemeld. U ontvangt geen "
	    "uitnodigingen meer voor klanttevredenheidsonderzoeken.", "Bedankt voor "
	    "het laten weten.", NULL };
	static const char *const en[] = { "You have been unsubscribed. You will "
	    "receive no more invitations to customer satisfaction surveys.",
	    "Thank you for letting us know.", NULL };

	if (rc == KTO_ENOTFOUND) {
		web_not_found(r, p);
		return;
	}
	if (rc != KTO_OK) {
		web_unavailable(r, p);
		return;
	}
	web_simple_page(p, r, 200, "Afgemeld / Unsubscribed", "U bent afgemeld", nl,
	    "You have been unsubscribed", en);
}

static void
optout(const struct kto_web_request *r, struct kto_web_page *p, const char *token)
{
	if (strcmp(r->method, "POST") == 0)
		optout_record(r, p, token);
	else
		optout_form(r, p, token);
}

/* ---------------------------------------------------------------------- */
/* /logo/CODE: a municipality's logo                                       */

static void
logo(const struct kto_web_request *r, struct kto_web_page *p, const char *code)
{
	enum kto_rc rc = strlen(code) > 16 ? KTO_ENOTFOUND
	    : kto_municipality_logo(r->db, code, &p->body);

	if (rc != KTO_OK) {
		kto_buf_reset(&p->body);
		if (rc == KTO_ENOTFOUND)
			web_not_found(r, p);
		else
			web_unavailable(r, p);   /* the database, not the address */
		return;
	}
	p->content_type = "image/png";
	p->cache_control = "public, max-age=3600";
}

/* ---------------------------------------------------------------------- */
/* The routes                                                              */

/* "/portal" and "/portal/...", not "/portalx". */
static void
portal_route(const struct kto_web_request *r, struct kto_web_page *p, const char *rest)
{
	if (*rest != '\0' && *rest != '/')
		web_not_found(r, p);
	else
		web_portal(r, p, rest);
}

struct route {
	const char *prefix;          /* the path, or its start when exact is false */
	bool exact;
	const char *allow;           /* the methods, for 405 */
	bool needs_db;
	void (*handle)(const struct kto_web_request *r, struct kto_web_page *p,
	               const char *rest);
};

static const struct route routes[] = {
	{ "/healthz", true, "GET, HEAD", false, healthz },
	{ "/o/", false, "GET, HEAD, POST", true, optout },
	{ "/s/", false, "GET, HEAD, POST", true, web_questionnaire },
	{ "/c/", false, "GET, HEAD, POST", true, web_open_link },
	{ "/logo/", false, "GET, HEAD", true, logo },
	{ "/portal", false, "GET, HEAD, POST", true, portal_route },
	{ "/api/v1/", false, "GET, POST", true, web_api },
	{ NULL, false, NULL, false, NULL }
};

static bool
method_allowed(const char *allow, const char *method)
{
	size_t n = strlen(method);
	const char *p = allow;

	while ((p = strstr(p, method)) != NULL) {
		if ((p == allow || p[-2] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

/* A request target or framing that cannot be read one way only. */
static void
bad_request(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Het adres of het verzoek is "
	    "beschadigd. Controleer of u de link helemaal hebt overgenomen.", NULL };
	static const char *const en[] = { "The address or the request is "
	    "damaged. Please check that you copied the whole link.", NULL };

	web_simple_page(p, r, 400, "Ongeldig verzoek / Bad request",
	    "Ongeldig verzoek", nl, "Bad request", en);
}

void
kto_web_route(const struct kto_web_request *r, struct kto_web_page *p)
{
	if (r->malformed) {
		bad_request(r, p);
		return;
	}
	for (const struct route *rt = routes; rt->prefix != NULL; rt++) {
		size_t n = strlen(rt->prefix);
		const char *rest;

		if (rt->exact ? strcmp(r->path, rt->prefix) != 0
		    : strncmp(r->path, rt->prefix, n) != 0)
			continue;
		rest = r->path + n;
		if (!method_allowed(rt->allow, r->method)) {
			method_not_allowed(r, p, rt->allow);
			return;
		}
		if (r->body_too_large) {
			web_simple_page(p, r, 413, "Te groot / Too large", "Te groot",
			    (const char *const[]){ "Dit verzoek is te groot.", NULL },
			    "Too large", (const char *const[]){ "This request is too "
			    "large.", NULL });
			return;
		}
		if (rt->needs_db && r->db == NULL) {
			web_unavailable(r, p);
			return;
		}
		rt->handle(r, p, rest);
		return;
	}
	web_not_found(r, p);
}
