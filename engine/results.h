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

#endif
