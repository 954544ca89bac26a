/*
** stats/svy: design-based estimates against R's survey package (4.1.1 on
** R 4.2), as ../shared/STATISTICS.md specifies them.
**
** The reference numbers come from Rscript with
**
**     library(survey); options(survey.lonely.psu = "adjust")
**
** on the small data sets below, each written out in R beside its C arrays;
** every value carries the R expression that produced it, printed with
** formatC(x, digits = 17).  Where a variable has NA, svyby(covmat = TRUE,
** na.rm = TRUE) fails in survey 4.1.1 ("number of items to replace is not a
** multiple of replacement length"), so the references use the equivalent
** of STATISTICS.md section 4 instead: a by-factor gd that puts the NA rows
** in a group of their own ("na"), and y0 = ifelse(is.na(y), 0, y):
** svyby(~y0, ~gd, d, svymean, covmat = TRUE).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_log.h>

#include "stats/svy.h"
#include "tests/unit/testutil.h"

#define REL 1e-9          /* against R */
#define REL_LOGIT 1e-8    /* R's IRLS stops at 1e-8 (STATISTICS.md 5) */
#define REL_SAME 1e-12    /* two ways to the same number in C */
#define NONE SIZE_MAX
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* |a - b| <= rel * |b|; b == 0 means exactly 0.  NaN never passes. */
#define assert_rel(a, b, rel) do {                                        \
	double ar_a_ = (a), ar_b_ = (b);                                  \
	if (!(fabs(ar_a_ - ar_b_) <= (rel) * fabs(ar_b_))) {              \
		print_error("%.17g is not within %g relative of %.17g\n", \
		    ar_a_, (double)(rel), ar_b_);                         \
		fail();                                                   \
	}                                                                 \
} while (0)

/* ------------------------------------------------------------------ */
/* Data set A: three strata, N_h = 50, 30, 20, n_h = 8, 6, 5           */
/*
** A <- data.frame(
**   s = c(rep(0,8), rep(1,6), rep(2,5)),
**   N = c(rep(50,8), rep(30,6), rep(20,5)),
**   y = c(3, 7, NA, 5, 9, 2, 6, 4,   10, 8, 7, NA, 9, 6,   1, 4, 2, 3, 5),
**   yf = c(3, 7, 8, 5, 9, 2, 6, 4,   10, 8, 7, 5, 9, 6,   1, 4, 2, 3, 5),
**   g = factor(c(0,1,0,1,0,0,1,9,  1,1,0,0,1,1,  0,1,0,2,0)),
**   b = c(0,1,0,0,1,0,1,0, 1,1,1,0,1,1, 0,0,0,0,1),
**   w = c(5.5,6,7,6.5,5,6,6.25,6, 4,5,5,4.5,6,5.5, 3,4,4.5,4,3.5))
** dA <- svydesign(id = ~1, strata = ~s, fpc = ~N, data = A)
**
** (g == 9 is a row in no domain, NONE below; it still counts in n_h.)
*/
static const size_t a_s[] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
                              2, 2, 2, 2, 2 };
static const double a_pop[] = { 50, 30, 20 };
static const double a_y[] = { 3, 7, NAN, 5, 9, 2, 6, 4, 10, 8, 7, NAN, 9, 6,
                              1, 4, 2, 3, 5 };
static const double a_yf[] = { 3, 7, 8, 5, 9, 2, 6, 4, 10, 8, 7, 5, 9, 6,
                               1, 4, 2, 3, 5 };
static const size_t a_g[] = { 0, 1, 0, 1, 0, 0, 1, NONE, 1, 1, 0, 0, 1, 1,
                              0, 1, 0, 2, 0 };
static const double a_b[] = { 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1,
                              0, 0, 0, 0, 1 };
static const double a_w[] = { 5.5, 6, 7, 6.5, 5, 6, 6.25, 6, 4, 5, 5, 4.5, 6,
                              5.5, 3, 4, 4.5, 4, 3.5 };
#define A_ROWS ARRAY_LEN(a_s)

static const size_t all_zero[32];     /* one group: everyone */

static void
design(struct kto_svy_design *d, const size_t *s, size_t n, size_t n_strata,
       const double *pop, const double *w)
{
	struct kto_svy_error err;

	assert_int_equal(kto_svy_design_init(d, n, s, n_strata, pop, w, &err),
	    KTO_OK);
}

/* The mean of y over all rows (missing values out of domain). */
static struct kto_svy_estimate
mean_all(const struct kto_svy_design *d, const double *y)
{
	struct kto_svy_estimate e;

	assert_true(d->n_rows <= ARRAY_LEN(all_zero));
	assert_int_equal(kto_svy_by(d, y, all_zero, 1, 0.95, &e, NULL), KTO_OK);
	return e;
}

static void
test_plain_stratified_mean(void **state)
{
	struct kto_svy_design d;
	struct kto_svy_estimate e;

	(void)state;
	design(&d, a_s, A_ROWS, 3, a_pop, NULL);
	for (size_t i = 0; i < A_ROWS; i++)         /* w_i = N_h / n_h */
		assert_close(d.weight[i], a_pop[a_s[i]] / (a_s[i] == 0 ? 8 :
		    a_s[i] == 1 ? 6 : 5), 0);
	e = mean_all(&d, a_yf);
	assert_int_equal(e.n, 19);
	/* m <- svymean(~yf, dA); coef(m), SE(m), degf(dA) */
	assert_rel(e.estimate, 5.5999999999999996, REL);
	assert_rel(e.se, 0.46314144707637644, REL);
	assert_close(e.df, 16, 0);
	/* confint(m, df = degf(dA)) */
	assert_rel(e.ci_low, 4.6181839920537895, REL);
	assert_rel(e.ci_high, 6.5818160079462098, REL);
	assert_string_equal(e.method, "");
	kto_svy_design_free(&d);
}

