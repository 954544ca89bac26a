/*
** Waves (metingen): one survey round of a municipality over a period and a
** set of channels, or a continuous stream sampled day by day.
**
** States: draft -> sampled -> fieldwork -> closed.  A wave is created as a
** draft with everything its sample needs; kto_wave_sample() (sampling.h)
** draws it; the first mail moves it to fieldwork; closing ends it.
*/
#ifndef KTO_ENGINE_WAVE_H
#define KTO_ENGINE_WAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/channel.h"
#include "engine/naming.h"

struct kto_db;

/* Why contacts of the population are not in the frame (in this order). */
enum kto_exclusion {
	KTO_EXCL_NO_EMAIL,           /* no usable address */
	KTO_EXCL_STAFF,              /* matches a staff or test pattern */
	KTO_EXCL_OPTED_OUT,
	KTO_EXCL_INVITED_RECENTLY,   /* by any wave of any municipality */
	KTO_EXCL_TOO_OLD,            /* contacted too long before sampling */
	KTO_EXCL_DUPLICATE,          /* the same address again in this wave */
	KTO_EXCL_COUNT
};

/* "no_email", "staff_or_test", ...: the keys of wave show --json. */
const char *kto_exclusion_name(enum kto_exclusion e);

#define KTO_WAVE_DEFAULT_TARGET 100
#define KTO_WAVE_DEFAULT_RATE 0.3
#define KTO_WAVE_DEFAULT_RECENT_DAYS 7
#define KTO_WAVE_DEFAULT_REMINDER_DAYS 5
#define KTO_WAVE_DEFAULT_INVITED_DAYS 182   /* about six months */

/* What a new wave is; per-channel arrays are indexed by enum kto_channel. */
struct kto_wave_spec {
	const char *municipality;
	const char *from, *to;             /* dates as people write them */
	bool channel[KTO_CHANNEL_COUNT];   /* all false: every channel */
	int64_t target[KTO_CHANNEL_COUNT];          /* 0: the default */
	double response_rate[KTO_CHANNEL_COUNT];    /* 0: from earlier waves */
	int64_t max_invitations[KTO_CHANNEL_COUNT]; /* 0: no cap */
	double continuous[KTO_CHANNEL_COUNT];       /* sampling fraction; 0: none */
	const char *def[KTO_CHANNEL_COUNT];         /* NULL: the channel's default */
	int recent_days, reminder_days, invited_recently_days;   /* -1: default */
	bool has_seed;
	uint64_t seed;
};

/* Sets every field of spec to "not given". */
void kto_wave_spec_init(struct kto_wave_spec *spec);

/*
** Creates a draft wave.  KTO_EINPUT names the field that is wrong (a date,
** a target of 0, a response rate outside (0, 1], a continuous fraction for
** a channel the wave does not have...), KTO_ENOTFOUND the unknown
** municipality or definition.  The seed is drawn at random when not given,
** and always recorded.
*/
enum kto_rc kto_wave_create(struct kto_db *db, const char *actor,
                            const struct kto_wave_spec *spec, int64_t *id_out);

/* Counters of one channel of a wave, or of all (the totals). */
struct kto_wave_counts {
	int64_t population;          /* N_h: contacts in the period */
	int64_t frame;               /* eligible after the exclusions */
	int64_t excluded[KTO_EXCL_COUNT];
	int64_t sampled, invited, reminded, responded, mail_failed;
	int64_t mail_pending;        /* messages queued or waiting for a retry */
	int64_t shortfall;           /* planned sample the frame could not give */
};

struct kto_wave_channel_info {
	enum kto_channel channel;
	char def_name[65];
	int64_t def_version;
	int64_t target;
	double response_rate;
	int64_t max_invitations;     /* 0: none */
	double continuous;           /* 0: not continuous */
	bool drawn;                  /* the sample has been drawn */
	struct kto_wave_counts n;
};

struct kto_wave_info {
	int64_t id;
	char municipality[KTO_CODE_MAX + 1];
	char municipality_name[KTO_NAME_MAX + 1];
	char state[12];
	char from[11], to[11];
	bool continuous;
	uint64_t seed;
	int recent_days, reminder_days, invited_recently_days;
	char created_at[32], sampled_at[32], closed_at[32];
	size_t n_channels;
	struct kto_wave_channel_info channels[KTO_CHANNEL_COUNT];
	struct kto_wave_counts totals;
};

/*
** The wave's own fields only (no channels, no counts): cheap, unlike
** kto_wave_get(), which counts a draft's population for its preview.
*/
enum kto_rc kto_wave_get_header(struct kto_db *db, int64_t id,
                                struct kto_wave_info *out);

/* The whole state of a wave; KTO_ENOTFOUND when there is no such wave. */
enum kto_rc kto_wave_get(struct kto_db *db, int64_t id, struct kto_wave_info *out);

/*
** The wave as the JSON object of DESIGN.md section 4 (kto wave show
** --json, GET /api/v1/waves/ID): id, municipality, state, seed, channels
** with their counters, totals.
*/
struct kto_json;
void kto_wave_json(struct kto_json *j, const struct kto_wave_info *w);

/* Waves, newest first: of one municipality, or all when code is NULL. */
struct kto_wave_summary {
	int64_t id;
	char municipality[KTO_CODE_MAX + 1];
	char state[12];
	char from[11], to[11];
	bool continuous;
	int64_t sampled, responded;
};
enum kto_rc kto_wave_list(struct kto_db *db, const char *code,
                          struct kto_wave_summary **out, size_t *count);

/* One sampled contact, for export-sample: the municipality's id, no address. */
struct kto_sample_row {
	char contact_id[65];         /* "" when the contact was erased */
	enum kto_channel channel;
};

/* The sample of a wave in draw order, per channel.  Freed with free(3). */
enum kto_rc kto_wave_sample_rows(struct kto_db *db, int64_t id,
                                 struct kto_sample_row **out, size_t *count);

/*
** Closes a wave: no more invitations, reminders or answers.  The tokens
** kept for mailing are erased.  KTO_ESTATE when it is closed already.
*/
enum kto_rc kto_wave_close(struct kto_db *db, const char *actor, int64_t id);

#endif
