/*
** engine/config: the installation's settings from a file and the
** environment.
*/
#include "engine/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/strparse.h"
#include "base/utf8.h"

/* The environment variable of the password, which is no setting. */
#define PASSWORD_ENV "KTO_SMTP_PASSWORD"

/* The longest line value kto_config_set() looks at; every kind is shorter. */
#define VALUE_MAX 4096

enum kind {
	K_SMTP_URL,     /* kto_check_smtp_url() */
	K_TLS,          /* none | starttls | implicit */
	K_USER,         /* one line of text */
	K_PATH,         /* a file name, relative to the config file's directory */
	K_INT,          /* a whole number in [min, max] */
	K_PUBLIC_URL,   /* kto_check_url(KTO_URL_BASE), without a final '/' */
	K_ADDRESS       /* kto_email_problem() */
};

struct key_def {
	const char *name;      /* in the file */
	const char *env;       /* the environment variable that overrides it */
	enum kind kind;
	size_t offset;         /* of the field in struct kto_config */
	size_t size;           /* of a string field */
	int min, max, def;     /* of an int field */
};

#define STR(f) offsetof(struct kto_config, f), sizeof ((struct kto_config *)0)->f
#define INT(f) offsetof(struct kto_config, f), 0

static const struct key_def keys[KTO_CFG_KEY_COUNT] = {
	[KTO_CFG_SMTP_URL] = { "smtp_url", "KTO_SMTP_URL", K_SMTP_URL,
	    STR(smtp_url), 0, 0, 0 },
	[KTO_CFG_SMTP_TLS] = { "smtp_tls", "KTO_SMTP_TLS", K_TLS,
	    INT(smtp_tls), 0, 0, 0 },
	[KTO_CFG_SMTP_USER] = { "smtp_user", "KTO_SMTP_USER", K_USER,
	    STR(smtp_user), 0, 0, 0 },
	[KTO_CFG_SMTP_PASSWORD_FILE] = { "smtp_password_file",
	    "KTO_SMTP_PASSWORD_FILE", K_PATH, STR(smtp_password_file), 0, 0, 0 },
	[KTO_CFG_SMTP_CONNECTIONS] = { "smtp_connections", "KTO_SMTP_CONNECTIONS",
	    K_INT, INT(smtp_connections), 1, KTO_CONFIG_CONNECTIONS_MAX,
	    KTO_CONFIG_CONNECTIONS_DEFAULT },
	[KTO_CFG_SMTP_RATE_PER_MINUTE] = { "smtp_rate_per_minute", "KTO_SMTP_RATE",
	    K_INT, INT(smtp_rate_per_minute), 0, KTO_CONFIG_RATE_MAX, 0 },
	[KTO_CFG_SMTP_CONNECT_TIMEOUT] = { "smtp_connect_timeout_seconds",
	    "KTO_SMTP_CONNECT_TIMEOUT", K_INT, INT(smtp_connect_timeout), 1,
	    KTO_CONFIG_CONNECT_TIMEOUT_MAX, KTO_CONFIG_CONNECT_TIMEOUT_DEFAULT },
	[KTO_CFG_SMTP_TIMEOUT] = { "smtp_timeout_seconds", "KTO_SMTP_TIMEOUT",
	    K_INT, INT(smtp_timeout), 1, KTO_CONFIG_TIMEOUT_MAX,
	    KTO_CONFIG_TIMEOUT_DEFAULT },
	[KTO_CFG_SMTP_CA_FILE] = { "smtp_ca_file", "KTO_SMTP_CA_FILE", K_PATH,
	    STR(smtp_ca_file), 0, 0, 0 },
	[KTO_CFG_PUBLIC_URL] = { "public_url", "KTO_PUBLIC_URL", K_PUBLIC_URL,
	    STR(public_url), 0, 0, 0 },
	[KTO_CFG_OPTOUT_MAILTO] = { "optout_mailto", "KTO_OPTOUT_MAILTO",
	    K_ADDRESS, STR(optout_mailto), 0, 0, 0 },
	[KTO_CFG_MAIL_RETRY_MAX_HOURS] = { "mail_retry_max_hours",
	    "KTO_MAIL_RETRY_MAX_HOURS", K_INT, INT(mail_retry_max_hours), 1,
	    KTO_CONFIG_RETRY_HOURS_MAX, KTO_CONFIG_RETRY_HOURS_DEFAULT },
};

