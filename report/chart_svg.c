/*
** report/chart_svg: what every chart shares -- the writer, XML escaping,
** the frame, axes, patterns (chart_svg_int.h).  Text measurement and
** wrapping are in chart_svg_text.c; the charts themselves in
** chart_svg_bars.c, chart_svg_trend.c, chart_svg_stacked.c and
** chart_svg_priority.c.
*/
#include "report/chart_svg.h"
#include "report/chart_svg_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "report/wording.h"

#define ID_MAX 64

/* U+FFFD, for what XML cannot carry. */
static const char replacement[] = "\xEF\xBF\xBD";

static bool
valid_id(const char *id)
{
	size_t i;

	if (id == NULL || !((id[0] >= 'A' && id[0] <= 'Z') ||
	    (id[0] >= 'a' && id[0] <= 'z')))
		return false;
	for (i = 1; id[i] != '\0'; i++) {
		char c = id[i];

		if (i >= ID_MAX || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

void
kto_svg_fail(struct kto_svg *w, enum kto_rc rc)
{
	if (w->rc == KTO_OK)
		w->rc = rc;
}

/* Appends to b unless w has failed. */
static void
add(struct kto_svg *w, struct kto_buf *b, const char *s, size_t n)
{
	if (w->rc == KTO_OK && n > 0)
		kto_svg_fail(w, kto_buf_add(b, s, n));
}

void
kto_svg_raw(struct kto_svg *w, const char *s)
{
	add(w, &w->body, s, strlen(s));
}

void
kto_svg_f(struct kto_svg *w, const char *fmt, ...)
{
	va_list ap;

	if (w->rc != KTO_OK)
		return;
	va_start(ap, fmt);
	kto_svg_fail(w, kto_buf_vaddf(&w->body, fmt, ap));
	va_end(ap);
}

void
kto_svg_num(struct kto_svg *w, double v)
{
	char tmp[32];
	long long tenths;
	unsigned long long a;
	int len;

	/* Far outside any viewBox, but finite and short: a bug shows, not breaks. */
	if (!isfinite(v))
		v = 0;
	v = fmax(-1e9, fmin(1e9, v));
	tenths = llround(v * 10);
	a = tenths < 0 ? (unsigned long long)-tenths : (unsigned long long)tenths;
	if (a % 10 == 0)
		len = snprintf(tmp, sizeof tmp, "%s%llu", tenths < 0 ? "-" : "", a / 10);
	else
		len = snprintf(tmp, sizeof tmp, "%s%llu.%llu", tenths < 0 ? "-" : "",
		    a / 10, a % 10);
	add(w, &w->body, tmp, (size_t)len);
}

/* s[0..n) escaped into b: markup characters as references, and anything
 * XML 1.0 cannot hold (controls, broken UTF-8, U+FFFE, U+FFFF) replaced. */
static void
escape(struct kto_svg *w, struct kto_buf *b, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		size_t len = 1;

		if (c < 0x80) {
			switch (c) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			default:
				if (c < 0x20 || c == 0x7F)
					rep = " ";
			}
		} else {
			int sl = kto_utf8_sequence((const unsigned char *)s + i, n - i);

			if (sl <= 0)
				rep = replacement;
			else if (sl == 3 && c == 0xEF && (unsigned char)s[i + 1] == 0xBF &&
			    (unsigned char)s[i + 2] >= 0xBE)
				rep = replacement, len = 3;
			else
				len = (size_t)sl;
		}
		if (rep == NULL) {
			i += len;
			continue;
		}
		add(w, b, s + run, i - run);
		add(w, b, rep, strlen(rep));
		i += len;
		run = i;
	}
	add(w, b, s + run, n - run);
}

void
kto_svg_esc(struct kto_svg *w, const char *s, size_t n)
{
	escape(w, &w->body, s, n);
}

void
kto_svg_desc(struct kto_svg *w, const char *s)
{
	add(w, &w->desc, s, strlen(s));
}

void
kto_svg_descf(struct kto_svg *w, const char *fmt, ...)
{
	va_list ap;

	if (w->rc != KTO_OK)
		return;
	va_start(ap, fmt);
	kto_svg_fail(w, kto_buf_vaddf(&w->desc, fmt, ap));
	va_end(ap);
}

const char *
kto_svg_word(const struct kto_svg *w, const char *nl, const char *en)
{
	return kto_lang_pick(w->lang, nl, en);
}

void
kto_svg_fmt_value(const struct kto_svg *w, enum kto_chart_scale scale, double v, char *buf,
                  size_t n)
{
	if (scale == KTO_CHART_SHARES)
		kto_fmt_pct(v, buf, n);
	else
		kto_fmt_mark(w->lang, v, buf, n);
}

void
kto_svg_fmt_dec(const struct kto_svg *w, double v, int decimals, char *buf, size_t n)
{
	char *dot;

	if (!isfinite(v)) {
		snprintf(buf, n, "-");
		return;
	}
	if (fabs(v) < 0.5 * pow(10, -decimals))
		v = 0;
	snprintf(buf, n, "%.*f", decimals, v);
	if (w->lang == KTO_LANG_NL && (dot = strchr(buf, '.')) != NULL)
		*dot = ',';
}

void
kto_svg_fmt_n(const struct kto_svg *w, long n, bool indicative, char *buf, size_t size)
{
	const char *word = kto_svg_word(w, "indicatief", "indicative");

	if (n >= 0)
		snprintf(buf, size, "n = %ld%s%s", n, indicative ? ", " : "",
		    indicative ? word : "");
	else
		snprintf(buf, size, "%s", indicative ? word : "");
}

void
kto_svg_desc_value(struct kto_svg *w, enum kto_chart_scale scale, double value,
                   double low, double high, long n, bool suppressed, bool indicative)
{
	char v[32], l[32], h[32], ns[48];

	kto_svg_fmt_n(w, n, indicative && !suppressed, ns, sizeof ns);
	if (suppressed) {
		kto_svg_desc(w, kto_svg_word(w, "te weinig waarnemingen", "too few responses"));
	} else if (!isfinite(value)) {
		kto_svg_desc(w, kto_svg_word(w, "geen gegevens", "no data"));
	} else {
		kto_svg_fmt_value(w, scale, value, v, sizeof v);
		kto_svg_desc(w, v);
		if (isfinite(low) && isfinite(high)) {
			kto_svg_fmt_value(w, scale, low, l, sizeof l);
			kto_svg_fmt_value(w, scale, high, h, sizeof h);
			kto_svg_descf(w, KTO_SVG_FMT(w, " (marge %s tot %s%s%s)",
			    " (margin %s to %s%s%s)"), l, h, ns[0] ? "; " : "", ns);
			return;
		}
	}
	if (ns[0] != '\0')
		kto_svg_descf(w, " (%s)", ns);
}

/* ------------------------------------------------------------------ */
/* The frame                                                           */

enum kto_rc
kto_svg_begin(struct kto_svg *w, const struct kto_buf *out, const struct kto_chart_head *head)
{
	size_t room;

	if (out == NULL || head == NULL || !valid_id(head->id))
		return KTO_EINPUT;
	room = out->max - out->len;
	kto_buf_init(&w->body, room);
	kto_buf_init(&w->desc, room);
	w->rc = KTO_OK;
	w->id = head->id;
	w->title = head->title != NULL ? head->title : "";
	w->lang = head->lang;
	w->y = KTO_SVG_PAD;
	if (head->desc != NULL && head->desc[0] != '\0') {
		kto_svg_desc(w, head->desc);
		kto_svg_desc(w, " ");
	}
	if (head->show_title && w->title[0] != '\0') {
		size_t k = kto_svg_text(w, KTO_SVG_PAD, w->y + 15, KTO_SVG_W - 2 * KTO_SVG_PAD,
		    16, 2, 20, "font-size=\"16\" font-weight=\"bold\" fill=\"" KTO_SVG_INK "\"",
		    w->title);

		w->y += 20 * (double)k + 8;
	}
	return KTO_OK;
}

enum kto_rc
kto_svg_end(struct kto_svg *w, struct kto_buf *out)
{
	size_t mark = out->len, dlen = w->desc.len;
	const char *desc = kto_buf_str(&w->desc);
	enum kto_rc rc;

	while (dlen > 0 && desc[dlen - 1] == ' ')
		dlen--;
	if (w->rc == KTO_OK) {
		struct kto_svg o = *w;

		/* The same writer, pointed at out, so that escaping is shared. */
		o.body = *out;
		kto_svg_f(&o, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"kto-chart\" "
		    "role=\"img\" aria-labelledby=\"%s-t %s-d\" viewBox=\"0 0 ", w->id, w->id);
		kto_svg_num(&o, KTO_SVG_W);
		kto_svg_raw(&o, " ");
		kto_svg_num(&o, ceil(w->y + KTO_SVG_PAD));
		kto_svg_f(&o, "\" width=\"100%%\" font-family=\"sans-serif\" font-size=\"14\">"
		    "<title id=\"%s-t\">", w->id);
		kto_svg_esc(&o, w->title, strlen(w->title));
		kto_svg_f(&o, "</title><desc id=\"%s-d\">", w->id);
		kto_svg_esc(&o, desc, dlen);
		kto_svg_raw(&o, "</desc>");
		add(&o, &o.body, kto_buf_str(&w->body), w->body.len);
		kto_svg_raw(&o, "</svg>");
		*out = o.body;
		w->rc = o.rc;
	}
	rc = w->rc;
	if (rc != KTO_OK && out->len > mark) {
		out->len = mark;
		out->ptr[mark] = '\0';
	}
	kto_buf_release(&w->body);
	kto_buf_release(&w->desc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Axes                                                                */

double
kto_svg_nice_step(double span, int max_ticks, enum kto_chart_scale scale)
{
	/* Marks keep to one decimal (DOMAIN.md 8); 25% is a fine share. */
	static const double marks[] = { 1, 2, 5 }, shares[] = { 1, 2, 2.5, 5 };
	const double *mult = scale == KTO_CHART_SHARES ? shares : marks;
	size_t n = scale == KTO_CHART_SHARES ? 4 : 3;
	double p;

	if (!(span > 0) || !isfinite(span) || max_ticks < 1)
		return 1;
	p = pow(10, floor(log10(span / max_ticks)));
	for (;;) {
		for (size_t i = 0; i < n; i++)
			if (span / (mult[i] * p) <= max_ticks)
				return mult[i] * p;
		p *= 10;
	}
}

double
kto_svg_at(const struct kto_svg_axis *a, double v)
{
	if (!isfinite(v) || !(a->hi > a->lo))
		return a->p0;
	v = fmax(a->lo, fmin(a->hi, v));
	return a->p0 + (v - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

size_t
kto_svg_ticks(const struct kto_svg_axis *a, double *ticks, size_t max)
{
	double first;
	size_t count = 0;

	if (!(a->step > 0) || !(a->hi > a->lo))
		return 0;
	first = ceil(a->lo / a->step - 1e-9);
	for (long k = 0; count < max; k++) {
		double t = (first + (double)k) * a->step;

		if (t > a->hi + a->step * 1e-9)
			break;
		ticks[count++] = fabs(t) < a->step * 1e-9 ? 0 : t;
	}
	return count;
}

void
kto_svg_tick_label(const struct kto_svg *w, const struct kto_svg_axis *a, double v,
                   char *buf, size_t n)
{
	int decimals;

	if (a->scale == KTO_CHART_SHARES) {
		char pct[32];

		kto_svg_fmt_dec(w, 100 * v, a->step >= 0.01 - 1e-12 ? 0 : 1, pct, sizeof pct);
		snprintf(buf, n, "%s%%", pct);
		return;
	}
	decimals = fabs(a->step - round(a->step)) < 1e-9 ? 0 :
	    fabs(a->step * 10 - round(a->step * 10)) < 1e-9 ? 1 : 2;
	kto_svg_fmt_dec(w, v, decimals, buf, n);
}

/* ------------------------------------------------------------------ */
/* Patterns                                                            */

void
kto_svg_pattern(struct kto_svg *w, const char *name, int kind, const char *colour)
{
	static const char *const overlay[KTO_SVG_PATTERNS] = {
		"",
		"<rect width=\"2.5\" height=\"8\" fill=\"#ffffff\"/>",
		"<circle cx=\"4\" cy=\"4\" r=\"1.6\" fill=\"#ffffff\"/>",
		"<rect width=\"1.6\" height=\"8\" fill=\"#ffffff\"/>"
		    "<rect width=\"8\" height=\"1.6\" fill=\"#ffffff\"/>",
		"<rect width=\"8\" height=\"2.5\" fill=\"#ffffff\"/>",
		"<rect width=\"2.5\" height=\"8\" fill=\"#ffffff\"/>",
	};
	static const char *const transform[KTO_SVG_PATTERNS] = {
		"", " patternTransform=\"rotate(45)\"", "", " patternTransform=\"rotate(45)\"",
		"", "",
	};

	if (kind < 0 || kind >= KTO_SVG_PATTERNS)
		kind = 0;
	kto_svg_f(w, "<pattern id=\"%s-%s\" patternUnits=\"userSpaceOnUse\" width=\"8\" "
	    "height=\"8\"%s><rect width=\"8\" height=\"8\" fill=\"%s\"/>%s</pattern>",
	    w->id, name, transform[kind], colour, overlay[kind]);
}

/* ------------------------------------------------------------------ */
/* Small helpers of the public API                                     */

const char *const *
kto_chart_mark_groups(enum kto_lang lang)
{
	static const char *const groups[2][3] = {
		{ "1\xE2\x80\x93" "5 (onvoldoende)", "6\xE2\x80\x93" "7", "8\xE2\x80\x93" "10" },
		{ "1\xE2\x80\x93" "5 (fail)", "6\xE2\x80\x93" "7", "8\xE2\x80\x93" "10" },
	};

	return groups[lang == KTO_LANG_EN];
}

void
kto_chart_group_marks(const double dist[10], double groups[3])
{
	static const int first[3] = { 0, 5, 7 }, last[3] = { 5, 7, 10 };

	for (int g = 0; g < 3; g++) {
		bool any = false;
		double sum = 0;

		for (int k = first[g]; k < last[g]; k++) {
			if (isfinite(dist[k])) {
				sum += dist[k];
				any = true;
			}
		}
		groups[g] = any ? sum : NAN;
	}
}

const char *
kto_chart_quadrant(enum kto_lang lang, double vs_circle, double importance, double split)
{
	int q = kto_svg_quadrant(vs_circle, importance, split);

	return q < 0 ? NULL : kto_svg_quadrant_names[lang == KTO_LANG_EN][q];
}

/* The quadrants in the order of kto_svg_quadrant(). */
const char *const kto_svg_quadrant_names[2][4] = {
	{ "verbeteren", "behouden", "bewaken", "minder urgent" },
	{ "improve", "maintain", "monitor", "less urgent" },
};

int
kto_svg_quadrant(double vs_circle, double importance, double split)
{
	if (!isfinite(vs_circle) || !isfinite(importance) || !isfinite(split))
		return -1;
	if (importance >= split)
		return vs_circle < 0 ? 0 : 1;
	return vs_circle < 0 ? 2 : 3;
}
