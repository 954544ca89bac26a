/*
** An A4 PDF document of text blocks and tables that flows over pages:
** the page machinery under the letter and the overview (letter_int.h).
*/
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>

#include "report/letter.h"
#include "report/letter_int.h"

/* DejaVu has every glyph the letter uses (the triangles, the en dash). */
static const char *const font_spec[DOC_FONT_COUNT] = {
	[DOC_BODY] = "DejaVu Sans, Sans 8.5",
	[DOC_BOLD] = "DejaVu Sans, Sans Bold 8.5",
	[DOC_ITALIC] = "DejaVu Sans, Sans Oblique 8.5",
	[DOC_SMALL] = "DejaVu Sans, Sans 7",
	[DOC_SMALL_BOLD] = "DejaVu Sans, Sans Bold 7",
	[DOC_SMALL_ITALIC] = "DejaVu Sans, Sans Oblique 7",
	[DOC_H1] = "DejaVu Sans, Sans Bold 17",
	[DOC_H2] = "DejaVu Sans, Sans Bold 11.5",
	[DOC_TITLE_SMALL] = "DejaVu Sans, Sans 10",
};

static pthread_once_t fonts_once = PTHREAD_ONCE_INIT;

static void
fonts_load(void)
{
	PangoFontMap *map = pango_cairo_font_map_get_default();
	PangoContext *ctx = pango_font_map_create_context(map);

	for (int f = 0; f < DOC_FONT_COUNT; f++) {
		PangoFontDescription *desc = pango_font_description_from_string(font_spec[f]);
		PangoFont *font = pango_font_map_load_font(map, ctx, desc);

		if (font != NULL)
			g_object_unref(font);
		pango_font_description_free(desc);
	}
	g_object_unref(ctx);
}

void
kto_letter_setup(void)
{
	pthread_once(&fonts_once, fonts_load);
}

/*
** For LeakSanitizer (make check-asan), which reads this hook of the
** program: fontconfig keeps the rules it parsed from its configuration
** files for the life of the process, where LSan cannot see them.  Only
** allocations made inside fontconfig are excused.
*/
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

void
kto_letter_cleanup(void)
{
	/* Not cairo_debug_reset_static_data(): it aborts while a font is in use. */
	pango_cairo_font_map_set_default(NULL);
}

static cairo_status_t
write_stream(void *closure, const unsigned char *data, unsigned int length)
{
	struct doc *d = closure;
	enum kto_rc rc = kto_buf_add(d->out, data, length);

	if (rc != KTO_OK) {
		if (d->rc == KTO_OK)
			d->rc = rc;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

enum kto_rc
doc_begin(struct doc *d, struct kto_buf *out, const char *title, const char *footer)
{
	cairo_font_options_t *fo;

	/* Every document starts here: the first one, on whatever thread,
	 * loads the fonts once for all (fontconfig's first use must not be
	 * raced), so no caller has to remember to. */
	kto_letter_setup();
	memset(d, 0, sizeof *d);
	d->out = out;
	d->page = 1;
	d->y = DOC_TOP;
	snprintf(d->footer, sizeof d->footer, "%s", footer);
	d->surface = cairo_pdf_surface_create_for_stream(write_stream, d, DOC_PAGE_W,
	    DOC_PAGE_H);
	if (cairo_surface_status(d->surface) != CAIRO_STATUS_SUCCESS) {
		doc_discard(d);
		return KTO_ENOMEM;
	}
	cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "kto");
	d->cr = cairo_create(d->surface);
	d->layout = pango_cairo_create_layout(d->cr);
	if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS || d->layout == NULL) {
		doc_discard(d);
		return KTO_ENOMEM;
	}
	/* Metrics as designed, not snapped to a screen's pixels. */
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(pango_layout_get_context(d->layout), fo);
	cairo_font_options_destroy(fo);
	pango_layout_context_changed(d->layout);
	for (int f = 0; f < DOC_FONT_COUNT; f++)
		d->font[f] = pango_font_description_from_string(font_spec[f]);
	pango_layout_set_wrap(d->layout, PANGO_WRAP_WORD);
	return KTO_OK;
}

static void
draw_footer(struct doc *d)
{
	char page[32];
	double y = DOC_PAGE_H - DOC_BOTTOM + 18;

	cairo_set_source_rgb(d->cr, 0.55, 0.55, 0.55);
	cairo_set_line_width(d->cr, 0.5);
	cairo_move_to(d->cr, DOC_MARGIN, y - 4);
	cairo_line_to(d->cr, DOC_PAGE_W - DOC_MARGIN, y - 4);
	cairo_stroke(d->cr);
	cairo_set_source_rgb(d->cr, 0.3, 0.3, 0.3);
	doc_text_at(d, DOC_SMALL, DOC_MARGIN, y, DOC_TEXT_W - 80, DOC_LEFT, d->footer);
	snprintf(page, sizeof page, "pagina %d", d->page);
	doc_text_at(d, DOC_SMALL, DOC_PAGE_W - DOC_MARGIN - 80, y, 80, DOC_RIGHT, page);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
}

void
doc_new_page(struct doc *d)
{
	draw_footer(d);
	cairo_show_page(d->cr);
	d->page++;
	d->y = DOC_TOP;
}

void
doc_need(struct doc *d, double h)
{
	if (d->y + h > DOC_PAGE_H - DOC_BOTTOM && d->y > DOC_TOP)
		doc_new_page(d);
}

