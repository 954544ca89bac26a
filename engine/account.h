/*
** Who may use the portal and the API (DESIGN.md section 7): accounts with
** a role -- the benchmark team, or a municipality's manager (runs waves)
** or viewer (reads results) -- their sign-in sessions, and the API keys a
** municipality's systems push contacts with.
**
** Passwords are stored as argon2id strings (libsodium's crypto_pwhash at
** its "interactive" limits: 64 MiB and 2 passes, above OWASP's minimum);
** session cookies and API keys are 256 random bits stored as SHA-256
** hashes, so a copy of the database opens no door.
*/
#ifndef KTO_ENGINE_ACCOUNT_H
#define KTO_ENGINE_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/municipality.h"

struct kto_db;

enum kto_role { KTO_ROLE_TEAM, KTO_ROLE_MANAGER, KTO_ROLE_VIEWER };

const char *kto_role_name(enum kto_role r);
bool kto_role_parse(const char *s, enum kto_role *out);

#define KTO_SECRET_CHARS 43          /* 256 bits, base64url without padding */
#define KTO_PASSWORD_CHARS 20        /* a generated password */
#define KTO_SESSION_HOURS 8          /* a working day, then sign in again */

struct kto_account {
	int64_t id;
	char email[256];
	enum kto_role role;
	int64_t municipality_id;                    /* 0 for the team */
	char municipality[KTO_CODE_MAX + 1];        /* "" for the team */
	bool disabled;
	char created_at[32], last_sign_in[32];
};

/*
** Adds an account with a generated password, returned once in password
** (the caller shows it to the person, who should change it).  manager and
** viewer need a municipality code; team must have none.  KTO_EEXISTS for
** an address already in use; KTO_EINPUT for a bad address or role mix;
** KTO_ENOTFOUND for an unknown municipality.
*/
enum kto_rc kto_account_add(struct kto_db *db, const char *actor, const char *email,
                            enum kto_role role, const char *municipality,
                            char password[KTO_PASSWORD_CHARS + 1]);

/* A new generated password for the account (and every session ended). */
enum kto_rc kto_account_reset(struct kto_db *db, const char *actor, const char *email,
                              char password[KTO_PASSWORD_CHARS + 1]);

/* Sets the password (at least 12 characters); every other session ends. */
enum kto_rc kto_account_set_password(struct kto_db *db, const char *actor,
                                     int64_t account_id, const char *password);

enum kto_rc kto_account_disable(struct kto_db *db, const char *actor, const char *email);

/* Every account, by address; *out freed by the caller. */
enum kto_rc kto_account_list(struct kto_db *db, struct kto_account **out, size_t *count);

/* A signed-in session. */
struct kto_session {
	struct kto_account account;
	char csrf[KTO_SECRET_CHARS + 1];   /* to put in and check on every form */
};

/*
** Per-account sign-in limit: after KTO_SIGN_IN_FAILURES failed attempts
** for one address within KTO_SIGN_IN_WINDOW minutes, every attempt for it
** is refused -- right password or not -- until fewer than that many
** failures lie within the last KTO_SIGN_IN_WINDOW minutes, or the team
** unlocks it (kto_account_unlock).  Attempts while locked do not count,
** so the lock ends at most KTO_SIGN_IN_WINDOW minutes after it began.
** A successful sign-in starts the count afresh.
*/
#define KTO_SIGN_IN_FAILURES 5
#define KTO_SIGN_IN_WINDOW 15

/*
** Signs in: checks the password (always spending the time of a check, so
** that unknown addresses cannot be told apart) and starts a session whose
** cookie value goes to cookie.  KTO_EPERM for a wrong address or password,
** a disabled account or a locked one -- the same answer for all four.
** from is the client's address, for the audit log (NULL when unknown);
** every attempt is logged (user.sign_in, user.sign_in_failed,
** user.sign_in_locked, user.locked), never with the password.
*/
enum kto_rc kto_session_start(struct kto_db *db, const char *email, const char *password,
                              const char *from, char cookie[KTO_SECRET_CHARS + 1],
                              struct kto_session *out);

/* Lifts the sign-in limit of an address now (logged as user.unlock). */
enum kto_rc kto_account_unlock(struct kto_db *db, const char *actor, const char *email);

/* The session of a cookie; KTO_ENOTFOUND when unknown, expired or disabled. */
enum kto_rc kto_session_find(struct kto_db *db, const char *cookie, struct kto_session *out);

/* Ends the session of a cookie (signing out, logged); unknown is fine. */
enum kto_rc kto_session_end(struct kto_db *db, const char *cookie);

/* True when a form's token is the session's, compared in constant time. */
bool kto_session_csrf_ok(const struct kto_session *s, const char *token);

/*
** API keys.  kto_apikey_add returns the key once; it is stored hashed.
** kto_apikey_find gives the municipality a key speaks for (KTO_EPERM for an
** unknown or revoked key).
*/
struct kto_apikey {
	int64_t id;
	char municipality[KTO_CODE_MAX + 1];
	char label[128];
	char created_at[32], revoked_at[32];
};

enum kto_rc kto_apikey_add(struct kto_db *db, const char *actor, const char *municipality,
                           const char *label, int64_t *id,
                           char key[KTO_SECRET_CHARS + 1]);
enum kto_rc kto_apikey_revoke(struct kto_db *db, const char *actor, int64_t id);
enum kto_rc kto_apikey_list(struct kto_db *db, struct kto_apikey **out, size_t *count);
enum kto_rc kto_apikey_find(struct kto_db *db, const char *key, int64_t *municipality_id,
                            char municipality[KTO_CODE_MAX + 1]);

#endif
