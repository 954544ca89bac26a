#include "engine/invitation.h"

#include <string.h>

#include "engine/db_int.h"
#include "engine/token.h"

enum kto_rc
kto_invitation_find(struct kto_db *db, const char *token,
                    struct kto_invitation_info *out)
{
	unsigned char th[KTO_TOKEN_HASH_BYTES];
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	if (!kto_token_wellformed(token))
		return kto_db_seterr(db, KTO_ENOTFOUND, "no invitation has this link");
	/* Looked up by an index on the hash: the comparison that matters
	 * happens on a hash, not on the token, so timing reveals nothing. */
	kto_token_hash(token, th);
	rc = kto_db_query(db, &st, "SELECT i.id, i.wave_id, i.state, w.state, "
	    "m.code, m.name, i.language FROM invitation i JOIN wave w ON w.id = "
	    "i.wave_id JOIN municipality m ON m.id = w.municipality_id WHERE "
	    "i.token_hash = ?", "b", th, sizeof th);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		out->id = sqlite3_column_int64(st, 0);
		out->wave_id = sqlite3_column_int64(st, 1);
		kto_db_column_copy(st, 2, out->state, sizeof out->state);
		kto_db_column_copy(st, 3, out->wave_state, sizeof out->wave_state);
		kto_db_column_copy(st, 4, out->municipality, sizeof out->municipality);
		kto_db_column_copy(st, 5, out->municipality_name, sizeof out->municipality_name);
		kto_db_column_copy(st, 6, out->language, sizeof out->language);
	} else if (rc == KTO_OK) {
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "no invitation has this link");
	}
	kto_db_query_done(st);
	return rc;
}
