/*
** A municipality's results in the portal: charts first, numbers beside
** them.  The year's newest result set (or ?year=); the overall mark per
** channel against the circle, the areas, the service norms against their
** targets, the distribution of the marks, the circle's members by name
** (aggregates only), the priority matrix, the trend over the years, and
** the tailored letter to download.  Words for every comparison come from
** report/wording, so a difference is only called one when it is
** significant.
*/
#include "web/portal_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strparse.h"
#include "engine/municipality.h"
#include "engine/results.h"
#include "report/chart_svg.h"
#include "report/letter.h"
#include "report/wording.h"
#include "web/html.h"

#define MAX_ROWS 512

/* The rows of one result set this page needs. */
struct rows {
	const char *code;            /* the municipality */
	struct kto_result_row *row;
	size_t n, cap;
};

static enum kto_rc
keep_row(void *ctx, const struct kto_result_row *r)
{
	struct rows *rs = ctx;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 64;
		struct kto_result_row *p = realloc(rs->row, cap * sizeof *p);

		if (p == NULL)
			return KTO_ENOMEM;
		rs->row = p;
		rs->cap = cap;
	}
	rs->row[rs->n++] = *r;
	return KTO_OK;
}

static const struct kto_result_row *
find(const struct rows *rs, const char *scope, const char *unit, const char *channel,
     const char *variable)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->row[i].scope, scope) == 0 &&
		    (unit == NULL || strcasecmp(rs->row[i].unit, unit) == 0) &&
		    strcmp(rs->row[i].channel, channel) == 0 &&
		    strcmp(rs->row[i].variable, variable) == 0)
			return &rs->row[i];
	return NULL;
}

static void
raw(struct portal *pt, const char *s)
{
	kto_buf_adds(&pt->p->body, s);
}

static void
text(struct portal *pt, const char *s)
{
	kto_html_text(&pt->p->body, s);
}

static struct kto_chart_bar
bar_of(const struct kto_result_row *r, const char *label)
{
	struct kto_chart_bar b = { label, NAN, NAN, NAN, -1, true, false, 0 };

	if (r == NULL)
		return b;
	b.value = r->estimate;
	b.low = r->ci_low;
	b.high = r->ci_high;
	b.n = (long)r->n;
	b.suppressed = strcmp(r->flag, "too_few") == 0;
	b.indicative = strcmp(r->flag, "indicative") == 0;
	b.significant = r->vs[KTO_AGAINST_CIRCLE].made ?
	    r->vs[KTO_AGAINST_CIRCLE].significant : 0;
	return b;
}

static const char *const channels[] = { "counter", "phone", "email", "all" };

/* A channel's name in the page's language. */
static const char *
channel_name(const struct portal *pt, const char *channel)
{
	return kto_phrase_channel(pt->lang, channel);
}

/* A chart's head in the page's language. */
static struct kto_chart_head
chart_head(const struct portal *pt, const char *id, const char *title, const char *desc)
{
	struct kto_chart_head h = { id, title, desc, false, pt->lang };

	return h;
}

static void
fmt_value(const struct portal *pt, bool share, double v, char *out, size_t n)
{
	if (share)
		kto_fmt_pct(v, out, n);
	else
		kto_fmt_mark(pt->lang, v, out, n);
}

/* The mark, its interval and n, or why there is none, in a table cell. */
static void
mark_cells(struct portal *pt, const struct kto_result_row *r, bool share)
{
	char v[16], lo[16], hi[16];

	if (r == NULL || strcmp(r->flag, "too_few") == 0) {
		raw(pt, "<td colspan=\"3\">");
		text(pt, r == NULL ? nl_en(pt, "geen gegevens", "no data") :
		    kto_phrase_flag(pt->lang, "too_few"));
		raw(pt, "</td>");
		return;
	}
	fmt_value(pt, share, r->estimate, v, sizeof v);
	fmt_value(pt, share, r->ci_low, lo, sizeof lo);
	fmt_value(pt, share, r->ci_high, hi, sizeof hi);
	kto_buf_addf(&pt->p->body, "<td class=\"num\">%s%s</td><td>%s %s %s</td>"
	    "<td class=\"num\">%lld</td>", v, strcmp(r->flag, "indicative") == 0 ?
	    "*" : "", lo, nl_en(pt, "tot", "to"), hi, (long long)r->n);
}

