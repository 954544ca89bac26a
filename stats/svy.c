/*
** Stratified estimation as R's survey package does it; the formulas, with
** their section numbers, are in ../shared/STATISTICS.md.
*/
#include "stats/svy.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>

/* R's svyrecvar treats a stratum with fpc below this as a census. */
#define CENSUS_FPC 1e-7

/*
** GSL's default error handler aborts; every GSL result here is checked
** (a NaN from a quantile becomes a missing interval) instead.
*/
static void
gsl_quiet(void)
{
	gsl_set_error_handler_off();
}

static void
design_error(struct kto_svy_error *err, size_t stratum, size_t row,
             const char *msg)
{
	if (err == NULL)
		return;
	err->stratum = stratum;
	err->row = row;
	snprintf(err->msg, sizeof err->msg, "%s", msg);
}

static enum kto_rc
design_strata(struct kto_svy_design *d, const double *population,
              struct kto_svy_error *err)
{
	for (size_t i = 0; i < d->n_rows; i++)
		d->n_h[d->stratum[i]]++;
	for (size_t h = 0; h < d->n_strata; h++) {
		double pop = population ? population[h] : 0;

		d->fpc[h] = 1;
		if (population == NULL || d->n_h[h] == 0)
			continue;
		if (!isfinite(pop) || pop <= 0) {
			design_error(err, h, SIZE_MAX, "the population size (fpc) "
			    "must be a positive number");
			return KTO_EINPUT;
		}
		if (pop < (double)d->n_h[h]) {
			design_error(err, h, SIZE_MAX, "the population size (fpc) "
			    "is smaller than the number of rows in the stratum");
			return KTO_EINPUT;
		}
		d->fpc[h] = (pop - (double)d->n_h[h]) / pop;
	}
	return KTO_OK;
}

static enum kto_rc
design_weights(struct kto_svy_design *d, const double *population,
               const double *weights, struct kto_svy_error *err)
{
	for (size_t i = 0; i < d->n_rows; i++) {
		size_t h = d->stratum[i];

		if (weights != NULL) {
			if (!isfinite(weights[i]) || weights[i] < 0) {
				design_error(err, h, i, "a weight must be a "
				    "number of 0 or more");
				return KTO_EINPUT;
			}
			d->weight[i] = weights[i];
		} else if (population != NULL) {
			d->weight[i] = population[h] / (double)d->n_h[h];
		} else {
			d->weight[i] = 1;
		}
	}
	return KTO_OK;
}

enum kto_rc
kto_svy_design_init(struct kto_svy_design *d, size_t n_rows,
                    const size_t *stratum, size_t n_strata,
                    const double *population, const double *weights,
                    struct kto_svy_error *err)
{
	enum kto_rc rc;

	memset(d, 0, sizeof *d);
	d->n_rows = n_rows;
	d->n_strata = n_strata;
	d->stratum = stratum;
	d->weight = malloc((n_rows ? n_rows : 1) * sizeof *d->weight);
	d->n_h = calloc(n_strata ? n_strata : 1, sizeof *d->n_h);
	d->fpc = malloc((n_strata ? n_strata : 1) * sizeof *d->fpc);
	if (d->weight == NULL || d->n_h == NULL || d->fpc == NULL) {
		kto_svy_design_free(d);
		return KTO_ENOMEM;
	}
	for (size_t i = 0; i < n_rows; i++)
		if (stratum[i] >= n_strata) {
			design_error(err, SIZE_MAX, i, "stratum number out of range");
			kto_svy_design_free(d);
			return KTO_EINPUT;
		}
	if ((rc = design_strata(d, population, err)) != KTO_OK ||
	    (rc = design_weights(d, population, weights, err)) != KTO_OK)
		kto_svy_design_free(d);
	return rc;
}

void
kto_svy_design_free(struct kto_svy_design *d)
{
	free(d->weight);
	free(d->n_h);
	free(d->fpc);
	d->weight = NULL;
	d->n_h = NULL;
	d->fpc = NULL;
}

/* ------------------------------------------------------------------ */
/* Intervals                                                           */

void
kto_svy_t_interval(struct kto_svy_estimate *e, double level)
{
	double q;

	gsl_quiet();
	e->ci_low = e->ci_high = NAN;
	if (!(e->df >= 1) || !isfinite(e->se) || !isfinite(e->estimate) ||
	    !(level > 0 && level < 1))
		return;
	/* GSL's t quantile is NaN for infinite df: that is the normal's. */
	q = isinf(e->df) ? gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2) :
	    gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, e->df);
	if (!isfinite(q))
		return;
	e->ci_low = e->estimate - q * e->se;
	e->ci_high = e->estimate + q * e->se;
}

