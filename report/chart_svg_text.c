/*
** report/chart_svg_text: measuring, wrapping and drawing the words of a
** chart (chart_svg_int.h).  Widths are estimates -- the server does not
** know the reader's font -- kept on the wide side, so that what is
** measured to fit does fit.
*/
#include "report/chart_svg.h"
#include "report/chart_svg_int.h"

#include <string.h>

#include "base/utf8.h"

static const char ellipsis[] = "\xE2\x80\xA6";

/* The length of the character at s[i] (< n): 1 for a byte that is not valid. */
static size_t
char_len(const char *s, size_t i, size_t n)
{
	int len;

	if ((unsigned char)s[i] < 0x80)
		return 1;
	len = kto_utf8_sequence((const unsigned char *)s + i, n - i);
	return len > 0 ? (size_t)len : 1;
}

/*
** Rough advance widths of a sans-serif face in ems, on the wide side so
** that what is measured to fit does fit in the usual faces (DejaVu Sans,
** Arial, Helvetica, Roboto).
*/
static double
char_width(const char *s, size_t len)
{
	unsigned char c = (unsigned char)s[0];

	if (len == 1 && c >= 0x80)
		return 1.0;                   /* shown as U+FFFD */
	if (len == 3 && c >= 0xE3)
		return 1.0;                   /* CJK and other wide scripts */
	if (len == 4)
		return 1.0;
	if (len > 1)
		return 0.65;
	if (strchr(" .,:;'|!`ijlI", c) != NULL)
		return 0.32;
	if (strchr("frt()[]{}-/\"", c) != NULL)
		return 0.42;
	if (strchr("mwMW@", c) != NULL)
		return 0.88;
	if (c >= 'A' && c <= 'Z')
		return 0.72;
	if (c >= '0' && c <= '9')
		return 0.62;
	return 0.57;
}

double
kto_svg_text_width(const char *s, size_t n, double size)
{
	double w = 0;

	for (size_t i = 0; i < n; ) {
		size_t len = char_len(s, i, n);

		w += char_width(s + i, len);
		i += len;
	}
	return w * size;
}

static size_t
skip_spaces(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || (unsigned char)s[i] < 0x20))
		i++;
	return i;
}

static size_t
trim_end(const char *s, size_t off, size_t end)
{
	while (end > off && (s[end - 1] == ' ' || (unsigned char)s[end - 1] < 0x20))
		end--;
	return end;
}

/*
** Makes line, the last one, as long as fits with an ellipsis after it,
** cutting a word if need be: "Alle deelnem…" says more than "Alle…".
*/
static void
add_ellipsis(const char *s, size_t n, double max_width, double size,
             struct kto_svg_line *line)
{
	double width = kto_svg_text_width(ellipsis, 3, size);
	size_t end = line->off;

	while (end < n) {
		size_t len = char_len(s, end, n);
		double cw = kto_svg_text_width(s + end, len, size);

		if (width + cw > max_width + 1e-9)
			break;
		width += cw;
		end += len;
	}
	end = trim_end(s, line->off, end);
	line->len = end - line->off;
	line->ellipsis = true;
}

size_t
kto_svg_wrap(const char *s, double max_width, double size, size_t max_lines,
             struct kto_svg_line *lines)
{
	size_t n = s != NULL ? strlen(s) : 0, pos = 0, count = 0;

	while (count < max_lines) {
		size_t i, brk = 0, end;
		double width = 0;

		pos = skip_spaces(s, pos, n);
		if (pos >= n)
			break;
		for (i = pos; i < n; ) {
			size_t len = char_len(s, i, n);
			double cw = kto_svg_text_width(s + i, len, size);

			if (width + cw > max_width + 1e-9)
				break;
			if (s[i] == ' ')
				brk = i;
			width += cw;
			i += len;
		}
		if (i >= n) {
			end = n;
		} else if (brk > pos && s[i] != ' ') {
			end = brk;
		} else {
			/* No space to break at: break the word, one character at least. */
			end = i > pos ? i : pos + char_len(s, pos, n);
		}
		lines[count].off = pos;
		lines[count].len = trim_end(s, pos, end) - pos;
		lines[count].ellipsis = false;
		count++;
		pos = end;
	}
	if (count > 0 && skip_spaces(s, pos, n) < n)
		add_ellipsis(s, n, max_width, size, &lines[count - 1]);
	return count;
}

void
kto_svg_text1(struct kto_svg *w, double x, double y, const char *attrs, const char *s,
              size_t n)
{
	kto_svg_raw(w, "<text x=\"");
	kto_svg_num(w, x);
	kto_svg_raw(w, "\" y=\"");
	kto_svg_num(w, y);
	kto_svg_f(w, "\"%s%s>", attrs[0] ? " " : "", attrs);
	kto_svg_esc(w, s, n);
	kto_svg_raw(w, "</text>");
}

size_t
kto_svg_text(struct kto_svg *w, double x, double y, double max_width, double size,
             size_t max_lines, double line_height, const char *attrs, const char *s)
{
	struct kto_svg_line lines[4];
	size_t count;

	if (s == NULL)
		return 0;
	if (max_lines > 4)
		max_lines = 4;
	count = kto_svg_wrap(s, max_width, size, max_lines, lines);
	if (count == 0)
		return 0;
	if (lines[count - 1].ellipsis) {
		kto_svg_raw(w, "<g><title>");
		kto_svg_esc(w, s, strlen(s));
		kto_svg_raw(w, "</title>");
	}
	for (size_t k = 0; k < count; k++) {
		kto_svg_raw(w, "<text x=\"");
		kto_svg_num(w, x);
		kto_svg_raw(w, "\" y=\"");
		kto_svg_num(w, y + (double)k * line_height);
		kto_svg_f(w, "\"%s%s>", attrs[0] ? " " : "", attrs);
		kto_svg_esc(w, s + lines[k].off, lines[k].len);
		if (lines[k].ellipsis)
			kto_svg_raw(w, ellipsis);
		kto_svg_raw(w, "</text>");
	}
	if (lines[count - 1].ellipsis)
		kto_svg_raw(w, "</g>");
	return count;
}

void
kto_svg_empty(struct kto_svg *w)
{
	const char *msg = kto_svg_word(w, "Geen gegevens om te tonen.", "No data to show.");

	kto_svg_text1(w, KTO_SVG_PAD, w->y + 16, "fill=\"" KTO_SVG_GREY "\" font-style=\"italic\"",
	    msg, strlen(msg));
	w->y += 24;
	kto_svg_desc(w, kto_svg_word(w, "Er zijn geen gegevens om te tonen.",
	    "There are no data to show."));
}

void
kto_svg_note(struct kto_svg *w, const char *s)
{
	size_t k = kto_svg_text(w, KTO_SVG_PAD, w->y + 12, KTO_SVG_W - 2 * KTO_SVG_PAD,
	    KTO_SVG_SMALL, 3, 15, "font-size=\"12\" fill=\"" KTO_SVG_GREY "\"", s);

	w->y += 15 * (double)k + 2;
}
