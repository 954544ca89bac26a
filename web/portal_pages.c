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
#include "web/html.h"

static const char *const state_nl[][2] = {
	{ "draft", "concept" }, { "sampled", "steekproef getrokken" },
	{ "fieldwork", "veldwerk" }, { "closed", "gesloten" },
};

static const char *
wave_state(const char *state)
{
	for (size_t i = 0; i < sizeof state_nl / sizeof state_nl[0]; i++)
		if (strcmp(state, state_nl[i][0]) == 0)
			return state_nl[i][1];
	return state;
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
	portal_begin(pt, "Overzicht");
	raw(pt, "<h1>Alle gemeenten</h1>\n");
	for (size_t c = 0; c <= nc; c++) {
		bool any = false;

		for (size_t m = 0; m < nm; m++) {
			bool in = c < nc ? strcmp(mun[m].circle_code, circles[c].code) == 0
			    : mun[m].circle_code[0] == '\0';

			if (!in)
				continue;
			if (!any) {
				raw(pt, "<h2>");
				text(pt, c < nc ? circles[c].name : "Zonder kring");
				raw(pt, "</h2>\n<ul>\n");
				any = true;
			}
			municipality_link(pt, &mun[m]);
		}
		if (any)
			raw(pt, "</ul>\n");
	}
	if (nm == 0)
		raw(pt, "<p>Er zijn nog geen gemeenten (kto municipality add).</p>\n");
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
	    "Meting %lld: %s tot en met %s (", (long long)id, (long long)id,
	    (long long)id, w.from, w.to);
	text(pt, wave_state(w.state));
	/* Wider than a phone: the table scrolls in its own named region, which
	 * takes the focus so that the keyboard can scroll it too. */
	kto_buf_addf(&pt->p->body, ")</h3>\n<div class=\"scroll\" role=\"region\" "
	    "tabindex=\"0\" aria-labelledby=\"w%lld p%lld\">\n<table>\n<caption "
	    "id=\"p%lld\">Voortgang per kanaal</caption>\n", (long long)id, (long long)id,
	    (long long)id);
	raw(pt, "<thead><tr>"
	    "<th scope=\"col\">Kanaal</th><th scope=\"col\" class=\"num\">Contacten</th>"
	    "<th scope=\"col\" class=\"num\">Steekproef</th><th scope=\"col\" class=\"num\">"
	    "Uitgenodigd</th><th scope=\"col\" class=\"num\">Herinnerd</th><th scope=\"col\" "
	    "class=\"num\">Respons</th><th scope=\"col\" class=\"num\">Responspercentage</th>"
	    "<th scope=\"col\" class=\"num\">Mail mislukt</th></tr></thead>\n<tbody>\n");
	for (size_t c = 0; c < w.n_channels; c++)
		progress_row(pt, kto_channel_dutch(w.channels[c].channel), &w.channels[c].n);
	progress_row(pt, "Totaal", &w.totals);
	raw(pt, "</tbody>\n</table>\n</div>\n");
	if (portal_allowed(pt, code, PORTAL_MANAGE)) {
		if (strcmp(w.state, "draft") == 0 || w.continuous)
			wave_action_button(pt, code, id, "sample", "Steekproef trekken");
		if (strcmp(w.state, "closed") != 0)
			wave_action_button(pt, code, id, "close", "Meting sluiten");
	}
	raw(pt, "</section>\n");
}

static void
manager_forms(struct portal *pt, const char *code)
{
	raw(pt, "<h2>Contacten aanleveren</h2>\n<form method=\"post\" "
	    "enctype=\"multipart/form-data\" action=\"/portal/m/");
	kto_html_attr(&pt->p->body, code);
	raw(pt, "/upload\">");
	portal_csrf_field(pt);
	raw(pt, "<label class=\"field\" for=\"file\">CSV-bestand met klantcontacten "
	    "(contact_id, channel, contact_at, email)</label>\n<input type=\"file\" "
	    "id=\"file\" name=\"file\" accept=\".csv,text/csv\" required>\n"
	    "<p><button type=\"submit\">Uploaden</button></p>\n</form>\n"
	    "<h2>Nieuwe meting</h2>\n<form method=\"post\" action=\"/portal/m/");
	kto_html_attr(&pt->p->body, code);
	raw(pt, "/waves\">");
	portal_csrf_field(pt);
	raw(pt, "<label class=\"field\" for=\"from\">Contacten vanaf</label>\n"
	    "<input type=\"date\" id=\"from\" name=\"from\" required>\n"
	    "<label class=\"field\" for=\"to\">tot en met</label>\n"
	    "<input type=\"date\" id=\"to\" name=\"to\" required>\n"
	    "<fieldset><legend>Kanalen</legend>\n");
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		const char *name = kto_channel_name((enum kto_channel)c);

		kto_buf_addf(&pt->p->body, "<label class=\"opt\"><input type=\"checkbox\" "
		    "name=\"channel\" value=\"%s\" checked> ", name);
		text(pt, kto_channel_dutch((enum kto_channel)c));
		raw(pt, "</label>\n");
	}
	raw(pt, "</fieldset>\n<label class=\"field\" for=\"target\">Gewenste respons per "
	    "kanaal</label>\n<input type=\"number\" id=\"target\" name=\"target\" min=\"1\" "
	    "value=\"100\">\n<p><button type=\"submit\">Meting aanmaken</button></p>\n"
	    "</form>\n");
}

