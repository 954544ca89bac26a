/*
** Opening the database: every `kto` command starts with kto_db_open(),
** which verifies the file is kto's, sets the connection up and checks the
** schema version.  Baseline: sqlite3_open_v2 with the same pragmas and no
** checks, the least a careful program does.
**
** Usage: bench_db_open SCRATCH_DIR
*/
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "bench/bench.h"
#include "engine/db.h"

static char path[4096];

static void
run_kto(void *arg)
{
	struct kto_db *db;
	struct kto_err err = KTO_ERR_INIT;

	(void)arg;
	if (kto_db_open(path, 0, &db, &err) != KTO_OK) {
		fprintf(stderr, "%s\n", kto_err_msg(&err));
		exit(1);
	}
	kto_db_close(db);
}

static void
run_baseline(void *arg)
{
	sqlite3 *db;

	(void)arg;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		exit(1);
	sqlite3_busy_timeout(db, 5000);
	sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
	    "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON", NULL, NULL, NULL);
	sqlite3_close(db);
}

int
main(int argc, char **argv)
{
	struct kto_db *db;
	struct kto_err err = KTO_ERR_INIT;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SCRATCH_DIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof path, "%s/bench-open.db", argv[1]);
	remove(path);
	if (kto_db_open(path, KTO_DB_CREATE, &db, &err) != KTO_OK) {
		fprintf(stderr, "%s\n", kto_err_msg(&err));
		return 1;
	}
	kto_db_close(db);
	bench_report("open an existing kto database", bench_median(run_kto, NULL, 500),
	    "sqlite3_open_v2 + pragmas", bench_median(run_baseline, NULL, 500));
	remove(path);
	return 0;
}
