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

#include "base/lang.h"
#include "engine/results.h"

enum kto_against { KTO_AGAINST_CIRCLE, KTO_AGAINST_ALL, KTO_AGAINST_PREVIOUS };

/*
** Every function takes the language of the reader: Dutch writes marks with
** a decimal comma ("7,4"), English with a point ("7.4").
*/

/* "7,4"; "-" when v is not a number.  n: at least 8. */
void kto_fmt_mark(enum kto_lang lang, double v, char *out, size_t n);

/* A difference of marks with its sign: "+0,3", "-0,4", "0,0". */
void kto_fmt_mark_diff(enum kto_lang lang, double v, char *out, size_t n);

/* A share as a whole percentage: "42%"; "-" when not a number. */
void kto_fmt_pct(double share, char *out, size_t n);

/*
** The comparison: "significant hoger dan uw kring", "gelijk aan vorig
** jaar" (no significant difference), or, when it was not made, "niet te
** vergelijken met ...".  Static text.
*/
const char *kto_phrase_comparison(enum kto_lang lang, enum kto_against against,
                                  const struct kto_result_comparison *c);

/* "te weinig waarnemingen", "indicatief" or "" for a result's flag. */
const char *kto_phrase_flag(enum kto_lang lang, const char *flag);

/* The name of a variable: "totaaloordeel", "bejegening" (area:BEJ),
 * "norm N4"; a question id is returned as it is. */
const char *kto_variable_label(enum kto_lang lang, const char *variable,
                               char *buf, size_t n);

/* A mark interval "7,2–7,6", or a share interval "52%–69%"; "-" when either
 * end is not a number. */
void kto_fmt_interval(enum kto_lang lang, double lo, double hi, bool share,
                      char *out, size_t n);

/* A number with two decimals and a decimal comma: "0,35"; "-" for NaN. */
void kto_fmt_decimal2(enum kto_lang lang, double v, char *out, size_t n);

/* "balie", "telefoon", "e-mail" or "alle kanalen" for a result's channel. */
const char *kto_phrase_channel(enum kto_lang lang, const char *channel);

/* A service norm against its target (kto_result_row.vs_target): "gehaald",
 * "niet gehaald", "onbeslist" (the target lies within the interval), or
 * "geen doel". */
const char *kto_phrase_target(enum kto_lang lang, int vs_target);

#endif
