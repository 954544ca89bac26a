/*
** kto results compute | show: the report marks of a wave or a year.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/db.h"
#include "engine/municipality.h"
#include "engine/results.h"
#include "report/export.h"

struct results_options {
	struct kto_results_scope scope;
	int64_t set;
	const char *municipality, *circle, *channel, *variable;
};

static int
parse_scope_options(struct cli *cli, const struct cli_cmd *cmd, int argc,
                    char **argv, struct results_options *o, bool show)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "wave", required_argument, NULL, 'w' },
		{ "year", required_argument, NULL, 'y' },
		{ "level", required_argument, NULL, 'l' },
		{ "set", required_argument, NULL, 's' },
		{ "municipality", required_argument, NULL, 'm' },
		{ "circle", required_argument, NULL, 'c' },
		{ "channel", required_argument, NULL, 'k' },
		{ "variable", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int c, status = CLI_EXIT_OK, given = 0;
	int64_t v;

	memset(o, 0, sizeof *o);
	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if ((c == 's' || c == 'm' || c == 'c' || c == 'k' || c == 'v') && !show)
			return cli_usage_error(cli, cmd, "--%s is an option of 'kto "
			    "results show'", c == 's' ? "set" : c == 'm' ? "municipality" :
			    c == 'c' ? "circle" : c == 'k' ? "channel" : "variable");
		if (c == 'l' && show)
			return cli_usage_error(cli, cmd, "--level is chosen when computing");
		switch (c) {
		case 'w':
		case 'y':
		case 's':
			if ((status = cli_scope_arg(cli, cmd, c == 'w' ? CLI_SCOPE_WAVE :
			    c == 'y' ? CLI_SCOPE_YEAR : CLI_SCOPE_SET, optarg, &v)) != CLI_CONTINUE)
				return status;
			if (c == 'w')
				o->scope.wave_id = v;
			else if (c == 'y')
				o->scope.year = (int)v;
			else
				o->set = v;
			given++;
			break;
		case 'l':
			if (kto_parse_double(optarg, 0, 1, &o->scope.level) != KTO_OK ||
			    o->scope.level <= 0 || o->scope.level >= 1)
				return cli_usage_error(cli, cmd, "--level '%s': a fraction "
				    "between 0 and 1, e.g. 0.95", optarg);
			break;
		case 'm': o->municipality = optarg; break;
		case 'c': o->circle = optarg; break;
		case 'k': o->channel = optarg; break;
		case 'v': o->variable = optarg; break;
		}
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (given != 1)
		return cli_usage_error(cli, cmd, show ? "say which results: --wave W, "
		    "--year Y or --set ID" : "say which responses: --wave W or --year Y");
	return CLI_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* compute                                                             */

static int
compute_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct results_options o;
	struct kto_results_summary sum;
	struct kto_db *db;
	int status = parse_scope_options(cli, cmd, argc, argv, &o, false);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_results_compute(db, cli_actor(), &o.scope, &sum);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, rc == KTO_EINPUT ? "results can be computed "
		    "once citizens have answered" : NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_int(&out.j, "result_set", sum.result_set_id);
		kto_json_kv_int(&out.j, "responses", sum.responses);
		kto_json_kv_int(&out.j, "municipalities", sum.municipalities);
		kto_json_kv_int(&out.j, "strata", sum.strata);
		kto_json_kv_int(&out.j, "variables", sum.variables);
		kto_json_kv_int(&out.j, "results", sum.results);
		kto_json_key(&out.j, "previous_result_set");
		if (sum.previous_set_id)
			kto_json_int(&out.j, sum.previous_set_id);
		else
			kto_json_null(&out.j);
		kto_json_kv_string(&out.j, "notes", sum.notes);
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("Result set %lld: %lld responses of %lld municipalities in %lld "
	    "strata; %lld variables, %lld results.\n", (long long)sum.result_set_id,
	    (long long)sum.responses, (long long)sum.municipalities,
	    (long long)sum.strata, (long long)sum.variables, (long long)sum.results);
	if (sum.previous_set_id)
		printf("Compared with the year before: result set %lld.\n",
		    (long long)sum.previous_set_id);
	if (sum.notes[0])
		printf("Note: %s\n", sum.notes);
	printf("Show them with 'kto results show --set %lld'.\n",
	    (long long)sum.result_set_id);
	return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* show                                                                */

