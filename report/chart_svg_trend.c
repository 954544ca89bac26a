/*
** report/chart_svg_trend: lines over periods (chart_svg.h).
**
** Series are told apart without colour three ways: each has its own dash
** pattern and marker shape, and its name is written at the end of its
** line and in the legend below.  Values are written at the points when
** there are at most two lines (the higher above, the lower below); with
** more, the description carries them.
*/
#include "report/chart_svg.h"
#include "report/chart_svg_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PLOT_H   180.0
#define LEFT     40.0      /* the tick labels left of the plot */
#define LABEL_W  104.0     /* the names right of the plot */
#define SPACING  15.0      /* between the names at the lines' ends */

/* At least 5.5:1 on white, so also fit for the names drawn in them. */
static const char *const colour[KTO_CHART_MAX_SERIES] = {
	"#1f4e79", "#a6500f", "#444444", "#2e6b30", "#6a3d9a", "#b3261e",
};
static const char *const dash[KTO_CHART_MAX_SERIES] = {
	"", " stroke-dasharray=\"8 4\"", " stroke-dasharray=\"2 3\"",
	" stroke-dasharray=\"10 3 2 3\"", " stroke-dasharray=\"5 5\"",
	" stroke-dasharray=\"1 3\"",
};

struct layout {
	struct kto_svg_axis ax;
	double left, right, slot, dodge;
	size_t np, ns;
};

static bool
plotted(const struct kto_chart_point *p)
{
	return !p->suppressed && isfinite(p->value);
}

static double
x_of(const struct layout *l, size_t i, size_t s)
{
	return l->left + ((double)i + 0.5) * l->slot +
	    ((double)s - ((double)l->ns - 1) / 2) * l->dodge;
}

static void
moveto(struct kto_svg *w, const char *cmd, double x, double y)
{
	kto_svg_raw(w, cmd);
	kto_svg_num(w, x);
	kto_svg_raw(w, " ");
	kto_svg_num(w, y);
}

/* Circle, square, triangle up, diamond, triangle down, plus. */
static void
marker(struct kto_svg *w, size_t shape, double x, double y, bool open)
{
	const char *c = colour[shape % KTO_CHART_MAX_SERIES];

	if (shape == 0) {
		kto_svg_raw(w, "<circle cx=\"");
		kto_svg_num(w, x);
		kto_svg_raw(w, "\" cy=\"");
		kto_svg_num(w, y);
		kto_svg_raw(w, "\" r=\"4.5\"");
	} else {
		kto_svg_raw(w, "<path d=\"");
		switch (shape) {
		case 1:
			moveto(w, "M", x - 4, y - 4);
			kto_svg_raw(w, "h8v8h-8Z");
			break;
		case 2:
			moveto(w, "M", x, y - 5.5);
			moveto(w, "L", x + 5, y + 3.5);
			moveto(w, "L", x - 5, y + 3.5);
			kto_svg_raw(w, "Z");
			break;
		case 3:
			moveto(w, "M", x, y - 5.5);
			moveto(w, "L", x + 5.5, y);
			moveto(w, "L", x, y + 5.5);
			moveto(w, "L", x - 5.5, y);
			kto_svg_raw(w, "Z");
			break;
		case 4:
			moveto(w, "M", x, y + 5.5);
			moveto(w, "L", x + 5, y - 3.5);
			moveto(w, "L", x - 5, y - 3.5);
			kto_svg_raw(w, "Z");
			break;
		default:
			moveto(w, "M", x - 1.7, y - 5);
			kto_svg_raw(w, "h3.4v3.3h3.3v3.4h-3.3v3.3h-3.4v-3.3h-3.3v-3.4h3.3Z");
			break;
		}
		kto_svg_raw(w, "\"");
	}
	kto_svg_f(w, " fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>", open ? "#ffffff" : c, c);
}

/* The line of series s, broken where a point is missing. */
static void
draw_line(struct kto_svg *w, const struct layout *l, const struct kto_chart_point *p,
          size_t s)
{
	bool any = false;

	for (size_t i = 1; i < l->np && !any; i++)
		any = plotted(&p[i - 1]) && plotted(&p[i]);
	if (!any)
		return;
	kto_svg_raw(w, "<path fill=\"none\" d=\"");
	for (size_t i = 0; i < l->np; i++) {
		bool joined = i > 0 && plotted(&p[i - 1]);

		if (!plotted(&p[i]) || (!joined && !(i + 1 < l->np && plotted(&p[i + 1]))))
			continue;
		moveto(w, joined ? "L" : "M", x_of(l, i, s), kto_svg_at(&l->ax, p[i].value));
	}
	kto_svg_f(w, "\" stroke=\"%s\" stroke-width=\"2.5\"%s/>", colour[s], dash[s]);
}

