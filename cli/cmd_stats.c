/*
** kto stats estimate: design-based estimates for any CSV file, as R's
** survey package computes them (svymean, svyby, svyciprop on
** svydesign(id = ~1, strata, fpc, weights)), for analysts' own files.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "cli/stats_input.h"
#include "stats/svy.h"

struct estimate_options {
	struct stats_columns cols;
	const char *csv;
	bool proportion;
	bool total;              /* svytotal rather than svymean */
	const char *method;      /* NULL: logit */
	double level;
};

static int
parse_options(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
              struct estimate_options *o)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "csv", required_argument, NULL, 'c' },
		{ "value", required_argument, NULL, 'v' },
		{ "strata", required_argument, NULL, 's' },
		{ "fpc", required_argument, NULL, 'f' },
		{ "weights", required_argument, NULL, 'w' },
		{ "by", required_argument, NULL, 'b' },
		{ "proportion", no_argument, NULL, 'p' },
		{ "total", no_argument, NULL, 't' },
		{ "method", required_argument, NULL, 'm' },
		{ "level", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const char *level = NULL;
	int c, status = CLI_EXIT_OK;

	memset(o, 0, sizeof *o);
	o->level = 0.95;
	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		switch (c) {
		case CLI_GETOPT_EXIT: return status;
		case 'c': o->csv = optarg; break;
		case 'v': o->cols.value = optarg; break;
		case 's': o->cols.strata = optarg; break;
		case 'f': o->cols.fpc = optarg; break;
		case 'w': o->cols.weights = optarg; break;
		case 'b': o->cols.by = optarg; break;
		case 'p': o->proportion = true; break;
		case 't': o->total = true; break;
		case 'm': o->method = optarg; break;
		case 'l': level = optarg; break;
		}
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (o->csv == NULL || o->cols.value == NULL)
		return cli_usage_error(cli, cmd, "say which file and column: --csv "
		    "FILE --value COLUMN");
	if (level != NULL && (kto_parse_double(level, 0, 1, &o->level) != KTO_OK ||
	    o->level <= 0 || o->level >= 1))
		return cli_usage_error(cli, cmd, "--level '%s': give the confidence "
		    "level as a fraction between 0 and 1, e.g. 0.95", level);
	if (o->total && o->proportion)
		return cli_usage_error(cli, cmd, "--total and --proportion: choose one");
	if (o->method != NULL && !o->proportion)
		return cli_usage_error(cli, cmd, "--method is for proportions: add "
		    "--proportion");
	if (o->method != NULL && strcmp(o->method, "logit") != 0 &&
	    strcmp(o->method, "beta") != 0 && strcmp(o->method, "mean") != 0)
		return cli_usage_error(cli, cmd, "--method '%s': use logit, beta or "
		    "mean", o->method);
	o->cols.zero_one = o->proportion;
	return CLI_CONTINUE;
}

static enum kto_svy_prop_method
prop_method(const char *name)
{
	if (name != NULL && strcmp(name, "beta") == 0)
		return KTO_PROP_BETA;
	if (name != NULL && strcmp(name, "mean") == 0)
		return KTO_PROP_MEAN;
	return KTO_PROP_LOGIT;
}

static void
json_estimate(struct kto_json *j, const char *group,
              const struct kto_svy_estimate *e, bool proportion)
{
	kto_json_object_begin(j);
	kto_json_kv_string(j, "group", group);
	kto_json_kv_int(j, "n", (int64_t)e->n);
	kto_json_kv_double(j, "estimate", e->estimate);
	kto_json_kv_double(j, "se", e->se);
	kto_json_kv_double(j, "ci_low", e->ci_low);
	kto_json_kv_double(j, "ci_high", e->ci_high);
	kto_json_kv_double(j, "df", e->df);
	if (proportion)
		kto_json_kv_string(j, "method", e->method);
	kto_json_object_end(j);
}

static void
print_number(double v)
{
	if (isfinite(v))
		printf(" %12.6g", v);
	else
		printf(" %12s", "NA");
}

static void
print_table(const struct estimate_options *o, const struct stats_input *in,
            const struct kto_svy_estimate *est, size_t n_out)
{
	size_t width = 5;

	for (size_t g = 0; g < in->n_groups; g++)
		if (strlen(in->group_label[g]) > width)
			width = strlen(in->group_label[g]);
	printf("%s of '%s' in %s: %zu rows, %zu strata%s%s%s; %g%% intervals (%s)\n",
	    o->proportion ? "Proportion" : o->total ? "Total" : "Mean", o->cols.value, o->csv,
	    in->n_rows, in->n_strata, o->cols.fpc ? ", population from '" : "",
	    o->cols.fpc ? o->cols.fpc : "", o->cols.fpc ? "'" : "", o->level * 100,
	    !o->proportion ? "Student's t" : o->method ? o->method : "logit");
	printf("%-*s %8s %12s %12s %12s %12s %8s%s\n", (int)width, "group", "n",
	    "estimate", "se", "ci_low", "ci_high", "df", o->proportion ?
	    "  method" : "");
	for (size_t g = 0; g < n_out; g++) {
		printf("%-*s %8zu", (int)width, in->n_groups ? in->group_label[g] :
		    "all", est[g].n);
		print_number(est[g].estimate);
		print_number(est[g].se);
		print_number(est[g].ci_low);
		print_number(est[g].ci_high);
		if (isfinite(est[g].df))
			printf(" %8.0f", est[g].df);
		else
			printf(" %8s", "NA");
		printf("%s%s\n", o->proportion ? "  " : "", o->proportion ?
		    est[g].method : "");
	}
}

