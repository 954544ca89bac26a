/*
** kto municipality add|list|show|set
*/
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "engine/municipality.h"

static void
json_municipality(struct kto_json *j, const struct kto_municipality *m)
{
	kto_json_kv_string(j, "code", m->code);
	kto_json_kv_string(j, "name", m->name);
	kto_json_kv_string(j, "circle", m->circle_code[0] ? m->circle_code : NULL);
}

/* The details of one municipality, as text or JSON; the exit status. */
static int
print_municipality(struct cli *cli, const struct kto_municipality *m)
{
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_int(&out.j, "id", m->id);
		json_municipality(&out.j, m);
		kto_json_kv_string(&out.j, "circle_name",
		    m->circle_code[0] ? m->circle_name : NULL);
		kto_json_kv_string(&out.j, "created_at", m->created_at);
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("Code:        %s\n", m->code);
	printf("Name:        %s\n", m->name);
	if (m->circle_code[0])
		printf("Circle:      %s (%s)\n", m->circle_code, m->circle_name);
	else
		printf("Circle:      none\n");
	printf("Registered:  %s\n", m->created_at);
	return CLI_EXIT_OK;
}

static int
municipality_add(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "name", required_argument, NULL, 'n' },
		{ "circle", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name = NULL, *circle = NULL;
	struct kto_municipality m;
	struct kto_db *db;
	int c, status;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hn:c:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'n')
			name = optarg;
		else if (c == 'c')
			circle = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if (name == NULL)
		return cli_usage_error(cli, cmd, "--name is required");
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_municipality_add(db, cli_actor(), argv[optind], name, circle, NULL);
	if (rc == KTO_ENOTFOUND)
		return cli_fail(cli, rc, "list the circles with 'kto circle list'");
	if (rc == KTO_OK)
		rc = kto_municipality_find(db, argv[optind], &m);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json)
		return print_municipality(cli, &m);
	if (m.circle_code[0])
		printf("Registered municipality %s (%s) in circle %s.\n", m.code,
		    m.name, m.circle_code);
	else
		printf("Registered municipality %s (%s), in no circle yet.\n", m.code,
		    m.name);
	return CLI_EXIT_OK;
}

static int
municipality_list(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "circle", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *circle = NULL;
	struct kto_municipality *list;
	struct kto_db *db;
	size_t n;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hc:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'c')
			circle = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((rc = kto_municipality_list(db, circle, &list, &n)) != KTO_OK)
		return cli_fail(cli, rc, rc == KTO_ENOTFOUND ?
		    "list the circles with 'kto circle list'" : NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t i = 0; i < n; i++) {
			kto_json_object_begin(&out.j);
			json_municipality(&out.j, &list[i]);
			kto_json_object_end(&out.j);
		}
		kto_json_array_end(&out.j);
		status = cli_json_done(cli, &out);
	} else if (n == 0) {
		printf("No municipalities yet; add one with 'kto municipality add "
		    "CODE --name NAME [--circle CODE]'.\n");
	} else {
		printf("%-12s %-12s %s\n", "CODE", "CIRCLE", "NAME");
		for (size_t i = 0; i < n; i++)
			printf("%-12s %-12s %s\n", list[i].code,
			    list[i].circle_code[0] ? list[i].circle_code : "-",
			    list[i].name);
	}
	free(list);
	return status;
}

static int
municipality_show(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_municipality m;
	struct kto_db *db;
	int status;
	enum kto_rc rc;

	if ((status = cli_begin(cli, cmd, argc, argv, 1, 1, &db)) != CLI_CONTINUE)
		return status;
	status = CLI_EXIT_OK;
	if ((rc = kto_municipality_find(db, argv[optind], &m)) != KTO_OK)
		return cli_fail(cli, rc, rc == KTO_ENOTFOUND ?
		    "list the municipalities with 'kto municipality list'" : NULL);
	return print_municipality(cli, &m);
}

static int
municipality_set(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "name", required_argument, NULL, 'n' },
		{ "circle", required_argument, NULL, 'c' },
		{ "no-circle", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_municipality_changes ch = { NULL, NULL };
	struct kto_municipality m;
	struct kto_db *db;
	int c, status;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "hn:c:", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'n')
			ch.name = optarg;
		else if (c == 'c' || c == 'C') {
			if (ch.circle_code != NULL)
				return cli_usage_error(cli, cmd, "give --circle or "
				    "--no-circle once");
			if (c == 'c' && optarg[0] == '\0')
				return cli_usage_error(cli, cmd, "--circle needs a circle "
				    "code; use --no-circle to take the municipality out of "
				    "its circle");
			ch.circle_code = c == 'c' ? optarg : "";
		}
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if (ch.name == NULL && ch.circle_code == NULL)
		return cli_usage_error(cli, cmd, "nothing to change");
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_municipality_update(db, cli_actor(), argv[optind], &ch);
	if (rc == KTO_OK)
		rc = kto_municipality_find(db, argv[optind], &m);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (!cli->json)
		printf("Updated municipality %s.\n\n", m.code);
	return print_municipality(cli, &m);
}

const struct cli_cmd cli_municipality_cmds[] = {
	{ "add", "register a municipality",
	  "Usage: kto municipality add CODE --name NAME [--circle CODE] [--json]\n"
	  "\n"
	  "  CODE           the municipality's code, e.g. its CBS code GM0375\n"
	  "  --name NAME    its name, e.g. Beverwijk\n"
	  "  --circle CODE  the comparison circle it belongs to\n"
	  "  --json         print {\"id\", \"code\", \"name\", \"circle\"}\n",
	  municipality_add, NULL },
	{ "list", "list the municipalities",
	  "Usage: kto municipality list [--circle CODE] [--json]\n"
	  "\n"
	  "  --circle CODE  only the members of this circle\n"
	  "  --json         print [{\"code\", \"name\", \"circle\"}, ...]\n",
	  municipality_list, NULL },
	{ "show", "show one municipality",
	  "Usage: kto municipality show CODE [--json]\n",
	  municipality_show, NULL },
	{ "set", "rename a municipality or move it to another circle",
	  "Usage: kto municipality set CODE [--name NAME] [--circle CODE | --no-circle]\n"
	  "\n"
	  "  --name NAME    the new name\n"
	  "  --circle CODE  move it to this circle\n"
	  "  --no-circle    take it out of its circle\n",
	  municipality_set, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