struct show {
	const struct results_options *o;
	struct kto_municipality *mun;    /* --circle: its members */
	size_t n_mun;
	struct cli_json *json;
	char group[96];                  /* the table being printed */
	int64_t rows;
	/* One variable: a table of units by channel, collected first. */
	struct kto_result_row *matrix;
	size_t n_matrix, cap_matrix;
	enum kto_rc matrix_rc;
};

/* A mark with one decimal and a decimal comma, as the reports show it. */
static void
mark_text(double v, bool share, char *out, size_t n)
{
	char *dot;

	if (!isfinite(v)) {
		snprintf(out, n, "-");
		return;
	}
	snprintf(out, n, share ? "%.0f%%" : "%.1f", share ? 100 * v : v);
	if ((dot = strchr(out, '.')) != NULL)
		*dot = ',';
}

static bool
in_circle(const struct show *s, const char *unit)
{
	for (size_t i = 0; i < s->n_mun; i++)   /* the circle's members */
		if (strcmp(s->mun[i].code, unit) == 0)
			return true;
	return false;
}

static bool
wanted(const struct show *s, const struct kto_result_row *r)
{
	if (s->o->variable && strcmp(s->o->variable, r->variable) != 0)
		return false;
	if (s->o->circle == NULL)
		return true;
	if (strcmp(r->scope, "circle") == 0)
		return strcasecmp(r->unit, s->o->circle) == 0;
	return strcmp(r->scope, "all") == 0 || in_circle(s, r->unit);
}

static void
print_comparison(const struct kto_result_row *r, int k)
{
	const struct kto_result_comparison *c = &r->vs[k];
	bool share = strcmp(r->kind, "share") == 0;
	char d[16];

	if (!c->made) {
		printf(" %-10s", "");
		return;
	}
	d[0] = c->diff > 0 ? '+' : '\0';
	mark_text(c->diff, share, d + (c->diff > 0), sizeof d - 1);
	/* UTF-8 arrows: the marks of DOMAIN.md's report conventions. */
	printf(" %s %-8s", c->significant > 0 ? "\xe2\x96\xb2" : c->significant < 0 ?
	    "\xe2\x96\xbc" : " ", d);
}

static void
print_row(struct show *s, const struct kto_result_row *r)
{
	bool share = strcmp(r->kind, "share") == 0;
	char group[96], est[16], lo[16], hi[16];

	snprintf(group, sizeof group, "%s %s, channel %s", r->scope, r->unit, r->channel);
	if (strcmp(group, s->group) != 0) {
		snprintf(s->group, sizeof s->group, "%s", group);
		printf("\n%s %s%s channel %s\n", strcmp(r->scope, "all") == 0 ?
		    "All participants" : r->scope, r->unit, r->unit[0] ? "," : "",
		    r->channel);
		printf("  %-14s %6s %6s %15s  %-10s %-10s %-10s %-10s\n", "variable",
		    "n", "mark", "interval", "flag", "vs circle", "vs all", "vs prev.");
	}
	if (strcmp(r->flag, "too_few") == 0) {
		printf("  %-14s %6lld %s\n", r->variable, (long long)r->n,
		    "  te weinig waarnemingen (fewer than 30)");
		return;
	}
	mark_text(r->estimate, share, est, sizeof est);
	mark_text(r->ci_low, share, lo, sizeof lo);
	mark_text(r->ci_high, share, hi, sizeof hi);
	printf("  %-14s %6lld %6s %7s - %-5s  %-10s", r->variable, (long long)r->n,
	    est, lo, hi, r->flag);
	for (int k = 0; k < 3; k++)
		print_comparison(r, k);
	if (isfinite(r->target) && r->vs_target != 2)
		printf(" target %.0f%%: %s", 100 * r->target, r->vs_target > 0 ? "met" :
		    r->vs_target < 0 ? "not met" : "undecided");
	putchar('\n');
}