static double
expit(double x)
{
	return 1 / (1 + exp(-x));
}

/* An estimate of exactly 0 or 1: no variance to base an interval on. */
static void
ciprop_exact(struct kto_svy_estimate *e, size_t nrow, double alpha)
{
	double bound = pow(alpha / 2, 1 / (double)nrow);   /* qbeta(a/2, n, 1) */

	e->method = "clopper-pearson";
	e->se = 0;
	if (e->estimate < 0.5) {
		e->estimate = 0;
		e->ci_low = 0;
		e->ci_high = 1 - bound;
	} else {
		e->estimate = 1;
		e->ci_low = bound;
		e->ci_high = 1;
	}
}

/* Korn-Graubard: a beta interval on the effective sample size. */
static void
ciprop_beta(struct kto_svy_estimate *e, size_t nrow, double alpha)
{
	double p = e->estimate, v = e->se * e->se;
	double ratio = gsl_cdf_tdist_Pinv(alpha / 2, (double)nrow - 1) /
	    gsl_cdf_tdist_Pinv(alpha / 2, e->df);
	double n_eff = p * (1 - p) / v * ratio * ratio;

	if (v == 0) {        /* every stratum a census: no sampling error */
		e->ci_low = e->ci_high = p;
		return;
	}
	if (nrow < 2 || !(e->df > 0) || !isfinite(n_eff))
		return;
	e->ci_low = gsl_cdf_beta_Pinv(alpha / 2, n_eff * p, n_eff * (1 - p) + 1);
	e->ci_high = gsl_cdf_beta_Pinv(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p));
}

/* The delta method on the logit scale, as svyglm's interval comes out. */
static void
ciprop_logit(struct kto_svy_estimate *e, double alpha)
{
	double p = e->estimate;
	double eta = log(p / (1 - p)), se_eta = e->se / (p * (1 - p));
	double q;

	if (!(e->df > 0))
		return;
	q = gsl_cdf_tdist_Pinv(1 - alpha / 2, e->df);
	if (!isfinite(q))
		return;
	e->ci_low = expit(eta - q * se_eta);
	e->ci_high = expit(eta + q * se_eta);
}

void
kto_svy_ciprop(struct kto_svy_estimate *e, size_t nrow,
               enum kto_svy_prop_method method, double level)
{
	double alpha = 1 - level;

	gsl_quiet();
	e->method = method == KTO_PROP_BETA ? "beta" : method == KTO_PROP_MEAN ?
	    "mean" : "logit";
	e->ci_low = e->ci_high = NAN;
	if (e->n == 0 || nrow == 0 || !isfinite(e->estimate) || !isfinite(e->se) ||
	    !(level > 0 && level < 1))
		return;
	/* A weighted mean of ones can come out a rounding error off 1. */
	if (e->estimate < 1e-12 || e->estimate > 1 - 1e-12) {
		ciprop_exact(e, nrow, alpha);
		return;
	}
	switch (method) {
	case KTO_PROP_MEAN: kto_svy_t_interval(e, level); break;
	case KTO_PROP_BETA: ciprop_beta(e, nrow, alpha); break;
	case KTO_PROP_LOGIT: ciprop_logit(e, alpha); break;
	}
}

/* ------------------------------------------------------------------ */
/* Rows: domain means (section 3 and 4)                                */

/* Accumulators per (stratum, group), one block of n_groups per stratum. */
struct by_work {
	double *sum_z;     /* sum of z over the domain's rows in the stratum */
	double *ssq;       /* sum of (z - zbar_h)^2 over those rows */
	size_t *m;         /* the domain's rows with a value in the stratum */
	double *w_sum, *wy_sum, *mean;    /* per group */
	bool total;        /* svytotal rather than svymean */
};

static void
by_work_free(struct by_work *w)
{
	free(w->sum_z);
	free(w->ssq);
	free(w->m);
	free(w->w_sum);
	free(w->wy_sum);
	free(w->mean);
}

static enum kto_rc
by_work_init(struct by_work *w, size_t n_strata, size_t n_groups)
{
	size_t cells = n_strata * n_groups, g = n_groups ? n_groups : 1;

	memset(w, 0, sizeof *w);
	if (n_groups != 0 && cells / n_groups != n_strata)
		return KTO_ENOMEM;
	cells = cells ? cells : 1;
	w->sum_z = calloc(cells, sizeof *w->sum_z);
	w->ssq = calloc(cells, sizeof *w->ssq);
	w->m = calloc(cells, sizeof *w->m);
	w->w_sum = calloc(g, sizeof *w->w_sum);
	w->wy_sum = calloc(g, sizeof *w->wy_sum);
	w->mean = calloc(g, sizeof *w->mean);
	if (!w->sum_z || !w->ssq || !w->m || !w->w_sum || !w->wy_sum || !w->mean) {
		by_work_free(w);
		return KTO_ENOMEM;
	}
	return KTO_OK;
}

