/*
** The installation's settings: how kto reaches its SMTP server, how fast it
** may send, and the public address that the citizens' links point to.
**
** They come from a plain-text file of `key = value` lines, then from the
** environment (KTO_SMTP_URL, ...), which wins over the file, so that a
** container or a test can change one setting without writing a file.
** Settings of a municipality (its sender, its privacy statement) are not
** here: they live in the database (engine/municipality.h).
**
** The SMTP password is never a setting of the file or the command line,
** where it would be seen by every user of the machine (the file is usually
** readable by all, a command line is in ps(1)): it comes from
** $KTO_SMTP_PASSWORD or from the first line of a file of its own that only
** its owner can read (smtp_password_file), and only when it is needed
** (kto_config_password()).
*/
#ifndef KTO_ENGINE_CONFIG_H
#define KTO_ENGINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "base/status.h"
#include "engine/email.h"
#include "engine/naming.h"

/* Where the file is looked for when neither --config nor $KTO_CONFIG says. */
#define KTO_CONFIG_LOCAL_PATH "kto.conf"
#define KTO_CONFIG_SYSTEM_PATH "/etc/kto/kto.conf"

#define KTO_CONFIG_FILE_MAX (64u << 10)   /* bytes of a config file */
#define KTO_CONFIG_PATH_MAX 1024          /* bytes of a file name setting */
#define KTO_CONFIG_USER_MAX 255           /* bytes of the SMTP user name */
#define KTO_CONFIG_PASSWORD_MAX 1024      /* bytes of the SMTP password */

/* Defaults and ranges of the numeric settings. */
#define KTO_CONFIG_CONNECTIONS_DEFAULT 4
#define KTO_CONFIG_CONNECTIONS_MAX 32
#define KTO_CONFIG_RATE_MAX 1000000               /* messages per minute */
#define KTO_CONFIG_CONNECT_TIMEOUT_DEFAULT 10     /* seconds */
#define KTO_CONFIG_CONNECT_TIMEOUT_MAX 300
#define KTO_CONFIG_TIMEOUT_DEFAULT 60             /* seconds per message */
#define KTO_CONFIG_TIMEOUT_MAX 3600
#define KTO_CONFIG_RETRY_HOURS_DEFAULT 72
#define KTO_CONFIG_RETRY_HOURS_MAX (24 * 30)

/*
** How the connection to the SMTP server is protected.  There is no
** "STARTTLS if offered": a server (or someone in between) could then turn
** TLS off by not offering it, and the password and the mail would travel
** in the clear.  With TLS, the server's certificate is always verified.
*/
enum kto_smtp_tls {
	KTO_SMTP_TLS_NONE,       /* plain text: for a relay on the same machine */
	KTO_SMTP_TLS_STARTTLS,   /* smtp:// upgraded with STARTTLS, required */
	KTO_SMTP_TLS_IMPLICIT    /* smtps://: TLS from the first byte */
};

/* The settings, in the order `kto config show` lists them. */
enum kto_config_key {
	KTO_CFG_SMTP_URL,
	KTO_CFG_SMTP_TLS,
	KTO_CFG_SMTP_USER,
	KTO_CFG_SMTP_PASSWORD_FILE,
	KTO_CFG_SMTP_CONNECTIONS,
	KTO_CFG_SMTP_RATE_PER_MINUTE,
	KTO_CFG_SMTP_CONNECT_TIMEOUT,
	KTO_CFG_SMTP_TIMEOUT,
	KTO_CFG_SMTP_CA_FILE,
	KTO_CFG_PUBLIC_URL,
	KTO_CFG_OPTOUT_MAILTO,
	KTO_CFG_MAIL_RETRY_MAX_HOURS,
	KTO_CFG_KEY_COUNT
};

/* Where a setting's value came from. */
enum kto_config_origin {
	KTO_CFG_FROM_DEFAULT,
	KTO_CFG_FROM_FILE,       /* origin_line says which line of `file` */
	KTO_CFG_FROM_ENV,        /* the key's environment variable */
	KTO_CFG_FROM_CALLER      /* kto_config_set(), e.g. from `kto send --smtp` */
};

/*
** The effective settings.  Strings are "" when not set.  Initialise with
** kto_config_defaults() or kto_config_load(); change with kto_config_set()
** followed by kto_config_check(), which keep the invariants: every value
** was validated, and smtp_tls is the effective mode for smtp_url.
*/
struct kto_config {
	char smtp_url[KTO_URL_MAX + 1];          /* smtp[s]://HOST[:PORT][/DOMAIN] */
	enum kto_smtp_tls smtp_tls;              /* effective; see kto_config_check() */
	char smtp_user[KTO_CONFIG_USER_MAX + 1]; /* "": no AUTH */
	char smtp_password_file[KTO_CONFIG_PATH_MAX + 1];
	int smtp_connections;                    /* parallel sessions, 1..32 */
	int smtp_rate_per_minute;                /* 0: unlimited */
	int smtp_connect_timeout;                /* seconds to connect */
	int smtp_timeout;                        /* seconds for a whole message */
	char smtp_ca_file[KTO_CONFIG_PATH_MAX + 1];   /* "": the system's CAs */
	char public_url[KTO_URL_MAX + 1];        /* base of links, no final '/' */
	char optout_mailto[KTO_EMAIL_MAX + 1];   /* List-Unsubscribe mailto */
	int mail_retry_max_hours;                /* retry temporary failures */

