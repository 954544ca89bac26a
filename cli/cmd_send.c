/*
** kto send: queue what is due (invitations, reminders), then deliver it.
**
** The loop is claim -> deliver -> settle, a batch at a time: a batch is
** claimed in one transaction, delivered in parallel over reused SMTP
** connections, and its outcomes recorded in one transaction, so commits
** never limit the rate.  Safe to run again, or twice at once: claims are
** leased, so two senders never take the same message, and a sender killed
** half-way leaves at most its messages in flight to be sent again.
*/
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/strparse.h"
#include "cli/cli.h"
#include "engine/config.h"
#include "engine/db.h"
#include "engine/outbox.h"
#include "engine/smtp.h"
#include "web/mailbody.h"

/* Messages claimed at a time; the lease is long enough for a slow batch. */
#define SEND_BATCH 1000
/*
** Outcomes are recorded every SETTLE_EVERY messages while a batch is on its
** way: a sender killed half-way then re-sends at most these and the ones
** on the wire, not the whole batch.
*/
#define SETTLE_EVERY 100
#define SEND_LEASE_SECONDS (15 * 60)
#define WATCH_INTERVAL_SECONDS 10

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct tally {
	int64_t sent, temporary, permanent;
	char last_problem[300];
};

struct batch {
	struct kto_db *db;
	int retry_hours;
	struct kto_outbox_result *results;  /* by item */
	bool *settled;                      /* by item */
	struct kto_outbox_result pending[SETTLE_EVERY];
	size_t n_pending;
	enum kto_rc rc;                     /* the first settling error */
	struct tally *t;
};

/*
** Records the pending outcomes, then counts them as the outbox recorded
** them: a temporary failure past the retry time was given up, permanent.
*/
static void
settle_pending(struct batch *b)
{
	enum kto_rc rc = kto_outbox_finish(b->db, b->pending, b->n_pending,
	    b->retry_hours);

	if (rc != KTO_OK && b->rc == KTO_OK)
		b->rc = rc;
	for (size_t i = 0; i < b->n_pending; i++) {
		const struct kto_outbox_result *r = &b->pending[i];

		if (r->outcome == KTO_MAIL_SENT) {
			b->t->sent++;
			continue;
		}
		if (r->outcome == KTO_MAIL_TEMPORARY)
			b->t->temporary++;
		else
			b->t->permanent++;
		snprintf(b->t->last_problem, sizeof b->t->last_problem, "%s", r->reply);
	}
	b->n_pending = 0;
}

static void
delivered(void *ctx, size_t index, enum kto_mail_outcome outcome, const char *reply)
{
	struct batch *b = ctx;
	struct kto_outbox_result *r = &b->results[index];

	r->outcome = outcome;
	snprintf(r->reply, sizeof r->reply, "%s", reply);
	b->settled[index] = true;
	b->pending[b->n_pending++] = *r;
	if (b->n_pending == SETTLE_EVERY)
		settle_pending(b);
}

/* Everything a sending run needs, from the configuration. */
struct send_config {
	struct kto_config cfg;
	struct kto_smtp_options smtp;
	struct kto_mail_settings mail;
	char password[KTO_CONFIG_PASSWORD_MAX + 1];
	int retry_hours;
};

/*
** A name for this sender process, for the claims: "host:pid:random".  The
** random part tells apart two processes that had the same pid.
*/
static void
worker_name(char *out, size_t n)
{
	char host[64] = "host";
	uint32_t r = randombytes_random();

	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	snprintf(out, n, "%s:%ld:%08x", host, (long)getpid(), r);
}

/*
** False for a sender of this host whose process is gone (killed, crashed):
** its claims can be taken over at once.  Senders on other hosts are taken
** to be alive: only their lease can tell.
*/
static bool
worker_alive(void *ctx, const char *worker)
{
	char host[64] = "host", digits[16];
	const char *colon = strchr(worker, ':'), *end;
	int64_t pid;

	(void)ctx;
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	if (colon == NULL || (size_t)(colon - worker) != strlen(host) ||
	    strncmp(worker, host, strlen(host)) != 0)
		return true;
	end = strchr(colon + 1, ':');
	if (end == NULL || (size_t)(end - colon - 1) >= sizeof digits)
		return true;
	memcpy(digits, colon + 1, (size_t)(end - colon - 1));
	digits[end - colon - 1] = '\0';
	if (kto_parse_i64(digits, 1, INT32_MAX, &pid) != KTO_OK)
		return true;
	return !(kill((pid_t)pid, 0) != 0 && errno == ESRCH);
}

