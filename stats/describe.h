/*
** Descriptive statistics of one variable with missing values.
**
** Missing values are NaN in the input: "weet niet", unanswered and
** not-applicable answers are excluded and counted, never coded as 0
** (HARDENING.md G4).  Pure computation over a caller's array: no I/O.
*/
#ifndef KTO_STATS_DESCRIBE_H
#define KTO_STATS_DESCRIBE_H

#include <stddef.h>

#include "base/status.h"

struct kto_describe {
	size_t n;          /* values present */
	size_t missing;    /* NaN values skipped */
	double mean;       /* NaN when n == 0 */
	double sd;         /* sample standard deviation; NaN when n < 2 */
	double min, max;   /* NaN when n == 0 */
};

/*
** Describes x[0..len).  Uses GSL's numerically careful mean and two-pass
** variance (never a one-pass sum of squares).  KTO_ENOMEM is the only
** failure.
*/
enum kto_rc kto_describe(const double *x, size_t len, struct kto_describe *out);

#endif
