#include "engine/blocklist.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "engine/audit.h"
#include "engine/db_int.h"
#include "engine/email.h"
#include "engine/municipality.h"
#include "engine/token.h"

struct optout {
	const char *actor, *email, *code, *source;
};

static enum kto_rc
optout_txn(struct kto_db *db, void *arg)
{
	struct optout *o = arg;
	struct kto_municipality m;
	unsigned char hash[KTO_EMAIL_HASH_BYTES];
	char norm[KTO_EMAIL_MAX + 1];
	const char *problem;
	enum kto_rc rc;

	if (!kto_email_normalize(o->email, norm) ||
	    (problem = kto_email_problem(norm)) != NULL)
		return kto_db_seterr(db, KTO_EINPUT, "'%.80s' is not an e-mail address "
		    "kto can use", o->email);
	if (o->code != NULL && (rc = kto_municipality_find(db, o->code, &m)) != KTO_OK)
		return rc;
	if ((rc = kto_email_hash(db, norm, hash)) != KTO_OK)
		return rc;
	/* UNIQUE treats NULLs as distinct: look first for the all-municipality case. */
	rc = kto_db_exec(db, "INSERT INTO opt_out (email_hash, municipality_id, source) "
	    "SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM opt_out WHERE "
	    "email_hash = ?1 AND municipality_id IS ?2)", "bNt", hash, sizeof hash,
	    o->code ? m.id : (int64_t)0, o->source);
	if (rc != KTO_OK)
		return rc;
	return kto_audit(db, o->actor, "optout.add", o->code ? m.id : 0, NULL,
	    o->source);
}

enum kto_rc
kto_optout_add(struct kto_db *db, const char *actor, const char *email,
               const char *code, const char *source)
{
	struct optout o = { actor, email, code, source };

	return kto_db_transaction(db, optout_txn, &o);
}

struct optout_token {
	const char *token, *source;
	struct kto_optout_result *out;
};

static enum kto_rc
optout_token_txn(struct kto_db *db, void *arg)
{
	struct optout_token *o = arg;
	unsigned char th[KTO_TOKEN_HASH_BYTES];
	sqlite3_stmt *st;
	int64_t invitation = 0, municipality = 0;
	bool row;
	enum kto_rc rc;

	kto_token_hash(o->token, th);
	rc = kto_db_prepare(db, &st, "SELECT i.id, i.email_hash, m.id, m.name "
	    "FROM invitation i JOIN wave w ON w.id = i.wave_id JOIN municipality m "
	    "ON m.id = w.municipality_id WHERE i.token_hash = ?", "b", th, sizeof th);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row &&
	    sqlite3_column_bytes(st, 1) == KTO_EMAIL_HASH_BYTES) {
		invitation = sqlite3_column_int64(st, 0);
		municipality = sqlite3_column_int64(st, 2);
		kto_db_column_copy(st, 3, o->out->municipality, sizeof o->out->municipality);
		o->out->already = false;
		rc = kto_db_exec(db, "INSERT INTO opt_out (email_hash, source) SELECT ?1, "
		    "?2 WHERE NOT EXISTS (SELECT 1 FROM opt_out WHERE email_hash = ?1 AND "
		    "municipality_id IS NULL)", "bt", sqlite3_column_blob(st, 1),
		    (size_t)KTO_EMAIL_HASH_BYTES, o->source);
		if (rc == KTO_OK)
			o->out->already = sqlite3_changes(db->sqlite) == 0;
	}
	sqlite3_finalize(st);
	if (rc != KTO_OK)
		return rc;
	if (invitation == 0)
		return kto_db_seterr(db, KTO_ENOTFOUND, "no invitation has this link");
	/* No more mail to this invitation: nothing queued goes out either. */
	if ((rc = kto_db_exec(db, "UPDATE invitation SET state = 'opted_out', "
	    "mail_token = NULL WHERE id = ? AND state IN ('queued', 'invited', "
	    "'reminded')", "i", invitation)) != KTO_OK ||
	    (rc = kto_db_exec(db, "UPDATE mail_outbox SET state = 'perm_failed', "
	    "message = NULL, recipient = NULL, last_reply = 'cancelled: the citizen "
	    "opted out' WHERE invitation_id = ? AND state IN ('queued', "
	    "'temp_failed')", "i", invitation)) != KTO_OK)
		return rc;
	return kto_audit(db, "citizen", "optout.link", municipality, NULL, o->source);
}

