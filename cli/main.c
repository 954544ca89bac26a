/*
** kto: the one binary.  Parses the global options, then walks the command
** tables to the command named on the line and runs it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/db.h"

static const struct cli_cmd top_cmds[] = {
	{ "circle", "comparison circles (vergelijkingskringen)",
	  "Usage: kto circle COMMAND [OPTIONS]\n", NULL, cli_circle_cmds },
	{ "municipality", "municipalities (gemeenten) and their circle",
	  "Usage: kto municipality COMMAND [OPTIONS]\n", NULL, cli_municipality_cmds },
	{ "def", "survey definitions: check, load, list, show",
	  "Usage: kto def COMMAND [OPTIONS]\n", NULL, cli_def_cmds },
	{ "contacts", "import the contacts of a municipality",
	  "Usage: kto contacts COMMAND [OPTIONS]\n", NULL, cli_contacts_cmds },
	{ "wave", "survey waves: create, sample, show, export, verify, close",
	  "Usage: kto wave COMMAND [OPTIONS]\n", NULL, cli_wave_cmds },
	{ "exclude", "staff and test addresses that are never invited",
	  "Usage: kto exclude COMMAND [OPTIONS]\n", NULL, cli_exclude_cmds },
	{ "optout", "citizens who want no more invitations",
	  "Usage: kto optout COMMAND [OPTIONS]\n", NULL, cli_optout_cmds },
	{ "privacy", "retention purge; a citizen's export or erasure (AVG 15, 17)",
	  "Usage: kto privacy COMMAND [OPTIONS]\n", NULL, cli_privacy_cmds },
	{ "send", "deliver the due invitations and reminders over SMTP",
	  cli_send_usage, cli_send_exec, NULL },
	{ "config", "the installation's settings: SMTP server, public URL",
	  "Usage: kto config COMMAND [OPTIONS]\n", NULL, cli_config_cmds },
	{ "serve", "run the web server: questionnaires, opt-out pages, /healthz",
	  cli_serve_usage, cli_serve_exec, NULL },
	{ "qr", "the QR code of a municipality's open link for counter visitors",
	  cli_qr_usage, cli_qr_exec, NULL },
	{ "user", "portal accounts: add, list, disable, reset",
	  "Usage: kto user COMMAND [OPTIONS]\n", NULL, cli_user_cmds },
	{ "apikey", "API keys of the municipalities' systems: add, list, revoke",
	  "Usage: kto apikey COMMAND [OPTIONS]\n", NULL, cli_apikey_cmds },
	{ "audit", "the audit log: sign-ins, exports, waves, account changes",
	  cli_audit_usage, cli_audit_exec, NULL },
	{ "routes", "the portal's and the API's routes, and who may use each",
	  cli_routes_usage, cli_routes_exec, NULL },
	{ "results", "report marks of a wave or a year: compute, show",
	  "Usage: kto results COMMAND [OPTIONS]\n", NULL, cli_results_cmds },
	{ "report", "the tailored letters (Brief op Maat) and the overview, as PDF",
	  "Usage: kto report COMMAND [OPTIONS]\n", NULL, cli_report_cmds },
	{ "export", "exports for analysts: results (CSV, JSON), respondent data (CSV, .sav)",
	  "Usage: kto export COMMAND [OPTIONS]\n", NULL, cli_export_cmds },
	{ "stats", "design-based estimates for any CSV, as R's survey package",
	  "Usage: kto stats COMMAND [OPTIONS]\n", NULL, cli_stats_cmds },
	{ "backup", "a consistent copy of the database, taken while kto serves",
	  cli_backup_usage, cli_backup_exec, NULL },
	{ "check", "integrity and consistency of the database and its data model",
	  cli_check_usage, cli_check_exec, NULL },
	{ "demo", "build the demo: Kring C, questionnaires, synthetic contacts, waves",
	  cli_demo_usage, cli_demo_exec, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static const struct cli_cmd root = {
	"kto", "customer-satisfaction surveys (KTO) for municipalities",
	"Usage: kto [--db FILE] [--config FILE] [--json] COMMAND [ARGS...]\n"
	"\n"
	"Options:\n"
	"  --db FILE      the database (default: $KTO_DB, else ./kto.db); created\n"
	"                 and brought up to date on first use\n"
	"  --config FILE  the settings file (default: $KTO_CONFIG, else ./kto.conf,\n"
	"                 else /etc/kto/kto.conf, when they exist); KTO_SMTP_URL\n"
	"                 and the other KTO_* variables override it; see\n"
	"                 'kto config show'\n"
	"  --json         print one JSON document on stdout\n"
	"  --help         show this help; every command has --help too\n"
	"  --version      print the version\n"
	"\n"
	"Exit status: 0 success, 1 the input was wrong (the message says what to\n"
	"do), 2 wrong usage, 3 internal failure, 4 temporary failure (database\n"
	"busy or disk full: try again later).\n",
	NULL, top_cmds
};

/* Finds name among cmds; NULL when there is no such command. */
static const struct cli_cmd *
find_cmd(const struct cli_cmd *cmds, const char *name)
{
	for (const struct cli_cmd *c = cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
path_append(struct cli *cli, const char *name)
{
	size_t len = strlen(cli->path);

	snprintf(cli->path + len, sizeof cli->path - len, " %s", name);
}

/*
** Walks from a node with subcommands to the leaf argv names and runs it.
** argv[0] is the first word after the node's own name.
*/
static int
dispatch(struct cli *cli, const struct cli_cmd *node, int argc, char **argv)
{
	const struct cli_cmd *next;

	if (argc == 0) {
		fprintf(stderr, "%s: which command?\n\n", cli->path);
		cli_help(cli, node, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0 ||
	    strcmp(argv[0], "help") == 0) {
		cli_help(cli, node, stdout);
		return CLI_EXIT_OK;
	}
	next = find_cmd(node->subcommands, argv[0]);
	if (next == NULL) {
		fprintf(stderr, "%s: unknown command '%s'\n\n", cli->path, argv[0]);
		cli_help(cli, node, stderr);
		return CLI_EXIT_USAGE;
	}
	path_append(cli, next->name);
	if (next->subcommands != NULL)
		return dispatch(cli, next, argc - 1, argv + 1);
	optind = 0;     /* glibc: a full reinitialisation of getopt */
	return next->exec(cli, next, argc, argv);
}

int
main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const char *env = getenv("KTO_DB");
	int i, status;

	cli.db_path = env && *env ? env : "kto.db";
	snprintf(cli.path, sizeof cli.path, "kto");

	/* Global options come before the command. */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			cli.db_path = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			cli.db_path = argv[i] + 5;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			cli.config_path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			cli.config_path = argv[i] + 9;
		} else if (strcmp(argv[i], "--json") == 0) {
			cli.json = true;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("kto %s (schema version %d)\n", KTO_VERSION,
			    kto_db_latest_schema_version());
			return CLI_EXIT_OK;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			break;
		} else if (strcmp(argv[i], "--db") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			fprintf(stderr, "kto: option '%s' needs a value\n", argv[i]);
			return CLI_EXIT_USAGE;
		} else {
			fprintf(stderr, "kto: unknown option '%s'\n\n", argv[i]);
			cli_help(&cli, &root, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	status = dispatch(&cli, &root, argc - i, argv + i);
	kto_db_close(cli.db);
	if (fflush(stdout) != 0 && status == CLI_EXIT_OK) {
		perror("kto: writing the output");
		status = CLI_EXIT_INPUT;
	}
	return status;
}
