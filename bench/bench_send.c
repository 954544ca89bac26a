/*
** Sending mail: `kto send` with its default settings (4 connections) into
** Postfix's smtp-sink, against Postfix's smtp-source sending the same
** number of messages of the same bytes over 4 parallel sessions
** (`smtp-source -s 4`) into the same sink in the same run.  Throughput,
** higher is better; the target is kto >= 0.8 x smtp-source.
**
** smtp-source -s 4 opens a session per message, 4 at a time; kto keeps
** its 4 connections open from message to message.  For reference the
** harder baseline is measured too: `smtp-source -s 4 -d`, whose 4
** sessions are reused the same way.
**
** Queueing (rendering every message into the outbox) is measured apart
** from delivery: a first `kto send --limit 1` renders and queues the whole
** wave and delivers one message, a second one renders nothing and
** delivers one; their difference is the rendering.  A third `kto send`
** delivers the rest, and is the figure compared with smtp-source.  The
** baselines send one of the rendered messages (`-F`), so that every
** message on the wire has the same bytes.  Five rounds, each on a fresh
** database; medians.
**
** Usage: bench_send KTO SURVEY_DEFS_DIR SCRATCH_DIR [MESSAGES]   (default 5000)
*/
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/strparse.h"
#include "bench/bench.h"

#define ROUNDS 5
#define SENDER "kto@bench.example.nl"

extern char **environ;

static pid_t sink_pid = -1;

/* The sink is ours: stopped by its id, also when the benchmark fails. */
static void
stop_sink(void)
{
	if (sink_pid > 0) {
		kill(sink_pid, SIGTERM);
		waitpid(sink_pid, NULL, 0);
		sink_pid = -1;
	}
}

/* Interrupted: the sink goes too (atexit does not run here). */
static void
on_signal(int sig)
{
	if (sink_pid > 0)
		kill(sink_pid, SIGTERM);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Starts argv with its standard output discarded. */
static int
spawn(pid_t *pid, const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	/* posix_spawn's prototype predates const; it does not write argv. */
	rc = posix_spawnp(pid, argv[0], &fa, NULL, (char *const *)(uintptr_t)argv,
	    environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	return 0;
}

/* Runs a program (its standard output discarded) to success; wall time. */
static int
run(double *seconds, const char *arg0, ...)
{
	const char *argv[24];
	va_list ap;
	pid_t pid;
	int n = 0, status = -1, rc = -1;
	double t0;

	va_start(ap, arg0);
	for (const char *a = arg0; a != NULL && n < 23; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	t0 = bench_now();
	if (spawn(&pid, argv) == 0 && waitpid(pid, &status, 0) == pid) {
		if (seconds != NULL)
			*seconds = bench_now() - t0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			rc = 0;
	}
	if (rc != 0) {
		fprintf(stderr, "failed (status %d):", status);
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "\n");
	}
	return rc;
}

/* A port on 127.0.0.1 that nobody listens on right now. */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool
accepts(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Starts smtp-sink on a free port and waits (5 s at most) until it accepts. */
static int
start_sink(void)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char where[32];
		int port = free_port();
		/* As root it must be told whom to become. */
		const char *argv[] = { "smtp-sink", "-u", "nobody", where, "256", NULL };
		const char *argv_user[] = { "smtp-sink", where, "256", NULL };

		if (port < 0)
			return -1;
		snprintf(where, sizeof where, "127.0.0.1:%d", port);
		if (spawn(&sink_pid, geteuid() == 0 ? argv : argv_user) != 0)
			return -1;
		for (int i = 0; i < 500; i++) {
			struct timespec ms10 = { 0, 10 * 1000 * 1000 };

			if (waitpid(sink_pid, NULL, WNOHANG) == sink_pid) {
				sink_pid = -1;      /* gone: the port was taken after all */
				break;
			}
			if (accepts(port))
				return port;
			nanosleep(&ms10, NULL);
		}
		stop_sink();
	}
	fprintf(stderr, "smtp-sink did not start\n");
	return -1;
}

/* N contacts at the counter, all recent, each with an address. */
static int
write_csv(const char *path, long rows)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "contact_id,channel,contact_at,email,product,team\n");
	for (long i = 0; i < rows; i++)
		fprintf(f, "C%07ld,counter,2026-11-%02ld %02ld:%02ld,burger%ld@voorbeeld%ld.nl,"
		    "paspoort,balie-%ld\n", i, 14 + i % 6, 8 + i % 9, i % 60, i, i % 20, i % 8);
	return fclose(f);
}

struct outbox {
	long queued, sent;
	long bytes;                      /* of one queued message */
};

