/*
** The portal's pages about municipalities and their waves: the overview,
** a municipality's waves with live progress per channel, and the wave
** actions -- upload contacts, create, sample, close -- with the same
** row-level feedback as the command line.
*/
#include "web/portal_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strparse.h"
#include "engine/channel.h"
#include "engine/circle.h"
#include "engine/contacts.h"
#include "engine/db.h"
#include "engine/municipality.h"
#include "engine/sampling.h"
#include "engine/wave.h"
#include "report/wording.h"
#include "web/html.h"

/* A wave's state in words: the state, Dutch, English. */
static const char *const state_words[][3] = {
	{ "draft", "concept", "draft" },
	{ "sampled", "steekproef getrokken", "sample drawn" },
	{ "fieldwork", "veldwerk", "fieldwork" },
	{ "closed", "gesloten", "closed" },
};

static const char *
wave_state(const struct portal *pt, const char *state)
{
	for (size_t i = 0; i < sizeof state_words / sizeof state_words[0]; i++)
		if (strcmp(state, state_words[i][0]) == 0)
			return nl_en(pt, state_words[i][1], state_words[i][2]);
	return state;
}

/* A channel's name in the page's language. */
static const char *
channel_name(const struct portal *pt, enum kto_channel c)
{
	return kto_phrase_channel(pt->lang, kto_channel_name(c));
}

static void
text(struct portal *pt, const char *s)
{
	kto_html_text(&pt->p->body, s);
}

static void
raw(struct portal *pt, const char *s)
{
	kto_buf_adds(&pt->p->body, s);
}

static void
number(struct portal *pt, long long v)
{
	kto_buf_addf(&pt->p->body, "%lld", v);
}

/* ------------------------------------------------------------------ */
/* Overview                                                            */

static void
municipality_link(struct portal *pt, const struct kto_municipality *m)
{
	raw(pt, "<li><a href=\"/portal/m/");
	kto_html_attr(&pt->p->body, m->code);
	raw(pt, "\">");
	text(pt, m->name);
	raw(pt, "</a> (");
	text(pt, m->code);
	raw(pt, ")</li>\n");
}

/* The team's overview: every circle with its members. */
static void
team_home(struct portal *pt)
{
	struct kto_circle *circles = NULL;
	struct kto_municipality *mun = NULL;
	size_t nc = 0, nm = 0;

	if (kto_circle_list(pt->r->db, &circles, &nc) != KTO_OK ||
	    kto_municipality_list(pt->r->db, NULL, &mun, &nm) != KTO_OK) {
		free(circles);
		web_unavailable(pt->r, pt->p);
		return;
	}
	portal_begin(pt, nl_en(pt, "Overzicht", "Overview"));
	raw(pt, nl_en(pt, "<h1>Alle gemeenten</h1>\n", "<h1>All municipalities</h1>\n"));
	for (size_t c = 0; c <= nc; c++) {
		bool any = false;

		for (size_t m = 0; m < nm; m++) {
			bool in = c < nc ? strcmp(mun[m].circle_code, circles[c].code) == 0
			    : mun[m].circle_code[0] == '\0';

			if (!in)
				continue;
			if (!any) {
				raw(pt, "<h2>");
				text(pt, c < nc ? circles[c].name : nl_en(pt, "Zonder kring",
				    "Without a circle"));
				raw(pt, "</h2>\n<ul>\n");
				any = true;
			}
			municipality_link(pt, &mun[m]);
		}
		if (any)
			raw(pt, "</ul>\n");
	}
	if (nm == 0)
		raw(pt, nl_en(pt, "<p>Er zijn nog geen gemeenten (kto municipality add).</p>\n",
		    "<p>There are no municipalities yet (kto municipality add).</p>\n"));
	portal_end(pt);
	free(circles);
	free(mun);
}

void
portal_home(struct portal *pt)
{
	char where[64];

	if (pt->s.account.role == KTO_ROLE_TEAM) {
		team_home(pt);
		return;
	}
	snprintf(where, sizeof where, "/portal/m/%s", pt->s.account.municipality);
	portal_redirect(pt, where);
}

/* ------------------------------------------------------------------ */
/* A municipality: its waves                                           */

