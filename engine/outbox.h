/*
** The mail outbox: invitations and reminders waiting to be delivered.
**
** A message is rendered once, when it is queued (with a fixed Message-ID),
** and stored whole in its outbox row; delivery only moves bytes.  Rows go
** queued -> sending -> sent, or to temp_failed (retried with exponential
** backoff) and perm_failed.  A sender claims rows in a write transaction
** under a lease, so two senders never take the same row; rows of a sender
** that died are claimed again when the lease runs out, so at most the
** messages that were in flight are sent twice.
*/
#ifndef KTO_ENGINE_OUTBOX_H
#define KTO_ENGINE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "engine/channel.h"

struct kto_db;
struct kto_municipality;
struct kto_survey;

enum kto_mail_kind { KTO_MAIL_INVITATION, KTO_MAIL_REMINDER };

/* Everything one message is rendered from. */
struct kto_mail_job {
	int64_t invitation_id;
	enum kto_mail_kind kind;
	const char *email;                   /* the recipient */
	const char *language;                /* "nl" or "en" */
	const char *token;                   /* for the personal links */
	const char *contact_at;              /* "YYYY-MM-DDTHH:MM:SS" */
	enum kto_channel channel;
	const struct kto_municipality *municipality;   /* name, sender settings */
	const struct kto_survey *survey;     /* the wave's definition version */
	int64_t now;                         /* seconds, for the Date header */
};

/*
** Renders one message: the whole RFC 5322 text into message, its
** Message-ID (without brackets) into message_id.  Implemented outside the
** engine (the HTML part is presentation); KTO_EINPUT with a message that
** says what to fix when the settings do not allow a message (no sender
** address, no public URL).
*/
typedef enum kto_rc (*kto_mail_renderer)(void *ctx, const struct kto_mail_job *job,
                                         struct kto_buf *message,
                                         char *message_id, size_t id_len,
                                         struct kto_err *err);

struct kto_queue_report {
	int64_t invitations, reminders;      /* queued by this call */
	int64_t not_queued;                  /* could not be rendered */
	char problem[300];                   /* the first reason why */
};

/*
** Queues what is due: an invitation for every invitation of a wave that
** is not closed and has no mail yet, and a reminder for every invitee who
** was invited at least the wave's reminder delay ago, has not responded,
** opted out or failed, and has had no reminder.  A message that cannot be
** rendered is left for a later run and counted in the report.
*/
enum kto_rc kto_outbox_queue(struct kto_db *db, kto_mail_renderer render, void *ctx,
                             struct kto_queue_report *report);

/* A claimed message, ready to deliver. */
struct kto_outbox_item {
	int64_t id;
	char sender[256];
	char recipient[256];
	char *message;                       /* owned; freed by kto_outbox_items_free */
	size_t len;
	int attempts;                        /* before this one */
};

void kto_outbox_items_free(struct kto_outbox_item *items, size_t n);

/*
** Cancels what must no longer go out: mail of closed waves, reminders to
** citizens who answered since, and mail to addresses that opted out since
** it was queued.  Run once per sending pass (it looks at every waiting
** message), before the claims.
*/
enum kto_rc kto_outbox_cancel_stale(struct kto_db *db);

/*
** Claims up to max due messages for worker (a name unique to this sender
** process) with a lease of lease_seconds.  First returns to the queue the
** rows whose sender's lease has run out.  Messages of closed waves, or to
** addresses that opted out since they were queued, are cancelled instead.
*/
enum kto_rc kto_outbox_claim(struct kto_db *db, const char *worker, size_t max,
                             int lease_seconds, struct kto_outbox_item **items,
                             size_t *n);

/*
** Returns to the queue the messages claimed by senders that are known to
** be gone: alive(ctx, worker) is asked about every worker holding claims
** and returns false for a dead one.  Without this a dead sender's messages
** wait for their lease to run out.  *released counts them (may be NULL).
*/
enum kto_rc kto_outbox_release_dead(struct kto_db *db,
                                    bool (*alive)(void *ctx, const char *worker),
                                    void *ctx, int64_t *released);

enum kto_mail_outcome { KTO_MAIL_SENT, KTO_MAIL_TEMPORARY, KTO_MAIL_PERMANENT };

struct kto_outbox_result {
	int64_t id;
	enum kto_mail_outcome outcome;
	char reply[256];                     /* the server's reply or the error */
};

/*
** Records the outcomes of delivered messages in one transaction: sent
** messages lose their stored text and address, temporary failures are
** retried with backoff (5 minutes doubling, at most 6 hours apart) until
** max_retry_hours after queueing, when they become permanent.  Updates the
** invitations (invited, reminded, failed) and moves a wave to fieldwork
** with its first mail.  A temporary failure that is given up has its
** outcome changed to KTO_MAIL_PERMANENT in r, so callers count what was
** recorded.
*/
enum kto_rc kto_outbox_finish(struct kto_db *db, struct kto_outbox_result *r,
                              size_t n, int max_retry_hours);

/* Counts by state, for reports. */
struct kto_outbox_counts {
	int64_t queued, sending, sent, temp_failed, perm_failed, due;
};
enum kto_rc kto_outbox_count(struct kto_db *db, struct kto_outbox_counts *out);

#endif
