/*
** Internals of the letter and the overview: an A4 document of text blocks,
** tables and charts that flows over pages (letter_doc.c), and the charts
** (letter_draw.c).  Units are PostScript points (1/72 inch).
*/
#ifndef KTO_REPORT_LETTER_INT_H
#define KTO_REPORT_LETTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "base/buf.h"
#include "base/status.h"

#define DOC_PAGE_W 595.276      /* A4 */
#define DOC_PAGE_H 841.890
#define DOC_MARGIN 56.693       /* 2 cm */
#define DOC_TOP 44.0
#define DOC_BOTTOM 54.0         /* room for the footer */
#define DOC_TEXT_W (DOC_PAGE_W - 2 * DOC_MARGIN)

enum doc_font {
	DOC_BODY, DOC_BOLD, DOC_ITALIC, DOC_SMALL, DOC_SMALL_BOLD, DOC_SMALL_ITALIC,
	DOC_H1, DOC_H2, DOC_TITLE_SMALL, DOC_FONT_COUNT
};

enum doc_align { DOC_LEFT, DOC_RIGHT, DOC_CENTER };

struct doc {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *layout;
	PangoFontDescription *font[DOC_FONT_COUNT];
	struct kto_buf *out;
	double y;                /* where the next block starts */
	int page;                /* the current page, from 1 */
	char footer[256];        /* left of every page's foot */
	enum kto_rc rc;          /* the first failure (of the stream) */
};

/* Starts a document that streams into out; footer is repeated on each page. */
enum kto_rc doc_begin(struct doc *d, struct kto_buf *out, const char *title,
                      const char *footer);

/* Finishes the document (the last page's foot included) and frees it. */
enum kto_rc doc_end(struct doc *d);

/* Frees a document after a failure, without finishing it. */
void doc_discard(struct doc *d);

/* Ends the page and starts the next. */
void doc_new_page(struct doc *d);

/* Makes sure h points fit below y; starts a new page when not. */
void doc_need(struct doc *d, double h);

/* The height text takes in font f, wrapped at width. */
double doc_text_height(struct doc *d, enum doc_font f, double width, const char *text);

/* Draws text at (x, y), wrapped at width; returns its height. */
double doc_text_at(struct doc *d, enum doc_font f, double x, double y, double width,
                   enum doc_align align, const char *text);

/* The width of one line of text in font f. */
double doc_text_width(struct doc *d, enum doc_font f, const char *text);

/* A paragraph across the text width at y, kept on one page; y moves on. */
void doc_paragraph(struct doc *d, enum doc_font f, const char *text);

/* A paragraph indented by indent, after a bullet or number (prefix). */
void doc_item(struct doc *d, const char *prefix, double indent, const char *text);

/* A heading, kept on a page with at least keep points after it. */
void doc_heading(struct doc *d, enum doc_font f, const char *text, double keep);

/* Moves y down by h. */
void doc_space(struct doc *d, double h);

/* A thin horizontal rule across the text width at y. */
void doc_rule(struct doc *d, double y, double width);

/*
** A table row: cells[i] in column i of widths[i]; a NULL cell widens the
** one before it (a cell spanning columns).  The row is kept on one page;
** y moves below it.  rule: a line under the row.  Returns the row's top.
*/
struct doc_col {
	double width;
	enum doc_align align;
};
double doc_table_row(struct doc *d, const struct doc_col *cols, size_t n,
                   const char *const *cells, enum doc_font f, bool rule);

/* ------------------------------------------------------------------ */
/* Charts (letter_draw.c)                                              */

/*
** One bar of a mark chart: the estimate with its interval; a reference
** line (the circle) and a marker (all participants) beside it.  NaN where
** there is none; a bar without an estimate shows empty_text instead.
*/
struct chart_bar {
	const char *label;
	double est, lo, hi;
	bool indicative;
	const char *empty_text;      /* "te weinig waarnemingen", "geen respons" */
	double circle, everyone;
};

/*
** Draws horizontal bars of marks at y across the text width, with an axis
** and a legend naming the reference line and the marker; returns the
** height used.  n may be 0.
*/
double chart_marks(struct doc *d, double y, const struct chart_bar *bars, size_t n,
                   const char *circle_label, const char *everyone_label);

