/*
** The later sections of the Brief op Maat (letter.c): the service norms,
** the priority matrix with the points to improve first, and the response
** with the notes on method.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/letter_int.h"
#include "report/wording.h"

/* ------------------------------------------------------------------ */
/* 3. Service norms                                                    */

static const struct doc_col norm_cols[] = {
	{ 162, DOC_LEFT }, { 28, DOC_RIGHT }, { 32, DOC_RIGHT }, { 60, DOC_RIGHT },
	{ 32, DOC_RIGHT }, { 80, DOC_LEFT }, { 88, DOC_LEFT },
};
#define N_NORM_COLS (sizeof norm_cols / sizeof norm_cols[0])
#define NORM_BAR_X (DOC_MARGIN + 394 + 6)
#define NORM_BAR_W 76.0

static void
norm_label(const struct letter_norm *ln, char *out, size_t n)
{
	int c = letter_channel_index(ln->row.channel);

	snprintf(out, n, "%s: %s (%s)", c >= 0 ? letter_channel_title[c] : ln->row.channel,
	    ln->text[0] ? ln->text : "servicenorm", ln->row.variable + 5);
}

static int
by_channel_norm(const void *a, const void *b)
{
	const struct letter_norm *x = a, *y = b;
	int cx = letter_channel_index(x->row.channel), cy = letter_channel_index(y->row.channel);
	size_t lx = strlen(x->row.variable), ly = strlen(y->row.variable);

	if (cx != cy)
		return cx - cy;
	/* norm:N4 before norm:N10 */
	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->row.variable, y->row.variable);
}

void
letter_section_norms(struct doc *d, struct letter *l)
{
	const char *head[N_NORM_COLS] = { "Servicenorm", "n", "%", "interval",
	    "Doel", "Oordeel", "" };

	size_t asked = 0;

	for (size_t i = 0; i < l->n_norms; i++)
		asked += l->norms[i].row.n > 0;
	doc_heading(d, DOC_H2, "3. Servicenormen", 70);
	if (asked == 0) {
		doc_paragraph(d, DOC_BODY, l->n_norms == 0 ? "In deze meting zijn geen "
		    "servicenormen gemeten." : "Geen respondent heeft de vragen over de "
		    "servicenormen beantwoord.");
		return;
	}
	qsort(l->norms, l->n_norms, sizeof *l->norms, by_channel_norm);
	doc_paragraph(d, DOC_BODY, "Bij hoeveel procent van de respondenten de "
	    "beloofde service werd gehaald, tegen het doel van de norm.");
	doc_table_row(d, norm_cols, N_NORM_COLS, head, DOC_SMALL_BOLD, true);
	for (size_t i = 0; i < l->n_norms; i++) {
		const struct kto_result_row *r = &l->norms[i].row;
		const char *cells[N_NORM_COLS];
		char label[320], n[24], est[16], ci[40], target[16], few[64];
		double top;

		if (r->n == 0)       /* asked of no one: a channel without responses */
			continue;
		norm_label(&l->norms[i], label, sizeof label);
		letter_integer_text(r->n, n, sizeof n);
		kto_fmt_pct(r->target, target, sizeof target);
		cells[0] = label;
		cells[1] = n;
		cells[4] = isfinite(r->target) ? target : "-";
		cells[6] = "";
		if (!letter_shown(r)) {
			snprintf(few, sizeof few, "%s%s%s", kto_phrase_flag(KTO_LANG_NL, "too_few"),
			    isfinite(r->target) ? "; doel " : "", isfinite(r->target) ?
			    target : "");
			cells[2] = few;
			cells[3] = cells[4] = cells[5] = NULL;
		} else {
			kto_fmt_pct(r->estimate, est, sizeof est);
			kto_fmt_interval(KTO_LANG_NL, r->ci_low, r->ci_high, true, ci, sizeof ci);
			cells[2] = est;
			cells[3] = ci;
			cells[5] = isfinite(r->target) ? kto_phrase_target(KTO_LANG_NL, r->vs_target) : "";
		}
		top = doc_table_row(d, norm_cols, N_NORM_COLS, cells, DOC_SMALL, true);
		if (letter_shown(r))
			chart_norm_bar(d, NORM_BAR_X, top, NORM_BAR_W, d->y - top,
			    r->estimate, r->ci_low, r->ci_high, r->target);
		else
			chart_norm_bar(d, NORM_BAR_X, top, NORM_BAR_W, d->y - top, NAN,
			    NAN, NAN, r->target);
	}
	doc_need(d, 40);
	d->y += 2 + chart_norm_scale(d, NORM_BAR_X, d->y + 1, NORM_BAR_W);
	doc_paragraph(d, DOC_SMALL, "Gehaald: ook de onderkant van het interval ligt "
	    "boven het doel. Niet gehaald: ook de bovenkant ligt eronder. Onbeslist: "
	    "het doel ligt binnen het interval; met deze aantallen is niet te zeggen "
	    "of de norm gehaald is.");
}