/*
** Row i counts in its group's estimate.  A row of zero weight does not:
** R's degf() counts only rows with a nonzero weight, and such a row is a
** zero of the influence values like any row outside the domain.
*/
static bool
in_domain(const struct kto_svy_design *d, const double *y, const size_t *group,
          size_t n_groups, size_t i)
{
	return group[i] < n_groups && !isnan(y[i]) && d->weight[i] > 0;
}

/* The weighted domain means, with a second pass that corrects rounding. */
static void
by_means(const struct kto_svy_design *d, const double *y, const size_t *group,
         size_t n_groups, struct by_work *w)
{
	for (size_t i = 0; i < d->n_rows; i++)
		if (in_domain(d, y, group, n_groups, i)) {
			w->w_sum[group[i]] += d->weight[i];
			w->wy_sum[group[i]] += d->weight[i] * y[i];
		}
	for (size_t g = 0; g < n_groups; g++) {
		w->mean[g] = w->w_sum[g] > 0 ? w->wy_sum[g] / w->w_sum[g] : NAN;
		w->wy_sum[g] = 0;
	}
	for (size_t i = 0; i < d->n_rows; i++)
		if (in_domain(d, y, group, n_groups, i))
			w->wy_sum[group[i]] += d->weight[i] * (y[i] - w->mean[group[i]]);
	for (size_t g = 0; g < n_groups; g++)
		if (w->w_sum[g] > 0)
			w->mean[g] += w->wy_sum[g] / w->w_sum[g];
}

/*
** The linearised value of row i: w_i (y_i - mean_d) / N_d for a mean,
** w_i y_i for a total (section 1).
*/
static double
by_z(const struct kto_svy_design *d, const double *y, const struct by_work *w,
     size_t i, size_t g)
{
	if (w->total)
		return d->weight[i] * y[i];
	return d->weight[i] * (y[i] - w->mean[g]) / w->w_sum[g];
}

static void
by_influence(const struct kto_svy_design *d, const double *y,
             const size_t *group, size_t n_groups, struct by_work *w)
{
	for (size_t i = 0; i < d->n_rows; i++) {
		size_t g = group[i], cell = d->stratum[i] * n_groups + g;

		if (!in_domain(d, y, group, n_groups, i) || !(w->w_sum[g] > 0))
			continue;
		w->sum_z[cell] += by_z(d, y, w, i, g);
		w->m[cell]++;
	}
	/* Second pass: squares about the stratum mean, never sum z^2 - n zbar^2. */
	for (size_t i = 0; i < d->n_rows; i++) {
		size_t g = group[i], h = d->stratum[i], cell = h * n_groups + g;
		double dev;

		if (!in_domain(d, y, group, n_groups, i) || !(w->w_sum[g] > 0))
			continue;
		dev = by_z(d, y, w, i, g) - (d->n_h[h] > 1 ?
		    w->sum_z[cell] / (double)d->n_h[h] : 0);
		w->ssq[cell] += dev * dev;
	}
}

/* The stratum's factor: fpc * n/(n-1); a lonely stratum is not centred. */
static double
stratum_scale(const struct kto_svy_design *d, size_t h)
{
	double n = (double)d->n_h[h];

	if (d->fpc[h] < CENSUS_FPC)
		return 0;
	return d->n_h[h] > 1 ? d->fpc[h] * n / (n - 1) : d->fpc[h];
}

static void
by_variance(const struct kto_svy_design *d, size_t n_groups,
            const struct by_work *w, struct kto_svy_estimate *out)
{
	for (size_t g = 0; g < n_groups; g++) {
		double v = 0;
		size_t strata_with = 0;

		out[g].n = 0;
		for (size_t h = 0; h < d->n_strata; h++) {
			size_t cell = h * n_groups + g;
			double zbar, scale = stratum_scale(d, h);

			if (w->m[cell] == 0)
				continue;
			out[g].n += w->m[cell];
			strata_with++;
			if (d->n_h[h] > 1) {
				zbar = w->sum_z[cell] / (double)d->n_h[h];
				v += scale * (w->ssq[cell] + (double)(d->n_h[h] -
				    w->m[cell]) * zbar * zbar);
			} else {
				v += scale * w->ssq[cell];
			}
		}
		out[g].estimate = out[g].n == 0 ? NAN : w->total ?
		    w->mean[g] * w->w_sum[g] : w->mean[g];
		out[g].se = out[g].n > 0 ? sqrt(v) : NAN;
		out[g].df = out[g].n > 0 ? (double)(out[g].n - strata_with) : NAN;
		out[g].method = "";
	}
}

