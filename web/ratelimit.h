/*
** Fixed-window rate limits per client address, for what anyone may try
** without a token: starting a questionnaire at the counter's open link,
** and guessing at tokens.  Memory is a fixed table per limit; addresses
** that share a slot share their budget, which errs towards refusing too
** early, never towards no limit.
*/
#ifndef KTO_WEB_RATELIMIT_H
#define KTO_WEB_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define WEB_RATE_SLOTS 4096

struct web_rate {
	int limit;               /* at most this many per window... */
	int window_seconds;      /* ...of this length */
	pthread_mutex_t lock;
	struct {
		int64_t window;
		int count;
	} slot[WEB_RATE_SLOTS];
};

#define WEB_RATE_INIT(limit, seconds) \
	{ (limit), (seconds), PTHREAD_MUTEX_INITIALIZER, { { 0, 0 } } }

/*
** True when `ip` may do one more within the current window, counting it;
** now is the time in seconds.  Safe to call from every server thread.
*/
bool web_rate_allow(struct web_rate *r, const char *ip, int64_t now);

/* True when `ip` has used up the current window (nothing is counted). */
bool web_rate_exhausted(struct web_rate *r, const char *ip, int64_t now);

#endif
