/*
** The audit log in the portal, /portal/audit: for the benchmark team only
** (web/route.c), newest first in pages of 50, filtered by municipality and
** by action (its start: "user" or "user.sign_in").  Paging goes by entry
** id ("older than"), so a page stays the same while new entries arrive.
*/
#include "web/portal_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strparse.h"
#include "engine/audit.h"
#include "engine/municipality.h"
#include "web/html.h"
#include "web/route_int.h"

#define PER_PAGE 50
#define ACTION_MAX 60

struct audit_page {
	struct portal *pt;
	int shown;
	int64_t last_id;
};

/* The actions people look for, in Dutch and English, for the filter's
 * suggestions. */
static const char *const known_actions[][3] = {
	{ "user.sign_in", "aanmelden", "sign-in" },
	{ "user.sign_in_failed", "mislukte aanmelding", "failed sign-in" },
	{ "user.locked", "account tijdelijk geblokkeerd", "account locked for a while" },
	{ "user.sign_out", "afmelden", "sign-out" },
	{ "user", "accounts (alles)", "accounts (all)" },
	{ "apikey", "API-sleutels", "API keys" },
	{ "wave", "metingen", "waves" },
	{ "export", "exports en brieven", "exports and letters" },
	{ "contacts", "contacten inlezen", "contact imports" },
	{ "privacy", "privacyverzoeken", "privacy requests" },
};

static enum kto_rc
audit_row(void *ctx, const struct kto_audit_entry *e)
{
	struct audit_page *ap = ctx;
	struct kto_buf *b = &ap->pt->p->body;

	ap->shown++;
	ap->last_id = e->id;
	kto_buf_adds(b, "<tr><td>");
	kto_html_text(b, e->at);
	kto_buf_adds(b, "</td><td>");
	kto_html_text(b, e->actor);
	kto_buf_adds(b, "</td><td>");
	kto_html_text(b, e->action);
	kto_buf_adds(b, "</td><td>");
	kto_html_text(b, e->municipality[0] ? e->municipality : "-");
	kto_buf_adds(b, "</td><td>");
	kto_html_text(b, e->subject);
	kto_buf_adds(b, "</td><td>");
	kto_html_text(b, e->detail);
	kto_buf_adds(b, "</td></tr>\n");
	return KTO_OK;
}

static void
filter_form(struct portal *pt, const char *code, const char *action)
{
	struct kto_buf *b = &pt->p->body;
	struct kto_municipality *m = NULL;
	size_t n = 0;

	kto_buf_addf(b, "<form method=\"get\" action=\"/portal/audit\">\n"
	    "<label class=\"field\" for=\"municipality\">%s</label>\n"
	    "<select id=\"municipality\" name=\"municipality\">"
	    "<option value=\"\">%s</option>", nl_en(pt, "Gemeente", "Municipality"),
	    nl_en(pt, "Alle gemeenten", "All municipalities"));
	if (kto_municipality_list(pt->r->db, NULL, &m, &n) == KTO_OK)
		for (size_t i = 0; i < n; i++) {
			kto_buf_adds(b, "<option value=\"");
			kto_html_attr(b, m[i].code);
			kto_buf_adds(b, strcmp(m[i].code, code) == 0 ? "\" selected>" : "\">");
			kto_html_text(b, m[i].code);
			kto_buf_adds(b, " ");
			kto_html_text(b, m[i].name);
			kto_buf_adds(b, "</option>");
		}
	free(m);
	kto_buf_addf(b, "</select>\n<label class=\"field\" for=\"action\">%s</label>\n"
	    "<input type=\"text\" id=\"action\" name=\"action\" list=\"actions\" "
	    "maxlength=\"%d\" value=\"", nl_en(pt, "Actie (of het begin ervan, "
	    "bijvoorbeeld <code>user</code>)", "Action (or its start, for example "
	    "<code>user</code>)"), ACTION_MAX);
	kto_html_attr(b, action);
	kto_buf_adds(b, "\">\n<datalist id=\"actions\">");
	for (size_t i = 0; i < sizeof known_actions / sizeof known_actions[0]; i++) {
		kto_buf_adds(b, "<option value=\"");
		kto_html_attr(b, known_actions[i][0]);
		kto_buf_adds(b, "\">");
		kto_html_text(b, nl_en(pt, known_actions[i][1], known_actions[i][2]));
		kto_buf_adds(b, "</option>");
	}
	kto_buf_addf(b, "</datalist>\n<p><button type=\"submit\">%s</button></p>\n"
	    "</form>\n", nl_en(pt, "Filteren", "Filter"));
}

