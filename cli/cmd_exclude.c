/*
** kto exclude add|list|remove (staff and test addresses) and
** kto optout add (an opt-out received by phone, letter or at the desk).
*/
#include <stdio.h>
#include <stdlib.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/blocklist.h"
#include "engine/db.h"

static int
exclude_add(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "municipality", required_argument, NULL, 'm' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *code = NULL, *note = NULL;
	struct kto_db *db;
	int64_t id;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hm:n:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'm')
			code = optarg;
		else if (c == 'n')
			note = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_pattern_add(db, cli_actor(), argv[optind], code, note, &id);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("Added pattern %lld: addresses matching '%s' are never invited%s%s.\n",
	    (long long)id, argv[optind], code ? " by " : "", code ? code : "");
	return CLI_EXIT_OK;
}

static int
exclude_list(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_pattern *list;
	struct kto_db *db;
	size_t n;
	int status;
	enum kto_rc rc;

	if ((status = cli_begin(cli, cmd, argc, argv, 0, 0, &db)) != CLI_CONTINUE)
		return status;
	status = CLI_EXIT_OK;
	if ((rc = kto_pattern_list(db, &list, &n)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t i = 0; i < n; i++) {
			kto_json_object_begin(&out.j);
			kto_json_kv_int(&out.j, "id", list[i].id);
			kto_json_kv_string(&out.j, "pattern", list[i].pattern);
			kto_json_kv_string(&out.j, "municipality",
			    list[i].municipality[0] ? list[i].municipality : NULL);
			kto_json_kv_string(&out.j, "note", list[i].note);
			kto_json_object_end(&out.j);
		}
		kto_json_array_end(&out.j);
		status = cli_json_done(cli, &out);
	} else if (n == 0) {
		printf("No staff or test patterns yet; add one with 'kto exclude add "
		    "*@example.nl'.\n");
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%4lld  %-40s %-10s %s\n", (long long)list[i].id,
			    list[i].pattern, list[i].municipality[0] ?
			    list[i].municipality : "(all)", list[i].note);
	}
	free(list);
	return status;
}

static int
exclude_remove(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct kto_db *db;
	int64_t id;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if (kto_parse_i64(argv[optind], 1, INT64_MAX, &id) != KTO_OK)
		return cli_usage_error(cli, cmd, "'%s' is not a pattern number",
		    argv[optind]);
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((rc = kto_pattern_remove(db, cli_actor(), id)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("Removed pattern %lld.\n", (long long)id);
	return CLI_EXIT_OK;
}

const struct cli_cmd cli_exclude_cmds[] = {
	{ "add", "never invite addresses matching a pattern (staff, tests)",
	  "Usage: kto exclude add PATTERN [--municipality CODE] [--note TEXT]\n"
	  "\n"
	  "  PATTERN  a whole address with wildcards: * any text, ? one\n"
	  "           character; case does not matter. Examples: *@beverwijk.nl,\n"
	  "           test*@*, balie.medewerker@gmail.com\n"
	  "  --municipality  only for this municipality (default: all)\n",
	  exclude_add, NULL },
	{ "list", "list the staff and test patterns",
	  "Usage: kto exclude list [--json]\n", exclude_list, NULL },
	{ "remove", "remove a pattern",
	  "Usage: kto exclude remove ID\n", exclude_remove, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static int
optout_add(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "municipality", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const char *code = NULL;
	struct kto_db *db;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hm:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'm')
			code = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_optout_add(db, cli_actor(), argv[optind], code, "admin");
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("Recorded: this address gets no more invitations%s%s.\n",
	    code ? " from " : "", code ? code : "");
	return CLI_EXIT_OK;
}

const struct cli_cmd cli_optout_cmds[] = {
	{ "add", "record an opt-out received by phone, letter or at the desk",
	  "Usage: kto optout add EMAIL [--municipality CODE]\n"
	  "\n"
	  "The address is kept only as a keyed hash. Without --municipality the\n"
	  "opt-out holds for every municipality.\n",
	  optout_add, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