static void
free_parts(struct doc *d)
{
	for (int f = 0; f < DOC_FONT_COUNT; f++)
		if (d->font[f] != NULL)
			pango_font_description_free(d->font[f]);
	if (d->layout != NULL)
		g_object_unref(d->layout);
	if (d->cr != NULL)
		cairo_destroy(d->cr);
	d->layout = NULL;
	d->cr = NULL;
}

void
doc_discard(struct doc *d)
{
	free_parts(d);
	if (d->surface != NULL) {
		cairo_surface_finish(d->surface);
		cairo_surface_destroy(d->surface);
	}
	d->surface = NULL;
}

enum kto_rc
doc_end(struct doc *d)
{
	cairo_status_t st;
	enum kto_rc rc;

	draw_footer(d);
	cairo_show_page(d->cr);
	st = cairo_status(d->cr);
	free_parts(d);
	cairo_surface_finish(d->surface);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(d->surface);
	cairo_surface_destroy(d->surface);
	d->surface = NULL;
	rc = d->rc;
	if (rc == KTO_OK && st != CAIRO_STATUS_SUCCESS)
		rc = st == CAIRO_STATUS_NO_MEMORY ? KTO_ENOMEM : KTO_EINTERNAL;
	return rc;
}

static void
layout_set(struct doc *d, enum doc_font f, double width, enum doc_align align,
           const char *text)
{
	pango_layout_set_font_description(d->layout, d->font[f]);
	pango_layout_set_width(d->layout, width > 0 ? (int)(width * PANGO_SCALE) : -1);
	pango_layout_set_alignment(d->layout, align == DOC_RIGHT ? PANGO_ALIGN_RIGHT :
	    align == DOC_CENTER ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
	pango_layout_set_text(d->layout, text, -1);
}

double
doc_text_height(struct doc *d, enum doc_font f, double width, const char *text)
{
	int w, h;

	layout_set(d, f, width, DOC_LEFT, text);
	pango_layout_get_size(d->layout, &w, &h);
	return (double)h / PANGO_SCALE;
}

double
doc_text_width(struct doc *d, enum doc_font f, const char *text)
{
	int w, h;

	layout_set(d, f, -1, DOC_LEFT, text);
	pango_layout_get_size(d->layout, &w, &h);
	return (double)w / PANGO_SCALE;
}

double
doc_text_at(struct doc *d, enum doc_font f, double x, double y, double width,
            enum doc_align align, const char *text)
{
	int w, h;

	layout_set(d, f, width, align, text);
	cairo_move_to(d->cr, x, y);
	pango_cairo_show_layout(d->cr, d->layout);
	cairo_new_path(d->cr);
	pango_layout_get_size(d->layout, &w, &h);
	return (double)h / PANGO_SCALE;
}

void
doc_paragraph(struct doc *d, enum doc_font f, const char *text)
{
	double h = doc_text_height(d, f, DOC_TEXT_W, text);

	doc_need(d, h);
	doc_text_at(d, f, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT, text);
	d->y += h + 4;
}

void
doc_item(struct doc *d, const char *prefix, double indent, const char *text)
{
	double h = doc_text_height(d, DOC_BODY, DOC_TEXT_W - indent, text);

	doc_need(d, h);
	doc_text_at(d, DOC_BODY, DOC_MARGIN, d->y, indent, DOC_LEFT, prefix);
	doc_text_at(d, DOC_BODY, DOC_MARGIN + indent, d->y, DOC_TEXT_W - indent,
	    DOC_LEFT, text);
	d->y += h + 2;
}

void
doc_heading(struct doc *d, enum doc_font f, const char *text, double keep)
{
	double h = doc_text_height(d, f, DOC_TEXT_W, text);

	d->y += 6;
	doc_need(d, h + keep);
	doc_text_at(d, f, DOC_MARGIN, d->y, DOC_TEXT_W, DOC_LEFT, text);
	d->y += h + 4;
}

void
doc_space(struct doc *d, double h)
{
	d->y += h;
}

void
doc_rule(struct doc *d, double y, double width)
{
	cairo_save(d->cr);
	cairo_set_source_rgb(d->cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(d->cr, 0.5);
	cairo_move_to(d->cr, DOC_MARGIN, y);
	cairo_line_to(d->cr, DOC_MARGIN + width, y);
	cairo_stroke(d->cr);
	cairo_restore(d->cr);
}

#define CELL_PAD 3.0

double
doc_table_row(struct doc *d, const struct doc_col *cols, size_t n,
              const char *const *cells, enum doc_font f, bool rule)
{
	double h = 0, x, total = 0, top;

	for (size_t i = 0; i < n; i++)
		total += cols[i].width;
	for (size_t i = 0; i < n; i++) {
		double w = cols[i].width, t;

		if (cells[i] == NULL)
			continue;
		for (size_t j = i + 1; j < n && cells[j] == NULL; j++)
			w += cols[j].width;
		t = doc_text_height(d, f, w - 2 * CELL_PAD, cells[i]);
		h = t > h ? t : h;
	}
	h += 4;
	doc_need(d, h);
	top = d->y;
	x = DOC_MARGIN;
	for (size_t i = 0; i < n; i++) {
		double w = cols[i].width;
		bool span = false;

		if (cells[i] == NULL) {
			x += w;
			continue;
		}
		for (size_t j = i + 1; j < n && cells[j] == NULL; j++) {
			w += cols[j].width;
			span = true;
		}
		/* A cell across columns is text, not a number: from the left. */
		doc_text_at(d, f, x + CELL_PAD, d->y + 2, w - 2 * CELL_PAD, span ? DOC_LEFT :
		    cols[i].align, cells[i]);
		x += cols[i].width;
	}
	d->y += h;
	if (rule)
		doc_rule(d, d->y, total);
	return top;
}
