/*
** The team's overview (KTO-rapportage): per comparison circle, its
** members' overall marks per channel against the circle and all
** participants, as a table and a chart (letter.h).
*/
#include "report/letter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/municipality.h"
#include "report/letter_int.h"
#include "report/wording.h"

struct unit_row {
	int ch;
	struct kto_result_row row;
};

struct overview {
	struct kto_municipality *mun;
	size_t n_mun;
	struct unit_row *rows;           /* TOT of municipalities and circles */
	size_t n_rows, cap_rows;
	struct kto_result_row all[LETTER_CHANNELS];
	bool has_all[LETTER_CHANNELS];
	const char *circle;              /* only this circle; NULL: all */
};

static bool
is_member(const struct overview *o, const char *code)
{
	for (size_t i = 0; i < o->n_mun; i++)
		if (strcmp(o->mun[i].code, code) == 0)
			return true;
	return false;
}

static enum kto_rc
on_row(void *ctx, const struct kto_result_row *r)
{
	struct overview *o = ctx;
	int c = letter_channel_index(r->channel);

	if (c < 0 || strcmp(r->variable, "TOT") != 0)
		return KTO_OK;
	if (strcmp(r->scope, "all") == 0) {
		o->all[c] = *r;
		o->has_all[c] = true;
		return KTO_OK;
	}
	if (strcmp(r->scope, "municipality") == 0 && !is_member(o, r->unit))
		return KTO_OK;
	if (o->n_rows == o->cap_rows) {
		size_t cap = o->cap_rows ? 2 * o->cap_rows : 256;
		struct unit_row *v = realloc(o->rows, cap * sizeof *v);

		if (v == NULL)
			return KTO_ENOMEM;
		o->rows = v;
		o->cap_rows = cap;
	}
	o->rows[o->n_rows].ch = c;
	o->rows[o->n_rows].row = *r;
	o->n_rows++;
	return KTO_OK;
}

static const struct kto_result_row *
find_row(const struct overview *o, const char *scope, const char *unit, int ch)
{
	for (size_t i = 0; i < o->n_rows; i++)
		if (o->rows[i].ch == ch && strcmp(o->rows[i].row.unit, unit) == 0 &&
		    strcmp(o->rows[i].row.scope, scope) == 0)
			return &o->rows[i].row;
	return NULL;
}

static bool
shown(const struct kto_result_row *r)
{
	return r != NULL && r->n > 0 && strcmp(r->flag, "too_few") != 0 &&
	    isfinite(r->estimate);
}

/* "7,4 ▲" over "n=212", "7,1*" over "n=64", "te weinig" over "n=12", "-". */
static void
cell_text(const struct kto_result_row *r, bool compare, char *out, size_t n)
{
	char est[16];
	const struct kto_result_comparison *c;

	if (r == NULL || r->n == 0) {
		snprintf(out, n, "-");
		return;
	}
	if (!shown(r)) {
		snprintf(out, n, "te weinig\nn=%lld", (long long)r->n);
		return;
	}
	c = &r->vs[0];
	kto_fmt_mark(KTO_LANG_NL, r->estimate, est, sizeof est);
	snprintf(out, n, "%s%s%s\nn=%lld", est, strcmp(r->flag, "indicative") == 0 ?
	    "*" : "", !compare || !c->made || c->significant == 0 ? "" :
	    c->significant > 0 ? " \xe2\x96\xb2" : " \xe2\x96\xbc", (long long)r->n);
}

static const struct doc_col cols[] = {
	{ 178, DOC_LEFT }, { 76, DOC_RIGHT }, { 76, DOC_RIGHT }, { 76, DOC_RIGHT },
	{ 76, DOC_RIGHT },
};
#define N_COLS (sizeof cols / sizeof cols[0])

static const char *const head[N_COLS] = { "", "Balie", "Telefoon", "E-mail",
	"Alle kanalen" };

static void
all_row(struct doc *d, const struct overview *o)
{
	char text[LETTER_CHANNELS][48];
	const char *cells[N_COLS] = { "Alle deelnemers" };

	for (int c = 0; c < LETTER_CHANNELS; c++) {
		cell_text(o->has_all[c] ? &o->all[c] : NULL, false, text[c], sizeof text[c]);
		cells[c + 1] = text[c];
	}
	doc_table_row(d, cols, N_COLS, cells, DOC_SMALL_BOLD, true);
}

