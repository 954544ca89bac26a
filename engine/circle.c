#include "engine/circle.h"

#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/db_int.h"

#define CIRCLE_SELECT \
	"SELECT c.id, c.code, c.name, " \
	"(SELECT count(*) FROM municipality m WHERE m.circle_id = c.id) " \
	"FROM circle c "

static void
circle_from_row(sqlite3_stmt *st, struct kto_circle *c)
{
	c->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, c->code, sizeof c->code);
	kto_db_column_copy(st, 2, c->name, sizeof c->name);
	c->members = sqlite3_column_int64(st, 3);
}

enum kto_rc
kto_circle_find(struct kto_db *db, const char *code, struct kto_circle *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, CIRCLE_SELECT "WHERE c.code = ?", "t", code);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row)
		circle_from_row(st, out);
	else if (rc == KTO_OK)
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "there is no circle '%s'", code);
	sqlite3_finalize(st);
	return rc;
}

struct circle_add {
	const char *actor, *code, *name;
	int64_t id;
};

static enum kto_rc
circle_add_txn(struct kto_db *db, void *arg)
{
	struct circle_add *a = arg;
	struct kto_circle existing;
	enum kto_rc rc;

	if (kto_circle_find(db, a->code, &existing) == KTO_OK)
		return kto_db_seterr(db, KTO_EEXISTS, "circle '%s' already exists "
		    "(%s, %lld members); choose another code", existing.code,
		    existing.name, (long long)existing.members);
	rc = kto_db_exec(db, "INSERT INTO circle (code, name) VALUES (?, ?)",
	    "tt", a->code, a->name);
	if (rc != KTO_OK)
		return rc;
	a->id = sqlite3_last_insert_rowid(db->sqlite);
	return kto_audit(db, a->actor, "circle.add", 0, a->code, a->name);
}

enum kto_rc
kto_circle_add(struct kto_db *db, const char *actor, const char *code,
               const char *name, int64_t *id_out)
{
	struct circle_add a = { actor, code, name, 0 };
	enum kto_rc rc;

	if ((rc = kto_check_code(code, "circle code", &db->err)) != KTO_OK ||
	    (rc = kto_check_name(name, "circle name", &db->err)) != KTO_OK)
		return rc;
	rc = kto_db_transaction(db, circle_add_txn, &a);
	if (rc == KTO_OK && id_out != NULL)
		*id_out = a.id;
	return rc;
}

static void
circle_fill(sqlite3_stmt *st, void *elem)
{
	circle_from_row(st, elem);
}

enum kto_rc
kto_circle_list(struct kto_db *db, struct kto_circle **out, size_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc;

	*out = NULL;
	*count = 0;
	rc = kto_db_prepare(db, &st, CIRCLE_SELECT "ORDER BY c.code", "");
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, circle_fill, (void **)out, count);
}
