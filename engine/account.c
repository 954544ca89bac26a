/*
** Accounts, sessions and API keys (see account.h).
*/
#include "engine/account.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/db_int.h"
#include "engine/email.h"

/* argon2id at libsodium's interactive limits: 64 MiB, 2 passes. */
#define PWHASH_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PWHASH_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE
#define PASSWORD_MIN 12

const char *
kto_role_name(enum kto_role r)
{
	return r == KTO_ROLE_TEAM ? "team" : r == KTO_ROLE_MANAGER ? "manager" : "viewer";
}

bool
kto_role_parse(const char *s, enum kto_role *out)
{
	for (int r = KTO_ROLE_TEAM; r <= KTO_ROLE_VIEWER; r++)
		if (strcmp(s, kto_role_name((enum kto_role)r)) == 0) {
			*out = (enum kto_role)r;
			return true;
		}
	return false;
}

/* ------------------------------------------------------------------ */
/* Secrets                                                             */

static enum kto_rc
secret_new(char out[KTO_SECRET_CHARS + 1])
{
	unsigned char raw[32];

	if (sodium_init() < 0)
		return KTO_EINTERNAL;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, KTO_SECRET_CHARS + 1, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	return KTO_OK;
}

static void
secret_hash(const char *secret, unsigned char out[crypto_hash_sha256_BYTES])
{
	crypto_hash_sha256(out, (const unsigned char *)secret, strlen(secret));
}

/*
** A password people can type from a screen: 20 characters from an
** alphabet without look-alikes (no 0/O, 1/l/I), about 114 bits.
*/
static enum kto_rc
password_new(char out[KTO_PASSWORD_CHARS + 1])
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

	if (sodium_init() < 0)
		return KTO_EINTERNAL;
	for (int i = 0; i < KTO_PASSWORD_CHARS; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[KTO_PASSWORD_CHARS] = '\0';
	return KTO_OK;
}

static enum kto_rc
password_hash(struct kto_db *db, const char *password, char out[crypto_pwhash_STRBYTES])
{
	if (sodium_init() < 0 || crypto_pwhash_str(out, password, strlen(password),
	    PWHASH_OPS, PWHASH_MEM) != 0)
		return kto_db_seterr(db, KTO_ENOMEM, "out of memory hashing a password");
	return KTO_OK;
}

/* ------------------------------------------------------------------ */
/* Accounts                                                            */

#define ACCOUNT_COLUMNS "a.id, a.email, a.role, coalesce(a.municipality_id, 0), " \
	"coalesce(m.code, ''), a.disabled, a.created_at, coalesce(a.last_sign_in, '')"
#define ACCOUNT_FROM " FROM app_user a LEFT JOIN municipality m ON m.id = a.municipality_id "
#define ACCOUNT_SELECT "SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM

static void
account_from_row(sqlite3_stmt *st, struct kto_account *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, a->email, sizeof a->email);
	kto_role_parse((const char *)sqlite3_column_text(st, 2), &a->role);
	a->municipality_id = sqlite3_column_int64(st, 3);
	kto_db_column_copy(st, 4, a->municipality, sizeof a->municipality);
	a->disabled = sqlite3_column_int(st, 5) != 0;
	kto_db_column_copy(st, 6, a->created_at, sizeof a->created_at);
	kto_db_column_copy(st, 7, a->last_sign_in, sizeof a->last_sign_in);
}

static void
account_fill(sqlite3_stmt *st, void *elem)
{
	account_from_row(st, elem);
}

enum kto_rc
kto_account_list(struct kto_db *db, struct kto_account **out, size_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc = kto_db_prepare(db, &st, ACCOUNT_SELECT "ORDER BY a.email", "");

	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, account_fill, (void **)out, count);
}

struct account_add {
	const char *actor, *email, *municipality;
	enum kto_role role;
	char hash[crypto_pwhash_STRBYTES];
};

static enum kto_rc
account_add_txn(struct kto_db *db, void *arg)
{
	struct account_add *a = arg;
	struct kto_municipality m;
	enum kto_rc rc;

	memset(&m, 0, sizeof m);
	if (a->municipality != NULL &&
	    (rc = kto_municipality_find(db, a->municipality, &m)) != KTO_OK)
		return rc;
	rc = kto_db_exec(db, "INSERT INTO app_user (email, role, municipality_id, "
	    "password_hash) VALUES (?, ?, ?, ?)", "ttNt", a->email,
	    kto_role_name(a->role), m.id, a->hash);
	if (rc != KTO_OK && kto_db_is_unique_violation(db))
		return kto_db_seterr(db, KTO_EEXISTS, "there is already an account "
		    "for %s; see 'kto user list'", a->email);
	if (rc != KTO_OK)
		return rc;
	return kto_audit(db, a->actor, "user.add", m.id, a->email, kto_role_name(a->role));
}

