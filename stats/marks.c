/*
** The report marks (see marks.h).  Three steps:
**
**   summarise  one pass over the answers, split over threads, into
**              per-stratum summaries of every variable (cells)
**   estimate   every result from the cells: a municipality x channel is
**              one cell, a municipality its channels' cells, a circle the
**              unweighted mean of its shown members, all participants
**              every cell; comparisons are contrasts of the same cells.
**              A domain is a list of strata; a combination of domains is
**              computed over the union of their strata alone (a stratum
**              outside every domain adds exactly 0), in stratum order
**   drivers    per municipality, a weighted least-squares fit of the
**              overall mark on the area marks
*/
#include "stats/marks_int.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#define MAX_THREADS 16

/* One variable in one stratum. */
struct summary {
	struct kto_svy_cell value, pass, high;
	double hist[10];
	size_t dont_know;
};

/* Strata by key, ascending: key k has strata[first[k] .. first[k+1]). */
struct strata_index {
	size_t *first, *strata;
};

/* The strata of one domain, ascending (into a strata_index). */
struct domain {
	const size_t *strata;
	size_t n;
};

struct work {
	const struct kto_marks_input *in;
	size_t *n_h;                 /* complete responses per stratum */
	struct summary *sum;         /* [variable * n_strata + stratum] */
	bool *multi_channel;         /* per variable: answered in 2+ channels */
	bool *in_channel;            /* [variable * 3 + channel]: answered there */
	struct kto_marks *out;
	size_t cap;
	/* Domains by (unit, channel): key unit * 4 + channel, channel 3 for all. */
	struct strata_index by_municipality, by_circle, by_all;
	/* Scratch for the contrasts: n_masks domains; their union idx (n_idx
	 * strata, ascending) and mask[k][j], whether idx[j] is in domain k. */
	struct domain *dom;
	bool **mask;                 /* n_masks masks of n_strata */
	size_t n_masks;
	size_t *idx, n_idx, *merged, *slot;
	double *coef;
};

/* ------------------------------------------------------------------ */
/* Summarise                                                           */

static void
cell_merge(struct kto_svy_cell *a, const struct kto_svy_cell *b)
{
	double m = a->m + b->m, delta = b->mean - a->mean;

	if (b->m == 0)
		return;
	if (a->m == 0) {
		*a = *b;
		return;
	}
	/* Chan et al.'s pairwise update: no sum of squares is ever formed. */
	a->ss += b->ss + delta * delta * a->m * b->m / m;
	a->mean += delta * b->m / m;
	a->m = m;
}

static void
summary_add(struct summary *s, double y)
{
	kto_svy_cell_add(&s->value, y);
	kto_svy_cell_add(&s->pass, y >= 5.5);
	kto_svy_cell_add(&s->high, y >= 8);
	if (y >= 1 && y <= 10 && y == floor(y))
		s->hist[(int)y - 1]++;
}

static void
summary_merge(struct summary *a, const struct summary *b)
{
	cell_merge(&a->value, &b->value);
	cell_merge(&a->pass, &b->pass);
	cell_merge(&a->high, &b->high);
	for (int k = 0; k < 10; k++)
		a->hist[k] += b->hist[k];
	a->dont_know += b->dont_know;
}

struct slice {
	const struct kto_marks_input *in;
	size_t from, to;
	struct summary *sum;
	size_t *n_h;
};

static void *
summarise_slice(void *arg)
{
	struct slice *s = arg;
	const struct kto_marks_input *in = s->in;
	size_t nv = in->n_variables, ns = in->n_strata;

	for (size_t r = s->from; r < s->to; r++) {
		size_t h = in->response_stratum[r];
		const double *y = in->value + r * nv;

		s->n_h[h]++;
		for (size_t v = 0; v < nv; v++) {
			if (in->dont_know != NULL && in->dont_know[r * nv + v])
				s->sum[v * ns + h].dont_know++;
			else if (!isnan(y[v]))
				summary_add(&s->sum[v * ns + h], y[v]);
		}
	}
	return NULL;
}

