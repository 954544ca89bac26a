/*
** The Brief op Maat: a municipality's results of a wave or a year, in
** plain Dutch, as a PDF (letter.h).  Sections: the overall marks per
** channel, the strongest and weakest areas, the service norms, the
** priority matrix with the points to improve first, and the response and
** method.  Every comparison is worded by report/wording.c from the result
** set's significance; nothing here decides that a difference exists.
*/
#include "report/letter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/letter_int.h"
#include "report/wording.h"

const char *const letter_channel_title[LETTER_CHANNELS] = {
	"Balie", "Telefoon", "E-mail", "Alle kanalen"
};

bool
letter_shown(const struct kto_result_row *r)
{
	return r->n > 0 && strcmp(r->flag, "too_few") != 0 && isfinite(r->estimate);
}

bool
letter_indicative(const struct kto_result_row *r)
{
	return strcmp(r->flag, "indicative") == 0;
}

/* "significant hoger dan uw kring (7,1)", or without the reference. */
void
letter_comparison_text(enum kto_against k, const struct kto_result_comparison *c, bool share,
                char *out, size_t n)
{
	char ref[16];

	if (c->made && isfinite(c->reference)) {
		if (share)
			kto_fmt_pct(c->reference, ref, sizeof ref);
		else
			kto_fmt_mark(KTO_LANG_NL, c->reference, ref, sizeof ref);
		snprintf(out, n, "%s (%s)", kto_phrase_comparison(KTO_LANG_NL, k, c), ref);
	} else {
		snprintf(out, n, "%s", kto_phrase_comparison(KTO_LANG_NL, k, c));
	}
}

void
letter_integer_text(int64_t v, char *out, size_t n)
{
	snprintf(out, n, "%lld", (long long)v);
}

/* ------------------------------------------------------------------ */
/* The head of the first page                                          */

static void
scope_text(const struct letter *l, char *out, size_t n)
{
	char from[32], to[32];

	letter_dutch_date(l->from, from, sizeof from);
	letter_dutch_date(l->to, to, sizeof to);
	if (l->scope.wave_id)
		snprintf(out, n, "meting %lld, van %s tot en met %s",
		    (long long)l->scope.wave_id, from, to);
	else if (l->n_waves > 0)
		snprintf(out, n, "jaar %d (contacten van %s tot en met %s)", l->scope.year,
		    from, to);
	else
		snprintf(out, n, "jaar %d", l->scope.year);
}

static void
write_head(struct doc *d, const struct letter *l)
{
	char line[1024], scope[160];

	scope_text(l, scope, sizeof scope);
	scope[0] = (char)(scope[0] - 'a' + 'A');
	cairo_set_source_rgb(d->cr, 0.35, 0.35, 0.35);
	d->y += doc_text_at(d, DOC_TITLE_SMALL, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT,
	    "Klanttevredenheidsonderzoek \xc2\xb7 Brief op Maat") + 2;
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	d->y += doc_text_at(d, DOC_H1, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT,
	    l->mun.name) + 2;
	snprintf(line, sizeof line, "Gemeentecode %s \xc2\xb7 %s%s%s", l->mun.code, scope,
	    l->mun.circle_name[0] ? " \xc2\xb7 vergelijkingskring " : "",
	    l->mun.circle_name);
	d->y += doc_text_at(d, DOC_BODY, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT, line) + 6;
	doc_rule(d, d->y, DOC_TEXT_W);
	d->y += 8;
	snprintf(line, sizeof line, "Hoe beoordelen inwoners die contact hadden met uw "
	    "gemeente de dienstverlening? Deze brief zet uw cijfers naast die van %s. "
	    "Een verschil noemen wij alleen als het significant is, dus niet door "
	    "toeval te verklaren; anders schrijven wij \xe2\x80\x98gelijk "
	    "aan\xe2\x80\x99. Achteraan leest u hoe de cijfers tot stand komen.",
	    l->mun.circle_name[0] ? "de andere gemeenten in uw vergelijkingskring, van "
	    "alle deelnemers en van vorig jaar" : "alle deelnemers en van vorig jaar "
	    "(uw gemeente is nog in geen vergelijkingskring ingedeeld)");
	doc_paragraph(d, DOC_BODY, line);
	if (!l->ch[LETTER_ALL].has_mine || l->ch[LETTER_ALL].mine.n == 0)
		doc_paragraph(d, DOC_BOLD, "In deze periode heeft geen inwoner de "
		    "vragenlijst van uw gemeente ingevuld. Daarom staan er in deze brief "
		    "geen cijfers van uw gemeente.");
}