static void
draw_whiskers(struct kto_svg *w, const struct layout *l, const struct kto_chart_point *p,
              size_t s)
{
	for (size_t i = 0; i < l->np; i++) {
		double x = x_of(l, i, s), yl, yh;

		if (!plotted(&p[i]) || !isfinite(p[i].low) || !isfinite(p[i].high))
			continue;
		yl = kto_svg_at(&l->ax, p[i].low);
		yh = kto_svg_at(&l->ax, p[i].high);
		kto_svg_f(w, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"", colour[s]);
		moveto(w, "M", x, yl);
		moveto(w, "L", x, yh);
		moveto(w, "M", x - 3, yl);
		kto_svg_raw(w, "h6");
		moveto(w, "M", x - 3, yh);
		kto_svg_raw(w, "h6\"/>");
	}
}

/* With one or two lines, the values at the points: the higher above. */
static void
draw_values(struct kto_svg *w, const struct layout *l, const struct kto_chart_series *series)
{
	for (size_t i = 0; i < l->np; i++) {
		for (size_t s = 0; s < l->ns; s++) {
			const struct kto_chart_point *p = &series[s].points[i];
			const struct kto_chart_point *o = l->ns == 2 ? &series[1 - s].points[i] : NULL;
			bool above;
			double y;
			char v[32], attrs[160];

			if (!plotted(p))
				continue;
			above = o == NULL || !plotted(o) || p->value > o->value ||
			    (p->value == o->value && s == 0);
			y = kto_svg_at(&l->ax, p->value);
			if (above)
				y = fmin(y, isfinite(p->high) ? kto_svg_at(&l->ax, p->high) : y) - 8;
			else
				y = fmax(y, isfinite(p->low) ? kto_svg_at(&l->ax, p->low) : y) + 17;
			kto_svg_fmt_value(w, l->ax.scale, p->value, v, sizeof v);
			snprintf(attrs, sizeof attrs, "font-size=\"12\" text-anchor=\"middle\" "
			    "fill=\"%s\"" KTO_SVG_HALO, colour[s]);
			kto_svg_text1(w, x_of(l, i, s), y, attrs, v, strlen(v));
		}
	}
}

/* Each name at the end of its line, pushed apart so that none overlap. */
static void
draw_names(struct kto_svg *w, const struct layout *l, const struct kto_chart_series *series,
           double bottom)
{
	size_t order[KTO_CHART_MAX_SERIES], last[KTO_CHART_MAX_SERIES], k = 0;
	double ly[KTO_CHART_MAX_SERIES];
	size_t j;

	for (size_t s = 0; s < l->ns; s++) {
		size_t i = l->np;

		while (i > 0 && !plotted(&series[s].points[i - 1]))
			i--;
		if (i == 0 || series[s].name == NULL || series[s].name[0] == '\0')
			continue;
		last[s] = i - 1;
		ly[s] = kto_svg_at(&l->ax, series[s].points[i - 1].value);
		/* Insertion by height; ties keep the series order. */
		j = k++;
		for (; j > 0 && ly[order[j - 1]] > ly[s]; j--)
			order[j] = order[j - 1];
		order[j] = s;
	}
	for (j = 1; j < k; j++)
		ly[order[j]] = fmax(ly[order[j]], ly[order[j - 1]] + SPACING);
	if (k > 0 && ly[order[k - 1]] > bottom)
		ly[order[k - 1]] = bottom;
	for (j = k; j > 1; j--)
		ly[order[j - 2]] = fmin(ly[order[j - 2]], ly[order[j - 1]] - SPACING);
	for (j = 0; j < k; j++) {
		size_t s = order[j];
		double x = x_of(l, last[s], s);
		double y = kto_svg_at(&l->ax, series[s].points[last[s]].value);
		char attrs[128];

		kto_svg_f(w, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1\" "
		    "stroke-dasharray=\"1 2\" d=\"", colour[s]);
		moveto(w, "M", x + 7, y);
		moveto(w, "L", l->right + 6, ly[s]);
		kto_svg_raw(w, "\"/>");
		snprintf(attrs, sizeof attrs, "font-size=\"12\" font-weight=\"bold\" fill=\"%s\"",
		    colour[s]);
		kto_svg_text(w, l->right + 8, ly[s] + 4, LABEL_W - 8, KTO_SVG_SMALL * 1.05, 1, 0,
		    attrs, series[s].name);
	}
}

