/*
** engine/population: reading a wave's population -- a municipality's
** contacts in the period, per channel -- and sorting out which of them may
** be invited.  Private to engine/sampling.c, which draws from the result.
*/
#ifndef KTO_ENGINE_POPULATION_INT_H
#define KTO_ENGINE_POPULATION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/channel.h"
#include "engine/wave.h"

struct kto_db;

/* A contact that passed every exclusion but the duplicate check. */
struct candidate {
	int64_t id;
	uint64_t h;          /* the first 8 bytes of the address hash */
	uint32_t minute;     /* contact_at, in minutes since 1970 */
	uint8_t channel;
	uint8_t duplicate;   /* another contact of the same address is kept */
};

/* What to read, and how to judge each contact. */
struct population_query {
	int64_t municipality_id;
	const char *from, *until;              /* contact_at in [from, until) */
	bool use[KTO_CHANNEL_COUNT];           /* the channels to read */
	int64_t after_id[KTO_CHANNEL_COUNT];   /* only contacts with larger ids */
	/*
	** The first exclusion that applies to a contact, KTO_EXCL_COUNT for
	** none.  It runs in two threads at once, so it may only read ctx.
	*/
	enum kto_exclusion (*exclusion)(const void *ctx, const char *email,
	                                const unsigned char *hash, int hash_len,
	                                const char *contact_at);
	const void *ctx;
};

struct population_counts {
	int64_t population;                 /* N_h: every contact read */
	int64_t excluded[KTO_EXCL_COUNT];   /* all but duplicates */
	int64_t last_id;                    /* the highest id read */
};

struct population {
	struct population_counts count[KTO_CHANNEL_COUNT];
	struct candidate *cand;             /* in no particular order */
	size_t n_cand, cap_cand;
};

/*
** Reads the population q asks for, in one pass for all its channels: the
** counts per channel, and the candidates.  With millions of contacts the
** pass is most of a sampling's time, so on a database file it is split in
** two halves by id, read at once by this thread (on db's connection, in
** its transaction) and a helper thread (on a read-only connection, which
** sees the same contacts: db holds the write lock, so nobody else can
** change them).  release with population_release(), also after an error.
*/
enum kto_rc population_read(struct kto_db *db, const struct population_query *q,
                            struct population *out);
void population_release(struct population *p);

#endif
