/*
** web/ratelimit: fixed windows per address, in a table of fixed size.
*/
#include "web/ratelimit.h"

#include <pthread.h>
#include <string.h>

#define SLOTS 4096

struct slot {
	int64_t window;      /* which window the count is of */
	int count;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* FNV-1a: enough to spread addresses over the table. */
static uint32_t
slot_of(const char *ip)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)ip; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % SLOTS;
}

bool
web_rate_allow(const char *ip, int64_t now, int limit, int window_seconds)
{
	struct slot *s = &slots[slot_of(ip)];
	int64_t window = now / window_seconds;
	bool ok;

	pthread_mutex_lock(&lock);
	if (s->window != window) {
		s->window = window;
		s->count = 0;
	}
	ok = s->count < limit;
	if (ok)
		s->count++;
	pthread_mutex_unlock(&lock);
	return ok;
}