enum kto_rc
kto_account_add(struct kto_db *db, const char *actor, const char *email,
                enum kto_role role, const char *municipality,
                char password[KTO_PASSWORD_CHARS + 1])
{
	struct account_add a = { actor, email, municipality, role, { 0 } };
	char normal[KTO_EMAIL_MAX + 1];
	const char *problem;
	enum kto_rc rc;

	if (!kto_email_normalize(email, normal))
		return kto_db_seterr(db, KTO_EINPUT, "'%.64s...' is too long for an "
		    "e-mail address", email);
	if ((problem = kto_email_problem(normal)) != NULL)
		return kto_db_seterr(db, KTO_EINPUT, "'%s' is not an e-mail address: %s",
		    email, problem);
	a.email = normal;
	if (role == KTO_ROLE_TEAM && municipality != NULL)
		return kto_db_seterr(db, KTO_EINPUT, "a team account belongs to no "
		    "municipality: leave --municipality out");
	if (role != KTO_ROLE_TEAM && municipality == NULL)
		return kto_db_seterr(db, KTO_EINPUT, "a %s belongs to a municipality: "
		    "add --municipality CODE", kto_role_name(role));
	if ((rc = password_new(password)) != KTO_OK ||
	    (rc = password_hash(db, password, a.hash)) != KTO_OK)
		return rc;
	return kto_db_transaction(db, account_add_txn, &a);
}

/* An entry about an account, under its municipality (none for the team). */
static enum kto_rc
audit_user(struct kto_db *db, const char *actor, const char *action, const char *email)
{
	return kto_db_exec(db, "INSERT INTO audit_log (actor, action, municipality_id, "
	    "subject) VALUES (?, ?, (SELECT municipality_id FROM app_user WHERE "
	    "email = ?), ?)", "tttt", actor, action, email, email);
}

struct password_set {
	const char *actor;
	int64_t id;
	const char *email;            /* instead of id, when not NULL */
	char hash[crypto_pwhash_STRBYTES];
};

static enum kto_rc
password_set_txn(struct kto_db *db, void *arg)
{
	struct password_set *p = arg;
	enum kto_rc rc;

	if (p->email != NULL)
		rc = kto_db_exec(db, "UPDATE app_user SET password_hash = ? WHERE email = ?",
		    "tt", p->hash, p->email);
	else
		rc = kto_db_exec(db, "UPDATE app_user SET password_hash = ? WHERE id = ?",
		    "ti", p->hash, p->id);
	if (rc == KTO_OK && sqlite3_changes(db->sqlite) == 0)
		return kto_db_seterr(db, KTO_ENOTFOUND, "there is no account %s",
		    p->email ? p->email : "with that id");
	/* A new password ends every session: a stolen cookie stops working. */
	if (rc == KTO_OK)
		rc = kto_db_exec(db, "DELETE FROM app_session WHERE user_id IN "
		    "(SELECT id FROM app_user WHERE email = ? OR id = ?)", "ti",
		    p->email ? p->email : "", p->id);
	if (rc == KTO_OK && p->email != NULL)
		rc = audit_user(db, p->actor, "user.password", p->email);
	else if (rc == KTO_OK)
		rc = kto_db_exec(db, "INSERT INTO audit_log (actor, action, "
		    "municipality_id, subject) SELECT ?, 'user.password', municipality_id, "
		    "email FROM app_user WHERE id = ?", "ti", p->actor, p->id);
	return rc;
}

enum kto_rc
kto_account_reset(struct kto_db *db, const char *actor, const char *email,
                  char password[KTO_PASSWORD_CHARS + 1])
{
	struct password_set p = { actor, 0, email, { 0 } };
	enum kto_rc rc;

	if ((rc = password_new(password)) != KTO_OK ||
	    (rc = password_hash(db, password, p.hash)) != KTO_OK)
		return rc;
	return kto_db_transaction(db, password_set_txn, &p);
}