static void
test_missing_is_domain(void **state)
{
	static const size_t cc_s[] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1,
	                               2, 2, 2, 2, 2 };
	double cc_y[17];
	struct kto_svy_design d, cc;
	struct kto_svy_estimate e, ecc;
	size_t k = 0;

	(void)state;
	design(&d, a_s, A_ROWS, 3, a_pop, NULL);
	e = mean_all(&d, a_y);
	assert_int_equal(e.n, 17);
	/* m <- svymean(~y, dA, na.rm = TRUE); coef(m), SE(m) */
	assert_rel(e.estimate, 5.464788732394366, REL);
	assert_rel(e.se, 0.48189132988134425, REL);
	/* degf(subset(dA, !is.na(y))) */
	assert_close(e.df, 14, 0);
	/* confint(m, df = degf(subset(dA, !is.na(y)))) */
	assert_rel(e.ci_low, 4.4312346230418518, REL);
	assert_rel(e.ci_high, 6.4983428417468803, REL);

	/* The complete-case design re-weights: another mean, another SE. */
	for (size_t i = 0; i < A_ROWS; i++)
		if (!isnan(a_y[i]))
			cc_y[k++] = a_y[i];
	assert_int_equal(k, 17);
	design(&cc, cc_s, 17, 3, a_pop, NULL);
	ecc = mean_all(&cc, cc_y);
	/* cc <- svydesign(id = ~1, strata = ~s, fpc = ~N,
	 *                 data = A[!is.na(A$y), ]); m <- svymean(~y, cc) */
	assert_rel(ecc.estimate, 5.5714285714285712, REL);
	assert_rel(ecc.se, 0.48055735781450676, REL);
	assert_true(fabs(e.se - ecc.se) > 1e-3);
	assert_true(fabs(e.estimate - ecc.estimate) > 1e-3);
	kto_svy_design_free(&cc);
	kto_svy_design_free(&d);
}

/*
** Domains cutting across strata, with missing values, a row in no domain, a
** domain of one row and an empty one (group 3).  R:
**
**   A$gd <- factor(ifelse(is.na(A$y), "na", as.character(A$g)))
**   A$y0 <- ifelse(is.na(A$y), 0, A$y)
**   dA <- svydesign(id = ~1, strata = ~s, fpc = ~N, data = A)
**   by <- svyby(~y0, ~gd, dA, svymean, covmat = TRUE)
**   sub <- subset(dA, g == k & !is.na(y)); m <- svymean(~y, sub)
*/
static void
test_domains_across_strata(void **state)
{
	struct kto_svy_design d;
	struct kto_svy_estimate e[4];
	double cov[16];

	(void)state;
	design(&d, a_s, A_ROWS, 3, a_pop, NULL);
	assert_int_equal(kto_svy_by(&d, a_y, a_g, 4, 0.95, e, cov), KTO_OK);

	assert_int_equal(e[0].n, 7);
	assert_rel(e[0].estimate, 4.3216783216783217, REL);  /* coef(by)[1] */
	assert_rel(e[0].se, 1.0489098973862698, REL);        /* SE(by)[1] */
	assert_close(e[0].df, 4, 0);                          /* degf(sub), k = 0 */
	/* confint(m, df = degf(sub)), k = 0 */
	assert_rel(e[0].ci_low, 1.4094375712866931, REL);
	assert_rel(e[0].ci_high, 7.2339190720699502, REL);

	assert_int_equal(e[1].n, 8);
	assert_rel(e[1].estimate, 6.8654970760233915, REL);  /* coef(by)[2] */
	assert_rel(e[1].se, 0.52176962179037578, REL);       /* SE(by)[2] */
	assert_close(e[1].df, 5, 0);                          /* degf(sub), k = 1 */
	assert_rel(e[1].ci_low, 5.5242455638622223, REL);
	assert_rel(e[1].ci_high, 8.2067485881845599, REL);

	/* vcov(by): the covariance the shared strata bring */
	assert_rel(cov[0 * 4 + 0], 1.1002119728348754, REL);
	assert_rel(cov[1 * 4 + 1], 0.2722435382232718, REL);
	assert_rel(cov[0 * 4 + 1], -0.058506079569042489, REL);
	assert_rel(cov[1 * 4 + 0], -0.058506079569042489, REL);

	/* One row (y = 3): its own mean, se 0 as in R, df 0, so no interval. */
	assert_int_equal(e[2].n, 1);
	assert_close(e[2].estimate, 3, 0);
	assert_close(e[2].se, 0, 0);
	assert_close(e[2].df, 0, 0);
	assert_nan(e[2].ci_low);
	assert_nan(e[2].ci_high);
	assert_close(cov[2 * 4 + 2], 0, 0);
	assert_close(cov[0 * 4 + 2], 0, 0);
	assert_close(cov[2 * 4 + 1], 0, 0);

	/* Empty: missing, never 0. */
	assert_int_equal(e[3].n, 0);
	assert_nan(e[3].estimate);
	assert_nan(e[3].se);
	assert_nan(e[3].df);
	assert_nan(e[3].ci_low);
	assert_nan(e[3].ci_high);
	for (size_t k = 0; k < 4; k++) {
		assert_nan(cov[3 * 4 + k]);
		assert_nan(cov[k * 4 + 3]);
	}
	kto_svy_design_free(&d);
}

/* A domain whose only rows are missing values is as empty as no rows. */
static void
test_domain_all_missing(void **state)
{
	static const size_t g[] = { 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1,
	                            1, 1, 1, 1, 1 };
	struct kto_svy_design d;
	struct kto_svy_estimate e[2];

	(void)state;
	design(&d, a_s, A_ROWS, 3, a_pop, NULL);
	assert_int_equal(kto_svy_by(&d, a_y, g, 2, 0.95, e, NULL), KTO_OK);
	assert_int_equal(e[0].n, 0);
	assert_nan(e[0].estimate);
	assert_nan(e[0].se);
	assert_nan(e[0].df);
	/* Group 1 is the na.rm mean of everything. */
	assert_rel(e[1].estimate, 5.464788732394366, REL);
	assert_rel(e[1].se, 0.48189132988134425, REL);
	kto_svy_design_free(&d);
}

