/*
** Internals shared by the chart files (chart_svg*.c): the writer that
** collects a chart's drawing and its description, text measurement and
** wrapping, and numeric axes.  Not for use outside report/chart_svg*.c.
**
** Coordinates are written by kto_svg_num(), never through printf's %f,
** so that no locale can put a decimal comma into the SVG; the only text
** that ever reaches the output unescaped is the literal markup here.
*/
#ifndef KTO_REPORT_CHART_SVG_INT_H
#define KTO_REPORT_CHART_SVG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "report/chart_svg.h"

/* The user-space width every chart is laid out in, and its margin. */
#define KTO_SVG_W      420.0
#define KTO_SVG_PAD    8.0
#define KTO_SVG_FONT   14.0      /* the root font size */
#define KTO_SVG_SMALL  12.0      /* ticks, notes, n */

/* Dark text and lines: 17:1 on white. */
#define KTO_SVG_INK    "#1a1a1a"
/* Secondary text: 9.7:1 on white. */
#define KTO_SVG_GREY   "#444444"
/* Grid lines: decorative only, the tick labels carry the values. */
#define KTO_SVG_GRID   "#d9d9d9"
/* A white halo behind text drawn over bars, lines or patterns. */
#define KTO_SVG_HALO   " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\"" \
                       " paint-order=\"stroke\""

/*
** One chart being written.  The drawing and the description are collected
** apart and joined by kto_svg_end(), because the <desc> comes first in the
** output but is only known once the data has been walked, and the height
** of the viewBox only once everything is laid out.  The first error
** sticks: every later write does nothing.
*/
struct kto_svg {
	struct kto_buf body;     /* the drawing */
	struct kto_buf desc;     /* the text alternative, not yet escaped */
	enum kto_rc rc;
	const char *id;          /* the id prefix */
	const char *title;
	enum kto_lang lang;      /* of the words and numbers */
	double y;                /* where the next thing goes */
};

/*
** Checks head and starts a chart (KTO_EINPUT for a bad id prefix); draws
** the title when asked for.  The buffers are bounded by what is left
** below out's ceiling.
*/
enum kto_rc kto_svg_begin(struct kto_svg *w, const struct kto_buf *out,
                          const struct kto_chart_head *head);

/*
** Appends the chart to out, w->y plus a margin high, and frees w.  On any
** error, the sticky one included, out is left as it was.
*/
enum kto_rc kto_svg_end(struct kto_svg *w, struct kto_buf *out);

/* Records rc unless an error is recorded already. */
void kto_svg_fail(struct kto_svg *w, enum kto_rc rc);

