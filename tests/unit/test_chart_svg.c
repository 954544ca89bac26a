/*
** report/chart_svg: every chart with no data, with one item, with
** suppressed and unknown estimates, with hostile and very long labels.
**
** Each SVG is checked for well-formed XML twice: by a small scanner here
** (tag balance, quoted attributes, only known entities, nothing outside
** the root) and, when /usr/bin/python3 exists, by ElementTree together
** with what the charts promise: unique ids under the prefix, the title
** and desc the root is labelled by, no script, no links, no event
** handlers, every url(#...) defined, every coordinate a finite number
** inside the viewBox.  A representative set is written to
** KTO_CHART_ARTIFACTS (chart-artifacts/ in the build tree) for people to
** look at, with index.html showing them all on one page.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/chart_svg.h"
#include "report/chart_svg_int.h"
#include "tests/unit/testutil.h"

#ifndef KTO_CHART_ARTIFACTS
#define KTO_CHART_ARTIFACTS "chart-artifacts"
#endif

#define PYTHON "/usr/bin/python3"

static const char hostile[] = "<script>alert('x')</script> & \"quoted\" 'single'";

/* The checks ElementTree makes; argv[1] the file, argv[2] the id prefix. */
static const char check_py[] =
"import sys, re, math, xml.etree.ElementTree as E\n"
"NS = '{http://www.w3.org/2000/svg}'\n"
"root = E.parse(sys.argv[1]).getroot()\n"
"pre = sys.argv[2]\n"
"assert root.tag == NS + 'svg', root.tag\n"
"assert root.get('role') == 'img'\n"
"assert root.get('aria-labelledby') == pre + '-t ' + pre + '-d'\n"
"assert root[0].tag == NS + 'title' and root[0].get('id') == pre + '-t'\n"
"assert root[1].tag == NS + 'desc' and root[1].get('id') == pre + '-d'\n"
"assert (root[1].text or '').strip(), 'empty desc'\n"
"vb = [float(v) for v in root.get('viewBox').split()]\n"
"assert vb[0] == 0 and vb[1] == 0 and vb[2] > 0 and vb[3] > 0, vb\n"
"ids = [e.get('id') for e in root.iter() if e.get('id') is not None]\n"
"assert len(ids) == len(set(ids)), ids\n"
"assert all(i.startswith(pre + '-') for i in ids), ids\n"
"for e in root.iter():\n"
"    tag = e.tag.replace(NS, '')\n"
"    assert tag not in ('script', 'foreignObject', 'image', 'a', 'use', 'style'), tag\n"
"    for k, v in e.attrib.items():\n"
"        assert 'href' not in k and not k.startswith('on'), k\n"
"        for m in re.findall(r'url\\(([^)]*)\\)', v):\n"
"            assert m.startswith('#') and m[1:] in ids, m\n"
"        if k in ('x', 'x1', 'x2', 'cx'):\n"
"            f = float(v); assert math.isfinite(f) and -0.05 <= f <= vb[2] + 0.05, (tag, k, v)\n"
"        if k in ('y', 'y1', 'y2', 'cy'):\n"
"            f = float(v); assert math.isfinite(f) and -0.05 <= f <= vb[3] + 0.05, (tag, k, v)\n"
"        if k in ('width', 'height', 'r') and tag != 'svg':\n"
"            f = float(v); assert math.isfinite(f) and f >= 0, (tag, k, v)\n"
"        if k == 'd':\n"
"            assert re.fullmatch(r'[MLHVZhvZ0-9. -]+', v), v\n"
"            assert 'nan' not in v.lower() and 'inf' not in v.lower(), v\n";

/* ------------------------------------------------------------------ */
/* Well-formedness                                                     */

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == ':' || c == '_';
}

/* An entity reference at s, one of those the charts use; returns its length. */
static size_t
entity(const char *s)
{
	static const char *const known[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strncmp(s, known[i], strlen(known[i])) == 0)
			return strlen(known[i]);
	print_error("unknown entity at '%.20s'\n", s);
	fail();
	return 0;
}

/* A small XML scanner for exactly what the charts write. */
static void
check_wellformed(const char *svg)
{
	const char *stack[64], *p = svg;
	size_t lens[64], depth = 0;

	assert_true(strncmp(svg, "<svg ", 5) == 0);
	while (*p != '\0') {
		if (*p == '<' && p[1] == '/') {
			size_t len = strcspn(p + 2, ">");

			assert_true(depth > 0);
			depth--;
			if (len != lens[depth] || strncmp(p + 2, stack[depth], len) != 0) {
				print_error("</%.*s> closes <%.*s>\n", (int)len, p + 2,
				    (int)lens[depth], stack[depth]);
				fail();
			}
			p += 2 + len;
			assert_int_equal(*p, '>');
			p++;
			if (depth == 0)
				assert_int_equal(*p, '\0');   /* nothing after the root */
		} else if (*p == '<') {
			const char *name = ++p;

			while (name_char(*p))
				p++;
			assert_true(p > name);
			for (;;) {
				while (*p == ' ')
					p++;
				if (*p == '/' && p[1] == '>') {
					p += 2;
					break;
				}
				if (*p == '>') {
					assert_true(depth < 64);
					stack[depth] = name;
					lens[depth++] = (size_t)(strcspn(name, " />"));
					p++;
					break;
				}
				assert_true(name_char(*p));
				while (name_char(*p))
					p++;
				assert_int_equal(*p++, '=');
				assert_int_equal(*p++, '"');
				while (*p != '"') {
					assert_true(*p != '\0' && *p != '<');
					p += *p == '&' ? entity(p) : 1;
				}
				p++;
			}
			assert_true(depth > 0);
		} else if (*p == '&') {
			p += entity(p);
		} else {
			assert_true(*p != '>');
			assert_true((unsigned char)*p >= 0x20);
			p++;
		}
	}
	assert_int_equal(depth, 0);
}

