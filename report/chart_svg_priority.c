/*
** report/chart_svg_priority: the priority matrix (chart_svg.h).
**
** x is an area's mark minus the circle's, y its importance for the overall
** mark; the plot is split at x = 0 and at the importance that parts more
** from less important, as the engine does (engine/results.c, quadrant()).
** The quadrants are named in their corners, so that their meaning never
** rests on the tint that marks "verbeteren".  Point labels are put where
** they overlap neither a point nor another label, when there is such a
** place near the point.
*/
#include "report/chart_svg.h"
#include "report/chart_svg_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/wording.h"

#define PLOT_H     300.0
#define LEFT       48.0       /* the y axis title and tick labels */
#define LABEL_MAX  150.0      /* a point label's longest line */
#define POINT      "#1f4e79"  /* 8.7:1 on white, 7.1:1 on the tint */
#define TINT       "#fbe3df"  /* decorative: the quadrant label says it */

struct box {
	double x0, y0, x1, y1;
};

/* What the quadrants (kto_svg_quadrant) mean, before the reference's name. */
static const char *const quadrant_meaning[2][4] = {
	{ "belangrijk en lager dan", "belangrijk en niet lager dan",
	  "minder belangrijk en lager dan", "minder belangrijk en niet lager dan" },
	{ "important and lower than", "important and not lower than",
	  "less important and lower than", "less important and not lower than" },
};

static const char *
quadrant_name(const struct kto_svg *w, int q)
{
	return kto_svg_quadrant_names[w->lang == KTO_LANG_EN][q];
}

static bool
placed(const struct kto_chart_priority_point *p)
{
	return isfinite(p->vs_circle) && isfinite(p->importance);
}

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of the known importances, as the engine splits; NaN for none. */
static double
median_importance(struct kto_svg *w, const struct kto_chart_priority_point *p, size_t n)
{
	double *v = malloc((n > 0 ? n : 1) * sizeof *v), m = NAN;
	size_t k = 0;

	if (v == NULL) {
		kto_svg_fail(w, KTO_ENOMEM);
		return NAN;
	}
	for (size_t i = 0; i < n; i++)
		if (isfinite(p[i].importance))
			v[k++] = p[i].importance;
	if (k > 0) {
		qsort(v, k, sizeof *v, compare_doubles);
		m = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	}
	free(v);
	return m;
}

