/*
** Shared machinery of the kto commands: option parsing, opening the
** database, and turning status codes into messages and exit statuses.
*/
#include "cli/cli.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/strparse.h"
#include "engine/db.h"

void
cli_help(const struct cli *cli, const struct cli_cmd *cmd, FILE *out)
{
	fprintf(out, "%s - %s\n\n%s", cli->path, cmd->summary, cmd->usage);
	if (cmd->subcommands != NULL) {
		fprintf(out, "\nCommands:\n");
		for (const struct cli_cmd *c = cmd->subcommands; c->name != NULL; c++)
			fprintf(out, "  %-14s %s\n", c->name, c->summary);
		fprintf(out, "\nRun '%s COMMAND --help' for a command's options.\n",
		    cli->path);
	}
}

int
cli_usage_error(struct cli *cli, const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", cmd->usage);
	fprintf(stderr, "Run '%s --help' for more.\n", cli->path);
	return CLI_EXIT_USAGE;
}

/*
** Says what was wrong with an option getopt refused.  optopt alone cannot
** tell: for a long option it is 0 or the option's value, not a letter.
*/
static int
option_error(struct cli *cli, const struct cli_cmd *cmd, const char *arg,
             const char *shortopts, const struct option *longopts)
{
	if (strncmp(arg, "--", 2) == 0) {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);

		for (const struct option *o = longopts; o->name != NULL; o++) {
			if (strlen(o->name) != n || strncmp(o->name, name, n) != 0)
				continue;
			if (o->has_arg == no_argument && eq != NULL)
				return cli_usage_error(cli, cmd, "option '--%s' takes no "
				    "value", o->name);
			return cli_usage_error(cli, cmd, "option '--%s' needs a value",
			    o->name);
		}
		return cli_usage_error(cli, cmd, "unknown option '%.*s'",
		    (int)(eq ? (size_t)(eq - arg) : strlen(arg)), arg);
	}
	if (optopt > 0 && optopt < 128 && strchr(shortopts, optopt) != NULL)
		return cli_usage_error(cli, cmd, "option '-%c' needs a value", optopt);
	if (optopt > 0 && optopt < 128)
		return cli_usage_error(cli, cmd, "unknown option '-%c'", optopt);
	return cli_usage_error(cli, cmd, "unknown option '%s'", arg);
}

int
cli_getopt(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
           const char *shortopts, const struct option *longopts, int *exit_code)
{
	int c;

	opterr = 0;     /* we print our own messages */
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	switch (c) {
	case CLI_OPT_HELP:
		cli_help(cli, cmd, stdout);
		*exit_code = CLI_EXIT_OK;
		return CLI_GETOPT_EXIT;
	case CLI_OPT_JSON:
		cli->json = true;
		return cli_getopt(cli, cmd, argc, argv, shortopts, longopts, exit_code);
	case CLI_OPT_DB:
		cli->db_path = optarg;
		return cli_getopt(cli, cmd, argc, argv, shortopts, longopts, exit_code);
	case CLI_OPT_CONFIG:
		cli->config_path = optarg;
		return cli_getopt(cli, cmd, argc, argv, shortopts, longopts, exit_code);
	case '?':
	case ':':
		*exit_code = option_error(cli, cmd, argv[optind - 1], shortopts,
		    longopts);
		return CLI_GETOPT_EXIT;
	default:
		return c;
	}
}

bool
cli_positionals(struct cli *cli, const struct cli_cmd *cmd, int argc,
                char **argv, int min, int max)
{
	int n = argc - optind;

	if (n < min) {
		cli_usage_error(cli, cmd, "missing argument");
		return false;
	}
	if (n > max) {
		cli_usage_error(cli, cmd, "unexpected argument '%s'",
		    argv[optind + max]);
		return false;
	}
	return true;
}

int
cli_exit_for(enum kto_rc rc)
{
	switch (rc) {
	case KTO_OK:
		return CLI_EXIT_OK;
	case KTO_EBUSY:
	case KTO_EFULL:
		return CLI_EXIT_TEMPORARY;
	case KTO_ENOMEM:
	case KTO_EDB:
	case KTO_EINTERNAL:
	case KTO_RC_COUNT:
		return CLI_EXIT_INTERNAL;
	default:
		return CLI_EXIT_INPUT;
	}
}

int
cli_fail_err(struct cli *cli, const struct kto_err *err, const char *hint)
{
	fprintf(stderr, "%s: %s\n", cli->path, kto_err_msg(err));
	if (hint != NULL)
		fprintf(stderr, "%s: %s\n", cli->path, hint);
	return cli_exit_for(err->rc);
}

