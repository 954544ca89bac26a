/*
** kto audit: reads the audit log (engine/audit.h) -- who signed in, took
** an export, ran a wave or changed an account, when -- newest first.
** kto routes: the portal's and the API's routes and who may use each
** (web/route.h), for administrators and for the authorization tests.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/audit.h"
#include "web/route.h"

const char cli_audit_usage[] =
	"Usage: kto audit [--since DATE] [--until DATE] [--municipality CODE]\n"
	"                 [--action PREFIX] [--limit N] [--json]\n"
	"\n"
	"The audit log, newest first: sign-ins (and failed and refused ones),\n"
	"sign-outs, exports and letters, waves created, sampled and closed,\n"
	"accounts and API keys added, changed and revoked.  It never holds a\n"
	"password, a token or a key.  Times are UTC.\n"
	"\n"
	"  --since DATE         entries at or after DATE (YYYY-MM-DD[THH:MM])\n"
	"  --until DATE         entries up to and including DATE\n"
	"  --municipality CODE  only entries about this municipality\n"
	"  --action PREFIX      only this action or those under it: 'user' gives\n"
	"                       user.sign_in, user.add, ...; 'wave.close' only that\n"
	"  --limit N            at most N entries (default 100, at most 100000)\n"
	"  --json               [{\"id\", \"at\", \"actor\", \"action\", \"municipality\",\n"
	"                       \"subject\", \"detail\"}, ...]\n";

struct audit_out {
	struct cli_json *json;
	int64_t count;
};

static enum kto_rc
audit_print(void *ctx, const struct kto_audit_entry *e)
{
	struct audit_out *o = ctx;

	o->count++;
	if (o->json != NULL) {
		struct kto_json *j = &o->json->j;

		kto_json_object_begin(j);
		kto_json_kv_int(j, "id", e->id);
		kto_json_kv_string(j, "at", e->at);
		kto_json_kv_string(j, "actor", e->actor);
		kto_json_kv_string(j, "action", e->action);
		kto_json_kv_string(j, "municipality", e->municipality[0] ? e->municipality : NULL);
		kto_json_kv_string(j, "subject", e->subject[0] ? e->subject : NULL);
		kto_json_kv_string(j, "detail", e->detail[0] ? e->detail : NULL);
		kto_json_object_end(j);
		return KTO_OK;
	}
	printf("%-20s  %-24s  %-22s  %-8s  %s%s%s\n", e->at, e->actor, e->action,
	    e->municipality[0] ? e->municipality : "-", e->subject,
	    e->detail[0] ? "  " : "", e->detail);
	return KTO_OK;
}

int
cli_audit_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "municipality", required_argument, NULL, 'm' },
		{ "action", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct kto_audit_filter f;
	struct audit_out o = { NULL, 0 };
	struct cli_json out;
	struct kto_db *db;
	int64_t limit;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc;

	memset(&f, 0, sizeof f);
	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 's')
			f.since = optarg;
		else if (c == 'u')
			f.until = optarg;
		else if (c == 'm')
			f.municipality = optarg;
		else if (c == 'a')
			f.action = optarg;
		else if (c == 'n') {
			if (kto_parse_i64(optarg, 1, KTO_AUDIT_LIMIT_MAX, &limit) != KTO_OK)
				return cli_usage_error(cli, cmd, "--limit '%s' is not a "
				    "number from 1 to %d", optarg, KTO_AUDIT_LIMIT_MAX);
			f.limit = (int)limit;
		}
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	if (cli->json) {
		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		o.json = &out;
	} else {
		printf("%-20s  %-24s  %-22s  %-8s  %s\n", "AT (UTC)", "ACTOR", "ACTION",
		    "MUNIC.", "SUBJECT  DETAIL");
	}
	rc = kto_audit_list(db, &f, audit_print, &o);
	if (rc != KTO_OK) {
		if (o.json != NULL)
			kto_buf_release(&out.doc);
		return cli_fail(cli, rc, NULL);
	}
	if (o.json != NULL) {
		kto_json_array_end(&out.j);
		return cli_json_done(cli, &out);
	}
	if (o.count == 0)
		printf("(no entries)\n");
	return CLI_EXIT_OK;
}

const char cli_routes_usage[] =
	"Usage: kto routes [--json]\n"
	"\n"
	"The web portal's and the JSON API's routes: method, path, who may use\n"
	"each (anyone, signed-in, team, viewer, manager, api-key) and where its\n"
	"municipality comes from (none, session: the path's code checked against\n"
	"the signed-in account, api-key: the key's).  This is the table the\n"
	"server checks every request against.\n"
	"\n"
	"  --json  [{\"method\", \"path\", \"access\", \"municipality\", \"summary\"}, ...]\n";

int
cli_routes_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	const struct web_route *rt;
	size_t n = web_routes(&rt);
	int c, status = CLI_EXIT_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", (const struct option[]){
	    CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } }, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if (cli->json) {
		struct cli_json out;

		cli_json_start(&out);
		kto_json_array_begin(&out.j);
		for (size_t i = 0; i < n; i++) {
			kto_json_object_begin(&out.j);
			kto_json_kv_string(&out.j, "method", rt[i].method);
			kto_json_kv_string(&out.j, "path", rt[i].pattern);
			kto_json_kv_string(&out.j, "access", web_access_name(rt[i].access));
			kto_json_kv_string(&out.j, "municipality", web_tenant_name(rt[i].tenant));
			kto_json_kv_string(&out.j, "summary", rt[i].summary);
			kto_json_object_end(&out.j);
		}
		kto_json_array_end(&out.j);
		return cli_json_done(cli, &out);
	}
	printf("%-6s %-40s %-10s %-13s %s\n", "METHOD", "PATH", "WHO", "MUNICIPALITY",
	    "WHAT");
	for (size_t i = 0; i < n; i++)
		printf("%-6s %-40s %-10s %-13s %s\n", rt[i].method, rt[i].pattern,
		    web_access_name(rt[i].access), web_tenant_name(rt[i].tenant),
		    rt[i].summary);
	return CLI_EXIT_OK;
}