/* Markup from literals into the drawing. */
void kto_svg_raw(struct kto_svg *w, const char *s);
void kto_svg_f(struct kto_svg *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A coordinate with at most one decimal and a point: "12.5", "-3". */
void kto_svg_num(struct kto_svg *w, double v);

/* s[0..n) escaped for XML text or attribute values. */
void kto_svg_esc(struct kto_svg *w, const char *s, size_t n);

/* The description, in plain text (escaped at the end). */
void kto_svg_desc(struct kto_svg *w, const char *s);
void kto_svg_descf(struct kto_svg *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
** "7,4 (marge 7,1 tot 7,7; n = 412, indicatief)", "te weinig waarnemingen
** (n = 12)" or "geen gegevens" into the description.
*/
void kto_svg_desc_value(struct kto_svg *w, enum kto_chart_scale scale, double value,
                        double low, double high, long n, bool suppressed,
                        bool indicative);

/* "7,4" or "42%"; "-" when not a number. */
void kto_svg_fmt_value(const struct kto_svg *w, enum kto_chart_scale scale, double v,
                       char *buf, size_t n);

/* v with the given number of decimals and a decimal comma (a point in
 * English). */
void kto_svg_fmt_dec(const struct kto_svg *w, double v, int decimals, char *buf, size_t n);

/* "n = 412", "n = 45, indicatief", or "" when n < 0 and not indicative. */
void kto_svg_fmt_n(const struct kto_svg *w, long n, bool indicative, char *buf,
                   size_t size);

/* The chart's language's text of the two. */
const char *kto_svg_word(const struct kto_svg *w, const char *nl, const char *en);

/* The same for a format string: a macro, so that the compiler still sees
 * two literals and checks them against the arguments. */
#define KTO_SVG_FMT(w, nl, en) ((w)->lang == KTO_LANG_EN ? (en) : (nl))

/* ------------------------------------------------------------------ */
/* Text                                                                */

/* An estimate of the width of s[0..n) at the given font size. */
double kto_svg_text_width(const char *s, size_t n, double size);

/* A line of wrapped text: s[off..off+len), then "…" when ellipsis. */
struct kto_svg_line {
	size_t off, len;
	bool ellipsis;
};

/*
** Breaks s into at most max_lines lines of at most max_width, at spaces
** where it can; the last line ends in "…" when text is left over.
** Returns the number of lines (0 for an empty or blank s).
*/
size_t kto_svg_wrap(const char *s, double max_width, double size, size_t max_lines,
                    struct kto_svg_line *lines);

/*
** Draws s as up to max_lines lines from (x, y), the first baseline at y,
** line_height apart; attrs is literal markup for the <text> elements
** ("" for none).  When s had to be shortened, the whole of it goes into a
** <title> tooltip.  Returns the number of lines drawn.
*/
size_t kto_svg_text(struct kto_svg *w, double x, double y, double max_width,
                    double size, size_t max_lines, double line_height,
                    const char *attrs, const char *s);

/* The same for one line of s[0..n), never shortened. */
void kto_svg_text1(struct kto_svg *w, double x, double y, const char *attrs,
                   const char *s, size_t n);

/* "Geen gegevens om te tonen." as the whole chart. */
void kto_svg_empty(struct kto_svg *w);

/* Notes below a chart, each wrapped to the width; advances w->y. */
void kto_svg_note(struct kto_svg *w, const char *s);

/* The priority matrix's quadrants: 0 important and below the reference
 * ("verbeteren"), 1 important and not below, 2 less important and below,
 * 3 less important and not below; -1 when a number is unknown. */
int kto_svg_quadrant(double vs_circle, double importance, double split);
extern const char *const kto_svg_quadrant_names[2][4];

/* ------------------------------------------------------------------ */
/* Axes                                                                */

struct kto_svg_axis {
	enum kto_chart_scale scale;
	double lo, hi;           /* the values at the ends */
	double p0, p1;           /* their positions (p1 < p0 for a y axis) */
	double step;             /* between ticks */
};

/*
** A step of 1, 2 or 5 times a power of ten (for shares also 2.5) giving
** at most max_ticks steps over span.
*/
double kto_svg_nice_step(double span, int max_ticks, enum kto_chart_scale scale);

/* The position of v, clamped to the axis; p0 for NaN. */
double kto_svg_at(const struct kto_svg_axis *a, double v);

/* The ticks: lo + k * step for k = 0, 1, ... up to hi. */
size_t kto_svg_ticks(const struct kto_svg_axis *a, double *ticks, size_t max);

/* A tick's label: "7", "7,5" or "25%". */
void kto_svg_tick_label(const struct kto_svg *w, const struct kto_svg_axis *a, double v,
                        char *buf, size_t n);

/* ------------------------------------------------------------------ */
/* Patterns and markers                                                */

/* A pattern over a colour: 0 plain, 1 diagonal, 2 dots, 3 cross-hatch,
 * 4 horizontal stripes, 5 vertical stripes. */
#define KTO_SVG_PATTERNS 6

/* Defines <pattern id="ID-NAME"> of the kind over colour (a literal). */
void kto_svg_pattern(struct kto_svg *w, const char *name, int kind, const char *colour);

#endif