static enum kto_rc
summarise(struct work *w)
{
	const struct kto_marks_input *in = w->in;
	size_t cells = in->n_variables * in->n_strata;
	int threads = in->threads < 1 ? 1 : in->threads > MAX_THREADS ? MAX_THREADS
	    : in->threads;
	struct slice slice[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	bool started[MAX_THREADS] = { false };
	enum kto_rc rc = KTO_OK;

	if (in->n_responses < 10000)
		threads = 1;      /* not worth a thread */
	for (int t = 0; t < threads; t++) {
		slice[t].in = in;
		slice[t].from = in->n_responses * (size_t)t / (size_t)threads;
		slice[t].to = in->n_responses * (size_t)(t + 1) / (size_t)threads;
		slice[t].sum = t == 0 ? w->sum : calloc(cells ? cells : 1, sizeof *w->sum);
		slice[t].n_h = t == 0 ? w->n_h : calloc(in->n_strata, sizeof *w->n_h);
		if (slice[t].sum == NULL || slice[t].n_h == NULL) {
			rc = KTO_ENOMEM;
			threads = t + 1;
			break;
		}
	}
	for (int t = 1; t < threads && rc == KTO_OK; t++)
		started[t] = pthread_create(&tid[t], NULL, summarise_slice, &slice[t]) == 0;
	if (rc == KTO_OK)
		summarise_slice(&slice[0]);
	for (int t = 1; t < threads; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else if (rc == KTO_OK && slice[t].sum != NULL && slice[t].n_h != NULL)
			summarise_slice(&slice[t]);     /* no thread: do it here */
		if (rc == KTO_OK)
			for (size_t c = 0; c < cells; c++)
				summary_merge(&w->sum[c], &slice[t].sum[c]);
		if (rc == KTO_OK)
			for (size_t h = 0; h < in->n_strata; h++)
				w->n_h[h] += slice[t].n_h[h];
		free(slice[t].sum);
		free(slice[t].n_h);
	}
	return rc;
}

/* n_h and N_h go into every cell of the stratum. */
static void
summaries_finish(struct work *w)
{
	const struct kto_marks_input *in = w->in;

	for (size_t v = 0; v < in->n_variables; v++) {
		bool channel_seen[KTO_MARKS_CHANNELS] = { false };
		int channels = 0;

		for (size_t h = 0; h < in->n_strata; h++) {
			struct summary *s = &w->sum[v * in->n_strata + h];

			s->value.n_rows = s->pass.n_rows = s->high.n_rows = (double)w->n_h[h];
			s->value.population = s->pass.population = s->high.population =
			    in->population[h];
			if ((s->value.m > 0 || s->dont_know > 0) &&
			    !channel_seen[in->stratum_channel[h]]) {
				channel_seen[in->stratum_channel[h]] = true;
				channels++;
			}
		}
		w->multi_channel[v] = channels > 1;
		for (int c = 0; c < KTO_MARKS_CHANNELS; c++)
			w->in_channel[v * KTO_MARKS_CHANNELS + c] = channel_seen[c];
	}
}

/* ------------------------------------------------------------------ */
/* Estimate                                                            */

enum part { PART_VALUE, PART_PASS, PART_HIGH };

static const struct kto_svy_cell *
part_cell(const struct summary *s, enum part p)
{
	return p == PART_PASS ? &s->pass : p == PART_HIGH ? &s->high : &s->value;
}

/* The cells of one variable and part in the union idx: scratch copy. */
static void
variable_cells(const struct work *w, size_t v, enum part p, struct kto_svy_cell *cells)
{
	for (size_t j = 0; j < w->n_idx; j++)
		cells[j] = *part_cell(&w->sum[v * w->in->n_strata + w->idx[j]], p);
}

/* Sets domain k to the strata of (scope, unit, channel). */
static void
domain_mask(struct work *w, enum kto_marks_scope scope, size_t unit, int channel,
            size_t k)
{
	const struct strata_index *x = scope == KTO_SCOPE_ALL ? &w->by_all :
	    scope == KTO_SCOPE_CIRCLE ? &w->by_circle : &w->by_municipality;
	size_t key = (scope == KTO_SCOPE_ALL ? 0 : unit) * 4 +
	    (channel == KTO_MARKS_ALL_CHANNELS ? 3 : (size_t)channel);

	w->dom[k].strata = x->strata + x->first[key];
	w->dom[k].n = x->first[key + 1] - x->first[key];
}

/*
** The union of domains 0 .. n_domains-1 into idx (ascending, each stratum
** once, by merging the sorted lists) and their masks over it.
*/
static void
domains_union(struct work *w, size_t n_domains)
{
	size_t n = 0;

	for (size_t k = 0; k < n_domains; k++) {
		const size_t *a = w->idx, *b = w->dom[k].strata;
		size_t i = 0, j = 0, nb = w->dom[k].n, m = 0;

		while (i < n || j < nb) {
			if (j == nb || (i < n && a[i] < b[j]))
				w->merged[m++] = a[i++];
			else if (i == n || b[j] < a[i])
				w->merged[m++] = b[j++];
			else {
				w->merged[m++] = a[i++];
				j++;
			}
		}
		memcpy(w->idx, w->merged, m * sizeof *w->idx);
		n = m;
	}
	w->n_idx = n;
	for (size_t j = 0; j < n; j++)
		w->slot[w->idx[j]] = j;
	for (size_t k = 0; k < n_domains; k++) {
		memset(w->mask[k], 0, n * sizeof **w->mask);
		for (size_t i = 0; i < w->dom[k].n; i++)
			w->mask[k][w->slot[w->dom[k].strata[i]]] = true;
	}
}

enum kto_marks_flag
kto_marks_flag_of(const struct kto_svy_estimate *e, bool share)
{
	if (e->n < KTO_MARKS_MIN_SHOWN || !isfinite(e->estimate))
		return KTO_MARKS_TOO_FEW;
	if (e->n < KTO_MARKS_MIN_FIRM)
		return KTO_MARKS_INDICATIVE;
	if (!share && !(e->ci_high - e->estimate <= KTO_MARKS_MAX_HALF_WIDTH &&
	    e->estimate - e->ci_low <= KTO_MARKS_MAX_HALF_WIDTH))
		return KTO_MARKS_INDICATIVE;
	return KTO_MARKS_OK;
}

/*
** A new result about (scope, unit, channel) and variable v.  Results are
** reserved up front (work_init), so pointers to them stay valid.
*/
static struct kto_marks_result *
push_result(struct work *w, enum kto_marks_scope scope, size_t unit, int channel,
            size_t v)
{
	struct kto_marks_result *r = &w->out->results[w->out->n_results++];

	memset(r, 0, sizeof *r);
	r->scope = scope;
	r->unit = unit;
	r->channel = channel;
	r->variable = v;
	return r;
}

/*
** The estimate of a combination of domains, each given by a mask, for one
** variable's part.  A proportion gets its logit interval.
*/
static enum kto_rc
combine(const struct work *w, const struct kto_svy_cell *cells, size_t n_domains,
        bool share, struct kto_svy_estimate *e)
{
	enum kto_rc rc = kto_svy_cells_combine(cells, w->n_idx,
	    (const bool *const *)w->mask, w->coef, n_domains, w->in->level, e);

	if (rc == KTO_OK && share)
		kto_svy_ciprop(e, e->n, KTO_PROP_LOGIT, w->in->level);
	return rc;
}

/* The mark distribution of the strata in mask 0: weighted shares. */
static void
distribution(const struct work *w, size_t v, double *dist)
{
	const struct kto_marks_input *in = w->in;
	double total = 0;

	for (int k = 0; k < 10; k++)
		dist[k] = 0;
	for (size_t j = 0; j < w->n_idx; j++) {
		const struct summary *s = &w->sum[v * in->n_strata + w->idx[j]];
		double wt = s->value.population > 0 && s->value.n_rows > 0 ?
		    s->value.population / s->value.n_rows : 1;

		if (!w->mask[0][j] || s->value.m == 0)
			continue;
		for (int k = 0; k < 10; k++)
			dist[k] += wt * s->hist[k];
		total += wt * s->value.m;
	}
	for (int k = 0; k < 10; k++)
		dist[k] = total > 0 ? dist[k] / total : NAN;
}

/* Fills r from the domains now in the masks (with their coefficients). */
static enum kto_rc
estimate_result(struct work *w, struct kto_marks_result *r, size_t n_domains,
                struct kto_svy_cell *cells)
{
	const struct kto_marks_variable *var = &w->in->variables[r->variable];
	bool share = var->kind == KTO_MARKS_SHARE;
	enum kto_rc rc;

	domains_union(w, n_domains);
	variable_cells(w, r->variable, PART_VALUE, cells);
	if ((rc = combine(w, cells, n_domains, share, &r->est)) != KTO_OK)
		return rc;
	r->flag = kto_marks_flag_of(&r->est, share);
	if (share && isfinite(var->target) && r->flag != KTO_MARKS_TOO_FEW)
		r->vs_target = r->est.ci_low > var->target ? 1 :
		    r->est.ci_high < var->target ? -1 : 0;
	for (size_t j = 0; j < w->n_idx; j++)
		r->dont_know += w->sum[r->variable * w->in->n_strata + w->idx[j]].dont_know;
	if (share)
		return KTO_OK;
	variable_cells(w, r->variable, PART_PASS, cells);
	if ((rc = combine(w, cells, n_domains, true, &r->pass)) != KTO_OK)
		return rc;
	variable_cells(w, r->variable, PART_HIGH, cells);
	if ((rc = combine(w, cells, n_domains, true, &r->high)) != KTO_OK)
		return rc;
	if (var->whole_marks && n_domains == 1)
		distribution(w, r->variable, r->dist);
	else
		for (int k = 0; k < 10; k++)
			r->dist[k] = NAN;
	return KTO_OK;
}

/* A result for the domain of (scope, unit, channel); NULL when it has no stratum. */
static enum kto_rc
domain_result(struct work *w, enum kto_marks_scope scope, size_t unit, int channel,
              size_t v, struct kto_svy_cell *cells, struct kto_marks_result **out)
{
	struct kto_marks_result *r;

	*out = NULL;
	domain_mask(w, scope, unit, channel, 0);
	if (w->dom[0].n == 0)
		return KTO_OK;
	r = push_result(w, scope, unit, channel, v);
	w->coef[0] = 1;
	*out = r;
	return estimate_result(w, r, 1, cells);
}

/*
** The shown members of circle c for one channel and variable (mun[m] is
** municipality m's result, or NULL), except one (SIZE_MAX: none): their
** domains go into w->dom[first..] with coefficients weight/count.
*/
static size_t
circle_members(struct work *w, struct kto_marks_result *const *mun, size_t c,
               size_t except, size_t first, double weight)
{
	const struct kto_marks_input *in = w->in;
	size_t k = first;

	for (size_t m = 0; m < in->n_municipalities; m++) {
		if (in->municipality_circle[m] != c || m == except || mun[m] == NULL ||
		    mun[m]->flag == KTO_MARKS_TOO_FEW)
			continue;
		domain_mask(w, KTO_SCOPE_MUNICIPALITY, m, mun[m]->channel, k++);
	}
	for (size_t j = first; j < k; j++)
		w->coef[j] = weight / (double)(k - first);
	return k - first;
}

/* The circle's mark: the unweighted mean of its shown members' marks. */
static enum kto_rc
circle_result(struct work *w, size_t c, int channel, size_t v,
              struct kto_marks_result *const *mun, struct kto_svy_cell *cells)
{
	size_t k = circle_members(w, mun, c, SIZE_MAX, 0, 1);
	struct kto_marks_result *r;

	if (k == 0)
		return KTO_OK;
	r = push_result(w, KTO_SCOPE_CIRCLE, c, channel, v);
	return estimate_result(w, r, k, cells);
}

/* ------------------------------------------------------------------ */
/* Comparisons                                                         */

static void
comparison_from(struct kto_marks_comparison *cmp, const struct kto_svy_estimate *d,
                double own)
{
	cmp->made = isfinite(d->estimate) && isfinite(d->se);
	cmp->diff = d->estimate;
	cmp->se = d->se;
	cmp->df = d->df;
	cmp->reference = own - d->estimate;
	cmp->p = cmp->made ? kto_svy_p_value(d->estimate, d->se, d->df) : NAN;
	cmp->p_holm = NAN;
}

void
kto_marks_compare_previous(struct kto_marks_result *r,
                           const struct kto_svy_estimate *previous,
                           bool previous_shown)
{
	struct kto_marks_comparison *cmp = &r->vs[KTO_VS_PREVIOUS];

	memset(cmp, 0, sizeof *cmp);
	cmp->p = cmp->p_holm = NAN;
	if (!previous_shown || r->flag == KTO_MARKS_TOO_FEW)
		return;
	/* Independent samples: the variances add (Welch). */
	cmp->made = true;
	cmp->reference = previous->estimate;
	cmp->diff = r->est.estimate - previous->estimate;
	cmp->se = sqrt(r->est.se * r->est.se + previous->se * previous->se);
	cmp->df = kto_svy_welch_df(r->est.se, r->est.df, previous->se, previous->df);
	cmp->p = kto_svy_p_value(cmp->diff, cmp->se, cmp->df);
}

/* The municipality against the others of its circle, and against all. */
static enum kto_rc
compare_result(struct work *w, struct kto_marks_result *r,
               struct kto_marks_result *const *mun,
               const struct kto_marks_result *all, struct kto_svy_cell *cells)
{
	const struct kto_marks_input *in = w->in;
	size_t circle = in->municipality_circle[r->unit], k;
	struct kto_svy_estimate d;
	enum kto_rc rc;

	for (int j = 0; j < KTO_VS_COUNT; j++)
		r->vs[j].p = r->vs[j].p_holm = NAN;
	if (r->flag == KTO_MARKS_TOO_FEW)
		return KTO_OK;
	domain_mask(w, KTO_SCOPE_MUNICIPALITY, r->unit, r->channel, 0);
	w->coef[0] = 1;
	k = circle != SIZE_MAX ? circle_members(w, mun, circle, r->unit, 1, -1) : 0;
	if (k > 0) {
		domains_union(w, 1 + k);
		variable_cells(w, r->variable, PART_VALUE, cells);
		if ((rc = kto_svy_cells_combine(cells, w->n_idx, (const bool *const *)
		    w->mask, w->coef, 1 + k, in->level, &d)) != KTO_OK)
			return rc;
		comparison_from(&r->vs[KTO_VS_CIRCLE], &d, r->est.estimate);
	}
	if (all == NULL || all->flag == KTO_MARKS_TOO_FEW)
		return KTO_OK;
	domain_mask(w, KTO_SCOPE_ALL, 0, r->channel, 1);
	w->coef[1] = -1;
	domains_union(w, 2);
	variable_cells(w, r->variable, PART_VALUE, cells);
	if ((rc = kto_svy_cells_combine(cells, w->n_idx, (const bool *const *)
	    w->mask, w->coef, 2, in->level, &d)) != KTO_OK)
		return rc;
	comparison_from(&r->vs[KTO_VS_ALL], &d, r->est.estimate);
	return KTO_OK;
}

/* Every result of one variable in one channel (or all channels). */
static enum kto_rc
variable_results(struct work *w, size_t v, int channel, struct kto_marks_result **mun,
                 struct kto_svy_cell *cells)
{
	const struct kto_marks_input *in = w->in;
	struct kto_marks_result *all;
	enum kto_rc rc = KTO_OK;

	for (size_t m = 0; m < in->n_municipalities && rc == KTO_OK; m++)
		rc = domain_result(w, KTO_SCOPE_MUNICIPALITY, m, channel, v, cells, &mun[m]);
	if (rc == KTO_OK)
		rc = domain_result(w, KTO_SCOPE_ALL, 0, channel, v, cells, &all);
	for (size_t c = 0; c < in->n_circles && rc == KTO_OK; c++)
		rc = circle_result(w, c, channel, v, mun, cells);
	for (size_t m = 0; m < in->n_municipalities && rc == KTO_OK; m++)
		if (mun[m] != NULL)
			rc = compare_result(w, mun[m], mun, all, cells);
	return rc;
}

static enum kto_rc
all_results(struct work *w)
{
	const struct kto_marks_input *in = w->in;
	struct kto_marks_result **mun = calloc(in->n_municipalities + 1, sizeof *mun);
	struct kto_svy_cell *cells = malloc((in->n_strata + 1) * sizeof *cells);
	enum kto_rc rc = mun && cells ? KTO_OK : KTO_ENOMEM;

	/* A channel whose questionnaire lacks the variable gets no results. */
	for (size_t v = 0; v < in->n_variables && rc == KTO_OK; v++)
		for (int c = 0; c < KTO_MARKS_CHANNELS && rc == KTO_OK; c++)
			if (w->in_channel[v * KTO_MARKS_CHANNELS + c])
				rc = variable_results(w, v, c, mun, cells);
	for (size_t v = 0; v < in->n_variables && rc == KTO_OK; v++)
		if (w->multi_channel[v])
			rc = variable_results(w, v, KTO_MARKS_ALL_CHANNELS, mun, cells);
	free(mun);
	free(cells);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Holm per family                                                     */

static int
family_order(const void *a, const void *b)
{
	const struct kto_marks_result *x = *(const struct kto_marks_result *const *)a;
	const struct kto_marks_result *y = *(const struct kto_marks_result *const *)b;

	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	if (x->unit != y->unit)
		return x->unit < y->unit ? -1 : 1;
	if (x->channel != y->channel)
		return x->channel < y->channel ? -1 : 1;
	return x->variable < y->variable ? -1 : x->variable > y->variable;
}

static bool
same_family(const struct kto_marks_result *x, const struct kto_marks_result *y)
{
	return x->scope == y->scope && x->unit == y->unit && x->channel == y->channel;
}

static enum kto_rc
adjust_family(struct kto_marks_result **r, size_t n, double *p, double *adj)
{
	for (int k = 0; k < KTO_VS_COUNT; k++) {
		for (size_t i = 0; i < n; i++)
			p[i] = r[i]->vs[k].made ? r[i]->vs[k].p : NAN;
		if (kto_svy_holm(p, n, adj) != KTO_OK)
			return KTO_ENOMEM;
		for (size_t i = 0; i < n; i++) {
			struct kto_marks_comparison *c = &r[i]->vs[k];

			c->p_holm = adj[i];
			c->significant = c->made && adj[i] < 0.05 ?
			    (c->diff > 0 ? 1 : -1) : 0;
		}
	}
	return KTO_OK;
}

enum kto_rc
kto_marks_adjust(struct kto_marks *m)
{
	size_t n = m->n_results ? m->n_results : 1;
	struct kto_marks_result **order = malloc(n * sizeof *order);
	double *p = malloc(n * sizeof *p), *adj = malloc(n * sizeof *adj);
	enum kto_rc rc = order && p && adj ? KTO_OK : KTO_ENOMEM;
	size_t count = 0;

	for (size_t i = 0; i < m->n_results && rc == KTO_OK; i++)
		if (m->results[i].scope == KTO_SCOPE_MUNICIPALITY)
			order[count++] = &m->results[i];
	if (rc == KTO_OK)
		qsort(order, count, sizeof *order, family_order);
	for (size_t i = 0, j; i < count && rc == KTO_OK; i = j) {
		for (j = i + 1; j < count && same_family(order[i], order[j]); j++)
			;
		rc = adjust_family(order + i, j - i, p, adj);
	}
	free(order);
	free(p);
	free(adj);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The whole computation                                               */

static enum kto_rc
check_input(const struct kto_marks_input *in)
{
	for (size_t h = 0; h < in->n_strata; h++)
		if (in->stratum_municipality[h] >= in->n_municipalities ||
		    in->stratum_channel[h] < 0 ||
		    in->stratum_channel[h] >= KTO_MARKS_CHANNELS)
			return KTO_EINPUT;
	for (size_t m = 0; m < in->n_municipalities; m++)
		if (in->municipality_circle[m] != SIZE_MAX &&
		    in->municipality_circle[m] >= in->n_circles)
			return KTO_EINPUT;
	for (size_t r = 0; r < in->n_responses; r++)
		if (in->response_stratum[r] >= in->n_strata)
			return KTO_EINPUT;
	if (in->overall != SIZE_MAX && in->overall >= in->n_variables)
		return KTO_EINPUT;
	for (size_t a = 0; a < in->n_driver_areas; a++)
		if (in->driver_areas[a] >= in->n_variables)
			return KTO_EINPUT;
	return KTO_OK;
}

/*
** The strata of each (unit, channel) of a scope, ascending: key unit * 4 +
** channel, and unit * 4 + 3 for all channels; a municipality outside
** every circle is in no circle's.
*/
static enum kto_rc
strata_index_init(struct strata_index *x, const struct kto_marks_input *in,
                  enum kto_marks_scope scope, size_t n_units)
{
	size_t n_keys = 4 * n_units, *pos;

	x->first = calloc(n_keys + 1, sizeof *x->first);
	x->strata = malloc((2 * in->n_strata + 1) * sizeof *x->strata);
	pos = calloc(n_keys + 1, sizeof *pos);
	if (x->first == NULL || x->strata == NULL || pos == NULL) {
		free(pos);
		return KTO_ENOMEM;
	}
	for (int fill = 0; fill < 2; fill++) {
		for (size_t h = 0; h < in->n_strata; h++) {
			size_t m = in->stratum_municipality[h];
			size_t u = scope == KTO_SCOPE_ALL ? 0 : scope == KTO_SCOPE_MUNICIPALITY ?
			    m : in->municipality_circle[m];
			size_t key[2];

			if (u == SIZE_MAX)
				continue;
			key[0] = u * 4 + (size_t)in->stratum_channel[h];
			key[1] = u * 4 + 3;
			for (int i = 0; i < 2; i++) {
				if (fill)
					x->strata[pos[key[i]]++] = h;
				else
					x->first[key[i] + 1]++;
			}
		}
		if (!fill) {
			for (size_t k = 0; k < n_keys; k++)
				x->first[k + 1] += x->first[k];
			memcpy(pos, x->first, n_keys * sizeof *pos);
		}
	}
	free(pos);
	return KTO_OK;
}

static void
strata_index_free(struct strata_index *x)
{
	free(x->first);
	free(x->strata);
}

/* Masks for the largest contrast: a municipality and every other member. */
static enum kto_rc
work_init(struct work *w, const struct kto_marks_input *in, struct kto_marks *out)
{
	size_t largest = 0, cells = in->n_variables * in->n_strata, bound;
	size_t *members = calloc(in->n_circles + 1, sizeof *members);

	memset(w, 0, sizeof *w);
	w->in = in;
	w->out = out;
	if (members == NULL)
		return KTO_ENOMEM;
	for (size_t m = 0; m < in->n_municipalities; m++)
		if (in->municipality_circle[m] != SIZE_MAX &&
		    ++members[in->municipality_circle[m]] > largest)
			largest = members[in->municipality_circle[m]];
	free(members);
	w->n_masks = largest + 2;
	w->mask = calloc(w->n_masks, sizeof *w->mask);
	w->dom = calloc(w->n_masks, sizeof *w->dom);
	w->coef = calloc(w->n_masks, sizeof *w->coef);
	w->idx = malloc((in->n_strata + 1) * sizeof *w->idx);
	w->merged = malloc((in->n_strata + 1) * sizeof *w->merged);
	w->slot = malloc((in->n_strata + 1) * sizeof *w->slot);
	w->n_h = calloc(in->n_strata + 1, sizeof *w->n_h);
	w->sum = calloc(cells ? cells : 1, sizeof *w->sum);
	w->multi_channel = calloc(in->n_variables + 1, sizeof *w->multi_channel);
	w->in_channel = calloc(KTO_MARKS_CHANNELS * in->n_variables + 1,
	    sizeof *w->in_channel);
	bound = in->n_variables * (KTO_MARKS_CHANNELS + 1) *
	    (in->n_municipalities + in->n_circles + 1);
	out->results = malloc((bound ? bound : 1) * sizeof *out->results);
	if (!w->mask || !w->dom || !w->coef || !w->idx || !w->merged || !w->slot ||
	    !w->n_h || !w->sum || !w->multi_channel || !w->in_channel || !out->results ||
	    strata_index_init(&w->by_municipality, in, KTO_SCOPE_MUNICIPALITY,
	    in->n_municipalities) != KTO_OK ||
	    strata_index_init(&w->by_circle, in, KTO_SCOPE_CIRCLE, in->n_circles) != KTO_OK ||
	    strata_index_init(&w->by_all, in, KTO_SCOPE_ALL, 1) != KTO_OK)
		return KTO_ENOMEM;
	for (size_t k = 0; k < w->n_masks; k++)
		if ((w->mask[k] = calloc(in->n_strata + 1, sizeof **w->mask)) == NULL)
			return KTO_ENOMEM;
	return KTO_OK;
}

static void
work_free(struct work *w)
{
	for (size_t k = 0; w->mask != NULL && k < w->n_masks; k++)
		free(w->mask[k]);
	free(w->mask);
	free(w->dom);
	free(w->coef);
	free(w->idx);
	free(w->merged);
	free(w->slot);
	strata_index_free(&w->by_municipality);
	strata_index_free(&w->by_circle);
	strata_index_free(&w->by_all);
	free(w->n_h);
	free(w->sum);
	free(w->multi_channel);
	free(w->in_channel);
}

enum kto_rc
kto_marks_compute(const struct kto_marks_input *in, struct kto_marks *out)
{
	struct work w;
	enum kto_rc rc;

	gsl_set_error_handler_off();
	memset(out, 0, sizeof *out);
	if ((rc = check_input(in)) != KTO_OK)
		return rc;
	if ((rc = work_init(&w, in, out)) == KTO_OK &&
	    (rc = summarise(&w)) == KTO_OK) {
		summaries_finish(&w);
		if ((rc = all_results(&w)) == KTO_OK && (rc = kto_marks_adjust(out)) == KTO_OK)
			rc = marks_drivers(in, w.n_h, out);
	}
	work_free(&w);
	if (rc != KTO_OK)
		kto_marks_free(out);
	return rc;
}

void
kto_marks_free(struct kto_marks *m)
{
	free(m->results);
	for (size_t i = 0; i < m->n_drivers; i++)
		free(m->drivers[i].coef);
	free(m->drivers);
	memset(m, 0, sizeof *m);
}
