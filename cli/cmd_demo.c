/*
** kto demo: builds the demonstration database step by step, saying what it
** does.  Every step is idempotent, so running the demo again on the same
** database only reports what is already there.  Later capabilities add
** their steps here until the demo runs the whole job.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "engine/circle.h"
#include "engine/db.h"
#include "engine/defstore.h"
#include "engine/contacts.h"
#include "engine/municipality.h"
#include "engine/sampling.h"
#include "engine/wave.h"

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
	"Kring C and its eleven municipalities, the default questionnaires for\n"
	"the counter, phone and e-mail, two weeks of SYNTHETIC contacts per\n"
	"municipality (made up, written next to the database as CSV files), and\n"
	"a wave per municipality with its sample drawn.  Safe to run again.\n";

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

/*
** The sender of the demo municipality's mails.  The addresses are under
** .example, a domain reserved for examples: nothing can reach a real
** person.
*/
static enum kto_rc
demo_sender(struct kto_db *db, size_t i)
{
	struct kto_municipality_changes ch;
	char name[KTO_NAME_MAX + 1], addr[128], code[KTO_CODE_MAX + 1];

	memset(&ch, 0, sizeof ch);
	snprintf(code, sizeof code, "%s", demo_municipalities[i].code);
	for (char *p = code; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	snprintf(name, sizeof name, "Gemeente %s", demo_municipalities[i].name);
	snprintf(addr, sizeof addr, "klantonderzoek@%s.gemeente.example", code);
	ch.sender_name = name;
	ch.sender_address = addr;
	ch.privacy_url = "https://gemeente.example/privacy";
	ch.signature = "Met vriendelijke groet,\nTeam Dienstverlening";
	return kto_municipality_update(db, cli_actor(), demo_municipalities[i].code, &ch);
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
			rc = demo_sender(db, i);
		}
		if (rc != KTO_OK && rc != KTO_EEXISTS)
			return rc;
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

/*
** A small deterministic generator (xorshift64*), so that the synthetic
** contacts are the same on every machine.
*/
static uint64_t demo_rng = 20261123;

static unsigned
demo_random(unsigned n)
{
	demo_rng ^= demo_rng >> 12;
	demo_rng ^= demo_rng << 25;
	demo_rng ^= demo_rng >> 27;
	return (unsigned)((demo_rng * 2685821657736338717u) >> 33) % n;
}

/*
** Writes two weeks of made-up contacts of municipality i to path.  About a
** fifth have no address (they count for the population only); some people
** come back through another channel; a "naam" column shows that kto does
** not store what it does not need.  The addresses are under .example, a
** domain reserved for examples, so no real person can be reached.
*/
static int
demo_write_contacts(const char *path, size_t i, const struct kto_datetime *now)
{
	static const char *const channels[] = { "balie", "telefoon", "e-mail" };
	int64_t today = kto_days_from_civil(now->year, now->month, now->day);
	unsigned per_channel = 2800 + demo_random(1200);
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	fprintf(f, "contact_id;kanaal;datum;e-mailadres;taal;naam\r\n");
	for (int c = 0; c < 3; c++) {
		for (unsigned k = 0; k < per_channel; k++) {
			struct kto_datetime d;
			unsigned person = demo_random(per_channel * 2);

			kto_civil_from_days(today - demo_random(14), &d.year, &d.month, &d.day);
			fprintf(f, "%s-%c%05u;%s;%02d-%02d-%04d %02u:%02u;", demo_municipalities[i].code,
			    "BTE"[c], k, channels[c], d.day, d.month, d.year,
			    8 + demo_random(9), demo_random(60));
			if (demo_random(5) != 0)
				fprintf(f, "inwoner%u@%s.synthetisch.example", person,
				    demo_municipalities[i].code);
			fprintf(f, ";%s;Synthetisch\r\n", demo_random(10) == 0 ? "en" : "nl");
		}
	}
	return fclose(f);
}

static enum kto_rc
demo_contacts(struct cli *cli, struct kto_db *db, const char *dir)
{
	size_t n = sizeof demo_municipalities / sizeof demo_municipalities[0];
	struct kto_import_report *rep = calloc(1, sizeof *rep);
	struct kto_import_options opt = { false, NULL, NULL, NULL };
	struct kto_datetime now;
	enum kto_rc rc = KTO_OK;

	if (rep == NULL)
		return KTO_ENOMEM;
	kto_db_now(db, &now);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: cannot create %s: %s\n", cli->path, dir,
		    strerror(errno));
		free(rep);
		return KTO_EIO;
	}
	for (size_t i = 0; i < n && rc == KTO_OK; i++) {
		char path[1024 + KTO_CODE_MAX + 8];
		FILE *in;

		snprintf(path, sizeof path, "%s/%s.csv", dir, demo_municipalities[i].code);
		if (demo_write_contacts(path, i, &now) != 0 || (in = fopen(path, "rb")) == NULL) {
			fprintf(stderr, "%s: cannot write %s: %s\n", cli->path, path,
			    strerror(errno));
			rc = KTO_EIO;
			break;
		}
		rc = kto_contacts_import(db, cli_actor(), demo_municipalities[i].code,
		    in, path, &opt, rep);
		fclose(in);
		if (rc == KTO_OK)
			printf("  %s %-31s %5lld contacts: %lld added, %lld unchanged\n",
			    demo_municipalities[i].code, demo_municipalities[i].name,
			    (long long)rep->rows, (long long)rep->total.added,
			    (long long)rep->total.unchanged);
	}
	free(rep);
	return rc;
}

