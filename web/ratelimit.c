/*
** web/ratelimit: fixed windows per address, in a table of fixed size.
*/
#include "web/ratelimit.h"

/* FNV-1a: enough to spread addresses over the table. */
static uint32_t
slot_of(const char *ip)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)ip; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % WEB_RATE_SLOTS;
}

bool
web_rate_allow(struct web_rate *r, const char *ip, int64_t now)
{
	uint32_t i = slot_of(ip);
	int64_t window = now / r->window_seconds;
	bool ok;

	pthread_mutex_lock(&r->lock);
	if (r->slot[i].window != window) {
		r->slot[i].window = window;
		r->slot[i].count = 0;
	}
	ok = r->slot[i].count < r->limit;
	if (ok)
		r->slot[i].count++;
	pthread_mutex_unlock(&r->lock);
	return ok;
}

bool
web_rate_exhausted(struct web_rate *r, const char *ip, int64_t now)
{
	uint32_t i = slot_of(ip);
	bool out;

	pthread_mutex_lock(&r->lock);
	out = r->slot[i].window == now / r->window_seconds &&
	    r->slot[i].count >= r->limit;
	pthread_mutex_unlock(&r->lock);
	return out;
}