	/* Provenance, for `kto config show` and for messages. */
	char file[KTO_CONFIG_PATH_MAX + 1];      /* the file read; "" for none */
	enum kto_config_origin origin[KTO_CFG_KEY_COUNT];
	int origin_line[KTO_CFG_KEY_COUNT];      /* for KTO_CFG_FROM_FILE */
	bool tls_given;                          /* smtp_tls was set, not implied */
};

/* Sets every setting to its default; no file, every origin "default". */
void kto_config_defaults(struct kto_config *cfg);

/*
** Loads the settings: the defaults, then the file, then the environment.
**
**   explicit_path  IN: the file named by `--config FILE`, or NULL
**   out            OUT: the settings
**   diags          IN/OUT: every problem found is added (initialised by the
**                  caller), with the file's line number, or line 0 for the
**                  environment and the file as a whole
**   used_path      OUT: the file that was read, "" when none; may be NULL
**   used_len       IN: the size of used_path
**
** The file is explicit_path, else $KTO_CONFIG (when not empty), else
** ./kto.conf when it exists, else /etc/kto/kto.conf when it exists, else
** none.  A file that was named (by --config or $KTO_CONFIG) must exist.
** Relative file names inside the file (smtp_password_file, smtp_ca_file)
** are taken relative to the file's directory.
**
** Problems: an unknown or repeated key, a line that is not `key = value`, a
** value that is not valid (a number out of range, a URL or address that is
** not right, a control character) are all reported, not just the first.
** Returns KTO_OK when diags holds no errors (warnings, such as a password
** sent without TLS, may be there), KTO_EINPUT when the file or environment
** had errors, KTO_EIO when the file could not be read and KTO_ELIMIT when
** it is larger than KTO_CONFIG_FILE_MAX (then diags says why), KTO_ENOMEM.
** On failure *out holds the defaults with every valid setting applied; it
** must not be used to send mail.
*/
enum kto_rc kto_config_load(const char *explicit_path, struct kto_config *out,
                            struct kto_diags *diags, char *used_path,
                            size_t used_len);

/*
** Parses the text of a settings file, text[0..len) (NUL-terminated or not),
** onto cfg: what kto_config_load() does with the file it picked, without
** the environment and kto_config_check().  base_dir is the directory that
** relative file names are taken from (NULL: as they are).  Problems are
** added to diags with their line numbers.  KTO_OK, KTO_EINPUT when it
** added errors, KTO_ENOMEM.
*/
enum kto_rc kto_config_parse(struct kto_config *cfg, const char *text,
                             size_t len, const char *base_dir,
                             struct kto_diags *diags);

/*
** Sets one setting by its file key ("smtp_url") from text, as a line of the
** file would, recording origin (line 0).  KTO_OK, KTO_ENOTFOUND for an
** unknown key, or KTO_EINPUT (err says why) for a value that is not valid,
** in which case cfg is unchanged.  Call kto_config_check() after the last
** change.
*/
enum kto_rc kto_config_set(struct kto_config *cfg, const char *key,
                           const char *value, enum kto_config_origin origin,
                           struct kto_err *err);

/*
** Checks the settings together and derives smtp_tls: smtps:// means
** KTO_SMTP_TLS_IMPLICIT, and smtp_tls = none or starttls beside it is a
** contradiction (an error).  Adds a warning when a password would be sent
** in the clear to a server that is not on this machine, and when only one
** of user and password is given.  Returns KTO_EINPUT when it added an
** error.
*/
enum kto_rc kto_config_check(struct kto_config *cfg, struct kto_diags *diags);

/*
** Checks an SMTP server URL: smtp:// or smtps://, a host and an optional
** port (1-65535) and path, nothing else.  A user name or password in the
** URL is refused: it would end up in ps(1) output and in logs; they
** belong in smtp_user and smtp_password_file.
*/
enum kto_rc kto_check_smtp_url(const char *url, struct kto_err *err);

/*
** The SMTP password into out (size bytes, NUL-terminated): $KTO_SMTP_PASSWORD
** when it is set and not empty, else the first line of smtp_password_file.
** The caller wipes out with explicit_bzero(3) as soon as it is handed on.
**
** Returns KTO_OK; KTO_ENOTFOUND when no password is configured;
** KTO_EPERM when the file can be read or written by group or others
** (err says to chmod 600 it); KTO_EIO when it cannot be read; KTO_EINPUT
** when it is empty; KTO_ELIMIT when the password does not fit in out or
** is longer than KTO_CONFIG_PASSWORD_MAX.  On failure out holds "".
*/
enum kto_rc kto_config_password(const struct kto_config *cfg, char *out,
                                size_t size, struct kto_err *err);

/* True when a password is configured (which does not mean it is readable). */
bool kto_config_has_password(const struct kto_config *cfg);

/* The file key ("smtp_url") and environment variable ("KTO_SMTP_URL"). */
const char *kto_config_key_name(enum kto_config_key key);
const char *kto_config_key_env(enum kto_config_key key);

/*
** A setting's value as text, as the file would say it ("4", "starttls",
** "" when not set), into out.  Never the password, which is no setting.
*/
void kto_config_value(const struct kto_config *cfg, enum kto_config_key key,
                      char *out, size_t size);

/* "none", "starttls" or "implicit". */
const char *kto_smtp_tls_name(enum kto_smtp_tls tls);

#endif