#undef STR
#undef INT

static char *
field_str(struct kto_config *cfg, const struct key_def *k)
{
	return (char *)cfg + k->offset;
}

static int *
field_int(struct kto_config *cfg, const struct key_def *k)
{
	return (int *)(void *)((char *)cfg + k->offset);
}

const char *
kto_config_key_name(enum kto_config_key key)
{
	return (unsigned)key < KTO_CFG_KEY_COUNT ? keys[key].name : "?";
}

const char *
kto_config_key_env(enum kto_config_key key)
{
	return (unsigned)key < KTO_CFG_KEY_COUNT ? keys[key].env : "?";
}

const char *
kto_smtp_tls_name(enum kto_smtp_tls tls)
{
	switch (tls) {
	case KTO_SMTP_TLS_NONE:
		return "none";
	case KTO_SMTP_TLS_STARTTLS:
		return "starttls";
	case KTO_SMTP_TLS_IMPLICIT:
		return "implicit";
	}
	return "?";
}

void
kto_config_defaults(struct kto_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < KTO_CFG_KEY_COUNT; i++)
		if (keys[i].kind == K_INT)
			*field_int(cfg, &keys[i]) = keys[i].def;
	cfg->smtp_tls = KTO_SMTP_TLS_NONE;
}

/* ---------------------------------------------------------------------- */
/* Values                                                                  */

enum kto_rc
kto_check_smtp_url(const char *url, struct kto_err *err)
{
	size_t n = strlen(url);
	const char *p, *end, *host_end, *why;

	if (n > KTO_URL_MAX)
		return kto_err_set(err, KTO_EINPUT, "the smtp_url is %zu bytes long; "
		    "at most %d are allowed", n, KTO_URL_MAX);
	/*
	** The URL names the server curl connects to and the domain it greets
	** with; a space or line break in it could only be a mistake, or an
	** attempt to add a command to the SMTP dialogue.  Not quoted back.
	*/
	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7F)
			return kto_err_set(err, KTO_EINPUT, "the smtp_url contains a "
			    "space, a control character or a character outside ASCII");
	if (strncasecmp(url, "smtp://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "smtps://", 8) == 0)
		p = url + 8;
	else
		return kto_err_set(err, KTO_EINPUT, "the smtp_url '%s' must start "
		    "with smtp:// or smtps:// (for example smtp://127.0.0.1:25 or "
		    "smtps://mail.example.nl)", url);
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)) != NULL)
		return kto_err_set(err, KTO_EINPUT, "the smtp_url must not contain a "
		    "user name or password, which would show in process lists and "
		    "logs; use smtp_user and smtp_password_file (or "
		    "$" PASSWORD_ENV ")");
	if ((why = kto_url_authority_problem(p, end, &host_end)) != NULL)
		return kto_err_set(err, KTO_EINPUT, "the smtp_url '%s' %s", url, why);
	if (strpbrk(end, "?#") != NULL)
		return kto_err_set(err, KTO_EINPUT, "the smtp_url '%s' must not have a "
		    "query ('?') or fragment ('#')", url);
	return KTO_OK;
}

/*
** Joins a relative file name from the config file to the file's
** directory, so that `smtp_password_file = smtp.secret` next to
** /etc/kto/kto.conf means /etc/kto/smtp.secret wherever kto is started.
*/
static enum kto_rc
resolve_path(const char *value, const char *base_dir, char *out, size_t size,
             const char *name, struct kto_err *err)
{
	int n;

	if (value[0] == '/' || base_dir == NULL || base_dir[0] == '\0' ||
	    strcmp(base_dir, ".") == 0)
		n = snprintf(out, size, "%s", value);
	else
		n = snprintf(out, size, "%s/%s", base_dir, value);
	if (n < 0 || (size_t)n >= size)
		return kto_err_set(err, KTO_EINPUT, "the %s is longer than %zu bytes",
		    name, size - 1);
	return KTO_OK;
}