static char *
temp_file(const char *svg)
{
	char path[] = "/tmp/kto-chart-XXXXXX";
	int fd = mkstemp(path);
	size_t len = strlen(svg);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, svg, len), (ssize_t)len);
	close(fd);
	return strdup(path);
}

/* ElementTree and the chart promises above, when there is a Python. */
static void
check_python(const char *svg, const char *prefix)
{
	static char path_env[] = "PATH=/usr/bin:/bin", lc_env[] = "LC_ALL=C.UTF-8";
	char *env[] = { path_env, lc_env, NULL };
	char *path, *argv[6];
	pid_t pid;
	int status;

	if (access(PYTHON, X_OK) != 0)
		return;
	path = temp_file(svg);
	argv[0] = (char *)(uintptr_t)PYTHON;
	argv[1] = (char *)(uintptr_t)"-c";
	argv[2] = (char *)(uintptr_t)check_py;
	argv[3] = path;
	argv[4] = (char *)(uintptr_t)prefix;
	argv[5] = NULL;
	assert_int_equal(posix_spawn(&pid, PYTHON, NULL, NULL, argv, env), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		print_error("the chart fails the XML checks (kept in %s):\n%s\n", path, svg);
		free(path);
		fail();
	}
	unlink(path);
	free(path);
}

/* Everything every chart must be. */
static void
check_chart(const char *svg, const char *prefix, const char *title)
{
	check_wellformed(svg);
	check_python(svg, prefix);
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "NaN"));
	assert_null(strstr(svg, "nan\""));
	assert_null(strstr(svg, "inf\""));
	if (title != NULL)
		assert_contains(svg, title);
}

/* The text of the <desc>, for looking into. */
static char *
desc_of(const char *svg)
{
	const char *a = strstr(svg, "-d\">"), *b = strstr(svg, "</desc>");

	assert_non_null(a);
	assert_non_null(b);
	a += 4;
	return strndup(a, (size_t)(b - a));
}

