/*
** Delivering rendered messages over SMTP with libcurl's multi interface:
** several connections in parallel, each reused for message after message,
** TLS verified when asked for and never silently dropped, timeouts on
** everything, and a rate limit.
*/
#ifndef KTO_ENGINE_SMTP_H
#define KTO_ENGINE_SMTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "engine/config.h"
#include "engine/outbox.h"

struct kto_smtp_options {
	const char *url;             /* smtp://host:port or smtps://host:port */
	enum kto_smtp_tls tls;
	const char *user, *password; /* NULL: no AUTH */
	const char *ca_file;         /* NULL: the system's CAs */
	int connections;             /* parallel sessions, 1..32 */
	int connect_timeout;         /* seconds to connect */
	int timeout;                 /* seconds for a whole message */
	int rate_per_minute;         /* 0: as fast as the server takes them */
	/* NULL, or a flag (set by a signal handler) that stops the run: no new
	 * message starts, the ones on the wire finish.  The rest are not
	 * reported to done: the caller puts them back in the queue. */
	const volatile sig_atomic_t *stop;
};

/* Called once per message with its outcome (index into the items). */
typedef void (*kto_smtp_done_fn)(void *ctx, size_t index,
                                 enum kto_mail_outcome outcome, const char *reply);

/*
** Delivers items[0..n), calling done for each (until opt->stop, if given,
** is set: see above).  Returns an error only when
** delivery could not start at all (libcurl would not initialise); failures
** of single messages are outcomes.  err says why a whole run was refused,
** e.g. a sender or recipient with a line break in it.
*/
enum kto_rc kto_smtp_deliver(const struct kto_smtp_options *opt,
                             const struct kto_outbox_item *items, size_t n,
                             kto_smtp_done_fn done, void *ctx, struct kto_err *err);

/* Global libcurl set-up and tear-down, once per process. */
enum kto_rc kto_smtp_global_init(void);
void kto_smtp_global_cleanup(void);

#endif