/*
** A stratum of one row, under lonely.psu = "adjust".
**
**   L <- data.frame(s = c(0,0,0,0, 1, 2,2,2), N = c(12,12,12,12, 10, 9,9,9),
**     y = c(2,5,3,8, 7, 1,6,4), g = factor(c(0,1,0,1, 0, 1,1,0)))
**   dL <- svydesign(id = ~1, strata = ~s, fpc = ~N, data = L)
*/
static void
test_lonely_stratum(void **state)
{
	static const size_t s[] = { 0, 0, 0, 0, 1, 2, 2, 2 };
	static const double pop[] = { 12, 10, 9 };
	static const double y[] = { 2, 5, 3, 8, 7, 1, 6, 4 };
	static const size_t g[] = { 0, 1, 0, 1, 0, 1, 1, 0 };
	struct kto_svy_design d;
	struct kto_svy_estimate e, by[2];
	double cov[4];

	(void)state;
	design(&d, s, 8, 3, pop, NULL);
	e = mean_all(&d, y);
	/* m <- svymean(~y, dL); coef(m), SE(m) */
	assert_rel(e.estimate, 5.064516129032258, REL);
	assert_rel(e.se, 0.80266777048224081, REL);
	assert_close(e.df, 5, 0);

	assert_int_equal(kto_svy_by(&d, y, g, 2, 0.95, by, cov), KTO_OK);
	/* by <- svyby(~y, ~g, dL, svymean, covmat = TRUE); coef(by), vcov(by) */
	assert_rel(by[0].estimate, 5.1052631578947363, REL);
	assert_rel(by[1].estimate, 5, REL);
	assert_rel(cov[0], 1.0768180109115189, REL);
	assert_rel(cov[1], 0.09349030470914127, REL);
	assert_rel(cov[2], 0.09349030470914127, REL);
	assert_rel(cov[3], 1.25, REL);
	assert_rel(by[0].se, sqrt(1.0768180109115189), REL);
	assert_rel(by[1].se, sqrt(1.25), REL);
	kto_svy_design_free(&d);

	/* Without fpc: svymean(~y, svydesign(id = ~1, strata = ~s, data = L)) */
	design(&d, s, 8, 3, NULL, NULL);
	e = mean_all(&d, y);
	assert_rel(e.estimate, 4.5, REL);
	assert_rel(e.se, 0.91215746995790137, REL);
	kto_svy_design_free(&d);
}

/*
** A census stratum (N_h = n_h) contributes no variance.
**
**   C <- data.frame(s = c(0,0,0,0, 1,1,1,1,1), N = c(4,4,4,4, 40,40,40,40,40),
**     y = c(1,9,4,7, 3,5,2,8,6))
**   dC <- svydesign(id = ~1, strata = ~s, fpc = ~N, data = C)
*/
static void
test_census_stratum(void **state)
{
	static const size_t s[] = { 0, 0, 0, 0, 1, 1, 1, 1, 1 };
	static const double pop[] = { 4, 40 };
	static const double y[] = { 1, 9, 4, 7, 3, 5, 2, 8, 6 };
	double y2[9];
	struct kto_svy_design d;
	struct kto_svy_estimate e, e2;

	(void)state;
	design(&d, s, 9, 2, pop, NULL);
	assert_close(d.fpc[0], 0, 0);
	e = mean_all(&d, y);
	/* m <- svymean(~y, dC); coef(m), SE(m) */
	assert_rel(e.estimate, 4.8409090909090908, REL);
	assert_rel(e.se, 0.90795383433809906, REL);

	/* Other values in the census stratum: another mean, the same SE. */
	memcpy(y2, y, sizeof y2);
	y2[0] = 100;
	y2[1] = -3;
	e2 = mean_all(&d, y2);
	assert_true(fabs(e2.estimate - e.estimate) > 1);
	assert_rel(e2.se, e.se, REL_SAME);
	kto_svy_design_free(&d);

	/* C$y[1:2] <- c(100, -3); m <- svymean(~y, dC) */
	assert_rel(e2.estimate, 6.8181818181818183, REL);
	assert_rel(e2.se, 0.90795383433809917, REL);

	/*
	** fpc below 1e-7 counts as a census, as in R's onestrat(); with these
	** values the stratum would add 2.6e-7 relative to the SE.
	**   C$N[1:4] <- 4.00000036   # fpc 8.9999991792488743e-08
	**   m <- svymean(~y, svydesign(id = ~1, strata = ~s, fpc = ~N, data = C))
	*/
	design(&d, s, 9, 2, (const double[]){ 4.00000036, 40 }, NULL);
	assert_true(d.fpc[0] > 0 && d.fpc[0] < 1e-7);
	e2 = mean_all(&d, y2);
	assert_rel(e2.estimate, 6.8181819833057835, REL);
	assert_rel(e2.se, 0.90795382690938597, REL);
	kto_svy_design_free(&d);
}

/* Data set A with the weights w, with and without fpc. */
static void
test_weights(void **state)
{
	struct kto_svy_design d;
	struct kto_svy_estimate e;

	(void)state;
	design(&d, a_s, A_ROWS, 3, NULL, a_w);
	for (size_t i = 0; i < A_ROWS; i++)
		assert_close(d.weight[i], a_w[i], 0);
	e = mean_all(&d, a_y);
	/* dW <- svydesign(id = ~1, strata = ~s, weights = ~w, data = A)
	 * m <- svymean(~y, dW, na.rm = TRUE); coef(m), SE(m) */
	assert_rel(e.estimate, 5.4693877551020407, REL);
	assert_rel(e.se, 0.49696088346831918, REL);
	assert_close(e.df, 14, 0);
	kto_svy_design_free(&d);

	design(&d, a_s, A_ROWS, 3, a_pop, a_w);
	e = mean_all(&d, a_y);
	/* dWF <- svydesign(id = ~1, strata = ~s, weights = ~w, fpc = ~N,
	 *                  data = A); m <- svymean(~y, dWF, na.rm = TRUE) */
	assert_rel(e.estimate, 5.4693877551020407, REL);
	assert_rel(e.se, 0.45078097850579124, REL);
	kto_svy_design_free(&d);
}