static void
save(const char *name, const char *svg)
{
	char path[512];
	FILE *f;

	if (mkdir(KTO_CHART_ARTIFACTS, 0755) != 0 && errno != EEXIST)
		return;
	snprintf(path, sizeof path, "%s/%s.svg", KTO_CHART_ARTIFACTS, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs(svg, f);
	fclose(f);
}

/* ------------------------------------------------------------------ */
/* Fixtures                                                            */

static struct kto_chart_head
head(const char *id, const char *title)
{
	struct kto_chart_head h = { id, title, NULL, true, KTO_LANG_NL };

	return h;
}

static struct kto_chart_bar
bar(const char *label, double v, double lo, double hi, long n)
{
	struct kto_chart_bar b = { label, v, lo, hi, n, false, false, 0 };

	return b;
}

static struct kto_chart_point
point(double v, long n)
{
	struct kto_chart_point p = { v, v - 0.3, v + 0.3, n, false, false };

	return p;
}

static char *
bars(const char *id, const char *title, const struct kto_chart_bar *b, size_t n,
     double reference)
{
	struct kto_buf out = KTO_BUF_INIT(1 << 20);
	struct kto_chart_head h = head(id, title);

	assert_int_equal(kto_chart_bars(&out, &h, KTO_CHART_MARKS, b, n, reference, "kring",
	    NAN, NAN), KTO_OK);
	check_chart(kto_buf_str(&out), id, NULL);
	return kto_buf_detach(&out);
}

/* ------------------------------------------------------------------ */
/* Bars                                                                */

static void
test_bars_empty(void **state)
{
	char *svg, *d;

	(void)state;
	svg = bars("b0", "Rapportcijfer per kanaal", NULL, 0, 7.1);
	d = desc_of(svg);
	assert_contains(svg, "<title id=\"b0-t\">Rapportcijfer per kanaal</title>");
	assert_contains(svg, "Geen gegevens om te tonen.");
	assert_contains(d, "geen gegevens");
	free(d);
	free(svg);
}

static void
test_bars_single_channel(void **state)
{
	struct kto_chart_bar b = bar("Balie", 7.44, 7.21, 7.68, 412);
	char *svg, *d;

	(void)state;
	b.significant = 1;
	svg = bars("b1", "Balie", &b, 1, 7.1);
	d = desc_of(svg);
	assert_contains(svg, ">7,4 \xE2\x96\xB2</text>");
	assert_contains(svg, ">kring 7,1</text>");
	assert_contains(svg, ">n = 412</text>");
	assert_contains(svg, "stroke-dasharray=\"6 4\"");       /* the reference line */
	assert_contains(svg, "v10");                              /* whisker caps */
	assert_contains(svg, "viewBox=\"0 0 420 ");
	assert_contains(svg, "width=\"100%\"");
	assert_contains(d, "Ter vergelijking kring: 7,1.");
	assert_contains(d, "Balie: 7,4 (marge 7,2 tot 7,7; n = 412), significant hoger dan kring.");
	save("bars-single", svg);
	free(d);
	free(svg);
}

static void
test_bars_suppressed(void **state)
{
	struct kto_chart_bar b[3] = {
		bar("Balie", 7.6, 7.3, 7.9, 212),
		bar("Telefoon", 3.33, 2.0, 4.6, 12),
		bar("E-mail", 6.9, 6.4, 7.4, 45),
	};
	char *svg, *d;

	(void)state;
	b[1].suppressed = true;
	b[2].indicative = true;
	b[2].significant = -1;
	svg = bars("b2", "Per kanaal", b, 3, 7.2);
	d = desc_of(svg);
	assert_contains(svg, ">te weinig waarnemingen</text>");
	assert_null(strstr(svg, "3,3"));       /* a suppressed value is never shown */
	assert_null(strstr(d, "3,3"));
	assert_contains(d, "Telefoon: te weinig waarnemingen (n = 12).");
	assert_contains(d, "E-mail: 6,9 (marge 6,4 tot 7,4; n = 45, indicatief), significant "
	    "lager dan kring.");
	assert_contains(svg, ">6,9 \xE2\x96\xBC*</text>");
	assert_contains(svg, "fill=\"url(#b2-h)\"");           /* hatched */
	assert_contains(svg, "<pattern id=\"b2-h\"");
	assert_contains(svg, "Indicatief (gearceerd)");
	assert_contains(svg, "significant hoger / lager dan kring.");
	save("bars-channels", svg);
	free(d);
	free(svg);

	/* Every bar suppressed. */
	b[0].suppressed = b[2].suppressed = true;
	svg = bars("b3", "Alles onderdrukt", b, 3, NAN);
	assert_contains(svg, "te weinig waarnemingen");
	assert_null(strstr(svg, "7,6"));
	assert_null(strstr(svg, "6,9"));
	free(svg);
}

static void
test_bars_nan(void **state)
{
	struct kto_chart_bar b[3] = {
		bar("Onbekend", NAN, NAN, NAN, -1),
		bar("Zonder marge", 8.04, NAN, NAN, 31),
		bar("Buiten de as", 12, -3, INFINITY, 50),
	};
	char *svg, *d;

	(void)state;
	svg = bars("b4", "Onbekende waarden", b, 3, NAN);
	d = desc_of(svg);
	assert_contains(svg, ">geen gegevens</text>");
	assert_contains(d, "Onbekend: geen gegevens.");
	assert_contains(d, "Zonder marge: 8,0 (n = 31).");
	assert_null(strstr(d, "Ter vergelijking"));     /* no reference */
	assert_null(strstr(svg, "stroke-dasharray=\"6 4\""));
	free(d);
	free(svg);
}

/* HARDENING F1: SVG charts escape what they show */
static void
test_bars_escaping(void **state)
{
	struct kto_buf out = KTO_BUF_INIT(1 << 20);
	struct kto_chart_head h = { "b5", hostile, hostile, true, KTO_LANG_NL };
	struct kto_chart_bar b = bar(hostile, 7, 6.5, 7.5, 100);

	(void)state;
	assert_int_equal(kto_chart_bars(&out, &h, KTO_CHART_MARKS, &b, 1, 7, hostile, NAN, NAN),
	    KTO_OK);
	check_chart(kto_buf_str(&out), "b5", NULL);
	assert_null(strstr(kto_buf_str(&out), "<script"));
	assert_null(strstr(kto_buf_str(&out), "'x'"));
	assert_contains(kto_buf_str(&out), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
	    "&amp; &quot;quoted&quot;");
	save("bars-hostile", kto_buf_str(&out));
	kto_buf_release(&out);
}

static void
test_bars_long_labels(void **state)
{
	char label[400];
	struct kto_chart_bar b[2];
	char *svg, *d;

	(void)state;
	for (size_t i = 0; i + 1 < sizeof label; i++)
		label[i] = i % 11 == 10 ? ' ' : (char)('a' + i % 26);
	label[sizeof label - 1] = '\0';
	b[0] = bar(label, 7.2, 7, 7.4, 100);
	b[1] = bar("Eenheelerglangwoordzonderspatiesdatnergenskanwordenafgebrokenbehalvemidden"
	    "ineenwoordzoalsdezeaanvraagvooreenparkeervergunningbijdegemeente", 6.8, 6.5, 7.1,
	    100);
	svg = bars("b6", label, b, 2, 7);
	d = desc_of(svg);
	assert_contains(svg, "\xE2\x80\xA6</text>");       /* shortened with an ellipsis */
	assert_contains(d, label);                        /* but whole in the description */
	assert_contains(svg, "<g><title>");               /* and in a tooltip */
	free(d);
	free(svg);
}

static void
test_bars_shares(void **state)
{
	struct kto_buf out = KTO_BUF_INIT(1 << 20);
	struct kto_chart_head h = head("n1", "Normen: binnen de norm");
	struct kto_chart_bar b[2] = {
		bar("N1 telefoon binnen 30 seconden", 0.42, 0.38, 0.46, 300),
		bar("N4 brief binnen 5 werkdagen", 0.91, 0.87, 0.94, 120),
	};

	(void)state;
	assert_int_equal(kto_chart_bars(&out, &h, KTO_CHART_SHARES, b, 2, 0.8, "doel",
	    NAN, NAN), KTO_OK);
	check_chart(kto_buf_str(&out), "n1", NULL);
	assert_contains(kto_buf_str(&out), ">42%</text>");
	assert_contains(kto_buf_str(&out), ">100%</text>");
	assert_contains(kto_buf_str(&out), ">doel 80%</text>");
	save("bars-norms", kto_buf_str(&out));
	kto_buf_release(&out);
}

/* Bad arguments and a full buffer leave out as it was. */
static void
test_errors(void **state)
{
	static const char *const bad[] = { NULL, "", "1a", "a b", "a\"b", "a<", "\xC3\xA9" };
	struct kto_buf out = KTO_BUF_INIT(1 << 20), small = KTO_BUF_INIT(300);
	struct kto_chart_bar b = bar("Balie", 7, 6.5, 7.5, 100);
	struct kto_chart_series s[KTO_CHART_MAX_SERIES + 1];
	const char *period = "2024";
	struct kto_chart_point p = point(7, 100);
	struct kto_chart_head h;

	(void)state;
	assert_int_equal(kto_buf_adds(&out, "keep"), KTO_OK);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		h = head(bad[i], "x");
		assert_int_equal(kto_chart_bars(&out, &h, KTO_CHART_MARKS, &b, 1, 7, "", 1, 10),
		    KTO_EINPUT);
		assert_int_equal(kto_chart_priority(&out, &h, NULL, 0, NAN, NULL), KTO_EINPUT);
	}
	h = head("ok", "x");
	assert_int_equal(kto_chart_bars(&out, &h, KTO_CHART_MARKS, NULL, 1, 7, "", 1, 10),
	    KTO_EINPUT);
	for (size_t i = 0; i <= KTO_CHART_MAX_SERIES; i++)
		s[i] = (struct kto_chart_series){ "s", &p };
	assert_int_equal(kto_chart_trend(&out, &h, KTO_CHART_MARKS, &period, 1, s,
	    KTO_CHART_MAX_SERIES + 1, NAN, NAN), KTO_EINPUT);
	s[0].points = NULL;
	assert_int_equal(kto_chart_trend(&out, &h, KTO_CHART_MARKS, &period, 1, s, 1, NAN, NAN),
	    KTO_EINPUT);
	assert_int_equal(kto_chart_trend(&out, &h, KTO_CHART_MARKS, NULL, 1, s, 0, NAN, NAN),
	    KTO_EINPUT);
	assert_int_equal(kto_chart_stacked(&out, &h, kto_chart_mark_groups(KTO_LANG_NL), 0, NULL, 0),
	    KTO_EINPUT);
	assert_int_equal(kto_chart_stacked(&out, &h, kto_chart_mark_groups(KTO_LANG_NL),
	    KTO_CHART_MAX_CATEGORIES + 1, NULL, 0), KTO_EINPUT);
	assert_int_equal(kto_chart_priority(&out, &h, NULL, 2, NAN, NULL), KTO_EINPUT);
	assert_string_equal(kto_buf_str(&out), "keep");

	/* Past the ceiling: ELIMIT, and nothing of the chart stays behind. */
	assert_int_equal(kto_buf_adds(&small, "keep"), KTO_OK);
	assert_int_equal(kto_chart_bars(&small, &h, KTO_CHART_MARKS, &b, 1, 7, "kring", NAN, NAN),
	    KTO_ELIMIT);
	assert_string_equal(kto_buf_str(&small), "keep");
	kto_buf_release(&out);
	kto_buf_release(&small);
}