static void
progress_row(struct portal *pt, const char *name, const struct kto_wave_counts *n)
{
	raw(pt, "<tr><th scope=\"row\">");
	text(pt, name);
	raw(pt, "</th><td class=\"num\">");
	number(pt, n->population);
	raw(pt, "</td><td class=\"num\">");
	number(pt, n->sampled);
	raw(pt, "</td><td class=\"num\">");
	number(pt, n->invited);
	raw(pt, "</td><td class=\"num\">");
	number(pt, n->reminded);
	raw(pt, "</td><td class=\"num\">");
	number(pt, n->responded);
	raw(pt, "</td><td class=\"num\">");
	if (n->invited > 0)
		kto_buf_addf(&pt->p->body, "%.0f%%", 100.0 * (double)n->responded /
		    (double)n->invited);
	else
		raw(pt, "-");
	raw(pt, "</td><td class=\"num\">");
	number(pt, n->mail_failed);
	raw(pt, "</td></tr>\n");
}

static void
wave_action_button(struct portal *pt, const char *code, int64_t id,
                   const char *action, const char *label)
{
	raw(pt, "<form method=\"post\" action=\"/portal/m/");
	kto_html_attr(&pt->p->body, code);
	kto_buf_addf(&pt->p->body, "/waves/%lld/%s\">", (long long)id, action);
	portal_csrf_field(pt);
	/* Every wave has these buttons: the wave's heading tells them apart. */
	kto_buf_addf(&pt->p->body, "<button type=\"submit\" aria-describedby=\"w%lld\">",
	    (long long)id);
	text(pt, label);
	raw(pt, "</button></form>\n");
}

static void
wave_section(struct portal *pt, const char *code, int64_t id)
{
	struct kto_wave_info w;

	if (kto_wave_get(pt->r->db, id, &w) != KTO_OK)
		return;
	kto_buf_addf(&pt->p->body, "<section aria-labelledby=\"w%lld\">\n<h3 id=\"w%lld\">"
	    "%s %lld: %s %s %s (", (long long)id, (long long)id, nl_en(pt, "Meting", "Wave"),
	    (long long)id, w.from, nl_en(pt, "tot en met", "to"), w.to);
	text(pt, wave_state(pt, w.state));
	/* Wider than a phone: the table scrolls in its own named region, which
	 * takes the focus so that the keyboard can scroll it too. */
	kto_buf_addf(&pt->p->body, ")</h3>\n<div class=\"scroll\" role=\"region\" "
	    "tabindex=\"0\" aria-labelledby=\"w%lld p%lld\">\n<table>\n<caption "
	    "id=\"p%lld\">%s</caption>\n", (long long)id, (long long)id,
	    (long long)id, nl_en(pt, "Voortgang per kanaal", "Progress per channel"));
	raw(pt, nl_en(pt, "<thead><tr>"
	    "<th scope=\"col\">Kanaal</th><th scope=\"col\" class=\"num\">Contacten</th>"
	    "<th scope=\"col\" class=\"num\">Steekproef</th><th scope=\"col\" class=\"num\">"
	    "Uitgenodigd</th><th scope=\"col\" class=\"num\">Herinnerd</th><th scope=\"col\" "
	    "class=\"num\">Respons</th><th scope=\"col\" class=\"num\">Responspercentage</th>"
	    "<th scope=\"col\" class=\"num\">Mail mislukt</th></tr></thead>\n<tbody>\n",
	    "<thead><tr>"
	    "<th scope=\"col\">Channel</th><th scope=\"col\" class=\"num\">Contacts</th>"
	    "<th scope=\"col\" class=\"num\">Sample</th><th scope=\"col\" class=\"num\">"
	    "Invited</th><th scope=\"col\" class=\"num\">Reminded</th><th scope=\"col\" "
	    "class=\"num\">Responses</th><th scope=\"col\" class=\"num\">Response rate</th>"
	    "<th scope=\"col\" class=\"num\">Mail failed</th></tr></thead>\n<tbody>\n"));
	for (size_t c = 0; c < w.n_channels; c++)
		progress_row(pt, channel_name(pt, w.channels[c].channel), &w.channels[c].n);
	progress_row(pt, nl_en(pt, "Totaal", "Total"), &w.totals);
	raw(pt, "</tbody>\n</table>\n</div>\n");
	if (portal_allowed(pt, code, PORTAL_MANAGE)) {
		if (strcmp(w.state, "draft") == 0 || w.continuous)
			wave_action_button(pt, code, id, "sample", nl_en(pt,
			    "Steekproef trekken", "Draw the sample"));
		if (strcmp(w.state, "closed") != 0)
			wave_action_button(pt, code, id, "close", nl_en(pt, "Meting sluiten",
			    "Close the wave"));
	}
	raw(pt, "</section>\n");
}