/* ------------------------------------------------------------------ */
/* 4. The priority matrix                                              */

static int
by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const struct kto_result_row *
area_row(const struct letter *l, const char *area)
{
	for (size_t i = 0; i < l->n_areas; i++)
		if (strcmp(l->areas[i].variable + 5, area) == 0)
			return &l->areas[i];
	return NULL;
}

static int
by_importance_desc(const void *a, const void *b)
{
	const struct kto_result_driver *x = *(const struct kto_result_driver *const *)a;
	const struct kto_result_driver *y = *(const struct kto_result_driver *const *)b;

	return x->importance < y->importance ? 1 : x->importance > y->importance ? -1 :
	    strcmp(x->area, y->area);
}

static size_t
improve_count(const struct letter *l, const char *quadrant)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n_drivers; i++)
		k += strcmp(l->drivers[i].quadrant, quadrant) == 0 &&
		    isfinite(l->drivers[i].importance);
	return k;
}

static void
improve_list(struct doc *d, const struct letter *l, const char *quadrant,
             const char *none)
{
	const struct kto_result_driver **v = calloc(l->n_drivers + 1, sizeof *v);
	size_t k = 0;

	if (v == NULL)
		return;
	for (size_t i = 0; i < l->n_drivers; i++)
		if (strcmp(l->drivers[i].quadrant, quadrant) == 0 &&
		    isfinite(l->drivers[i].importance))
			v[k++] = &l->drivers[i];
	qsort(v, k, sizeof *v, by_importance_desc);
	if (k == 0)
		doc_paragraph(d, DOC_BODY, none);
	for (size_t i = 0; i < k; i++) {
		const struct kto_result_row *r = area_row(l, v[i]->area);
		char prefix[24], text[512], imp[16], est[16], cmp[128], label[80], var[24];

		snprintf(var, sizeof var, "area:%s", v[i]->area);
		kto_fmt_decimal2(KTO_LANG_NL, v[i]->importance, imp, sizeof imp);
		snprintf(prefix, sizeof prefix, "%zu.", i + 1);
		if (r != NULL && letter_shown(r)) {
			kto_fmt_mark(KTO_LANG_NL, r->estimate, est, sizeof est);
			letter_comparison_text(KTO_AGAINST_CIRCLE, &r->vs[0], false, cmp, sizeof cmp);
			snprintf(text, sizeof text, "%s (belang %s): uw cijfer %s, %s",
			    kto_variable_label(KTO_LANG_NL, var, label, sizeof label), imp, est, cmp);
		} else {
			snprintf(text, sizeof text, "%s (belang %s)",
			    kto_variable_label(KTO_LANG_NL, var, label, sizeof label), imp);
		}
		doc_item(d, prefix, 16, text);
	}
	free(v);
}

