/*
** The municipalities' portal: /portal/...  Dutch first, English on request
** (the switch in every page sets a cookie), for municipal staff and the
** benchmark team.  This file holds sign-in, the page frame, and the
** handlers that web/route.c's table names; the pages are in
** portal_pages.c, portal_results.c, portal_answers.c and portal_audit.c.
**
** Who may use which page is decided in one place, web/route.c, before a
** handler runs: the municipality a page is about is the path's code only
** when it is the signed-in account's own (the team reaches every one).
** Every POST must carry the session's CSRF token and, when the browser
** sends one, an Origin of this host.
*/
#include "web/portal_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/audit.h"
#include "engine/db.h"
#include "web/html.h"
#include "web/ratelimit.h"
#include "web/route_int.h"

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
portal_url_arg(struct kto_buf *b, const char *value)
{
	for (const char *q = value; *q; q++) {
		if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || strchr("-_.~", *q))
			kto_buf_addc(b, *q);
		else
			kto_buf_addf(b, "%%%02X", (unsigned)(unsigned char)*q);
	}
}

/*
** The link to this page in the other language.  The query arguments that
** choose what a page shows (a year, a search, a page, the log's filters)
** go along, so that switching keeps the reader where they were.
*/
static void
language_switch(struct portal *pt)
{
	static const char *const keep[] = { "year", "q", "page", "municipality", "action",
	    "before" };
	struct kto_buf *b = &pt->p->body;
	bool en = pt->lang == KTO_LANG_EN;

	kto_buf_addf(b, "<a href=\"");
	kto_html_attr(b, pt->r->path);
	kto_buf_addf(b, "?lang=%s", en ? "nl" : "en");
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		const char *v = pt->r->arg ? pt->r->arg(pt->r, keep[i]) : NULL;

		if (v == NULL)
			continue;
		kto_buf_addf(b, "&amp;%s=", keep[i]);
		portal_url_arg(b, v);
	}
	kto_buf_addf(b, "\" hreflang=\"%s\" lang=\"%s\">%s</a>", en ? "nl" : "en",
	    en ? "nl" : "en", en ? "Nederlands" : "English");
}

void
portal_begin(struct portal *pt, const char *title)
{
	char full[256];
	const struct kto_account *a = &pt->s.account;

	snprintf(full, sizeof full, "%s - %s", title, nl_en(pt, "KTO-portaal", "KTO portal"));
	web_page_begin_css(pt->p, full, kto_lang_tag(pt->lang), PORTAL_CSS);
	kto_buf_addf(&pt->p->body, "<nav class=\"portal\" aria-label=\"%s\">",
	    nl_en(pt, "Portaal", "Portal"));
	if (pt->signed_in) {
		kto_buf_addf(&pt->p->body, "<a href=\"/portal\">%s</a>",
		    nl_en(pt, "Overzicht", "Overview"));
		if (a->role == KTO_ROLE_TEAM)
			kto_buf_addf(&pt->p->body, "<a href=\"/portal/audit\">%s</a>",
			    nl_en(pt, "Logboek", "Audit log"));
	}
	language_switch(pt);
	if (!pt->signed_in) {
		kto_buf_adds(&pt->p->body, "</nav>\n");
		return;
	}
	kto_buf_adds(&pt->p->body, "<span>");
	kto_html_text(&pt->p->body, a->email);
	kto_buf_adds(&pt->p->body, " (");
	kto_html_text(&pt->p->body, a->role == KTO_ROLE_TEAM ? "team" :
	    a->role == KTO_ROLE_MANAGER ? nl_en(pt, "beheerder", "manager") :
	    nl_en(pt, "lezer", "viewer"));
	kto_buf_adds(&pt->p->body, ")</span><form method=\"post\" action=\"/portal/logout\">");
	portal_csrf_field(pt);
	kto_buf_addf(&pt->p->body, "<button type=\"submit\">%s</button></form></nav>\n",
	    nl_en(pt, "Afmelden", "Sign out"));
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
	kto_buf_addf(&pt->p->body, "</p>\n<p><a href=\"/portal\">%s</a></p>\n",
	    nl_en(pt, "Naar het overzicht", "To the overview"));
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

	portal_begin(pt, nl_en(pt, "Aanmelden", "Sign in"));
	kto_buf_addf(b, "<h1>%s</h1>\n", nl_en(pt, "Aanmelden bij het KTO-portaal",
	    "Sign in to the KTO portal"));
	if (error != NULL) {
		kto_buf_adds(b, "<div class=\"summary\" role=\"alert\"><p class=\"error\">");
		kto_html_text(b, error);
		kto_buf_adds(b, "</p></div>\n");
	}
	kto_buf_addf(b, "<form method=\"post\" action=\"/portal/login\">\n"
	    "<label class=\"field\" for=\"email\">%s</label>\n"
	    "<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"username\" "
	    "required value=\"", nl_en(pt, "E-mailadres", "E-mail address"));
	kto_html_attr(b, email ? email : "");
	kto_buf_addf(b, "\">\n<label class=\"field\" for=\"password\">%s</label>\n"
	    "<input type=\"password\" id=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" required>\n"
	    "<p><button type=\"submit\" class=\"primary\">%s</button></p>\n</form>\n"
	    "<p class=\"note\">%s</p>\n", nl_en(pt, "Wachtwoord", "Password"),
	    nl_en(pt, "Aanmelden", "Sign in"), nl_en(pt, "Geen account of wachtwoord "
	    "kwijt? Vraag het het benchmarkteam.", "No account, or forgot your password? "
	    "Ask the benchmark team."));
	portal_end(pt);
}

