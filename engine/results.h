/*
** Result sets: the report marks of a wave or of a year, computed from the
** complete responses, the survey definitions and the contact volumes N_h
** by stats/marks, and stored (migration 0006) for the portal and the
** reports.  A stored result set is never changed; computing again adds a
** newer one.
**
** The design (DESIGN.md section 6): a stratum is a wave's channel, with
** N_h its contacts in the period and n_h its complete responses.  The
** variables: every mark question by its id, the overall mark as TOT, each
** performance area as "area:XXX" (per respondent, the mean of their marks
** in that area), and each service norm as "norm:ID" (met or not, among
** those it applies to).
*/
#ifndef KTO_ENGINE_RESULTS_H
#define KTO_ENGINE_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"

struct kto_db;

struct kto_results_scope {
	int64_t wave_id;     /* one wave (one municipality) ... */
	int year;            /* ... or every wave that starts in this year */
	double level;        /* 0 for 0.95 */
	int threads;         /* 0 for the CPUs there are */
};

struct kto_results_summary {
	int64_t result_set_id;
	int64_t responses;
	int64_t municipalities, strata, variables, results;
	int64_t previous_set_id;     /* the year before's set compared with; 0: none */
	char notes[512];             /* what the reader should know, or "" */
};

/*
** Computes and stores a result set.  KTO_ENOTFOUND for an unknown wave or
** a year without waves; KTO_EINPUT when there is no complete response.
*/
enum kto_rc kto_results_compute(struct kto_db *db, const char *actor,
                                const struct kto_results_scope *scope,
                                struct kto_results_summary *out);

/* The newest result set of the scope (its id), KTO_ENOTFOUND when none. */
enum kto_rc kto_results_latest(struct kto_db *db, const struct kto_results_scope *scope,
                               int64_t *result_set_id);

/* ------------------------------------------------------------------ */
/* Reading a stored result set (results_read.c)                        */

struct kto_result_set_info {
	int64_t id;
	char scope[8];           /* "wave" or "year" */
	int64_t wave_id;
	int year;
	double level;
	int64_t responses;
	char notes[512];
	char computed_at[32];
	char computed_by[64];
};

enum kto_rc kto_results_set_info(struct kto_db *db, int64_t id,
                                 struct kto_result_set_info *out);

struct kto_result_comparison {
	bool made;
	double reference, diff, se, df, p, p_holm;
	int significant;         /* +1, -1, 0 */
};

/* One stored estimate; NaN for what could not be estimated. */
struct kto_result_row {
	char scope[16];          /* municipality, circle, all */
	char unit[32];           /* its code; "" for all */
	char channel[8];         /* counter, phone, email, all */
	char variable[64];
	char kind[8];            /* mark, share */
	char flag[16];           /* ok, indicative, too_few */
	int64_t n, dont_know;
	double estimate, se, df, ci_low, ci_high;
	double pass, pass_low, pass_high, high, high_low, high_high;
	bool has_distribution;
	double distribution[10];
	double target;           /* a norm's target share; NaN: none */
	int vs_target;           /* 1 met, -1 not met, 0 undecided; 2: none */
	struct kto_result_comparison vs[3];   /* circle, all, previous */
};

/*
** Calls fn for each stored result of set (ordered by scope, unit, channel,
** variable); unit and channel, when not NULL, keep only those (a
** municipality's code also keeps its circle and all participants).  fn's
** error stops the walk and is returned.
*/
enum kto_rc kto_results_rows(struct kto_db *db, int64_t set, const char *unit,
                             const char *channel,
                             enum kto_rc (*fn)(void *ctx, const struct kto_result_row *r),
                             void *ctx);

/* The same, keeping only one variable too (NULL: every one). */
enum kto_rc kto_results_rows_where(struct kto_db *db, int64_t set, const char *unit,
                                   const char *channel, const char *variable,
                                   enum kto_rc (*fn)(void *ctx,
                                                     const struct kto_result_row *r),
                                   void *ctx);

/*
** The newest result set of each wave of municipality `code` (kto results
** compute --wave), oldest wave first; *out freed by the caller.
*/
enum kto_rc kto_results_waves(struct kto_db *db, const char *code,
                              struct kto_result_set_info **out, size_t *count);

/* The newest result set of each year, newest year first; *out freed by the caller. */
enum kto_rc kto_results_years(struct kto_db *db, struct kto_result_set_info **out,
                              size_t *count);

struct kto_result_driver {
	char unit[32], area[16];
	int64_t n;
	double r2, coef, se, importance;
	double vs_circle;        /* the area's mark minus the circle's others' */
	char quadrant[16];       /* of the priority matrix; "" when unknown */
};

enum kto_rc kto_results_drivers(struct kto_db *db, int64_t set, const char *unit,
                                enum kto_rc (*fn)(void *ctx,
                                                  const struct kto_result_driver *d),
                                void *ctx);

#endif