static void
comparison_cell(struct portal *pt, const struct kto_result_row *r, enum kto_against k)
{
	const struct kto_result_comparison *c = r ? &r->vs[k] : NULL;
	char d[16];

	raw(pt, "<td>");
	if (c != NULL && c->made) {
		kto_fmt_mark_diff(pt->lang, c->diff, d, sizeof d);
		raw(pt, c->significant > 0 ? "<span class=\"up\">\xe2\x96\xb2</span> " :
		    c->significant < 0 ? "<span class=\"down\">\xe2\x96\xbc</span> " : "");
		text(pt, kto_phrase_comparison(pt->lang, k, c));
		if (strcmp(r->kind, "mark") == 0)
			kto_buf_addf(&pt->p->body, " (%s)", d);
	} else {
		text(pt, "-");
	}
	raw(pt, "</td>");
}

static void
headline(struct portal *pt, const struct rows *rs, const char *circle)
{
	struct kto_chart_bar bars[4];
	const struct kto_result_row *ref = find(rs, "circle", circle, "all", "TOT");
	struct kto_chart_head head = chart_head(pt, "tot",
	    nl_en(pt, "Rapportcijfer per kanaal", "Mark per channel"),
	    nl_en(pt, "Het totaaloordeel per kanaal met het 95%-betrouwbaarheidsinterval; "
	    "de stippellijn is het cijfer van uw kring.", "The overall mark per channel "
	    "with its 95% confidence interval; the dashed line is your circle's mark."));

	raw(pt, nl_en(pt, "<h2>Rapportcijfer</h2>\n", "<h2>Mark</h2>\n"));
	for (int c = 0; c < 4; c++)
		bars[c] = bar_of(find(rs, "municipality", rs->code, channels[c], "TOT"),
		    channel_name(pt, channels[c]));
	kto_chart_bars(&pt->p->body, &head, KTO_CHART_MARKS, bars, 4,
	    ref ? ref->estimate : NAN, nl_en(pt, "kring", "circle"), NAN, NAN);
	/* Seven columns: scrolled in a named, focusable region on a phone. */
	raw(pt, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" "
	    "aria-labelledby=\"tab-tot\">\n<table>\n<caption id=\"tab-tot\">");
	raw(pt, nl_en(pt, "Rapportcijfer per kanaal (* indicatief: minder dan "
	    "100 waarnemingen of een marge groter dan 0,5)</caption>\n<thead><tr><th "
	    "scope=\"col\">Kanaal</th><th scope=\"col\" class=\"num\">Cijfer</th><th "
	    "scope=\"col\">95%-interval</th><th scope=\"col\" class=\"num\">n</th><th "
	    "scope=\"col\">Ten opzichte van uw kring</th><th scope=\"col\">Alle "
	    "deelnemers</th><th scope=\"col\">Vorig jaar</th></tr></thead>\n<tbody>\n",
	    "Mark per channel (* indicative: fewer than 100 responses or a margin "
	    "wider than 0.5)</caption>\n<thead><tr><th scope=\"col\">Channel</th><th "
	    "scope=\"col\" class=\"num\">Mark</th><th scope=\"col\">95% interval</th>"
	    "<th scope=\"col\" class=\"num\">n</th><th scope=\"col\">Against your "
	    "circle</th><th scope=\"col\">All participants</th><th scope=\"col\">Last "
	    "year</th></tr></thead>\n<tbody>\n"));
	for (int c = 0; c < 4; c++) {
		const struct kto_result_row *r = find(rs, "municipality", rs->code,
		    channels[c], "TOT");

		raw(pt, "<tr><th scope=\"row\">");
		text(pt, channel_name(pt, channels[c]));
		raw(pt, "</th>");
		mark_cells(pt, r, false);
		for (int k = 0; k < 3; k++)
			comparison_cell(pt, r, (enum kto_against)k);
		raw(pt, "</tr>\n");
	}
	raw(pt, "</tbody>\n</table>\n</div>\n");
}