/* The same data, the same bytes; a chart appends to what out holds. */
static void
test_deterministic(void **state)
{
	struct kto_chart_bar b[2] = { bar("Balie", 7.44, 7.2, 7.7, 412),
	    bar("Telefoon", 6.9, 6.5, 7.3, 80) };
	char *one, *two;
	struct kto_buf out = KTO_BUF_INIT(1 << 20);
	struct kto_chart_head h = head("b7", "x");

	(void)state;
	one = bars("b7", "x", b, 2, 7.1);
	two = bars("b7", "x", b, 2, 7.1);
	assert_string_equal(one, two);
	assert_int_equal(kto_buf_adds(&out, "<p>"), KTO_OK);
	assert_int_equal(kto_chart_bars(&out, &h, KTO_CHART_MARKS, b, 2, 7.1, "kring", NAN, NAN),
	    KTO_OK);
	assert_true(strncmp(kto_buf_str(&out), "<p>", 3) == 0);
	assert_string_equal(kto_buf_str(&out) + 3, one);
	free(one);
	free(two);
	kto_buf_release(&out);
}

/* ------------------------------------------------------------------ */
/* Trend lines                                                         */

static char *
trend(const char *id, const char *const *periods, size_t np,
      const struct kto_chart_series *s, size_t ns)
{
	struct kto_buf out = KTO_BUF_INIT(1 << 20);
	struct kto_chart_head h = head(id, "Totaaloordeel door de jaren");

	assert_int_equal(kto_chart_trend(&out, &h, KTO_CHART_MARKS, periods, np, s, ns,
	    NAN, NAN), KTO_OK);
	check_chart(kto_buf_str(&out), id, "Totaaloordeel door de jaren");
	return kto_buf_detach(&out);
}

static void
test_trend_empty(void **state)
{
	static const char *const periods[] = { "2023" };
	struct kto_chart_point p = point(7, 100);
	struct kto_chart_series s = { "Uw gemeente", &p };
	char *svg;

	(void)state;
	svg = trend("t0", NULL, 0, NULL, 0);
	assert_contains(svg, "Geen gegevens om te tonen.");
	free(svg);
	svg = trend("t1", periods, 1, NULL, 0);
	assert_contains(svg, "Geen gegevens om te tonen.");
	free(svg);
	svg = trend("t2", NULL, 0, &s, 1);
	assert_contains(svg, "Geen gegevens om te tonen.");
	free(svg);
}

static void
test_trend_single(void **state)
{
	static const char *const periods[] = { "2024" };
	struct kto_chart_point p = point(7.44, 300);
	struct kto_chart_series s = { "Uw gemeente", &p };
	char *svg, *d;

	(void)state;
	svg = trend("t3", periods, 1, &s, 1);
	d = desc_of(svg);
	assert_contains(svg, ">7,4</text>");
	assert_contains(svg, ">2024</text>");
	assert_contains(svg, "<circle");                 /* the marker */
	assert_contains(svg, ">Uw gemeente</text>");
	assert_null(strstr(svg, "<path fill=\"none\" d=\""));   /* no line from one point */
	assert_contains(d, "Verloop over 1 periode.");
	assert_contains(d, "Uw gemeente: 2024 7,4 (marge 7,1 tot 7,7; n = 300).");
	free(d);
	free(svg);
}

