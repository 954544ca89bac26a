/*
** Strict number parsing (after OpenBSD's strtonum): the whole string must
** be the number, within the given range.  atoi and friends are banned
** because they cannot report junk or overflow.
*/
#ifndef KTO_BASE_STRPARSE_H
#define KTO_BASE_STRPARSE_H

#include <stdint.h>

#include "base/status.h"

/* Parses a decimal integer in [min, max]; KTO_EINPUT on junk or range. */
enum kto_rc kto_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/*
** Parses a finite decimal number in [min, max]; a decimal comma is accepted
** as well as a point, since Dutch users write 0,3.
*/
enum kto_rc kto_parse_double(const char *s, double min, double max, double *out);

#endif