void
portal_municipality(struct portal *pt, const char *code)
{
	struct kto_municipality m;
	struct kto_wave_summary *waves = NULL;
	size_t n = 0;

	if (kto_municipality_find(pt->r->db, code, &m) != KTO_OK) {
		portal_message(pt, 404, "Niet gevonden", "Deze gemeente bestaat niet.");
		return;
	}
	if (kto_wave_list(pt->r->db, m.code, &waves, &n) != KTO_OK) {
		web_unavailable(pt->r, pt->p);
		return;
	}
	portal_begin(pt, m.name);
	raw(pt, "<h1>Gemeente ");
	text(pt, m.name);
	raw(pt, "</h1>\n<p><a href=\"/portal/m/");
	kto_html_attr(&pt->p->body, m.code);
	raw(pt, "/results\">Resultaten bekijken</a></p>\n<h2>Metingen</h2>\n");
	if (n == 0)
		raw(pt, "<p>Er zijn nog geen metingen.</p>\n");
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
	raw(pt, "\">Terug naar de metingen</a></p>\n");
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
	portal_begin(pt, "Contacten ingelezen");
	raw(pt, "<h1>Contacten ingelezen</h1>\n<p role=\"status\">");
	text(pt, file);
	kto_buf_addf(&pt->p->body, ": %lld rijen; %lld toegevoegd, %lld bijgewerkt, "
	    "%lld ongewijzigd, %lld afgewezen.</p>\n", (long long)rep->rows,
	    (long long)rep->total.added, (long long)rep->total.updated,
	    (long long)rep->total.unchanged, (long long)rep->total.rejected);
	if (rep->ignored[0]) {
		raw(pt, "<p>Niet opgeslagen kolommen (kto bewaart alleen wat het onderzoek "
		    "nodig heeft): ");
		text(pt, rep->ignored);
		raw(pt, "</p>\n");
	}
	if (rep->stopped) {
		raw(pt, "<div class=\"summary\" role=\"alert\"><p class=\"error\">Het inlezen "
		    "stopte: ");
		text(pt, rep->stop_reason);
		kto_buf_addf(&pt->p->body, ". De %lld rijen ervoor zijn bewaard; verbeter het "
		    "bestand en lees het opnieuw in.</p></div>\n", (long long)rep->committed_rows);
	}
	if (rep->n_rejects > 0) {
		raw(pt, "<table>\n<caption>Afgewezen rijen</caption>\n<thead><tr><th "
		    "scope=\"col\" class=\"num\">Rij</th><th scope=\"col\">Reden</th></tr>"
		    "</thead>\n<tbody>\n");
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
		portal_message(pt, 422, "Geen bestand", "Kies eerst een CSV-bestand om te "
		    "uploaden.");
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
		engine_error_page(pt, code, "Contacten niet ingelezen");
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
		portal_message(pt, 422, "Meting niet aangemaakt", "Vul beide datums in, kies "
		    "ten minste één kanaal en een gewenste respons van 1 of meer.");
		return;
	}
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
		spec.target[c] = t;
	if (kto_wave_create(pt->r->db, pt->s.account.email, &spec, &id) != KTO_OK) {
		engine_error_page(pt, code, "Meting niet aangemaakt");
		return;
	}
	snprintf(where, sizeof where, "/portal/m/%s#w%lld", code, (long long)id);
	portal_redirect(pt, where);
}

void
portal_wave_action(struct portal *pt, const char *code, const char *rest)
{
	struct kto_wave_info w;
	char id_s[24], where[96];
	const char *slash = strchr(rest, '/');
	int64_t id;
	enum kto_rc rc;

	if (slash == NULL || (size_t)(slash - rest) >= sizeof id_s) {
		portal_message(pt, 404, "Niet gevonden", "Deze pagina bestaat niet.");
		return;
	}
	memcpy(id_s, rest, (size_t)(slash - rest));
	id_s[slash - rest] = '\0';
	/* The wave must be this municipality's: the URL alone proves nothing. */
	if (kto_parse_i64(id_s, 1, INT64_MAX, &id) != KTO_OK ||
	    kto_wave_get_header(pt->r->db, id, &w) != KTO_OK ||
	    strcasecmp(w.municipality, code) != 0) {
		portal_message(pt, 404, "Niet gevonden", "Deze meting bestaat niet.");
		return;
	}
	if (strcmp(slash, "/sample") == 0)
		rc = kto_wave_sample(pt->r->db, pt->s.account.email, id, NULL);
	else if (strcmp(slash, "/close") == 0)
		rc = kto_wave_close(pt->r->db, pt->s.account.email, id);
	else {
		portal_message(pt, 404, "Niet gevonden", "Deze pagina bestaat niet.");
		return;
	}
	if (rc != KTO_OK) {
		engine_error_page(pt, code, "Dat kon niet");
		return;
	}
	snprintf(where, sizeof where, "/portal/m/%s#w%lld", code, (long long)id);
	portal_redirect(pt, where);
}
