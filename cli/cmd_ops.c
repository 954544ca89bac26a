/*
** kto backup and kto check: the operator's two commands for the database
** itself (docs/operations.md).  Neither creates a database: a wrong --db
** is an error, not a new empty file.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/backup.h"
#include "engine/check.h"
#include "engine/db.h"

const char cli_backup_usage[] =
    "Usage: kto backup [--force] FILE\n"
    "\n"
    "Copies the database into FILE, consistently, while kto serve and kto\n"
    "send go on working (SQLite's online backup inside one read\n"
    "transaction).  The copy is checked (PRAGMA integrity_check) and synced\n"
    "before it takes FILE's name.  Restore by stopping kto and copying FILE\n"
    "over the database (docs/operations.md).\n"
    "\n"
    "  --force   replace FILE when it exists (the old backup is kept until\n"
    "            the new one is complete)\n"
    "\n"
    "Progress is shown on a terminal.  Exit status 4 when the disk is full\n"
    "or the database stayed busy.\n";

const char cli_check_usage[] =
    "Usage: kto check [--json]\n"
    "\n"
    "Checks the database: SQLite's integrity check, every foreign key, and\n"
    "kto's own rules of the data model (wave states and their times, sample\n"
    "sizes against invitations, invitations marked responded, responses\n"
    "against their wave, channel and definition, the outbox's erasure of\n"
    "delivered messages, finished imports).  Read-only; safe while kto\n"
    "serve runs.\n"
    "\n"
    "Exit status 0 when everything holds, 1 with the list of problems.\n";

/* The database, which must exist already; NULL after printing why. */
static struct kto_db *
existing_db(struct cli *cli)
{
	struct kto_err err = KTO_ERR_INIT;

	if (cli->db != NULL)
		return cli->db;
	if (kto_db_open(cli->db_path, 0, &cli->db, &err) != KTO_OK) {
		cli->open_status = cli_fail_err(cli, &err, err.rc == KTO_ENOTFOUND ?
		    "give the database with --db FILE or KTO_DB" : NULL);
		return NULL;
	}
	return cli->db;
}

/* "pages copied of total" on one terminal line, rewritten in place. */
static void
backup_progress(void *ctx, int remaining, int total)
{
	(void)ctx;
	if (total > 0)
		fprintf(stderr, "\rkto backup: %3d%% (%d of %d pages)",
		    (int)(100.0 * (total - remaining) / total), total - remaining,
		    total);
}

int
cli_backup_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	bool force = false, tty = isatty(STDERR_FILENO) && !cli->json;
	struct kto_db *db;
	enum kto_rc rc;
	int c, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hf", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'f')
			force = true;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if ((db = existing_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_db_backup(db, argv[optind], force, tty ? backup_progress : NULL,
	    NULL);
	if (tty)
		fputc('\n', stderr);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_string(&out.j, "backup", argv[optind]);
		kto_json_kv_string(&out.j, "integrity", "ok");
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("Backup written to %s (integrity check: ok).\n", argv[optind]);
	return CLI_EXIT_OK;
}

/* The problems as they are found: printed, or kept for the JSON. */
struct check_out {
	struct cli *cli;
	struct cli_json *json;
};

static void
check_problem(void *ctx, const char *check, const char *message)
{
	struct check_out *o = ctx;

	if (o->json != NULL) {
		kto_json_object_begin(&o->json->j);
		kto_json_kv_string(&o->json->j, "check", check);
		kto_json_kv_string(&o->json->j, "problem", message);
		kto_json_object_end(&o->json->j);
	} else
		printf("%s: %s\n", check, message);
}

int
cli_check_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct cli_json json;
	struct check_out o = { cli, NULL };
	struct kto_db *db;
	size_t n = 0;
	enum kto_rc rc;
	int c, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = existing_db(cli)) == NULL)
		return cli->open_status;
	if (cli->json) {
		cli_json_start(&json);
		kto_json_object_begin(&json.j);
		kto_json_key(&json.j, "problems");
		kto_json_array_begin(&json.j);
		o.json = &json;
	}
	rc = kto_db_check(db, check_problem, &o, &n);
	if (cli->json) {
		kto_json_array_end(&json.j);
		kto_json_kv_string(&json.j, "result", rc != KTO_OK ? "error" :
		    n == 0 ? "ok" : "problems");
		kto_json_object_end(&json.j);
		if (rc != KTO_OK)
			kto_buf_release(&json.doc);
		else {
			status = cli_json_done(cli, &json);
			return status != CLI_EXIT_OK ? status : n == 0 ? CLI_EXIT_OK :
			    CLI_EXIT_INPUT;
		}
	}
	if (rc != KTO_OK)
		return cli_fail(cli, rc, "the checks could not run to the end");
	if (n == 0) {
		if (!cli->json)
			printf("Database ok: integrity, foreign keys and kto's rules "
			    "all hold.\n");
		return CLI_EXIT_OK;
	}
	fprintf(stderr, "%s: %zu problem%s found; see above. Restore the last "
	    "backup when the file is damaged (docs/operations.md)\n", cli->path,
	    n, n == 1 ? "" : "s");
	return CLI_EXIT_INPUT;
}