static void
areas(struct portal *pt, const struct rows *rs)
{
	struct kto_chart_bar bars[16];
	char names[16][32];
	size_t n = 0;
	struct kto_chart_head head = chart_head(pt, "areas",
	    nl_en(pt, "Prestatiegebieden, alle kanalen", "Performance areas, all channels"),
	    nl_en(pt, "Het gemiddelde cijfer per prestatiegebied; driehoekjes geven een "
	    "significant verschil met uw kring aan.", "The mean mark per performance "
	    "area; triangles mark a significant difference from your circle."));

	for (size_t i = 0; i < rs->n && n < 16; i++) {
		const struct kto_result_row *r = &rs->row[i];

		if (strcmp(r->scope, "municipality") != 0 || strcmp(r->channel, "all") != 0 ||
		    strncmp(r->variable, "area:", 5) != 0)
			continue;
		char tmp[32];

		snprintf(names[n], sizeof names[n], "%s", kto_variable_label(pt->lang,
		    r->variable, tmp, sizeof tmp));
		bars[n] = bar_of(r, names[n]);
		n++;
	}
	raw(pt, nl_en(pt, "<h2>Prestatiegebieden</h2>\n", "<h2>Performance areas</h2>\n"));
	if (n == 0) {
		raw(pt, nl_en(pt, "<p>Er zijn geen cijfers per prestatiegebied.</p>\n",
		    "<p>There are no marks per performance area.</p>\n"));
		return;
	}
	kto_chart_bars(&pt->p->body, &head, KTO_CHART_MARKS, bars, n, NAN, NULL, NAN, NAN);
}

static void
norms(struct portal *pt, const struct rows *rs)
{
	bool any = false;

	for (size_t i = 0; i < rs->n; i++) {
		const struct kto_result_row *r = &rs->row[i];
		char label[32], target[16];

		if (strcmp(r->scope, "municipality") != 0 || strncmp(r->variable, "norm:", 5) != 0)
			continue;
		if (!any) {
			raw(pt, nl_en(pt, "<h2>Servicenormen</h2>\n", "<h2>Service norms</h2>\n"));
			raw(pt, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" "
			    "aria-labelledby=\"tab-norm\">\n<table>\n<caption id=\"tab-norm\">");
			raw(pt, nl_en(pt, "Percentage waarbij de norm is gehaald</caption>\n"
			    "<thead><tr><th scope=\"col\">Norm</th><th scope=\"col\">Kanaal</th>"
			    "<th scope=\"col\" class=\"num\">Gehaald</th><th scope=\"col\">"
			    "95%-interval</th><th scope=\"col\" class=\"num\">n</th><th "
			    "scope=\"col\">Doel</th><th scope=\"col\">Oordeel</th></tr></thead>\n"
			    "<tbody>\n", "Share of contacts where the norm was met</caption>\n"
			    "<thead><tr><th scope=\"col\">Norm</th><th scope=\"col\">Channel</th>"
			    "<th scope=\"col\" class=\"num\">Met</th><th scope=\"col\">95% "
			    "interval</th><th scope=\"col\" class=\"num\">n</th><th "
			    "scope=\"col\">Target</th><th scope=\"col\">Verdict</th></tr></thead>\n"
			    "<tbody>\n"));
			any = true;
		}
		raw(pt, "<tr><th scope=\"row\">");
		text(pt, kto_variable_label(pt->lang, r->variable, label, sizeof label));
		raw(pt, "</th><td>");
		text(pt, channel_name(pt, r->channel));
		raw(pt, "</td>");
		mark_cells(pt, r, true);
		kto_fmt_pct(r->target, target, sizeof target);
		kto_buf_addf(&pt->p->body, "<td>%s</td><td>%s%s</td></tr>\n", target,
		    r->vs_target >= -1 && r->vs_target <= 1 ?
		    kto_phrase_target(pt->lang, r->vs_target) : "-", r->vs_target == 0 ?
		    nl_en(pt, " (het doel ligt binnen de marge)",
		    " (the target lies within the margin)") : "");
	}
	if (any)
		raw(pt, "</tbody>\n</table>\n</div>\n");
}