static void
test_trend_two_lines(void **state)
{
	static const char *const periods[] = { "2020", "2021", "2022", "2023", "2024" };
	struct kto_chart_point own[5] = { point(7.1, 250), point(7.3, 240), point(6.66, 20),
	    point(7.5, 60), point(7.6, 280) };
	struct kto_chart_point circle[5] = { point(7.2, 2000), point(7.2, 2100),
	    point(7.25, 2050), point(7.3, 1900), point(7.35, 2200) };
	struct kto_chart_series s[2] = { { "Uw gemeente", own }, { "Kring", circle } };
	char *svg, *d;

	(void)state;
	own[2].suppressed = true;
	own[3].indicative = true;
	svg = trend("t4", periods, 5, s, 2);
	d = desc_of(svg);
	assert_contains(svg, "stroke-dasharray=\"8 4\"");      /* the second line dashed */
	assert_contains(svg, "<circle");                        /* the first: circles */
	assert_contains(svg, "h8v8h-8Z");                       /* the second: squares */
	assert_contains(svg, "fill=\"#ffffff\" stroke=\"#1f4e79\"");  /* indicative: open */
	assert_contains(svg, "Geen punt: te weinig waarnemingen.");
	assert_contains(svg, "Open symbool: indicatief");
	assert_contains(svg, ">7,6</text>");
	assert_null(strstr(svg, "6,7"));                        /* the suppressed one */
	assert_contains(d, "2022 te weinig waarnemingen (n = 20)");
	assert_contains(d, "2023 7,5 (marge 7,2 tot 7,8; n = 60, indicatief)");
	assert_contains(d, "Kring: 2020 7,2");
	save("trend-own-vs-circle", svg);
	free(d);
	free(svg);
}

static void
test_trend_all_suppressed_and_nan(void **state)
{
	static const char *const periods[] = { "2023", "2024" };
	struct kto_chart_point p[2] = { point(7, 10), point(NAN, -1) };
	struct kto_chart_series s = { "Uw gemeente", p };
	char *svg, *d;

	(void)state;
	p[0].suppressed = true;
	p[1].low = p[1].high = NAN;
	svg = trend("t5", periods, 2, &s, 1);
	d = desc_of(svg);
	assert_contains(svg, "te weinig waarnemingen");
	assert_contains(d, "2023 te weinig waarnemingen (n = 10); 2024 geen gegevens.");
	free(d);
	free(svg);
}

static void
test_trend_many(void **state)
{
	const char *periods[24];
	char names[24][16];
	struct kto_chart_point pts[KTO_CHART_MAX_SERIES][24];
	struct kto_chart_series s[KTO_CHART_MAX_SERIES];
	static const char *const series_names[KTO_CHART_MAX_SERIES] = {
		"Uw gemeente", "Kring", "Alle deelnemers", "Grootteklasse",
		"Een heel lange naam van een vergelijkingsgroep die niet past", hostile,
	};
	char *svg;

	(void)state;
	for (size_t i = 0; i < 24; i++) {
		snprintf(names[i], sizeof names[i], "golf %zu", i + 1);
		periods[i] = names[i];
		for (size_t k = 0; k < KTO_CHART_MAX_SERIES; k++)
			pts[k][i] = point(6.5 + 0.1 * (double)k + 0.02 * (double)i, 100);
	}
	for (size_t k = 0; k < KTO_CHART_MAX_SERIES; k++)
		s[k] = (struct kto_chart_series){ series_names[k], pts[k] };
	svg = trend("t6", periods, 24, s, KTO_CHART_MAX_SERIES);
	assert_contains(svg, "&lt;script&gt;");
	assert_contains(svg, "\xE2\x80\xA6</text>");
	save("trend-six-series", svg);
	free(svg);
}

/* ------------------------------------------------------------------ */
/* Stacked distributions                                               */

static char *
stacked(const char *id, const char *const *cats, size_t nc,
        const struct kto_chart_dist_row *rows, size_t n)
{
	struct kto_buf out = KTO_BUF_INIT(1 << 20);
	struct kto_chart_head h = head(id, "Verdeling van de rapportcijfers");

	assert_int_equal(kto_chart_stacked(&out, &h, cats, nc, rows, n), KTO_OK);
	check_chart(kto_buf_str(&out), id, "Verdeling van de rapportcijfers");
	return kto_buf_detach(&out);
}

static void
test_stacked_empty(void **state)
{
	char *svg;

	(void)state;
	svg = stacked("s0", kto_chart_mark_groups(KTO_LANG_NL), 3, NULL, 0);
	assert_contains(svg, "Geen gegevens om te tonen.");
	free(svg);
}

static void
test_stacked_groups(void **state)
{
	static const double dist[10] = { 0.02, 0.01, 0.03, 0.04, 0.05, 0.10, 0.20, 0.30,
	    0.15, 0.10 };
	double g[3], g2[3] = { 0.5, 0.3, 0.2 }, g3[3] = { 0.25, 0.35, 0.4 };
	double none[3] = { NAN, NAN, NAN };
	struct kto_chart_dist_row rows[4] = {
		{ "Balie", g, 412, false, false },
		{ "Telefoon", g2, 12, true, false },
		{ "E-mail", g3, 45, false, true },
		{ "Onbekend", none, -1, false, false },
	};
	char *svg, *d;

	(void)state;
	kto_chart_group_marks(dist, g);
	assert_close(g[0], 0.15, 1e-12);
	assert_close(g[1], 0.30, 1e-12);
	assert_close(g[2], 0.55, 1e-12);
	svg = stacked("s1", kto_chart_mark_groups(KTO_LANG_NL), 3, rows, 4);
	d = desc_of(svg);
	assert_contains(svg, ">55%</text>");
	assert_contains(svg, "fill=\"url(#s1-c0)\"");
	assert_contains(svg, "<pattern id=\"s1-c2\"");
	assert_contains(svg, ">1\xE2\x80\x93" "5 (onvoldoende)</text>");   /* legend */
	assert_contains(svg, ">te weinig waarnemingen</text>");
	assert_contains(svg, ">geen gegevens</text>");
	assert_contains(svg, ">n = 45, indicatief</text>");
	assert_contains(d, "Balie: 1\xE2\x80\x93" "5 (onvoldoende) 15%, 6\xE2\x80\x93" "7 30%, "
	    "8\xE2\x80\x93" "10 55% (n = 412).");
	assert_contains(d, "Telefoon: te weinig waarnemingen (n = 12).");
	assert_null(strstr(d, "50%"));               /* the suppressed shares */
	assert_contains(d, "Onbekend: geen gegevens.");
	save("stacked-groups", svg);
	free(d);
	free(svg);
}