enum kto_rc
kto_account_set_password(struct kto_db *db, const char *actor, int64_t account_id,
                         const char *password)
{
	struct password_set p = { actor, account_id, NULL, { 0 } };
	enum kto_rc rc;

	if (strlen(password) < PASSWORD_MIN)
		return kto_db_seterr(db, KTO_EINPUT, "a password needs at least %d "
		    "characters", PASSWORD_MIN);
	if ((rc = password_hash(db, password, p.hash)) != KTO_OK)
		return rc;
	return kto_db_transaction(db, password_set_txn, &p);
}

enum kto_rc
kto_account_disable(struct kto_db *db, const char *actor, const char *email)
{
	enum kto_rc rc = kto_db_exec(db, "UPDATE app_user SET disabled = 1 WHERE email = ?",
	    "t", email);

	if (rc == KTO_OK && sqlite3_changes(db->sqlite) == 0)
		return kto_db_seterr(db, KTO_ENOTFOUND, "there is no account %s", email);
	if (rc == KTO_OK)
		rc = kto_db_exec(db, "DELETE FROM app_session WHERE user_id = "
		    "(SELECT id FROM app_user WHERE email = ?)", "t", email);
	if (rc == KTO_OK)
		rc = audit_user(db, actor, "user.disable", email);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Sessions                                                            */

/* A hash to verify against when the address is unknown: same time spent. */
static const char *
dummy_hash(void)
{
	static char hash[crypto_pwhash_STRBYTES];

	if (hash[0] == '\0' && crypto_pwhash_str(hash, "kto", 3, PWHASH_OPS, PWHASH_MEM) != 0)
		hash[0] = '\0';
	return hash;
}

static enum kto_rc
session_insert(struct kto_db *db, struct kto_session *s, const char *from,
               char cookie[KTO_SECRET_CHARS + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	enum kto_rc rc;

	if ((rc = secret_new(cookie)) != KTO_OK || (rc = secret_new(s->csrf)) != KTO_OK)
		return kto_db_seterr(db, rc, "no randomness");
	secret_hash(cookie, h);
	rc = kto_db_exec(db, "INSERT INTO app_session (id_hash, user_id, csrf, "
	    "expires_at) VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?))",
	    "bitt", h, sizeof h, s->account.id, s->csrf, "+" "8 hours");
	if (rc == KTO_OK)
		rc = kto_db_exec(db, "UPDATE app_user SET last_sign_in = strftime("
		    "'%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?", "i", s->account.id);
	if (rc == KTO_OK)
		rc = kto_audit(db, s->account.email, "user.sign_in",
		    s->account.municipality_id, s->account.email, from);
	return rc;
}

/*
** Failed sign-ins of an address in the last KTO_SIGN_IN_WINDOW minutes
** since its last successful sign-in (or unlock).  The audit log already
** holds every attempt, durably and for every thread and process, so the
** per-account limit is read from it rather than kept a second time: it
** survives restarts and can never disagree with the log.  Both scans are
** bounded by the index on the time to the last few minutes.
*/
static enum kto_rc
recent_failures(struct kto_db *db, const char *email, int64_t *count)
{
	char window[16];
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	snprintf(window, sizeof window, "-%d minutes", KTO_SIGN_IN_WINDOW);
	rc = kto_db_prepare(db, &st, "SELECT count(*) FROM audit_log f WHERE "
	    "f.at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?1) AND "
	    "f.action = 'user.sign_in_failed' AND f.subject = ?2 AND NOT EXISTS "
	    "(SELECT 1 FROM audit_log s WHERE s.at > strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "'now', ?1) AND s.action IN ('user.sign_in', 'user.unlock') AND "
	    "s.subject = ?2 AND s.id > f.id)", "tt", window, email);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	*count = rc == KTO_OK && row ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc;
}

static enum kto_rc
sign_in_refused(struct kto_db *db, struct kto_session *out)
{
	memset(out, 0, sizeof *out);
	return kto_db_seterr(db, KTO_EPERM, "the address or the password is wrong");
}

/*
** Records a failed attempt, and the lock when it is the one too many.  An
** attempt that cannot be recorded is refused all the same, with the
** error: the lock must never depend on a write that did not happen.
*/
static enum kto_rc
sign_in_failed(struct kto_db *db, const char *email, const char *from)
{
	char detail[96];
	int64_t failures;
	enum kto_rc rc;

	if ((rc = kto_audit(db, email, "user.sign_in_failed", 0, email, from)) != KTO_OK ||
	    (rc = recent_failures(db, email, &failures)) != KTO_OK)
		return rc;
	if (failures != KTO_SIGN_IN_FAILURES)
		return KTO_OK;
	snprintf(detail, sizeof detail, "%d failed sign-ins in %d minutes; from %s",
	    KTO_SIGN_IN_FAILURES, KTO_SIGN_IN_WINDOW, from ? from : "?");
	return kto_audit(db, email, "user.locked", 0, email, detail);
}

enum kto_rc
kto_session_start(struct kto_db *db, const char *typed, const char *password,
                  const char *from, char cookie[KTO_SECRET_CHARS + 1],
                  struct kto_session *out)
{
	char email[KTO_EMAIL_MAX + 1], hash[crypto_pwhash_STRBYTES] = "";
	sqlite3_stmt *st;
	int64_t failures = 0;
	bool row, ok;
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	if (sodium_init() < 0)
		return kto_db_seterr(db, KTO_EINTERNAL, "libsodium did not start");
	if (!kto_email_normalize(typed, email)) {
		/* Too long to be anyone's; refused after the same work as others. */
		ok = crypto_pwhash_str_verify(dummy_hash(), password, strlen(password)) == 0;
		(void)ok;
		return sign_in_refused(db, out);
	}
	if ((rc = recent_failures(db, email, &failures)) != KTO_OK)
		return rc;
	rc = kto_db_prepare(db, &st, "SELECT " ACCOUNT_COLUMNS ", a.password_hash"
	    ACCOUNT_FROM "WHERE a.email = ?", "t", email);
	if (rc != KTO_OK)
		return rc;
	if ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		account_from_row(st, &out->account);
		kto_db_column_copy(st, 8, hash, sizeof hash);
	}
	sqlite3_finalize(st);
	if (rc != KTO_OK)
		return rc;
	/*
	 * The check always runs, locked or not, known or not: the time and
	 * the answer are the same for each, so neither tells an attacker
	 * whether the account exists or is locked.
	 */
	ok = crypto_pwhash_str_verify(hash[0] ? hash : dummy_hash(), password,
	    strlen(password)) == 0 && hash[0] != '\0' && !out->account.disabled;
	if (failures >= KTO_SIGN_IN_FAILURES) {
		rc = kto_audit(db, email, "user.sign_in_locked", 0, email, from);
		memset(out, 0, sizeof *out);
		return rc != KTO_OK ? rc : sign_in_refused(db, out);
	}
	if (!ok) {
		rc = sign_in_failed(db, email, from);
		memset(out, 0, sizeof *out);
		return rc != KTO_OK ? rc : sign_in_refused(db, out);
	}
	return session_insert(db, out, from, cookie);
}

