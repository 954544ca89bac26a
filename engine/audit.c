#include "engine/audit.h"

#include "engine/db_int.h"

enum kto_rc
kto_audit(struct kto_db *db, const char *actor, const char *action,
          int64_t municipality_id, const char *subject, const char *detail)
{
	if (municipality_id > 0)
		return kto_db_exec(db, "INSERT INTO audit_log (actor, action, "
		    "municipality_id, subject, detail) VALUES (?, ?, ?, ?, ?)",
		    "ttitt", actor, action, municipality_id, subject, detail);
	return kto_db_exec(db, "INSERT INTO audit_log (actor, action, subject, "
	    "detail) VALUES (?, ?, ?, ?)", "tttt", actor, action, subject, detail);
}