/*
** One stratum.
**
**   S <- data.frame(y = c(4.5, 2, 7.25, 3, 9, 1.5, 6, 5, 8, 2.5), N = 60,
**     w = c(1, 2, 1.5, 3, 1, 2, 2.5, 1, 1, 2))
*/
static void
test_no_strata(void **state)
{
	static const double y[] = { 4.5, 2, 7.25, 3, 9, 1.5, 6, 5, 8, 2.5 };
	static const double w[] = { 1, 2, 1.5, 3, 1, 2, 2.5, 1, 1, 2 };
	static const double pop[] = { 60 };
	struct kto_svy_design d;
	struct kto_svy_estimate e;

	(void)state;
	design(&d, all_zero, 10, 1, pop, NULL);
	e = mean_all(&d, y);
	/* svymean(~y, svydesign(id = ~1, fpc = ~N, data = S)) */
	assert_rel(e.estimate, 4.875, REL);
	assert_rel(e.se, 0.76167608795534802, REL);
	assert_close(e.df, 9, 0);
	kto_svy_design_free(&d);

	design(&d, all_zero, 10, 1, NULL, w);
	e = mean_all(&d, y);
	/* svymean(~y, svydesign(id = ~1, weights = ~w, data = S)) */
	assert_rel(e.estimate, 4.3161764705882355, REL);
	assert_rel(e.se, 0.77212087969205578, REL);
	kto_svy_design_free(&d);

	design(&d, all_zero, 10, 1, NULL, NULL);
	e = mean_all(&d, y);
	/* svymean(~y, svydesign(id = ~1, data = S)) */
	assert_rel(e.estimate, 4.875, REL);
	assert_rel(e.se, 0.83437434977086611, REL);
	kto_svy_design_free(&d);
}

/* HARDENING G3: SD 0 in the design-based estimate */
static void
test_all_values_equal(void **state)
{
	double y[A_ROWS];
	struct kto_svy_design d;
	struct kto_svy_estimate e[4];

	(void)state;
	for (size_t i = 0; i < A_ROWS; i++)
		y[i] = isnan(a_y[i]) ? NAN : 6.5;
	design(&d, a_s, A_ROWS, 3, a_pop, NULL);
	assert_int_equal(kto_svy_by(&d, y, a_g, 4, 0.95, e, NULL), KTO_OK);
	for (size_t k = 0; k < 2; k++) {
		assert_close(e[k].estimate, 6.5, 1e-14);
		assert_close(e[k].se, 0, 1e-15);
		assert_close(e[k].ci_low, 6.5, 1e-14);
		assert_close(e[k].ci_high, 6.5, 1e-14);
	}
	kto_svy_design_free(&d);
}

static void
test_design_errors(void **state)
{
	static const double pop_small[] = { 50, 5, 20 };    /* n_1 = 6 */
	static const double pop_zero[] = { 50, 0, 20 };
	static const double pop_nan[] = { 50, 30, NAN };
	static const double pop_empty[] = { 50, 30, 20, 0 };  /* stratum 3: no rows */
	static const size_t bad_s[] = { 0, 1, 3 };
	double w[A_ROWS];
	struct kto_svy_design d;
	struct kto_svy_error err;

	(void)state;
	memset(&err, 0, sizeof err);
	assert_int_equal(kto_svy_design_init(&d, A_ROWS, a_s, 3, pop_small, NULL,
	    &err), KTO_EINPUT);
	assert_int_equal(err.stratum, 1);
	assert_int_equal(err.row, SIZE_MAX);
	assert_true(strlen(err.msg) > 0);
	assert_null(d.weight);

	memset(&err, 0, sizeof err);
	assert_int_equal(kto_svy_design_init(&d, A_ROWS, a_s, 3, pop_zero, NULL,
	    &err), KTO_EINPUT);
	assert_int_equal(err.stratum, 1);

	memset(&err, 0, sizeof err);
	assert_int_equal(kto_svy_design_init(&d, A_ROWS, a_s, 3, pop_nan, NULL,
	    &err), KTO_EINPUT);
	assert_int_equal(err.stratum, 2);

	memcpy(w, a_w, sizeof w);
	w[9] = -1;
	memset(&err, 0, sizeof err);
	assert_int_equal(kto_svy_design_init(&d, A_ROWS, a_s, 3, a_pop, w, &err),
	    KTO_EINPUT);
	assert_int_equal(err.row, 9);
	assert_int_equal(err.stratum, 1);
	assert_true(strlen(err.msg) > 0);

	w[9] = NAN;
	assert_int_equal(kto_svy_design_init(&d, A_ROWS, a_s, 3, NULL, w, &err),
	    KTO_EINPUT);
	assert_int_equal(err.row, 9);

	memset(&err, 0, sizeof err);
	assert_int_equal(kto_svy_design_init(&d, 3, bad_s, 3, NULL, NULL, &err),
	    KTO_EINPUT);
	assert_int_equal(err.row, 2);

	/* An empty stratum needs no population; a NULL err is allowed. */
	assert_int_equal(kto_svy_design_init(&d, A_ROWS, a_s, 4, pop_empty, NULL,
	    NULL), KTO_OK);
	assert_int_equal(d.n_h[3], 0);
	kto_svy_design_free(&d);
	assert_int_equal(kto_svy_design_init(&d, A_ROWS, a_s, 3, pop_small, NULL,
	    NULL), KTO_EINPUT);
	/* An N_h equal to n_h is a census, no error. */
	assert_int_equal(kto_svy_design_init(&d, 3, bad_s, 4,
	    (const double[]){ 1, 1, 1, 1 }, NULL, &err), KTO_OK);
	kto_svy_design_free(&d);
}

/* ------------------------------------------------------------------ */
/* Proportions                                                         */