/*
** Parses and checks value for key k and stores it in cfg, or leaves cfg
** as it was and says why.  base_dir is the config file's directory, for
** relative file names; NULL for the environment and callers.
*/
static enum kto_rc
set_value(struct kto_config *cfg, const struct key_def *k, const char *value,
          const char *base_dir, struct kto_err *err)
{
	char buf[KTO_CONFIG_PATH_MAX + 1];
	size_t n = strlen(value);
	const char *why;
	int64_t v;
	enum kto_rc rc;

	if (n > VALUE_MAX)
		return kto_err_set(err, KTO_EINPUT, "the value of %s is %zu bytes "
		    "long; far more than any setting needs", k->name, n);
	if (kto_utf8_invalid_at(value, n) != n)
		return kto_err_set(err, KTO_EINPUT, "the value of %s is not valid "
		    "UTF-8 text", k->name);
	/*
	** Every value is one line, and several end up in mail headers or the
	** SMTP dialogue (addresses, URLs, the user name), where a CR or LF
	** would end the line early and let the rest forge a header or command.
	** A line of the file cannot hold a LF; a CR, a tab or any other control
	** character (from the environment, or inside a line) is refused too.
	*/
	if (kto_text_has_control(value) || strchr(value, '\t') != NULL)
		return kto_err_set(err, KTO_EINPUT, "the value of %s contains a line "
		    "break, a tab or another control character", k->name);

	switch (k->kind) {
	case K_SMTP_URL:
		if (n > 0 && (rc = kto_check_smtp_url(value, err)) != KTO_OK)
			return rc;
		break;
	case K_TLS:
		if (strcmp(value, "none") == 0)
			cfg->smtp_tls = KTO_SMTP_TLS_NONE;
		else if (strcmp(value, "starttls") == 0)
			cfg->smtp_tls = KTO_SMTP_TLS_STARTTLS;
		else if (strcmp(value, "implicit") == 0)
			cfg->smtp_tls = KTO_SMTP_TLS_IMPLICIT;
		else
			return kto_err_set(err, KTO_EINPUT, "smtp_tls must be none, "
			    "starttls or implicit, not '%s'", value);
		cfg->tls_given = true;
		return KTO_OK;
	case K_USER:
		if (n >= k->size)
			return kto_err_set(err, KTO_EINPUT, "the %s is %zu bytes long; "
			    "at most %zu are allowed", k->name, n, k->size - 1);
		break;
	case K_PATH:
		if (n > 0) {
			if ((rc = resolve_path(value, base_dir, buf, sizeof buf,
			    k->name, err)) != KTO_OK)
				return rc;
			value = buf;
			n = strlen(buf);
		}
		if (n >= k->size)
			return kto_err_set(err, KTO_EINPUT, "the %s is longer than %zu "
			    "bytes", k->name, k->size - 1);
		if (n > 0 && k->offset == offsetof(struct kto_config, smtp_ca_file) &&
		    access(value, R_OK) != 0)
			return kto_err_set(err, KTO_EINPUT, "the smtp_ca_file '%s' cannot "
			    "be read: %s", value, strerror(errno));
		break;
	case K_INT:
		if (kto_parse_i64(value, k->min, k->max, &v) != KTO_OK)
			return kto_err_set(err, KTO_EINPUT, "%s must be a whole number "
			    "from %d to %d, not '%s'", k->name, k->min, k->max, value);
		*field_int(cfg, k) = (int)v;
		return KTO_OK;
	case K_PUBLIC_URL:
		if (n > 0) {
			if ((rc = kto_check_url(value, k->name, KTO_URL_BASE, err)) != KTO_OK)
				return rc;
			memcpy(buf, value, n + 1);
			while (n > 0 && buf[n - 1] == '/')
				buf[--n] = '\0';
			value = buf;
		}
		break;
	case K_ADDRESS:
		if (n > 0 && (why = kto_email_problem(value)) != NULL)
			return kto_err_set(err, KTO_EINPUT, "the %s '%s' %s", k->name,
			    value, why);
		break;
	}
	if (n >= k->size)
		return kto_err_set(err, KTO_EINPUT, "the %s is longer than %zu bytes",
		    k->name, k->size - 1);
	memcpy(field_str(cfg, k), value, n + 1);
	return KTO_OK;
}

