/*
** A fixed-window rate limit per client address, for what anyone may start
** without a token: a new questionnaire at the counter's open link.  Memory
** is a fixed table; addresses that share a slot share their budget, which
** errs towards refusing too early, never towards no limit.
*/
#ifndef KTO_WEB_RATELIMIT_H
#define KTO_WEB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/*
** True when `ip` may start one more within the current window of
** window_seconds (at most `limit` per window), counting it; now is the
** time in seconds.  Safe to call from every server thread.
*/
bool web_rate_allow(const char *ip, int64_t now, int limit, int window_seconds);

#endif
