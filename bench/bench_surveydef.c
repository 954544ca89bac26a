/*
** Parsing survey definitions: the three shipped questionnaires and the
** largest file the format allows.  Baseline: one pass that validates the
** UTF-8 and counts the lines, the least any parser of the file must do.
** The web server parses a definition once per version, so this is about
** `kto def check` staying instant and a hostile 1 MiB file staying cheap.
**
** Usage: bench_surveydef SURVEY_DEFS_DIR
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/file.h"
#include "base/utf8.h"
#include "bench/bench.h"
#include "engine/surveydef.h"

struct input {
	const char *src;
	size_t len;
};

static void
run_parse(void *arg)
{
	struct input *in = arg;
	struct kto_diags d;
	struct kto_survey *s = NULL;

	kto_diags_init(&d);
	kto_survey_parse(in->src, in->len, &s, &d);
	kto_survey_free(s);
	kto_diags_release(&d);
}

static volatile size_t sink;

static void
run_baseline(void *arg)
{
	struct input *in = arg;
	size_t lines = 0;

	if (kto_utf8_invalid_at(in->src, in->len) != in->len)
		abort();
	for (const char *p = in->src; (p = memchr(p, '\n', in->len - (size_t)(p - in->src)));
	    p++)
		lines++;
	sink = lines;
}

/* The largest valid survey: 200 questions with conditions and options. */
static char *
make_large(size_t *len)
{
	struct kto_buf b = KTO_BUF_INIT(1u << 20);

	kto_buf_adds(&b, "survey groot\n  channel: counter\n  title: Groot\n"
	    "  overall: Q0\n");
	for (int i = 0; i < 200; i++) {
		if (i % 4 == 0)
			kto_buf_addf(&b, "page p%d\n  title: Pagina %d\n", i / 4, i / 4);
		if (i == 0) {
			kto_buf_adds(&b, "question Q0 mark\n  text: Rapportcijfer\n"
			    "  area: TOT\n");
			continue;
		}
		kto_buf_addf(&b, "question Q%d choice\n  text: Vraag %d over de "
		    "dienstverlening van de gemeente\n  text.en: Question %d\n"
		    "  options:\n", i, i, i);
		for (int o = 0; o < 8; o++)
			kto_buf_addf(&b, "    o%d  Antwoord %d | Answer %d\n", o, o, o);
		if (i >= 8)
			kto_buf_addf(&b, "  show-if: Q%d in (o1, o2, o3) and not Q%d = o5 "
			    "or Q0 >= 6\n", i - 4 - i % 4, i - 5 - i % 4);
	}
	kto_buf_adds(&b, "mail invitation\n  subject: Uw mening\n  body: |\n"
	    "    {link}\n    {optout_link}\n");
	*len = b.len;
	return kto_buf_detach(&b);
}

int
main(int argc, char **argv)
{
	static const char *const files[] = { "kto-balie.kto", "kto-telefoon.kto",
	    "kto-email.kto" };
	struct input in;
	char *large;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SURVEY_DEFS_DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct kto_err err = KTO_ERR_INIT;
		char path[4096], name[64], *src;

		snprintf(path, sizeof path, "%s/%s", argv[1], files[i]);
		if (kto_file_read(path, KTO_DEF_MAX_FILE, &src, &in.len, &err) != KTO_OK) {
			fprintf(stderr, "%s\n", kto_err_msg(&err));
			return 1;
		}
		in.src = src;
		snprintf(name, sizeof name, "parse %s (%zu kB)", files[i], in.len / 1024);
		bench_report(name, bench_median(run_parse, &in, 200), "utf-8 + lines",
		    bench_median(run_baseline, &in, 2000));
		free(src);
	}
	large = make_large(&in.len);
	in.src = large;
	{
		struct kto_diags d;
		struct kto_survey *s = NULL;

		kto_diags_init(&d);
		if (kto_survey_parse(in.src, in.len, &s, &d) != KTO_OK) {
			fprintf(stderr, "the generated survey is invalid: %s\n",
			    d.n ? d.v[0].msg : "?");
			return 1;
		}
		kto_survey_free(s);
		kto_diags_release(&d);
	}
	{
		char name[64];

		snprintf(name, sizeof name, "parse 200 questions (%zu kB)", in.len / 1024);
		bench_report(name, bench_median(run_parse, &in, 20), "utf-8 + lines",
		    bench_median(run_baseline, &in, 200));
	}
	free(large);
	return 0;
}
