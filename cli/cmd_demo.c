/*
** kto demo: builds the demonstration database step by step, saying what it
** does.  Every step is idempotent, so running the demo again on the same
** database only reports what is already there.  Later capabilities add
** their steps here until the demo runs the whole job.
*/
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/circle.h"
#include "engine/db.h"
#include "engine/defstore.h"
#include "engine/municipality.h"

#define DEMO_CIRCLE "kring-c"

/* Kring C of the benchmark, with the municipalities' CBS codes. */
static const struct { const char *code, *name; } demo_municipalities[] = {
	{ "GM0375", "Beverwijk" },
	{ "GM0381", "Bussum" },
	{ "GM0393", "Haarlemmerliede en Spaarnwoude" },
	{ "GM0534", "Hillegom" },
	{ "GM0537", "Katwijk" },
	{ "GM1621", "Lansingerland" },
	{ "GM0547", "Leiderdorp" },
	{ "GM0556", "Maassluis" },
	{ "GM1926", "Pijnacker-Nootdorp" },
	{ "GM1525", "Teylingen" },
	{ "GM0473", "Zandvoort" },
};

/* The shipped questionnaires of survey-defs/, compiled in (cli/CMakeLists.txt). */
extern const char *const kto_default_defs[];
extern const char *const kto_default_defs_names[];

const char cli_demo_usage[] =
	"Usage: kto demo [--db FILE]\n"
	"\n"
	"Creates (or completes) a demonstration database: the comparison circle\n"
	"Kring C and its eleven municipalities, and the default questionnaires\n"
	"for the counter, phone and e-mail.  Safe to run again.\n";

static enum kto_rc
demo_circle(struct kto_db *db)
{
	enum kto_rc rc = kto_circle_add(db, cli_actor(), DEMO_CIRCLE, "Kring C", NULL);

	if (rc == KTO_OK)
		printf("  created circle %s (Kring C)\n", DEMO_CIRCLE);
	else if (rc == KTO_EEXISTS)
		printf("  circle %s (Kring C) was already there\n", DEMO_CIRCLE);
	return rc == KTO_EEXISTS ? KTO_OK : rc;
}

static enum kto_rc
demo_municipalities_add(struct kto_db *db)
{
	size_t n = sizeof demo_municipalities / sizeof demo_municipalities[0];
	size_t created = 0;

	for (size_t i = 0; i < n; i++) {
		enum kto_rc rc = kto_municipality_add(db, cli_actor(),
		    demo_municipalities[i].code, demo_municipalities[i].name,
		    DEMO_CIRCLE, NULL);

		if (rc == KTO_OK) {
			printf("  registered %s %s in %s\n", demo_municipalities[i].code,
			    demo_municipalities[i].name, DEMO_CIRCLE);
			created++;
		} else if (rc != KTO_EEXISTS) {
			return rc;
		}
	}
	if (created < n)
		printf("  %zu of the %zu municipalities were already there\n",
		    n - created, n);
	return KTO_OK;
}

static enum kto_rc
demo_definitions(struct kto_db *db)
{
	for (size_t i = 0; kto_default_defs[i] != NULL; i++) {
		struct kto_def_version v;
		struct kto_diags d;
		char name[128];
		bool created;
		enum kto_rc rc;

		snprintf(name, sizeof name, "survey-defs/%s", kto_default_defs_names[i]);
		kto_diags_init(&d);
		rc = kto_def_load(db, cli_actor(), name, kto_default_defs[i],
		    strlen(kto_default_defs[i]), &v, &created, &d);
		kto_diags_release(&d);
		if (rc != KTO_OK)
			return rc;
		printf("  %s %s version %lld (%s) from %s\n", created ? "loaded" :
		    "already had", v.name, (long long)v.version, v.channel, name);
	}
	return KTO_OK;
}

int
cli_demo_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	struct kto_db *db;
	int c, status;
	enum kto_rc rc;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1)
		if (c == CLI_GETOPT_EXIT)
			return status;
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((db = cli_db(cli)) == NULL)
		return cli->open_status;
	printf("kto demo on the database %s\n\n", cli->db_path);
	printf("1. The comparison circle and its municipalities\n");
	if ((rc = demo_circle(db)) != KTO_OK ||
	    (rc = demo_municipalities_add(db)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("\n2. The default questionnaires (survey-defs/)\n");
	if ((rc = demo_definitions(db)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("\nDone. Look around with:\n"
	    "  kto --db %s municipality list\n"
	    "  kto --db %s def list\n"
	    "  kto --db %s def show kto-balie\n", cli->db_path, cli->db_path,
	    cli->db_path);
	return CLI_EXIT_OK;
}