enum kto_rc
kto_optout_token(struct kto_db *db, const char *token, const char *source,
                 struct kto_optout_result *out)
{
	struct optout_token o = { token, source, out };

	memset(out, 0, sizeof *out);
	if (!kto_token_wellformed(token))
		return kto_db_seterr(db, KTO_ENOTFOUND, "no invitation has this link");
	return kto_db_transaction(db, optout_token_txn, &o);
}

struct pattern_add {
	const char *actor, *pattern, *code, *note;
	int64_t id;
};

static enum kto_rc
pattern_add_txn(struct kto_db *db, void *arg)
{
	struct pattern_add *p = arg;
	struct kto_municipality m;
	char lower[256];
	size_t n = strlen(p->pattern);
	enum kto_rc rc;

	if (n == 0 || n >= sizeof lower || kto_utf8_invalid_at(p->pattern, n) != n ||
	    kto_text_has_control(p->pattern) || strchr(p->pattern, '@') == NULL)
		return kto_db_seterr(db, KTO_EINPUT, "'%.80s' is not an address "
		    "pattern; write one with an '@', such as *@beverwijk.nl or "
		    "test*@*", p->pattern);
	for (size_t i = 0; i <= n; i++)
		lower[i] = (p->pattern[i] >= 'A' && p->pattern[i] <= 'Z') ?
		    (char)(p->pattern[i] - 'A' + 'a') : p->pattern[i];
	if (p->code != NULL && (rc = kto_municipality_find(db, p->code, &m)) != KTO_OK)
		return rc;
	rc = kto_db_exec(db, "INSERT INTO address_exclusion (pattern, municipality_id, "
	    "note) SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM "
	    "address_exclusion WHERE pattern = ?1 AND municipality_id IS ?2)", "tNt",
	    lower, p->code ? m.id : (int64_t)0, p->note);
	if (rc != KTO_OK)
		return rc;
	if (sqlite3_changes(db->sqlite) == 0)
		return kto_db_seterr(db, KTO_EEXISTS, "the pattern '%s' is there "
		    "already", lower);
	p->id = sqlite3_last_insert_rowid(db->sqlite);
	return kto_audit(db, p->actor, "pattern.add", p->code ? m.id : 0, lower,
	    p->note);
}

enum kto_rc
kto_pattern_add(struct kto_db *db, const char *actor, const char *pattern,
                const char *code, const char *note, int64_t *id_out)
{
	struct pattern_add p = { actor, pattern, code, note, 0 };
	enum kto_rc rc = kto_db_transaction(db, pattern_add_txn, &p);

	if (rc == KTO_OK && id_out != NULL)
		*id_out = p.id;
	return rc;
}

static void
pattern_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_pattern *p = elem;

	p->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, p->pattern, sizeof p->pattern);
	kto_db_column_copy(st, 2, p->municipality, sizeof p->municipality);
	kto_db_column_copy(st, 3, p->note, sizeof p->note);
}

enum kto_rc
kto_pattern_list(struct kto_db *db, struct kto_pattern **out, size_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc;

	*out = NULL;
	*count = 0;
	rc = kto_db_prepare(db, &st, "SELECT a.id, a.pattern, coalesce(m.code, ''), "
	    "coalesce(a.note, '') FROM address_exclusion a LEFT JOIN municipality m "
	    "ON m.id = a.municipality_id ORDER BY a.id", "");
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, pattern_fill, (void **)out, count);
}

struct pattern_remove {
	const char *actor;
	int64_t id;
};

static enum kto_rc
pattern_remove_txn(struct kto_db *db, void *arg)
{
	struct pattern_remove *r = arg;
	char subject[32];
	enum kto_rc rc;

	rc = kto_db_exec(db, "DELETE FROM address_exclusion WHERE id = ?", "i", r->id);
	if (rc != KTO_OK)
		return rc;
	if (sqlite3_changes(db->sqlite) == 0)
		return kto_db_seterr(db, KTO_ENOTFOUND, "there is no pattern %lld; "
		    "'kto exclude list' shows them", (long long)r->id);
	snprintf(subject, sizeof subject, "%lld", (long long)r->id);
	return kto_audit(db, r->actor, "pattern.remove", 0, subject, NULL);
}

enum kto_rc
kto_pattern_remove(struct kto_db *db, const char *actor, int64_t id)
{
	struct pattern_remove r = { actor, id };

	return kto_db_transaction(db, pattern_remove_txn, &r);
}