void
letter_section_matrix(struct doc *d, const struct letter *l)
{
	struct chart_point *pts = calloc(l->n_drivers + 1, sizeof *pts);
	double *imp = calloc(l->n_drivers + 1, sizeof *imp);
	char (*labels)[80] = calloc(l->n_drivers + 1, sizeof *labels);
	size_t k = 0;
	int64_t n = 0;
	double r2 = NAN, median, h;
	char text[768], r2s[16];
	static const char title[] = "4. Prioriteitenmatrix: wat eerst verbeteren?";

	if (pts == NULL || imp == NULL || labels == NULL) {
		doc_heading(d, DOC_H2, title, 40);
		doc_paragraph(d, DOC_ITALIC, "(niet genoeg geheugen voor dit onderdeel)");
		goto out;
	}
	for (size_t i = 0; i < l->n_drivers; i++) {
		const struct kto_result_driver *dr = &l->drivers[i];
		char var[24], tmp[80];

		if (dr->n > n) {
			n = dr->n;
			r2 = dr->r2;
		}
		if (!isfinite(dr->importance) || !isfinite(dr->vs_circle) || !dr->quadrant[0])
			continue;
		snprintf(var, sizeof var, "area:%s", dr->area);
		snprintf(labels[k], sizeof labels[k], "%s", kto_variable_label(KTO_LANG_NL, var,
		    tmp, sizeof tmp));
		pts[k].label = labels[k];
		pts[k].x = dr->vs_circle;
		pts[k].y = dr->importance;
		imp[k] = dr->importance;
		k++;
	}
	if (k == 0) {
		doc_heading(d, DOC_H2, title, 40);
		doc_paragraph(d, DOC_BODY, n == 0 ? "Voor een prioriteitenmatrix zijn "
		    "minstens 30 respondenten nodig die alle prestatiegebieden "
		    "beoordeelden; die zijn er in deze meting niet. Daarom is niet te "
		    "zeggen welke gebieden het zwaarst wegen voor het totaaloordeel." :
		    "De prestatiegebieden zijn niet met uw kring te vergelijken, dus er "
		    "is geen prioriteitenmatrix.");
		goto out;
	}
	qsort(imp, k, sizeof *imp, by_double);
	median = k % 2 ? imp[k / 2] : (imp[k / 2 - 1] + imp[k / 2]) / 2;
	kto_fmt_decimal2(KTO_LANG_NL, r2, r2s, sizeof r2s);
	snprintf(text, sizeof text, "Omhoog: het belang van een prestatiegebied, hoe "
	    "zwaar het weegt voor het totaaloordeel. Naar rechts: uw cijfer min dat "
	    "van de andere gemeenten in uw kring. Linksboven staan de gebieden die u "
	    "het eerst verbetert. Berekend op %lld respondenten die alle gebieden "
	    "beoordeelden; samen verklaren de gebieden %s van de spreiding in het "
	    "totaaloordeel (R\xc2\xb2).", (long long)n, r2s);
	h = chart_matrix_height();
	/* The heading, its explanation and the matrix on one page. */
	doc_heading(d, DOC_H2, title, doc_text_height(d, DOC_BODY, DOC_TEXT_W, text) +
	    h + 8);
	doc_paragraph(d, DOC_BODY, text);
	doc_need(d, h + 4);
	chart_matrix(d, d->y, pts, k, median);
	d->y += h + 4;
	doc_heading(d, DOC_BOLD, "Punten om eerst te verbeteren", 30);
	improve_list(d, l, "verbeteren", "Geen: bij de gebieden die het zwaarst "
	    "wegen voor het totaaloordeel ligt uw cijfer niet onder het "
	    "kringgemiddelde.");
	if (improve_count(l, "bewaken") == 0) {
		doc_paragraph(d, DOC_BODY, "Om te bewaken (onder uw kring, maar minder "
		    "zwaar wegend): geen.");
	} else {
		doc_heading(d, DOC_BOLD, "Om te bewaken (onder uw kring, maar minder "
		    "zwaar wegend)", 24);
		improve_list(d, l, "bewaken", "");
	}
out:
	free(pts);
	free(imp);
	free(labels);
}

/* ------------------------------------------------------------------ */
/* 5. Response and method                                              */

static const struct doc_col resp_cols[] = {
	{ 84, DOC_LEFT }, { 76, DOC_RIGHT }, { 76, DOC_RIGHT }, { 96, DOC_RIGHT },
	{ 60, DOC_RIGHT }, { 90, DOC_RIGHT },
};
#define N_RESP_COLS (sizeof resp_cols / sizeof resp_cols[0])

