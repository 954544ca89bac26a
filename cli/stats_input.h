/*
** The rows of an analyst's CSV file as `kto stats estimate` needs them:
** the value column as numbers (missing as NaN), the strata as numbers
** 0..H-1, the population sizes per stratum, the weights, and the --by
** groups as numbers 0..G-1 in the byte order of their labels.
**
** Every bad field is reported with the file, the row as a spreadsheet
** shows it (the header is row 1) and the column, and what to do.
*/
#ifndef KTO_CLI_STATS_INPUT_H
#define KTO_CLI_STATS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/status.h"

struct stats_columns {
	const char *value;       /* required */
	const char *strata;      /* "a,b" or NULL */
	const char *fpc;         /* NULL when none */
	const char *weights;     /* NULL when none */
	const char *by;          /* NULL when none */
	bool zero_one;           /* values must be 0 or 1 (--proportion) */
};

struct stats_input {
	size_t n_rows;
	double *value;           /* NaN when empty */
	size_t *stratum;
	size_t n_strata;
	double *population;      /* per stratum; NULL without --fpc */
	double *weight;          /* per row; NULL without --weights */
	size_t *group;           /* per row; SIZE_MAX when the by field is empty */
	char **group_label;      /* per group, sorted */
	size_t n_groups;
	char **stratum_label;    /* per stratum, for messages */
};

/*
** Reads file ("-" for standard input).  On KTO_EINPUT the message, naming
** the file and row, is printed on stderr with the prefix who (e.g.
** "kto stats estimate"); KTO_ENOMEM and KTO_EIO likewise.
*/
enum kto_rc stats_input_read(const char *file, const struct stats_columns *cols,
                             const char *who, struct stats_input *in);

void stats_input_free(struct stats_input *in);

#endif