/*
** svyciprop(~b, dA, method = m) and, for a domain, on
** sub <- subset(dA, g == "1"): coef(ci), attr(ci, "ci").
** svymean(~b, sub): 0.76023391812865493, SE 0.13717787588678995,
** degf(sub) 5, nrow(sub) 8.
*/
static void
test_ciprop(void **state)
{
	struct kto_svy_design d;
	struct kto_svy_estimate e[3], p;

	(void)state;
	design(&d, a_s, A_ROWS, 3, a_pop, NULL);
	assert_int_equal(kto_svy_by(&d, a_b, a_g, 3, 0.95, e, NULL), KTO_OK);
	/* svymean(~b, sub), SE, degf(sub) */
	assert_rel(e[1].estimate, 0.76023391812865493, REL);
	assert_rel(e[1].se, 0.13717787588678995, REL);
	assert_close(e[1].df, 5, 0);
	assert_int_equal(e[1].n, 8);

	p = e[1];
	kto_svy_ciprop(&p, 8, KTO_PROP_LOGIT, 0.95);
	assert_string_equal(p.method, "logit");
	/* svyciprop(~b, sub, method = "logit") */
	assert_rel(p.estimate, 0.76023391812817864, REL_LOGIT);
	assert_rel(p.ci_low, 0.31419271661666603, REL_LOGIT);
	assert_rel(p.ci_high, 0.95641650140241141, REL_LOGIT);
	p = e[1];
	kto_svy_ciprop(&p, 8, KTO_PROP_BETA, 0.95);
	assert_string_equal(p.method, "beta");
	/* svyciprop(~b, sub, method = "beta") */
	assert_rel(p.ci_low, 0.36362586998024032, REL);
	assert_rel(p.ci_high, 0.97037461566074512, REL);
	p = e[1];
	kto_svy_ciprop(&p, 8, KTO_PROP_MEAN, 0.95);
	assert_string_equal(p.method, "mean");
	/* svyciprop(~b, sub, method = "mean"): no truncation at 1 */
	assert_rel(p.ci_low, 0.40760696212289999, REL);
	assert_rel(p.ci_high, 1.1128608741344099, REL);
	assert_rel(p.estimate, 0.76023391812865493, REL);

	/* The whole design. */
	p = mean_all(&d, a_b);
	/* svymean(~b, dA): coef, SE, degf(dA) */
	assert_rel(p.estimate, 0.47750000000000004, REL);
	assert_rel(p.se, 0.10114964162071954, REL);
	assert_close(p.df, 16, 0);
	e[0] = p;
	kto_svy_ciprop(&p, A_ROWS, KTO_PROP_LOGIT, 0.95);
	/* svyciprop(~b, dA, method = "logit") */
	assert_rel(p.estimate, 0.47750000000040504, REL_LOGIT);
	assert_rel(p.ci_low, 0.2789830019916783, REL_LOGIT);
	assert_rel(p.ci_high, 0.68338896906137669, REL_LOGIT);
	p = e[0];
	kto_svy_ciprop(&p, A_ROWS, KTO_PROP_BETA, 0.95);
	/* svyciprop(~b, dA, method = "beta") */
	assert_rel(p.ci_low, 0.27159692107640399, REL);
	assert_rel(p.ci_high, 0.68916735055785872, REL);
	p = e[0];
	kto_svy_ciprop(&p, A_ROWS, KTO_PROP_MEAN, 0.95);
	/* svyciprop(~b, dA, method = "mean") */
	assert_rel(p.ci_low, 0.26307233871390595, REL);
	assert_rel(p.ci_high, 0.69192766128609406, REL);
	kto_svy_design_free(&d);
}

/* All 0 or all 1: a Clopper-Pearson bound, whatever the method asked. */
static void
test_ciprop_exact(void **state)
{
	static const enum kto_svy_prop_method methods[] = {
		KTO_PROP_LOGIT, KTO_PROP_BETA, KTO_PROP_MEAN
	};
	double zeros[A_ROWS], ones[A_ROWS];
	struct kto_svy_design d;
	struct kto_svy_estimate e;
	double n = 17, bound = pow(0.025, 1 / n);

	(void)state;
	for (size_t i = 0; i < A_ROWS; i++) {
		zeros[i] = isnan(a_y[i]) ? NAN : 0;
		ones[i] = isnan(a_y[i]) ? NAN : 1;
	}
	design(&d, a_s, A_ROWS, 3, a_pop, NULL);
	for (size_t k = 0; k < ARRAY_LEN(methods); k++) {
		e = mean_all(&d, zeros);
		assert_int_equal(e.n, 17);
		kto_svy_ciprop(&e, e.n, methods[k], 0.95);
		assert_string_equal(e.method, "clopper-pearson");
		assert_close(e.estimate, 0, 0);
		assert_close(e.se, 0, 0);
		assert_close(e.ci_low, 0, 0);
		/* 1 - qbeta(0.025, 17, 1) = 1 - 0.025^(1/17) */
		assert_rel(e.ci_high, 1 - bound, 1e-14);
		assert_rel(e.ci_high, 0.19506432296909326, REL);  /* 1 - 0.025^(1/17) */

		e = mean_all(&d, ones);
		kto_svy_ciprop(&e, e.n, methods[k], 0.95);
		assert_string_equal(e.method, "clopper-pearson");
		assert_close(e.estimate, 1, 0);
		assert_close(e.se, 0, 0);
		assert_rel(e.ci_low, bound, 1e-14);
		assert_rel(e.ci_low, 0.80493567703090674, REL);   /* 0.025^(1/17) */
		assert_close(e.ci_high, 1, 0);
	}
	/* No observation: no interval. */
	e = mean_all(&d, (const double[A_ROWS]){ NAN, NAN, NAN, NAN, NAN, NAN,
	    NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN });
	assert_int_equal(e.n, 0);
	kto_svy_ciprop(&e, 0, KTO_PROP_LOGIT, 0.95);
	assert_nan(e.estimate);
	assert_nan(e.ci_low);
	assert_nan(e.ci_high);
	kto_svy_design_free(&d);
}