enum kto_rc
kto_session_find(struct kto_db *db, const char *cookie, struct kto_session *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	memset(out, 0, sizeof *out);
	if (cookie == NULL || strlen(cookie) != KTO_SECRET_CHARS)
		return kto_db_seterr(db, KTO_ENOTFOUND, "not signed in");
	secret_hash(cookie, h);
	rc = kto_db_query(db, &st, "SELECT " ACCOUNT_COLUMNS ", s.csrf" ACCOUNT_FROM
	    "JOIN app_session s ON s.user_id = a.id WHERE s.id_hash = ? AND "
	    "s.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now') AND a.disabled = 0",
	    "b", h, sizeof h);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		account_from_row(st, &out->account);
		kto_db_column_copy(st, 8, out->csrf, sizeof out->csrf);
	}
	kto_db_query_done(st);
	if (rc == KTO_OK && !row)
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "not signed in");
	return rc;
}

enum kto_rc
kto_session_end(struct kto_db *db, const char *cookie)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	struct kto_session s;
	enum kto_rc rc;

	if (cookie == NULL)
		return KTO_OK;
	if (kto_session_find(db, cookie, &s) == KTO_OK &&
	    (rc = kto_audit(db, s.account.email, "user.sign_out",
	    s.account.municipality_id, s.account.email, NULL)) != KTO_OK)
		return rc;
	secret_hash(cookie, h);
	return kto_db_exec(db, "DELETE FROM app_session WHERE id_hash = ? OR "
	    "expires_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now')", "b", h, sizeof h);
}

bool
kto_session_csrf_ok(const struct kto_session *s, const char *token)
{
	size_t n = strlen(s->csrf);

	return token != NULL && n > 0 && strlen(token) == n &&
	    sodium_memcmp(s->csrf, token, n) == 0;
}

/* ------------------------------------------------------------------ */
/* API keys                                                            */