static int
estimate_and_print(struct cli *cli, const struct estimate_options *o,
                   const struct stats_input *in)
{
	struct kto_svy_design d;
	struct kto_svy_error err;
	size_t n_out = in->n_groups ? in->n_groups : 1;
	size_t *all = NULL;
	struct kto_svy_estimate *est = calloc(n_out, sizeof *est);
	enum kto_rc rc;

	if (est == NULL)
		return CLI_EXIT_INTERNAL;
	rc = kto_svy_design_init(&d, in->n_rows, in->stratum, in->n_strata,
	    in->population, in->weight, &err);
	if (rc == KTO_EINPUT) {
		fprintf(stderr, "%s: %s: %s\n", cli->path, o->csv, err.msg);
		free(est);
		return CLI_EXIT_INPUT;
	}
	if (rc == KTO_OK && o->cols.by == NULL &&
	    (all = calloc(in->n_rows ? in->n_rows : 1, sizeof *all)) == NULL)
		rc = KTO_ENOMEM;
	if (rc == KTO_OK)
		rc = (o->total ? kto_svy_by_total : kto_svy_by)(&d, in->value,
		    all ? all : in->group, n_out, o->level, est, NULL);
	if (rc == KTO_OK && o->proportion)
		for (size_t g = 0; g < n_out; g++)
			kto_svy_ciprop(&est[g], est[g].n, prop_method(o->method), o->level);
	if (rc == KTO_OK && cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t g = 0; g < n_out; g++)
			json_estimate(&out.j, in->n_groups ? in->group_label[g] : "all",
			    &est[g], o->proportion);
		kto_json_array_end(&out.j);
		free(est);
		free(all);
		kto_svy_design_free(&d);
		return cli_json_done(cli, &out);
	}
	if (rc == KTO_OK)
		print_table(o, in, est, n_out);
	free(est);
	free(all);
	kto_svy_design_free(&d);
	return rc == KTO_OK ? CLI_EXIT_OK : cli_exit_for(rc);
}

static int
estimate_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct estimate_options o;
	struct stats_input in;
	int status = parse_options(cli, cmd, argc, argv, &o);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((rc = stats_input_read(o.csv, &o.cols, cli->path, &in)) != KTO_OK)
		return cli_exit_for(rc);
	status = estimate_and_print(cli, &o, &in);
	stats_input_free(&in);
	return status;
}

const struct cli_cmd cli_stats_cmds[] = {
	{ "estimate", "means and proportions with confidence intervals for any CSV",
	  "Usage: kto stats estimate --csv FILE --value COLUMN [--strata COL[,COL]]\n"
	  "           [--fpc COLUMN] [--weights COLUMN] [--by COLUMN]\n"
	  "           [--proportion [--method logit|beta|mean] | --total]\n"
	  "           [--level 0.95] [--json]\n"
	  "\n"
	  "Estimates the mean (or, with --proportion, the proportion of 1s) of a\n"
	  "column in a stratified random sample, exactly as R's survey package does\n"
	  "with svydesign(id=~1, strata=~..., fpc=~..., weights=~...) and svymean,\n"
	  "svyby and svyciprop (lonely strata as survey.lonely.psu = \"adjust\").\n"
	  "\n"
	  "  --csv FILE         the data; comma or semicolon separated (a decimal\n"
	  "                     comma is fine), a header row with the column names;\n"
	  "                     - reads standard input\n"
	  "  --value COLUMN     what to estimate; an empty field (or NA) is a missing\n"
	  "                     value: left out, as na.rm=TRUE does (domain estimation:\n"
	  "                     the row still counts in its stratum)\n"
	  "  --strata COLUMNS   the stratum of each row; several columns combine\n"
	  "                     (e.g. municipality,channel); none: one stratum\n"
	  "  --fpc COLUMN       the stratum's population size N_h, the same on each of\n"
	  "                     its rows (or, when all values are at most 1, the\n"
	  "                     sampling fraction); weights are then N_h/n_h\n"
	  "  --weights COLUMN   sampling weights, used as given (fpc then only\n"
	  "                     corrects the variance); default N_h/n_h, else 1\n"
	  "  --by COLUMN        one estimate per value of this column (svyby); rows\n"
	  "                     with it empty belong to no group\n"
	  "  --proportion       the column holds 0 and 1: estimate the share of 1s,\n"
	  "                     with an interval inside 0..1\n"
	  "  --total            estimate the population total (svytotal) instead\n"
	  "  --method M         logit (default), beta (Korn-Graubard) or mean (Wald);\n"
	  "                     a share of exactly 0 or 1 gets a Clopper-Pearson bound\n"
	  "  --level L          the confidence level, default 0.95\n"
	  "  --json             [{\"group\", \"n\", \"estimate\", \"se\", \"ci_low\",\n"
	  "                     \"ci_high\", \"df\"[, \"method\"]}, ...]; null for what\n"
	  "                     cannot be estimated\n"
	  "\n"
	  "n is the rows with a value in the group; intervals use Student's t with\n"
	  "df = n - (strata with such rows), R's degf() of the subset.\n",
	  estimate_exec, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
