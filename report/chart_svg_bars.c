/*
** report/chart_svg_bars: horizontal bars of marks or shares with their
** margins as whiskers and a reference line (chart_svg.h).
**
** Each row is its label (up to two lines, with n at the right), then the
** bar across the full width, so that long Dutch labels still fit on a
** phone; the value is written in a column to the right of the axis.
*/
#include "report/chart_svg.h"
#include "report/chart_svg_int.h"

#include <math.h>
#include <string.h>

/* 3.8:1 on white, 5.6:1 under the black whiskers and reference line. */
#define BAR_COLOUR "#5a87b8"

#define VALUE_W 72.0      /* the value column right of the axis */
#define LINE_H  17.0
#define BAR_H   18.0
#define GAP     12.0

static const char up[] = "\xE2\x96\xB2", down[] = "\xE2\x96\xBC";

/* The row's "n = 412" and how many lines its label takes. */
static size_t
row_label(const struct kto_svg *w, const struct kto_chart_bar *b, char *ns, size_t size,
          double *max_width)
{
	struct kto_svg_line lines[2];
	size_t k;

	kto_svg_fmt_n(w, b->n, false, ns, size);
	*max_width = KTO_SVG_W - 2 * KTO_SVG_PAD -
	    (ns[0] != '\0' ? kto_svg_text_width(ns, strlen(ns), KTO_SVG_SMALL) + 10 : 0);
	k = kto_svg_wrap(b->label, *max_width, KTO_SVG_FONT, 2, lines);
	return k > 0 ? k : 1;
}

static void
draw_bar(struct kto_svg *w, const struct kto_svg_axis *ax, const struct kto_chart_bar *b,
         double top)
{
	double xv = kto_svg_at(ax, b->value);
	char v[48];       /* at most "-1000000000%", " ▲", "*" */
	size_t len;

	kto_svg_raw(w, "<rect x=\"");
	kto_svg_num(w, ax->p0);
	kto_svg_raw(w, "\" y=\"");
	kto_svg_num(w, top);
	kto_svg_raw(w, "\" width=\"");
	kto_svg_num(w, fmax(xv - ax->p0, 0));
	kto_svg_raw(w, "\" height=\"");
	kto_svg_num(w, BAR_H);
	if (b->indicative)
		kto_svg_f(w, "\" fill=\"url(#%s-h)\"", w->id);
	else
		kto_svg_raw(w, "\" fill=\"" BAR_COLOUR "\"");
	kto_svg_raw(w, " stroke=\"" BAR_COLOUR "\" stroke-width=\"1.5\"/>");

	if (isfinite(b->low) && isfinite(b->high) && b->low <= b->high) {
		double xl = kto_svg_at(ax, b->low), xh = kto_svg_at(ax, b->high);
		double ym = top + BAR_H / 2;

		kto_svg_raw(w, "<path stroke=\"#000000\" stroke-width=\"1.5\" fill=\"none\" d=\"M");
		kto_svg_num(w, xl);
		kto_svg_raw(w, " ");
		kto_svg_num(w, ym);
		kto_svg_raw(w, "H");
		kto_svg_num(w, xh);
		/* A cap only where the margin ends inside the axis. */
		if (b->low >= ax->lo) {
			kto_svg_raw(w, "M");
			kto_svg_num(w, xl);
			kto_svg_raw(w, " ");
			kto_svg_num(w, ym - 5);
			kto_svg_raw(w, "v10");
		}
		if (b->high <= ax->hi) {
			kto_svg_raw(w, "M");
			kto_svg_num(w, xh);
			kto_svg_raw(w, " ");
			kto_svg_num(w, ym - 5);
			kto_svg_raw(w, "v10");
		}
		kto_svg_raw(w, "\"/>");
	}

	/* "7,4 ▲*": the value, its comparison, and whether it is indicative. */
	kto_svg_fmt_value(w, ax->scale, b->value, v, sizeof v);
	len = strlen(v);
	if (len > sizeof v - 6)
		len = sizeof v - 6;      /* only absurd values are this long */
	if (b->significant != 0) {
		v[len++] = ' ';
		memcpy(v + len, b->significant > 0 ? up : down, 3);
		len += 3;
	}
	if (b->indicative)
		v[len++] = '*';
	kto_svg_text1(w, ax->p1 + 8, top + 14, "font-weight=\"bold\" fill=\"" KTO_SVG_INK "\"",
	    v, len);
}