void
letter_section_method(struct doc *d, const struct letter *l)
{
	const char *head[N_RESP_COLS] = { "Kanaal", "Contacten", "Uitgenodigd",
	    "Ingevuld", "Respons", "n (cijfer)" };
	char text[1200], date[40], level[8];

	doc_heading(d, DOC_H2, "5. Respons en methode", 90);
	doc_table_row(d, resp_cols, N_RESP_COLS, head, DOC_SMALL_BOLD, true);
	for (int c = 0; c < LETTER_CHANNELS; c++) {
		const struct letter_channel *ch = &l->ch[c];
		const char *cells[N_RESP_COLS];
		char pop[24], inv[24], resp[24], rate[16], n[24];

		if (!ch->present)
			continue;
		letter_integer_text(ch->counts.population, pop, sizeof pop);
		letter_integer_text(ch->counts.invited, inv, sizeof inv);
		letter_integer_text(ch->counts.responded, resp, sizeof resp);
		letter_integer_text(ch->has_mine ? ch->mine.n : 0, n, sizeof n);
		kto_fmt_pct(ch->counts.invited > 0 ? (double)ch->counts.responded /
		    (double)ch->counts.invited : NAN, rate, sizeof rate);
		cells[0] = letter_channel_title[c];
		cells[1] = pop;
		cells[2] = inv;
		cells[3] = resp;
		cells[4] = rate;
		cells[5] = n;
		doc_table_row(d, resp_cols, N_RESP_COLS, cells,
		    c == LETTER_ALL ? DOC_SMALL_BOLD : DOC_SMALL, true);
	}
	d->y += 4;
	snprintf(level, sizeof level, "%.0f%%", 100 * (l->set.level > 0 ? l->set.level : 0.95));
	doc_paragraph(d, DOC_SMALL, "Contacten: wie in de periode contact had via het "
	    "kanaal. Respons: het deel van de uitgenodigden dat de vragenlijst "
	    "invulde. n: de respondenten die de vraag beantwoordden; "
	    "\xe2\x80\x98weet niet\xe2\x80\x99 telt niet mee.");
	doc_paragraph(d, DOC_SMALL, "Rapportcijfer: het gemiddelde van de cijfers (1 "
	    "tot 10); voldoende is 5,5 of meer. Voor alle kanalen samen telt elk "
	    "kanaal mee naar zijn aantal contacten, niet naar zijn aantal "
	    "respondenten. Een prestatiegebied is per respondent het gemiddelde van "
	    "zijn cijfers voor de vragen over dat gebied.");
	snprintf(text, sizeof text, "Interval: elk cijfer is een schatting uit een "
	    "steekproef. Met %s zekerheid ligt het cijfer van al uw klanten binnen het "
	    "%s-interval; meer respondenten geven een smaller interval.", level, level);
	doc_paragraph(d, DOC_SMALL, text);
	doc_paragraph(d, DOC_SMALL, "Significant: te groot om door toeval te ontstaan "
	    "(toets op 5%, gecorrigeerd voor het aantal vergelijkingen dat samen "
	    "getoond wordt, volgens Holm). Alleen dan schrijven wij "
	    "\xe2\x80\x98significant hoger\xe2\x80\x99 of \xe2\x80\x98significant "
	    "lager\xe2\x80\x99; \xe2\x80\x98gelijk aan\xe2\x80\x99 betekent dat er geen "
	    "aantoonbaar verschil is, \xe2\x80\x98niet te vergelijken\xe2\x80\x99 dat een "
	    "van beide cijfers ontbreekt.");
	doc_paragraph(d, DOC_SMALL, "Uw kring: het gemiddelde van de andere gemeenten "
	    "in uw vergelijkingskring, elke gemeente even zwaar. Alle deelnemers: alle "
	    "respondenten samen, uw gemeente inbegrepen. Vorig jaar: uw eigen cijfer "
	    "van het jaar ervoor.");
	doc_paragraph(d, DOC_SMALL, "Te weinig waarnemingen: minder dan 30 "
	    "respondenten; dan tonen wij geen cijfer. Indicatief: 30 tot 99 "
	    "respondenten, of een interval breder dan 0,5 naar boven en beneden. "
	    "Belang: hoe sterk een gebied samenhangt met het totaaloordeel (de "
	    "gestandaardiseerde coëfficiënt in een regressie van het totaaloordeel "
	    "op de gebieden).");
	letter_dutch_date(l->set.computed_at, date, sizeof date);
	snprintf(text, sizeof text, "Berekend op %s uit %lld ingevulde vragenlijsten "
	    "van alle deelnemers (resultaatset %lld).", date,
	    (long long)l->set.responses, (long long)l->set.id);
	doc_paragraph(d, DOC_SMALL_ITALIC, text);
}