static const struct key_def *
find_key(const char *name)
{
	for (size_t i = 0; i < KTO_CFG_KEY_COUNT; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static enum kto_config_key
key_id(const struct key_def *k)
{
	return (enum kto_config_key)(k - keys);
}

enum kto_rc
kto_config_set(struct kto_config *cfg, const char *key, const char *value,
               enum kto_config_origin origin, struct kto_err *err)
{
	const struct key_def *k = find_key(key);
	enum kto_rc rc;

	if (k == NULL)
		return kto_err_set(err, KTO_ENOTFOUND, "there is no setting '%s'", key);
	if ((rc = set_value(cfg, k, value, NULL, err)) != KTO_OK)
		return rc;
	cfg->origin[key_id(k)] = origin;
	cfg->origin_line[key_id(k)] = 0;
	return KTO_OK;
}

void
kto_config_value(const struct kto_config *cfg, enum kto_config_key key,
                 char *out, size_t size)
{
	const struct key_def *k;

	if (size == 0)
		return;
	out[0] = '\0';
	if ((unsigned)key >= KTO_CFG_KEY_COUNT)
		return;
	k = &keys[key];
	if (k->kind == K_TLS)
		snprintf(out, size, "%s", kto_smtp_tls_name(cfg->smtp_tls));
	else if (k->kind == K_INT)
		snprintf(out, size, "%d",
		    *(const int *)(const void *)((const char *)cfg + k->offset));
	else
		snprintf(out, size, "%s", (const char *)cfg + k->offset);
}

/* ---------------------------------------------------------------------- */
/* The file                                                                */

/* The edit distance of a and b, each at most 63 bytes; larger is "far". */
static size_t
distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), row[64];

	if (na >= 64 || nb >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			char ca = a[i - 1], cb = b[j - 1];
			size_t best = diag + ((ca | 0x20) == (cb | 0x20) ? 0 : 1);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

/* The key most like name, when one is close enough to be a typo. */
static const char *
suggest_key(const char *name)
{
	const char *best = NULL;
	size_t best_d = 4;

	for (size_t i = 0; i < KTO_CFG_KEY_COUNT; i++) {
		size_t d = distance(name, keys[i].name);

		if (strcasecmp(name, keys[i].env + 4) == 0)
			d = 0;          /* SMTP_URL for smtp_url */
		if (d < best_d) {
			best_d = d;
			best = keys[i].name;
		}
	}
	return best;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims spaces and tabs around s[0..*n); returns the new start. */
static char *
trim(char *s, size_t *n)
{
	while (*n > 0 && is_blank(*s)) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_blank(s[*n - 1]))
		(*n)--;
	s[*n] = '\0';
	return s;
}

struct parse {
	struct kto_config *cfg;
	struct kto_diags *diags;
	const char *base_dir;
	bool seen[KTO_CFG_KEY_COUNT];
};

/* Parses one line (without its '\n'), reporting problems at lineno. */
static void
parse_line(struct parse *ps, char *line, size_t len, int lineno)
{
	struct kto_err err = KTO_ERR_INIT;
	const struct key_def *k;
	char *key, *value, *eq, *hash;
	size_t klen, vlen;
	size_t bad;

	/* A CRLF file, as written on Windows, is read like an LF one. */
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	bad = kto_utf8_invalid_at(line, len);
	if (bad != len) {
		kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "the line is not "
		    "valid UTF-8 text (bad byte at position %zu); save the file as "
		    "UTF-8", bad + 1);
		return;
	}
	line = trim(line, &len);
	if (len == 0 || line[0] == '#')
		return;
	eq = strchr(line, '=');
	if (eq == NULL) {
		kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "expected 'key = "
		    "value', found '%.60s'", kto_text_has_control(line) ?
		    "(a line with control characters)" : line);
		return;
	}
	*eq = '\0';
	klen = (size_t)(eq - line);
	key = trim(line, &klen);
	value = eq + 1;
	/* A comment may follow the value after white space: "4  # default". */
	for (hash = value; (hash = strchr(hash, '#')) != NULL; hash++)
		if (hash > value && is_blank(hash[-1])) {
			*hash = '\0';
			break;
		}
	vlen = strlen(value);
	value = trim(value, &vlen);
	if (klen == 0) {
		kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "a line with '=' "
		    "but no key before it");
		return;
	}
	if ((k = find_key(key)) == NULL) {
		const char *like = suggest_key(key);

		if (strcmp(key, "smtp_password") == 0)
			kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "the SMTP "
			    "password does not go in this file, which others may read: "
			    "put it in a file of its own (chmod 600) named by "
			    "smtp_password_file, or in $" PASSWORD_ENV);
		else if (kto_text_has_control(key))
			kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "unknown key "
			    "(with control characters)");
		else if (like != NULL)
			kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "unknown key "
			    "'%.60s'; did you mean '%s'?", key, like);
		else
			kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "unknown key "
			    "'%.60s'; the keys are listed by 'kto config show'", key);
		return;
	}
	if (ps->seen[key_id(k)]) {
		kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "%s is given twice; "
		    "it was first set on line %d", k->name,
		    ps->cfg->origin_line[key_id(k)]);
		return;
	}
	ps->seen[key_id(k)] = true;
	/* Recorded even when the value is bad, so a repeat names this line. */
	ps->cfg->origin[key_id(k)] = KTO_CFG_FROM_FILE;
	ps->cfg->origin_line[key_id(k)] = lineno;
	if (set_value(ps->cfg, k, value, ps->base_dir, &err) != KTO_OK) {
		ps->cfg->origin[key_id(k)] = KTO_CFG_FROM_DEFAULT;
		kto_diag_add(ps->diags, KTO_SEV_ERROR, lineno, 0, "%s",
		    kto_err_msg(&err));
	}
}