static enum kto_rc
show_row(void *ctx, const struct kto_result_row *r)
{
	struct show *s = ctx;

	if (!wanted(s, r))
		return KTO_OK;
	s->rows++;
	if (s->json != NULL) {
		kto_result_row_json(&s->json->j, r);
	} else if (s->o->variable != NULL) {
		if (s->n_matrix == s->cap_matrix) {
			size_t cap = s->cap_matrix ? 2 * s->cap_matrix : 64;
			struct kto_result_row *m = realloc(s->matrix, cap * sizeof *m);

			if (m == NULL)
				return KTO_ENOMEM;
			s->matrix = m;
			s->cap_matrix = cap;
		}
		s->matrix[s->n_matrix++] = *r;
	} else {
		print_row(s, r);
	}
	return KTO_OK;
}

/* "7,5 n=68 ▲": a cell of the one-variable table. */
static void
matrix_cell(const struct kto_result_row *r)
{
	char est[16], cell[48];
	const struct kto_result_comparison *c = &r->vs[0];

	if (r == NULL || strcmp(r->flag, "too_few") == 0) {
		printf(" %-18s", r == NULL ? "" : "te weinig");
		return;
	}
	mark_text(r->estimate, strcmp(r->kind, "share") == 0, est, sizeof est);
	snprintf(cell, sizeof cell, "%s%s n=%lld%s", est,
	    strcmp(r->flag, "indicative") == 0 ? "*" : "", (long long)r->n,
	    c->made && c->significant > 0 ? " \xe2\x96\xb2" :
	    c->made && c->significant < 0 ? " \xe2\x96\xbc" : "");
	/* The arrows are 3 bytes but one column wide. */
	printf(" %-*s", c->made && c->significant ? 20 : 18, cell);
}

static const struct kto_result_row *
matrix_find(const struct show *s, const struct kto_result_row *unit, const char *channel)
{
	for (size_t i = 0; i < s->n_matrix; i++)
		if (strcmp(s->matrix[i].scope, unit->scope) == 0 &&
		    strcmp(s->matrix[i].unit, unit->unit) == 0 &&
		    strcmp(s->matrix[i].channel, channel) == 0)
			return &s->matrix[i];
	return NULL;
}

static void
print_matrix(const struct show *s)
{
	static const char *const channels[] = { "counter", "phone", "email", "all" };

	printf("\n%s per municipality and channel (* indicative: n < 100 or wider than "
	    "+-0,5; \xe2\x96\xb2/\xe2\x96\xbc significantly above/below the circle's "
	    "other members)\n\n", s->o->variable);
	printf("%-22s %-18s %-18s %-18s %-18s\n", "", "balie (counter)",
	    "telefoon (phone)", "e-mail", "alle kanalen (all)");
	for (size_t i = 0; i < s->n_matrix; i++) {
		const struct kto_result_row *u = &s->matrix[i];
		char name[64];

		if (i > 0 && strcmp(u->scope, s->matrix[i - 1].scope) == 0 &&
		    strcmp(u->unit, s->matrix[i - 1].unit) == 0)
			continue;
		snprintf(name, sizeof name, "%s%s", strcmp(u->scope, "all") == 0 ?
		    "all participants" : u->scope[0] == 'c' ? "circle " : "", u->unit);
		printf("%-22s", name);
		for (int c = 0; c < 4; c++)
			matrix_cell(matrix_find(s, u, channels[c]));
		putchar('\n');
	}
}

static enum kto_rc
show_driver(void *ctx, const struct kto_result_driver *d)
{
	struct show *s = ctx;

	if (s->o->circle == NULL || in_circle(s, d->unit))
		kto_result_driver_json(&s->json->j, d);
	return KTO_OK;
}

static void
json_set(struct kto_json *j, const struct kto_result_set_info *info)
{
	kto_json_key(j, "result_set");
	kto_json_object_begin(j);
	kto_json_kv_int(j, "id", info->id);
	kto_json_kv_string(j, "scope", info->scope);
	if (info->wave_id)
		kto_json_kv_int(j, "wave", info->wave_id);
	else
		kto_json_kv_int(j, "year", info->year);
	kto_json_kv_double(j, "level", info->level);
	kto_json_kv_int(j, "responses", info->responses);
	kto_json_kv_string(j, "computed_at", info->computed_at);
	kto_json_kv_string(j, "notes", info->notes);
	kto_json_object_end(j);
}