static void
test_stacked_single_and_rescaled(void **state)
{
	static const char *const cats[2] = { "ja", hostile };
	double sh[2] = { 0.3, 0.3 };       /* rescaled to 50% each */
	struct kto_chart_dist_row row = { "Enige rij", sh, 100, false, false };
	char *svg;

	(void)state;
	svg = stacked("s2", cats, 2, &row, 1);
	assert_contains(svg, ">50%</text>");
	assert_contains(svg, "&lt;script&gt;");
	free(svg);
}

static void
test_stacked_marks(void **state)
{
	static const char *const marks[10] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "10" };
	double d1[10] = { 0.01, 0.01, 0.02, 0.03, 0.05, 0.10, 0.22, 0.33, 0.15, 0.08 };
	double d2[10] = { 0.05, 0.05, 0.05, 0.05, 0.10, 0.15, 0.20, 0.20, 0.10, 0.05 };
	struct kto_chart_dist_row rows[2] = {
		{ "Uw gemeente", d1, 480, false, false },
		{ "Kring", d2, 5230, false, false },
	};
	char *svg;

	(void)state;
	svg = stacked("s3", marks, 10, rows, 2);
	assert_contains(svg, "<pattern id=\"s3-c9\"");
	assert_contains(svg, ">33%</text>");
	assert_null(strstr(svg, ">1%</text>"));      /* too narrow for its number */
	save("stacked-marks", svg);
	free(svg);
}

/* ------------------------------------------------------------------ */
/* The priority matrix                                                 */

static char *
priority(const char *id, const struct kto_chart_priority_point *p, size_t n)
{
	struct kto_buf out = KTO_BUF_INIT(1 << 20);
	struct kto_chart_head h = head(id, "Prioriteitenmatrix");

	assert_int_equal(kto_chart_priority(&out, &h, p, n, NAN, "kring"), KTO_OK);
	check_chart(kto_buf_str(&out), id, "Prioriteitenmatrix");
	return kto_buf_detach(&out);
}

static void
test_priority_empty_and_unknown(void **state)
{
	struct kto_chart_priority_point p[2] = {
		{ "bejegening", NAN, 0.3 }, { "wachttijden", -0.2, NAN },
	};
	char *svg, *d;

	(void)state;
	svg = priority("p0", NULL, 0);
	assert_contains(svg, "Geen gegevens om te tonen.");
	free(svg);
	svg = priority("p1", p, 2);
	d = desc_of(svg);
	assert_contains(svg, "Geen gegevens om te tonen.");
	assert_contains(d, "Onbekend, niet getekend: bejegening, wachttijden.");
	free(d);
	free(svg);
}

static void
test_priority_single(void **state)
{
	struct kto_chart_priority_point p = { "bejegening", -0.4, 0.32 };
	char *svg, *d;

	(void)state;
	svg = priority("p2", &p, 1);
	d = desc_of(svg);
	/* One point is its own median: important, below the circle. */
	assert_contains(d, "Verbeteren (belangrijk en lager dan kring): bejegening (-0,4; "
	    "belang 0,32).");
	assert_contains(d, "Behouden (belangrijk en niet lager dan kring): geen.");
	assert_contains(svg, ">verbeteren</text>");
	assert_contains(svg, ">minder urgent</text>");
	assert_contains(svg, ">bejegening</text>");
	free(d);
	free(svg);
}

static void
test_priority_quadrants(void **state)
{
	struct kto_chart_priority_point p[9] = {
		{ "bereikbaarheid", 0.3, 0.12 },
		{ "toegankelijkheid", 0.1, 0.05 },
		{ "informatievoorziening", -0.5, 0.35 },
		{ "wachttijden", -0.3, 0.30 },
		{ "levertijden", -0.2, 0.08 },
		{ "tarieven", -0.9, 0.02 },
		{ "bejegening", 0.4, 0.40 },
		{ "betrouwbaarheid", 0.0, 0.28 },
		{ hostile, NAN, NAN },
	};
	char *svg, *d;

	(void)state;
	svg = priority("p3", p, 9);
	d = desc_of(svg);
	/* The median of the eight importances is (0.12 + 0.28) / 2 = 0.2. */
	assert_contains(d, "meer belangrijk vanaf 0,20.");
	assert_contains(d, "Verbeteren (belangrijk en lager dan kring): informatievoorziening "
	    "(-0,5; belang 0,35), wachttijden (-0,3; belang 0,30).");
	assert_contains(d, "Behouden (belangrijk en niet lager dan kring): bejegening (+0,4; "
	    "belang 0,40), betrouwbaarheid (0,0; belang 0,28).");
	assert_contains(d, "Bewaken (minder belangrijk en lager dan kring): levertijden");
	assert_contains(d, "Minder urgent (minder belangrijk en niet lager dan kring): "
	    "bereikbaarheid");
	assert_contains(d, "Onbekend, niet getekend: &lt;script&gt;");
	assert_contains(svg, "fill=\"#fbe3df\"");
	save("priority", svg);
	free(d);
	free(svg);
}

