/*
** The kto command line: a tree of commands described by tables (after
** tmux's cmd_entry).  A node with subcommands only dispatches; a leaf has
** an exec function that parses its own options with cli_getopt().
*/
#ifndef KTO_CLI_CLI_H
#define KTO_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/status.h"

struct kto_db;

/* Exit statuses (DESIGN.md section 4). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_INPUT = 1,      /* the input was wrong; stderr says what to do */
	CLI_EXIT_USAGE = 2,      /* wrong usage: unknown command or option */
	CLI_EXIT_INTERNAL = 3,   /* an internal failure (a bug, out of memory) */
	CLI_EXIT_TEMPORARY = 4   /* try again later: database busy, disk full */
};

struct cli;

struct cli_cmd {
	const char *name;
	const char *summary;            /* one line, for the parent's list */
	const char *usage;              /* the synopsis and options, for --help */
	int (*exec)(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
	const struct cli_cmd *subcommands;   /* NULL-terminated by name == NULL */
};

struct cli {
	const char *db_path;     /* --db, else $KTO_DB, else ./kto.db */
	const char *config_path; /* --config FILE, else NULL: kto_config_load()
	                            looks at $KTO_CONFIG, ./kto.conf and
	                            /etc/kto/kto.conf */
	bool json;               /* --json: one JSON document on stdout */
	struct kto_db *db;       /* opened on first use by cli_db() */
	int open_status;         /* the exit status when opening failed */
	char path[256];          /* "kto circle add", for messages */
};

/* Options every leaf accepts; put CLI_COMMON_OPTIONS first in its table. */
#define CLI_OPT_HELP 'h'
#define CLI_OPT_JSON 0x100
#define CLI_OPT_DB   0x101
#define CLI_OPT_CONFIG 0x102
#define CLI_COMMON_OPTIONS \
	{ "help", no_argument, NULL, CLI_OPT_HELP }, \
	{ "json", no_argument, NULL, CLI_OPT_JSON }, \
	{ "db", required_argument, NULL, CLI_OPT_DB }, \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }

/* Prints cmd's help (and its subcommands, if any) to out. */
void cli_help(const struct cli *cli, const struct cli_cmd *cmd, FILE *out);

/*
** getopt_long with kto's conventions: --help prints the command's help,
** --json, --db and --config are handled, and an unknown or incomplete
** option is a usage error.  Returns the next option character, -1 at the
** end, or CLI_GETOPT_EXIT with *exit_code set when the command must stop
** (after --help, or a usage error).
*/
#define CLI_GETOPT_EXIT (-2)
int cli_getopt(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
               const char *shortopts, const struct option *longopts, int *exit_code);

/*
** Checks the number of positional arguments left after the options;
** prints a usage error and returns false when it is outside [min, max].
*/
bool cli_positionals(struct cli *cli, const struct cli_cmd *cmd, int argc,
                     char **argv, int min, int max);

/*
** The prologue of a command with only the common options: parses them,
** checks there are min to max arguments, and opens the database.  Returns
** CLI_CONTINUE with *db set, or the exit status the command must return
** (after --help, a usage error, or a database that would not open).
*/
#define CLI_CONTINUE (-1)
int cli_begin(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
              int min, int max, struct kto_db **db);

/*
** The open database, opening (and creating) it on first use.  NULL on
** error, after printing it; the command then returns cli->open_status.
*/
struct kto_db *cli_db(struct cli *cli);

/*
** The argument of --wave, --year or --set, the scopes of kto results,
** report and export, into *out: CLI_CONTINUE, or the status of the usage
** error printed.
*/
enum cli_scope_kind { CLI_SCOPE_WAVE, CLI_SCOPE_YEAR, CLI_SCOPE_SET };
int cli_scope_arg(struct cli *cli, const struct cli_cmd *cmd, enum cli_scope_kind kind,
                  const char *arg, int64_t *out);

/* Prints "kto: message" on stderr for a usage error; returns CLI_EXIT_USAGE. */
int cli_usage_error(struct cli *cli, const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
** Prints the error of the last failed engine call on the database and
** returns the exit status for rc; hint, when not NULL, is a second line
** telling what to do.
*/
int cli_fail(struct cli *cli, enum kto_rc rc, const char *hint);

/* Prints err's message and returns the exit status for its code. */
int cli_fail_err(struct cli *cli, const struct kto_err *err, const char *hint);

/* The exit status that goes with a status code. */
int cli_exit_for(enum kto_rc rc);

/*
** Prints the diagnostics of loading the settings (kto_config_load()) on
** stderr: FILE:LINE: for a line of the file, "kto:" for the rest.
*/
struct kto_diags;
void cli_print_config_diags(struct cli *cli, const char *file,
                            const struct kto_diags *d);

/*
** A JSON document under construction for --json output:
**     struct cli_json out;
**     cli_json_start(&out);  ... kto_json_*(&out.j, ...) ...
**     return cli_json_done(cli, &out);
*/
struct cli_json {
	struct kto_buf doc;
	struct kto_json j;
};
void cli_json_start(struct cli_json *out);

/* Finishes the document, writes it on stdout, frees it; the exit status. */
int cli_json_done(struct cli *cli, struct cli_json *out);

/* Who is acting, for the audit log: "cli:" and the login name. */
const char *cli_actor(void);

/* The command tables. */
extern const struct cli_cmd cli_circle_cmds[];
extern const struct cli_cmd cli_municipality_cmds[];
extern const struct cli_cmd cli_def_cmds[];
extern const struct cli_cmd cli_contacts_cmds[];
extern const struct cli_cmd cli_wave_cmds[];
extern const struct cli_cmd cli_exclude_cmds[];
extern const struct cli_cmd cli_optout_cmds[];
extern const struct cli_cmd cli_privacy_cmds[];
extern const struct cli_cmd cli_config_cmds[];
extern const struct cli_cmd cli_stats_cmds[];
extern const struct cli_cmd cli_results_cmds[];
extern const struct cli_cmd cli_export_cmds[];
extern const struct cli_cmd cli_report_cmds[];
extern const struct cli_cmd cli_user_cmds[];
extern const struct cli_cmd cli_apikey_cmds[];
int cli_serve_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
extern const char cli_serve_usage[];
int cli_qr_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
extern const char cli_qr_usage[];
int cli_send_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
extern const char cli_send_usage[];
int cli_demo_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
extern const char cli_demo_usage[];
int cli_audit_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
extern const char cli_audit_usage[];
int cli_routes_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
extern const char cli_routes_usage[];
int cli_backup_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
extern const char cli_backup_usage[];
int cli_check_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv);
extern const char cli_check_usage[];

#endif