/* ------------------------------------------------------------------ */
/* 1. The overall marks                                                */

static const struct doc_col mark_cols[] = {
	{ 90, DOC_LEFT }, { 36, DOC_RIGHT }, { 42, DOC_RIGHT }, { 80, DOC_RIGHT },
	{ 64, DOC_RIGHT }, { 64, DOC_RIGHT }, { 106, DOC_LEFT },
};
#define N_MARK_COLS (sizeof mark_cols / sizeof mark_cols[0])

static void
mark_table(struct doc *d, const struct letter *l)
{
	const char *head[N_MARK_COLS] = { "Kanaal", "n", "Cijfer", "95%-interval",
	    "voldoende", "8 of meer", "Opmerking" };
	char level[32];

	snprintf(level, sizeof level, "%.0f%%-interval", 100 * (l->set.level > 0 ?
	    l->set.level : 0.95));
	head[3] = level;
	doc_table_row(d, mark_cols, N_MARK_COLS, head, DOC_SMALL_BOLD, true);
	for (int c = 0; c < LETTER_CHANNELS; c++) {
		const struct letter_channel *ch = &l->ch[c];
		const struct kto_result_row *r = &ch->mine;
		const char *cells[N_MARK_COLS];
		char n[24], est[16], ci[40], pass[16], high[16];

		if (!ch->present)
			continue;
		letter_integer_text(ch->has_mine ? r->n : 0, n, sizeof n);
		cells[0] = letter_channel_title[c];
		cells[1] = n;
		if (!ch->has_mine || r->n == 0) {
			cells[2] = "geen respons";
			cells[3] = cells[4] = cells[5] = NULL;
			cells[6] = "";
		} else if (!letter_shown(r)) {
			cells[2] = kto_phrase_flag(KTO_LANG_NL, "too_few");
			cells[3] = cells[4] = cells[5] = NULL;
			cells[6] = "n onder 30";
		} else {
			kto_fmt_mark(KTO_LANG_NL, r->estimate, est, sizeof est);
			kto_fmt_interval(KTO_LANG_NL, r->ci_low, r->ci_high, false, ci, sizeof ci);
			kto_fmt_pct(r->pass, pass, sizeof pass);
			kto_fmt_pct(r->high, high, sizeof high);
			cells[2] = est;
			cells[3] = ci;
			cells[4] = pass;
			cells[5] = high;
			cells[6] = kto_phrase_flag(KTO_LANG_NL, r->flag);
		}
		doc_table_row(d, mark_cols, N_MARK_COLS, cells,
		    c == LETTER_ALL ? DOC_BOLD : DOC_BODY, true);
	}
}

static void
mark_chart(struct doc *d, const struct letter *l)
{
	struct chart_bar bars[LETTER_CHANNELS];
	size_t n = 0;
	double h;

	for (int c = 0; c < LETTER_CHANNELS; c++) {
		const struct letter_channel *ch = &l->ch[c];
		const struct kto_result_row *r = &ch->mine;
		struct chart_bar *b = &bars[n];

		if (!ch->present)
			continue;
		n++;
		b->label = letter_channel_title[c];
		b->est = b->lo = b->hi = b->circle = b->everyone = NAN;
		b->indicative = false;
		b->empty_text = !ch->has_mine || r->n == 0 ? "geen respons" :
		    kto_phrase_flag(KTO_LANG_NL, "too_few");
		if (ch->has_mine && letter_shown(r)) {
			b->est = r->estimate;
			b->lo = r->ci_low;
			b->hi = r->ci_high;
			b->indicative = letter_indicative(r);
		}
		/* The circle as the municipality is compared with it: the others. */
		if (ch->has_mine && r->vs[0].made)
			b->circle = r->vs[0].reference;
		else if (ch->has_circle && letter_shown(&ch->circle))
			b->circle = ch->circle.estimate;
		if (ch->has_all && letter_shown(&ch->all))
			b->everyone = ch->all.estimate;
	}
	h = chart_marks_height(n);
	doc_need(d, h + 6);
	d->y += 4;
	chart_marks(d, d->y, bars, n, "uw kring", "alle deelnemers");
	d->y += h + 6;
}