static void
draw_axes(struct kto_svg *w, const struct layout *l, const char *const *periods,
          double top, double bottom)
{
	double ticks[64], maxw = 0;
	size_t nt = kto_svg_ticks(&l->ax, ticks, 64), every = 1;
	char label[32];

	for (size_t i = 0; i < nt; i++) {
		double y = kto_svg_at(&l->ax, ticks[i]);

		kto_svg_raw(w, "<line stroke=\"" KTO_SVG_GRID "\" x1=\"");
		kto_svg_num(w, l->left);
		kto_svg_raw(w, "\" x2=\"");
		kto_svg_num(w, l->right);
		kto_svg_raw(w, "\" y1=\"");
		kto_svg_num(w, y);
		kto_svg_raw(w, "\" y2=\"");
		kto_svg_num(w, y);
		kto_svg_raw(w, "\"/>");
		kto_svg_tick_label(w, &l->ax, ticks[i], label, sizeof label);
		kto_svg_text1(w, l->left - 6, y + 4, "font-size=\"12\" text-anchor=\"end\" fill=\""
		    KTO_SVG_GREY "\"", label, strlen(label));
	}
	kto_svg_raw(w, "<path fill=\"none\" stroke=\"" KTO_SVG_GREY "\" d=\"");
	moveto(w, "M", l->left, top);
	moveto(w, "L", l->left, bottom);
	moveto(w, "L", l->right, bottom);
	kto_svg_raw(w, "\"/>");

	/* Period labels; with many periods only every so many, the last always. */
	for (size_t i = 0; i < l->np; i++) {
		const char *p = periods[i] != NULL ? periods[i] : "";

		maxw = fmax(maxw, kto_svg_text_width(p, strlen(p), KTO_SVG_SMALL));
	}
	while (every < l->np && l->slot * (double)every < fmin(maxw + 6, 72))
		every++;
	for (size_t i = 0; i < l->np; i++) {
		if ((l->np - 1 - i) % every != 0 || periods[i] == NULL)
			continue;
		kto_svg_text(w, l->left + ((double)i + 0.5) * l->slot, bottom + 17,
		    l->slot * (double)every - 4, KTO_SVG_SMALL, 1, 0,
		    "font-size=\"12\" text-anchor=\"middle\" fill=\"" KTO_SVG_GREY "\"", periods[i]);
	}
}

static void
draw_legend(struct kto_svg *w, const struct kto_chart_series *series, size_t ns)
{
	for (size_t s = 0; s < ns; s++) {
		double y = w->y + 10;
		size_t k;

		kto_svg_f(w, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"%s d=\"",
		    colour[s], dash[s]);
		moveto(w, "M", KTO_SVG_PAD, y);
		kto_svg_raw(w, "h36\"/>");
		marker(w, s, KTO_SVG_PAD + 18, y, false);
		k = kto_svg_text(w, KTO_SVG_PAD + 46, y + 4.5, KTO_SVG_W - 2 * KTO_SVG_PAD - 46,
		    KTO_SVG_FONT, 2, 16, "fill=\"" KTO_SVG_INK "\"",
		    series[s].name != NULL && series[s].name[0] ? series[s].name :
		    kto_svg_word(w, "(zonder naam)", "(no name)"));
		w->y += (double)(k > 0 ? k : 1) * 16 + 4;
	}
}

/* The axis: as given, or around the data, on whole steps, within the scale. */
static void
fit_axis(struct kto_svg_axis *ax, const struct kto_chart_series *series, size_t ns,
         size_t np, double lo, double hi)
{
	double dmin = INFINITY, dmax = -INFINITY, dlo, dhi;

	dlo = ax->scale == KTO_CHART_SHARES ? 0 : 1;
	dhi = ax->scale == KTO_CHART_SHARES ? 1 : 10;
	if (isfinite(lo) && isfinite(hi) && lo < hi) {
		ax->lo = lo;
		ax->hi = hi;
		ax->step = kto_svg_nice_step(hi - lo, 5, ax->scale);
		return;
	}
	for (size_t s = 0; s < ns; s++) {
		for (size_t i = 0; i < np; i++) {
			const struct kto_chart_point *p = &series[s].points[i];

			if (!plotted(p))
				continue;
			dmin = fmin(dmin, p->value);
			dmax = fmax(dmax, p->value);
			if (isfinite(p->low))
				dmin = fmin(dmin, p->low);
			if (isfinite(p->high))
				dmax = fmax(dmax, p->high);
		}
	}
	if (!(dmin <= dmax)) {
		dmin = dlo;
		dmax = dhi;
	} else {
		double minspan = ax->scale == KTO_CHART_SHARES ? 0.1 : 1, pad;

		if (dmax - dmin < minspan) {
			double mid = (dmin + dmax) / 2;

			dmin = mid - minspan / 2;
			dmax = mid + minspan / 2;
		}
		pad = (dmax - dmin) * 0.1;
		dmin -= pad;
		dmax += pad;
	}
	ax->step = kto_svg_nice_step(dmax - dmin, 5, ax->scale);
	ax->lo = fmax(dlo, floor(dmin / ax->step) * ax->step);
	ax->hi = fmin(dhi, ceil(dmax / ax->step) * ax->step);
	if (!(ax->lo < ax->hi)) {
		ax->lo = dlo;
		ax->hi = dhi;
		ax->step = kto_svg_nice_step(dhi - dlo, 5, ax->scale);
	}
}

