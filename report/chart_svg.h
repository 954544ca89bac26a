/*
** Charts as inline SVG, drawn on the server: bars of marks with their
** intervals against a reference line, trend lines, stacked distributions
** and the priority matrix (DOMAIN.md 8).
**
** Pure functions of their arguments: no database, no locale, no clock, so
** the same data always gives the same bytes.  Every chart
**
**   - is one <svg role="img" aria-labelledby="ID-t ID-d"> element with a
**     <title> (the caller's title) and a <desc> that says in Dutch words
**     what the chart shows, value by value, as its text alternative;
**   - can be read without colour: values are written beside the marks with
**     a decimal comma, lines differ in dash and marker shape and carry
**     their name, segments differ in pattern, quadrants are labelled;
**   - uses colours with at least 3:1 contrast against white and against
**     what they touch (WCAG 1.4.11), dark text with a white halo;
**   - scales to its container (viewBox, width 100%), laid out for about
**     420 px so that it still reads on a phone;
**   - needs nothing outside itself: no script, no style sheet, no fonts,
**     no links.  Its ids all start with the caller's prefix, so that
**     several charts can share one page.
**
** All text is escaped for XML here; labels may hold anything, including
** "<&\"'" and invalid UTF-8 (shown as U+FFFD).  Over-long labels are
** wrapped or shortened with "..." on the chart, never in the <desc>.
**
** Each function appends the chart to out and returns KTO_OK; on error
** (KTO_EINPUT for a bad prefix or a NULL array with a count, KTO_ENOMEM,
** KTO_ELIMIT past out's ceiling) out is left as it was.
*/
#ifndef KTO_REPORT_CHART_SVG_H
#define KTO_REPORT_CHART_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/lang.h"

/* What the chart is and how it is named on its page. */
struct kto_chart_head {
	const char *id;       /* id prefix, unique on the page: a letter, then
	                       * letters, digits, '-' or '_' (at most 64) */
	const char *title;    /* the accessible name; NULL: "" */
	const char *desc;     /* NULL, or a sentence put before the generated
	                       * description of the data */
	bool show_title;      /* also draw the title at the top of the chart */
	enum kto_lang lang;   /* the language of the chart's words and numbers
	                       * (zero: Dutch, with decimal commas) */
};

/* How values are written and which axis they default to. */
enum kto_chart_scale {
	KTO_CHART_MARKS,      /* marks 1-10: "7,4"; axis 1 to 10 */
	KTO_CHART_SHARES      /* shares 0-1: "42%"; axis 0% to 100% */
};

/* ------------------------------------------------------------------ */
/* Bars                                                                */

/*
** One horizontal bar.  value, low and high are NaN when unknown; n < 0
** when not known.  A suppressed bar (too few observations) is drawn as the
** words "te weinig waarnemingen" and its value is never shown; an
** indicative one is hatched and marked "*".  significant is +1 or -1 when
** the value is significantly higher or lower than the reference (drawn as
** ▲ or ▼), else 0.
*/
struct kto_chart_bar {
	const char *label;
	double value, low, high;
	long n;
	bool suppressed;
	bool indicative;
	int significant;
};

/*
** Bars with their intervals as whiskers, one per item (a channel, an area,
** a norm), with the reference as a dashed vertical line labelled
** "<reference_label> 7,4".  reference: NaN for none.  lo and hi bound the
** axis; NaN (or lo >= hi) takes the scale's default.
*/
enum kto_rc kto_chart_bars(struct kto_buf *out, const struct kto_chart_head *head,
                           enum kto_chart_scale scale,
                           const struct kto_chart_bar *bars, size_t n,
                           double reference, const char *reference_label,
                           double lo, double hi);

/* ------------------------------------------------------------------ */
/* Trend lines                                                         */

/* One point of a series: as a bar, without the comparison. */
struct kto_chart_point {
	double value, low, high;   /* NaN: unknown */
	long n;                    /* < 0: unknown */
	bool suppressed;
	bool indicative;           /* drawn as an open marker */
};

/* A line: its name and one point per period. */
struct kto_chart_series {
	const char *name;                       /* "Uw gemeente", "kring" */
	const struct kto_chart_point *points;   /* n_periods of them */
};

#define KTO_CHART_MAX_SERIES 6

/*
** Lines over periods (waves or years, oldest first), each series with its
** own dash pattern and marker shape, named at its end and in a legend;
** intervals as vertical whiskers.  A suppressed or unknown point breaks
** its line.  At most KTO_CHART_MAX_SERIES series (else KTO_EINPUT).  lo,
** hi: NaN to fit the axis to the data.
*/
enum kto_rc kto_chart_trend(struct kto_buf *out, const struct kto_chart_head *head,
                            enum kto_chart_scale scale,
                            const char *const *periods, size_t n_periods,
                            const struct kto_chart_series *series, size_t n_series,
                            double lo, double hi);

/* ------------------------------------------------------------------ */
/* Stacked distributions                                               */

#define KTO_CHART_MAX_CATEGORIES 10

/*
** One row of a stacked distribution: the shares of each category (NaN
** counts as 0; rescaled when they do not add up to 1).
*/
struct kto_chart_dist_row {
	const char *label;
	const double *shares;     /* n_categories of them */
	long n;                   /* < 0: unknown */
	bool suppressed;
	bool indicative;
};

/*
** Rows of 100% bars, split into categories in order (1 to 10, or the three
** groups of kto_chart_mark_groups), each category with its own pattern
** and a legend; percentages are written in segments wide enough for them.
** Three categories are coloured as onvoldoende / middle / good, ten as
** the marks 1 to 10, any other number alike.  1 to
** KTO_CHART_MAX_CATEGORIES categories, else KTO_EINPUT.
*/
enum kto_rc kto_chart_stacked(struct kto_buf *out, const struct kto_chart_head *head,
                              const char *const *categories, size_t n_categories,
                              const struct kto_chart_dist_row *rows, size_t n_rows);

/* "1-5 (onvoldoende)", "6-7", "8-10" (with en dashes), or in English. */
const char *const *kto_chart_mark_groups(enum kto_lang lang);

/*
** Groups the shares of the marks 1 to 10 into the three groups above;
** a group is NaN when every share in it is.
*/
void kto_chart_group_marks(const double dist[10], double groups[3]);

/* ------------------------------------------------------------------ */
/* The priority matrix                                                 */

/* An area: its mark minus the circle's (x) and its importance (y). */
struct kto_chart_priority_point {
	const char *label;
	double vs_circle;      /* NaN: unknown, not placed */
	double importance;     /* NaN: unknown, not placed */
};

/*
** The priority matrix (docs/statistics.md, "Key drivers"): x the area's
** mark against the circle, y its importance, split at x = 0 and at
** importance_split -- NaN for the median of the known importances, as the
** engine classifies.  Quadrants: verbeteren (important, below the circle),
** behouden (important, not below), bewaken (less important, below),
** minder urgent.  reference_label names the circle on the axis ("kring").
*/
enum kto_rc kto_chart_priority(struct kto_buf *out, const struct kto_chart_head *head,
                               const struct kto_chart_priority_point *points, size_t n,
                               double importance_split, const char *reference_label);

/* The quadrant a point falls in, as the chart draws it ("verbeteren", or
 * "improve" in English); NULL when unknown. */
const char *kto_chart_quadrant(enum kto_lang lang, double vs_circle, double importance,
                               double split);

#endif
