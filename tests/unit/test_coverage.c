/*
** stats/svy: do its intervals cover?  A seeded simulation over a known
** finite population of three strata (N_h = 2000, 5000, 800) of marks 1-10,
** skewed differently in each stratum.  It draws stratified simple random
** samples without replacement (n_h = 40, 60, 25) and counts how often the
** 95 % intervals of kto_svy_by (the mean) and kto_svy_ciprop (the share of
** marks >= 8, logit) contain the population's value; both must lie in
** [94, 96] %.  It also checks that the variance estimate is unbiased: the
** mean of se^2 over the samples against the exact design variance
**
**     V = sum_h (N_h/N)^2 (1 - n_h/N_h) S_h^2 / n_h
**
** computed from the population, and the spread of the estimates against V;
** and, sample by sample, that kto_svy_by's mean and SE are the textbook
** stratified ones (the same V with S_h^2 estimated by s_h^2).
** The coverages are printed.  GSL's mt19937 with a fixed seed makes every
** run the same.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats/svy.h"
#include "tests/unit/testutil.h"

#define STRATA 3
#define SAMPLES 20000
#define SEED 20240611UL
#define LEVEL 0.95

static const size_t pop_size[STRATA] = { 2000, 5000, 800 };
static const size_t sample_size[STRATA] = { 40, 60, 25 };

/*
** Relative frequencies of the marks 1..10 in each stratum: mostly low
** marks with a long right tail; mostly high marks with a left tail; a
** lumpy one with a spike at 1 and at 8-9.
*/
static const double mark_freq[STRATA][10] = {
	{ 30, 22, 15, 10, 7, 5, 4, 3, 2, 2 },
	{ 1, 1, 2, 3, 4, 6, 10, 18, 30, 25 },
	{ 25, 3, 2, 2, 5, 8, 10, 20, 20, 5 },
};

struct population {
	double *y[STRATA];      /* the marks of stratum h */
	double mean, share;     /* of everyone: the true values */
	double v_mean, v_share; /* exact variances of the estimators */
};

/* S_h^2 of v[0..n-1] with divisor n - 1. */
static double
pop_var(const double *v, size_t n)
{
	double m = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		m += v[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - m) * (v[i] - m);
	return ss / (double)(n - 1);
}

static void
make_population(gsl_rng *rng, struct population *p)
{
	double n_total = 0, sum = 0, hits = 0;

	p->v_mean = p->v_share = 0;
	for (size_t h = 0; h < STRATA; h++)
		n_total += (double)pop_size[h];
	for (size_t h = 0; h < STRATA; h++) {
		gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(10, mark_freq[h]);
		double *ind = malloc(pop_size[h] * sizeof *ind);
		double share_h = (double)pop_size[h] / n_total;
		double fpc = 1 - (double)sample_size[h] / (double)pop_size[h];

		assert_non_null(table);
		p->y[h] = malloc(pop_size[h] * sizeof *p->y[h]);
		assert_non_null(p->y[h]);
		assert_non_null(ind);
		for (size_t i = 0; i < pop_size[h]; i++) {
			p->y[h][i] = (double)(gsl_ran_discrete(rng, table) + 1);
			ind[i] = p->y[h][i] >= 8;
			sum += p->y[h][i];
			hits += ind[i];
		}
		p->v_mean += share_h * share_h * fpc * pop_var(p->y[h], pop_size[h]) /
		    (double)sample_size[h];
		p->v_share += share_h * share_h * fpc * pop_var(ind, pop_size[h]) /
		    (double)sample_size[h];
		free(ind);
		gsl_ran_discrete_free(table);
	}
	p->mean = sum / n_total;
	p->share = hits / n_total;
}