static void
distribution(struct portal *pt, const struct rows *rs)
{
	struct kto_chart_dist_row rows[4];
	double groups[4][3];
	size_t n = 0;
	struct kto_chart_head head = chart_head(pt, "dist",
	    nl_en(pt, "Verdeling van het rapportcijfer", "Distribution of the mark"),
	    nl_en(pt, "Het aandeel onvoldoendes, zessen en zevens, en achten of hoger per "
	    "kanaal.", "The share of fails, sixes and sevens, and eights or more per "
	    "channel."));

	for (int c = 0; c < 4; c++) {
		const struct kto_result_row *r = find(rs, "municipality", rs->code,
		    channels[c], "TOT");

		if (r == NULL || !r->has_distribution)
			continue;
		kto_chart_group_marks(r->distribution, groups[n]);
		rows[n] = (struct kto_chart_dist_row){ channel_name(pt, channels[c]),
		    groups[n], (long)r->n,
		    strcmp(r->flag, "too_few") == 0, strcmp(r->flag, "indicative") == 0 };
		n++;
	}
	raw(pt, nl_en(pt, "<h2>Verdeling van de cijfers</h2>\n",
	    "<h2>Distribution of the marks</h2>\n"));
	kto_chart_stacked(&pt->p->body, &head, kto_chart_mark_groups(pt->lang), 3, rows, n);
}

static void
circle_members(struct portal *pt, const struct rows *rs)
{
	bool any = false;

	for (size_t i = 0; i < rs->n; i++) {
		const struct kto_result_row *r = &rs->row[i];

		if (strcmp(r->scope, "municipality") != 0 || strcmp(r->channel, "all") != 0 ||
		    strcmp(r->variable, "TOT") != 0)
			continue;
		if (!any) {
			raw(pt, nl_en(pt, "<h2>Uw kring</h2>\n<table>\n<caption>Rapportcijfer "
			    "van de gemeenten in uw kring, alle kanalen</caption>\n<thead><tr><th "
			    "scope=\"col\">Gemeente</th><th scope=\"col\" class=\"num\">Cijfer"
			    "</th><th scope=\"col\">95%-interval</th><th scope=\"col\" "
			    "class=\"num\">n</th></tr></thead>\n<tbody>\n", "<h2>Your circle</h2>"
			    "\n<table>\n<caption>Mark of the municipalities in your circle, all "
			    "channels</caption>\n<thead><tr><th scope=\"col\">Municipality</th>"
			    "<th scope=\"col\" class=\"num\">Mark</th><th scope=\"col\">95% "
			    "interval</th><th scope=\"col\" class=\"num\">n</th></tr></thead>\n"
			    "<tbody>\n"));
			any = true;
		}
		raw(pt, strcasecmp(r->unit, rs->code) == 0 ? "<tr><th scope=\"row\"><strong>" :
		    "<tr><th scope=\"row\">");
		text(pt, r->unit);
		raw(pt, strcasecmp(r->unit, rs->code) == 0 ? "</strong></th>" : "</th>");
		mark_cells(pt, r, false);
		raw(pt, "</tr>\n");
	}
	if (any)
		raw(pt, "</tbody>\n</table>\n");
}

struct drivers {
	enum kto_lang lang;
	struct kto_chart_priority_point point[16];
	char label[16][32];
	size_t n;
};