/* For releasing this sender's own claims when it stops: every other is alive. */
static bool
other_worker(void *ctx, const char *worker)
{
	return strcmp(worker, (const char *)ctx) != 0;
}

/* Claims, delivers and settles batches until nothing is due (or limit). */
static enum kto_rc
deliver_due(struct kto_db *db, const struct send_config *sc, const char *worker,
            int64_t limit, struct tally *t)
{
	int64_t done = 0;
	enum kto_rc rc = KTO_OK;

	while (!stop_requested && (limit == 0 || done < limit)) {
		struct kto_outbox_item *items = NULL;
		struct kto_outbox_result *results;
		struct kto_err err = KTO_ERR_INIT;
		size_t n = 0, want = SEND_BATCH;
		struct batch b;

		if (limit > 0 && (int64_t)want > limit - done)
			want = (size_t)(limit - done);
		if ((rc = kto_outbox_claim(db, worker, want, SEND_LEASE_SECONDS, &items,
		    &n)) != KTO_OK || n == 0) {
			kto_outbox_items_free(items, n);
			break;
		}
		results = calloc(n, sizeof *results);
		memset(&b, 0, sizeof b);
		b.settled = calloc(n, sizeof *b.settled);
		if (results == NULL || b.settled == NULL) {
			free(results);
			free(b.settled);
			kto_outbox_items_free(items, n);
			return KTO_ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			results[i].id = items[i].id;
			results[i].outcome = KTO_MAIL_TEMPORARY;
			snprintf(results[i].reply, sizeof results[i].reply, "not attempted");
		}
		b.db = db;
		b.retry_hours = sc->retry_hours;
		b.results = results;
		b.t = t;
		rc = kto_smtp_deliver(&sc->smtp, items, n, delivered, &b, &err);
		/* Settle the rest, also after a refused run: what was not tried
		 * goes back to the queue as a temporary failure instead of
		 * waiting for its lease.  After a stop they go back untried,
		 * below, without counting an attempt. */
		for (size_t i = 0; i < n; i++)
			if (!b.settled[i] && !stop_requested) {
				b.pending[b.n_pending++] = results[i];
				if (b.n_pending == SETTLE_EVERY)
					settle_pending(&b);
			}
		settle_pending(&b);
		if (rc == KTO_OK && b.rc != KTO_OK)
			rc = b.rc;
		done += (int64_t)n;
		kto_outbox_items_free(items, n);
		free(results);
		free(b.settled);
		if (rc != KTO_OK)
			break;
	}
	if (stop_requested && rc == KTO_OK)
		rc = kto_outbox_release_dead(db, other_worker, (void *)(uintptr_t)worker, NULL);
	return rc;
}

