#include "report/wording.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


/* The number as printf writes it, with a decimal comma for Dutch. */
static void
decimal_sep(enum kto_lang lang, char *out)
{
	char *dot;

	if (lang == KTO_LANG_NL && (dot = strchr(out, '.')) != NULL)
		*dot = ',';
}

void
kto_fmt_mark(enum kto_lang lang, double v, char *out, size_t n)
{
	if (!isfinite(v)) {
		snprintf(out, n, "-");
		return;
	}
	/* -0,04 rounds to "-0,0": a sign with no digit to carry it misleads. */
	snprintf(out, n, "%.1f", fabs(v) < 0.05 ? 0.0 : v);
	decimal_sep(lang, out);
}

void
kto_fmt_mark_diff(enum kto_lang lang, double v, char *out, size_t n)
{
	if (!isfinite(v) || fabs(v) < 0.05) {
		kto_fmt_mark(lang, v, out, n);
		return;
	}
	out[0] = v > 0 ? '+' : '-';
	kto_fmt_mark(lang, fabs(v), out + 1, n - 1);
}

void
kto_fmt_pct(double share, char *out, size_t n)
{
	if (!isfinite(share))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.0f%%", 100 * share);
}

/* The phrases per language (index kto_lang) and comparison (kto_against). */
static const char *const cmp_higher[2][3] = {
	{ "significant hoger dan uw kring", "significant hoger dan alle deelnemers",
	  "significant hoger dan vorig jaar" },
	{ "significantly higher than your circle", "significantly higher than all "
	  "participants", "significantly higher than last year" },
};
static const char *const cmp_lower[2][3] = {
	{ "significant lager dan uw kring", "significant lager dan alle deelnemers",
	  "significant lager dan vorig jaar" },
	{ "significantly lower than your circle", "significantly lower than all "
	  "participants", "significantly lower than last year" },
};
static const char *const cmp_same[2][3] = {
	{ "gelijk aan uw kring", "gelijk aan alle deelnemers", "gelijk aan vorig jaar" },
	{ "not different from your circle", "not different from all participants",
	  "not different from last year" },
};
static const char *const cmp_none[2][3] = {
	{ "niet te vergelijken met uw kring", "niet te vergelijken met alle deelnemers",
	  "niet te vergelijken met vorig jaar" },
	{ "no comparison with your circle", "no comparison with all participants",
	  "no comparison with last year" },
};

const char *
kto_phrase_comparison(enum kto_lang lang, enum kto_against against,
                      const struct kto_result_comparison *c)
{
	int l = lang == KTO_LANG_EN;

	if (c == NULL || !c->made)
		return cmp_none[l][against];
	return c->significant > 0 ? cmp_higher[l][against] : c->significant < 0 ?
	    cmp_lower[l][against] : cmp_same[l][against];
}

const char *
kto_phrase_flag(enum kto_lang lang, const char *flag)
{
	if (strcmp(flag, "too_few") == 0)
		return kto_lang_pick(lang, "te weinig waarnemingen", "too few responses");
	if (strcmp(flag, "indicative") == 0)
		return kto_lang_pick(lang, "indicatief", "indicative");
	return "";
}

const char *
kto_variable_label(enum kto_lang lang, const char *variable, char *buf, size_t n)
{
	/* The performance areas of DOMAIN.md 3, in Dutch and in English. */
	static const struct { const char *code, *nl, *en; } area[] = {
		{ "BER", "bereikbaarheid", "availability" },
		{ "TOE", "toegankelijkheid", "accessibility" },
		{ "INF", "informatievoorziening", "information" },
		{ "WAC", "wachttijden", "waiting times" },
		{ "LEV", "levertijden", "delivery times" },
		{ "TAR", "tarieven", "fees" },
		{ "BEJ", "bejegening", "treatment by staff" },
		{ "BET", "betrouwbaarheid", "reliability" },
	};

	if (strcmp(variable, "TOT") == 0)
		return kto_lang_pick(lang, "totaaloordeel", "overall mark");
	if (strncmp(variable, "area:", 5) == 0) {
		for (size_t i = 0; i < sizeof area / sizeof area[0]; i++)
			if (strcmp(variable + 5, area[i].code) == 0)
				return kto_lang_pick(lang, area[i].nl, area[i].en);
	}
	if (strncmp(variable, "norm:", 5) == 0) {
		snprintf(buf, n, "norm %s", variable + 5);
		return buf;
	}
	return variable;
}

void
kto_fmt_interval(enum kto_lang lang, double lo, double hi, bool share, char *out,
                 size_t n)
{
	char a[16], b[16];

	if (!isfinite(lo) || !isfinite(hi)) {
		snprintf(out, n, "-");
		return;
	}
	if (share) {
		kto_fmt_pct(lo, a, sizeof a);
		kto_fmt_pct(hi, b, sizeof b);
	} else {
		kto_fmt_mark(lang, lo, a, sizeof a);
		kto_fmt_mark(lang, hi, b, sizeof b);
	}
	snprintf(out, n, "%s\xe2\x80\x93%s", a, b);     /* an en dash */
}

void
kto_fmt_decimal2(enum kto_lang lang, double v, char *out, size_t n)
{
	if (!isfinite(v)) {
		snprintf(out, n, "-");
		return;
	}
	snprintf(out, n, "%.2f", fabs(v) < 0.005 ? 0.0 : v);
	decimal_sep(lang, out);
}

const char *
kto_phrase_channel(enum kto_lang lang, const char *channel)
{
	if (strcmp(channel, "counter") == 0)
		return kto_lang_pick(lang, "balie", "counter");
	if (strcmp(channel, "phone") == 0)
		return kto_lang_pick(lang, "telefoon", "phone");
	if (strcmp(channel, "email") == 0)
		return "e-mail";
	if (strcmp(channel, "all") == 0)
		return kto_lang_pick(lang, "alle kanalen", "all channels");
	return channel;
}

const char *
kto_phrase_target(enum kto_lang lang, int vs_target)
{
	switch (vs_target) {
	case 1: return kto_lang_pick(lang, "gehaald", "met");
	case -1: return kto_lang_pick(lang, "niet gehaald", "not met");
	case 0: return kto_lang_pick(lang, "onbeslist", "undecided");
	default: return kto_lang_pick(lang, "geen doel", "no target");
	}
}