/* The height chart_marks() takes for n bars. */
double chart_marks_height(size_t n);

/*
** A service norm in a box (x, y, w, h): the share met from 0 to 100% as a
** bar with its interval, the target as a thick line; NaN draws nothing.
*/
void chart_norm_bar(struct doc *d, double x, double y, double w, double h,
                    double est, double lo, double hi, double target);

/* The scale and legend under a column of chart_norm_bar()s; its height. */
double chart_norm_scale(struct doc *d, double x, double y, double w);

/* An area in the priority matrix. */
struct chart_point {
	const char *label;
	double x;                    /* mark minus the circle's other members' */
	double y;                    /* importance */
};

/*
** The priority matrix: importance (up) against the mark relative to the
** circle (right), split at 0 and at median_importance into the quadrants
** verbeteren, behouden, bewaken and minder urgent.
*/
double chart_matrix(struct doc *d, double y, const struct chart_point *pts, size_t n,
                    double median_importance);
double chart_matrix_height(void);

/* ------------------------------------------------------------------ */
/* A letter's data, read from the result set (letter_data.c)           */

#include "engine/municipality.h"
#include "engine/results.h"
#include "engine/wave.h"
#include "report/wording.h"

enum { LETTER_COUNTER, LETTER_PHONE, LETTER_EMAIL, LETTER_ALL, LETTER_CHANNELS };

/* The index of a result's channel ("counter" ... "all"), -1 when unknown. */
int letter_channel_index(const char *channel);

struct letter_channel {
	bool present;                /* in the municipality's waves (all: always) */
	bool has_mine, has_circle, has_all;
	struct kto_result_row mine, circle, all;     /* the overall mark, TOT */
	struct kto_wave_counts counts;               /* summed over the waves */
	char def_ref[96];            /* "kto-balie@2": its questionnaire */
};

struct letter_norm {
	struct kto_result_row row;
	char text[256];              /* the norm's Dutch text, or "" */
};

struct letter {
	struct kto_municipality mun;
	struct kto_result_set_info set;
	struct kto_results_scope scope;
	size_t n_waves;
	char from[11], to[11];       /* the waves' period */
	struct letter_channel ch[LETTER_CHANNELS];
	struct kto_result_row *areas;        /* area:XXX over all channels */
	size_t n_areas, cap_areas;
	struct letter_norm *norms;           /* norm:ID per channel */
	size_t n_norms, cap_norms;
	struct kto_result_driver *drivers;
	size_t n_drivers, cap_drivers;
};

/*
** Reads everything the letter of municipality shows; KTO_ENOTFOUND (with
** the database's message) for an unknown municipality or no result set,
** KTO_EINPUT for a wave of another municipality.  Free with letter_free().
*/
enum kto_rc letter_load(struct kto_db *db, const char *municipality,
                        const struct kto_results_scope *scope, struct letter *l);
void letter_free(struct letter *l);

/* The same from a result set read once (kto_letter_batch_open()). */
struct kto_letter_batch;
enum kto_rc letter_load_batch(struct kto_db *db, const struct kto_letter_batch *b,
                              const char *municipality, struct letter *l);

/* Shared by the sections of the letter (letter.c, letter_sections.c). */
extern const char *const letter_channel_title[LETTER_CHANNELS];   /* "Balie" */
bool letter_shown(const struct kto_result_row *r);        /* a number to show */
bool letter_indicative(const struct kto_result_row *r);
/* "significant hoger dan uw kring (7,1)"; the reference left out when none. */
void letter_comparison_text(enum kto_against k, const struct kto_result_comparison *c,
                            bool share, char *out, size_t n);
void letter_integer_text(int64_t v, char *out, size_t n);
struct doc;
void letter_section_norms(struct doc *d, struct letter *l);
void letter_section_matrix(struct doc *d, const struct letter *l);
void letter_section_method(struct doc *d, const struct letter *l);

/* "10 november 2026" for "2026-11-10"; the input itself when it is not one. */
void letter_dutch_date(const char *iso, char *out, size_t n);

#endif