static void
older_link(struct portal *pt, const char *code, const char *action, int64_t last_id)
{
	struct kto_buf *b = &pt->p->body;

	kto_buf_addf(b, "<nav aria-label=\"%s\"><p><a href=\"/portal/audit?municipality=",
	    nl_en(pt, "Pagina's", "Pages"));
	portal_url_arg(b, code);
	kto_buf_adds(b, "&amp;action=");
	portal_url_arg(b, action);
	kto_buf_addf(b, "&amp;before=%lld\">%s</a></p></nav>\n", (long long)last_id,
	    nl_en(pt, "Oudere regels", "Older entries"));
}

void
portal_audit(struct portal *pt)
{
	const struct kto_web_request *r = pt->r;
	const char *code = r->arg ? r->arg(r, "municipality") : NULL;
	const char *action = r->arg ? r->arg(r, "action") : NULL;
	const char *before = r->arg ? r->arg(r, "before") : NULL;
	struct kto_audit_filter f;
	struct audit_page ap = { pt, 0, 0 };
	struct kto_municipality m;
	struct kto_buf *b = &pt->p->body;
	enum kto_rc rc;

	memset(&f, 0, sizeof f);
	code = code ? code : "";
	action = action ? action : "";
	if (strlen(action) > ACTION_MAX || (before != NULL && *before != '\0' &&
	    kto_parse_i64(before, 1, INT64_MAX, &f.before_id) != KTO_OK) ||
	    (*code != '\0' && kto_municipality_find(r->db, code, &m) != KTO_OK)) {
		portal_message(pt, 400, nl_en(pt, "Ongeldig filter", "Invalid filter"),
		    nl_en(pt, "Kies een bestaande gemeente en een actie van hooguit 60 tekens.",
		    "Choose an existing municipality and an action of at most 60 characters."));
		return;
	}
	f.municipality = *code ? code : NULL;
	f.action = *action ? action : NULL;
	f.limit = PER_PAGE;
	portal_begin(pt, nl_en(pt, "Logboek", "Audit log"));
	kto_buf_adds(b, nl_en(pt, "<h1>Logboek</h1>\n<p class=\"note\">Wie wat deed en "
	    "wanneer: aanmeldingen, exports, metingen, accounts en API-sleutels. Tijden in "
	    "UTC. Wachtwoorden en sleutels staan hier nooit in.</p>\n", "<h1>Audit log</h1>"
	    "\n<p class=\"note\">Who did what and when: sign-ins, exports, waves, "
	    "accounts and API keys. Times in UTC. Passwords and keys are never in it.</p>\n"));
	filter_form(pt, code, action);
	kto_buf_adds(b, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" "
	    "aria-labelledby=\"audit-caption\"><table>\n<caption id=\"audit-caption\">");
	kto_buf_adds(b, nl_en(pt, "Logboekregels, nieuwste eerst</caption>\n<thead><tr>"
	    "<th scope=\"col\">Tijdstip</th><th scope=\"col\">Wie</th>"
	    "<th scope=\"col\">Actie</th><th scope=\"col\">Gemeente</th>"
	    "<th scope=\"col\">Onderwerp</th><th scope=\"col\">Details</th>"
	    "</tr></thead>\n<tbody>\n", "Log entries, newest first</caption>\n<thead><tr>"
	    "<th scope=\"col\">Time</th><th scope=\"col\">Who</th>"
	    "<th scope=\"col\">Action</th><th scope=\"col\">Municipality</th>"
	    "<th scope=\"col\">Subject</th><th scope=\"col\">Details</th>"
	    "</tr></thead>\n<tbody>\n"));
	rc = kto_audit_list(r->db, &f, audit_row, &ap);
	kto_buf_adds(b, "</tbody>\n</table></div>\n");
	kto_buf_addf(b, NL_EN_FMT(pt, "<p role=\"status\">%d %s getoond.</p>\n",
	    "<p role=\"status\">%d %s shown.</p>\n"), ap.shown, ap.shown == 1 ?
	    nl_en(pt, "regel", "entry") : nl_en(pt, "regels", "entries"));
	if (ap.shown == PER_PAGE)
		older_link(pt, code, action, ap.last_id);
	portal_end(pt);
	if (rc != KTO_OK) {
		kto_buf_reset(b);
		web_unavailable(r, pt->p);
	}
}

void
portal_h_audit(struct web_call *c)
{
	struct portal pt;

	portal_of_call(c, &pt);
	portal_audit(&pt);
}
