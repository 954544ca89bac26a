/*
** Contact channels: how a citizen contacted the municipality.  Code says
** counter, phone, email; users also write balie, telefoon, e-mail.
*/
#ifndef KTO_ENGINE_CHANNEL_H
#define KTO_ENGINE_CHANNEL_H

#include <stdbool.h>

enum kto_channel {
	KTO_CHANNEL_COUNTER,
	KTO_CHANNEL_PHONE,
	KTO_CHANNEL_EMAIL,
	KTO_CHANNEL_COUNT
};

/* Parses a channel name or its Dutch alias, case-insensitively. */
bool kto_channel_parse(const char *s, enum kto_channel *out);

/* The name stored and printed: "counter", "phone", "email". */
const char *kto_channel_name(enum kto_channel c);

/* The Dutch word: "balie", "telefoon", "e-mail". */
const char *kto_channel_dutch(enum kto_channel c);

#endif