static void
circle_section(struct doc *d, const struct overview *o, const char *code,
               const char *name)
{
	struct chart_bar *bars = calloc(o->n_mun + 1, sizeof *bars);
	const struct kto_result_row *circ = code[0] ? find_row(o, "circle", code,
	    LETTER_ALL) : NULL;
	size_t members = 0, nb = 0;
	char title[320], text[LETTER_CHANNELS][48];
	double h;

	for (size_t i = 0; i < o->n_mun; i++)
		members += strcmp(o->mun[i].circle_code, code) == 0;
	if (code[0])
		snprintf(title, sizeof title, "%s (%s): %zu gemeente%s", name, code,
		    members, members == 1 ? "" : "n");
	else
		snprintf(title, sizeof title, "Zonder kring: %zu gemeente%s", members,
		    members == 1 ? "" : "n");
	doc_heading(d, DOC_H2, title, 120);
	doc_table_row(d, cols, N_COLS, head, DOC_SMALL_BOLD, true);
	for (size_t i = 0; i < o->n_mun; i++) {
		const struct kto_municipality *m = &o->mun[i];
		const char *cells[N_COLS];
		char label[KTO_NAME_MAX + KTO_CODE_MAX + 8];
		const struct kto_result_row *tot;

		if (strcmp(m->circle_code, code) != 0)
			continue;
		snprintf(label, sizeof label, "%s (%s)", m->name, m->code);
		cells[0] = label;
		for (int c = 0; c < LETTER_CHANNELS; c++) {
			cell_text(find_row(o, "municipality", m->code, c), true, text[c],
			    sizeof text[c]);
			cells[c + 1] = text[c];
		}
		doc_table_row(d, cols, N_COLS, cells, DOC_SMALL, true);
		if (bars == NULL)
			continue;
		tot = find_row(o, "municipality", m->code, LETTER_ALL);
		bars[nb].label = m->name;
		bars[nb].est = bars[nb].lo = bars[nb].hi = NAN;
		bars[nb].empty_text = tot == NULL || tot->n == 0 ? "geen respons" :
		    kto_phrase_flag(KTO_LANG_NL, "too_few");
		if (shown(tot)) {
			bars[nb].est = tot->estimate;
			bars[nb].lo = tot->ci_low;
			bars[nb].hi = tot->ci_high;
			bars[nb].indicative = strcmp(tot->flag, "indicative") == 0;
		}
		bars[nb].circle = shown(circ) ? circ->estimate : NAN;
		bars[nb].everyone = o->has_all[LETTER_ALL] && shown(&o->all[LETTER_ALL]) ?
		    o->all[LETTER_ALL].estimate : NAN;
		nb++;
	}
	if (code[0]) {
		const char *cells[N_COLS] = { "Kring (gemiddelde)" };

		for (int c = 0; c < LETTER_CHANNELS; c++) {
			cell_text(find_row(o, "circle", code, c), false, text[c],
			    sizeof text[c]);
			cells[c + 1] = text[c];
		}
		doc_table_row(d, cols, N_COLS, cells, DOC_SMALL_BOLD, true);
	}
	all_row(d, o);
	d->y += 4;
	doc_paragraph(d, DOC_SMALL, "\xe2\x96\xb2/\xe2\x96\xbc: significant hoger/lager "
	    "dan de andere gemeenten in de kring (5%, Holm). *: indicatief (n onder "
	    "100 of een breed interval). Te weinig: minder dan 30 respondenten, geen "
	    "cijfer. Kring: het ongewogen gemiddelde van de leden.");
	if (bars != NULL) {
		h = chart_marks_height(nb);
		doc_need(d, h + 20);
		doc_text_at(d, DOC_SMALL_BOLD, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT,
		    "Totaaloordeel, alle kanalen samen");
		d->y += 14;
		chart_marks(d, d->y, bars, nb, "kring", "alle deelnemers");
		d->y += h + 6;
	}
	free(bars);
}

struct circle_ref {
	const char *code, *name;
};

/* Names as people order them: "Kring 2" before "Kring 10". */
static int
natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *p = a, *q = b;
			size_t la, lb;

			while (*p == '0')
				p++;
			while (*q == '0')
				q++;
			for (a = p; *a >= '0' && *a <= '9'; a++)
				;
			for (b = q; *b >= '0' && *b <= '9'; b++)
				;
			la = (size_t)(a - p);
			lb = (size_t)(b - q);
			if (la != lb)
				return la < lb ? -1 : 1;
			if (memcmp(p, q, la) != 0)
				return memcmp(p, q, la);
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int
by_name(const void *a, const void *b)
{
	const struct circle_ref *x = a, *y = b;

	/* Municipalities without a circle come last. */
	if (!x->code[0] || !y->code[0])
		return !x->code[0] - !y->code[0];
	return natural_cmp(x->name, y->name);
}

