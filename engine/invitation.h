/*
** Invitations as the web sees them: found by the token in a citizen's
** link, never by anything guessable.
*/
#ifndef KTO_ENGINE_INVITATION_H
#define KTO_ENGINE_INVITATION_H

#include <stdint.h>

#include "base/status.h"
#include "engine/naming.h"

struct kto_db;

struct kto_invitation_info {
	int64_t id, wave_id;
	char state[16];              /* queued, invited, ..., opted_out */
	char wave_state[12];
	char municipality[KTO_CODE_MAX + 1];
	char municipality_name[KTO_NAME_MAX + 1];
	char language[4];
};

/*
** The invitation whose token this is, looked up by the token's hash.
** KTO_ENOTFOUND for an unknown or malformed token alike.
*/
enum kto_rc kto_invitation_find(struct kto_db *db, const char *token,
                                struct kto_invitation_info *out);

#endif