static void
manager_forms(struct portal *pt, const char *code)
{
	raw(pt, nl_en(pt, "<h2>Contacten aanleveren</h2>\n", "<h2>Upload contacts</h2>\n"));
	raw(pt, "<form method=\"post\" enctype=\"multipart/form-data\" action=\"/portal/m/");
	kto_html_attr(&pt->p->body, code);
	raw(pt, "/upload\">");
	portal_csrf_field(pt);
	raw(pt, nl_en(pt, "<label class=\"field\" for=\"file\">CSV-bestand met "
	    "klantcontacten (contact_id, channel, contact_at, email)</label>\n",
	    "<label class=\"field\" for=\"file\">CSV file of customer contacts "
	    "(contact_id, channel, contact_at, email)</label>\n"));
	raw(pt, "<input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv\" "
	    "required>\n<p><button type=\"submit\">");
	raw(pt, nl_en(pt, "Uploaden", "Upload"));
	raw(pt, "</button></p>\n</form>\n");
	raw(pt, nl_en(pt, "<h2>Nieuwe meting</h2>\n", "<h2>New wave</h2>\n"));
	raw(pt, "<form method=\"post\" action=\"/portal/m/");
	kto_html_attr(&pt->p->body, code);
	raw(pt, "/waves\">");
	portal_csrf_field(pt);
	kto_buf_addf(&pt->p->body, "<label class=\"field\" for=\"from\">%s</label>\n"
	    "<input type=\"date\" id=\"from\" name=\"from\" required>\n"
	    "<label class=\"field\" for=\"to\">%s</label>\n"
	    "<input type=\"date\" id=\"to\" name=\"to\" required>\n"
	    "<fieldset><legend>%s</legend>\n", nl_en(pt, "Contacten vanaf", "Contacts from"),
	    nl_en(pt, "tot en met", "up to and including"), nl_en(pt, "Kanalen", "Channels"));
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		const char *name = kto_channel_name((enum kto_channel)c);

		kto_buf_addf(&pt->p->body, "<label class=\"opt\"><input type=\"checkbox\" "
		    "name=\"channel\" value=\"%s\" checked> ", name);
		text(pt, channel_name(pt, (enum kto_channel)c));
		raw(pt, "</label>\n");
	}
	kto_buf_addf(&pt->p->body, "</fieldset>\n<label class=\"field\" for=\"target\">%s"
	    "</label>\n<input type=\"number\" id=\"target\" name=\"target\" min=\"1\" "
	    "value=\"100\">\n<p><button type=\"submit\">%s</button></p>\n</form>\n",
	    nl_en(pt, "Gewenste respons per kanaal", "Target responses per channel"),
	    nl_en(pt, "Meting aanmaken", "Create the wave"));
}

