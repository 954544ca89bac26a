/*
** Addresses that are never invited: citizens who opted out, and staff and
** test addresses by pattern.  Sampling checks both before every draw.
*/
#ifndef KTO_ENGINE_BLOCKLIST_H
#define KTO_ENGINE_BLOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

struct kto_db;

/*
** Records that the owner of email wants no more invitations: from the
** municipality `code`, or from any when code is NULL.  Only the keyed
** hash of the address is stored.  source: "link", "mail", "api", "admin".
** Recording an opt-out twice is not an error.
*/
enum kto_rc kto_optout_add(struct kto_db *db, const char *actor, const char *email,
                           const char *code, const char *source);

/* What an opt-out through a personal link did. */
struct kto_optout_result {
	char municipality[201];      /* whose invitation it was, for the page */
	bool already;                /* the address had opted out before */
};

/*
** Records the opt-out of the citizen whose invitation has token (from the
** link in the mail, its one-click POST, or a reply to the mailto address).
** The opt-out holds for every later wave of every municipality, by the
** keyed hash of the address; the invitation gets no more mail.
** KTO_ENOTFOUND for a token that is not an invitation's (the same answer
** for a malformed one, so that probing learns nothing).
*/
enum kto_rc kto_optout_token(struct kto_db *db, const char *token,
                             const char *source, struct kto_optout_result *out);

/* A staff or test pattern such as "*@beverwijk.nl" or "test*@*". */
struct kto_pattern {
	int64_t id;
	char pattern[256];
	char municipality[33];    /* "" for every municipality */
	char note[201];
};

/*
** Adds a wildcard pattern ('*', '?', '[...]'; matched case-insensitively
** against whole addresses), for municipality code or (NULL) all.
*/
enum kto_rc kto_pattern_add(struct kto_db *db, const char *actor,
                            const char *pattern, const char *code,
                            const char *note, int64_t *id_out);

enum kto_rc kto_pattern_list(struct kto_db *db, struct kto_pattern **out,
                             size_t *count);

/* Removes a pattern by id; KTO_ENOTFOUND when there is none. */
enum kto_rc kto_pattern_remove(struct kto_db *db, const char *actor, int64_t id);

#endif
