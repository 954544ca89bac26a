/*
** Design-based estimation for stratified simple random samples, with the
** semantics of R's survey package (../shared/STATISTICS.md is the spec):
** svydesign(id = ~1, strata = ..., fpc = ..., weights = ...) with
** options(survey.lonely.psu = "adjust"), svymean/svyby with na.rm = TRUE
** (missing values and groups are domains, never re-weighting), and
** svyciprop's intervals.
**
** Two ways in, with the same numbers:
**
**   rows   kto_svy_design over the respondents' rows; domains may cut
**          across strata (kto stats estimate on any CSV).
**   cells  per-stratum summaries (struct kto_svy_cell); domains are unions
**          of whole strata (a municipality, a circle, everyone), which is
**          what the report marks need, in time independent of the rows.
**
** Pure computation over caller's arrays: no I/O.  A missing value is NaN.
** An estimate that cannot be made (no observation, df < 1) is NaN, never 0.
*/
#ifndef KTO_STATS_SVY_H
#define KTO_STATS_SVY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

/* What went wrong with a design, for the caller to put in words. */
struct kto_svy_error {
	char msg[200];
	size_t stratum;    /* the stratum concerned, or SIZE_MAX */
	size_t row;        /* the row concerned, or SIZE_MAX */
};

struct kto_svy_design {
	size_t n_rows, n_strata;
	const size_t *stratum;   /* per row: 0 .. n_strata-1 (the caller's) */
	double *weight;          /* per row */
	size_t *n_h;             /* rows per stratum, missing values included */
	double *fpc;             /* per stratum: 1 - n_h/N_h, or 1 without N_h */
};

/*
** Sets up a design over n_rows rows.
**
**   stratum     per row, the stratum number (kept by reference)
**   population  per stratum, N_h; NULL for no finite population correction
**   weights     per row, used exactly as given; NULL for N_h/n_h (or 1
**               without population)
**
** KTO_EINPUT (with err filled in) for N_h < n_h, a population or weight
** that is not a finite number >= 0 (N_h > 0), an empty stratum is fine.
** KTO_ENOMEM.  Free with kto_svy_design_free().
*/
enum kto_rc kto_svy_design_init(struct kto_svy_design *d, size_t n_rows,
                                const size_t *stratum, size_t n_strata,
                                const double *population, const double *weights,
                                struct kto_svy_error *err);
void kto_svy_design_free(struct kto_svy_design *d);

/* One estimate.  method is for proportions: "logit", "beta", "mean" or
 * "clopper-pearson" (an estimate of exactly 0 or 1); "" otherwise. */
struct kto_svy_estimate {
	size_t n;          /* rows in the domain with a value */
	double estimate;   /* NaN when n == 0 */
	double se;
	double df;         /* n - strata with such rows: R's degf(subset) */
	double ci_low, ci_high;
	const char *method;
};

/*
** Domain means, svyby(~y, ~group, design, svymean, na.rm = TRUE): group[i]
** is row i's domain, 0 .. n_groups-1, or SIZE_MAX for none (it still counts
** in n_h).  out[g] gets the estimate with its t interval at level (df as in
** struct kto_svy_estimate).  cov, when not NULL, gets the n_groups x
** n_groups covariance matrix, row-major (svyby(..., covmat = TRUE)).
** KTO_ENOMEM is the only failure.
*/
enum kto_rc kto_svy_by(const struct kto_svy_design *d, const double *y,
                       const size_t *group, size_t n_groups, double level,
                       struct kto_svy_estimate *out, double *cov);

/*
** Domain totals, svyby(~y, ~group, design, svytotal, na.rm = TRUE): the
** same as kto_svy_by() for the sum of w_i y_i over the domain.  An empty
** domain's total is NaN (no observation), not 0.
*/
enum kto_rc kto_svy_by_total(const struct kto_svy_design *d, const double *y,
                             const size_t *group, size_t n_groups, double level,
                             struct kto_svy_estimate *out, double *cov);

enum kto_svy_prop_method { KTO_PROP_LOGIT, KTO_PROP_BETA, KTO_PROP_MEAN };

/*
** The interval of a proportion, svyciprop(method = ...) at level, from
** its mean estimate e (estimate, se, df filled in by kto_svy_by or the
** cells) and nrow, the rows of the (domain) design: replaces ci_low,
** ci_high and method.  An estimate of exactly 0 or 1 has no variance to
** go on; it gets the Clopper-Pearson bound on nrow instead of R's
** degenerate interval.
*/
void kto_svy_ciprop(struct kto_svy_estimate *e, size_t nrow,
                    enum kto_svy_prop_method method, double level);

/* The t interval est +- t(level, df) * se; NaN when df < 1 or se is NaN. */
void kto_svy_t_interval(struct kto_svy_estimate *e, double level);

/* ------------------------------------------------------------------ */
/* Cells: summaries of strata                                          */

/*
** One stratum's answers to one variable.  Weights are N_h/n_h, as for
** every stratum of a KTO design.  Build with kto_svy_cell_add() over the
** stratum's observed values, or fill in directly.
*/
struct kto_svy_cell {
	double n_rows;       /* respondents in the stratum (n_h), missing included */
	double population;   /* N_h; 0 when there is no finite population */
	double m;            /* observed values */
	double mean;         /* of the observed values */
	double ss;           /* sum of squared deviations from mean */
};

/* Welford's update: numerically careful in one pass. */
void kto_svy_cell_add(struct kto_svy_cell *c, double y);

/*
** A linear combination sum_k coef[k] * mean(domain k) of domain means,
** each domain a union of whole strata: in_domain[k][h] says whether cell h
** belongs to domain k.  With one domain and coefficient 1 it is that
** domain's mean (estimate, se, df, t interval); with more it is a contrast
** -- a municipality against the mean of the others of its circle, against
** everyone -- with the covariance the shared strata bring (svycontrast).
** n is the observations in the domains, df = n - strata with any.  The
** estimate is NaN when a domain with a nonzero coefficient has no
** observation.  KTO_ENOMEM is the only failure.
*/
enum kto_rc kto_svy_cells_combine(const struct kto_svy_cell *cells, size_t n_cells,
                           const bool *const *in_domain, const double *coef,
                           size_t n_domains, double level,
                           struct kto_svy_estimate *out);

/* ------------------------------------------------------------------ */
/* Comparisons                                                         */

/*
** Two-sided p-value of a difference d with standard error se on df
** degrees of freedom (t; normal when df is infinite).  NaN when se is 0
** or NaN, or df < 1.
*/
double kto_svy_p_value(double d, double se, double df);

/*
** Welch-Satterthwaite degrees of freedom of a difference of two
** independent estimates: (v1 + v2)^2 / (v1^2/df1 + v2^2/df2).
*/
double kto_svy_welch_df(double se1, double df1, double se2, double df2);

/*
** Holm's step-down adjustment of n p-values (p.adjust(method = "holm")):
** adj[i] for p[i].  NaN p-values are left out of the family and stay NaN.
** KTO_ENOMEM is the only failure.
*/
enum kto_rc kto_svy_holm(const double *p, size_t n, double *adj);

#endif