static void
mark_sentences(struct doc *d, const struct letter *l)
{
	for (int c = 0; c < LETTER_CHANNELS; c++) {
		const struct letter_channel *ch = &l->ch[c];
		const struct kto_result_row *r = &ch->mine;
		char text[1024], est[16], ci[40], cmp[3][128];

		if (!ch->present)
			continue;
		if (!ch->has_mine || r->n == 0) {
			snprintf(text, sizeof text, "%s: geen ingevulde vragenlijsten, dus "
			    "geen cijfer.", letter_channel_title[c]);
		} else if (!letter_shown(r)) {
			snprintf(text, sizeof text, "%s: te weinig waarnemingen (n = %lld) om "
			    "een cijfer te tonen of te vergelijken.", letter_channel_title[c],
			    (long long)r->n);
		} else {
			kto_fmt_mark(KTO_LANG_NL, r->estimate, est, sizeof est);
			kto_fmt_interval(KTO_LANG_NL, r->ci_low, r->ci_high, false, ci, sizeof ci);
			for (int k = 0; k < 3; k++)
				letter_comparison_text((enum kto_against)k, &r->vs[k], false, cmp[k],
				    sizeof cmp[k]);
			snprintf(text, sizeof text, "%s: %s%s (n = %lld): %s, %s en %s.",
			    letter_channel_title[c], est, letter_indicative(r) ? ", indicatief" : "",
			    (long long)r->n, cmp[0], cmp[1], cmp[2]);
		}
		doc_paragraph(d, DOC_BODY, text);
	}
}

static void
section_marks(struct doc *d, const struct letter *l)
{
	doc_heading(d, DOC_H2, "1. Uw rapportcijfers", 80);
	doc_paragraph(d, DOC_BODY, "Het totaaloordeel: het rapportcijfer (1 tot 10) dat "
	    "inwoners aan hun contact gaven, per kanaal en voor alle kanalen samen.");
	mark_table(d, l);
	mark_chart(d, l);
	mark_sentences(d, l);
}

/* ------------------------------------------------------------------ */
/* 2. Strongest and weakest areas                                      */

static int
by_estimate_desc(const void *a, const void *b)
{
	const struct kto_result_row *x = *(const struct kto_result_row *const *)a;
	const struct kto_result_row *y = *(const struct kto_result_row *const *)b;

	return x->estimate < y->estimate ? 1 : x->estimate > y->estimate ? -1 :
	    strcmp(x->variable, y->variable);
}

static void
area_item(struct doc *d, int i, const struct kto_result_row *r)
{
	char prefix[24], text[512], est[16], cmp[128], label[80];

	kto_fmt_mark(KTO_LANG_NL, r->estimate, est, sizeof est);
	letter_comparison_text(KTO_AGAINST_CIRCLE, &r->vs[0], false, cmp, sizeof cmp);
	snprintf(prefix, sizeof prefix, "%d.", i);
	snprintf(text, sizeof text, "%s: %s%s (n = %lld), %s", kto_variable_label(KTO_LANG_NL, 
	    r->variable, label, sizeof label), est, letter_indicative(r) ? ", indicatief" : "",
	    (long long)r->n, cmp);
	doc_item(d, prefix, 16, text);
}