/* ------------------------------------------------------------------ */
/* Cells                                                               */
/*
** Data set D: five strata, one a census (3) and one lonely (4); domains
** A = strata 0-1, B = 2-3, C = 4 are unions of whole strata.
**
**   D <- data.frame(
**     s = c(0,0,0,0,0,0, 1,1,1,1,1, 2,2,2,2,2,2,2, 3,3,3,3, 4),
**     N = c(rep(40,6), rep(25,5), rep(60,7), rep(4,4), 8),
**     y = c(3.5,NA,6,2,7.5,4,  8,5,NA,9,6.5,  1,4,NA,2.5,6,3,5,  7,8,6,9,
**           4.5))
**   D$dom <- factor(ifelse(D$s <= 1, "A", ifelse(D$s <= 3, "B", "C")))
**   D$obs <- as.numeric(!is.na(D$y)); D$y0 <- ifelse(is.na(D$y), 0, D$y)
**   D$gd <- factor(ifelse(is.na(D$y), "na", as.character(D$dom)))
**   D$inA <- as.numeric(D$dom == "A")
**   dD <- svydesign(id = ~1, strata = ~s, fpc = ~N, data = D)
**   by <- svyby(~y0, ~gd, dD, svymean, covmat = TRUE)
*/
static const size_t d_s[] = { 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2,
                              2, 2, 2, 3, 3, 3, 3, 4 };
static const double d_pop[] = { 40, 25, 60, 4, 8 };
static const double d_y[] = { 3.5, NAN, 6, 2, 7.5, 4, 8, 5, NAN, 9, 6.5, 1,
                              4, NAN, 2.5, 6, 3, 5, 7, 8, 6, 9, 4.5 };
#define D_ROWS ARRAY_LEN(d_s)
#define D_STRATA 5
static const bool dom_a[D_STRATA] = { true, true, false, false, false };
static const bool dom_b[D_STRATA] = { false, false, true, true, false };
static const bool dom_c[D_STRATA] = { false, false, false, false, true };
static const bool dom_all[D_STRATA] = { true, true, true, true, true };

static void
d_cells(struct kto_svy_cell *cells)
{
	memset(cells, 0, D_STRATA * sizeof *cells);
	for (size_t h = 0; h < D_STRATA; h++)
		cells[h].population = d_pop[h];
	for (size_t i = 0; i < D_ROWS; i++) {
		cells[d_s[i]].n_rows += 1;
		if (!isnan(d_y[i]))
			kto_svy_cell_add(&cells[d_s[i]], d_y[i]);
	}
}

/* The domain of each stratum: 0 = A, 1 = B, 2 = C. */
static void
d_by(struct kto_svy_estimate *e, double *cov)
{
	static const size_t dom_of[D_STRATA] = { 0, 0, 1, 1, 2 };
	size_t g[D_ROWS];
	struct kto_svy_design d;

	for (size_t i = 0; i < D_ROWS; i++)
		g[i] = dom_of[d_s[i]];
	design(&d, d_s, D_ROWS, D_STRATA, d_pop, NULL);
	assert_int_equal(kto_svy_by(&d, d_y, g, 3, 0.95, e, cov), KTO_OK);
	kto_svy_design_free(&d);
}

static struct kto_svy_estimate
combine(const struct kto_svy_cell *cells, const bool *const *in,
        const double *coef, size_t n_domains)
{
	struct kto_svy_estimate e;

	assert_int_equal(kto_svy_cells_combine(cells, D_STRATA, in, coef,
	    n_domains, 0.95, &e), KTO_OK);
	return e;
}

static void
assert_same_estimate(const struct kto_svy_estimate *a,
                     const struct kto_svy_estimate *b)
{
	assert_int_equal(a->n, b->n);
	assert_rel(a->estimate, b->estimate, REL_SAME);
	assert_rel(a->se, b->se, REL_SAME);
	assert_close(a->df, b->df, 0);
	if (isnan(b->ci_low)) {
		assert_nan(a->ci_low);
		assert_nan(a->ci_high);
	} else {
		assert_rel(a->ci_low, b->ci_low, REL_SAME);
		assert_rel(a->ci_high, b->ci_high, REL_SAME);
	}
}

static void
test_cells_one_domain(void **state)
{
	static const double one = 1;
	struct kto_svy_cell cells[D_STRATA];
	struct kto_svy_estimate by[3], e, all;
	const bool *in[1];
	struct kto_svy_design d;
	double cov[9];

	(void)state;
	d_cells(cells);
	assert_close(cells[0].m, 5, 0);
	assert_close(cells[0].n_rows, 6, 0);
	assert_rel(cells[0].mean, 4.6, 1e-15);
	assert_rel(cells[0].ss, 18.7, 1e-14);    /* sum((y - mean(y))^2) */
	d_by(by, cov);

	/* coef(by), SE(by), degf(subset(dD, dom == k & !is.na(y))) */
	assert_rel(by[0].estimate, 5.546875, REL);
	assert_rel(by[0].se, 0.63890495316953855, REL);
	assert_close(by[0].df, 7, 0);
	assert_rel(by[1].estimate, 3.8659793814432986, REL);
	assert_rel(by[1].se, 0.63334430346887283, REL);
	assert_close(by[1].df, 8, 0);
	assert_rel(by[2].estimate, 4.5, REL);
	assert_close(by[2].se, 0, 0);
	assert_close(by[2].df, 0, 0);
	/* vcov(by): whole strata, no covariance */
	assert_close(cov[0 * 3 + 1], 0, 1e-17);
	assert_close(cov[0 * 3 + 2], 0, 1e-17);
	assert_close(cov[1 * 3 + 2], 0, 1e-17);

	in[0] = dom_a;
	e = combine(cells, in, &one, 1);
	assert_same_estimate(&e, &by[0]);
	in[0] = dom_b;           /* with the census stratum */
	e = combine(cells, in, &one, 1);
	assert_same_estimate(&e, &by[1]);
	in[0] = dom_c;           /* the lonely stratum alone */
	e = combine(cells, in, &one, 1);
	assert_same_estimate(&e, &by[2]);

	in[0] = dom_all;
	e = combine(cells, in, &one, 1);
	design(&d, d_s, D_ROWS, D_STRATA, d_pop, NULL);
	all = mean_all(&d, d_y);
	kto_svy_design_free(&d);
	assert_same_estimate(&e, &all);
	/* m <- svymean(~y, dD, na.rm = TRUE); degf(subset(dD, !is.na(y))) */
	assert_rel(e.estimate, 4.677202283849919, REL);
	assert_rel(e.se, 0.42857240364370325, REL);
	assert_close(e.df, 15, 0);
}