static void
login(struct portal *pt)
{
	const struct kto_web_request *r = pt->r;
	const char *email = web_field(r, "email"), *password = web_field(r, "password");
	char cookie[KTO_SECRET_CHARS + 1];
	struct kto_session s;

	if (!web_rate_allow(&sign_in_rate, r->client_ip, (int64_t)time(NULL))) {
		pt->p->status = 429;
		snprintf(pt->p->alert, sizeof pt->p->alert, "sign-in rate limit for %s",
		    r->client_ip);
		login_form(pt, email, nl_en(pt, "Te veel pogingen om aan te melden. Probeer "
		    "het over vijf minuten opnieuw.", "Too many attempts to sign in. Try again "
		    "in five minutes."));
		return;
	}
	if (email == NULL || password == NULL || *email == '\0' || *password == '\0') {
		pt->p->status = 422;
		login_form(pt, email, nl_en(pt, "Vul uw e-mailadres en wachtwoord in.",
		    "Fill in your e-mail address and password."));
		return;
	}
	/*
	 * One answer for a wrong address, a wrong password, a disabled and a
	 * locked account (engine/account.h): nothing here tells them apart.
	 */
	if (kto_session_start(r->db, email, password, r->client_ip, cookie, &s) != KTO_OK) {
		pt->p->status = 422;
		login_form(pt, email, nl_en(pt, "Het e-mailadres of het wachtwoord klopt niet.",
		    "The e-mail address or the password is wrong."));
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
/* Routes: the table and its checks are in web/route.c                 */

/*
** Dutch unless the reader chose English: ?lang= chooses (and a cookie
** remembers it for a year, for this browser, signed in or not); else the
** cookie.
*/
static void
choose_language(struct portal *pt)
{
	const char *asked = pt->r->lang, *kept = pt->r->lang_cookie;

	if (asked != NULL && (strcmp(asked, "en") == 0 || strcmp(asked, "nl") == 0)) {
		pt->lang = strcmp(asked, "en") == 0 ? KTO_LANG_EN : KTO_LANG_NL;
		if (pt->p->set_cookie[0] == '\0')
			snprintf(pt->p->set_cookie, sizeof pt->p->set_cookie, "kto_lang=%s; "
			    "Path=/portal; SameSite=Lax; Max-Age=31536000%s", asked,
			    pt->r->tls ? "; Secure" : "");
		return;
	}
	pt->lang = kept != NULL && strcmp(kept, "en") == 0 ? KTO_LANG_EN : KTO_LANG_NL;
}

void
portal_of_call(struct web_call *c, struct portal *pt)
{
	memset(pt, 0, sizeof *pt);
	pt->r = c->r;
	pt->p = c->p;
	pt->s = c->s;
	pt->signed_in = c->signed_in;
	choose_language(pt);
}

void
portal_refuse(struct web_call *c, unsigned status)
{
	struct portal pt;

	portal_of_call(c, &pt);
	if (status == 303)
		portal_redirect(&pt, "/portal/login");
	else if (status == 403)
		portal_message(&pt, 403, nl_en(&pt, "Geen toegang", "No access"),
		    nl_en(&pt, "U heeft geen toegang tot deze pagina of gemeente. Vraag het "
		    "benchmarkteam als dat niet klopt.", "You have no access to this page or "
		    "municipality. Ask the benchmark team if that is wrong."));
	else if (status == 405)
		portal_message(&pt, 405, nl_en(&pt, "Niet toegestaan", "Not allowed"),
		    nl_en(&pt, "Deze pagina kan zo niet worden gebruikt.",
		    "This page cannot be used this way."));
	else
		portal_message(&pt, 404, nl_en(&pt, "Niet gevonden", "Not found"),
		    nl_en(&pt, "Deze pagina bestaat niet.", "This page does not exist."));
}

void
portal_refuse_form(struct web_call *c)
{
	struct portal pt;

	portal_of_call(c, &pt);
	portal_message(&pt, 403, nl_en(&pt, "Formulier verlopen", "Form expired"),
	    nl_en(&pt, "Dit formulier is verlopen of kwam niet van deze site. Open de "
	    "pagina opnieuw en probeer het nog eens.", "This form has expired or did not "
	    "come from this site. Open the page again and try once more."));
}

bool
portal_call_post_ok(struct web_call *c)
{
	struct portal pt;

	portal_of_call(c, &pt);
	return portal_post_ok(&pt);
}

/* The handlers the table names: each gets the checked municipality. */
#define PORTAL_HANDLER(name, call) \
	void name(struct web_call *c) \
	{ \
		struct portal pt; \
		portal_of_call(c, &pt); \
		call; \
	}

PORTAL_HANDLER(portal_h_login_form, login_form(&pt, NULL, NULL))
PORTAL_HANDLER(portal_h_login, login(&pt))
PORTAL_HANDLER(portal_h_logout, logout(&pt))
PORTAL_HANDLER(portal_h_home, portal_home(&pt))
PORTAL_HANDLER(portal_h_municipality, portal_municipality(&pt, c->m.code))
PORTAL_HANDLER(portal_h_results, portal_results(&pt, c->m.code))
PORTAL_HANDLER(portal_h_answers, portal_answers(&pt, c->m.code))
PORTAL_HANDLER(portal_h_upload, portal_upload(&pt, c->m.code))
PORTAL_HANDLER(portal_h_wave_create, portal_wave_create(&pt, c->m.code))
PORTAL_HANDLER(portal_h_wave_sample, portal_wave_action(&pt, c->m.code, c->wave,
    PORTAL_WAVE_SAMPLE))
PORTAL_HANDLER(portal_h_wave_close, portal_wave_action(&pt, c->m.code, c->wave,
    PORTAL_WAVE_CLOSE))

/* The letter is an export: the log says who took which one. */
void
portal_h_letter(struct web_call *c)
{
	struct portal pt;
	const char *year = c->r->arg ? c->r->arg(c->r, "year") : NULL;
	char subject[64];

	portal_of_call(c, &pt);
	portal_letter(&pt, c->m.code);
	if (c->p->status != 200)
		return;
	snprintf(subject, sizeof subject, "letter %.16s", year ? year : "latest");
	if (kto_audit(c->r->db, c->actor, "export.letter", c->m.id, subject,
	    c->r->client_ip) != KTO_OK) {
		kto_buf_reset(&c->p->body);
		web_unavailable(c->r, c->p);
	}
}

void
web_portal(const struct kto_web_request *r, struct kto_web_page *p, const char *rest)
{
	(void)rest;
	web_dispatch(r, p);
}
