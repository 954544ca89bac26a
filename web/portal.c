/*
** The municipalities' portal: /portal/...  Dutch, for municipal staff and
** the benchmark team.  This file holds sign-in, who may see what, and the
** route table; the pages are in portal_pages.c and portal_results.c.
**
** Authorization lives in one place, portal_allowed(): the municipality a
** page is about comes from the URL, and is checked against the session's
** account -- a manager or viewer only ever reaches their own; the team
** reaches every one.  Every POST must carry the session's CSRF token and,
** when the browser sends one, an Origin of this host.
*/
#include "web/portal_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/db.h"
#include "web/html.h"
#include "web/ratelimit.h"

/* Sign-in attempts per address: enough for typos, not for guessing. */
static struct web_rate sign_in_rate = WEB_RATE_INIT(10, 300);

const char *
web_field(const struct kto_web_request *r, const char *name)
{
	for (size_t i = 0; i < r->n_fields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return r->fields[i].value;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Page frame                                                          */

#define PORTAL_CSS "body{max-width:64em}" \
	"table{border-collapse:collapse;margin:1em 0}caption{text-align:left}" \
	"th,td{padding:.35em .7em;border-bottom:1px solid #999;text-align:left;" \
	"vertical-align:top}" \
	"td.num,th.num{text-align:right}" \
	"nav.portal{display:flex;flex-wrap:wrap;gap:1em;align-items:center;" \
	"border-bottom:2px solid #1a1a1a;padding:.5em 0;margin-bottom:1em}" \
	"nav.portal form{margin:0 0 0 auto}" \
	".up{font-weight:bold}.down{font-weight:bold}" \
	".note{color:#444}" \
	"label.field{display:block;margin:.8em 0 .2em;font-weight:bold}" \
	"input[type=email],input[type=password],input[type=number],select{font:inherit;" \
	"padding:.4em;border:2px solid #555;border-radius:4px;max-width:30em;width:100%;" \
	"box-sizing:border-box}" \
	"fieldset.action{border:1px solid #999;padding:.5em 1em;margin:1em 0}" \
	".scroll{overflow-x:auto;margin:1em 0}.scroll table{margin:0}" \
	"svg{max-width:40rem;width:100%;height:auto;display:block}"

void
portal_begin(struct portal *pt, const char *title)
{
	char full[256];

	snprintf(full, sizeof full, "%s - KTO-portaal", title);
	web_page_begin_css(pt->p, full, "nl", PORTAL_CSS);
	if (!pt->signed_in)
		return;
	kto_buf_adds(&pt->p->body, "<nav class=\"portal\" aria-label=\"Portaal\">"
	    "<a href=\"/portal\">Overzicht</a><span>");
	kto_html_text(&pt->p->body, pt->s.account.email);
	kto_buf_adds(&pt->p->body, " (");
	kto_html_text(&pt->p->body, pt->s.account.role == KTO_ROLE_TEAM ? "team" :
	    pt->s.account.role == KTO_ROLE_MANAGER ? "beheerder" : "lezer");
	kto_buf_adds(&pt->p->body, ")</span><form method=\"post\" action=\"/portal/logout\">");
	portal_csrf_field(pt);
	kto_buf_adds(&pt->p->body, "<button type=\"submit\">Afmelden</button></form></nav>\n");
}

void
portal_end(struct portal *pt)
{
	web_page_end(pt->p);
}

void
portal_csrf_field(struct portal *pt)
{
	kto_buf_adds(&pt->p->body, "<input type=\"hidden\" name=\"csrf\" value=\"");
	kto_html_attr(&pt->p->body, pt->s.csrf);
	kto_buf_adds(&pt->p->body, "\">");
}

void
portal_message(struct portal *pt, unsigned status, const char *title, const char *text)
{
	pt->p->status = status;
	portal_begin(pt, title);
	kto_buf_adds(&pt->p->body, "<h1>");
	kto_html_text(&pt->p->body, title);
	kto_buf_adds(&pt->p->body, "</h1>\n<p>");
	kto_html_text(&pt->p->body, text);
	kto_buf_adds(&pt->p->body, "</p>\n<p><a href=\"/portal\">Naar het overzicht</a></p>\n");
	portal_end(pt);
}

void
portal_redirect(struct portal *pt, const char *where)
{
	pt->p->status = 303;
	snprintf(pt->p->location, sizeof pt->p->location, "%s", where);
}

/* ------------------------------------------------------------------ */
/* Who may                                                             */

bool
portal_allowed(const struct portal *pt, const char *code, enum portal_need need)
{
	const struct kto_account *a = &pt->s.account;

	if (!pt->signed_in)
		return false;
	if (a->role == KTO_ROLE_TEAM)
		return true;
	if (need == PORTAL_TEAM || strcasecmp(a->municipality, code) != 0)
		return false;
	return need == PORTAL_VIEW || a->role == KTO_ROLE_MANAGER;
}

/*
** A state-changing request from our own form: the session's CSRF token,
** and the browser's Origin (when it sends one) naming this host.  "null"
** counts as none: under the server's Referrer-Policy no-referrer a browser
** sends "Origin: null" with every form POST (Fetch, "serializing a request
** origin"), and any other page can make it send that too, so it proves
** nothing either way; the token decides.
*/
bool
portal_post_ok(const struct portal *pt)
{
	const char *origin = pt->r->origin, *host = pt->r->host, *rest;

	if (!kto_session_csrf_ok(&pt->s, web_field(pt->r, "csrf")))
		return false;
	if (origin == NULL || strcmp(origin, "null") == 0)
		return true;
	if (host == NULL)
		return false;
	rest = strncmp(origin, "https://", 8) == 0 ? origin + 8 :
	    strncmp(origin, "http://", 7) == 0 ? origin + 7 : NULL;
	return rest != NULL && strcasecmp(rest, host) == 0;
}

/* ------------------------------------------------------------------ */
/* Signing in and out                                                  */

static void
login_form(struct portal *pt, const char *email, const char *error)
{
	struct kto_buf *b = &pt->p->body;

	portal_begin(pt, "Aanmelden");
	kto_buf_adds(b, "<h1>Aanmelden bij het KTO-portaal</h1>\n");
	if (error != NULL) {
		kto_buf_adds(b, "<div class=\"summary\" role=\"alert\"><p class=\"error\">");
		kto_html_text(b, error);
		kto_buf_adds(b, "</p></div>\n");
	}
	kto_buf_adds(b, "<form method=\"post\" action=\"/portal/login\">\n"
	    "<label class=\"field\" for=\"email\">E-mailadres</label>\n"
	    "<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"username\" "
	    "required value=\"");
	kto_html_attr(b, email ? email : "");
	kto_buf_adds(b, "\">\n<label class=\"field\" for=\"password\">Wachtwoord</label>\n"
	    "<input type=\"password\" id=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" required>\n"
	    "<p><button type=\"submit\" class=\"primary\">Aanmelden</button></p>\n</form>\n"
	    "<p class=\"note\">Geen account of wachtwoord kwijt? Vraag het het "
	    "benchmarkteam.</p>\n");
	portal_end(pt);
}

static void
login(struct portal *pt)
{
	const struct kto_web_request *r = pt->r;
	const char *email = web_field(r, "email"), *password = web_field(r, "password");
	char cookie[KTO_SECRET_CHARS + 1];
	struct kto_session s;

	if (strcmp(r->method, "POST") != 0) {
		login_form(pt, NULL, NULL);
		return;
	}
	if (!web_rate_allow(&sign_in_rate, r->client_ip, (int64_t)time(NULL))) {
		pt->p->status = 429;
		snprintf(pt->p->alert, sizeof pt->p->alert, "sign-in rate limit for %s",
		    r->client_ip);
		login_form(pt, email, "Te veel pogingen om aan te melden. Probeer het "
		    "over vijf minuten opnieuw.");
		return;
	}
	if (email == NULL || password == NULL || *email == '\0' || *password == '\0') {
		pt->p->status = 422;
		login_form(pt, email, "Vul uw e-mailadres en wachtwoord in.");
		return;
	}
	if (kto_session_start(r->db, email, password, cookie, &s) != KTO_OK) {
		pt->p->status = 422;
		login_form(pt, email, "Het e-mailadres of het wachtwoord klopt niet.");
		return;
	}
	/* A new session id at every sign-in; the cookie only goes to /portal. */
	snprintf(pt->p->set_cookie, sizeof pt->p->set_cookie, "kto_portal=%s; Path=/portal; "
	    "HttpOnly; SameSite=Lax; Max-Age=%d%s", cookie, KTO_SESSION_HOURS * 3600,
	    r->tls ? "; Secure" : "");
	portal_redirect(pt, "/portal");
}

static void
logout(struct portal *pt)
{
	if (pt->signed_in && portal_post_ok(pt))
		kto_session_end(pt->r->db, pt->r->portal_cookie);
	snprintf(pt->p->set_cookie, sizeof pt->p->set_cookie, "kto_portal=; Path=/portal; "
	    "HttpOnly; SameSite=Lax; Max-Age=0");
	portal_redirect(pt, "/portal/login");
}

/* ------------------------------------------------------------------ */
/* Routes                                                              */

/* "/m/CODE[/rest]": the code into code, the rest (or "") returned. */
static const char *
municipality_path(const char *path, char *code, size_t n)
{
	const char *slash;
	size_t len;

	if (strncmp(path, "/m/", 3) != 0)
		return NULL;
	path += 3;
	slash = strchr(path, '/');
	len = slash ? (size_t)(slash - path) : strlen(path);
	if (len == 0 || len >= n)
		return NULL;
	memcpy(code, path, len);
	code[len] = '\0';
	return slash ? slash : "";
}

static void
municipality_routes(struct portal *pt, const char *code, const char *rest)
{
	bool post = strcmp(pt->r->method, "POST") == 0;

	if (!portal_allowed(pt, code, post ? PORTAL_MANAGE : PORTAL_VIEW)) {
		portal_message(pt, 403, "Geen toegang", "U heeft geen toegang tot deze "
		    "gemeente. Vraag het benchmarkteam als dat niet klopt.");
		return;
	}
	if (post && !portal_post_ok(pt)) {
		portal_message(pt, 403, "Formulier verlopen", "Dit formulier is verlopen "
		    "of kwam niet van deze site. Open de pagina opnieuw en probeer het "
		    "nog eens.");
		return;
	}
	if (*rest == '\0' && !post)
		portal_municipality(pt, code);
	else if (strcmp(rest, "/results") == 0 && !post)
		portal_results(pt, code);
	else if (strcmp(rest, "/answers") == 0 && !post)
		portal_answers(pt, code);
	else if (strcmp(rest, "/letter.pdf") == 0 && !post)
		portal_letter(pt, code);
	else if (strcmp(rest, "/upload") == 0 && post)
		portal_upload(pt, code);
	else if (strcmp(rest, "/waves") == 0 && post)
		portal_wave_create(pt, code);
	else if (strncmp(rest, "/waves/", 7) == 0 && post)
		portal_wave_action(pt, code, rest + 7);
	else
		portal_message(pt, 404, "Niet gevonden", "Deze pagina bestaat niet.");
}

void
web_portal(const struct kto_web_request *r, struct kto_web_page *p, const char *rest)
{
	struct portal pt;
	char code[KTO_CODE_MAX + 1];
	const char *sub;

	memset(&pt, 0, sizeof pt);
	pt.r = r;
	pt.p = p;
	pt.signed_in = kto_session_find(r->db, r->portal_cookie, &pt.s) == KTO_OK;
	if (strcmp(rest, "/login") == 0) {
		login(&pt);
		return;
	}
	if (strcmp(rest, "/logout") == 0) {
		logout(&pt);
		return;
	}
	if (!pt.signed_in) {
		portal_redirect(&pt, "/portal/login");
		return;
	}
	if (*rest == '\0' || strcmp(rest, "/") == 0) {
		portal_home(&pt);
		return;
	}
	if ((sub = municipality_path(rest, code, sizeof code)) != NULL) {
		municipality_routes(&pt, code, sub);
		return;
	}
	portal_message(&pt, 404, "Niet gevonden", "Deze pagina bestaat niet.");
}