static bool
overlaps(const struct box *a, const struct box *b)
{
	return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

static bool
free_at(const struct box *b, const struct box *taken, size_t n, const struct box *plot)
{
	if (b->x0 < plot->x0 || b->x1 > plot->x1 || b->y0 < plot->y0 || b->y1 > plot->y1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (overlaps(b, &taken[i]))
			return false;
	return true;
}

static void
line(struct kto_svg *w, double x1, double y1, double x2, double y2, const char *attrs)
{
	kto_svg_raw(w, "<line x1=\"");
	kto_svg_num(w, x1);
	kto_svg_raw(w, "\" y1=\"");
	kto_svg_num(w, y1);
	kto_svg_raw(w, "\" x2=\"");
	kto_svg_num(w, x2);
	kto_svg_raw(w, "\" y2=\"");
	kto_svg_num(w, y2);
	kto_svg_f(w, "\" %s/>", attrs);
}

static void
fmt_x(const struct kto_svg *w, double v, double step, char *buf, size_t n)
{
	char tmp[32];

	kto_svg_fmt_dec(w, v, step >= 1 ? 0 : 1, tmp, sizeof tmp);
	snprintf(buf, n, "%s%s", v > 0 && strcmp(tmp, "0") != 0 ? "+" : "", tmp);
}

static void
fmt_y(const struct kto_svg *w, double v, double step, char *buf, size_t n)
{
	kto_svg_fmt_dec(w, v, step >= 1 ? 0 : step >= 0.1 - 1e-12 ? 1 : 2, buf, n);
}

static void
draw_axes(struct kto_svg *w, const struct kto_svg_axis *ax, const struct kto_svg_axis *ay,
          const struct box *plot, const char *ref)
{
	double ticks[64], title_x = KTO_SVG_PAD + 10, title_y = (plot->y0 + plot->y1) / 2;
	size_t nt;
	char label[48], text[256];
	const char *x_title;

	nt = kto_svg_ticks(ax, ticks, 64);
	for (size_t i = 0; i < nt; i++) {
		double x = kto_svg_at(ax, ticks[i]);

		line(w, x, plot->y0, x, plot->y1 + 4, "stroke=\"" KTO_SVG_GRID "\"");
		fmt_x(w, ticks[i], ax->step, label, sizeof label);
		kto_svg_text1(w, x, plot->y1 + 17, "font-size=\"12\" text-anchor=\"middle\" fill=\""
		    KTO_SVG_GREY "\"", label, strlen(label));
	}
	nt = kto_svg_ticks(ay, ticks, 64);
	for (size_t i = 0; i < nt; i++) {
		double y = kto_svg_at(ay, ticks[i]);

		line(w, plot->x0 - 4, y, plot->x1, y, "stroke=\"" KTO_SVG_GRID "\"");
		fmt_y(w, ticks[i], ay->step, label, sizeof label);
		kto_svg_text1(w, plot->x0 - 6, y + 4, "font-size=\"12\" text-anchor=\"end\" fill=\""
		    KTO_SVG_GREY "\"", label, strlen(label));
	}
	kto_svg_raw(w, "<path fill=\"none\" stroke=\"" KTO_SVG_GREY "\" d=\"M");
	kto_svg_num(w, plot->x0);
	kto_svg_raw(w, " ");
	kto_svg_num(w, plot->y0);
	kto_svg_raw(w, "V");
	kto_svg_num(w, plot->y1);
	kto_svg_raw(w, "H");
	kto_svg_num(w, plot->x1);
	kto_svg_raw(w, "\"/>");

	/* Which way is better, in words at both ends of the x axis. */
	snprintf(text, sizeof text, KTO_SVG_FMT(w, "\xE2\x97\x84 lager dan %s",
	    "\xE2\x97\x84 lower than %s"), ref);
	kto_svg_text(w, plot->x0, plot->y1 + 34, (plot->x1 - plot->x0) / 2 - 4, KTO_SVG_SMALL,
	    1, 0, "font-size=\"12\" fill=\"" KTO_SVG_INK "\"", text);
	snprintf(text, sizeof text, KTO_SVG_FMT(w, "hoger dan %s \xE2\x96\xBA",
	    "higher than %s \xE2\x96\xBA"), ref);
	kto_svg_text(w, plot->x1, plot->y1 + 34, (plot->x1 - plot->x0) / 2 - 4, KTO_SVG_SMALL,
	    1, 0, "font-size=\"12\" text-anchor=\"end\" fill=\"" KTO_SVG_INK "\"", text);
	x_title = kto_svg_word(w, "oordeel (verschil in rapportcijfer)",
	    "rating (difference in mark)");
	kto_svg_text1(w, (plot->x0 + plot->x1) / 2, plot->y1 + 50, "font-size=\"12\" "
	    "text-anchor=\"middle\" fill=\"" KTO_SVG_GREY "\"", x_title, strlen(x_title));

	kto_svg_raw(w, "<text font-size=\"12\" text-anchor=\"middle\" fill=\"" KTO_SVG_INK "\" x=\"");
	kto_svg_num(w, title_x);
	kto_svg_raw(w, "\" y=\"");
	kto_svg_num(w, title_y);
	kto_svg_raw(w, "\" transform=\"rotate(-90 ");
	kto_svg_num(w, title_x);
	kto_svg_raw(w, " ");
	kto_svg_num(w, title_y);
	kto_svg_raw(w, ")\">");
	kto_svg_raw(w, kto_svg_word(w, "belang voor het totaaloordeel \xE2\x96\xBA",
	    "importance for the overall mark \xE2\x96\xBA"));
	kto_svg_raw(w, "</text>");
}

/* The quadrants: the tint of "verbeteren", the split lines, the names. */
static void
draw_quadrants(struct kto_svg *w, const struct box *plot, double xs, double ys,
               struct box *taken)
{
	static const char attrs[] = "font-size=\"13\" font-weight=\"bold\" fill=\"" KTO_SVG_INK "\""
	    KTO_SVG_HALO;
	static const char end_attrs[] = "font-size=\"13\" font-weight=\"bold\" text-anchor=\"end\" "
	    "fill=\"" KTO_SVG_INK "\"" KTO_SVG_HALO;

	kto_svg_raw(w, "<rect fill=\"" TINT "\" x=\"");
	kto_svg_num(w, plot->x0);
	kto_svg_raw(w, "\" y=\"");
	kto_svg_num(w, plot->y0);
	kto_svg_raw(w, "\" width=\"");
	kto_svg_num(w, xs - plot->x0);
	kto_svg_raw(w, "\" height=\"");
	kto_svg_num(w, ys - plot->y0);
	kto_svg_raw(w, "\"/>");
	line(w, xs, plot->y0, xs, plot->y1, "stroke=\"" KTO_SVG_INK "\" stroke-width=\"1.5\" "
	    "stroke-dasharray=\"6 4\"");
	line(w, plot->x0, ys, plot->x1, ys, "stroke=\"" KTO_SVG_INK "\" stroke-width=\"1.5\" "
	    "stroke-dasharray=\"6 4\"");

	for (int q = 0; q < 4; q++) {
		const char *name = quadrant_name(w, q);
		double tw = kto_svg_text_width(name, strlen(name), 13) * 1.1;
		bool right = q % 2 == 1, low = q >= 2;
		double x = right ? plot->x1 - 6 : plot->x0 + 6;
		double y = low ? plot->y1 - 8 : plot->y0 + 17;

		kto_svg_text1(w, x, y, right ? end_attrs : attrs, name, strlen(name));
		taken[q].x0 = right ? x - tw : x;
		taken[q].x1 = right ? x : x + tw;
		taken[q].y0 = y - 13;
		taken[q].y1 = y + 3;
	}
}

static void
draw_label(struct kto_svg *w, const char *label, double x, double y, struct box *taken,
           size_t *n_taken, const struct box *plot)
{
	static const double dy[] = { 0, -14, 14, -28, 28 };
	double tw = fmin(kto_svg_text_width(label, strlen(label), KTO_SVG_SMALL), LABEL_MAX);
	struct box b = { 0, 0, 0, 0 };
	bool left = false, found = false;

	for (size_t i = 0; i < sizeof dy / sizeof dy[0] && !found; i++) {
		for (int side = 0; side < 2 && !found; side++) {
			b.x0 = side ? x - 8 - tw : x + 8;
			b.x1 = b.x0 + tw;
			b.y0 = y + dy[i] - 8;
			b.y1 = y + dy[i] + 6;
			found = free_at(&b, taken, *n_taken, plot);
			left = side == 1;
		}
	}
	if (!found) {
		left = x + 8 + tw > plot->x1;
		b.x0 = left ? x - 8 - tw : x + 8;
		b.x1 = b.x0 + tw;
		b.y0 = y - 8;
		b.y1 = y + 6;
	}
	taken[(*n_taken)++] = b;
	kto_svg_text(w, left ? b.x1 : b.x0, b.y1 - 2, tw, KTO_SVG_SMALL, 1, 0, left ?
	    "font-size=\"12\" text-anchor=\"end\" fill=\"" KTO_SVG_INK "\"" KTO_SVG_HALO :
	    "font-size=\"12\" fill=\"" KTO_SVG_INK "\"" KTO_SVG_HALO, label);
}

static void
describe(struct kto_svg *w, const struct kto_chart_priority_point *p, size_t n, double split,
         const char *ref)
{
	char v[32], imp[32];
	bool any_unknown = false;

	kto_svg_fmt_dec(w, split, 2, v, sizeof v);
	kto_svg_descf(w, KTO_SVG_FMT(w, "Prioriteitenmatrix: horizontaal het oordeel "
	    "vergeleken met %s (verschil in rapportcijfer), verticaal het belang voor het "
	    "totaaloordeel", "Priority matrix: across, the rating compared with %s "
	    "(difference in mark), up, the importance for the overall mark"), ref);
	if (isfinite(split))
		kto_svg_descf(w, KTO_SVG_FMT(w, "; meer belangrijk vanaf %s",
		    "; more important from %s"), v);
	kto_svg_desc(w, ". ");
	for (int q = 0; q < 4; q++) {
		bool any = false;

		kto_svg_descf(w, "%c%s (%s %s): ", quadrant_name(w, q)[0] - 'a' + 'A',
		    quadrant_name(w, q) + 1, quadrant_meaning[w->lang == KTO_LANG_EN][q], ref);
		for (size_t i = 0; i < n; i++) {
			if (kto_svg_quadrant(p[i].vs_circle, p[i].importance, split) != q)
				continue;
			kto_fmt_mark_diff(w->lang, p[i].vs_circle, v, sizeof v);
			kto_svg_fmt_dec(w, p[i].importance, 2, imp, sizeof imp);
			kto_svg_descf(w, KTO_SVG_FMT(w, "%s%s (%s; belang %s)",
			    "%s%s (%s; importance %s)"), any ? ", " : "",
			    p[i].label != NULL ? p[i].label : "", v, imp);
			any = true;
		}
		kto_svg_desc(w, any ? ". " : kto_svg_word(w, "geen. ", "none. "));
	}
	for (size_t i = 0; i < n; i++) {
		if (placed(&p[i]))
			continue;
		kto_svg_descf(w, "%s%s", any_unknown ? ", " : kto_svg_word(w,
		    "Onbekend, niet getekend: ", "Unknown, not drawn: "),
		    p[i].label != NULL ? p[i].label : "");
		any_unknown = true;
	}
	if (any_unknown)
		kto_svg_desc(w, ". ");
}

/* A symmetric x axis around 0 and a y axis from 0 (or below) over the data. */
static void
fit_axes(const struct kto_chart_priority_point *p, size_t n, double split,
         struct kto_svg_axis *ax, struct kto_svg_axis *ay)
{
	double xm = 0, ylo = 0, yhi = isfinite(split) ? split : 0, pad;

	for (size_t i = 0; i < n; i++) {
		if (!placed(&p[i]))
			continue;
		xm = fmax(xm, fabs(p[i].vs_circle));
		ylo = fmin(ylo, p[i].importance);
		yhi = fmax(yhi, p[i].importance);
	}
	xm = fmax(xm * 1.15, 0.5);
	ax->step = kto_svg_nice_step(2 * xm, 6, KTO_CHART_MARKS);
	ax->hi = ceil(xm / ax->step) * ax->step;
	ax->lo = -ax->hi;
	if (yhi - ylo < 0.1)
		yhi = ylo + 0.1;
	pad = (yhi - ylo) * 0.1;
	ylo = ylo < 0 ? ylo - pad : 0;
	yhi += pad;
	ay->step = kto_svg_nice_step(yhi - ylo, 5, KTO_CHART_MARKS);
	ay->lo = floor(ylo / ay->step) * ay->step;
	ay->hi = ceil(yhi / ay->step) * ay->step;
	ax->scale = ay->scale = KTO_CHART_MARKS;
}

enum kto_rc
kto_chart_priority(struct kto_buf *out, const struct kto_chart_head *head,
                   const struct kto_chart_priority_point *points, size_t n,
                   double importance_split, const char *reference_label)
{
	const char *ref = reference_label != NULL && reference_label[0] ? reference_label :
	    kto_lang_pick(head != NULL ? head->lang : KTO_LANG_NL, "kring", "circle");
	struct kto_svg w;
	struct kto_svg_axis ax, ay;
	struct box plot, *taken = NULL;
	size_t n_taken = 4, n_placed = 0;
	double split = importance_split;
	enum kto_rc rc;

	if (points == NULL && n > 0)
		return KTO_EINPUT;
	if ((rc = kto_svg_begin(&w, out, head)) != KTO_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		n_placed += placed(&points[i]);
	if (!isfinite(split))
		split = median_importance(&w, points, n);
	if (n_placed == 0) {
		kto_svg_empty(&w);
		if (n > 0) {
			kto_svg_desc(&w, " ");
			describe(&w, points, n, split, ref);
		}
		return kto_svg_end(&w, out);
	}
	if ((taken = malloc((2 * n_placed + 4) * sizeof *taken)) == NULL) {
		kto_svg_fail(&w, KTO_ENOMEM);
		return kto_svg_end(&w, out);
	}

	fit_axes(points, n, split, &ax, &ay);
	plot.x0 = KTO_SVG_PAD + LEFT;
	plot.x1 = KTO_SVG_W - KTO_SVG_PAD - 12;     /* half the last tick label */
	plot.y0 = w.y + 4;
	plot.y1 = plot.y0 + PLOT_H;
	ax.p0 = plot.x0;
	ax.p1 = plot.x1;
	ay.p0 = plot.y1;
	ay.p1 = plot.y0;

	draw_quadrants(&w, &plot, kto_svg_at(&ax, 0), kto_svg_at(&ay, split), taken);
	draw_axes(&w, &ax, &ay, &plot, ref);
	for (size_t i = 0; i < n; i++) {
		double x = kto_svg_at(&ax, points[i].vs_circle);
		double y = kto_svg_at(&ay, points[i].importance);

		if (!placed(&points[i]))
			continue;
		kto_svg_raw(&w, "<circle r=\"5\" fill=\"" POINT "\" stroke=\"#ffffff\" "
		    "stroke-width=\"1.5\" cx=\"");
		kto_svg_num(&w, x);
		kto_svg_raw(&w, "\" cy=\"");
		kto_svg_num(&w, y);
		kto_svg_raw(&w, "\"/>");
		taken[n_taken++] = (struct box){ x - 6, y - 6, x + 6, y + 6 };
	}
	for (size_t i = 0; i < n; i++) {
		if (placed(&points[i]))
			draw_label(&w, points[i].label != NULL ? points[i].label : "",
			    kto_svg_at(&ax, points[i].vs_circle),
			    kto_svg_at(&ay, points[i].importance), taken, &n_taken, &plot);
	}
	free(taken);
	w.y = plot.y1 + 56;
	describe(&w, points, n, split, ref);
	return kto_svg_end(&w, out);
}