static int
show_json(struct cli *cli, struct kto_db *db, struct show *s,
          const struct kto_result_set_info *info)
{
	struct cli_json out;
	enum kto_rc rc;

	cli_json_start(&out);
	s->json = &out;
	kto_json_object_begin(&out.j);
	json_set(&out.j, info);
	kto_json_key(&out.j, "results");
	kto_json_array_begin(&out.j);
	rc = kto_results_rows(db, info->id, s->o->municipality, s->o->channel, show_row, s);
	kto_json_array_end(&out.j);
	kto_json_key(&out.j, "drivers");
	kto_json_array_begin(&out.j);
	if (rc == KTO_OK)
		rc = kto_results_drivers(db, info->id, s->o->municipality, show_driver, s);
	kto_json_array_end(&out.j);
	kto_json_object_end(&out.j);
	if (rc != KTO_OK) {
		kto_buf_release(&out.doc);
		return cli_fail(cli, rc, NULL);
	}
	return cli_json_done(cli, &out);
}

static int
show_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct results_options o;
	struct kto_result_set_info info;
	struct show s;
	struct kto_db *db;
	int status = parse_scope_options(cli, cmd, argc, argv, &o, true);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	memset(&s, 0, sizeof s);
	s.o = &o;
	if (o.set == 0 && (rc = kto_results_latest(db, &o.scope, &o.set)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if ((rc = kto_results_set_info(db, o.set, &info)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (o.circle != NULL &&
	    (rc = kto_municipality_list(db, o.circle, &s.mun, &s.n_mun)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		status = show_json(cli, db, &s, &info);
		free(s.mun);
		return status;
	}
	printf("Result set %lld (%s %lld), %g%% intervals, %lld responses, computed %s\n",
	    (long long)info.id, info.wave_id ? "wave" : "year",
	    (long long)(info.wave_id ? info.wave_id : info.year), info.level * 100,
	    (long long)info.responses, info.computed_at);
	if (info.notes[0])
		printf("Note: %s\n", info.notes);
	rc = kto_results_rows(db, info.id, o.municipality, o.channel, show_row, &s);
	free(s.mun);
	if (rc == KTO_OK && s.n_matrix > 0)
		print_matrix(&s);
	free(s.matrix);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (s.rows == 0)
		printf("\nNo results match.\n");
	else if (o.variable == NULL)
		printf("\nMarks with a decimal comma; shares in %%. \xe2\x96\xb2/\xe2\x96\xbc: "
		    "significantly higher/lower (5 %%, Holm per table); "
		    "indicative: n < 100 or wider than +-0,5.\n");
	return CLI_EXIT_OK;
}

const struct cli_cmd cli_results_cmds[] = {
	{ "compute", "compute and store the report marks of a wave or a year",
	  "Usage: kto results compute (--wave WAVE | --year YEAR) [--level 0.95] [--json]\n"
	  "\n"
	  "Computes every report mark from the complete responses: per municipality\n"
	  "and channel, per municipality (channels weighted by their contacts), per\n"
	  "circle and for all participants; % voldoende (>= 5.5) and % 8 or more;\n"
	  "the service norms; comparisons with the circle's other members, all\n"
	  "participants and (for a year) the year before; the key drivers of the\n"
	  "overall mark.  Stores them as a new result set.\n"
	  "\n"
	  "  --wave WAVE   one wave's responses (one municipality)\n"
	  "  --year YEAR   every wave that starts in YEAR: the benchmark\n"
	  "  --level L     confidence level of the intervals (default 0.95)\n",
	  compute_exec, NULL },
	{ "show", "show stored report marks",
	  "Usage: kto results show (--wave WAVE | --year YEAR | --set ID)\n"
	  "           [--municipality CODE] [--circle CODE] [--channel C]\n"
	  "           [--variable V] [--json]\n"
	  "\n"
	  "Shows the newest result set of the wave or year (or the given set).\n"
	  "\n"
	  "  --municipality CODE  only this municipality (with its circle and all)\n"
	  "  --circle CODE        only this circle and its members\n"
	  "  --channel C          counter, phone, email or all (channels combined)\n"
	  "  --variable V         one variable: a question id, TOT, area:BEJ, norm:N1\n"
	  "  --json               {\"result_set\", \"results\": [...], \"drivers\": [...]}\n",
	  show_exec, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
