/*
** The key drivers of the overall mark (see marks.h): per municipality, a
** weighted least-squares fit of the overall mark on the area marks, with
** GSL's multifit; part of kto_marks_compute().
*/
#include "stats/marks_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

/* The responses of each municipality, by counting sort: first[m] .. first[m+1]. */
static enum kto_rc
responses_by_municipality(const struct kto_marks_input *in, size_t **order,
                          size_t **first)
{
	size_t nm = in->n_municipalities;
	size_t *pos;

	*order = malloc((in->n_responses ? in->n_responses : 1) * sizeof **order);
	*first = calloc(nm + 1, sizeof **first);
	pos = calloc(nm + 1, sizeof *pos);
	if (*order == NULL || *first == NULL || pos == NULL) {
		free(pos);
		return KTO_ENOMEM;
	}
	for (size_t r = 0; r < in->n_responses; r++)
		(*first)[in->stratum_municipality[in->response_stratum[r]] + 1]++;
	for (size_t m = 0; m < nm; m++)
		(*first)[m + 1] += (*first)[m];
	memcpy(pos, *first, (nm + 1) * sizeof *pos);
	for (size_t r = 0; r < in->n_responses; r++)
		(*order)[pos[in->stratum_municipality[in->response_stratum[r]]]++] = r;
	free(pos);
	return KTO_OK;
}

/* Weighted mean and standard deviation of column j of X (w sums to n). */
static double
weighted_sd(const gsl_matrix *X, size_t j, const gsl_vector *w)
{
	double sw = 0, mean = 0, ss = 0;

	for (size_t i = 0; i < X->size1; i++) {
		double wi = gsl_vector_get(w, i), x = gsl_matrix_get(X, i, j);

		sw += wi;
		mean += wi * (x - mean) / sw;
	}
	for (size_t i = 0; i < X->size1; i++) {
		double d = gsl_matrix_get(X, i, j) - mean;

		ss += gsl_vector_get(w, i) * d * d;
	}
	return sw > 0 ? sqrt(ss / sw) : NAN;
}

struct fit {
	gsl_matrix *X, *cov;
	gsl_vector *y, *w, *c;
};

static void
fit_free(struct fit *f)
{
	gsl_matrix_free(f->X);
	gsl_matrix_free(f->cov);
	gsl_vector_free(f->y);
	gsl_vector_free(f->w);
	gsl_vector_free(f->c);
}

/*
** The areas the model uses: those answered by at least half of the
** respondents with an overall mark.  Questionnaires differ per channel
** and "weet niet" is common, so requiring every area would leave no
** complete case at all.
*/
static size_t
pick_areas(const struct kto_marks_input *in, const size_t *rows, size_t n_rows,
           size_t *use)
{
	size_t nv = in->n_variables, with_overall = 0, k = 0;

	for (size_t a = 0; a < in->n_driver_areas; a++)
		use[a] = 0;
	for (size_t i = 0; i < n_rows; i++) {
		const double *y = in->value + rows[i] * nv;

		if (isnan(y[in->overall]))
			continue;
		with_overall++;
		for (size_t a = 0; a < in->n_driver_areas; a++)
			use[a] += !isnan(y[in->driver_areas[a]]);
	}
	for (size_t a = 0; a < in->n_driver_areas; a++)
		if (with_overall > 0 && 2 * use[a] >= with_overall)
			use[k++] = a;
	return k;
}

/* Complete cases on the used areas into f (y, X with an intercept, w). */
static size_t
fit_rows(const struct kto_marks_input *in, const size_t *n_h, const size_t *rows,
         size_t n_rows, const size_t *use, size_t n_use, struct fit *f)
{
	size_t nv = in->n_variables, n = 0;

	for (size_t i = 0; i < n_rows; i++) {
		size_t r = rows[i], h = in->response_stratum[r];
		const double *y = in->value + r * nv;
		bool complete = !isnan(y[in->overall]);

		for (size_t a = 0; a < n_use && complete; a++)
			complete = !isnan(y[in->driver_areas[use[a]]]);
		if (!complete)
			continue;
		gsl_vector_set(f->y, n, y[in->overall]);
		gsl_matrix_set(f->X, n, 0, 1);
		for (size_t a = 0; a < n_use; a++)
			gsl_matrix_set(f->X, n, a + 1, y[in->driver_areas[use[a]]]);
		/* The survey weight N_h/n_h; rescaled below to sum to n. */
		gsl_vector_set(f->w, n, in->population[h] / (double)n_h[h]);
		n++;
	}
	return n;
}