static enum kto_rc
keep_driver(void *ctx, const struct kto_result_driver *d)
{
	struct drivers *ds = ctx;
	char area[32], tmp[32];

	if (ds->n == 16)
		return KTO_OK;
	snprintf(area, sizeof area, "area:%s", d->area);
	snprintf(ds->label[ds->n], sizeof ds->label[ds->n], "%s",
	    kto_variable_label(ds->lang, area, tmp, sizeof tmp));
	ds->point[ds->n] = (struct kto_chart_priority_point){ ds->label[ds->n],
	    d->vs_circle, d->importance };
	ds->n++;
	return KTO_OK;
}

static void
priority(struct portal *pt, int64_t set, const char *code)
{
	struct drivers ds;
	struct kto_chart_head head = chart_head(pt, "prio",
	    nl_en(pt, "Prioriteitenmatrix", "Priority matrix"),
	    nl_en(pt, "Hoe sterk elk prestatiegebied het totaaloordeel bepaalt, tegen uw "
	    "cijfer ten opzichte van uw kring.", "How strongly each performance area "
	    "drives the overall mark, against your mark compared with your circle."));

	memset(&ds, 0, sizeof ds);
	ds.lang = pt->lang;
	if (kto_results_drivers(pt->r->db, set, code, keep_driver, &ds) != KTO_OK)
		return;
	raw(pt, nl_en(pt, "<h2>Prioriteitenmatrix</h2>\n", "<h2>Priority matrix</h2>\n"));
	kto_chart_priority(&pt->p->body, &head, ds.point, ds.n, NAN,
	    nl_en(pt, "kring", "circle"));
}

/* The overall mark over the years, own and circle. */
static void
trend(struct portal *pt, const char *code, const char *circle)
{
	struct kto_result_set_info *years = NULL;
	size_t n = 0, k = 0;
	struct kto_chart_point own[12], theirs[12];
	char period[12][8];
	const char *periods[12];
	struct kto_chart_series series[2] = {
		{ nl_en(pt, "Uw gemeente", "Your municipality"), own },
		{ nl_en(pt, "Kring", "Circle"), theirs } };
	struct kto_chart_head head = chart_head(pt, "trend",
	    nl_en(pt, "Rapportcijfer door de jaren", "Mark over the years"),
	    nl_en(pt, "Het totaaloordeel van alle kanalen per jaar, van uw gemeente en uw "
	    "kring.", "The overall mark of all channels per year, of your municipality "
	    "and your circle."));

	if (kto_results_years(pt->r->db, &years, &n) != KTO_OK)
		return;
	for (size_t i = n; i-- > 0 && k < 12;) {      /* oldest first */
		struct rows rs = { code, NULL, 0, 0 };
		const struct kto_result_row *a, *b;

		if (kto_results_rows_where(pt->r->db, years[i].id, code, "all", "TOT",
		    keep_row, &rs) != KTO_OK) {
			free(rs.row);
			continue;
		}
		a = find(&rs, "municipality", code, "all", "TOT");
		b = find(&rs, "circle", circle, "all", "TOT");
		snprintf(period[k], sizeof period[k], "%d", years[i].year);
		periods[k] = period[k];
		own[k] = (struct kto_chart_point){ a ? a->estimate : NAN, a ? a->ci_low : NAN,
		    a ? a->ci_high : NAN, a ? (long)a->n : -1,
		    a == NULL || strcmp(a->flag, "too_few") == 0,
		    a != NULL && strcmp(a->flag, "indicative") == 0 };
		theirs[k] = (struct kto_chart_point){ b ? b->estimate : NAN, b ? b->ci_low : NAN,
		    b ? b->ci_high : NAN, b ? (long)b->n : -1, b == NULL, false };
		k++;
		free(rs.row);
	}
	free(years);
	raw(pt, nl_en(pt, "<h2>Door de jaren</h2>\n", "<h2>Over the years</h2>\n"));
	kto_chart_trend(&pt->p->body, &head, KTO_CHART_MARKS, periods, k, series, 2,
	    NAN, NAN);
}

