/*
** Privacy by construction (DESIGN.md section 7): the retention purge, and a
** citizen's requests to see (AVG article 15) or erase (article 17) what kto
** holds about an e-mail address.
**
** What outlives an address is its keyed hash (engine/email.h): in
** contact.email_hash, invitation.email_hash and opt_out.  That is what
** keeps opt-outs and the "invited recently" rule working after the
** addresses are gone.  Tokens are stored as hashes throughout; the one
** copy in the clear (invitation.mail_token, for the mail) and the
** rendered mail in the outbox are erased with the addresses.
**
** Every change runs in one transaction on a connection with
** secure_delete on (engine/db.c), and is followed by a WAL checkpoint
** that truncates the -wal file, so that an erased address is in neither
** file afterwards.
*/
#ifndef KTO_ENGINE_PRIVACY_H
#define KTO_ENGINE_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/email.h"

struct kto_db;

#define KTO_RETENTION_DAYS_DEFAULT 30
#define KTO_RETENTION_DAYS_MAX 3650

/* The team's privacy settings, kept in the setting table. */
struct kto_privacy_settings {
	int retention_days;          /* after a wave's close; default 30 */
	bool keep_open_originals;    /* store open answers unmasked; default no */
};

enum kto_rc kto_privacy_settings_get(struct kto_db *db,
                                     struct kto_privacy_settings *out);

/*
** Changes the settings: retention_days when >= 0 (0..KTO_RETENTION_DAYS_MAX,
** else KTO_EINPUT), keep_open_originals when keep is 0 or 1 (-1: leave).
** Recorded in the audit log.
*/
enum kto_rc kto_privacy_settings_set(struct kto_db *db, const char *actor,
                                     int retention_days, int keep);

/*
** Whether open answers are to be stored as typed (the team's setting),
** into *keep.  An error must end the caller's transaction: SQLite may
** have rolled it back already (SQLITE_NOMEM, SQLITE_IOERR).
*/
enum kto_rc kto_privacy_keep_open_originals(struct kto_db *db, bool *keep);

/* What a purge erased (or, dry, would erase). */
struct kto_purge_report {
	int retention_days;
	char cutoff[20];             /* waves closed before this local time */
	int64_t waves;               /* closed waves past the retention */
	int64_t waves_new;           /* of which purged for the first time */
	int64_t addresses;           /* contact addresses erased */
	int64_t tokens;              /* personal tokens in the clear erased */
	int64_t mails;               /* outbox messages (recipient, body) erased */
	int64_t replies;             /* SMTP replies with an address masked */
	int64_t responses;           /* responses unlinked from their invitation */
	int64_t answers;             /* open answers quoting an address, masked */
	bool dry_run;
	bool committed;              /* the changes were saved */
	bool checkpointed;           /* the -wal file was emptied afterwards */
};

/*
** The retention purge.  For every wave closed more than retention_days
** ago (-1: the setting) erases what it no longer needs: the addresses of
** the contacts it covered (its period) or invited -- unless a wave still
** running or within its retention needs them --, the tokens in the clear,
** the rendered mail and envelope addresses, addresses in SMTP replies,
** an invited contact's address quoted in an open answer of the wave, and
** the link from its responses to their invitations.  Keyed hashes
** stay.  Idempotent: a second run changes nothing.  dry_run counts and
** changes nothing.  KTO_EINPUT for a retention out of range.
*/
enum kto_rc kto_privacy_purge(struct kto_db *db, const char *actor,
                              int retention_days, bool dry_run,
                              struct kto_purge_report *out);

/* A contact of the address, for an export. */
struct kto_px_contact {
	char municipality[33], municipality_name[201];
	char external_id[65], channel[8], contact_at[20], imported_at[24];
	bool address_held;           /* false: only the keyed hash is left */
};

/* An invitation to the address, with its mail and response. */
struct kto_px_invitation {
	int64_t wave_id;
	char municipality[33], channel[8], state[12], wave_state[12];
	char created_at[24], invited_at[24], reminded_at[24], responded_at[24];
	char wave_purged_at[24];     /* "" while not purged */
	bool token_held;             /* a token in the clear is stored */
	int64_t mails;               /* outbox messages */
	int64_t mails_with_address;  /* of which still hold the address */
	char response[12];           /* "", "draft" or "complete" */
};

struct kto_px_optout {
	char municipality[33];       /* "" for every municipality */
	char source[8], created_at[24];
};

struct kto_px_exclusion {
	int64_t id;
	char pattern[256], municipality[33];
	bool exact;                  /* the address itself, not a wildcard */
};

/*
** Everything kto holds about one address, found by the address and by its
** keyed hash.  Arrays are owned by the struct: kto_privacy_export_release().
*/
struct kto_privacy_export {
	char address[KTO_EMAIL_MAX + 1];     /* normalised */
	struct kto_px_contact *contacts;
	size_t n_contacts;
	struct kto_px_invitation *invitations;
	size_t n_invitations;
	struct kto_px_optout *optouts;
	size_t n_optouts;
	struct kto_px_exclusion *exclusions;
	size_t n_exclusions;
	int64_t open_answers;        /* open answers that contain the address */
	int64_t audit_entries;       /* audit entries that name the address */
	char portal_role[16];        /* a portal account with the address; "" none */
};

/*
** Fills out for email.  KTO_EINPUT for something that is not an address,
** KTO_ENOTFOUND when kto holds nothing about it.  out is released (empty)
** on failure.  Recorded in the audit log, without the address.
*/
enum kto_rc kto_privacy_export(struct kto_db *db, const char *actor,
                               const char *email, struct kto_privacy_export *out);
void kto_privacy_export_release(struct kto_privacy_export *x);

/* What an erasure did. */
struct kto_erase_report {
	int64_t contacts;            /* contact rows made anonymous */
	int64_t invitations;         /* invitations unlinked from the address */
	int64_t mails;               /* outbox messages erased */
	int64_t responses;           /* responses unlinked from the invitation */
	int64_t open_answers;        /* open answers with the address masked */
	int64_t exclusions;          /* exact-address patterns made opt-outs */
	int64_t optouts_kept;        /* opt-outs kept, as keyed hashes */
	int64_t audit_entries;       /* append-only entries naming it (kept) */
	bool portal_account;         /* a portal account has it (not touched) */
	bool committed;              /* the changes were saved */
	bool checkpointed;           /* the -wal file was emptied afterwards */
};

/*
** Erases email: contact rows lose the address, its hash and the
** municipality's contact id (the row stays, anonymous, as a contact the
** population counts); invitations lose their link to the contact, the
** hash and the token; queued mail is cancelled and all mail erased;
** responses are unlinked from the invitations; open answers that quote
** the address get it replaced by "[e-mail]"; an exclusion pattern that is
** exactly the address becomes an opt-out by hash.  Opt-outs stay (as
** keyed hashes): that is what honours them.  The audit log gets the
** counts, not the address.  KTO_EINPUT, KTO_ENOTFOUND as for export.
*/
enum kto_rc kto_privacy_erase(struct kto_db *db, const char *actor,
                              const char *email, struct kto_erase_report *out);

/*
** PRAGMA wal_checkpoint(TRUNCATE): copies the log into the database file
** and empties the -wal file.  KTO_EBUSY when another connection's read
** kept it from finishing (the log then still holds old pages).
*/
enum kto_rc kto_privacy_checkpoint(struct kto_db *db);

#endif