int
cli_fail(struct cli *cli, enum kto_rc rc, const char *hint)
{
	struct kto_err err = KTO_ERR_INIT;

	if (cli->db != NULL)
		err = *kto_db_err(cli->db);
	err.rc = rc;
	return cli_fail_err(cli, &err, hint);
}

struct kto_db *
cli_db(struct cli *cli)
{
	struct kto_err err = KTO_ERR_INIT;
	const char *now;

	if (cli->db != NULL)
		return cli->db;
	if (kto_db_open(cli->db_path, KTO_DB_CREATE, &cli->db, &err) != KTO_OK) {
		cli->open_status = cli_fail_err(cli, &err, NULL);
		return NULL;
	}
	/*
	** KTO_NOW pins the clock of every decision the engine makes by date
	** ("contacted in the last 7 days"), so that tests and demos give the
	** same result any day.  Never needed in production.
	*/
	if ((now = getenv("KTO_NOW")) != NULL && *now != '\0') {
		struct kto_datetime t;

		if (!kto_datetime_parse(now, &t)) {
			fprintf(stderr, "%s: KTO_NOW '%s' is not a date-time; unset it "
			    "or write 2026-11-23T12:00:00\n", cli->path, now);
			kto_db_close(cli->db);
			cli->db = NULL;
			cli->open_status = CLI_EXIT_USAGE;
			return NULL;
		}
		kto_db_set_now(cli->db, &t);
	}
	return cli->db;
}

/* The most --json output kto builds in memory. */
#define CLI_JSON_MAX (256u << 20)

void
cli_json_start(struct cli_json *out)
{
	kto_buf_init(&out->doc, CLI_JSON_MAX);
	kto_json_init(&out->j, &out->doc, true);
}

int
cli_json_done(struct cli *cli, struct cli_json *out)
{
	enum kto_rc rc = kto_json_finish(&out->j);
	int status = CLI_EXIT_OK;

	if (rc != KTO_OK) {
		fprintf(stderr, "%s: could not write the JSON output: %s\n",
		    cli->path, kto_strerror(rc));
		status = cli_exit_for(rc);
	} else {
		fwrite(kto_buf_str(&out->doc), 1, out->doc.len, stdout);
	}
	kto_buf_release(&out->doc);
	return status;
}

const char *
cli_actor(void)
{
	static char actor[64];
	const char *user = getenv("USER");

	if (user == NULL || *user == '\0')
		user = getenv("LOGNAME");
	snprintf(actor, sizeof actor, "cli:%s", user && *user ? user : "unknown");
	return actor;
}

int
cli_begin(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
          int min, int max, struct kto_db **db)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	int c, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, min, max))
		return CLI_EXIT_USAGE;
	if ((*db = cli_db(cli)) == NULL)
		return cli->open_status;
	return CLI_CONTINUE;
}

void
cli_print_config_diags(struct cli *cli, const char *file, const struct kto_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct kto_diag *g = &d->v[i];
		const char *sev = g->severity == KTO_SEV_WARNING ? "warning: " : "";

		if (g->line > 0)
			fprintf(stderr, "%s:%d: %s%s\n", file, g->line, sev, g->msg);
		else
			fprintf(stderr, "%s: %s%s\n", cli->path, sev, g->msg);
	}
	if (d->dropped > 0)
		fprintf(stderr, "%s: ... and %zu more problems not shown\n", cli->path,
		    d->dropped);
}

int
cli_scope_arg(struct cli *cli, const struct cli_cmd *cmd, enum cli_scope_kind kind,
              const char *arg, int64_t *out)
{
	switch (kind) {
	case CLI_SCOPE_WAVE:
		if (kto_parse_i64(arg, 1, INT64_MAX, out) == KTO_OK)
			return CLI_CONTINUE;
		return cli_usage_error(cli, cmd, "--wave '%s': give the wave's number, "
		    "as 'kto wave create' printed it", arg);
	case CLI_SCOPE_YEAR:
		if (kto_parse_i64(arg, 1000, 9999, out) == KTO_OK)
			return CLI_CONTINUE;
		return cli_usage_error(cli, cmd, "--year '%s': give a year such as 2026", arg);
	case CLI_SCOPE_SET:
		break;
	}
	if (kto_parse_i64(arg, 1, INT64_MAX, out) == KTO_OK)
		return CLI_CONTINUE;
	return cli_usage_error(cli, cmd, "--set '%s': give a result set's number", arg);
}