void
portal_municipality(struct portal *pt, const char *code)
{
	struct kto_municipality m;
	struct kto_wave_summary *waves = NULL;
	size_t n = 0;

	if (kto_municipality_find(pt->r->db, code, &m) != KTO_OK) {
		portal_message(pt, 404, nl_en(pt, "Niet gevonden", "Not found"),
		    nl_en(pt, "Deze gemeente bestaat niet.", "This municipality does not exist."));
		return;
	}
	if (kto_wave_list(pt->r->db, m.code, &waves, &n) != KTO_OK) {
		web_unavailable(pt->r, pt->p);
		return;
	}
	portal_begin(pt, m.name);
	raw(pt, nl_en(pt, "<h1>Gemeente ", "<h1>Municipality of "));
	text(pt, m.name);
	raw(pt, "</h1>\n<p><a href=\"/portal/m/");
	kto_html_attr(&pt->p->body, m.code);
	raw(pt, nl_en(pt, "/results\">Resultaten bekijken</a></p>\n<h2>Metingen</h2>\n",
	    "/results\">See the results</a></p>\n<h2>Waves</h2>\n"));
	if (n == 0)
		raw(pt, nl_en(pt, "<p>Er zijn nog geen metingen.</p>\n",
		    "<p>There are no waves yet.</p>\n"));
	for (size_t i = 0; i < n; i++)
		wave_section(pt, m.code, waves[i].id);
	if (portal_allowed(pt, m.code, PORTAL_MANAGE))
		manager_forms(pt, m.code);
	portal_end(pt);
	free(waves);
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */

static void
back_to(struct portal *pt, const char *code)
{
	raw(pt, "<p><a href=\"/portal/m/");
	kto_html_attr(&pt->p->body, code);
	raw(pt, nl_en(pt, "\">Terug naar de metingen</a></p>\n",
	    "\">Back to the waves</a></p>\n"));
}

static void
engine_error_page(struct portal *pt, const char *code, const char *title)
{
	pt->p->status = 422;
	portal_begin(pt, title);
	raw(pt, "<h1>");
	text(pt, title);
	raw(pt, "</h1>\n<div class=\"summary\" role=\"alert\"><p class=\"error\">");
	text(pt, kto_db_errmsg(pt->r->db));
	raw(pt, "</p></div>\n");
	back_to(pt, code);
	portal_end(pt);
}

static void
import_report(struct portal *pt, const char *code, const char *file,
              const struct kto_import_report *rep)
{
	portal_begin(pt, nl_en(pt, "Contacten ingelezen", "Contacts imported"));
	raw(pt, nl_en(pt, "<h1>Contacten ingelezen</h1>\n<p role=\"status\">",
	    "<h1>Contacts imported</h1>\n<p role=\"status\">"));
	text(pt, file);
	kto_buf_addf(&pt->p->body, NL_EN_FMT(pt, ": %lld rijen; %lld toegevoegd, %lld bijgewerkt, "
	    "%lld ongewijzigd, %lld afgewezen.</p>\n", ": %lld rows; %lld added, %lld updated, "
	    "%lld unchanged, %lld rejected.</p>\n"), (long long)rep->rows,
	    (long long)rep->total.added, (long long)rep->total.updated,
	    (long long)rep->total.unchanged, (long long)rep->total.rejected);
	if (rep->ignored[0]) {
		raw(pt, nl_en(pt, "<p>Niet opgeslagen kolommen (kto bewaart alleen wat het "
		    "onderzoek nodig heeft): ", "<p>Columns not stored (kto keeps only what "
		    "the survey needs): "));
		text(pt, rep->ignored);
		raw(pt, "</p>\n");
	}
	if (rep->stopped) {
		raw(pt, "<div class=\"summary\" role=\"alert\"><p class=\"error\">");
		raw(pt, nl_en(pt, "Het inlezen stopte: ", "The import stopped: "));
		text(pt, rep->stop_reason);
		kto_buf_addf(&pt->p->body, NL_EN_FMT(pt, ". De %lld rijen ervoor zijn bewaard; "
		    "verbeter het bestand en lees het opnieuw in.</p></div>\n", ". The %lld rows "
		    "before it are kept; correct the file and import it again.</p></div>\n"),
		    (long long)rep->committed_rows);
	}
	if (rep->n_rejects > 0) {
		raw(pt, nl_en(pt, "<table>\n<caption>Afgewezen rijen</caption>\n<thead><tr><th "
		    "scope=\"col\" class=\"num\">Rij</th><th scope=\"col\">Reden</th></tr>"
		    "</thead>\n<tbody>\n", "<table>\n<caption>Rejected rows</caption>\n<thead>"
		    "<tr><th scope=\"col\" class=\"num\">Row</th><th scope=\"col\">Reason</th>"
		    "</tr></thead>\n<tbody>\n"));
		for (size_t i = 0; i < rep->n_rejects; i++) {
			kto_buf_addf(&pt->p->body, "<tr><td class=\"num\">%lld</td><td>",
			    (long long)rep->rejects[i].row);
			text(pt, rep->rejects[i].reason);
			raw(pt, "</td></tr>\n");
		}
		raw(pt, "</tbody>\n</table>\n");
	}
	back_to(pt, code);
	portal_end(pt);
}

/* The uploaded file: the form's "file" field, read from memory. */
void
portal_upload(struct portal *pt, const char *code)
{
	const struct kto_form_field *f = NULL;
	struct kto_import_report *rep;
	struct kto_import_options opt;
	FILE *in;
	enum kto_rc rc;

	for (size_t i = 0; i < pt->r->n_fields; i++)
		if (strcmp(pt->r->fields[i].name, "file") == 0)
			f = &pt->r->fields[i];
	if (f == NULL || f->value_len == 0) {
		portal_message(pt, 422, nl_en(pt, "Geen bestand", "No file"),
		    nl_en(pt, "Kies eerst een CSV-bestand om te uploaden.",
		    "Choose a CSV file to upload first."));
		return;
	}
	if ((rep = calloc(1, sizeof *rep)) == NULL ||
	    (in = fmemopen((void *)(uintptr_t)f->value, f->value_len, "rb")) == NULL) {
		free(rep);
		web_unavailable(pt->r, pt->p);
		return;
	}
	memset(&opt, 0, sizeof opt);
	rc = kto_contacts_import(pt->r->db, pt->s.account.email, code, in, "upload.csv",
	    &opt, rep);
	fclose(in);
	if (rc != KTO_OK)
		engine_error_page(pt, code, nl_en(pt, "Contacten niet ingelezen",
		    "Contacts not imported"));
	else
		import_report(pt, code, "upload.csv", rep);
	free(rep);
}

void
portal_wave_create(struct portal *pt, const char *code)
{
	struct kto_wave_spec spec;
	const char *target = web_field(pt->r, "target");
	int64_t t = 0, id;
	bool any = false;
	char where[96];

	kto_wave_spec_init(&spec);
	spec.municipality = code;
	spec.from = web_field(pt->r, "from");
	spec.to = web_field(pt->r, "to");
	for (size_t i = 0; i < pt->r->n_fields; i++) {
		enum kto_channel ch;

		if (strcmp(pt->r->fields[i].name, "channel") == 0 &&
		    kto_channel_parse(pt->r->fields[i].value, &ch)) {
			spec.channel[ch] = true;
			any = true;
		}
	}
	if (spec.from == NULL || spec.to == NULL || !any || (target != NULL &&
	    *target != '\0' && kto_parse_i64(target, 1, 100000, &t) != KTO_OK)) {
		portal_message(pt, 422, nl_en(pt, "Meting niet aangemaakt", "Wave not created"),
		    nl_en(pt, "Vul beide datums in, kies ten minste één kanaal en een gewenste "
		    "respons van 1 of meer.", "Fill in both dates, choose at least one channel "
		    "and a target of 1 or more responses."));
		return;
	}
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
		spec.target[c] = t;
	if (kto_wave_create(pt->r->db, pt->s.account.email, &spec, &id) != KTO_OK) {
		engine_error_page(pt, code, nl_en(pt, "Meting niet aangemaakt",
		    "Wave not created"));
		return;
	}
	snprintf(where, sizeof where, "/portal/m/%s#w%lld", code, (long long)id);
	portal_redirect(pt, where);
}

void
portal_wave_action(struct portal *pt, const char *code, int64_t id,
                   enum portal_wave_verb verb)
{
	char where[96];
	enum kto_rc rc;

	if (verb == PORTAL_WAVE_SAMPLE)
		rc = kto_wave_sample(pt->r->db, pt->s.account.email, id, NULL);
	else
		rc = kto_wave_close(pt->r->db, pt->s.account.email, id);
	if (rc != KTO_OK) {
		engine_error_page(pt, code, nl_en(pt, "Dat kon niet", "That did not work"));
		return;
	}
	snprintf(where, sizeof where, "/portal/m/%s#w%lld", code, (long long)id);
	portal_redirect(pt, where);
}
