/*
** kto user add|list|disable|reset|unlock, kto apikey add|list|revoke: who may use
** the portal and the API.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/account.h"

static int
user_add_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "role", required_argument, NULL, 'r' },
		{ "municipality", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const char *role_s = NULL, *municipality = NULL;
	char password[KTO_PASSWORD_CHARS + 1];
	enum kto_role role;
	struct kto_db *db;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'r')
			role_s = optarg;
		else if (c == 'm')
			municipality = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 1, 1))
		return CLI_EXIT_USAGE;
	if (role_s == NULL || !kto_role_parse(role_s, &role))
		return cli_usage_error(cli, cmd, "say the role: --role team, manager "
		    "(runs waves) or viewer (reads results)");
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	rc = kto_account_add(db, cli_actor(), argv[optind], role, municipality, password);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_string(&out.j, "email", argv[optind]);
		kto_json_kv_string(&out.j, "role", kto_role_name(role));
		kto_json_kv_string(&out.j, "municipality", municipality);
		kto_json_kv_string(&out.j, "password", password);
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("Account %s (%s%s%s) added.\nIts password, shown only now: %s\n"
	    "Give it to the person in a safe way; they can change it in the portal.\n",
	    argv[optind], kto_role_name(role), municipality ? ", " : "",
	    municipality ? municipality : "", password);
	return CLI_EXIT_OK;
}

static int
user_list_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_account *a = NULL;
	size_t n = 0;
	struct kto_db *db;
	int status = cli_begin(cli, cmd, argc, argv, 0, 0, &db);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((rc = kto_account_list(db, &a, &n)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t i = 0; i < n; i++) {
			kto_json_object_begin(&out.j);
			kto_json_kv_string(&out.j, "email", a[i].email);
			kto_json_kv_string(&out.j, "role", kto_role_name(a[i].role));
			kto_json_kv_string(&out.j, "municipality", a[i].municipality[0] ?
			    a[i].municipality : NULL);
			kto_json_kv_string(&out.j, "disabled", a[i].disabled ? "yes" : "no");
			kto_json_kv_string(&out.j, "last_sign_in", a[i].last_sign_in[0] ?
			    a[i].last_sign_in : NULL);
			kto_json_object_end(&out.j);
		}
		kto_json_array_end(&out.j);
		free(a);
		return cli_json_done(cli, &out);
	}
	printf("%-36s %-8s %-12s %-9s %s\n", "EMAIL", "ROLE", "MUNICIPALITY", "DISABLED",
	    "LAST SIGN-IN");
	for (size_t i = 0; i < n; i++)
		printf("%-36s %-8s %-12s %-9s %s\n", a[i].email, kto_role_name(a[i].role),
		    a[i].municipality[0] ? a[i].municipality : "-",
		    a[i].disabled ? "yes" : "no", a[i].last_sign_in[0] ?
		    a[i].last_sign_in : "never");
	free(a);
	return CLI_EXIT_OK;
}

static int
user_disable_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_db *db;
	int status = cli_begin(cli, cmd, argc, argv, 1, 1, &db);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((rc = kto_account_disable(db, cli_actor(), argv[optind])) != KTO_OK)
		return cli_fail(cli, rc, "see the accounts with 'kto user list'");
	printf("Account %s disabled; its sessions have ended.\n", argv[optind]);
	return CLI_EXIT_OK;
}

static int
user_reset_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	char password[KTO_PASSWORD_CHARS + 1];
	struct kto_db *db;
	int status = cli_begin(cli, cmd, argc, argv, 1, 1, &db);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((rc = kto_account_reset(db, cli_actor(), argv[optind], password)) != KTO_OK)
		return cli_fail(cli, rc, "see the accounts with 'kto user list'");
	printf("New password for %s, shown only now: %s\nIts sessions have ended.\n",
	    argv[optind], password);
	return CLI_EXIT_OK;
}

static int
user_unlock_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_db *db;
	int status = cli_begin(cli, cmd, argc, argv, 1, 1, &db);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((rc = kto_account_unlock(db, cli_actor(), argv[optind])) != KTO_OK)
		return cli_fail(cli, rc, "see the accounts with 'kto user list'");
	printf("Account %s may sign in again.\n", argv[optind]);
	return CLI_EXIT_OK;
}

const struct cli_cmd cli_user_cmds[] = {
	{ "add", "add a portal account with a generated password",
	  "Usage: kto user add EMAIL --role team|manager|viewer [--municipality CODE]\n"
	  "\n"
	  "  --role team          the benchmark team: everything, every municipality\n"
	  "  --role manager       runs the waves of one municipality\n"
	  "  --role viewer        reads the results of one municipality\n"
	  "  --municipality CODE  the municipality of a manager or viewer\n"
	  "\n"
	  "Prints the password once; kto keeps only its argon2id hash.\n",
	  user_add_exec, NULL },
	{ "list", "the accounts", "Usage: kto user list [--json]\n", user_list_exec, NULL },
	{ "disable", "stop an account (its sessions end at once)",
	  "Usage: kto user disable EMAIL\n", user_disable_exec, NULL },
	{ "reset", "give an account a new generated password",
	  "Usage: kto user reset EMAIL\n", user_reset_exec, NULL },
	{ "unlock", "lift the sign-in lock after too many wrong passwords",
	  "Usage: kto user unlock EMAIL\n"
	  "\n"
	  "After 5 failed sign-ins within 15 minutes an account is locked for up\n"
	  "to 15 minutes (the portal says no more than 'wrong address or\n"
	  "password').  This lifts the lock now; see 'kto audit --action user'.\n",
	  user_unlock_exec, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static int
apikey_add_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "municipality", required_argument, NULL, 'm' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const char *municipality = NULL, *label = NULL;
	char key[KTO_SECRET_CHARS + 1];
	int64_t id;
	struct kto_db *db;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 'm')
			municipality = optarg;
		else if (c == 'l')
			label = optarg;
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (municipality == NULL)
		return cli_usage_error(cli, cmd, "say whose key: --municipality CODE");
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if ((rc = kto_apikey_add(db, cli_actor(), municipality, label, &id, key)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_object_begin(&out.j);
		kto_json_kv_int(&out.j, "id", id);
		kto_json_kv_string(&out.j, "municipality", municipality);
		kto_json_kv_string(&out.j, "key", key);
		kto_json_object_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("API key %lld for %s, shown only now:\n%s\nSend it as "
	    "'Authorization: Bearer KEY'; revoke it with 'kto apikey revoke %lld'.\n",
	    (long long)id, municipality, key, (long long)id);
	return CLI_EXIT_OK;
}

static int
apikey_list_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_apikey *k = NULL;
	size_t n = 0;
	struct kto_db *db;
	int status = cli_begin(cli, cmd, argc, argv, 0, 0, &db);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if ((rc = kto_apikey_list(db, &k, &n)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("%-6s %-12s %-24s %-22s %s\n", "ID", "MUNICIPALITY", "LABEL", "CREATED",
	    "REVOKED");
	for (size_t i = 0; i < n; i++)
		printf("%-6lld %-12s %-24s %-22s %s\n", (long long)k[i].id,
		    k[i].municipality, k[i].label, k[i].created_at,
		    k[i].revoked_at[0] ? k[i].revoked_at : "-");
	free(k);
	return CLI_EXIT_OK;
}

static int
apikey_revoke_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_db *db;
	int64_t id;
	int status = cli_begin(cli, cmd, argc, argv, 1, 1, &db);
	enum kto_rc rc;

	if (status != CLI_CONTINUE)
		return status;
	if (kto_parse_i64(argv[optind], 1, INT64_MAX, &id) != KTO_OK)
		return cli_usage_error(cli, cmd, "'%s': give the key's number from "
		    "'kto apikey list'", argv[optind]);
	if ((rc = kto_apikey_revoke(db, cli_actor(), id)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("API key %lld revoked.\n", (long long)id);
	return CLI_EXIT_OK;
}

const struct cli_cmd cli_apikey_cmds[] = {
	{ "add", "a new API key for a municipality's systems",
	  "Usage: kto apikey add --municipality CODE [--label TEXT] [--json]\n"
	  "\n"
	  "Prints the key once; kto keeps only its hash.  The key acts for that\n"
	  "municipality only (docs/api.md).\n",
	  apikey_add_exec, NULL },
	{ "list", "the API keys (never the keys themselves)",
	  "Usage: kto apikey list\n", apikey_list_exec, NULL },
	{ "revoke", "stop an API key at once", "Usage: kto apikey revoke ID\n",
	  apikey_revoke_exec, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};
