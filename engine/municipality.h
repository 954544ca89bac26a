/*
** Municipalities (gemeenten): the participants of the benchmark, each in at
** most one comparison circle.
*/
#ifndef KTO_ENGINE_MUNICIPALITY_H
#define KTO_ENGINE_MUNICIPALITY_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "engine/email.h"
#include "engine/naming.h"

#define KTO_SIGNATURE_MAX 1000   /* bytes of a mail signature, line breaks included */

struct kto_db;

struct kto_municipality {
	int64_t id;
	char code[KTO_CODE_MAX + 1];
	char name[KTO_NAME_MAX + 1];
	char circle_code[KTO_CODE_MAX + 1];   /* "" when in no circle */
	char circle_name[KTO_NAME_MAX + 1];
	char created_at[32];
	/*
	** The settings of its mail and pages; "" when not set.  Every one but
	** the signature is a single line (they go into mail headers); the
	** signature may have line breaks ('\n', never '\r').
	*/
	char sender_name[KTO_NAME_MAX + 1];        /* the From display name */
	char sender_address[KTO_EMAIL_MAX + 1];    /* the From address */
	char reply_to[KTO_EMAIL_MAX + 1];          /* where replies go */
	char privacy_url[KTO_URL_MAX + 1];         /* its privacy statement */
	char public_url[KTO_URL_MAX + 1];          /* base of its links, without a
	                                              trailing '/'; "" means the
	                                              installation's public_url */
	char signature[KTO_SIGNATURE_MAX + 1];     /* under the mail's text */
	char colour[8];                            /* "#RRGGBB": its pages' band */
	bool has_logo;                             /* a PNG logo: /logo/CODE */
};

/*
** Registers a municipality, in circle_code when that is not NULL.
** KTO_EEXISTS (naming the existing record) when the code is taken,
** KTO_ENOTFOUND when the circle does not exist, KTO_EINPUT for a bad code or
** name.  *id_out (may be NULL) receives the new id.
*/
enum kto_rc kto_municipality_add(struct kto_db *db, const char *actor,
                                 const char *code, const char *name,
                                 const char *circle_code, int64_t *id_out);

/* Looks a municipality up by code (case-insensitive); KTO_ENOTFOUND if none. */
/* The municipality's logo (a PNG file) into out; KTO_ENOTFOUND for none. */
struct kto_buf;
enum kto_rc kto_municipality_logo(struct kto_db *db, const char *code,
                                  struct kto_buf *out);

enum kto_rc kto_municipality_find(struct kto_db *db, const char *code,
                                  struct kto_municipality *out);

/*
** Municipalities ordered by code, all of them or (circle_code not NULL) one
** circle's.  *out is an array of *count elements the caller frees with
** free(3).  KTO_ENOTFOUND when the named circle does not exist.
*/
enum kto_rc kto_municipality_list(struct kto_db *db, const char *circle_code,
                                  struct kto_municipality **out, size_t *count);

/*
** What kto_municipality_update changes: NULL fields stay as they are, ""
** clears an optional setting (every field from sender_name on).
*/
struct kto_municipality_changes {
	const char *name;
	const char *circle_code;     /* "" takes the municipality out of its circle */
	const char *sender_name;     /* a name: kto_check_name() */
	const char *sender_address;  /* an address kto_email_problem() accepts */
	const char *reply_to;        /* likewise */
	const char *privacy_url;     /* kto_check_url(..., KTO_URL_PAGE) */
	const char *public_url;      /* kto_check_url(..., KTO_URL_BASE); a
	                                trailing '/' is dropped */
	const char *signature;       /* UTF-8 text of at most KTO_SIGNATURE_MAX
	                                bytes; '\n' allowed, no other control
	                                character */
	const char *colour;          /* "#RRGGBB", dark enough for white text */
	bool set_logo;               /* change the logo: to logo_png, or none */
	const unsigned char *logo_png;   /* a PNG file of at most
	                                    KTO_LOGO_MAX bytes; NULL: none */
	size_t logo_len;
};

#define KTO_LOGO_MAX (200 * 1024)

/*
** Renames a municipality, moves it to another circle, or changes its mail
** and page settings, all in one transaction: when one change is refused,
** none is made.  Every change is written to the audit log
** ("municipality.rename", "municipality.move", "municipality.set" with
** "field: value" as detail).  KTO_EINPUT (the message names the setting and
** says why) for a value that the rules above refuse, KTO_ENOTFOUND for an
** unknown municipality or circle.
*/
enum kto_rc kto_municipality_update(struct kto_db *db, const char *actor,
                                    const char *code,
                                    const struct kto_municipality_changes *ch);

/*
** Checks a signature: UTF-8, at most KTO_SIGNATURE_MAX bytes, and no control
** character but '\n'.  `what` names it in the message.
*/
enum kto_rc kto_check_signature(const char *text, const char *what,
                                struct kto_err *err);

#endif