/* R^2 and, per used area, coefficient, standard error and importance. */
static void
fit_report(const struct fit *f, size_t n, size_t p, double chisq,
           const size_t *use, struct kto_marks_driver *d)
{
	gsl_matrix_const_view Xv = gsl_matrix_const_submatrix(f->X, 0, 0, n, p);
	gsl_vector_const_view yv = gsl_vector_const_subvector(f->y, 0, n);
	gsl_vector_const_view wv = gsl_vector_const_subvector(f->w, 0, n);
	double ybar = 0, tss = 0, sd_y;

	for (size_t i = 0; i < n; i++)
		ybar += gsl_vector_get(&wv.vector, i) * gsl_vector_get(&yv.vector, i) / (double)n;
	for (size_t i = 0; i < n; i++) {
		double e = gsl_vector_get(&yv.vector, i) - ybar;

		tss += gsl_vector_get(&wv.vector, i) * e * e;
	}
	sd_y = sqrt(tss / (double)n);
	d->n = n;
	d->r2 = tss > 0 ? 1 - chisq / tss : NAN;
	for (size_t k = 0; k + 1 < p; k++) {
		double var = gsl_matrix_get(f->cov, k + 1, k + 1) * chisq / (double)(n - p);
		size_t a = use[k];

		d->coef[a] = gsl_vector_get(f->c, k + 1);
		d->se[a] = var >= 0 ? sqrt(var) : NAN;
		d->importance[a] = d->coef[a] * weighted_sd(&Xv.matrix, k + 1,
		    &wv.vector) / sd_y;
	}
}

/*
** Weighted least squares of the overall mark on the area marks, over the
** complete cases, survey weights rescaled to sum to n so that the
** residual variance estimate has the usual scale.  Too few cases (fewer
** than KTO_MARKS_MIN_SHOWN, or than 5 per coefficient) leave n at 0.
*/
static enum kto_rc
driver_fit(const struct kto_marks_input *in, const size_t *n_h, const size_t *rows,
           size_t n_rows, struct kto_marks_driver *d)
{
	size_t *use = malloc((in->n_driver_areas + 1) * sizeof *use);
	size_t n_use, p, n;
	struct fit f = { NULL, NULL, NULL, NULL, NULL };
	gsl_matrix_view Xv;
	gsl_vector_view yv, wv;
	gsl_multifit_linear_workspace *ws = NULL;
	double chisq = 0, sw = 0;
	enum kto_rc rc = KTO_ENOMEM;

	if (use == NULL)
		return KTO_ENOMEM;
	n_use = pick_areas(in, rows, n_rows, use);
	p = n_use + 1;
	if (n_rows < KTO_MARKS_MIN_SHOWN || n_use == 0) {
		free(use);
		return KTO_OK;
	}
	f.X = gsl_matrix_alloc(n_rows, p);
	f.y = gsl_vector_alloc(n_rows);
	f.w = gsl_vector_alloc(n_rows);
	f.c = gsl_vector_alloc(p);
	f.cov = gsl_matrix_alloc(p, p);
	if (!f.X || !f.y || !f.w || !f.c || !f.cov)
		goto out;
	rc = KTO_OK;
	n = fit_rows(in, n_h, rows, n_rows, use, n_use, &f);
	if (n < KTO_MARKS_MIN_SHOWN || n < 5 * p)
		goto out;
	Xv = gsl_matrix_submatrix(f.X, 0, 0, n, p);
	yv = gsl_vector_subvector(f.y, 0, n);
	wv = gsl_vector_subvector(f.w, 0, n);
	for (size_t i = 0; i < n; i++)
		sw += gsl_vector_get(&wv.vector, i);
	gsl_vector_scale(&wv.vector, (double)n / sw);
	if ((ws = gsl_multifit_linear_alloc(n, p)) == NULL) {
		rc = KTO_ENOMEM;
		goto out;
	}
	/* A failed fit (a singular design: an area everyone marked alike)
	 * leaves the municipality without drivers, not the whole result. */
	if (gsl_multifit_wlinear(&Xv.matrix, &wv.vector, &yv.vector, f.c, f.cov,
	    &chisq, ws) == GSL_SUCCESS)
		fit_report(&f, n, p, chisq, use, d);
out:
	gsl_multifit_linear_free(ws);
	fit_free(&f);
	free(use);
	return rc;
}

enum kto_rc
marks_drivers(const struct kto_marks_input *in, const size_t *n_h,
              struct kto_marks *out)
{
	size_t na = in->n_driver_areas, *order = NULL, *first = NULL;
	enum kto_rc rc;

	out->n_driver_areas = na;
	if (in->overall == SIZE_MAX || na == 0)
		return KTO_OK;
	out->drivers = calloc(in->n_municipalities + 1, sizeof *out->drivers);
	if (out->drivers == NULL)
		return KTO_ENOMEM;
	out->n_drivers = in->n_municipalities;
	if ((rc = responses_by_municipality(in, &order, &first)) != KTO_OK) {
		free(order);
		free(first);
		return rc;
	}
	for (size_t m = 0; m < in->n_municipalities && rc == KTO_OK; m++) {
		struct kto_marks_driver *d = &out->drivers[m];

		d->municipality = m;
		d->r2 = NAN;
		d->coef = malloc(3 * (na ? na : 1) * sizeof *d->coef);
		if (d->coef == NULL) {
			rc = KTO_ENOMEM;
			break;
		}
		d->se = d->coef + na;
		d->importance = d->se + na;
		for (size_t a = 0; a < 3 * na; a++)
			d->coef[a] = NAN;
		rc = driver_fit(in, n_h, order + first[m], first[m + 1] - first[m], d);
	}
	free(order);
	free(first);
	return rc;
}