/* A wave of the last two weeks per municipality, sampled. */
static enum kto_rc
demo_waves(struct kto_db *db)
{
	size_t n = sizeof demo_municipalities / sizeof demo_municipalities[0];
	struct kto_datetime now, from;
	char from_s[11], to_s[11];
	enum kto_rc rc = KTO_OK;

	kto_db_now(db, &now);
	kto_civil_from_days(kto_days_from_civil(now.year, now.month, now.day) - 13,
	    &from.year, &from.month, &from.day);
	kto_date_format(&from, from_s);
	kto_date_format(&now, to_s);
	for (size_t i = 0; i < n && rc == KTO_OK; i++) {
		struct kto_wave_summary *list = NULL;
		struct kto_wave_spec spec;
		struct kto_wave_info w;
		size_t count = 0;
		int64_t id;

		if ((rc = kto_wave_list(db, demo_municipalities[i].code, &list, &count)) != KTO_OK)
			break;
		id = count > 0 ? list[0].id : 0;
		free(list);
		if (id == 0) {
			kto_wave_spec_init(&spec);
			spec.municipality = demo_municipalities[i].code;
			spec.from = from_s;
			spec.to = to_s;
			spec.has_seed = true;
			spec.seed = 2026 + i;
			for (int c = 0; c < KTO_CHANNEL_COUNT; c++)
				spec.target[c] = 50;
			if ((rc = kto_wave_create(db, cli_actor(), &spec, &id)) != KTO_OK ||
			    (rc = kto_wave_sample(db, cli_actor(), id, NULL)) != KTO_OK)
				break;
		}
		if ((rc = kto_wave_get(db, id, &w)) != KTO_OK)
			break;
		printf("  %s wave %lld (%s to %s, %s): %lld contacts, frame %lld, "
		    "%lld invitations queued\n", demo_municipalities[i].code,
		    (long long)w.id, w.from, w.to, w.state, (long long)w.totals.population,
		    (long long)w.totals.frame, (long long)w.totals.sampled);
	}
	return rc;
}

/* The directory of the database file, for the demo's CSV files. */
static void
demo_dir(const char *db_path, char *out, size_t n)
{
	const char *slash = strrchr(db_path, '/');

	if (slash == NULL)
		snprintf(out, n, "synthetic-contacts");
	else
		snprintf(out, n, "%.*s/synthetic-contacts", (int)(slash - db_path), db_path);
}

int
cli_demo_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct kto_db *db;
	char dir[1024];
	int status;
	enum kto_rc rc;

	if ((status = cli_begin(cli, cmd, argc, argv, 0, 0, &db)) != CLI_CONTINUE)
		return status;
	status = CLI_EXIT_OK;
	printf("kto demo on the database %s\n\n", cli->db_path);
	printf("1. The comparison circle and its municipalities\n");
	if ((rc = demo_circle(db)) != KTO_OK ||
	    (rc = demo_municipalities_add(db)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("\n2. The default questionnaires (survey-defs/)\n");
	if ((rc = demo_definitions(db)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	demo_dir(cli->db_path, dir, sizeof dir);
	printf("\n3. Two weeks of SYNTHETIC contacts per municipality (made up; %s/)\n",
	    dir);
	if ((rc = demo_contacts(cli, db, dir)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("\n4. A wave per municipality over those two weeks, its sample drawn\n");
	if ((rc = demo_waves(db)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	printf("\nDone. Look around with:\n"
	    "  kto --db %s municipality list\n"
	    "  kto --db %s def show kto-balie\n"
	    "  kto --db %s wave list\n"
	    "  kto --db %s wave show 1\n", cli->db_path, cli->db_path, cli->db_path,
	    cli->db_path);
	return CLI_EXIT_OK;
}
