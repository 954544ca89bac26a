/*
** Drawing a wave's sample from a frame of 10,000,000 contacts, spread over
** the three channels of a wave (the target: under 5 s on 2 cores).
** Baseline: reading the same contacts once (SELECT of the columns the frame
** needs), the least any sampler does.
**
** Usage: bench_sample SCRATCH_DIR [CONTACTS]   (default 10000000)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/strparse.h"
#include "bench/bench.h"
#include "engine/db.h"
#include "engine/defstore.h"
#include "engine/municipality.h"
#include "engine/sampling.h"
#include "engine/wave.h"

/* A minimal survey definition per channel, under the default names. */
static enum kto_rc
load_defs(struct kto_db *db)
{
	static const char *const name[KTO_CHANNEL_COUNT] = {
		[KTO_CHANNEL_COUNTER] = "kto-balie", [KTO_CHANNEL_PHONE] = "kto-telefoon",
		[KTO_CHANNEL_EMAIL] = "kto-email",
	};
	enum kto_rc rc = KTO_OK;

	for (int c = 0; c < KTO_CHANNEL_COUNT && rc == KTO_OK; c++) {
		struct kto_def_version v;
		struct kto_diags d;
		bool created;
		char def[512];

		snprintf(def, sizeof def, "survey %s\n  channel: %s\n  title: T\n"
		    "  overall: Q\nquestion Q mark\n  text: Cijfer\n  area: TOT\n"
		    "mail invitation\n  subject: S\n  body: {link} {optout_link}\n",
		    name[c], kto_channel_name((enum kto_channel)c));
		kto_diags_init(&d);
		rc = kto_def_load(db, "bench", "bench.kto", def, strlen(def), &v,
		    &created, &d);
		kto_diags_release(&d);
	}
	return rc;
}

static int
fail(struct kto_db *db, const char *what)
{
	fprintf(stderr, "%s: %s\n", what, db ? kto_db_errmsg(db) : "");
	return 1;
}

int
main(int argc, char **argv)
{
	struct kto_err err = KTO_ERR_INIT;
	struct kto_wave_spec spec;
	struct kto_datetime now = { 2026, 11, 20, 12, 0, 0, true };
	struct kto_db *db;
	sqlite3 *raw;
	int64_t contacts = 10000000, id;
	char path[4096], sql[512];
	double t0, t_sample, t_scan;

	if (argc < 2 || (argc > 2 && kto_parse_i64(argv[2], 1000, 100000000, &contacts) != KTO_OK)) {
		fprintf(stderr, "usage: %s SCRATCH_DIR [CONTACTS]\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof path, "%s/sample.db", argv[1]);
	remove(path);
	if (kto_db_open(path, KTO_DB_CREATE, &db, &err) != KTO_OK)
		return fail(NULL, kto_err_msg(&err));
	kto_db_set_now(db, &now);
	if (kto_municipality_add(db, "bench", "GM0001", "Bench", NULL, NULL) != KTO_OK ||
	    load_defs(db) != KTO_OK)
		return fail(db, "setting up");
	/* The contacts, written straight into the table: all recent, all with
	 * an address, so that the whole population is the frame. */
	if (sqlite3_open(path, &raw) != SQLITE_OK)
		return 1;
	snprintf(sql, sizeof sql, "PRAGMA synchronous = OFF; BEGIN; "
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %lld) "
	    "INSERT INTO contact (municipality_id, external_id, channel, contact_at, "
	    "email, email_hash) SELECT 1, 'C' || i, "
	    "CASE i %% 3 WHEN 0 THEN 'counter' WHEN 1 THEN 'phone' ELSE 'email' END, "
	    "'2026-11-1' || (i %% 9 + 1) || 'T10:00:00', 'p' || i || '@example.org', "
	    "randomblob(32) FROM n; COMMIT;", (long long)contacts);
	fprintf(stderr, "generating %lld contacts...\n", (long long)contacts);
	if (sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s\n", sqlite3_errmsg(raw));
		return 1;
	}
	/* A settled database: the generator's write-ahead log checkpointed. */
	sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	/* The baseline: one read of what the frame needs. */
	t0 = bench_now();
	sqlite3_exec(raw, "SELECT count(*), sum(length(email)), sum(length(email_hash)) "
	    "FROM contact WHERE municipality_id = 1 AND channel IN "
	    "('counter', 'phone', 'email')",
	    NULL, NULL, NULL);
	t_scan = bench_now() - t0;
	sqlite3_close(raw);

	kto_wave_spec_init(&spec);
	spec.municipality = "GM0001";
	spec.from = "2026-11-01";
	spec.to = "2026-11-20";
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		spec.channel[c] = true;
		spec.target[c] = 1000;
	}
	spec.has_seed = true;
	spec.seed = 7;
	if (kto_wave_create(db, "bench", &spec, &id) != KTO_OK)
		return fail(db, "creating the wave");
	t0 = bench_now();
	if (kto_wave_sample(db, "bench", id, NULL) != KTO_OK)
		return fail(db, "sampling");
	t_sample = bench_now() - t0;
	printf("%-34s %10.2f s    baseline %-30s %10.2f s    ratio %6.2f  (target < 5 s)\n",
	    "sample from 10,000,000 contacts", t_sample, "one read of the frame",
	    t_scan, t_sample / t_scan);
	kto_db_close(db);
	remove(path);
	return 0;
}