/* The label above the reference line: "kring 7,4", kept inside the chart. */
static void
draw_reference(struct kto_svg *w, const struct kto_svg_axis *ax, double reference,
               const char *label, double top, double bottom)
{
	struct kto_buf text = KTO_BUF_INIT(w->body.max);
	double x = kto_svg_at(ax, reference), tw;
	char v[32];

	kto_svg_raw(w, "<line x1=\"");
	kto_svg_num(w, x);
	kto_svg_raw(w, "\" x2=\"");
	kto_svg_num(w, x);
	kto_svg_raw(w, "\" y1=\"");
	kto_svg_num(w, top - 4);
	kto_svg_raw(w, "\" y2=\"");
	kto_svg_num(w, bottom);
	kto_svg_raw(w, "\" stroke=\"#000000\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>");

	kto_svg_fmt_value(w, ax->scale, reference, v, sizeof v);
	if (label[0] != '\0')
		kto_svg_fail(w, kto_buf_addf(&text, "%s %s", label, v));
	else
		kto_svg_fail(w, kto_buf_adds(&text, v));
	if (w->rc != KTO_OK)
		goto out;
	tw = fmin(kto_svg_text_width(text.ptr, text.len, KTO_SVG_SMALL) * 1.1,
	    KTO_SVG_W - 2 * KTO_SVG_PAD);
	x = fmax(KTO_SVG_PAD + tw / 2, fmin(KTO_SVG_W - KTO_SVG_PAD - tw / 2, x));
	kto_svg_text(w, x, top - 8, KTO_SVG_W - 2 * KTO_SVG_PAD, KTO_SVG_SMALL * 1.1, 1, 0,
	    "font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"" KTO_SVG_INK "\"",
	    text.ptr);
out:
	kto_buf_release(&text);
}

static void
draw_axis(struct kto_svg *w, const struct kto_svg_axis *ax, double top, double bottom)
{
	double ticks[64];
	size_t nt = kto_svg_ticks(ax, ticks, 64);
	char label[32];

	for (size_t i = 0; i < nt; i++) {
		double x = kto_svg_at(ax, ticks[i]);

		kto_svg_raw(w, "<line stroke=\"" KTO_SVG_GRID "\" x1=\"");
		kto_svg_num(w, x);
		kto_svg_raw(w, "\" x2=\"");
		kto_svg_num(w, x);
		kto_svg_raw(w, "\" y1=\"");
		kto_svg_num(w, top);
		kto_svg_raw(w, "\" y2=\"");
		kto_svg_num(w, bottom + 4);
		kto_svg_raw(w, "\"/>");
		kto_svg_tick_label(w, ax, ticks[i], label, sizeof label);
		kto_svg_text1(w, x, bottom + 17, "font-size=\"12\" text-anchor=\"middle\" fill=\""
		    KTO_SVG_GREY "\"", label, strlen(label));
	}
	kto_svg_raw(w, "<line stroke=\"" KTO_SVG_GREY "\" x1=\"");
	kto_svg_num(w, ax->p0);
	kto_svg_raw(w, "\" x2=\"");
	kto_svg_num(w, ax->p1);
	kto_svg_raw(w, "\" y1=\"");
	kto_svg_num(w, bottom);
	kto_svg_raw(w, "\" y2=\"");
	kto_svg_num(w, bottom);
	kto_svg_raw(w, "\"/>");
}

/* The row's words in the description: "Balie: 7,6 (marge ...), significant hoger dan kring." */
static void
describe(struct kto_svg *w, enum kto_chart_scale scale, const struct kto_chart_bar *b,
         const char *compared)
{
	kto_svg_desc(w, b->label != NULL && b->label[0] != '\0' ? b->label :
	    kto_svg_word(w, "(zonder naam)", "(no name)"));
	kto_svg_desc(w, ": ");
	kto_svg_desc_value(w, scale, b->value, b->low, b->high, b->n, b->suppressed,
	    b->indicative);
	if (!b->suppressed && isfinite(b->value) && b->significant != 0)
		kto_svg_descf(w, KTO_SVG_FMT(w, ", significant %s dan %s",
		    ", significantly %s than %s"), b->significant > 0 ? kto_svg_word(w, "hoger",
		    "higher") : kto_svg_word(w, "lager", "lower"), compared);
	kto_svg_desc(w, ". ");
}