static void
test_priority_crowded(void **state)
{
	struct kto_chart_priority_point p[12];
	char labels[12][64];
	char *svg;

	(void)state;
	for (size_t i = 0; i < 12; i++) {
		snprintf(labels[i], sizeof labels[i], "onderdeel %zu met een lange naam erbij", i);
		p[i] = (struct kto_chart_priority_point){ labels[i], -0.05 + 0.01 * (double)i,
		    0.2 + 0.001 * (double)i };
	}
	svg = priority("p4", p, 12);
	assert_contains(svg, "\xE2\x80\xA6</text>");
	free(svg);
}

static void
test_quadrant(void **state)
{
	(void)state;
	assert_string_equal(kto_chart_quadrant(KTO_LANG_NL, -0.1, 0.3, 0.3), "verbeteren");
	assert_string_equal(kto_chart_quadrant(KTO_LANG_NL, 0, 0.3, 0.3), "behouden");
	assert_string_equal(kto_chart_quadrant(KTO_LANG_NL, -0.1, 0.29, 0.3), "bewaken");
	assert_string_equal(kto_chart_quadrant(KTO_LANG_NL, 0.5, 0.1, 0.3), "minder urgent");
	assert_null(kto_chart_quadrant(KTO_LANG_NL, NAN, 0.1, 0.3));
	assert_null(kto_chart_quadrant(KTO_LANG_NL, 0.1, NAN, 0.3));
	assert_null(kto_chart_quadrant(KTO_LANG_NL, 0.1, 0.1, NAN));
}

/* ------------------------------------------------------------------ */
/* English                                                             */

/* None of the charts' Dutch words may be left on the English side. */
static void
assert_english(const char *svg)
{
	static const char *const dutch[] = { "marge", "waarneming", "indicatief",
	    "significant hoger", "significant lager", "verbeteren", "behouden", "bewaken",
	    "kring", "gegevens", "periode", "Verdeling", "belang", "zonder naam", "onvoldoende",
	    "vergelijking", "lijntje", "Onbekend", "dan " };

	for (size_t i = 0; i < sizeof dutch / sizeof dutch[0]; i++) {
		if (strstr(svg, dutch[i]) != NULL) {
			print_error("Dutch \"%s\" in an English chart:\n%s\n", dutch[i], svg);
			fail();
		}
	}
}

