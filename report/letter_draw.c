/*
** The charts of the letter and the overview, drawn with Cairo: marks with
** their intervals against the circle, service norms against their
** targets, and the priority matrix.  Readable in black and white: the
** kinds of mark are told apart by pattern, line style and shape, each
** named in a legend, and every number is written out as well.  Any input
** draws: no bars, a single one, or estimates that are not shown.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/letter_int.h"
#include "report/wording.h"

#define ROW_H 22.0
#define BAR_H 12.0
#define LABEL_W 92.0
#define VALUE_W 92.0
#define AXIS_H 14.0
#define LEGEND_H 18.0

static void
set_grey(cairo_t *cr, double g)
{
	cairo_set_source_rgb(cr, g, g, g);
}

/* A rectangle filled with diagonal lines: "indicatief". */
static void
hatched_rect(cairo_t *cr, double x, double y, double w, double h)
{
	cairo_save(cr);
	cairo_rectangle(cr, x, y, w, h);
	set_grey(cr, 1);
	cairo_fill_preserve(cr);
	cairo_clip(cr);
	set_grey(cr, 0.35);
	cairo_set_line_width(cr, 0.7);
	for (double t = x - h; t < x + w; t += 4) {
		cairo_move_to(cr, t, y + h);
		cairo_line_to(cr, t + h, y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

static void
bar_rect(cairo_t *cr, double x, double y, double w, double h, bool indicative)
{
	if (w <= 0)
		return;
	if (indicative) {
		hatched_rect(cr, x, y, w, h);
	} else {
		cairo_rectangle(cr, x, y, w, h);
		set_grey(cr, 0.78);
		cairo_fill(cr);
	}
	cairo_rectangle(cr, x, y, w, h);
	set_grey(cr, 0.2);
	cairo_set_line_width(cr, 0.6);
	cairo_stroke(cr);
}

static void
whisker(cairo_t *cr, double x0, double x1, double y)
{
	set_grey(cr, 0);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, x0, y);
	cairo_line_to(cr, x1, y);
	cairo_move_to(cr, x0, y - 3.5);
	cairo_line_to(cr, x0, y + 3.5);
	cairo_move_to(cr, x1, y - 3.5);
	cairo_line_to(cr, x1, y + 3.5);
	cairo_stroke(cr);
}

static void
dashed_line(cairo_t *cr, double x, double y0, double y1)
{
	static const double dash[] = { 3, 2 };

	cairo_save(cr);
	set_grey(cr, 0);
	cairo_set_line_width(cr, 1.3);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_move_to(cr, x, y0);
	cairo_line_to(cr, x, y1);
	cairo_stroke(cr);
	cairo_restore(cr);
}

static void
diamond(cairo_t *cr, double x, double y, double r)
{
	cairo_move_to(cr, x, y - r);
	cairo_line_to(cr, x + r, y);
	cairo_line_to(cr, x, y + r);
	cairo_line_to(cr, x - r, y);
	cairo_close_path(cr);
	set_grey(cr, 1);
	cairo_fill_preserve(cr);
	set_grey(cr, 0);
	cairo_set_line_width(cr, 1);
	cairo_stroke(cr);
}

/* A legend entry: a drawn sample, then its text; returns the next x. */
enum legend_kind { LEG_BAR, LEG_HATCH, LEG_WHISKER, LEG_DASH, LEG_DIAMOND, LEG_TARGET };

static double
legend_entry(struct doc *d, double x, double y, enum legend_kind k, const char *text)
{
	cairo_t *cr = d->cr;
	double cy = y + 5;

	switch (k) {
	case LEG_BAR: bar_rect(cr, x, cy - 4, 14, 8, false); break;
	case LEG_HATCH: bar_rect(cr, x, cy - 4, 14, 8, true); break;
	case LEG_WHISKER: whisker(cr, x + 1, x + 13, cy); break;
	case LEG_DASH: dashed_line(cr, x + 7, cy - 5, cy + 5); break;
	case LEG_DIAMOND: diamond(cr, x + 7, cy, 3.5); break;
	case LEG_TARGET:
		set_grey(cr, 0);
		cairo_set_line_width(cr, 2.2);
		cairo_move_to(cr, x + 7, cy - 5);
		cairo_line_to(cr, x + 7, cy + 5);
		cairo_stroke(cr);
		break;
	}
	set_grey(cr, 0);
	doc_text_at(d, DOC_SMALL, x + 18, y, -1, DOC_LEFT, text);
	return x + 18 + doc_text_width(d, DOC_SMALL, text) + 14;
}

static void
axis_ticks(struct doc *d, double x0, double x1, double y_top, double y_axis,
           double lo, double hi, double step, bool pct)
{
	cairo_t *cr = d->cr;
	char t[16];

	for (double v = lo; v <= hi + 1e-9; v += step) {
		double x = x0 + (v - lo) / (hi - lo) * (x1 - x0);

		set_grey(cr, 0.85);
		cairo_set_line_width(cr, 0.4);
		cairo_move_to(cr, x, y_top);
		cairo_line_to(cr, x, y_axis);
		cairo_stroke(cr);
		set_grey(cr, 0.25);
		if (pct)
			snprintf(t, sizeof t, "%.0f%%", v * 100);
		else
			kto_fmt_mark(KTO_LANG_NL, v, t, sizeof t);
		if (!pct && fabs(v - round(v)) < 1e-9)
			snprintf(t, sizeof t, "%.0f", v);
		doc_text_at(d, DOC_SMALL, x - 20, y_axis + 1, 40, DOC_CENTER, t);
	}
	set_grey(cr, 0.3);
	cairo_set_line_width(cr, 0.6);
	cairo_move_to(cr, x0, y_axis);
	cairo_line_to(cr, x1, y_axis);
	cairo_stroke(cr);
	set_grey(cr, 0);
}

static double
min_finite(double a, double b)
{
	return isfinite(b) && b < a ? b : a;
}

double
chart_marks_height(size_t n)
{
	return (double)(n ? n : 1) * ROW_H + AXIS_H + LEGEND_H + 4;
}

double
chart_marks(struct doc *d, double y, const struct chart_bar *bars, size_t n,
            const char *circle_label, const char *everyone_label)
{
	cairo_t *cr = d->cr;
	double x0 = DOC_MARGIN + LABEL_W, x1 = DOC_MARGIN + DOC_TEXT_W - VALUE_W;
	double lo = 5, hi = 10, y_axis = y + (double)(n ? n : 1) * ROW_H, lx;
	bool any_est = false, any_ind = false, any_circle = false, any_all = false;

	/* The axis starts at 5 unless a mark or interval lies lower. */
	for (size_t i = 0; i < n; i++) {
		double m = min_finite(min_finite(min_finite(bars[i].est, bars[i].lo),
		    bars[i].circle), bars[i].everyone);

		lo = m < lo ? floor(m) : lo;
		any_est = any_est || isfinite(bars[i].est);
		any_ind = any_ind || (bars[i].indicative && isfinite(bars[i].est));
		any_circle = any_circle || isfinite(bars[i].circle);
		any_all = any_all || isfinite(bars[i].everyone);
	}
	lo = lo < 1 ? 1 : lo;
	axis_ticks(d, x0, x1, y, y_axis, lo, hi, 1, false);
#define XOF(v) (x0 + ((v) < lo ? 0 : (v) > hi ? hi - lo : (v) - lo) / (hi - lo) * (x1 - x0))
	if (n == 0)
		doc_text_at(d, DOC_SMALL_ITALIC, x0 + 4, y + 5, x1 - x0, DOC_LEFT,
		    "geen gegevens");
	for (size_t i = 0; i < n; i++) {
		const struct chart_bar *b = &bars[i];
		double top = y + (double)i * ROW_H, cy = top + ROW_H / 2;
		char v[48], m[16];

		set_grey(cr, 0);
		if (doc_text_width(d, DOC_BODY, b->label) <= LABEL_W - 6)
			doc_text_at(d, DOC_BODY, DOC_MARGIN, cy - 6, LABEL_W - 6, DOC_LEFT,
			    b->label);
		else    /* a long name: smaller, on up to two lines */
			doc_text_at(d, DOC_SMALL, DOC_MARGIN, cy - (doc_text_height(d,
			    DOC_SMALL, LABEL_W - 6, b->label) > 12 ? 9 : 5), LABEL_W - 6,
			    DOC_LEFT, b->label);
		if (isfinite(b->est)) {
			bar_rect(cr, x0, cy - BAR_H / 2, XOF(b->est) - x0, BAR_H, b->indicative);
			if (isfinite(b->lo) && isfinite(b->hi))
				whisker(cr, XOF(b->lo), XOF(b->hi), cy);
			kto_fmt_mark(KTO_LANG_NL, b->est, m, sizeof m);
			snprintf(v, sizeof v, "%s%s", m, b->indicative ? " indicatief" : "");
			set_grey(cr, 0);
			doc_text_at(d, b->indicative ? DOC_SMALL : DOC_BOLD, x1 + 6,
			    cy - (b->indicative ? 5 : 6), VALUE_W - 6, DOC_LEFT, v);
		} else {
			doc_text_at(d, DOC_SMALL_ITALIC, x0 + 4, cy - 5, x1 - x0 - 8, DOC_LEFT,
			    b->empty_text ? b->empty_text : "geen gegevens");
		}
		if (isfinite(b->circle))
			dashed_line(cr, XOF(b->circle), top + 1, top + ROW_H - 1);
		if (isfinite(b->everyone))
			diamond(cr, XOF(b->everyone), cy, 3.5);
	}
#undef XOF
	lx = DOC_MARGIN;
	y_axis += AXIS_H;
	if (any_est) {
		lx = legend_entry(d, lx, y_axis, LEG_BAR, "cijfer");
		if (any_ind)
			lx = legend_entry(d, lx, y_axis, LEG_HATCH, "indicatief");
		lx = legend_entry(d, lx, y_axis, LEG_WHISKER, "95%-interval");
	}
	if (any_circle)
		lx = legend_entry(d, lx, y_axis, LEG_DASH, circle_label);
	if (any_all)
		legend_entry(d, lx, y_axis, LEG_DIAMOND, everyone_label);
	return chart_marks_height(n);
}

/* ------------------------------------------------------------------ */

void
chart_norm_bar(struct doc *d, double x, double y, double w, double h, double est,
               double lo, double hi, double target)
{
	cairo_t *cr = d->cr;
	double cy = y + h / 2;

#define XOF(v) (x + ((v) < 0 ? 0 : (v) > 1 ? 1 : (v)) * w)
	set_grey(cr, 0.85);
	cairo_set_line_width(cr, 0.4);
	for (int k = 0; k <= 4; k++) {
		cairo_move_to(cr, x + w * k / 4, y + 1);
		cairo_line_to(cr, x + w * k / 4, y + h - 1);
	}
	cairo_stroke(cr);
	if (isfinite(est)) {
		bar_rect(cr, x, cy - 4, XOF(est) - x, 8, false);
		if (isfinite(lo) && isfinite(hi))
			whisker(cr, XOF(lo), XOF(hi), cy);
	}
	if (isfinite(target)) {
		set_grey(cr, 0);
		cairo_set_line_width(cr, 2.2);
		cairo_move_to(cr, XOF(target), cy - 6);
		cairo_line_to(cr, XOF(target), cy + 6);
		cairo_stroke(cr);
	}
#undef XOF
	set_grey(cr, 0);
}

double
chart_norm_scale(struct doc *d, double x, double y, double w)
{
	static const char *const ticks[] = { "0", "", "50", "", "100%" };
	double lx;

	set_grey(d->cr, 0.25);
	for (int k = 0; k <= 4; k++)
		doc_text_at(d, DOC_SMALL, x + w * k / 4 - 15, y, 30, DOC_CENTER, ticks[k]);
	set_grey(d->cr, 0);
	lx = legend_entry(d, DOC_MARGIN, y + 12, LEG_BAR, "% gehaald");
	lx = legend_entry(d, lx, y + 12, LEG_WHISKER, "95%-interval");
	legend_entry(d, lx, y + 12, LEG_TARGET, "doel");
	return 12 + LEGEND_H;
}

/* ------------------------------------------------------------------ */

#define MATRIX_H 196.0
#define MATRIX_PLOT_H 156.0

double
chart_matrix_height(void)
{
	return MATRIX_H;
}

/* A step for about five ticks over span. */
static double
nice_step(double span)
{
	static const double steps[] = { 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5 };

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (span / steps[i] <= 6)
			return steps[i];
	return 10;
}

struct box { double x0, y0, x1, y1; };

static bool
overlaps(const struct box *a, const struct box *placed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a->x0 < placed[i].x1 && placed[i].x0 < a->x1 &&
		    a->y0 < placed[i].y1 && placed[i].y0 < a->y1)
			return true;
	return false;
}

double
chart_matrix(struct doc *d, double y, const struct chart_point *pts, size_t n,
             double median)
{
	cairo_t *cr = d->cr;
	double px0 = DOC_MARGIN + 56, px1 = DOC_MARGIN + DOC_TEXT_W - 8;
	double py0 = y + 4, py1 = y + 4 + MATRIX_PLOT_H;
	double xmax = 0.5, ymin = 0, ymax = 0, step;
	struct box *placed = calloc(n + 4, sizeof *placed);
	size_t n_placed = 0;
	char t[16];

	for (size_t i = 0; i < n; i++) {
		if (isfinite(pts[i].x) && fabs(pts[i].x) * 1.2 > xmax)
			xmax = fabs(pts[i].x) * 1.2;
		if (isfinite(pts[i].y)) {
			ymin = pts[i].y < ymin ? pts[i].y : ymin;
			ymax = pts[i].y > ymax ? pts[i].y : ymax;
		}
	}
	if (isfinite(median) && median > ymax)
		ymax = median;
	ymax = ymax <= ymin ? ymin + 1 : ymin + (ymax - ymin) * 1.15;
#define XOF(v) (px0 + ((v) + xmax) / (2 * xmax) * (px1 - px0))
#define YOF(v) (py1 - ((v) - ymin) / (ymax - ymin) * (py1 - py0))
	/* The frame, the grid and the ticks. */
	cairo_rectangle(cr, px0, py0, px1 - px0, py1 - py0);
	set_grey(cr, 0.3);
	cairo_set_line_width(cr, 0.6);
	cairo_stroke(cr);
	step = nice_step(2 * xmax);
	for (double v = -floor(xmax / step) * step; v <= xmax + 1e-9; v += step) {
		kto_fmt_mark_diff(KTO_LANG_NL, v, t, sizeof t);
		if (step < 0.1 - 1e-12)
			kto_fmt_decimal2(KTO_LANG_NL, v, t, sizeof t);
		set_grey(cr, 0.25);
		doc_text_at(d, DOC_SMALL, XOF(v) - 20, py1 + 2, 40, DOC_CENTER, t);
	}
	step = nice_step(ymax - ymin);
	for (double v = ceil(ymin / step) * step; v <= ymax + 1e-9; v += step) {
		kto_fmt_decimal2(KTO_LANG_NL, v, t, sizeof t);
		set_grey(cr, 0.25);
		doc_text_at(d, DOC_SMALL, px0 - 34, YOF(v) - 5, 30, DOC_RIGHT, t);
	}
	dashed_line(cr, XOF(0), py0, py1);
	if (isfinite(median)) {
		static const double dash[] = { 3, 2 };

		cairo_save(cr);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_set_line_width(cr, 1.3);
		cairo_move_to(cr, px0, YOF(median));
		cairo_line_to(cr, px1, YOF(median));
		cairo_stroke(cr);
		cairo_restore(cr);
	}
	/* The quadrants' names in their corners. */
	set_grey(cr, 0.35);
	doc_text_at(d, DOC_SMALL_BOLD, px0 + 4, py0 + 3, 120, DOC_LEFT,
	    "VERBETEREN");
	doc_text_at(d, DOC_SMALL_BOLD, px1 - 124, py0 + 3, 120, DOC_RIGHT, "BEHOUDEN");
	doc_text_at(d, DOC_SMALL_BOLD, px0 + 4, py1 - 13, 120, DOC_LEFT, "BEWAKEN");
	doc_text_at(d, DOC_SMALL_BOLD, px1 - 124, py1 - 13, 120, DOC_RIGHT,
	    "MINDER URGENT");
	if (placed != NULL) {
		/* Keep labels off the corner names. */
		placed[n_placed++] = (struct box){ px0, py0, px0 + 70, py0 + 14 };
		placed[n_placed++] = (struct box){ px1 - 60, py0, px1, py0 + 14 };
		placed[n_placed++] = (struct box){ px0, py1 - 14, px0 + 55, py1 };
		placed[n_placed++] = (struct box){ px1 - 80, py1 - 14, px1, py1 };
	}
	if (n == 0)
		doc_text_at(d, DOC_SMALL_ITALIC, px0, (py0 + py1) / 2 - 5, px1 - px0,
		    DOC_CENTER, "geen gegevens");
	for (size_t i = 0; i < n; i++) {
		double x, yy, w;
		struct box b;
		static const double dx[] = { 5, 5, 5, -5, -5, -5 };
		static const double dy[] = { -5, -13, 3, -5, -13, 3 };
		size_t k;

		if (!isfinite(pts[i].x) || !isfinite(pts[i].y))
			continue;
		x = XOF(pts[i].x);
		yy = YOF(pts[i].y);
		set_grey(cr, 0);
		cairo_new_sub_path(cr);
		cairo_arc(cr, x, yy, 2.8, 0, 2 * M_PI);
		cairo_fill(cr);
		w = doc_text_width(d, DOC_SMALL, pts[i].label);
		/* The first place for the label that is free, else the first. */
		for (k = 0; k < 6; k++) {
			b.x0 = dx[k] > 0 ? x + dx[k] : x + dx[k] - w;
			b.y0 = yy + dy[k];
			b.x1 = b.x0 + w;
			b.y1 = b.y0 + 10;
			if (b.x0 >= px0 && b.x1 <= px1 && b.y0 >= py0 && b.y1 <= py1 &&
			    (placed == NULL || !overlaps(&b, placed, n_placed)))
				break;
		}
		if (k == 6) {
			b.x0 = x + 5 + w > px1 ? x - 5 - w : x + 5;
			b.y0 = yy - 5;
			b.x1 = b.x0 + w;
			b.y1 = b.y0 + 10;
		}
		if (placed != NULL)
			placed[n_placed++] = b;
		doc_text_at(d, DOC_SMALL, b.x0, b.y0, -1, DOC_LEFT, pts[i].label);
	}
#undef XOF
#undef YOF
	free(placed);
	set_grey(cr, 0);
	doc_text_at(d, DOC_SMALL, px0, py1 + 13, px1 - px0, DOC_CENTER,
	    "\xe2\x86\x90 onder uw kring      verschil met uw kring      boven uw "
	    "kring \xe2\x86\x92");
	cairo_save(cr);
	cairo_move_to(cr, DOC_MARGIN, (py0 + py1) / 2 + 80);
	cairo_rotate(cr, -M_PI / 2);
	pango_cairo_update_layout(cr, d->layout);
	pango_layout_set_font_description(d->layout, d->font[DOC_SMALL]);
	pango_layout_set_width(d->layout, 160 * PANGO_SCALE);
	pango_layout_set_alignment(d->layout, PANGO_ALIGN_CENTER);
	pango_layout_set_text(d->layout, "belang voor het totaaloordeel", -1);
	pango_cairo_show_layout(cr, d->layout);
	cairo_new_path(cr);
	cairo_restore(cr);
	pango_cairo_update_layout(cr, d->layout);
	return MATRIX_H;
}