/* Loads the configuration, with --smtp over it; false after a message. */
static bool
send_config_load(struct cli *cli, const char *smtp_url, struct send_config *sc)
{
	struct kto_diags d;
	struct kto_err err = KTO_ERR_INIT;
	char used[KTO_CONFIG_PATH_MAX + 1];
	enum kto_rc rc;
	bool ok = true;

	memset(sc, 0, sizeof *sc);
	kto_diags_init(&d);
	rc = kto_config_load(cli->config_path, &sc->cfg, &d, used, sizeof used);
	if (rc == KTO_OK && smtp_url != NULL) {
		rc = kto_config_set(&sc->cfg, "smtp_url", smtp_url, KTO_CFG_FROM_CALLER, &err);
		if (rc == KTO_OK)
			rc = kto_config_check(&sc->cfg, &d);
		else
			kto_diag_add(&d, KTO_SEV_ERROR, 0, 0, "--smtp: %s", kto_err_msg(&err));
	}
	cli_print_config_diags(cli, used, &d);
	kto_diags_release(&d);
	if (rc != KTO_OK)
		return false;
	if (sc->cfg.smtp_url[0] == '\0') {
		fprintf(stderr, "%s: no SMTP server: give --smtp smtp://HOST:PORT, or "
		    "set smtp_url in kto.conf or KTO_SMTP_URL\n", cli->path);
		return false;
	}
	if (kto_config_has_password(&sc->cfg)) {
		rc = kto_config_password(&sc->cfg, sc->password, sizeof sc->password, &err);
		if (rc != KTO_OK) {
			fprintf(stderr, "%s: %s\n", cli->path, kto_err_msg(&err));
			ok = false;
		}
	}
	sc->smtp.url = sc->cfg.smtp_url;
	sc->smtp.tls = sc->cfg.smtp_tls;
	sc->smtp.user = sc->cfg.smtp_user[0] ? sc->cfg.smtp_user : NULL;
	sc->smtp.password = sc->password[0] ? sc->password : NULL;
	sc->smtp.ca_file = sc->cfg.smtp_ca_file[0] ? sc->cfg.smtp_ca_file : NULL;
	sc->smtp.connections = sc->cfg.smtp_connections;
	sc->smtp.connect_timeout = sc->cfg.smtp_connect_timeout;
	sc->smtp.timeout = sc->cfg.smtp_timeout;
	sc->smtp.rate_per_minute = sc->cfg.smtp_rate_per_minute;
	/* SIGTERM or Ctrl-C: the messages on the wire finish, no new one starts. */
	sc->smtp.stop = &stop_requested;
	sc->mail.public_url = sc->cfg.public_url;
	sc->mail.optout_mailto = sc->cfg.optout_mailto[0] ? sc->cfg.optout_mailto : NULL;
	sc->retry_hours = sc->cfg.mail_retry_max_hours;
	return ok;
}

static void
print_summary(const struct kto_queue_report *q, const struct tally *t,
              const struct kto_outbox_counts *c)
{
	printf("Queued %lld invitations and %lld reminders; delivered %lld, "
	    "temporary failures %lld (retried later), permanent failures %lld.\n",
	    (long long)q->invitations, (long long)q->reminders, (long long)t->sent,
	    (long long)t->temporary, (long long)t->permanent);
	printf("Outbox: %lld waiting (%lld due now), %lld sent, %lld failed.\n",
	    (long long)(c->queued + c->temp_failed + c->sending), (long long)c->due,
	    (long long)c->sent, (long long)c->perm_failed);
}

static int
json_summary(struct cli *cli, const struct kto_queue_report *q,
             const struct tally *t, const struct kto_outbox_counts *c)
{
	struct cli_json out;

	cli_json_start(&out);
	kto_json_object_begin(&out.j);
	kto_json_kv_int(&out.j, "queued_invitations", q->invitations);
	kto_json_kv_int(&out.j, "queued_reminders", q->reminders);
	kto_json_kv_int(&out.j, "not_queued", q->not_queued);
	kto_json_kv_int(&out.j, "sent", t->sent);
	kto_json_kv_int(&out.j, "temporary_failures", t->temporary);
	kto_json_kv_int(&out.j, "permanent_failures", t->permanent);
	kto_json_key(&out.j, "outbox");
	kto_json_object_begin(&out.j);
	kto_json_kv_int(&out.j, "queued", c->queued);
	kto_json_kv_int(&out.j, "sending", c->sending);
	kto_json_kv_int(&out.j, "temp_failed", c->temp_failed);
	kto_json_kv_int(&out.j, "due", c->due);
	kto_json_kv_int(&out.j, "sent", c->sent);
	kto_json_kv_int(&out.j, "perm_failed", c->perm_failed);
	kto_json_object_end(&out.j);
	kto_json_object_end(&out.j);
	return cli_json_done(cli, &out);
}