enum kto_rc
kto_apikey_add(struct kto_db *db, const char *actor, const char *municipality,
               const char *label, int64_t *id, char key[KTO_SECRET_CHARS + 1])
{
	struct kto_municipality m;
	unsigned char h[crypto_hash_sha256_BYTES];
	enum kto_rc rc;

	if ((rc = kto_municipality_find(db, municipality, &m)) != KTO_OK)
		return rc;
	if ((rc = secret_new(key)) != KTO_OK)
		return kto_db_seterr(db, rc, "no randomness");
	secret_hash(key, h);
	rc = kto_db_exec(db, "INSERT INTO api_key (municipality_id, key_hash, label) "
	    "VALUES (?, ?, ?)", "ibt", m.id, h, sizeof h, label ? label : "");
	if (rc != KTO_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(db->sqlite);
	return kto_audit(db, actor, "apikey.add", m.id, m.code, label);
}

enum kto_rc
kto_apikey_revoke(struct kto_db *db, const char *actor, int64_t id)
{
	enum kto_rc rc = kto_db_exec(db, "UPDATE api_key SET revoked_at = strftime("
	    "'%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ? AND revoked_at IS NULL", "i", id);

	if (rc == KTO_OK && sqlite3_changes(db->sqlite) == 0)
		return kto_db_seterr(db, KTO_ENOTFOUND, "there is no active API key %lld; "
		    "see 'kto apikey list'", (long long)id);
	if (rc == KTO_OK) {
		char subject[32];

		snprintf(subject, sizeof subject, "%lld", (long long)id);
		rc = kto_db_exec(db, "INSERT INTO audit_log (actor, action, "
		    "municipality_id, subject) SELECT ?, 'apikey.revoke', "
		    "municipality_id, ? FROM api_key WHERE id = ?", "tti", actor,
		    subject, id);
	}
	return rc;
}

static void
apikey_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_apikey *k = elem;

	memset(k, 0, sizeof *k);
	k->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, k->municipality, sizeof k->municipality);
	kto_db_column_copy(st, 2, k->label, sizeof k->label);
	kto_db_column_copy(st, 3, k->created_at, sizeof k->created_at);
	kto_db_column_copy(st, 4, k->revoked_at, sizeof k->revoked_at);
}

enum kto_rc
kto_apikey_list(struct kto_db *db, struct kto_apikey **out, size_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc = kto_db_prepare(db, &st, "SELECT k.id, m.code, k.label, "
	    "k.created_at, coalesce(k.revoked_at, '') FROM api_key k JOIN municipality "
	    "m ON m.id = k.municipality_id ORDER BY k.id", "");

	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, apikey_fill, (void **)out, count);
}

enum kto_rc
kto_apikey_find(struct kto_db *db, const char *key, int64_t *municipality_id,
                char municipality[KTO_CODE_MAX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	if (key == NULL || strlen(key) != KTO_SECRET_CHARS)
		return kto_db_seterr(db, KTO_EPERM, "no valid API key");
	secret_hash(key, h);
	rc = kto_db_query(db, &st, "SELECT m.id, m.code FROM api_key k JOIN "
	    "municipality m ON m.id = k.municipality_id WHERE k.key_hash = ? AND "
	    "k.revoked_at IS NULL", "b", h, sizeof h);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		*municipality_id = sqlite3_column_int64(st, 0);
		kto_db_column_copy(st, 1, municipality, KTO_CODE_MAX + 1);
	}
	kto_db_query_done(st);
	if (rc == KTO_OK && !row)
		rc = kto_db_seterr(db, KTO_EPERM, "no valid API key");
	return rc;
}

enum kto_rc
kto_account_unlock(struct kto_db *db, const char *actor, const char *typed)
{
	char email[KTO_EMAIL_MAX + 1];
	sqlite3_stmt *st;
	bool row;
	int64_t mid = 0;
	enum kto_rc rc;

	if (!kto_email_normalize(typed, email))
		return kto_db_seterr(db, KTO_ENOTFOUND, "there is no account %.64s...", typed);
	rc = kto_db_prepare(db, &st, "SELECT coalesce(municipality_id, 0) FROM app_user "
	    "WHERE email = ?", "t", email);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row)
		mid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == KTO_OK && !row)
		return kto_db_seterr(db, KTO_ENOTFOUND, "there is no account %s; see "
		    "'kto user list'", email);
	if (rc != KTO_OK)
		return rc;
	return kto_audit(db, actor, "user.unlock", mid, email, NULL);
}
