/*
** report/chart_svg_stacked: rows of 100% bars split into categories
** (chart_svg.h).
**
** Categories are told apart by pattern as well as colour, and by a legend
** in the same order; segments are parted by a thin white gap that every
** fill contrasts with at 3:1 or more.  A segment wide enough for its
** percentage carries it.
*/
#include "report/chart_svg.h"
#include "report/chart_svg_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define LINE_H 17.0
#define BAR_H  24.0
#define GAP    12.0

/* The marks 1 to 10, red through grey to blue: 4.4:1 to 10.6:1 on white. */
static const char *const marks_colour[10] = {
	"#7a1a12", "#96281b", "#b3361e", "#c0501f", "#b86200",
	"#6e6e6e", "#5c5c5c", "#4a7ab0", "#2f6299", "#1f4e79",
};
static const int marks_kind[10] = { 1, 2, 3, 4, 0, 1, 2, 3, 4, 0 };
/* Onvoldoende, 6-7, 8-10. */
static const char *const groups_colour[3] = { "#b3361e", "#6e6e6e", "#2f6299" };
static const int groups_kind[3] = { 1, 2, 0 };
/* Any other number of categories. */
static const char *const other_colour[6] = {
	"#1f4e79", "#a6500f", "#444444", "#2e6b30", "#6a3d9a", "#b3261e",
};

static void
style_of(size_t n_categories, size_t c, const char **colour, int *kind)
{
	if (n_categories == 10) {
		*colour = marks_colour[c];
		*kind = marks_kind[c];
	} else if (n_categories == 3) {
		*colour = groups_colour[c];
		*kind = groups_kind[c];
	} else {
		*colour = other_colour[(c + c / 6) % 6];
		*kind = (int)(c % KTO_SVG_PATTERNS);
	}
}

/* The sum of the shares that count; 0 when there is nothing to draw. */
static double
total(const struct kto_chart_dist_row *r, size_t n_categories)
{
	double sum = 0;

	if (r->suppressed || r->shares == NULL)
		return 0;
	for (size_t c = 0; c < n_categories; c++)
		if (isfinite(r->shares[c]) && r->shares[c] > 0)
			sum += r->shares[c];
	return sum;
}

static double
share(const struct kto_chart_dist_row *r, size_t c, double sum)
{
	return isfinite(r->shares[c]) && r->shares[c] > 0 ? r->shares[c] / sum : 0;
}

static size_t
row_label(const struct kto_svg *w, const struct kto_chart_dist_row *r, char *ns, size_t size,
          double *max_width)
{
	struct kto_svg_line lines[2];
	size_t k;

	kto_svg_fmt_n(w, r->n, r->indicative && !r->suppressed, ns, size);
	*max_width = KTO_SVG_W - 2 * KTO_SVG_PAD -
	    (ns[0] != '\0' ? kto_svg_text_width(ns, strlen(ns), KTO_SVG_SMALL) + 10 : 0);
	k = kto_svg_wrap(r->label, *max_width, KTO_SVG_FONT, 2, lines);
	return k > 0 ? k : 1;
}

static void
draw_segments(struct kto_svg *w, const struct kto_chart_dist_row *r, size_t n_categories,
              double sum, double top)
{
	double x = KTO_SVG_PAD, full = KTO_SVG_W - 2 * KTO_SVG_PAD;

	for (size_t c = 0; c < n_categories; c++) {
		double width = share(r, c, sum) * full;
		char pct[32];

		if (width <= 0)
			continue;
		kto_svg_raw(w, "<rect x=\"");
		kto_svg_num(w, x);
		kto_svg_raw(w, "\" y=\"");
		kto_svg_num(w, top);
		kto_svg_raw(w, "\" width=\"");
		kto_svg_num(w, width);
		kto_svg_raw(w, "\" height=\"");
		kto_svg_num(w, BAR_H);
		kto_svg_f(w, "\" fill=\"url(#%s-c%zu)\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
		    w->id, c);
		kto_svg_fmt_value(w, KTO_CHART_SHARES, share(r, c, sum), pct, sizeof pct);
		if (width >= kto_svg_text_width(pct, strlen(pct), KTO_SVG_SMALL) * 1.1 + 6)
			kto_svg_text1(w, x + width / 2, top + BAR_H / 2 + 4, "font-size=\"12\" "
			    "font-weight=\"bold\" text-anchor=\"middle\" fill=\"" KTO_SVG_INK "\""
			    KTO_SVG_HALO, pct, strlen(pct));
		x += width;
	}
}