/*
** The overall mark per wave, for a municipality that measures several
** times (kto results compute --wave): only when there are two or more.
*/
static void
trend_waves(struct portal *pt, const char *code)
{
	struct kto_result_set_info *waves = NULL;
	size_t n = 0, k = 0;
	struct kto_chart_point own[12];
	char period[12][24];
	const char *periods[12];
	struct kto_chart_series series[1] = {
		{ nl_en(pt, "Uw gemeente", "Your municipality"), own } };
	struct kto_chart_head head = chart_head(pt, "trend-waves",
	    nl_en(pt, "Rapportcijfer per meting", "Mark per wave"),
	    nl_en(pt, "Het totaaloordeel van alle kanalen per meting.",
	    "The overall mark of all channels per wave."));

	if (kto_results_waves(pt->r->db, code, &waves, &n) != KTO_OK || n < 2) {
		free(waves);
		return;
	}
	/* The newest twelve, oldest first. */
	for (size_t i = n > 12 ? n - 12 : 0; i < n; i++) {
		struct rows rs = { code, NULL, 0, 0 };
		const struct kto_result_row *a;

		if (kto_results_rows_where(pt->r->db, waves[i].id, code, "all", "TOT",
		    keep_row, &rs) != KTO_OK) {
			free(rs.row);
			continue;
		}
		a = find(&rs, "municipality", code, "all", "TOT");
		snprintf(period[k], sizeof period[k], "%s %lld", nl_en(pt, "meting", "wave"),
		    (long long)waves[i].wave_id);
		periods[k] = period[k];
		own[k] = (struct kto_chart_point){ a ? a->estimate : NAN, a ? a->ci_low : NAN,
		    a ? a->ci_high : NAN, a ? (long)a->n : -1,
		    a == NULL || strcmp(a->flag, "too_few") == 0,
		    a != NULL && strcmp(a->flag, "indicative") == 0 };
		k++;
		free(rs.row);
	}
	free(waves);
	raw(pt, nl_en(pt, "<h2>Per meting</h2>\n", "<h2>Per wave</h2>\n"));
	kto_chart_trend(&pt->p->body, &head, KTO_CHART_MARKS, periods, k, series, 1,
	    NAN, NAN);
}

/* The year asked for (?year=), else the newest with results. */
static bool
pick_set(struct portal *pt, int64_t *set, int *year)
{
	const char *y = pt->r->arg ? pt->r->arg(pt->r, "year") : NULL;
	struct kto_results_scope scope = { 0, 0, 0, 0 };
	struct kto_result_set_info *years = NULL;
	size_t n = 0;
	int64_t v;

	if (y != NULL && kto_parse_i64(y, 1000, 9999, &v) == KTO_OK) {
		scope.year = (int)v;
	} else {
		if (kto_results_years(pt->r->db, &years, &n) != KTO_OK || n == 0) {
			free(years);
			return false;
		}
		scope.year = years[0].year;
		free(years);
	}
	*year = scope.year;
	return kto_results_latest(pt->r->db, &scope, set) == KTO_OK;
}