static void
describe(struct kto_svg *w, enum kto_chart_scale scale, const char *const *periods,
         const struct kto_chart_series *series, size_t ns, size_t np)
{
	kto_svg_descf(w, KTO_SVG_FMT(w, "Verloop over %zu %s", "Trend over %zu %s"), np,
	    np == 1 ? kto_svg_word(w, "periode", "period") : kto_svg_word(w, "perioden",
	    "periods"));
	if (np > 1 && periods[0] != NULL && periods[np - 1] != NULL)
		kto_svg_descf(w, KTO_SVG_FMT(w, ", van %s tot %s", ", from %s to %s"), periods[0],
		    periods[np - 1]);
	kto_svg_desc(w, ". ");
	for (size_t s = 0; s < ns; s++) {
		kto_svg_desc(w, series[s].name != NULL && series[s].name[0] ? series[s].name :
		    kto_svg_word(w, "(zonder naam)", "(no name)"));
		kto_svg_desc(w, ": ");
		for (size_t i = 0; i < np; i++) {
			const struct kto_chart_point *p = &series[s].points[i];

			kto_svg_descf(w, "%s%s ", i > 0 ? "; " : "",
			    periods[i] != NULL ? periods[i] : "");
			kto_svg_desc_value(w, scale, p->value, p->low, p->high, p->n, p->suppressed,
			    p->indicative);
		}
		kto_svg_desc(w, ". ");
	}
}

enum kto_rc
kto_chart_trend(struct kto_buf *out, const struct kto_chart_head *head,
                enum kto_chart_scale scale, const char *const *periods, size_t n_periods,
                const struct kto_chart_series *series, size_t n_series, double lo, double hi)
{
	struct kto_svg w;
	struct layout l;
	double top, bottom;
	bool any_ind = false, any_sup = false, any_whisker = false;
	enum kto_rc rc;

	if ((periods == NULL && n_periods > 0) || (series == NULL && n_series > 0) ||
	    n_series > KTO_CHART_MAX_SERIES)
		return KTO_EINPUT;
	for (size_t s = 0; s < n_series; s++)
		if (series[s].points == NULL && n_periods > 0)
			return KTO_EINPUT;
	if ((rc = kto_svg_begin(&w, out, head)) != KTO_OK)
		return rc;
	if (n_periods == 0 || n_series == 0) {
		kto_svg_empty(&w);
		return kto_svg_end(&w, out);
	}

	l.np = n_periods;
	l.ns = n_series;
	l.left = KTO_SVG_PAD + LEFT;
	l.right = KTO_SVG_W - KTO_SVG_PAD - LABEL_W;
	l.slot = (l.right - l.left) / (double)n_periods;
	l.dodge = fmin(6, l.slot / ((double)n_series + 1));
	l.ax.scale = scale;
	fit_axis(&l.ax, series, n_series, n_periods, lo, hi);
	top = w.y + 8;
	bottom = top + PLOT_H;
	l.ax.p0 = bottom;
	l.ax.p1 = top;

	draw_axes(&w, &l, periods, top, bottom);
	for (size_t s = 0; s < n_series; s++) {
		draw_line(&w, &l, series[s].points, s);
		draw_whiskers(&w, &l, series[s].points, s);
	}
	for (size_t s = 0; s < n_series; s++) {
		for (size_t i = 0; i < n_periods; i++) {
			const struct kto_chart_point *p = &series[s].points[i];

			any_sup |= p->suppressed;
			if (!plotted(p))
				continue;
			any_ind |= p->indicative;
			any_whisker |= isfinite(p->low) && isfinite(p->high);
			marker(&w, s, x_of(&l, i, s), kto_svg_at(&l.ax, p->value), p->indicative);
		}
	}
	if (n_series <= 2)
		draw_values(&w, &l, series);
	draw_names(&w, &l, series, bottom);

	w.y = bottom + 28;
	draw_legend(&w, series, n_series);
	w.y += 4;
	if (any_whisker)
		kto_svg_note(&w, kto_svg_word(&w, "De verticale lijntjes geven de marge.",
		    "The vertical lines show the margin."));
	if (any_ind)
		kto_svg_note(&w, kto_svg_word(&w, "Open symbool: indicatief, gebaseerd op "
		    "weinig waarnemingen.", "Open symbol: indicative, based on few responses."));
	if (any_sup)
		kto_svg_note(&w, kto_svg_word(&w, "Geen punt: te weinig waarnemingen.",
		    "No point: too few responses."));
	describe(&w, scale, periods, series, n_series, n_periods);
	return kto_svg_end(&w, out);
}