static void
write_overview(struct doc *d, const struct overview *o,
               const struct kto_result_set_info *set, const char *scope)
{
	struct circle_ref *circles = calloc(o->n_mun + 1, sizeof *circles);
	size_t nc = 0;
	char line[512], date[40];

	cairo_set_source_rgb(d->cr, 0.35, 0.35, 0.35);
	d->y += doc_text_at(d, DOC_TITLE_SMALL, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT,
	    "Klanttevredenheidsonderzoek \xc2\xb7 KTO-rapportage") + 2;
	cairo_set_source_rgb(d->cr, 0, 0, 0);
	d->y += doc_text_at(d, DOC_H1, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT,
	    "Overzicht per vergelijkingskring") + 2;
	letter_dutch_date(set->computed_at, date, sizeof date);
	snprintf(line, sizeof line, "%s \xc2\xb7 resultaatset %lld, berekend op %s uit "
	    "%lld ingevulde vragenlijsten", scope, (long long)set->id, date,
	    (long long)set->responses);
	d->y += doc_text_at(d, DOC_BODY, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT, line) + 6;
	doc_rule(d, d->y, DOC_TEXT_W);
	d->y += 8;
	doc_paragraph(d, DOC_BODY, "Per vergelijkingskring het totaaloordeel van elke "
	    "gemeente per kanaal, met het aantal respondenten (n), naast het "
	    "gemiddelde van de kring en alle deelnemers.");
	if (circles == NULL)
		return;
	for (size_t i = 0; i < o->n_mun; i++) {
		size_t k;

		for (k = 0; k < nc; k++)
			if (strcmp(circles[k].code, o->mun[i].circle_code) == 0)
				break;
		if (k == nc) {
			circles[nc].code = o->mun[i].circle_code;
			circles[nc].name = o->mun[i].circle_name;
			nc++;
		}
	}
	qsort(circles, nc, sizeof *circles, by_name);
	doc_table_row(d, cols, N_COLS, head, DOC_SMALL_BOLD, true);
	all_row(d, o);
	if (nc == 0)
		doc_paragraph(d, DOC_BODY, "Er zijn geen gemeenten.");
	else
		doc_heading(d, DOC_H2, "De kringen", 40);
	for (size_t k = 0; k < nc; k++) {
		char label[KTO_NAME_MAX + KTO_CODE_MAX + 8], text[LETTER_CHANNELS][48];
		const char *cells[N_COLS];

		if (k == 0)
			doc_table_row(d, cols, N_COLS, head, DOC_SMALL_BOLD, true);
		if (!circles[k].code[0]) {
			snprintf(label, sizeof label, "Zonder kring");
			for (int c = 0; c < LETTER_CHANNELS; c++)
				snprintf(text[c], sizeof text[c], "-");
		} else {
			snprintf(label, sizeof label, "%s (%s)", circles[k].name, circles[k].code);
			for (int c = 0; c < LETTER_CHANNELS; c++)
				cell_text(find_row(o, "circle", circles[k].code, c), false,
				    text[c], sizeof text[c]);
		}
		cells[0] = label;
		for (int c = 0; c < LETTER_CHANNELS; c++)
			cells[c + 1] = text[c];
		doc_table_row(d, cols, N_COLS, cells, DOC_SMALL, true);
	}
	for (size_t k = 0; k < nc; k++) {
		if (k > 0 || nc > 1)
			doc_new_page(d);
		circle_section(d, o, circles[k].code, circles[k].name);
	}
	free(circles);
}

enum kto_rc
kto_overview_write(struct kto_db *db, const struct kto_results_scope *scope,
                   const char *circle, struct kto_buf *pdf)
{
	struct overview o;
	struct kto_result_set_info set;
	struct doc d;
	int64_t id;
	char scope_text[64], title[128];
	enum kto_rc rc;

	memset(&o, 0, sizeof o);
	o.circle = circle;
	if ((rc = kto_municipality_list(db, circle, &o.mun, &o.n_mun)) != KTO_OK)
		return rc;
	if ((rc = kto_results_latest(db, scope, &id)) != KTO_OK ||
	    (rc = kto_results_set_info(db, id, &set)) != KTO_OK ||
	    (rc = kto_results_rows(db, id, NULL, NULL, on_row, &o)) != KTO_OK)
		goto out;
	if (scope->wave_id)
		snprintf(scope_text, sizeof scope_text, "Meting %lld",
		    (long long)scope->wave_id);
	else
		snprintf(scope_text, sizeof scope_text, "Jaar %d", scope->year);
	snprintf(title, sizeof title, "KTO-rapportage %s", scope_text);
	if ((rc = doc_begin(&d, pdf, title, title)) != KTO_OK)
		goto out;
	write_overview(&d, &o, &set, scope_text);
	rc = doc_end(&d);
out:
	free(o.mun);
	free(o.rows);
	return rc;
}