void
portal_results(struct portal *pt, const char *code)
{
	struct kto_municipality m;
	struct rows rs = { NULL, NULL, 0, 0 };
	char title[sizeof m.name + 32];
	int64_t set;
	int year = 0;

	if (kto_municipality_find(pt->r->db, code, &m) != KTO_OK) {
		portal_message(pt, 404, nl_en(pt, "Niet gevonden", "Not found"),
		    nl_en(pt, "Deze gemeente bestaat niet.", "This municipality does not exist."));
		return;
	}
	rs.code = m.code;
	if (!pick_set(pt, &set, &year)) {
		portal_message(pt, 404, nl_en(pt, "Nog geen resultaten", "No results yet"),
		    nl_en(pt, "Voor deze gemeente zijn nog geen resultaten berekend. Het "
		    "benchmarkteam doet dat na de meting.", "No results have been computed for "
		    "this municipality yet. The benchmark team does that after the wave."));
		return;
	}
	/* This municipality's rows, its circle's and everyone's; the other
	 * members' overall marks only (aggregates, by name). */
	if (kto_results_rows(pt->r->db, set, m.code, NULL, keep_row, &rs) != KTO_OK ||
	    kto_results_rows_where(pt->r->db, set, NULL, "all", "TOT", keep_row, &rs) != KTO_OK) {
		free(rs.row);
		web_unavailable(pt->r, pt->p);
		return;
	}
	/* The title names the year and the municipality, as the heading does. */
	snprintf(title, sizeof title, "%s %d: %s", nl_en(pt, "Resultaten", "Results"), year,
	    m.name);
	portal_begin(pt, title);
	kto_buf_addf(&pt->p->body, "<h1>%s %d: ", nl_en(pt, "Resultaten", "Results"), year);
	text(pt, m.name);
	raw(pt, "</h1>\n<p><a href=\"/portal/m/");
	kto_html_attr(&pt->p->body, m.code);
	/* download: saved as a file with a telling name, not opened in a tab. */
	kto_buf_addf(&pt->p->body, "/letter.pdf?year=%d\" download=\"brief-op-maat-", year);
	kto_html_attr(&pt->p->body, m.code);
	kto_buf_addf(&pt->p->body, "-%d.pdf\">%s</a> &middot; <a href=\"/portal/m/", year,
	    nl_en(pt, "Brief op Maat (PDF)", "Tailored letter (PDF, in Dutch)"));
	kto_html_attr(&pt->p->body, m.code);
	kto_buf_addf(&pt->p->body, "/answers?year=%d\">%s</a></p>\n", year,
	    nl_en(pt, "Open antwoorden", "Open answers"));
	headline(pt, &rs, m.circle_code);
	areas(pt, &rs);
	norms(pt, &rs);
	distribution(pt, &rs);
	priority(pt, set, m.code);
	trend(pt, m.code, m.circle_code);
	trend_waves(pt, m.code);
	if (m.circle_code[0]) {
		struct rows members = { m.code, NULL, 0, 0 };
		struct kto_municipality *mun = NULL;
		size_t nm = 0;

		if (kto_municipality_list(pt->r->db, m.circle_code, &mun, &nm) == KTO_OK)
			for (size_t i = 0; i < nm; i++) {
				const struct kto_result_row *r = find(&rs, "municipality",
				    mun[i].code, "all", "TOT");

				if (r != NULL)
					keep_row(&members, r);
			}
		circle_members(pt, &members);
		free(members.row);
		free(mun);
	}
	raw(pt, nl_en(pt, "<p class=\"note\">Cijfers met een komma; het interval is het "
	    "95%-betrouwbaarheidsinterval. Een verschil heet alleen hoger of lager als "
	    "het statistisch significant is (5%, met Holm-correctie).</p>\n",
	    "<p class=\"note\">The interval is the 95% confidence interval. A difference "
	    "is only called higher or lower when it is statistically significant (5%, "
	    "with Holm's correction).</p>\n"));
	portal_end(pt);
	free(rs.row);
}

void
portal_letter(struct portal *pt, const char *code)
{
	struct kto_results_scope scope = { 0, 0, 0, 0 };
	int64_t set;
	int year;

	if (!pick_set(pt, &set, &year)) {
		portal_message(pt, 404, nl_en(pt, "Nog geen resultaten", "No results yet"),
		    nl_en(pt, "Er is nog geen brief: de resultaten zijn nog niet berekend.",
		    "There is no letter yet: the results have not been computed."));
		return;
	}
	scope.year = year;
	kto_buf_release(&pt->p->body);
	kto_buf_init(&pt->p->body, 64 * 1024 * 1024);
	if (kto_letter_write(pt->r->db, code, &scope, &pt->p->body) != KTO_OK) {
		kto_buf_reset(&pt->p->body);
		portal_message(pt, 500, nl_en(pt, "Brief niet gemaakt", "Letter not made"),
		    nl_en(pt, "De brief kon niet worden gemaakt. Probeer het later opnieuw.",
		    "The letter could not be made. Please try again later."));
		return;
	}
	pt->p->content_type = "application/pdf";
}