/*
** Moves a simple random sample of n of the N values of v to its front: a
** partial Fisher-Yates shuffle, which needs v in no particular order, so
** the population arrays are simply reshuffled sample after sample.
*/
static void
draw(gsl_rng *rng, double *v, size_t n_pop, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = i + (size_t)gsl_rng_uniform_int(rng, n_pop - i);
		double t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

struct tally {
	size_t covered, lower_miss;   /* lower_miss: the interval lies above */
	double sum_est, sum_est2, sum_var;
};

static void
count(struct tally *t, const struct kto_svy_estimate *e, double truth)
{
	t->covered += e->ci_low <= truth && truth <= e->ci_high;
	t->lower_miss += e->ci_low > truth;
	t->sum_est += e->estimate;
	t->sum_est2 += e->estimate * e->estimate;
	t->sum_var += e->se * e->se;
}

static void
report(const char *what, const struct tally *t, double truth, double v_true)
{
	double mean_est = t->sum_est / SAMPLES;
	double var_est = (t->sum_est2 - SAMPLES * mean_est * mean_est) / (SAMPLES - 1);
	double cover = 100.0 * (double)t->covered / SAMPLES;

	printf("coverage %-22s %6.2f %%  (interval above the truth %.2f %%, "
	    "below %.2f %%)\n", what, cover,
	    100.0 * (double)t->lower_miss / SAMPLES,
	    100.0 * (double)(SAMPLES - t->covered - t->lower_miss) / SAMPLES);
	printf("         %-22s truth %.6f, mean estimate %.6f; V %.6g, "
	    "mean se^2 %.6g, var of estimates %.6g\n", "", truth, mean_est,
	    v_true, t->sum_var / SAMPLES, var_est);
	/* Unbiased (to 4 simulation SEs) ... */
	assert_true(fabs(mean_est - truth) < 4 * sqrt(v_true / SAMPLES));
	/* ... with an unbiased variance estimate ... */
	assert_true(fabs(t->sum_var / SAMPLES / v_true - 1) < 0.02);
	assert_true(fabs(var_est / v_true - 1) < 0.05);
}

/*
** The textbook stratified mean and its SE (STATISTICS.md section 1) of
** the sample in y, rows in stratum order.
*/
static void
textbook(const double *y, double *mean, double *se)
{
	double n_total = 0, v = 0;
	size_t r = 0;

	*mean = 0;
	for (size_t h = 0; h < STRATA; h++)
		n_total += (double)pop_size[h];
	for (size_t h = 0; h < STRATA; h++) {
		double share_h = (double)pop_size[h] / n_total, m = 0;
		double fpc = 1 - (double)sample_size[h] / (double)pop_size[h];

		for (size_t i = 0; i < sample_size[h]; i++)
			m += y[r + i];
		m /= (double)sample_size[h];
		*mean += share_h * m;
		v += share_h * share_h * fpc * pop_var(y + r, sample_size[h]) /
		    (double)sample_size[h];
		r += sample_size[h];
	}
	*se = sqrt(v);
}

static void
test_coverage(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct population p;
	struct kto_svy_design d;
	struct kto_svy_error err;
	size_t n = 0, stratum[128], group[128];
	double y[128], b[128];
	struct tally t_mean = { 0 }, t_logit = { 0 }, t_beta = { 0 };

	(void)state;
	assert_non_null(rng);
	gsl_rng_set(rng, SEED);
	make_population(rng, &p);

	for (size_t h = 0; h < STRATA; h++)
		for (size_t i = 0; i < sample_size[h]; i++) {
			stratum[n] = h;
			group[n++] = 0;
		}
	assert_int_equal(kto_svy_design_init(&d, n, stratum, STRATA,
	    (const double[STRATA]){ (double)pop_size[0], (double)pop_size[1],
	    (double)pop_size[2] }, NULL, &err), KTO_OK);

	for (size_t s = 0; s < SAMPLES; s++) {
		struct kto_svy_estimate e, prop, beta;
		double tb_mean, tb_se;
		size_t r = 0;

		for (size_t h = 0; h < STRATA; h++) {
			draw(rng, p.y[h], pop_size[h], sample_size[h]);
			for (size_t i = 0; i < sample_size[h]; i++, r++) {
				y[r] = p.y[h][i];
				b[r] = y[r] >= 8;
			}
		}
		assert_int_equal(kto_svy_by(&d, y, group, 1, LEVEL, &e, NULL), KTO_OK);
		assert_int_equal(e.n, n);
		assert_close(e.df, (double)(n - STRATA), 0);
		textbook(y, &tb_mean, &tb_se);
		assert_close(e.estimate, tb_mean, 1e-12 * tb_mean);
		assert_close(e.se, tb_se, 1e-10 * tb_se);
		count(&t_mean, &e, p.mean);

		assert_int_equal(kto_svy_by(&d, b, group, 1, LEVEL, &prop, NULL),
		    KTO_OK);
		beta = prop;
		kto_svy_ciprop(&prop, n, KTO_PROP_LOGIT, LEVEL);
		count(&t_logit, &prop, p.share);
		kto_svy_ciprop(&beta, n, KTO_PROP_BETA, LEVEL);
		count(&t_beta, &beta, p.share);
	}

	printf("%d stratified samples (n_h = %zu, %zu, %zu of N_h = %zu, %zu, "
	    "%zu), seed %lu\n", SAMPLES, sample_size[0], sample_size[1],
	    sample_size[2], pop_size[0], pop_size[1], pop_size[2], SEED);
	report("mean (t)", &t_mean, p.mean, p.v_mean);
	report("share >= 8 (logit)", &t_logit, p.share, p.v_share);
	report("share >= 8 (beta)", &t_beta, p.share, p.v_share);
	assert_in_range(t_mean.covered, (SAMPLES * 94) / 100, (SAMPLES * 96) / 100);
	assert_in_range(t_logit.covered, (SAMPLES * 94) / 100, (SAMPLES * 96) / 100);
	/* Korn-Graubard is conservative by design: not below 94 %. */
	assert_true(t_beta.covered >= (SAMPLES * 94) / 100);

	kto_svy_design_free(&d);
	for (size_t h = 0; h < STRATA; h++)
		free(p.y[h]);
	gsl_rng_free(rng);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
