#include "engine/channel.h"

#include <strings.h>

static const struct {
	const char *name, *dutch, *alias;
} channels[KTO_CHANNEL_COUNT] = {
	[KTO_CHANNEL_COUNTER] = { "counter", "balie", "balie" },
	[KTO_CHANNEL_PHONE] = { "phone", "telefoon", "telefoon" },
	[KTO_CHANNEL_EMAIL] = { "email", "e-mail", "mail" },
};

bool
kto_channel_parse(const char *s, enum kto_channel *out)
{
	for (int i = 0; i < KTO_CHANNEL_COUNT; i++) {
		if (strcasecmp(s, channels[i].name) == 0 ||
		    strcasecmp(s, channels[i].dutch) == 0 ||
		    strcasecmp(s, channels[i].alias) == 0) {
			*out = (enum kto_channel)i;
			return true;
		}
	}
	return false;
}

const char *
kto_channel_name(enum kto_channel c)
{
	return (unsigned)c < KTO_CHANNEL_COUNT ? channels[c].name : "?";
}

const char *
kto_channel_dutch(enum kto_channel c)
{
	return (unsigned)c < KTO_CHANNEL_COUNT ? channels[c].dutch : "?";
}
