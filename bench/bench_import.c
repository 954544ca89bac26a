/*
** Importing contacts: `kto contacts import` of N generated rows against the
** sqlite3 shell's `.import` of the same file into a plain table (no checks,
** no indexes but the rowid), both run as programs and measured side by
** side: three times each, taking turns, and the medians compared, so that
** a disturbance of the machine (a shared disk, a busy neighbour) weighs on
** both or on neither.  Also the peak resident memory of kto, for two file
** sizes: it must not grow with the file.  It is bounded by the import's
** page cache (64 MB), which both sizes fill.
**
** Usage: bench_import KTO SCRATCH_DIR [ROWS]   (default 1000000)
*/
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "base/strparse.h"
#include "bench/bench.h"

extern char **environ;

struct run {
	double seconds;
	long max_rss_kb;
};

/* Runs argv to completion, its output discarded; its wall time and peak memory. */
static int
run_argv(char *const argv[], struct run *r)
{
	posix_spawn_file_actions_t quiet;
	struct rusage ru;
	pid_t pid;
	int status, err;
	double t0 = bench_now();

	posix_spawn_file_actions_init(&quiet);
	posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
	err = posix_spawnp(&pid, argv[0], &quiet, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&quiet);
	if (err != 0) {
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(err));
		return -1;
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	r->seconds = bench_now() - t0;
	r->max_rss_kb = ru.ru_maxrss;
	if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1)) {
		fprintf(stderr, "%s failed (status %d)\n", argv[0], status);
		return -1;
	}
	return 0;
}

/* N rows of realistic contacts, a few of them bad. */
static int
write_csv(const char *path, long rows)
{
	static const char *const ch[] = { "counter", "phone", "email" };
	FILE *f = fopen(path, "w");
	unsigned long x = 88172645463325252UL;

	if (f == NULL)
		return -1;
	fprintf(f, "contact_id,channel,contact_at,email,product,team\n");
	for (long i = 0; i < rows; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		fprintf(f, "C%09ld,%s,2026-%02lu-%02lu %02lu:%02lu,burger%lu@voorbeeld%lu.nl,"
		    "paspoort,balie-%lu\n", i, ch[x % 3], 1 + (x >> 8) % 10,
		    1 + (x >> 12) % 28, 8 + (x >> 16) % 9, (x >> 20) % 60,
		    (x >> 24) % 5000000, (x >> 44) % 20, (x >> 50) % 8);
	}
	return fclose(f);
}

/* run_argv() with the arguments given one by one, NULL-terminated. */
static int
run(struct run *r, const char *arg0, ...)
{
	char *argv[16];
	va_list ap;
	int n = 0, rc;

	va_start(ap, arg0);
	for (const char *a = arg0; a != NULL && n < 15; a = va_arg(ap, const char *))
		argv[n++] = strdup(a);
	va_end(ap);
	argv[n] = NULL;
	rc = run_argv(argv, r);
	for (int i = 0; i < n; i++)
		free(argv[i]);
	return rc;
}

#define PAIRS 3

static int
cmp_run(const void *a, const void *b)
{
	double x = ((const struct run *)a)->seconds, y = ((const struct run *)b)->seconds;

	return (x > y) - (x < y);
}

/* One import by kto and one by sqlite3 of a file of `rows` rows. */
static int
measure_pair(const char *kto, const char *dir, long rows, struct run *k,
             struct run *s)
{
	char csv[4096], kdb[4096], sdb[4096], import[4200];
	struct run ignored;

	snprintf(csv, sizeof csv, "%s/contacts-%ld.csv", dir, rows);
	snprintf(kdb, sizeof kdb, "%s/kto-%ld.db", dir, rows);
	snprintf(sdb, sizeof sdb, "%s/plain-%ld.db", dir, rows);
	snprintf(import, sizeof import, ".import --csv --skip 1 %s t", csv);
	remove(kdb);
	remove(sdb);
	if (run(&ignored, kto, "--db", kdb, "municipality", "add", "GM0001",
	    "--name", "Bench", (const char *)NULL) != 0 ||
	    run(k, kto, "--db", kdb, "contacts", "import", "--municipality",
	    "GM0001", csv, (const char *)NULL) != 0 ||
	    run(s, "sqlite3", sdb, "CREATE TABLE t(contact_id, channel, contact_at, "
	    "email, product, team);", import, (const char *)NULL) != 0)
		return -1;
	return 0;
}

/* The median of PAIRS turns each, and kto's largest peak memory. */
static int
measure(const char *kto, const char *dir, long rows, struct run *k, struct run *s)
{
	struct run ks[PAIRS], ss[PAIRS];
	char csv[4096];
	long max_rss = 0;

	snprintf(csv, sizeof csv, "%s/contacts-%ld.csv", dir, rows);
	if (write_csv(csv, rows) != 0)
		return -1;
	for (int i = 0; i < PAIRS; i++) {
		if (measure_pair(kto, dir, rows, &ks[i], &ss[i]) != 0)
			return -1;
		if (ks[i].max_rss_kb > max_rss)
			max_rss = ks[i].max_rss_kb;
	}
	qsort(ks, PAIRS, sizeof ks[0], cmp_run);
	qsort(ss, PAIRS, sizeof ss[0], cmp_run);
	*k = ks[PAIRS / 2];
	k->max_rss_kb = max_rss;
	*s = ss[PAIRS / 2];
	return 0;
}

int
main(int argc, char **argv)
{
	struct run k, s, k_small, s_small;
	int64_t rows = 1000000;

	if (argc < 3 || (argc > 3 && kto_parse_i64(argv[3], 1000, 100000000, &rows) != KTO_OK)) {
		fprintf(stderr, "usage: %s KTO SCRATCH_DIR [ROWS]\n", argv[0]);
		return 2;
	}
	setenv("KTO_NOW", "2026-12-31T12:00:00", 1);
	if (measure(argv[1], argv[2], (long)rows / 2, &k_small, &s_small) != 0 ||
	    measure(argv[1], argv[2], (long)rows, &k, &s) != 0)
		return 1;
	printf("%-34s %10.2f s    baseline %-30s %10.2f s    ratio %6.2f  (target <= 2)\n",
	    "import contacts (kto)", k.seconds,
	    "sqlite3 .import, plain table", s.seconds, k.seconds / s.seconds);
	printf("%-34s %10.1f MB   for %lld rows: %.1f MB            (target < 100 MB, flat)\n",
	    "kto peak memory (RSS)", k.max_rss_kb / 1024.0, (long long)rows / 2,
	    k_small.max_rss_kb / 1024.0);
	return 0;
}