/*
** Between disjoint domains g and e, a stratum contributes
** -scale * n_h * zbar_hg * zbar_he (the rows of one domain are zeros of
** the other); a lonely stratum, not centred, contributes nothing.
*/
static void
by_covariance(const struct kto_svy_design *d, size_t n_groups,
              const struct by_work *w, const struct kto_svy_estimate *est,
              double *cov)
{
	for (size_t g = 0; g < n_groups; g++)
		for (size_t e = 0; e < n_groups; e++)
			cov[g * n_groups + e] = g == e ? est[g].se * est[g].se : 0;
	for (size_t h = 0; h < d->n_strata; h++) {
		double n = (double)d->n_h[h], scale = stratum_scale(d, h);

		if (d->n_h[h] < 2 || scale == 0)
			continue;
		for (size_t g = 0; g < n_groups; g++) {
			double zg = w->sum_z[h * n_groups + g] / n;

			if (w->m[h * n_groups + g] == 0)
				continue;
			for (size_t e = 0; e < n_groups; e++)
				if (e != g && w->m[h * n_groups + e] != 0)
					cov[g * n_groups + e] -= scale * n * zg *
					    w->sum_z[h * n_groups + e] / n;
		}
	}
	for (size_t g = 0; g < n_groups; g++)
		if (est[g].n == 0)
			for (size_t e = 0; e < n_groups; e++)
				cov[g * n_groups + e] = cov[e * n_groups + g] = NAN;
}

static enum kto_rc
by_estimate(const struct kto_svy_design *d, const double *y, const size_t *group,
            size_t n_groups, double level, struct kto_svy_estimate *out,
            double *cov, bool total)
{
	struct by_work w;
	enum kto_rc rc = by_work_init(&w, d->n_strata, n_groups);

	if (rc != KTO_OK)
		return rc;
	w.total = total;
	by_means(d, y, group, n_groups, &w);
	by_influence(d, y, group, n_groups, &w);
	by_variance(d, n_groups, &w, out);
	for (size_t g = 0; g < n_groups; g++)
		kto_svy_t_interval(&out[g], level);
	if (cov != NULL)
		by_covariance(d, n_groups, &w, out, cov);
	by_work_free(&w);
	return KTO_OK;
}

enum kto_rc
kto_svy_by(const struct kto_svy_design *d, const double *y,
           const size_t *group, size_t n_groups, double level,
           struct kto_svy_estimate *out, double *cov)
{
	return by_estimate(d, y, group, n_groups, level, out, cov, false);
}

enum kto_rc
kto_svy_by_total(const struct kto_svy_design *d, const double *y,
                 const size_t *group, size_t n_groups, double level,
                 struct kto_svy_estimate *out, double *cov)
{
	return by_estimate(d, y, group, n_groups, level, out, cov, true);
}

/* ------------------------------------------------------------------ */
/* Cells: domains that are unions of whole strata                      */

void
kto_svy_cell_add(struct kto_svy_cell *c, double y)
{
	double delta = y - c->mean;

	c->m += 1;
	c->mean += delta / c->m;
	c->ss += delta * (y - c->mean);
}

static double
cell_weight(const struct kto_svy_cell *c)
{
	return c->population > 0 ? c->population / c->n_rows : 1;
}

static double
cell_fpc(const struct kto_svy_cell *c)
{
	return c->population > 0 ? (c->population - c->n_rows) / c->population : 1;
}

/* N_k and mean_k of each domain; false when one that counts is empty. */
static bool
cells_domain_means(const struct kto_svy_cell *cells, size_t n_cells,
                   const bool *const *in_domain, const double *coef,
                   size_t n_domains, double *size, double *mean)
{
	for (size_t k = 0; k < n_domains; k++) {
		double n_hat = 0, total = 0;

		for (size_t h = 0; h < n_cells; h++)
			if (in_domain[k][h] && cells[h].m > 0) {
				n_hat += cell_weight(&cells[h]) * cells[h].m;
				total += cell_weight(&cells[h]) * cells[h].m * cells[h].mean;
			}
		size[k] = n_hat;
		mean[k] = n_hat > 0 ? total / n_hat : NAN;
		if (!(n_hat > 0) && coef[k] != 0)
			return false;
	}
	return true;
}