/* The legend, its entries flowing over as many lines as they need. */
static void
draw_legend(struct kto_svg *w, const char *const *categories, size_t n_categories)
{
	double x = KTO_SVG_PAD, y = w->y + 4;

	for (size_t c = 0; c < n_categories; c++) {
		const char *name = categories[c] != NULL ? categories[c] : "";
		const char *colour;
		double tw = fmin(kto_svg_text_width(name, strlen(name), KTO_SVG_SMALL),
		    KTO_SVG_W - 2 * KTO_SVG_PAD - 22);
		int kind;

		style_of(n_categories, c, &colour, &kind);
		if (x > KTO_SVG_PAD && x + 22 + tw > KTO_SVG_W - KTO_SVG_PAD) {
			x = KTO_SVG_PAD;
			y += 20;
		}
		kto_svg_raw(w, "<rect x=\"");
		kto_svg_num(w, x);
		kto_svg_raw(w, "\" y=\"");
		kto_svg_num(w, y);
		kto_svg_f(w, "\" width=\"15\" height=\"15\" fill=\"url(#%s-c%zu)\" stroke=\"%s\"/>",
		    w->id, c, colour);
		kto_svg_text(w, x + 21, y + 12, tw, KTO_SVG_SMALL, 1, 0,
		    "font-size=\"12\" fill=\"" KTO_SVG_INK "\"", name);
		x += 21 + tw + 16;
	}
	w->y = y + 22;
}

static void
describe(struct kto_svg *w, const char *const *categories, size_t n_categories,
         const struct kto_chart_dist_row *r)
{
	double sum = total(r, n_categories);
	char ns[48];

	kto_svg_desc(w, r->label != NULL && r->label[0] != '\0' ? r->label : kto_svg_word(w,
	    "(zonder naam)", "(no name)"));
	kto_svg_desc(w, ": ");
	if (r->suppressed || sum <= 0) {
		kto_svg_desc_value(w, KTO_CHART_SHARES, NAN, NAN, NAN, r->n, r->suppressed,
		    r->indicative);
		kto_svg_desc(w, ". ");
		return;
	}
	for (size_t c = 0; c < n_categories; c++) {
		char pct[32];

		kto_svg_fmt_value(w, KTO_CHART_SHARES, share(r, c, sum), pct, sizeof pct);
		kto_svg_descf(w, "%s%s %s", c > 0 ? ", " : "",
		    categories[c] != NULL ? categories[c] : "", pct);
	}
	kto_svg_fmt_n(w, r->n, r->indicative, ns, sizeof ns);
	if (ns[0] != '\0')
		kto_svg_descf(w, " (%s)", ns);
	kto_svg_desc(w, ". ");
}

enum kto_rc
kto_chart_stacked(struct kto_buf *out, const struct kto_chart_head *head,
                  const char *const *categories, size_t n_categories,
                  const struct kto_chart_dist_row *rows, size_t n_rows)
{
	struct kto_svg w;
	enum kto_rc rc;

	if (categories == NULL || n_categories == 0 ||
	    n_categories > KTO_CHART_MAX_CATEGORIES || (rows == NULL && n_rows > 0))
		return KTO_EINPUT;
	if ((rc = kto_svg_begin(&w, out, head)) != KTO_OK)
		return rc;
	if (n_rows == 0) {
		kto_svg_empty(&w);
		return kto_svg_end(&w, out);
	}
	kto_svg_desc(&w, kto_svg_word(&w, "Verdeling in procenten per rij. ",
	    "Distribution in per cent per row. "));
	kto_svg_raw(&w, "<defs>");
	for (size_t c = 0; c < n_categories; c++) {
		const char *colour;
		char name[16];
		int kind;

		style_of(n_categories, c, &colour, &kind);
		snprintf(name, sizeof name, "c%zu", c);
		kto_svg_pattern(&w, name, kind, colour);
	}
	kto_svg_raw(&w, "</defs>");

	for (size_t i = 0; i < n_rows; i++) {
		const struct kto_chart_dist_row *r = &rows[i];
		double mw, sum = total(r, n_categories), bar_top;
		char ns[48];
		size_t k = row_label(&w, r, ns, sizeof ns, &mw);

		kto_svg_text(&w, KTO_SVG_PAD, w.y + 13, mw, KTO_SVG_FONT, 2, LINE_H,
		    "fill=\"" KTO_SVG_INK "\"", r->label);
		if (ns[0] != '\0')
			kto_svg_text1(&w, KTO_SVG_W - KTO_SVG_PAD, w.y + 13, "font-size=\"12\" "
			    "text-anchor=\"end\" fill=\"" KTO_SVG_GREY "\"", ns, strlen(ns));
		bar_top = w.y + (double)k * LINE_H + 3;
		if (sum > 0) {
			draw_segments(&w, r, n_categories, sum, bar_top);
		} else {
			const char *why = r->suppressed ? kto_svg_word(&w, "te weinig waarnemingen",
			    "too few responses") : kto_svg_word(&w, "geen gegevens", "no data");

			kto_svg_text1(&w, KTO_SVG_PAD + 4, bar_top + 17, "font-style=\"italic\" fill=\""
			    KTO_SVG_GREY "\"", why, strlen(why));
		}
		describe(&w, categories, n_categories, r);
		w.y = bar_top + BAR_H + GAP;
	}
	draw_legend(&w, categories, n_categories);
	return kto_svg_end(&w, out);
}