static void
section_areas(struct doc *d, const struct letter *l)
{
	const struct kto_result_row **v = calloc(l->n_areas + 1, sizeof *v);
	size_t k = 0, top, bottom;
	char hidden[512] = "", label[80];

	doc_heading(d, DOC_H2, "2. Sterke en zwakke punten", 110);
	if (v == NULL) {
		doc_paragraph(d, DOC_ITALIC, "(niet genoeg geheugen voor dit onderdeel)");
		return;
	}
	for (size_t i = 0; i < l->n_areas; i++) {
		size_t len = strlen(hidden);

		if (letter_shown(&l->areas[i]))
			v[k++] = &l->areas[i];
		else if (l->areas[i].n > 0)
			snprintf(hidden + len, sizeof hidden - len, "%s%s", len ? ", " : "",
			    kto_variable_label(KTO_LANG_NL, l->areas[i].variable, label, sizeof label));
	}
	if (k == 0) {
		doc_paragraph(d, DOC_BODY, "Geen prestatiegebied heeft genoeg waarnemingen "
		    "(minstens 30) om een cijfer te tonen.");
		free(v);
		return;
	}
	qsort(v, k, sizeof *v, by_estimate_desc);
	top = k < 6 ? (k + 1) / 2 : 3;
	bottom = k - top < 3 ? k - top : 3;
	doc_paragraph(d, DOC_BODY, "De prestatiegebieden met uw hoogste en laagste "
	    "cijfers, over alle kanalen samen, elk vergeleken met uw kring.");
	/* Each list kept on one page with its heading. */
	doc_heading(d, DOC_BOLD, "Sterkste punten", 13.0 * (double)top);
	for (size_t i = 0; i < top; i++)
		area_item(d, (int)i + 1, v[i]);
	if (bottom > 0) {
		doc_heading(d, DOC_BOLD, "Zwakste punten", 13.0 * (double)bottom);
		for (size_t i = 0; i < bottom; i++)
			area_item(d, (int)i + 1, v[k - 1 - i]);
	}
	if (hidden[0]) {
		char text[640];

		snprintf(text, sizeof text, "Te weinig waarnemingen voor: %s.", hidden);
		doc_paragraph(d, DOC_SMALL, text);
	}
	free(v);
}

/* ------------------------------------------------------------------ */

/* Draws the letter l into pdf. */
static enum kto_rc
render(struct letter *l, struct kto_buf *pdf)
{
	struct doc d;
	char title[400], footer[400], year[32];
	enum kto_rc rc;

	if (l->scope.wave_id)
		snprintf(year, sizeof year, "meting %lld", (long long)l->scope.wave_id);
	else
		snprintf(year, sizeof year, "%d", l->scope.year);
	snprintf(title, sizeof title, "Brief op Maat %s \xe2\x80\x93 %s", year, l->mun.name);
	snprintf(footer, sizeof footer, "Brief op Maat %s \xc2\xb7 %s (%s)", year,
	    l->mun.name, l->mun.code);
	if ((rc = doc_begin(&d, pdf, title, footer)) != KTO_OK)
		return rc;
	write_head(&d, l);
	section_marks(&d, l);
	section_areas(&d, l);
	letter_section_norms(&d, l);
	letter_section_matrix(&d, l);
	letter_section_method(&d, l);
	return doc_end(&d);
}

enum kto_rc
kto_letter_write(struct kto_db *db, const char *municipality,
                 const struct kto_results_scope *scope, struct kto_buf *pdf)
{
	struct letter *l = calloc(1, sizeof *l);
	enum kto_rc rc;

	if (l == NULL)
		return KTO_ENOMEM;
	if ((rc = letter_load(db, municipality, scope, l)) == KTO_OK) {
		rc = render(l, pdf);
		letter_free(l);
	}
	free(l);
	return rc;
}

enum kto_rc
kto_letter_batch_write(const struct kto_letter_batch *b, struct kto_db *db,
                       const char *municipality, struct kto_buf *pdf)
{
	struct letter *l = calloc(1, sizeof *l);
	enum kto_rc rc;

	if (l == NULL)
		return KTO_ENOMEM;
	if ((rc = letter_load_batch(db, b, municipality, l)) == KTO_OK) {
		rc = render(l, pdf);
		letter_free(l);
	}
	free(l);
	return rc;
}
