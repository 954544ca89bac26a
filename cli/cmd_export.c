/*
** kto export results | responses: the aggregated results as CSV or JSON,
** and the anonymised respondent data as CSV or SPSS .sav
** (report/export.h, docs/exports.md).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/audit.h"
#include "engine/db.h"
#include "engine/municipality.h"
#include "engine/results.h"
#include "report/export.h"

enum format { FORMAT_NONE, FORMAT_CSV, FORMAT_JSON, FORMAT_SAV };

struct export_options {
	int64_t wave, set;
	int year;
	const char *municipality;
	enum format format;
	int dialect;             /* -1: not given */
	int bom;                 /* -1: the dialect's default */
	const char *out;
};

static const char *const format_name[] = { "", "csv", "json", "sav" };

static int
parse_options(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
              struct export_options *o, bool results)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "wave", required_argument, NULL, 'w' },
		{ "year", required_argument, NULL, 'y' },
		{ "set", required_argument, NULL, 's' },
		{ "municipality", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "dialect", required_argument, NULL, 'd' },
		{ "bom", no_argument, NULL, 'b' },
		{ "no-bom", no_argument, NULL, 'B' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	int c, status = CLI_EXIT_OK, given = 0;
	int64_t v;

	memset(o, 0, sizeof *o);
	o->dialect = o->bom = -1;
	while ((c = cli_getopt(cli, cmd, argc, argv, "ho:", opts, &status)) != -1) {
		switch (c) {
		case CLI_GETOPT_EXIT:
			return status;
		case 's':
			if (!results)
				return cli_usage_error(cli, cmd, "--set is an option of 'kto "
				    "export results'");
			/* FALLTHROUGH */
		case 'w':
		case 'y':
			if ((status = cli_scope_arg(cli, cmd, c == 'w' ? CLI_SCOPE_WAVE :
			    c == 'y' ? CLI_SCOPE_YEAR : CLI_SCOPE_SET, optarg, &v)) != CLI_CONTINUE)
				return status;
			if (c == 'w')
				o->wave = v;
			else if (c == 'y')
				o->year = (int)v;
			else
				o->set = v;
			given++;
			break;
		case 'm':
			o->municipality = optarg;
			break;
		case 'f':
			if (strcasecmp(optarg, "csv") == 0)
				o->format = FORMAT_CSV;
			else if (strcasecmp(optarg, "json") == 0 && results)
				o->format = FORMAT_JSON;
			else if (strcasecmp(optarg, "sav") == 0 && !results)
				o->format = FORMAT_SAV;
			else
				return cli_usage_error(cli, cmd, "--format '%s': give %s",
				    optarg, results ? "csv or json" : "csv or sav");
			break;
		case 'd':
			if (strcasecmp(optarg, "comma") == 0)
				o->dialect = KTO_DIALECT_COMMA;
			else if (strcasecmp(optarg, "nl") == 0)
				o->dialect = KTO_DIALECT_NL;
			else
				return cli_usage_error(cli, cmd, "--dialect '%s': give comma "
				    "(',' and a decimal point) or nl (';' and a decimal "
				    "comma, for Excel with Dutch settings)", optarg);
			break;
		case 'b':
		case 'B':
			o->bom = c == 'b';
			break;
		case 'o':
			o->out = optarg;
			break;
		}
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (given != 1)
		return cli_usage_error(cli, cmd, results ? "say which results: --wave W, "
		    "--year Y or --set ID" : "say which responses: --wave W or --year Y");
	return CLI_CONTINUE;
}

/* The rules that span options; CLI_CONTINUE when they hold. */
static int
check_options(struct cli *cli, const struct cli_cmd *cmd, struct export_options *o,
              bool results)
{
	if (o->out == NULL && !results)
		return cli_usage_error(cli, cmd, "say where to write: --out FILE "
		    "(--out - for standard output, CSV only)");
	if (o->out == NULL)
		o->out = "-";
	if (o->format == FORMAT_NONE) {
		const char *dot = strrchr(o->out, '.');

		if (dot != NULL && strcasecmp(dot, ".sav") == 0 && !results)
			o->format = FORMAT_SAV;
		else if (dot != NULL && strcasecmp(dot, ".json") == 0 && results)
			o->format = FORMAT_JSON;
		else if (results && cli->json && strcmp(o->out, "-") == 0)
			o->format = FORMAT_JSON;
		else if (results || strcmp(o->out, "-") == 0 ||
		    (dot != NULL && strcasecmp(dot, ".csv") == 0))
			o->format = FORMAT_CSV;
		else
			return cli_usage_error(cli, cmd, "say which format: --format csv "
			    "or --format sav");
	}
	if (o->format != FORMAT_CSV && (o->dialect >= 0 || o->bom >= 0))
		return cli_usage_error(cli, cmd, "--dialect, --bom and --no-bom are "
		    "for CSV; --format is %s", format_name[o->format]);
	if (o->format == FORMAT_SAV && strcmp(o->out, "-") == 0)
		return cli_usage_error(cli, cmd, "a .sav file is binary: give a file "
		    "name with --out");
	if (cli->json && strcmp(o->out, "-") == 0 && o->format != FORMAT_JSON)
		return cli_usage_error(cli, cmd, "--json prints a JSON document on "
		    "standard output, which the %s export writes to: give --out FILE",
		    format_name[o->format]);
	if (o->dialect < 0)
		o->dialect = KTO_DIALECT_COMMA;
	/* Excel reads UTF-8 only with a BOM; R and Python do without one. */
	if (o->bom < 0)
		o->bom = o->dialect == KTO_DIALECT_NL;
	return CLI_CONTINUE;
}

/* What was written, for the person or the script that asked. */
static int
report_written(struct cli *cli, const struct export_options *o, int64_t set,
               size_t rows, size_t columns)
{
	const char *dialect = o->format != FORMAT_CSV ? NULL :
	    o->dialect == KTO_DIALECT_NL ? "nl" : "comma";

	if (strcmp(o->out, "-") == 0)
		return CLI_EXIT_OK;
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_string(&out.j, "file", o->out);
		kto_json_kv_string(&out.j, "format", format_name[o->format]);
		kto_json_kv_string(&out.j, "dialect", dialect);
		if (set > 0) {
			kto_json_kv_int(&out.j, "result_set", set);
		} else {
			kto_json_kv_int(&out.j, "respondents", (int64_t)rows);
			kto_json_kv_int(&out.j, "variables", (int64_t)columns);
		}
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	if (set > 0)
		printf("Wrote result set %lld to %s (%s%s%s).\n", (long long)set, o->out,
		    format_name[o->format], dialect ? ", " : "", dialect ? dialect : "");
	else
		printf("Wrote %zu respondents, %zu variables, to %s (%s%s%s).\n", rows,
		    columns, o->out, format_name[o->format], dialect ? ", " : "",
		    dialect ? dialect : "");
	return CLI_EXIT_OK;
}

/* Who took which export, for the audit log (never what was in it). */
static enum kto_rc
audit_export(struct kto_db *db, const char *action, const struct export_options *o,
             int64_t set)
{
	char subject[96];

	if (set > 0)
		snprintf(subject, sizeof subject, "result set %lld, %s", (long long)set,
		    format_name[o->format]);
	else if (o->wave > 0)
		snprintf(subject, sizeof subject, "wave %lld, %s", (long long)o->wave,
		    format_name[o->format]);
	else
		snprintf(subject, sizeof subject, "year %d, %s", (int)o->year,
		    format_name[o->format]);
	return kto_audit_code(db, cli_actor(), action, o->municipality, subject, o->out);
}

/* ------------------------------------------------------------------ */
/* results                                                             */

static int
results_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct export_options o;
	struct kto_export_csv fmt;
	struct kto_export_file xf;
	struct kto_municipality m;
	struct kto_err err = KTO_ERR_INIT;
	struct kto_db *db;
	int status = parse_options(cli, cmd, argc, argv, &o, true);
	enum kto_rc rc;

	if (status != CLI_CONTINUE ||
	    (status = check_options(cli, cmd, &o, true)) != CLI_CONTINUE)
		return status;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if (o.set == 0) {
		struct kto_results_scope scope = { o.wave, o.year, 0, 0 };

		if ((rc = kto_results_latest(db, &scope, &o.set)) != KTO_OK)
			return cli_fail(cli, rc, NULL);
	}
	if (o.municipality != NULL &&
	    (rc = kto_municipality_find(db, o.municipality, &m)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if ((rc = kto_export_file_open(&xf, o.out, false, &err)) != KTO_OK)
		return cli_fail_err(cli, &err, NULL);
	fmt.dialect = (enum kto_export_dialect)o.dialect;
	fmt.bom = o.bom != 0;
	if (o.format == FORMAT_JSON)
		rc = kto_export_results_json(db, o.set, o.municipality ? m.code : NULL,
		    xf.f, &err);
	else
		rc = kto_export_results_csv(db, o.set, o.municipality ? m.code : NULL,
		    &fmt, xf.f, &err);
	if (rc != KTO_OK) {
		kto_export_file_abort(&xf);
		return cli_fail_err(cli, &err, NULL);
	}
	/* Logged before the file is put in place: a log that cannot be written
	 * (a busy or full database) leaves no export the log does not know. */
	if ((rc = audit_export(db, "export.results", &o, o.set)) != KTO_OK) {
		kto_export_file_abort(&xf);
		return cli_fail(cli, rc, NULL);
	}
	if ((rc = kto_export_file_commit(&xf, &err)) != KTO_OK)
		return cli_fail_err(cli, &err, NULL);
	return report_written(cli, &o, o.set, 0, 0);
}

/* ------------------------------------------------------------------ */
/* responses                                                           */

static int
responses_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct export_options o;
	struct kto_export_csv fmt;
	struct kto_export_file xf;
	struct kto_export_scope scope;
	struct kto_respondent_data *data;
	struct kto_err err = KTO_ERR_INIT;
	struct kto_db *db;
	size_t rows, columns;
	int status = parse_options(cli, cmd, argc, argv, &o, false);
	enum kto_rc rc;

	if (status != CLI_CONTINUE ||
	    (status = check_options(cli, cmd, &o, false)) != CLI_CONTINUE)
		return status;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	scope.wave_id = o.wave;
	scope.year = o.year;
	scope.municipality = o.municipality;
	if ((rc = kto_respondent_data_load(db, &scope, &data, &err)) != KTO_OK)
		return cli_fail_err(cli, &err, rc == KTO_EINPUT ? "the respondent data "
		    "can be exported once citizens have answered" : NULL);
	rows = kto_respondent_data_rows(data);
	columns = kto_respondent_data_columns(data);
	if ((rc = kto_export_file_open(&xf, o.out, true, &err)) != KTO_OK) {
		kto_respondent_data_free(data);
		return cli_fail_err(cli, &err, NULL);
	}
	fmt.dialect = (enum kto_export_dialect)o.dialect;
	fmt.bom = o.bom != 0;
	if (o.format == FORMAT_SAV)
		rc = kto_respondent_data_sav(data, xf.f, &err);
	else
		rc = kto_respondent_data_csv(data, &fmt, xf.f, &err);
	kto_respondent_data_free(data);
	if (rc != KTO_OK) {
		kto_export_file_abort(&xf);
		return cli_fail_err(cli, &err, NULL);
	}
	if ((rc = audit_export(db, "export.responses", &o, 0)) != KTO_OK) {
		kto_export_file_abort(&xf);
		return cli_fail(cli, rc, NULL);
	}
	if ((rc = kto_export_file_commit(&xf, &err)) != KTO_OK)
		return cli_fail_err(cli, &err, NULL);
	return report_written(cli, &o, 0, rows, columns);
}

const struct cli_cmd cli_export_cmds[] = {
	{ "results", "the report marks of a result set as CSV or JSON",
	  "Usage: kto export results (--wave WAVE | --year YEAR | --set ID)\n"
	  "           [--municipality CODE] [--format csv|json]\n"
	  "           [--dialect comma|nl] [--bom | --no-bom] [--out FILE]\n"
	  "\n"
	  "Writes the newest result set of the wave or year (or the given set):\n"
	  "one CSV record per result -- scope, unit, channel, variable, n, the\n"
	  "estimate with its interval, flag, % voldoende, the distribution of\n"
	  "marks and the comparisons (vs_circle_*, vs_all_*, vs_previous_*) -- or\n"
	  "the JSON document of 'kto results show --json'.  Shares are fractions\n"
	  "from 0 to 1.  Run 'kto results compute' first.\n"
	  "\n"
	  "  --municipality CODE  only this municipality (with its circle and all)\n"
	  "  --format F           csv (default) or json (default for FILE.json)\n"
	  "  --dialect D          comma: ',' and a decimal point (default; R,\n"
	  "                       Python); nl: ';' and a decimal comma, for Excel\n"
	  "                       with Dutch settings\n"
	  "  --bom, --no-bom      start with a UTF-8 byte-order mark, which Excel\n"
	  "                       needs to read UTF-8 (default: with nl only)\n"
	  "  --out FILE           write here (default: standard output, '-');\n"
	  "                       written whole or not at all\n",
	  results_exec, NULL },
	{ "responses", "the anonymised respondent data as CSV or SPSS .sav",
	  "Usage: kto export responses (--wave WAVE | --year YEAR)\n"
	  "           [--municipality CODE] [--format csv|sav]\n"
	  "           [--dialect comma|nl] [--bom | --no-bom] --out FILE\n"
	  "\n"
	  "Writes one record per complete response: a respondent number (random\n"
	  "but the same on every export of an unchanged scope), municipality,\n"
	  "channel, wave, stratum, weight (N_h/n_h), population (N_h), date\n"
	  "completed, language, desk, the overall mark as TOT, and a variable per\n"
	  "closed question (a multi: one 0/1 variable per option).  \"Weet niet\"\n"
	  "is an empty value with 1 in the question's _dk variable; in a .sav it\n"
	  "is also the user-missing code 99, labelled.  No e-mail address, token\n"
	  "or open answer is ever written.  The file is readable by you only.\n"
	  "\n"
	  "  --municipality CODE  only this municipality's respondents\n"
	  "  --format F           csv or sav (default: from FILE's extension)\n"
	  "  --dialect D          comma (default) or nl (';', decimal comma)\n"
	  "  --bom, --no-bom      UTF-8 byte-order mark (default: with nl only)\n"
	  "  --out FILE           write here ('-': standard output, CSV only);\n"
	  "                       written whole or not at all\n",
	  responses_exec, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