static void
test_english(void **state)
{
	static const char *const periods[] = { "2023", "2024" };
	struct kto_buf out = KTO_BUF_INIT(1 << 20);
	struct kto_chart_head h = head("e1", "Mark per channel");
	struct kto_chart_bar b[3] = { bar("Counter", 7.6, 7.4, 7.8, 212),
	    bar("Phone", 7.0, 6.4, 7.6, 40), bar("E-mail", NAN, NAN, NAN, 12) };
	struct kto_chart_point own[2] = { point(7.1, 250), point(7.5, 60) };
	struct kto_chart_series s[1] = { { NULL, own } };
	double g[3] = { 0.12, 0.33, 0.55 };
	struct kto_chart_dist_row rows[2] = { { "Yours", g, 480, false, true },
	    { NULL, g, 10, true, false } };
	struct kto_chart_priority_point p[3] = { { "waiting", -0.4, 0.35 },
	    { "fees", 0.2, 0.1 }, { "unknown", NAN, 0.1 } };

	(void)state;
	h.lang = KTO_LANG_EN;
	b[0].significant = 1;
	b[1].indicative = true;
	b[2].suppressed = true;
	own[1].indicative = true;
	assert_int_equal(kto_chart_bars(&out, &h, KTO_CHART_MARKS, b, 3, 7.2, NULL, NAN, NAN),
	    KTO_OK);
	assert_contains(kto_buf_str(&out), "7.6 (margin 7.4 to 7.8; n = 212)");
	assert_contains(kto_buf_str(&out), "significantly higher than the comparison");
	assert_contains(kto_buf_str(&out), "too few responses");
	h.id = "e2";
	assert_int_equal(kto_chart_trend(&out, &h, KTO_CHART_MARKS, periods, 2, s, 1, NAN, NAN),
	    KTO_OK);
	assert_contains(kto_buf_str(&out), "Trend over 2 periods, from 2023 to 2024");
	h.id = "e3";
	assert_int_equal(kto_chart_stacked(&out, &h, kto_chart_mark_groups(KTO_LANG_EN), 3,
	    rows, 2), KTO_OK);
	assert_contains(kto_buf_str(&out), "5 (fail)");
	h.id = "e4";
	assert_int_equal(kto_chart_priority(&out, &h, p, 3, NAN, NULL), KTO_OK);
	assert_contains(kto_buf_str(&out), "Improve (important and lower than circle): "
	    "waiting (-0.4; importance");
	assert_contains(kto_buf_str(&out), "Unknown, not drawn: unknown");
	h.id = "e5";
	assert_int_equal(kto_chart_bars(&out, &h, KTO_CHART_MARKS, NULL, 0, NAN, NULL, NAN, NAN),
	    KTO_OK);
	assert_contains(kto_buf_str(&out), "No data to show.");
	assert_english(kto_buf_str(&out));
	assert_string_equal(kto_chart_quadrant(KTO_LANG_EN, -0.1, 0.3, 0.3), "improve");
	kto_buf_release(&out);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

static void
test_wrap(void **state)
{
	struct kto_svg_line l[3];
	const char *s = "Informatievoorziening over de aanvraag";
	size_t k;

	(void)state;
	assert_int_equal(kto_svg_wrap("", 100, 14, 2, l), 0);
	assert_int_equal(kto_svg_wrap("   ", 100, 14, 2, l), 0);
	assert_int_equal(kto_svg_wrap(NULL, 100, 14, 2, l), 0);
	k = kto_svg_wrap("Balie", 400, 14, 2, l);
	assert_int_equal(k, 1);
	assert_int_equal(l[0].len, 5);
	assert_false(l[0].ellipsis);

	/* Broken at a space, never inside a word that fits on a line. */
	k = kto_svg_wrap(s, 200, 14, 3, l);
	assert_int_equal(k, 2);
	assert_int_equal(l[0].off, 0);
	assert_true(s[l[0].off + l[0].len] == ' ');
	assert_true(s[l[1].off - 1] == ' ');
	assert_false(l[1].ellipsis);
	k = kto_svg_wrap(s, 200, 14, 1, l);
	assert_int_equal(k, 1);
	assert_true(l[0].ellipsis);

	/* UTF-8 is never cut inside a character: é is two bytes. */
	for (double w = 5; w < 200; w += 3) {
		const char *e = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";

		k = kto_svg_wrap(e, w, 14, 2, l);
		for (size_t i = 0; i < k; i++) {
			assert_int_equal(l[i].off % 2, 0);
			assert_int_equal(l[i].len % 2, 0);
		}
	}
}

/* Broken UTF-8 and control characters become characters XML can hold. */
static void
test_bad_text(void **state)
{
	struct kto_chart_bar b = bar("a\x01" "b\xFF" "c\xC3" "\n\xEF\xBF\xBF" "d\xE2\x82", 7, 6,
	    8, 50);
	char *svg;

	(void)state;
	svg = bars("x1", "tab\there\x7F", &b, 1, NAN);
	assert_contains(svg, "a b\xEF\xBF\xBD" "c\xEF\xBF\xBD \xEF\xBF\xBD" "d\xEF\xBF\xBD");
	free(svg);
}

/* Several charts on one page, for looking at in a browser. */
static void
test_page(void **state)
{
	static const char *const periods[] = { "2021", "2022", "2023", "2024" };
	struct kto_buf page = KTO_BUF_INIT(1 << 22);
	struct kto_chart_head h;
	struct kto_chart_bar b[3] = { bar("Balie", 7.6, 7.4, 7.8, 212),
	    bar("Telefoon", 7.0, 6.4, 7.6, 40), bar("E-mail", 6.7, 6.3, 7.1, 130) };
	struct kto_chart_point own[4] = { point(7.1, 250), point(7.3, 240), point(7.2, 220),
	    point(7.5, 260) };
	struct kto_chart_point kring[4] = { point(7.2, 2000), point(7.25, 2100),
	    point(7.2, 2050), point(7.3, 1900) };
	struct kto_chart_series s[2] = { { "Uw gemeente", own }, { "Kring", kring } };
	double g1[3] = { 0.12, 0.33, 0.55 }, g2[3] = { 0.2, 0.35, 0.45 };
	struct kto_chart_dist_row rows[2] = { { "Uw gemeente", g1, 480, false, false },
	    { "Kring", g2, 5230, false, false } };
	struct kto_chart_priority_point p[4] = { { "bejegening", 0.3, 0.4 },
	    { "wachttijden", -0.4, 0.35 }, { "tarieven", -0.2, 0.1 },
	    { "bereikbaarheid", 0.1, 0.12 } };
	FILE *f;

	(void)state;
	b[1].indicative = true;
	b[0].significant = 1;
	assert_int_equal(kto_buf_adds(&page, "<!DOCTYPE html><html lang=\"nl\"><meta "
	    "charset=\"utf-8\"><title>kto charts</title><body style=\"max-width:40rem\">"), KTO_OK);
	h = head("c1", "Rapportcijfer per kanaal");
	assert_int_equal(kto_chart_bars(&page, &h, KTO_CHART_MARKS, b, 3, 7.2, "kring", NAN, NAN),
	    KTO_OK);
	h = head("c2", "Totaaloordeel door de jaren");
	assert_int_equal(kto_chart_trend(&page, &h, KTO_CHART_MARKS, periods, 4, s, 2, NAN, NAN),
	    KTO_OK);
	h = head("c3", "Verdeling");
	assert_int_equal(kto_chart_stacked(&page, &h, kto_chart_mark_groups(KTO_LANG_NL), 3, rows, 2), KTO_OK);
	h = head("c4", "Prioriteitenmatrix");
	assert_int_equal(kto_chart_priority(&page, &h, p, 4, NAN, "kring"), KTO_OK);
	assert_int_equal(kto_buf_adds(&page, "</body></html>\n"), KTO_OK);
	if (mkdir(KTO_CHART_ARTIFACTS, 0755) == 0 || errno == EEXIST) {
		if ((f = fopen(KTO_CHART_ARTIFACTS "/index.html", "w")) != NULL) {
			fputs(kto_buf_str(&page), f);
			fclose(f);
		}
	}
	kto_buf_release(&page);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bars_empty),
		cmocka_unit_test(test_english),
		cmocka_unit_test(test_bars_single_channel),
		cmocka_unit_test(test_bars_suppressed),
		cmocka_unit_test(test_bars_nan),
		cmocka_unit_test(test_bars_escaping),
		cmocka_unit_test(test_bars_long_labels),
		cmocka_unit_test(test_bars_shares),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_trend_empty),
		cmocka_unit_test(test_trend_single),
		cmocka_unit_test(test_trend_two_lines),
		cmocka_unit_test(test_trend_all_suppressed_and_nan),
		cmocka_unit_test(test_trend_many),
		cmocka_unit_test(test_stacked_empty),
		cmocka_unit_test(test_stacked_groups),
		cmocka_unit_test(test_stacked_single_and_rescaled),
		cmocka_unit_test(test_stacked_marks),
		cmocka_unit_test(test_priority_empty_and_unknown),
		cmocka_unit_test(test_priority_single),
		cmocka_unit_test(test_priority_quadrants),
		cmocka_unit_test(test_priority_crowded),
		cmocka_unit_test(test_quadrant),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
