/*
** Sampling: from a wave's population to the citizens to invite.
**
** Per channel (the strata), the population is every contact of the
** municipality in the wave's period (N_h).  The frame is what remains after
** the exclusions, applied in the order of enum kto_exclusion so that each
** excluded contact is counted once, under the first reason that applies.
** The same address is invited at most once per wave, across channels: the
** most recent contact of a person is the one kept.  Then, per channel, a
** simple random sample without replacement of ceil(target / response rate)
** (capped by the frame and the invitation cap), drawn with GSL from the
** wave's recorded seed; or, for a continuous channel, a Bernoulli sample
** of the contacts that arrived since the previous draw.
**
** Each sampled contact gets an invitation with a fresh token, queued for
** the mail to deliver.
*/
#ifndef KTO_ENGINE_SAMPLING_H
#define KTO_ENGINE_SAMPLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/wave.h"

struct kto_db;

/* What one call of kto_wave_sample() did, per channel. */
struct kto_sample_result {
	enum kto_channel channel;
	bool drawn;                  /* false: nothing to do for this channel */
	bool continuous;
	int64_t population, frame, planned, sampled, shortfall;
	int64_t excluded[KTO_EXCL_COUNT];
};

struct kto_sample_report {
	size_t n;
	struct kto_sample_result channels[KTO_CHANNEL_COUNT];
};

/*
** Draws the sample of wave id and queues the invitations, in one
** transaction.  A wave is sampled once: KTO_ESTATE (naming the existing
** sample) when it was sampled before; a continuous wave may be sampled
** again and then draws only the contacts that arrived since.  A closed
** wave: KTO_ESTATE.  report (may be NULL) says what this call drew.
*/
enum kto_rc kto_wave_sample(struct kto_db *db, const char *actor, int64_t id,
                            struct kto_sample_report *report);

/*
** Draws the wave's sample again from its recorded frames and seeds and
** compares it with the invitations: KTO_OK when identical, KTO_EINPUT
** (with the first difference in the message) when not.  summary receives a
** line per channel ("counter: 334 of 1021, identical").
*/
enum kto_rc kto_wave_verify(struct kto_db *db, int64_t id, char *summary,
                            size_t summary_len);

#endif
