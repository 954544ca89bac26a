/*
** kto serve's daily retention purge (see privacy_daily.h).
*/
#include "cli/privacy_daily.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "engine/db.h"
#include "engine/privacy.h"

#define PURGE_INTERVAL_SECONDS (24 * 3600)

struct cli_privacy_daily {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;       /* signalled by stop */
	bool stopping;
	struct kto_db *db;
	FILE *log;
};

static void
log_report(FILE *log, const struct kto_purge_report *r)
{
	fprintf(log, "kto serve: privacy purge: retention %d days, %lld closed "
	    "wave(s) past it (%lld new); erased %lld address(es), %lld token(s), "
	    "%lld mail(s), %lld SMTP repl(y/ies), %lld in open answer(s); %lld "
	    "response(s) unlinked\n", r->retention_days, (long long)r->waves,
	    (long long)r->waves_new, (long long)r->addresses, (long long)r->tokens,
	    (long long)r->mails, (long long)r->replies, (long long)r->answers,
	    (long long)r->responses);
}

static void
purge_once(struct cli_privacy_daily *d)
{
	struct kto_purge_report r;
	enum kto_rc rc = kto_privacy_purge(d->db, "serve:daily", -1, false, &r);

	if (r.committed)
		log_report(d->log, &r);
	if (rc != KTO_OK)
		fprintf(d->log, "kto serve: privacy purge: %s%s\n",
		    kto_db_errmsg(d->db), r.committed ? "" :
		    "; nothing was erased, the next try is in 24 hours");
	fflush(d->log);
}

static void *
daily_main(void *arg)
{
	struct cli_privacy_daily *d = arg;
	struct timespec until;

	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		pthread_mutex_unlock(&d->lock);
		purge_once(d);
		pthread_mutex_lock(&d->lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += PURGE_INTERVAL_SECONDS;
		while (!d->stopping &&
		    pthread_cond_timedwait(&d->wake, &d->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static void
daily_free(struct cli_privacy_daily *d)
{
	kto_db_close(d->db);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

enum kto_rc
cli_privacy_daily_start(const char *db_path, const char *now, FILE *log,
                        struct cli_privacy_daily **out, struct kto_err *err)
{
	struct cli_privacy_daily *d;
	pthread_condattr_t attr;
	enum kto_rc rc;
	int e;

	*out = NULL;
	if ((d = calloc(1, sizeof *d)) == NULL)
		return kto_err_set(err, KTO_ENOMEM, "out of memory starting the "
		    "daily privacy purge");
	d->log = log;
	pthread_mutex_init(&d->lock, NULL);
	/* A monotonic clock: setting the system clock neither skips nor repeats a day. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &attr);
	pthread_condattr_destroy(&attr);
	if ((rc = kto_db_open(db_path, 0, &d->db, err)) != KTO_OK) {
		daily_free(d);
		return rc;
	}
	if (now != NULL && *now != '\0') {
		struct kto_datetime t;

		if (!kto_datetime_parse(now, &t)) {
			daily_free(d);
			return kto_err_set(err, KTO_EINPUT, "KTO_NOW '%s' is not a "
			    "date-time; unset it or write 2026-11-23T12:00:00", now);
		}
		kto_db_set_now(d->db, &t);
	}
	if ((e = pthread_create(&d->thread, NULL, daily_main, d)) != 0) {
		daily_free(d);
		return kto_err_set(err, KTO_EINTERNAL, "cannot start the daily privacy "
		    "purge: %s", strerror(e));
	}
	*out = d;
	return KTO_OK;
}

void
cli_privacy_daily_stop(struct cli_privacy_daily *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	daily_free(d);
}