/* A domain of part of the strata of a design, missing values in it. */
static void
test_cells_domain_subset(void **state)
{
	static const double one = 1;
	static const bool strata_12[D_STRATA] = { false, true, true, false, false };
	struct kto_svy_cell cells[D_STRATA];
	struct kto_svy_estimate e, by[1];
	const bool *in[1] = { strata_12 };
	struct kto_svy_design d;
	size_t g[D_ROWS];

	(void)state;
	d_cells(cells);
	for (size_t i = 0; i < D_ROWS; i++)
		g[i] = strata_12[d_s[i]] ? 0 : NONE;
	design(&d, d_s, D_ROWS, D_STRATA, d_pop, NULL);
	assert_int_equal(kto_svy_by(&d, d_y, g, 1, 0.95, by, NULL), KTO_OK);
	kto_svy_design_free(&d);
	e = combine(cells, in, &one, 1);
	assert_int_equal(e.n, 10);
	assert_close(e.df, 8, 0);
	assert_same_estimate(&e, &by[0]);
}

static void
test_cells_contrasts(void **state)
{
	struct kto_svy_cell cells[D_STRATA];
	struct kto_svy_estimate by[3], e;
	double cov[9];

	(void)state;
	d_cells(cells);
	d_by(by, cov);

	/*
	** A against everyone, who include A:
	**   tot <- svytotal(~I(inA * y0) + I(inA * obs) + y0 + obs, dD)
	**   names(tot) <- c("ta", "na", "t", "n")
	**   con <- svycontrast(tot, quote(ta / na - t / n)); coef(con), SE(con)
	*/
	{
		const bool *in[2] = { dom_a, dom_all };
		static const double coef[2] = { 1, -1 };

		e = combine(cells, in, coef, 2);
		assert_rel(e.estimate, 0.86967271615008102, REL);
		assert_rel(e.se, 0.46919364739419667, REL);
		assert_int_equal(e.n, 20);
		assert_close(e.df, 15, 0);
		/* Not the SE that ignores the overlap. */
		assert_true(e.se < sqrt(by[0].se * by[0].se + 0.42857240364370325 *
		    0.42857240364370325) - 0.1);
	}
	/*
	** A circle: A against the mean of B and C.
	**   circ <- svycontrast(by, c(A = 1, B = -0.5, C = -0.5, na = 0))
	*/
	{
		const bool *in[3] = { dom_a, dom_b, dom_c };
		static const double coef[3] = { 1, -0.5, -0.5 };
		double v0 = by[0].se * by[0].se, v1 = by[1].se * by[1].se,
		    v2 = by[2].se * by[2].se;

		e = combine(cells, in, coef, 3);
		assert_rel(e.estimate, 1.3638853092783507, REL);
		assert_rel(e.se, 0.71307839040927912, REL);
		assert_rel(e.se, sqrt(v0 + (v1 + v2) / 4), REL_SAME);
		assert_rel(e.estimate, by[0].estimate - (by[1].estimate +
		    by[2].estimate) / 2, REL_SAME);
		assert_int_equal(e.n, 20);
		assert_close(e.df, 15, 0);
	}
	/* Two disjoint domains: the variances add. */
	{
		const bool *in[2] = { dom_b, dom_a };
		static const double coef[2] = { 1, -1 };

		e = combine(cells, in, coef, 2);
		assert_rel(e.estimate, by[1].estimate - by[0].estimate, REL_SAME);
		assert_rel(e.se, sqrt(by[0].se * by[0].se + by[1].se * by[1].se),
		    REL_SAME);
		assert_close(e.df, 19 - 4, 0);     /* strata 0-3 */
	}
}

static void
test_cells_empty_domain(void **state)
{
	static const bool none[D_STRATA];
	struct kto_svy_cell cells[D_STRATA];
	struct kto_svy_estimate e;
	const bool *in[2] = { dom_a, none };

	(void)state;
	d_cells(cells);
	e = combine(cells, in, (const double[]){ 1, -1 }, 2);
	assert_nan(e.estimate);
	assert_nan(e.se);
	assert_nan(e.ci_low);
	assert_nan(e.ci_high);
	/* An empty domain that does not count (coefficient 0) is no matter. */
	e = combine(cells, in, (const double[]){ 1, 0 }, 2);
	assert_rel(e.estimate, 5.546875, REL);
	assert_rel(e.se, 0.63890495316953855, REL);
	/* A stratum with no observation: empty. */
	memset(cells, 0, sizeof cells);
	cells[0].n_rows = 3;
	cells[0].population = 10;
	in[0] = dom_a;
	e = combine(cells, in, (const double[]){ 1 }, 1);
	assert_int_equal(e.n, 0);
	assert_nan(e.estimate);
	assert_nan(e.df);
}

/* ------------------------------------------------------------------ */
/* Comparisons                                                         */

