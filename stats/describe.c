#include "stats/describe.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_statistics_double.h>

enum kto_rc
kto_describe(const double *x, size_t len, struct kto_describe *out)
{
	double *present;
	size_t n = 0;

	out->n = 0;
	out->missing = 0;
	out->mean = out->sd = out->min = out->max = NAN;
	if (len == 0)
		return KTO_OK;
	present = malloc(len * sizeof *present);
	if (present == NULL)
		return KTO_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (isnan(x[i]))
			out->missing++;
		else
			present[n++] = x[i];
	}
	out->n = n;
	if (n > 0) {
		out->mean = gsl_stats_mean(present, 1, n);
		gsl_stats_minmax(&out->min, &out->max, present, 1, n);
	}
	/* GSL would divide by n - 1 = 0 and return NaN or Inf; say so plainly. */
	if (n > 1)
		out->sd = gsl_stats_sd_m(present, 1, n, out->mean);
	free(present);
	return KTO_OK;
}
