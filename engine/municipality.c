#include "engine/municipality.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/circle.h"
#include "engine/db_int.h"

#define MUNICIPALITY_SELECT \
	"SELECT m.id, m.code, m.name, c.code, c.name, m.created_at " \
	"FROM municipality m LEFT JOIN circle c ON c.id = m.circle_id "

static void
municipality_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_municipality *m = elem;

	m->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, m->code, sizeof m->code);
	kto_db_column_copy(st, 2, m->name, sizeof m->name);
	kto_db_column_copy(st, 3, m->circle_code, sizeof m->circle_code);
	kto_db_column_copy(st, 4, m->circle_name, sizeof m->circle_name);
	kto_db_column_copy(st, 5, m->created_at, sizeof m->created_at);
}

enum kto_rc
kto_municipality_find(struct kto_db *db, const char *code,
                      struct kto_municipality *out)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, MUNICIPALITY_SELECT "WHERE m.code = ?", "t", code);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row)
		municipality_fill(st, out);
	else if (rc == KTO_OK)
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "there is no municipality '%s'",
		    code);
	sqlite3_finalize(st);
	return rc;
}

/* The id of circle `code`, or a KTO_ENOTFOUND that says what to do. */
static enum kto_rc
circle_id(struct kto_db *db, const char *code, int64_t *id)
{
	struct kto_circle c;
	enum kto_rc rc = kto_circle_find(db, code, &c);

	if (rc == KTO_ENOTFOUND)
		return kto_db_seterr(db, rc, "there is no circle '%s'; create it "
		    "first, or leave the circle out", code);
	if (rc == KTO_OK)
		*id = c.id;
	return rc;
}

struct municipality_add {
	const char *actor, *code, *name, *circle_code;
	int64_t id;
};

static enum kto_rc
municipality_add_txn(struct kto_db *db, void *arg)
{
	struct municipality_add *a = arg;
	struct kto_municipality existing;
	int64_t cid = 0;
	enum kto_rc rc;

	if (kto_municipality_find(db, a->code, &existing) == KTO_OK)
		return kto_db_seterr(db, KTO_EEXISTS, "municipality '%s' already "
		    "exists (%s%s%s); choose another code", existing.code,
		    existing.name, existing.circle_code[0] ? ", circle " : "",
		    existing.circle_code);
	if (a->circle_code != NULL && (rc = circle_id(db, a->circle_code, &cid)) != KTO_OK)
		return rc;
	rc = cid ? kto_db_exec(db, "INSERT INTO municipality (code, name, circle_id) "
	               "VALUES (?, ?, ?)", "tti", a->code, a->name, cid)
	         : kto_db_exec(db, "INSERT INTO municipality (code, name) "
	               "VALUES (?, ?)", "tt", a->code, a->name);
	if (rc != KTO_OK)
		return rc;
	a->id = sqlite3_last_insert_rowid(db->sqlite);
	return kto_audit(db, a->actor, "municipality.add", a->id, a->code, a->name);
}

enum kto_rc
kto_municipality_add(struct kto_db *db, const char *actor, const char *code,
                     const char *name, const char *circle_code, int64_t *id_out)
{
	struct municipality_add a = { actor, code, name, circle_code, 0 };
	enum kto_rc rc;

	if ((rc = kto_check_code(code, "municipality code", &db->err)) != KTO_OK ||
	    (rc = kto_check_name(name, "municipality name", &db->err)) != KTO_OK)
		return rc;
	rc = kto_db_transaction(db, municipality_add_txn, &a);
	if (rc == KTO_OK && id_out != NULL)
		*id_out = a.id;
	return rc;
}

enum kto_rc
kto_municipality_list(struct kto_db *db, const char *circle_code,
                      struct kto_municipality **out, size_t *count)
{
	sqlite3_stmt *st;
	int64_t cid = 0;
	enum kto_rc rc;

	*out = NULL;
	*count = 0;
	if (circle_code != NULL) {
		if ((rc = circle_id(db, circle_code, &cid)) != KTO_OK)
			return rc;
		rc = kto_db_prepare(db, &st, MUNICIPALITY_SELECT
		    "WHERE m.circle_id = ? ORDER BY m.code", "i", cid);
	} else {
		rc = kto_db_prepare(db, &st, MUNICIPALITY_SELECT "ORDER BY m.code", "");
	}
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, municipality_fill,
	    (void **)out, count);
}

struct municipality_update {
	const char *actor, *code;
	const struct kto_municipality_changes *ch;
};

static enum kto_rc
municipality_update_txn(struct kto_db *db, void *arg)
{
	struct municipality_update *u = arg;
	struct kto_municipality m;
	enum kto_rc rc;

	if ((rc = kto_municipality_find(db, u->code, &m)) != KTO_OK)
		return rc;
	if (u->ch->name != NULL) {
		rc = kto_db_exec(db, "UPDATE municipality SET name = ? WHERE id = ?",
		    "ti", u->ch->name, m.id);
		if (rc == KTO_OK)
			rc = kto_audit(db, u->actor, "municipality.rename", m.id,
			    m.code, u->ch->name);
		if (rc != KTO_OK)
			return rc;
	}
	if (u->ch->circle_code != NULL) {
		int64_t cid = 0;

		if (u->ch->circle_code[0] != '\0' &&
		    (rc = circle_id(db, u->ch->circle_code, &cid)) != KTO_OK)
			return rc;
		rc = cid ? kto_db_exec(db, "UPDATE municipality SET circle_id = ? "
		               "WHERE id = ?", "ii", cid, m.id)
		         : kto_db_exec(db, "UPDATE municipality SET circle_id = NULL "
		               "WHERE id = ?", "i", m.id);
		if (rc == KTO_OK)
			rc = kto_audit(db, u->actor, "municipality.move", m.id, m.code,
			    u->ch->circle_code[0] ? u->ch->circle_code : "(no circle)");
	}
	return rc;
}

enum kto_rc
kto_municipality_update(struct kto_db *db, const char *actor, const char *code,
                        const struct kto_municipality_changes *ch)
{
	struct municipality_update u = { actor, code, ch };
	enum kto_rc rc;

	if (ch->name != NULL &&
	    (rc = kto_check_name(ch->name, "municipality name", &db->err)) != KTO_OK)
		return rc;
	return kto_db_transaction(db, municipality_update_txn, &u);
}
