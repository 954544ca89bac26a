/*
** kto circle add|list
*/
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "engine/circle.h"

static int
circle_add(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name = NULL, *code;
	struct kto_db *db;
	int64_t id;
	int c, status;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hn:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'n')
			name = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if (name == NULL)
		return cli_usage_error(cli, cmd, "--name is required");
	code = argv[optind];
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_circle_add(db, cli_actor(), code, name, &id);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_int(&out.j, "id", id);
		kto_json_kv_string(&out.j, "code", code);
		kto_json_kv_string(&out.j, "name", name);
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("Created circle %s (%s).\n", code, name);
	return CLI_EXIT_OK;
}

static int
circle_list(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_circle *list;
	struct kto_db *db;
	size_t n;
	int status;
	enum kto_rc rc;

	if ((status = cli_begin(cli, cmd, argc, argv, 0, 0, &db)) != CLI_CONTINUE)
		return status;
	status = CLI_EXIT_OK;
	if ((rc = kto_circle_list(db, &list, &n)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t i = 0; i < n; i++) {
			kto_json_object_begin(&out.j);
			kto_json_kv_string(&out.j, "code", list[i].code);
			kto_json_kv_string(&out.j, "name", list[i].name);
			kto_json_kv_int(&out.j, "members", list[i].members);
			kto_json_object_end(&out.j);
		}
		kto_json_array_end(&out.j);
		status = cli_json_done(cli, &out);
	} else if (n == 0) {
		printf("No circles yet; add one with 'kto circle add CODE --name NAME'.\n");
	} else {
		printf("%-12s %7s  %s\n", "CODE", "MEMBERS", "NAME");
		for (size_t i = 0; i < n; i++)
			printf("%-12s %7lld  %s\n", list[i].code,
			    (long long)list[i].members, list[i].name);
	}
	free(list);
	return status;
}

const struct cli_cmd cli_circle_cmds[] = {
	{ "add", "create a comparison circle",
	  "Usage: kto circle add CODE --name NAME [--json]\n"
	  "\n"
	  "  CODE         a short code: letters, digits, '-' and '_' (e.g. kring-c)\n"
	  "  --name NAME  the name people see (e.g. \"Kring C\")\n"
	  "  --json       print {\"id\", \"code\", \"name\"}\n",
	  circle_add, NULL },
	{ "list", "list the circles and their number of members",
	  "Usage: kto circle list [--json]\n"
	  "\n"
	  "  --json   print [{\"code\", \"name\", \"members\"}, ...]\n",
	  circle_list, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