enum kto_rc
kto_chart_bars(struct kto_buf *out, const struct kto_chart_head *head,
               enum kto_chart_scale scale, const struct kto_chart_bar *bars, size_t n,
               double reference, const char *reference_label, double lo, double hi)
{
	struct kto_svg w;
	struct kto_svg_axis ax;
	const char *ref_label = reference_label != NULL ? reference_label : "";
	const char *compared;
	bool has_ref = isfinite(reference), any_ind = false, any_sig = false;
	bool any_whisker = false;
	double top, bottom, height = 0;
	enum kto_rc rc;

	if (bars == NULL && n > 0)
		return KTO_EINPUT;
	if ((rc = kto_svg_begin(&w, out, head)) != KTO_OK)
		return rc;
	compared = ref_label[0] != '\0' ? ref_label : kto_svg_word(&w, "de vergelijking",
	    "the comparison");
	if (n == 0) {
		kto_svg_empty(&w);
		return kto_svg_end(&w, out);
	}
	if (!(isfinite(lo) && isfinite(hi) && lo < hi)) {
		lo = scale == KTO_CHART_SHARES ? 0 : 1;
		hi = scale == KTO_CHART_SHARES ? 1 : 10;
	}
	ax.scale = scale;
	ax.lo = lo;
	ax.hi = hi;
	ax.p0 = KTO_SVG_PAD;
	ax.p1 = KTO_SVG_W - KTO_SVG_PAD - VALUE_W;
	ax.step = kto_svg_nice_step(hi - lo, scale == KTO_CHART_SHARES ? 5 : 10, scale);

	if (has_ref) {
		char v[32];

		kto_svg_fmt_value(&w, scale, reference, v, sizeof v);
		kto_svg_descf(&w, KTO_SVG_FMT(&w, "Ter vergelijking %s: %s. ",
		    "For comparison, %s: %s. "), ref_label[0] ? ref_label :
		    kto_svg_word(&w, "de referentie", "the reference"), v);
		w.y += 20;
	}
	top = w.y;
	for (size_t i = 0; i < n; i++) {
		char ns[32];
		double mw;

		height += (double)row_label(&w, &bars[i], ns, sizeof ns, &mw) * LINE_H + 3 + BAR_H + GAP;
	}
	bottom = top + height;

	kto_svg_raw(&w, "<defs>");
	kto_svg_pattern(&w, "h", 1, BAR_COLOUR);
	kto_svg_raw(&w, "</defs>");
	draw_axis(&w, &ax, top, bottom);

	/* The bars, then the reference line over them, then the words over both. */
	for (size_t i = 0; i < n; i++) {
		const struct kto_chart_bar *b = &bars[i];
		char ns[32];
		double mw;
		double bar_top = w.y + (double)row_label(&w, b, ns, sizeof ns, &mw) * LINE_H + 3;

		if (!b->suppressed && isfinite(b->value)) {
			draw_bar(&w, &ax, b, bar_top);
			any_ind |= b->indicative;
			any_sig |= b->significant != 0;
			any_whisker |= isfinite(b->low) && isfinite(b->high);
		}
		describe(&w, scale, b, compared);
		w.y = bar_top + BAR_H + GAP;
	}
	if (has_ref)
		draw_reference(&w, &ax, reference, ref_label, top, bottom);
	w.y = top;
	for (size_t i = 0; i < n; i++) {
		const struct kto_chart_bar *b = &bars[i];
		char ns[32];
		double mw;
		size_t k = row_label(&w, b, ns, sizeof ns, &mw);
		double bar_top = w.y + (double)k * LINE_H + 3;

		kto_svg_text(&w, KTO_SVG_PAD, w.y + 13, mw, KTO_SVG_FONT, 2, LINE_H,
		    "fill=\"" KTO_SVG_INK "\"" KTO_SVG_HALO, b->label);
		if (ns[0] != '\0')
			kto_svg_text1(&w, KTO_SVG_W - KTO_SVG_PAD, w.y + 13, "font-size=\"12\" "
			    "text-anchor=\"end\" fill=\"" KTO_SVG_GREY "\"", ns, strlen(ns));
		if (b->suppressed || !isfinite(b->value)) {
			const char *why = b->suppressed ? kto_svg_word(&w, "te weinig waarnemingen",
			    "too few responses") : kto_svg_word(&w, "geen gegevens", "no data");

			kto_svg_text1(&w, ax.p0 + 4, bar_top + 14, "font-style=\"italic\" fill=\""
			    KTO_SVG_GREY "\"" KTO_SVG_HALO, why, strlen(why));
		}
		w.y = bar_top + BAR_H + GAP;
	}

	w.y = bottom + 26;
	if (any_whisker)
		kto_svg_note(&w, kto_svg_word(&w, "Het lijntje door een staaf geeft de marge.",
		    "The line through a bar shows the margin."));
	if (any_ind)
		kto_svg_note(&w, kto_svg_word(&w, "* Indicatief (gearceerd): gebaseerd op "
		    "weinig waarnemingen.", "* Indicative (hatched): based on few responses."));
	if (any_sig) {
		struct kto_buf note = KTO_BUF_INIT(w.body.max);

		kto_svg_fail(&w, kto_buf_addf(&note, KTO_SVG_FMT(&w, "%s / %s: significant "
		    "hoger / lager dan %s.", "%s / %s: significantly higher / lower than %s."),
		    up, down, compared));
		if (w.rc == KTO_OK)
			kto_svg_note(&w, note.ptr);
		kto_buf_release(&note);
	}
	return kto_svg_end(&w, out);
}
