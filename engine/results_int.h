/*
** Inside engine/results: what results_load.c reads from the database for
** results.c to compute and store.
*/
#ifndef KTO_ENGINE_RESULTS_INT_H
#define KTO_ENGINE_RESULTS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/municipality.h"
#include "engine/results.h"
#include "engine/surveydef.h"
#include "stats/marks.h"

struct kto_db;

/* A wave's channel: one stratum of the design. */
struct stratum {
	int64_t wave_id;
	int channel;              /* enum kto_channel */
	double population;        /* N_h; 0 when the wave was never sampled */
	size_t municipality;
};

/* A definition version and the variables its questions and norms feed. */
struct version_map {
	int64_t version_id;
	const struct kto_survey *survey;
	size_t *question_var;     /* per question, SIZE_MAX for none */
	size_t area_var[KTO_AREA_COUNT];
	size_t *norm_var;         /* per norm */
};

struct loaded {
	struct stratum *strata;
	size_t n_strata, cap_strata;
	char (*mun_code)[KTO_CODE_MAX + 1];
	size_t *mun_circle;
	size_t n_mun, cap_mun, cap_mun_circle;
	char (*circle_code)[KTO_CODE_MAX + 1];
	size_t n_circles, cap_circles;
	struct version_map *versions;
	size_t n_versions, cap_versions;
	struct kto_marks_variable *vars;
	char **var_id;
	size_t n_vars, cap_vars, cap_var_ids;
	size_t *resp_stratum;     /* per complete response */
	double *value;            /* n_resp x n_vars */
	unsigned char *dont_know; /* n_resp x n_vars */
	size_t n_resp, cap_resp, cap_values;
	char *wave_ids_json;      /* "[1,2]": the scope's waves */
};

enum kto_rc results_load(struct kto_db *db, const struct kto_results_scope *scope,
                         struct loaded *l);
void results_loaded_free(struct loaded *l);

#endif
