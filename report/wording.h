/*
** How results are put in words and numbers for people: marks with one
** decimal and a decimal comma, percentages, and the phrases for a
** comparison.  One place, so that the portal, the letter and the overview
** never say more than the statistics support: a difference is called
** higher or lower only when it is significant after Holm (DESIGN.md 6).
*/
#ifndef KTO_REPORT_WORDING_H
#define KTO_REPORT_WORDING_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/results.h"

enum kto_against { KTO_AGAINST_CIRCLE, KTO_AGAINST_ALL, KTO_AGAINST_PREVIOUS };

/* "7,4"; "-" when v is not a number.  n: at least 8. */
void kto_fmt_mark(double v, char *out, size_t n);

/* A difference of marks with its sign: "+0,3", "-0,4", "0,0". */
void kto_fmt_mark_diff(double v, char *out, size_t n);

/* A share as a whole percentage: "42%"; "-" when not a number. */
void kto_fmt_pct(double share, char *out, size_t n);

/*
** The comparison in Dutch: "significant hoger dan uw kring", "gelijk aan
** vorig jaar" (no significant difference), or, when it was not made,
** "niet te vergelijken met ...".  Static text.
*/
const char *kto_phrase_comparison(enum kto_against against,
                                  const struct kto_result_comparison *c);

/* The same in English, for the English side of the portal. */
const char *kto_phrase_comparison_en(enum kto_against against,
                                     const struct kto_result_comparison *c);

/* "te weinig waarnemingen", "indicatief" or "" for a result's flag. */
const char *kto_phrase_flag(const char *flag);

/* The Dutch name of a variable: "totaaloordeel", "bejegening" (area:BEJ),
 * "norm N4"; a question id is returned as it is. */
const char *kto_variable_label(const char *variable, char *buf, size_t n);

/* A mark interval "7,2–7,6", or a share interval "52%–69%"; "-" when either
 * end is not a number. */
void kto_fmt_interval(double lo, double hi, bool share, char *out, size_t n);

/* A number with two decimals and a decimal comma: "0,35"; "-" for NaN. */
void kto_fmt_decimal2(double v, char *out, size_t n);

/* "balie", "telefoon", "e-mail" or "alle kanalen" for a result's channel. */
const char *kto_phrase_channel(const char *channel);

/* A service norm against its target (kto_result_row.vs_target): "gehaald",
 * "niet gehaald", "onbeslist" (the target lies within the interval), or
 * "geen doel". */
const char *kto_phrase_target(int vs_target);

#endif
