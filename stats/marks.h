/*
** The report marks of a benchmark: every variable (a mark item, a
** performance area, a service norm) for every municipality x channel,
** municipality (channels weighted by their contact volumes N_h), circle
** and all participants, with intervals, the distribution of the marks,
** reliability flags and the comparisons of DESIGN.md section 6; and the
** key drivers of the overall mark.
**
** The design: a stratum is a municipality x channel, with N_h contacts and
** n_h complete responses; weights N_h/n_h; missing answers and "weet niet"
** are domains (na.rm), "weet niet" counted apart.  Estimates come from
** per-stratum summaries (stats/svy.h cells), so the time is one pass over
** the answers plus work per stratum.  Pure computation: no I/O.
*/
#ifndef KTO_STATS_MARKS_H
#define KTO_STATS_MARKS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "stats/svy.h"

#define KTO_MARKS_CHANNELS 3
#define KTO_MARKS_ALL_CHANNELS (-1)

/* Reliability rules (DESIGN.md section 6). */
#define KTO_MARKS_MIN_SHOWN 30          /* fewer: "te weinig waarnemingen" */
#define KTO_MARKS_MIN_FIRM 100          /* fewer: indicative */
#define KTO_MARKS_MAX_HALF_WIDTH 0.5    /* a wider interval: indicative */

enum kto_marks_kind {
	KTO_MARKS_MARK,     /* a 1-10 mark, or the mean of several (an area) */
	KTO_MARKS_SHARE     /* 0/1: a norm met; estimated as a proportion */
};

struct kto_marks_variable {
	const char *id;              /* "B10", "area:BEJ", "norm:N5" */
	enum kto_marks_kind kind;
	bool whole_marks;            /* values are 1..10: a distribution is made */
	double target;               /* a norm's target share (0.95); NaN: none */
};

struct kto_marks_input {
	/* The strata. */
	size_t n_strata;
	const size_t *stratum_municipality;   /* per stratum */
	const int *stratum_channel;           /* per stratum, 0 .. 2 */
	const double *population;             /* per stratum: N_h */
	size_t n_municipalities;
	const size_t *municipality_circle;    /* per municipality, or SIZE_MAX */
	size_t n_circles;
	/* The variables and the complete responses. */
	size_t n_variables;
	const struct kto_marks_variable *variables;
	size_t n_responses;
	const size_t *response_stratum;       /* per response */
	const double *value;                  /* n_responses x n_variables, NaN missing */
	const unsigned char *dont_know;       /* same shape, 1 for "weet niet"; may be NULL */
	/* Key-driver analysis: the overall mark and the areas that explain it;
	 * overall == SIZE_MAX for none. */
	size_t overall;
	const size_t *driver_areas;
	size_t n_driver_areas;
	double level;                         /* 0.95 */
	int threads;                          /* for the pass over the answers */
};

enum kto_marks_flag {
	KTO_MARKS_OK,
	KTO_MARKS_INDICATIVE,    /* n < 100, or the interval wider than +-0.5 */
	KTO_MARKS_TOO_FEW        /* n < 30: not shown as a number */
};

enum kto_marks_against { KTO_VS_CIRCLE, KTO_VS_ALL, KTO_VS_PREVIOUS, KTO_VS_COUNT };

struct kto_marks_comparison {
	bool made;               /* false when either side is not shown */
	double reference;        /* the other side's estimate */
	double diff, se, df, p;
	double p_holm;           /* over the family: see kto_marks_adjust() */
	int significant;         /* +1 higher, -1 lower, 0 not significant */
};

/* Who a result is about. */
enum kto_marks_scope { KTO_SCOPE_MUNICIPALITY, KTO_SCOPE_CIRCLE, KTO_SCOPE_ALL };

struct kto_marks_result {
	enum kto_marks_scope scope;
	size_t unit;             /* municipality or circle number; 0 for all */
	int channel;             /* 0 .. 2, or KTO_MARKS_ALL_CHANNELS */
	size_t variable;
	struct kto_svy_estimate est;    /* a mark's mean, or a share's proportion */
	size_t dont_know;
	struct kto_svy_estimate pass, high;   /* marks: >= 5.5 and >= 8 */
	double dist[10];         /* whole marks: share of each mark 1..10 */
	/* A share with a target: +1 the interval lies above it (met), -1
	 * below it (not met), 0 it contains the target (undecided). */
	int vs_target;
	enum kto_marks_flag flag;
	struct kto_marks_comparison vs[KTO_VS_COUNT];
};

/* What drives the overall mark in one municipality (all channels). */
struct kto_marks_driver {
	size_t municipality;
	size_t n;                /* complete cases used; 0: too few to fit */
	double r2;               /* share of the variance explained */
	double *coef, *se;       /* per driver area, NaN when left out */
	double *importance;      /* standardised coefficient */
};

struct kto_marks {
	struct kto_marks_result *results;
	size_t n_results;
	struct kto_marks_driver *drivers;    /* one per municipality */
	size_t n_drivers;
	size_t n_driver_areas;
};

/*
** Computes every result and driver.  Comparisons with the circle and with
** all participants are made and Holm-adjusted; the previous year's are
** left for the caller (kto_marks_compare_previous, then kto_marks_adjust
** again).  KTO_EINPUT for an input that does not fit (a stratum out of
** range, a channel outside 0..2); KTO_ENOMEM.
*/
enum kto_rc kto_marks_compute(const struct kto_marks_input *in, struct kto_marks *out);

void kto_marks_free(struct kto_marks *m);

/* The comparison of r with an independent earlier estimate. */
void kto_marks_compare_previous(struct kto_marks_result *r,
                                const struct kto_svy_estimate *previous,
                                bool previous_shown);

/*
** Holm's correction per family: the comparisons of one kind (circle, all,
** previous) shown together in one table, that is, of one municipality and
** channel over all variables.  Sets p_holm and significant (at 5 %).
*/
enum kto_rc kto_marks_adjust(struct kto_marks *m);

/* The flag the rules give an estimate of a mark (or, share: n only). */
enum kto_marks_flag kto_marks_flag_of(const struct kto_svy_estimate *e, bool share);

#endif
