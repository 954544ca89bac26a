#include "report/wording.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


void
kto_fmt_mark(double v, char *out, size_t n)
{
	char *dot;

	if (!isfinite(v)) {
		snprintf(out, n, "-");
		return;
	}
	/* -0,04 rounds to "-0,0": a sign with no digit to carry it misleads. */
	snprintf(out, n, "%.1f", fabs(v) < 0.05 ? 0.0 : v);
	if ((dot = strchr(out, '.')) != NULL)
		*dot = ',';
}

void
kto_fmt_mark_diff(double v, char *out, size_t n)
{
	if (!isfinite(v) || fabs(v) < 0.05) {
		kto_fmt_mark(v, out, n);
		return;
	}
	out[0] = v > 0 ? '+' : '-';
	kto_fmt_mark(fabs(v), out + 1, n - 1);
}

void
kto_fmt_pct(double share, char *out, size_t n)
{
	if (!isfinite(share))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.0f%%", 100 * share);
}

const char *
kto_phrase_comparison(enum kto_against against, const struct kto_result_comparison *c)
{
	static const char *const higher[] = { "significant hoger dan uw kring",
	    "significant hoger dan alle deelnemers", "significant hoger dan vorig jaar" };
	static const char *const lower[] = { "significant lager dan uw kring",
	    "significant lager dan alle deelnemers", "significant lager dan vorig jaar" };
	static const char *const same[] = { "gelijk aan uw kring",
	    "gelijk aan alle deelnemers", "gelijk aan vorig jaar" };
	static const char *const none[] = { "niet te vergelijken met uw kring",
	    "niet te vergelijken met alle deelnemers", "niet te vergelijken met vorig jaar" };

	if (c == NULL || !c->made)
		return none[against];
	return c->significant > 0 ? higher[against] : c->significant < 0 ?
	    lower[against] : same[against];
}

const char *
kto_phrase_comparison_en(enum kto_against against, const struct kto_result_comparison *c)
{
	static const char *const higher[] = { "significantly higher than your circle",
	    "significantly higher than all participants", "significantly higher than last year" };
	static const char *const lower[] = { "significantly lower than your circle",
	    "significantly lower than all participants", "significantly lower than last year" };
	static const char *const same[] = { "not different from your circle",
	    "not different from all participants", "not different from last year" };
	static const char *const none[] = { "no comparison with your circle",
	    "no comparison with all participants", "no comparison with last year" };

	if (c == NULL || !c->made)
		return none[against];
	return c->significant > 0 ? higher[against] : c->significant < 0 ?
	    lower[against] : same[against];
}

const char *
kto_phrase_flag(const char *flag)
{
	if (strcmp(flag, "too_few") == 0)
		return "te weinig waarnemingen";
	if (strcmp(flag, "indicative") == 0)
		return "indicatief";
	return "";
}

const char *
kto_variable_label(const char *variable, char *buf, size_t n)
{
	static const struct { const char *code, *name; } area[] = {
		{ "BER", "bereikbaarheid" }, { "TOE", "toegankelijkheid" },
		{ "INF", "informatievoorziening" }, { "WAC", "wachttijden" },
		{ "LEV", "levertijden" }, { "TAR", "tarieven" },
		{ "BEJ", "bejegening" }, { "BET", "betrouwbaarheid" },
	};

	if (strcmp(variable, "TOT") == 0)
		return "totaaloordeel";
	if (strncmp(variable, "area:", 5) == 0) {
		for (size_t i = 0; i < sizeof area / sizeof area[0]; i++)
			if (strcmp(variable + 5, area[i].code) == 0)
				return area[i].name;
	}
	if (strncmp(variable, "norm:", 5) == 0) {
		snprintf(buf, n, "norm %s", variable + 5);
		return buf;
	}
	return variable;
}

void
kto_fmt_interval(double lo, double hi, bool share, char *out, size_t n)
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
		kto_fmt_mark(lo, a, sizeof a);
		kto_fmt_mark(hi, b, sizeof b);
	}
	snprintf(out, n, "%s\xe2\x80\x93%s", a, b);     /* an en dash */
}

void
kto_fmt_decimal2(double v, char *out, size_t n)
{
	char *dot;

	if (!isfinite(v)) {
		snprintf(out, n, "-");
		return;
	}
	snprintf(out, n, "%.2f", fabs(v) < 0.005 ? 0.0 : v);
	if ((dot = strchr(out, '.')) != NULL)
		*dot = ',';
}

const char *
kto_phrase_channel(const char *channel)
{
	if (strcmp(channel, "counter") == 0)
		return "balie";
	if (strcmp(channel, "phone") == 0)
		return "telefoon";
	if (strcmp(channel, "email") == 0)
		return "e-mail";
	if (strcmp(channel, "all") == 0)
		return "alle kanalen";
	return channel;
}

const char *
kto_phrase_target(int vs_target)
{
	switch (vs_target) {
	case 1: return "gehaald";
	case -1: return "niet gehaald";
	case 0: return "onbeslist";
	default: return "geen doel";
	}
}