int
cli_send_exec(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{ "smtp", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "watch", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	struct send_config *sc;
	struct kto_queue_report q;
	struct kto_outbox_counts counts;
	struct tally t;
	struct kto_db *db;
	const char *smtp = NULL;
	char worker[128];
	int64_t limit = 0, released = 0;
	bool watch = false;
	int c, status = CLI_EXIT_OK;
	enum kto_rc rc = KTO_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "h", opts, &status)) != -1) {
		if (c == CLI_GETOPT_EXIT)
			return status;
		if (c == 's')
			smtp = optarg;
		else if (c == 'w')
			watch = true;
		else if (c == 'l' && kto_parse_i64(optarg, 1, INT64_MAX, &limit) != KTO_OK)
			return cli_usage_error(cli, cmd, "--limit: '%s' is not a number of "
			    "messages", optarg);
	}
	if (!cli_positionals(cli, cmd, argc, argv, 0, 0))
		return CLI_EXIT_USAGE;
	if ((sc = calloc(1, sizeof *sc)) == NULL)
		return CLI_EXIT_INTERNAL;
	if (!send_config_load(cli, smtp, sc)) {
		explicit_bzero(sc, sizeof *sc);
		free(sc);
		return CLI_EXIT_INPUT;
	}
	if ((db = cli_db(cli)) == NULL || kto_smtp_global_init() != KTO_OK) {
		explicit_bzero(sc, sizeof *sc);
		free(sc);
		return db == NULL ? cli->open_status : CLI_EXIT_INTERNAL;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	worker_name(worker, sizeof worker);
	memset(&t, 0, sizeof t);
	rc = kto_outbox_release_dead(db, worker_alive, NULL, &released);
	if (released > 0)
		fprintf(stderr, "%s: %lld messages of a sender that stopped are sent "
		    "again\n", cli->path, (long long)released);
	while (rc == KTO_OK && !stop_requested) {
		rc = kto_outbox_queue(db, kto_mail_render, &sc->mail, &q);
		if (rc == KTO_OK && q.not_queued > 0)
			fprintf(stderr, "%s: %lld messages could not be made: %s\n",
			    cli->path, (long long)q.not_queued, q.problem);
		if (rc == KTO_OK)
			rc = kto_outbox_cancel_stale(db);
		if (rc == KTO_OK)
			rc = deliver_due(db, sc, worker, limit, &t);
		if (watch && (rc == KTO_EBUSY || rc == KTO_EFULL)) {
			/* A busy or full database passes: a watching sender says
			 * so and tries again next round instead of stopping. */
			fprintf(stderr, "%s: %s; trying again in %d seconds\n",
			    cli->path, kto_db_errmsg(db), WATCH_INTERVAL_SECONDS);
			rc = KTO_OK;
		}
		if (rc != KTO_OK || !watch || stop_requested)
			break;
		for (int s = 0; s < WATCH_INTERVAL_SECONDS && !stop_requested; s++)
			sleep(1);
	}
	kto_smtp_global_cleanup();
	explicit_bzero(sc, sizeof *sc);
	free(sc);
	if (rc != KTO_OK)
		return cli_fail(cli, rc, NULL);
	if (t.temporary + t.permanent > 0)
		fprintf(stderr, "%s: last problem: %s\n", cli->path, t.last_problem);
	if ((rc = kto_outbox_count(db, &counts)) != KTO_OK)
		return cli_fail(cli, rc, NULL);
	status = cli->json ? json_summary(cli, &q, &t, &counts)
	    : (print_summary(&q, &t, &counts), CLI_EXIT_OK);
	/* Settings keep some mail from being made: someone has to fix them. */
	if (status == CLI_EXIT_OK && q.not_queued > 0)
		status = CLI_EXIT_INPUT;
	/* Nothing got through and the server is the reason: try again later. */
	else if (status == CLI_EXIT_OK && t.sent == 0 && t.temporary > 0)
		status = CLI_EXIT_TEMPORARY;
	return status;
}

const char cli_send_usage[] =
	"Usage: kto send [--smtp URL] [--limit N] [--watch] [--json]\n"
	"\n"
	"Queues the invitations and reminders that are due, then delivers them.\n"
	"Safe to run again, or twice at once; a run that is stopped loses\n"
	"nothing.\n"
	"\n"
	"  --smtp URL   the SMTP server (smtp://HOST:PORT or smtps://...), over\n"
	"               smtp_url from kto.conf or KTO_SMTP_URL\n"
	"  --limit N    deliver at most N messages in this run\n"
	"  --watch      keep running: queue and deliver as messages become due\n"
	"               (every 10 seconds) until stopped with Ctrl-C or SIGTERM;\n"
	"               a busy or full database is tried again the next round\n"
	"\n"
	"Credentials come from smtp_user and smtp_password_file in kto.conf, or\n"
	"KTO_SMTP_USER and KTO_SMTP_PASSWORD: never from the command line.\n"
	"Exit status 4 when nothing could be delivered because of the server.\n";