/*
** Within cell h the contrast's z is alpha * (y - mean_h) + gamma on the
** observed rows and 0 on the others; its centred sum of squares follows
** from m, mean and ss without the rows.
*/
static double
cell_variance(const struct kto_svy_cell *c, double alpha, double gamma)
{
	double f = cell_fpc(c), n = c->n_rows, zbar;

	if (f < CENSUS_FPC || c->m == 0)
		return 0;
	if (n < 2)         /* lonely stratum: "adjust" leaves it uncentred */
		return f * (alpha * alpha * c->ss + c->m * gamma * gamma);
	zbar = c->m * gamma / n;
	return f * n / (n - 1) * (alpha * alpha * c->ss +
	    c->m * (gamma - zbar) * (gamma - zbar) + (n - c->m) * zbar * zbar);
}

enum kto_rc
kto_svy_cells_combine(const struct kto_svy_cell *cells, size_t n_cells,
                      const bool *const *in_domain, const double *coef,
                      size_t n_domains, double level,
                      struct kto_svy_estimate *out)
{
	double *size = malloc(2 * (n_domains ? n_domains : 1) * sizeof *size);
	double *mean = size + (n_domains ? n_domains : 1);
	double v = 0, est = 0, n = 0, strata_with = 0;

	if (size == NULL)
		return KTO_ENOMEM;
	memset(out, 0, sizeof *out);
	out->method = "";
	out->estimate = out->se = out->df = out->ci_low = out->ci_high = NAN;
	for (size_t h = 0; h < n_cells; h++) {
		bool any = false;

		for (size_t k = 0; k < n_domains && !any; k++)
			any = in_domain[k][h];
		if (any && cells[h].m > 0) {
			n += cells[h].m;
			strata_with++;
		}
	}
	out->n = (size_t)n;
	if (!cells_domain_means(cells, n_cells, in_domain, coef, n_domains, size, mean)) {
		free(size);
		return KTO_OK;
	}
	for (size_t k = 0; k < n_domains; k++)
		if (coef[k] != 0)
			est += coef[k] * mean[k];
	for (size_t h = 0; h < n_cells; h++) {
		double alpha = 0, gamma = 0, w = cell_weight(&cells[h]);

		for (size_t k = 0; k < n_domains; k++)
			if (in_domain[k][h] && coef[k] != 0 && size[k] > 0) {
				alpha += coef[k] * w / size[k];
				gamma += coef[k] * w * (cells[h].mean - mean[k]) / size[k];
			}
		v += cell_variance(&cells[h], alpha, gamma);
	}
	out->estimate = est;
	out->se = sqrt(v);
	out->df = n - strata_with;
	kto_svy_t_interval(out, level);
	free(size);
	return KTO_OK;
}

/* ------------------------------------------------------------------ */
/* Comparisons                                                         */

double
kto_svy_p_value(double d, double se, double df)
{
	double t;

	gsl_quiet();
	if (!(se > 0) || !isfinite(d) || !(df >= 1))
		return NAN;
	t = fabs(d) / se;
	return 2 * (isinf(df) ? gsl_cdf_ugaussian_Q(t) : gsl_cdf_tdist_Q(t, df));
}

double
kto_svy_welch_df(double se1, double df1, double se2, double df2)
{
	double v1 = se1 * se1, v2 = se2 * se2, den = 0;

	if (v1 > 0)
		den += v1 * v1 / df1;
	if (v2 > 0)
		den += v2 * v2 / df2;
	return den > 0 ? (v1 + v2) * (v1 + v2) / den : NAN;
}

enum kto_rc
kto_svy_holm(const double *p, size_t n, double *adj)
{
	size_t *order = malloc((n ? n : 1) * sizeof *order);
	double *valid = calloc(n ? n : 1, sizeof *valid);
	size_t m = 0, *index = malloc((n ? n : 1) * sizeof *index);
	double running = 0;

	if (order == NULL || valid == NULL || index == NULL) {
		free(order);
		free(valid);
		free(index);
		return KTO_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		adj[i] = NAN;
		if (!isnan(p[i])) {
			valid[m] = p[i];
			index[m++] = i;
		}
	}
	if (m > 0)
		gsl_sort_index(order, valid, 1, m);
	for (size_t j = 0; j < m; j++) {
		double a = (double)(m - j) * valid[order[j]];

		running = fmax(running, a > 1 ? 1 : a);
		adj[index[order[j]]] = running;
	}
	free(order);
	free(valid);
	free(index);
	return KTO_OK;
}