static void
parse_file(struct parse *ps, char *text, size_t len)
{
	char *end = text + len;
	int lineno = 0;

	while (text < end) {
		char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(end - text);

		text[n] = '\0';     /* the '\n', or the buffer's final NUL */
		parse_line(ps, text, n, ++lineno);
		text += n + 1;
	}
}

enum kto_rc
kto_config_parse(struct kto_config *cfg, const char *text, size_t len,
                 const char *base_dir, struct kto_diags *diags)
{
	struct parse ps;
	size_t errors = diags->errors;
	char *copy;

	/* Not a text file at all: say so once, not once per line. */
	if (memchr(text, '\0', len) != NULL) {
		kto_diag_add(diags, KTO_SEV_ERROR, 0, 0, "the config file is not a "
		    "text file (it contains NUL bytes)");
		return KTO_EINPUT;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		diags->oom = true;
		return KTO_ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	memset(&ps, 0, sizeof ps);
	ps.cfg = cfg;
	ps.diags = diags;
	ps.base_dir = base_dir;
	parse_file(&ps, copy, len);
	free(copy);
	if (diags->oom)
		return KTO_ENOMEM;
	return diags->errors > errors ? KTO_EINPUT : KTO_OK;
}

/*
** Picks the file: explicit, else $KTO_CONFIG, else the first of the usual
** places that exists.  *named_by says who asked for the file ("--config",
** "$KTO_CONFIG"), so that its absence is an error, or is NULL for a file
** that was only looked for.  NULL when there is no file.
*/
static const char *
pick_file(const char *explicit_path, const char **named_by)
{
	const char *env = getenv("KTO_CONFIG");
	struct stat sb;

	*named_by = NULL;
	if (explicit_path != NULL) {
		*named_by = "--config";
		return explicit_path;
	}
	if (env != NULL && env[0] != '\0') {
		*named_by = "$KTO_CONFIG";
		return env;
	}
	if (stat(KTO_CONFIG_LOCAL_PATH, &sb) == 0)
		return KTO_CONFIG_LOCAL_PATH;
	if (stat(KTO_CONFIG_SYSTEM_PATH, &sb) == 0)
		return KTO_CONFIG_SYSTEM_PATH;
	return NULL;
}

static void
apply_environment(struct kto_config *cfg, struct kto_diags *diags)
{
	for (size_t i = 0; i < KTO_CFG_KEY_COUNT; i++) {
		struct kto_err err = KTO_ERR_INIT;
		const char *v = getenv(keys[i].env);

		/* Empty counts as unset, as for $KTO_DB: `KTO_SMTP_URL= kto ...`. */
		if (v == NULL || v[0] == '\0')
			continue;
		if (set_value(cfg, &keys[i], v, NULL, &err) != KTO_OK) {
			kto_diag_add(diags, KTO_SEV_ERROR, 0, 0, "$%s: %s", keys[i].env,
			    kto_err_msg(&err));
			continue;
		}
		cfg->origin[i] = KTO_CFG_FROM_ENV;
		cfg->origin_line[i] = 0;
	}
}

enum kto_rc
kto_config_load(const char *explicit_path, struct kto_config *out,
                struct kto_diags *diags, char *used_path, size_t used_len)
{
	struct kto_err err = KTO_ERR_INIT;
	struct stat sb;
	const char *path, *named_by, *slash;
	char *text = NULL, dir[KTO_CONFIG_PATH_MAX + 1] = ".";
	size_t len = 0, n, errors = diags->errors;
	enum kto_rc rc;

	kto_config_defaults(out);
	if (used_path != NULL && used_len > 0)
		used_path[0] = '\0';
	path = pick_file(explicit_path, &named_by);
	if (path != NULL) {
		if (path[0] == '\0' || strlen(path) > KTO_CONFIG_PATH_MAX) {
			kto_diag_add(diags, KTO_SEV_ERROR, 0, 0, "the name of the config "
			    "file given by %s is empty or longer than %d bytes",
			    named_by ? named_by : "kto", KTO_CONFIG_PATH_MAX);
			return KTO_EINPUT;
		}
		if (named_by != NULL && stat(path, &sb) != 0 && errno == ENOENT) {
			kto_diag_add(diags, KTO_SEV_ERROR, 0, 0, "the config file '%s' "
			    "(from %s) does not exist", path, named_by);
			return KTO_EIO;
		}
		rc = kto_file_read(path, KTO_CONFIG_FILE_MAX, &text, &len, &err);
		if (rc != KTO_OK) {
			kto_diag_add(diags, KTO_SEV_ERROR, 0, 0, "the config file: %s",
			    kto_err_msg(&err));
			return rc;
		}
		memcpy(out->file, path, strlen(path) + 1);
		if (used_path != NULL && used_len > 0)
			snprintf(used_path, used_len, "%s", path);
		/*
		** The directory relative file names in it are taken from, made
		** absolute now so that they stay right if the working directory
		** changes later (kto serve).
		*/
		dir[0] = '\0';
		if (path[0] != '/' && getcwd(dir, sizeof dir - 1) != NULL) {
			n = strlen(dir);
			dir[n] = '/';
			dir[n + 1] = '\0';
		}
		n = strlen(dir);
		if (n + strlen(path) >= sizeof dir) {
			kto_diag_add(diags, KTO_SEV_ERROR, 0, 0, "the config file's full "
			    "name is longer than %d bytes", KTO_CONFIG_PATH_MAX);
			free(text);
			return KTO_EINPUT;
		}
		memcpy(dir + n, path, strlen(path) + 1);
		slash = strrchr(dir, '/');
		if (slash == dir)
			dir[1] = '\0';
		else if (slash != NULL)
			dir[slash - dir] = '\0';
	}

	if (text != NULL) {
		kto_config_parse(out, text, len, dir, diags);
		free(text);
	}
	apply_environment(out, diags);
	kto_config_check(out, diags);
	if (diags->oom)
		return KTO_ENOMEM;
	return diags->errors > errors ? KTO_EINPUT : KTO_OK;
}

/* ---------------------------------------------------------------------- */
/* Consistency and the password                                            */

bool
kto_config_has_password(const struct kto_config *cfg)
{
	const char *env = getenv(PASSWORD_ENV);

	return (env != NULL && env[0] != '\0') || cfg->smtp_password_file[0] != '\0';
}

/* The line to report a problem of key at: its line in the file, or 0. */
static int
line_of(const struct kto_config *cfg, enum kto_config_key key)
{
	return cfg->origin[key] == KTO_CFG_FROM_FILE ? cfg->origin_line[key] : 0;
}

/* Where key was set, for a message: "$KTO_SMTP_TLS" or "smtp_tls". */
static const char *
said_by(const struct kto_config *cfg, enum kto_config_key key)
{
	return cfg->origin[key] == KTO_CFG_FROM_ENV ? keys[key].env : keys[key].name;
}

enum kto_rc
kto_config_check(struct kto_config *cfg, struct kto_diags *diags)
{
	size_t errors = diags->errors;
	bool smtps = strncasecmp(cfg->smtp_url, "smtps://", 8) == 0;
	bool has_password = kto_config_has_password(cfg);

	if (!cfg->tls_given)
		cfg->smtp_tls = smtps ? KTO_SMTP_TLS_IMPLICIT : KTO_SMTP_TLS_NONE;
	else if (smtps && cfg->smtp_tls != KTO_SMTP_TLS_IMPLICIT)
		kto_diag_add(diags, KTO_SEV_ERROR, line_of(cfg, KTO_CFG_SMTP_TLS), 0,
		    "%s is '%s', but an smtps:// URL means TLS from the first byte; "
		    "leave smtp_tls out, or use an smtp:// URL",
		    said_by(cfg, KTO_CFG_SMTP_TLS), kto_smtp_tls_name(cfg->smtp_tls));
	else if (!smtps && cfg->smtp_url[0] != '\0' &&
	    cfg->smtp_tls == KTO_SMTP_TLS_IMPLICIT)
		kto_diag_add(diags, KTO_SEV_ERROR, line_of(cfg, KTO_CFG_SMTP_TLS), 0,
		    "%s is 'implicit', which needs an smtps:// URL; use starttls for "
		    "an smtp:// server", said_by(cfg, KTO_CFG_SMTP_TLS));

	if (cfg->smtp_user[0] != '\0' && !has_password)
		kto_diag_add(diags, KTO_SEV_WARNING, line_of(cfg, KTO_CFG_SMTP_USER), 0,
		    "smtp_user is set but no password is; set smtp_password_file or "
		    "$" PASSWORD_ENV);
	if (cfg->smtp_user[0] == '\0' && has_password)
		kto_diag_add(diags, KTO_SEV_WARNING,
		    line_of(cfg, KTO_CFG_SMTP_PASSWORD_FILE), 0, "a password is set "
		    "but no smtp_user, so it is not used");
	if (cfg->smtp_user[0] != '\0' && cfg->smtp_url[0] != '\0' &&
	    cfg->smtp_tls == KTO_SMTP_TLS_NONE) {
		const char *host = cfg->smtp_url + 7, *end, *host_end = host;

		end = host + strcspn(host, "/?#");
		if (kto_url_authority_problem(host, end, &host_end) == NULL &&
		    !kto_url_host_is_loopback(host, (size_t)(host_end - host)))
			kto_diag_add(diags, KTO_SEV_WARNING,
			    line_of(cfg, KTO_CFG_SMTP_USER), 0, "the SMTP password "
			    "would travel unencrypted to %.*s; set smtp_tls = starttls "
			    "or use an smtps:// URL", (int)(host_end - host), host);
	}
	if (cfg->smtp_ca_file[0] != '\0' && cfg->smtp_url[0] != '\0' &&
	    cfg->smtp_tls == KTO_SMTP_TLS_NONE)
		kto_diag_add(diags, KTO_SEV_WARNING, line_of(cfg, KTO_CFG_SMTP_CA_FILE),
		    0, "smtp_ca_file is not used without TLS");
	return diags->errors > errors ? KTO_EINPUT : KTO_OK;
}

enum kto_rc
kto_config_password(const struct kto_config *cfg, char *out, size_t size,
                    struct kto_err *err)
{
	const char *env = getenv(PASSWORD_ENV);
	const char *path = cfg->smtp_password_file;
	char buf[KTO_CONFIG_PASSWORD_MAX + 2];
	struct stat sb;
	ssize_t got;
	size_t n = 0;
	int fd;
	enum kto_rc rc = KTO_OK;

	if (size > 0)
		out[0] = '\0';
	if (env != NULL && env[0] != '\0') {
		n = strlen(env);
		if (strpbrk(env, "\r\n") != NULL)
			return kto_err_set(err, KTO_EINPUT, "$" PASSWORD_ENV " contains "
			    "a line break");
		if (n > KTO_CONFIG_PASSWORD_MAX || n >= size)
			return kto_err_set(err, KTO_ELIMIT, "$" PASSWORD_ENV " is longer "
			    "than %d bytes", KTO_CONFIG_PASSWORD_MAX);
		memcpy(out, env, n + 1);
		return KTO_OK;
	}
	if (path[0] == '\0')
		return kto_err_set(err, KTO_ENOTFOUND, "no SMTP password is set; put "
		    "it in a file named by smtp_password_file, or in $" PASSWORD_ENV);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return kto_err_set(err, KTO_EIO, "cannot open the password file "
		    "'%s': %s", path, strerror(errno));
	/* fstat on the open file: the file checked is the file read. */
	if (fstat(fd, &sb) != 0) {
		rc = kto_err_set(err, KTO_EIO, "cannot read the password file '%s': "
		    "%s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = kto_err_set(err, KTO_EIO, "the password file '%s' is not a "
		    "regular file", path);
		goto out;
	}
	if (sb.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		rc = kto_err_set(err, KTO_EPERM, "the password file '%s' can be read "
		    "or written by other users (mode %04o); make it private with "
		    "chmod 600 '%s'", path, (unsigned)(sb.st_mode & 07777), path);
		goto out;
	}
	while (n < sizeof buf - 1) {
		got = read(fd, buf + n, sizeof buf - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = kto_err_set(err, KTO_EIO, "cannot read the password file "
			    "'%s': %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (memchr(buf, '\n', n) != NULL)
			break;
	}
	buf[n] = '\0';
	n = strcspn(buf, "\n");
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (strlen(buf) != n) {
		rc = kto_err_set(err, KTO_EINPUT, "the password file '%s' contains a "
		    "NUL byte", path);
	} else if (n == 0) {
		rc = kto_err_set(err, KTO_EINPUT, "the first line of the password file "
		    "'%s' is empty; write the password on it", path);
	} else if (n > KTO_CONFIG_PASSWORD_MAX || n >= size) {
		rc = kto_err_set(err, KTO_ELIMIT, "the password in '%s' is longer "
		    "than %d bytes", path, KTO_CONFIG_PASSWORD_MAX);
	} else {
		memcpy(out, buf, n + 1);
	}
out:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	return rc;
}