static void
test_holm(void **state)
{
	static const double p[] = { 0.01, 0.04, 0.04, NAN, 0.03, 0.2, 0.01,
	                            0.5, 0.0001 };
	/* p.adjust(c(0.01, 0.04, 0.04, NA, 0.03, 0.2, 0.01, 0.5, 0.0001),
	 *          "holm"): the NA is left out of the family (n = 8) */
	static const double want[] = { 0.070000000000000007, 0.16, 0.16, NAN,
	                               0.14999999999999999, 0.40000000000000002,
	                               0.070000000000000007, 0.5,
	                               0.00080000000000000004 };
	double adj[ARRAY_LEN(p)];

	(void)state;
	assert_int_equal(kto_svy_holm(p, ARRAY_LEN(p), adj), KTO_OK);
	for (size_t i = 0; i < ARRAY_LEN(p); i++) {
		if (isnan(want[i]))
			assert_nan(adj[i]);
		else
			assert_rel(adj[i], want[i], 1e-15);
	}
	/* p.adjust(c(0.3, 0.9, 0.8), "holm") = 0.9, 1, 1: capped at 1. */
	assert_int_equal(kto_svy_holm((const double[]){ 0.3, 0.9, 0.8 }, 3, adj),
	    KTO_OK);
	assert_rel(adj[0], 0.9, 1e-15);
	assert_close(adj[1], 1, 0);
	assert_close(adj[2], 1, 0);
	assert_int_equal(kto_svy_holm(p, 0, adj), KTO_OK);
}

static void
test_p_value(void **state)
{
	(void)state;
	/* 2*pt(-abs(1.3/0.7), 12) */
	assert_rel(kto_svy_p_value(1.3, 0.7, 12), 0.08799377974993404, REL);
	/* 2*pt(-abs(-0.25/0.1), 3.5) */
	assert_rel(kto_svy_p_value(-0.25, 0.1, 3.5), 0.07569464380949005, REL);
	/* 2*pt(-abs(0.02/0.5), 100) */
	assert_rel(kto_svy_p_value(0.02, 0.5, 100), 0.9681728773397984, REL);
	/* 2*pt(-abs(1.3/0.7), 1) */
	assert_rel(kto_svy_p_value(1.3, 0.7, 1), 0.31445284184451522, REL);
	/* 2*pnorm(-abs(1.3/0.7)) */
	assert_rel(kto_svy_p_value(1.3, 0.7, INFINITY), 0.063290832233345251, REL);
	/* 2*pnorm(-abs(-7/1)) */
	assert_rel(kto_svy_p_value(-7, 1, INFINITY), 2.5596250877716703e-12, REL);
	assert_close(kto_svy_p_value(0, 1, 10), 1, 1e-15);
	assert_nan(kto_svy_p_value(1, 0, 10));
	assert_nan(kto_svy_p_value(1, NAN, 10));
	assert_nan(kto_svy_p_value(1, 1, 0.5));
	assert_nan(kto_svy_p_value(1, 1, NAN));
	assert_nan(kto_svy_p_value(NAN, 1, 10));
}

static void
test_welch_df(void **state)
{
	double v1 = 0.3 * 0.3, v2 = 0.45 * 0.45;

	(void)state;
	assert_rel(kto_svy_welch_df(0.3, 12, 0.45, 30),
	    (v1 + v2) * (v1 + v2) / (v1 * v1 / 12 + v2 * v2 / 30), 1e-15);
	/* One exact side: the other's df. */
	assert_rel(kto_svy_welch_df(0.3, 12, 0, 30), 12, 1e-15);
	assert_rel(kto_svy_welch_df(0.3, 12, 0.3, 12), 24, 1e-15);
	assert_nan(kto_svy_welch_df(0, 12, 0, 30));
}

static void
test_t_interval(void **state)
{
	struct kto_svy_estimate e = { 10, 5, 2, 9, 0, 0, "" };

	(void)state;
	kto_svy_t_interval(&e, 0.95);
	/* 5 + qt(c(0.025, 0.975), 9) * 2 */
	assert_rel(e.ci_low, 0.47568567440359022, REL);
	assert_rel(e.ci_high, 9.5243143255964107, REL);
	e.df = 0;
	kto_svy_t_interval(&e, 0.95);
	assert_nan(e.ci_low);
	assert_nan(e.ci_high);
	e.df = 0.5;              /* as documented: NaN below 1 */
	kto_svy_t_interval(&e, 0.95);
	assert_nan(e.ci_low);
	e.df = INFINITY;
	kto_svy_t_interval(&e, 0.95);
	/* 5 + qnorm(c(0.025, 0.975)) * 2 */
	assert_rel(e.ci_low, 1.0800720309198923, REL);
	assert_rel(e.ci_high, 8.9199279690801063, REL);
}

/*
** HARDENING G5: GSL's default error handler calls abort().  Any call of
** kto's statistics turns it off first, so that a domain error anywhere
** after it (the log of -1 here) gives NaN and a status, not a dead
** process.  First in the list: nothing has turned the handler off before.
*/
static void
test_gsl_handler_off(void **state)
{
	struct kto_svy_estimate e = { 10, 5, 2, 9, 0, 0, "" };
	gsl_sf_result res;

	(void)state;
	kto_svy_t_interval(&e, 0.95);
	assert_int_equal(gsl_sf_log_e(-1.0, &res), GSL_EDOM);
	assert_nan(res.val);
	assert_nan(gsl_sf_log(-1.0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsl_handler_off),
		cmocka_unit_test(test_plain_stratified_mean),
		cmocka_unit_test(test_missing_is_domain),
		cmocka_unit_test(test_domains_across_strata),
		cmocka_unit_test(test_domain_all_missing),
		cmocka_unit_test(test_lonely_stratum),
		cmocka_unit_test(test_census_stratum),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_no_strata),
		cmocka_unit_test(test_all_values_equal),
		cmocka_unit_test(test_design_errors),
		cmocka_unit_test(test_ciprop),
		cmocka_unit_test(test_ciprop_exact),
		cmocka_unit_test(test_cells_one_domain),
		cmocka_unit_test(test_cells_domain_subset),
		cmocka_unit_test(test_cells_contrasts),
		cmocka_unit_test(test_cells_empty_domain),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_p_value),
		cmocka_unit_test(test_welch_df),
		cmocka_unit_test(test_t_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