/*
** Counts the outbox; with msg_path, writes one queued message there with
** bare LF line ends (smtp-source adds the CRLFs and the dot-stuffing).
*/
static int
read_outbox(const char *db_path, const char *msg_path, struct outbox *o)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	memset(o, 0, sizeof *o);
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT sum(state = 'queued'), sum(state = 'sent'), "
	    "(SELECT message FROM mail_outbox WHERE state = 'queued' ORDER BY id "
	    "LIMIT 1) FROM mail_outbox", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto out;
	o->queued = (long)sqlite3_column_int64(st, 0);
	o->sent = (long)sqlite3_column_int64(st, 1);
	o->bytes = sqlite3_column_bytes(st, 2);
	if (msg_path != NULL) {
		const char *m = sqlite3_column_blob(st, 2);
		FILE *f = fopen(msg_path, "w");

		if (f == NULL || m == NULL)
			goto out;
		for (long i = 0; i < o->bytes; i++)
			if (!(m[i] == '\r' && i + 1 < o->bytes && m[i + 1] == '\n'))
				putc(m[i], f);
		if (fclose(f) != 0)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "reading the outbox of %s: %s\n", db_path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* A database and its write-ahead log (left by a read-only reader). */
static void
remove_db(const char *db)
{
	char path[4200];

	remove(db);
	snprintf(path, sizeof path, "%s-wal", db);
	remove(path);
	snprintf(path, sizeof path, "%s-shm", db);
	remove(path);
}

/* A sampled wave of n invitations in a new database, with the real CLI. */
static int
setup(const char *kto, const char *defs, const char *csv, const char *db, long n)
{
	char def[4096], target[32];

	snprintf(def, sizeof def, "%s/kto-balie.kto", defs);
	snprintf(target, sizeof target, "%ld", n);
	remove_db(db);
	return run(NULL, kto, "--db", db, "municipality", "add", "GM0001", "--name",
	    "Bench", (const char *)NULL) != 0 ||
	    run(NULL, kto, "--db", db, "municipality", "set", "GM0001", "--sender-name",
	    "Gemeente Bench", "--sender-address", SENDER, "--privacy-url",
	    "https://bench.example.nl/privacy", (const char *)NULL) != 0 ||
	    run(NULL, kto, "--db", db, "def", "load", def, (const char *)NULL) != 0 ||
	    run(NULL, kto, "--db", db, "contacts", "import", "--municipality", "GM0001",
	    csv, (const char *)NULL) != 0 ||
	    run(NULL, kto, "--db", db, "wave", "create", "--municipality", "GM0001",
	    "--from", "2026-11-01", "--to", "2026-11-20", "--channels", "counter",
	    "--target", target, "--response-rate", "1", "--seed", "1",
	    (const char *)NULL) != 0 ||
	    run(NULL, kto, "--db", db, "wave", "sample", "1", (const char *)NULL) != 0
	    ? -1 : 0;
}

struct round {
	double render, deliver;              /* seconds */
	double baseline, reused;             /* smtp-source -s 4, and with -d */
	long delivered;
	long bytes;
};

static int
one_round(const char *kto, const char *defs, const char *dir, const char *csv,
          int port, long n, int r, struct round *out)
{
	char db[4096], msg[4096], url[64], count[32], where[32];
	struct outbox o;
	double t_first, t_second;

	snprintf(db, sizeof db, "%s/send-%d.db", dir, r);
	snprintf(msg, sizeof msg, "%s/send-message.eml", dir);
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
	snprintf(where, sizeof where, "127.0.0.1:%d", port);
	if (setup(kto, defs, csv, db, n) != 0 ||
	    /* Renders and queues all n, delivers 1. */
	    run(&t_first, kto, "--db", db, "send", "--smtp", url, "--limit", "1",
	    (const char *)NULL) != 0 ||
	    /* Renders nothing, delivers 1: the cost around the rendering. */
	    run(&t_second, kto, "--db", db, "send", "--smtp", url, "--limit", "1",
	    (const char *)NULL) != 0 ||
	    read_outbox(db, msg, &o) != 0)
		return -1;
	if (o.queued != n - 2 || o.sent != 2) {
		fprintf(stderr, "expected %ld queued and 2 sent messages, found %ld and %ld\n",
		    n - 2, o.queued, o.sent);
		return -1;
	}
	out->render = (t_first - t_second) / (double)n;
	out->delivered = o.queued;
	out->bytes = o.bytes;
	snprintf(count, sizeof count, "%ld", o.queued);
	if (run(&out->deliver, kto, "--db", db, "send", "--smtp", url,
	    (const char *)NULL) != 0 || read_outbox(db, NULL, &o) != 0)
		return -1;
	if (o.sent != n) {
		fprintf(stderr, "kto send delivered %ld of %ld messages\n", o.sent, n);
		return -1;
	}
	if (run(&out->baseline, "smtp-source", "-s", "4", "-m", count, "-F", msg,
	    "-f", SENDER, "-t", "burger@voorbeeld.nl", where, (const char *)NULL) != 0 ||
	    run(&out->reused, "smtp-source", "-d", "-s", "4", "-m", count, "-F", msg,
	    "-f", SENDER, "-t", "burger@voorbeeld.nl", where, (const char *)NULL) != 0)
		return -1;
	remove_db(db);
	return 0;
}

static double
median(double *v)
{
	qsort(v, ROUNDS, sizeof v[0], bench_cmp_double);
	return v[ROUNDS / 2];
}

int
main(int argc, char **argv)
{
	static const char *const unset[] = {
		"KTO_DB", "KTO_SMTP_URL", "KTO_SMTP_TLS", "KTO_SMTP_USER",
		"KTO_SMTP_PASSWORD", "KTO_SMTP_PASSWORD_FILE", "KTO_SMTP_CONNECTIONS",
		"KTO_SMTP_RATE", "KTO_SMTP_CONNECT_TIMEOUT", "KTO_SMTP_TIMEOUT",
		"KTO_SMTP_CA_FILE", "KTO_OPTOUT_MAILTO", "KTO_MAIL_RETRY_MAX_HOURS", NULL
	};
	struct round rounds[ROUNDS];
	double render[ROUNDS], kto_rate[ROUNDS], base_rate[ROUNDS], ratio[ROUNDS];
	double reused_rate[ROUNDS], reused_ratio[ROUNDS];
	char csv[4096], conf[4096];
	int64_t n = 5000;
	int port;
	FILE *f;

	if (argc < 4 || (argc > 4 && kto_parse_i64(argv[4], 100, 1000000, &n) != KTO_OK)) {
		fprintf(stderr, "usage: %s KTO SURVEY_DEFS_DIR SCRATCH_DIR [MESSAGES]\n", argv[0]);
		return 2;
	}
	/* kto's defaults: no settings file, no overrides but the public URL
	 * (a message cannot be made without it) and a pinned clock. */
	for (int i = 0; unset[i] != NULL; i++)
		unsetenv(unset[i]);
	snprintf(conf, sizeof conf, "%s/send-empty.conf", argv[3]);
	if ((f = fopen(conf, "w")) == NULL || fclose(f) != 0)
		return 1;
	setenv("KTO_CONFIG", conf, 1);
	setenv("KTO_PUBLIC_URL", "https://kto.bench.example.nl", 1);
	setenv("KTO_NOW", "2026-11-20T12:00:00", 1);
	snprintf(csv, sizeof csv, "%s/send-contacts.csv", argv[3]);
	if (write_csv(csv, (long)n) != 0)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (atexit(stop_sink) != 0 || (port = start_sink()) < 0)
		return 1;
	for (int r = 0; r < ROUNDS; r++) {
		struct round *x = &rounds[r];

		if (one_round(argv[1], argv[2], argv[3], csv, port, (long)n, r, x) != 0)
			return 1;
		render[r] = x->render;
		kto_rate[r] = (double)x->delivered / x->deliver;
		base_rate[r] = (double)x->delivered / x->baseline;
		ratio[r] = kto_rate[r] / base_rate[r];
		reused_rate[r] = (double)x->delivered / x->reused;
		reused_ratio[r] = kto_rate[r] / reused_rate[r];
	}
	stop_sink();
	printf("%-34s %10.0f /s   baseline %-30s %10.0f /s   ratio %6.2f  (target >= 0.8)\n",
	    "kto send into smtp-sink", median(kto_rate),
	    "smtp-source -s 4, same msgs", median(base_rate), median(ratio));
	printf("%-34s %10.0f /s   baseline %-30s %10.0f /s   ratio %6.2f  (reference)\n",
	    "kto send into smtp-sink", median(kto_rate),
	    "smtp-source -s 4 -d (reused)", median(reused_rate), median(reused_ratio));
	printf("%-34s %10.1f us   per message (%lld messages of %ld bytes, queued "
	    "before delivery)\n", "kto send: rendering and queueing", median(render) * 1e6,
	    (long long)n, rounds[0].bytes);
	remove(csv);
	remove(conf);
	snprintf(csv, sizeof csv, "%s/send-message.eml", argv[3]);
	remove(csv);
	return 0;
}
