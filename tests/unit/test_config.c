/*
** engine/config: the settings file (every kind of mistake, with its line),
** the environment over the file, where the file is looked for, the
** consistency of the TLS settings, and the password with its file's
** permissions.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/config.h"
#include "tests/unit/testutil.h"

/* Every variable kto_config_load() reads; cleared before each test. */
static const char *const env_vars[] = {
	"KTO_CONFIG", "KTO_SMTP_URL", "KTO_SMTP_TLS", "KTO_SMTP_USER",
	"KTO_SMTP_PASSWORD_FILE", "KTO_SMTP_PASSWORD", "KTO_SMTP_CONNECTIONS",
	"KTO_SMTP_RATE", "KTO_SMTP_CONNECT_TIMEOUT", "KTO_SMTP_TIMEOUT",
	"KTO_SMTP_CA_FILE", "KTO_PUBLIC_URL", "KTO_OPTOUT_MAILTO",
	"KTO_MAIL_RETRY_MAX_HOURS",
};

/* Per test: a temporary directory that is also the working directory. */
struct fixture {
	char *dir;
	char cwd[PATH_MAX];
	struct kto_config cfg;
	struct kto_diags d;
	char used[KTO_CONFIG_PATH_MAX + 1];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (f == NULL || getcwd(f->cwd, sizeof f->cwd) == NULL)
		return -1;
	for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
		unsetenv(env_vars[i]);
	f->dir = tu_tempdir();
	if (chdir(f->dir) != 0)
		return -1;
	kto_diags_init(&f->d);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	kto_diags_release(&f->d);
	if (chdir(f->cwd) != 0)
		return -1;
	tu_rmtree(f->dir);
	free(f);
	for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
		unsetenv(env_vars[i]);
	return 0;
}

/* Writes text to name in the test's directory; returns its path (freed by
   the caller). */
static char *
write_conf(struct fixture *f, const char *name, const char *text, mode_t mode)
{
	char *path = tu_path(f->dir, name);

	tu_write_file(path, text, strlen(text));
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Loads the file at path (NULL: the usual places) into f. */
static enum kto_rc
load(struct fixture *f, const char *path)
{
	kto_diags_release(&f->d);
	kto_diags_init(&f->d);
	return kto_config_load(path, &f->cfg, &f->d, f->used, sizeof f->used);
}

/* Fails unless some diagnostic of the severity is at line and says text. */
static void
expect_diag(const struct kto_diags *d, enum kto_severity sev, int line,
            const char *text)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && d->v[i].line == line &&
		    strstr(d->v[i].msg, text) != NULL)
			return;
	print_error("no %s at line %d saying '%s'; there are:\n",
	    sev == KTO_SEV_ERROR ? "error" : "warning", line, text);
	for (size_t i = 0; i < d->n; i++)
		print_error("  %d: %s\n", d->v[i].line, d->v[i].msg);
	fail();
}

static void
test_defaults(void **state)
{
	struct fixture *f = *state;
	struct kto_config c;

	memset(&c, 0x55, sizeof c);
	kto_config_defaults(&c);
	assert_string_equal(c.smtp_url, "");
	assert_int_equal(c.smtp_tls, KTO_SMTP_TLS_NONE);
	assert_string_equal(c.smtp_user, "");
	assert_string_equal(c.smtp_password_file, "");
	assert_int_equal(c.smtp_connections, 4);
	assert_int_equal(c.smtp_rate_per_minute, 0);
	assert_int_equal(c.smtp_connect_timeout, 10);
	assert_int_equal(c.smtp_timeout, 60);
	assert_string_equal(c.smtp_ca_file, "");
	assert_string_equal(c.public_url, "");
	assert_string_equal(c.optout_mailto, "");
	assert_int_equal(c.mail_retry_max_hours, 72);
	assert_string_equal(c.file, "");
	for (int k = 0; k < KTO_CFG_KEY_COUNT; k++)
		assert_int_equal(c.origin[k], KTO_CFG_FROM_DEFAULT);

	/* No file anywhere (unless this machine has a system one): defaults. */
	if (access(KTO_CONFIG_SYSTEM_PATH, F_OK) != 0) {
		assert_int_equal(load(f, NULL), KTO_OK);
		assert_string_equal(f->used, "");
		assert_string_equal(f->cfg.file, "");
		assert_int_equal(f->d.n, 0);
		assert_int_equal(f->cfg.smtp_connections, 4);
	}
}

static void
test_full_file(void **state)
{
	struct fixture *f = *state;
	char *path = write_conf(f, "full.conf",
	    "# kto settings\r\n"
	    "\r\n"
	    "smtp_url = smtp://mail.example.nl:587/kto.example.nl\r\n"
	    "  smtp_tls=starttls\r\n"
	    "smtp_user\t=\tkto-sender   # the relay's account\r\n"
	    "smtp_password_file = /run/secrets/smtp\r\n"
	    "smtp_connections = 8\r\n"
	    "smtp_rate_per_minute = 600\r\n"
	    "smtp_connect_timeout_seconds = 5\r\n"
	    "smtp_timeout_seconds = 120\r\n"
	    "   # an indented comment\r\n"
	    "public_url = https://kto.example.nl/vragenlijst/\r\n"
	    "optout_mailto = afmelden@kto.example.nl\r\n"
	    "mail_retry_max_hours = 48", 0644);   /* no final line break */
	char v[600];

	assert_int_equal(load(f, path), KTO_OK);
	assert_int_equal(f->d.n, 0);
	assert_string_equal(f->used, path);
	assert_string_equal(f->cfg.file, path);
	assert_string_equal(f->cfg.smtp_url, "smtp://mail.example.nl:587/kto.example.nl");
	assert_int_equal(f->cfg.smtp_tls, KTO_SMTP_TLS_STARTTLS);
	assert_string_equal(f->cfg.smtp_user, "kto-sender");
	assert_string_equal(f->cfg.smtp_password_file, "/run/secrets/smtp");
	assert_int_equal(f->cfg.smtp_connections, 8);
	assert_int_equal(f->cfg.smtp_rate_per_minute, 600);
	assert_int_equal(f->cfg.smtp_connect_timeout, 5);
	assert_int_equal(f->cfg.smtp_timeout, 120);
	/* The base of the links, without its final '/'. */
	assert_string_equal(f->cfg.public_url, "https://kto.example.nl/vragenlijst");
	assert_string_equal(f->cfg.optout_mailto, "afmelden@kto.example.nl");
	assert_int_equal(f->cfg.mail_retry_max_hours, 48);

	assert_int_equal(f->cfg.origin[KTO_CFG_SMTP_URL], KTO_CFG_FROM_FILE);
	assert_int_equal(f->cfg.origin_line[KTO_CFG_SMTP_URL], 3);
	assert_int_equal(f->cfg.origin_line[KTO_CFG_SMTP_TLS], 4);
	assert_int_equal(f->cfg.origin_line[KTO_CFG_MAIL_RETRY_MAX_HOURS], 14);
	assert_int_equal(f->cfg.origin[KTO_CFG_SMTP_CA_FILE], KTO_CFG_FROM_DEFAULT);

	kto_config_value(&f->cfg, KTO_CFG_SMTP_TLS, v, sizeof v);
	assert_string_equal(v, "starttls");
	kto_config_value(&f->cfg, KTO_CFG_SMTP_CONNECTIONS, v, sizeof v);
	assert_string_equal(v, "8");
	kto_config_value(&f->cfg, KTO_CFG_PUBLIC_URL, v, sizeof v);
	assert_string_equal(v, "https://kto.example.nl/vragenlijst");
	assert_string_equal(kto_config_key_name(KTO_CFG_SMTP_RATE_PER_MINUTE),
	    "smtp_rate_per_minute");
	assert_string_equal(kto_config_key_env(KTO_CFG_SMTP_RATE_PER_MINUTE),
	    "KTO_SMTP_RATE");
	free(path);
}

static void
test_every_error_with_its_line(void **state)
{
	struct fixture *f = *state;
	char *path = write_conf(f, "bad.conf",
	    "smtp_url = smtp://127.0.0.1:2525\n"                /* 1: fine */
	    "smtp_conections = 3\n"                             /* 2: typo */
	    "smtp_connections = many\n"                         /* 3: not a number */
	    "smtp_connections = 4\n"                            /* 4: repeated */
	    "smtp_rate_per_minute = -1\n"                       /* 5: range */
	    "public_url = http://kto.example.nl\n"              /* 6: not https */
	    "smtp_url = smtp://other\n"                         /* 7: repeated */
	    "just some words\n"                                 /* 8: no '=' */
	    "= value\n"                                         /* 9: no key */
	    "smtp_user = a\001b\n"                              /* 10: control */
	    "optout_mailto = not-an-address\n"                  /* 11: address */
	    "smtp_password = hunter2\n"                         /* 12: no such key */
	    "smtp_tls = maybe\n"                                /* 13: bad value */
	    "smtp_timeout_seconds = 99999\n"                    /* 14: range */
	    "smtp_ca_file = no-such-ca.pem\n"                   /* 15: unreadable */
	    "mail_retry_max_hours = 0\n"                        /* 16: range */
	    "public_url = https://kto.example.nl/?x=1\n"        /* 17: repeated */
	    "smtp_user = caf\xe9\n"                             /* 18: not UTF-8 */
	    "SMTP_URL = smtp://x\n"                             /* 19: case */
	    "smtp_connect_timeout_seconds = 4.5\n"              /* 20: fraction */
	    "smtp_connections = \n", 0644);                     /* 21: repeated */

	assert_int_equal(load(f, path), KTO_EINPUT);
	expect_diag(&f->d, KTO_SEV_ERROR, 2, "unknown key 'smtp_conections'; did "
	    "you mean 'smtp_connections'");
	expect_diag(&f->d, KTO_SEV_ERROR, 3, "smtp_connections must be a whole "
	    "number from 1 to 32, not 'many'");
	expect_diag(&f->d, KTO_SEV_ERROR, 4, "given twice; it was first set on "
	    "line 3");
	expect_diag(&f->d, KTO_SEV_ERROR, 5, "from 0 to 1000000");
	expect_diag(&f->d, KTO_SEV_ERROR, 6, "must start with https://");
	expect_diag(&f->d, KTO_SEV_ERROR, 7, "smtp_url is given twice; it was "
	    "first set on line 1");
	expect_diag(&f->d, KTO_SEV_ERROR, 8, "expected 'key = value'");
	expect_diag(&f->d, KTO_SEV_ERROR, 9, "no key");
	expect_diag(&f->d, KTO_SEV_ERROR, 10, "control character");
	expect_diag(&f->d, KTO_SEV_ERROR, 11, "has no '@'");
	expect_diag(&f->d, KTO_SEV_ERROR, 12, "password does not go in this file");
	expect_diag(&f->d, KTO_SEV_ERROR, 13, "none, starttls or implicit");
	expect_diag(&f->d, KTO_SEV_ERROR, 14, "from 1 to 3600");
	expect_diag(&f->d, KTO_SEV_ERROR, 15, "cannot be read");
	expect_diag(&f->d, KTO_SEV_ERROR, 16, "from 1 to 720");
	expect_diag(&f->d, KTO_SEV_ERROR, 17, "given twice; it was first set on "
	    "line 6");
	expect_diag(&f->d, KTO_SEV_ERROR, 18, "UTF-8");
	expect_diag(&f->d, KTO_SEV_ERROR, 19, "did you mean 'smtp_url'");
	expect_diag(&f->d, KTO_SEV_ERROR, 20, "not '4.5'");
	expect_diag(&f->d, KTO_SEV_ERROR, 21, "given twice");
	assert_int_equal(f->d.errors, 20);
	/* The password in the wrong place is never repeated back. */
	for (size_t i = 0; i < f->d.n; i++)
		assert_null(strstr(f->d.v[i].msg, "hunter2"));
	/* Good lines still count; bad ones left the defaults. */
	assert_string_equal(f->cfg.smtp_url, "smtp://127.0.0.1:2525");
	assert_int_equal(f->cfg.smtp_connections, 4);
	assert_string_equal(f->cfg.public_url, "");
	free(path);
}

static void
test_bad_urls(void **state)
{
	struct fixture *f = *state;
	static const struct { const char *line, *says; } cases[] = {
		{ "smtp_url = ftp://mail.example.nl", "must start with smtp://" },
		{ "smtp_url = mail.example.nl:25", "must start with smtp://" },
		{ "smtp_url = smtp://user:secret@mail.example.nl", "user name or password" },
		{ "smtp_url = smtp://mail.example.nl:0", "port" },
		{ "smtp_url = smtp://mail.example.nl:65536", "port" },
		{ "smtp_url = smtp://mail.example.nl:", "without a port" },
		{ "smtp_url = smtp://", "no host" },
		{ "smtp_url = smtp://mail_example.nl", "not allowed in a host name" },
		{ "smtp_url = smtp://mail.example.nl/?x", "query" },
		{ "smtp_url = smtp://mail example.nl", "space" },
		{ "public_url = ftp://kto.example.nl", "must start with https://" },
		{ "public_url = http://kto.example.nl", "127.0.0.1 or localhost" },
		{ "public_url = http://127.0.0.2:8080", "127.0.0.1 or localhost" },
		{ "public_url = https://kto.example.nl/#top", "fragment" },
		{ "public_url = https://u:p@kto.example.nl", "user name or password" },
		{ "public_url = https://kto.example.nl/a b", "space" },
		{ "public_url = https://kto.example.nl/<x>", "'<'" },
		{ "public_url = https://kto.example.nl/%zz", "hexadecimal" },
		{ "public_url = https://kto.example.nl/caf\xc3\xa9", "outside ASCII" },
		{ "public_url = https://", "no host" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *path = write_conf(f, "url.conf", cases[i].line, 0644);

		if (load(f, path) != KTO_EINPUT) {
			print_error("'%s' was accepted\n", cases[i].line);
			fail();
		}
		expect_diag(&f->d, KTO_SEV_ERROR, 1, cases[i].says);
		free(path);
	}
}

static void
test_good_urls(void **state)
{
	struct fixture *f = *state;
	static const char *const lines[] = {
		"smtp_url = smtp://127.0.0.1:2525\npublic_url = http://127.0.0.1:8080/",
		"smtp_url = smtp://[::1]:25\npublic_url = http://localhost",
		"smtp_url = SMTPS://Mail.Example.NL\npublic_url = http://[::1]:8080/kto",
		("smtp_url = smtp://mail.example.nl/helo.example.nl\n"
		 "public_url = https://kto.example.nl:8443/a%20b/~x"),
	};

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		char *path = write_conf(f, "url.conf", lines[i], 0644);

		if (load(f, path) != KTO_OK) {
			print_error("'%s' was refused: %s\n", lines[i],
			    f->d.n ? f->d.v[0].msg : "?");
			fail();
		}
		free(path);
	}
	assert_int_equal(f->cfg.smtp_tls, KTO_SMTP_TLS_NONE);
}

static void
test_environment_wins(void **state)
{
	struct fixture *f = *state;
	char *path = write_conf(f, "env.conf",
	    "smtp_url = smtp://mail.example.nl\n"
	    "smtp_connections = 8\n"
	    "public_url = https://kto.example.nl\n"
	    "mail_retry_max_hours = 24\n", 0644);

	setenv("KTO_SMTP_URL", "smtp://127.0.0.1:2525", 1);
	setenv("KTO_SMTP_CONNECTIONS", "2", 1);
	setenv("KTO_SMTP_RATE", "60", 1);
	setenv("KTO_SMTP_CONNECT_TIMEOUT", "3", 1);
	setenv("KTO_SMTP_TIMEOUT", "30", 1);
	setenv("KTO_SMTP_USER", "tester", 1);
	setenv("KTO_SMTP_PASSWORD", "from-env", 1);
	setenv("KTO_PUBLIC_URL", "http://127.0.0.1:8080/", 1);
	setenv("KTO_OPTOUT_MAILTO", "optout@example.nl", 1);
	setenv("KTO_MAIL_RETRY_MAX_HOURS", "", 1);   /* empty: not set */
	assert_int_equal(load(f, path), KTO_OK);
	assert_string_equal(f->cfg.smtp_url, "smtp://127.0.0.1:2525");
	assert_int_equal(f->cfg.smtp_connections, 2);
	assert_int_equal(f->cfg.smtp_rate_per_minute, 60);
	assert_int_equal(f->cfg.smtp_connect_timeout, 3);
	assert_int_equal(f->cfg.smtp_timeout, 30);
	assert_string_equal(f->cfg.smtp_user, "tester");
	assert_string_equal(f->cfg.public_url, "http://127.0.0.1:8080");
	assert_string_equal(f->cfg.optout_mailto, "optout@example.nl");
	assert_int_equal(f->cfg.mail_retry_max_hours, 24);
	assert_int_equal(f->cfg.origin[KTO_CFG_SMTP_URL], KTO_CFG_FROM_ENV);
	assert_int_equal(f->cfg.origin[KTO_CFG_MAIL_RETRY_MAX_HOURS], KTO_CFG_FROM_FILE);
	assert_int_equal(f->cfg.origin[KTO_CFG_SMTP_RATE_PER_MINUTE], KTO_CFG_FROM_ENV);
	/* The loopback relay takes the password in the clear without a warning. */
	assert_int_equal(f->d.n, 0);

	/* TLS and the files by the environment too. */
	setenv("KTO_SMTP_URL", "smtps://mail.example.nl", 1);
	setenv("KTO_SMTP_TLS", "implicit", 1);
	setenv("KTO_SMTP_PASSWORD_FILE", "/run/secrets/smtp", 1);
	setenv("KTO_SMTP_CA_FILE", path, 1);
	assert_int_equal(load(f, path), KTO_OK);
	assert_int_equal(f->cfg.smtp_tls, KTO_SMTP_TLS_IMPLICIT);
	assert_string_equal(f->cfg.smtp_password_file, "/run/secrets/smtp");
	assert_string_equal(f->cfg.smtp_ca_file, path);

	/* A bad value in the environment names its variable, at line 0. */
	setenv("KTO_SMTP_CONNECTIONS", "33", 1);
	setenv("KTO_PUBLIC_URL", "https://kto.example.nl/\r\nX-Evil: 1", 1);
	assert_int_equal(load(f, path), KTO_EINPUT);
	expect_diag(&f->d, KTO_SEV_ERROR, 0, "$KTO_SMTP_CONNECTIONS: "
	    "smtp_connections must be a whole number from 1 to 32, not '33'");
	expect_diag(&f->d, KTO_SEV_ERROR, 0, "$KTO_PUBLIC_URL: the value of "
	    "public_url contains a line break");
	/* The file's value stays when the environment's is refused. */
	assert_int_equal(f->cfg.smtp_connections, 8);
	assert_string_equal(f->cfg.public_url, "https://kto.example.nl");
	free(path);
}

static void
test_where_the_file_is(void **state)
{
	struct fixture *f = *state;
	char *local = write_conf(f, "kto.conf", "smtp_connections = 2\n", 0644);
	char *named = write_conf(f, "named.conf", "smtp_connections = 3\n", 0644);
	char *other = write_conf(f, "other.conf", "smtp_connections = 5\n", 0644);
	char *missing = tu_path(f->dir, "missing.conf");

	/* ./kto.conf when nothing names a file. */
	assert_int_equal(load(f, NULL), KTO_OK);
	assert_string_equal(f->used, KTO_CONFIG_LOCAL_PATH);
	assert_int_equal(f->cfg.smtp_connections, 2);

	/* $KTO_CONFIG over ./kto.conf; --config over $KTO_CONFIG. */
	setenv("KTO_CONFIG", named, 1);
	assert_int_equal(load(f, NULL), KTO_OK);
	assert_string_equal(f->used, named);
	assert_int_equal(f->cfg.smtp_connections, 3);
	assert_int_equal(load(f, other), KTO_OK);
	assert_string_equal(f->used, other);
	assert_int_equal(f->cfg.smtp_connections, 5);

	/* A file that was named must exist. */
	assert_int_equal(load(f, missing), KTO_EIO);
	expect_diag(&f->d, KTO_SEV_ERROR, 0, "does not exist");
	expect_diag(&f->d, KTO_SEV_ERROR, 0, "--config");
	assert_string_equal(f->used, "");
	setenv("KTO_CONFIG", missing, 1);
	assert_int_equal(load(f, NULL), KTO_EIO);
	expect_diag(&f->d, KTO_SEV_ERROR, 0, "$KTO_CONFIG");
	/* An empty $KTO_CONFIG is no name. */
	setenv("KTO_CONFIG", "", 1);
	assert_int_equal(load(f, NULL), KTO_OK);
	assert_string_equal(f->used, KTO_CONFIG_LOCAL_PATH);
	/* A directory is no file. */
	assert_int_equal(load(f, f->dir), KTO_EIO);
	expect_diag(&f->d, KTO_SEV_ERROR, 0, "directory");
	free(local);
	free(named);
	free(other);
	free(missing);
}

static void
test_relative_paths(void **state)
{
	struct fixture *f = *state;
	char *sub = tu_path(f->dir, "etc");
	char *path, *ca, *want;

	assert_int_equal(mkdir(sub, 0700), 0);
	path = write_conf(f, "etc/kto.conf", "smtp_password_file = secret\n"
	    "smtp_ca_file = ca.pem\n", 0644);
	ca = write_conf(f, "etc/ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	assert_int_equal(load(f, path), KTO_OK);
	want = tu_path(sub, "secret");
	assert_string_equal(f->cfg.smtp_password_file, want);
	assert_string_equal(f->cfg.smtp_ca_file, ca);
	free(want);
	/* From the environment, a relative name is taken as it is. */
	setenv("KTO_SMTP_PASSWORD_FILE", "secret", 1);
	assert_int_equal(load(f, path), KTO_OK);
	assert_string_equal(f->cfg.smtp_password_file, "secret");
	free(path);
	free(ca);
	free(sub);
}

static void
test_file_limits(void **state)
{
	struct fixture *f = *state;
	size_t big = KTO_CONFIG_FILE_MAX + 1;
	char *text = malloc(big + 1), *path = tu_path(f->dir, "big.conf");

	assert_non_null(text);
	memset(text, '#', big);
	text[big] = '\0';
	tu_write_file(path, text, big);
	assert_int_equal(load(f, path), KTO_ELIMIT);
	assert_true(f->d.errors > 0);
	/* NUL bytes: not a text file, said once. */
	tu_write_file(path, "smtp_url = x\0\nfoo\0\n", 19);
	assert_int_equal(load(f, path), KTO_EINPUT);
	expect_diag(&f->d, KTO_SEV_ERROR, 0, "not a text file");
	assert_int_equal(f->d.n, 1);
	/* An empty file is fine. */
	tu_write_file(path, "", 0);
	assert_int_equal(load(f, path), KTO_OK);
	free(text);
	free(path);
}

static void
test_tls(void **state)
{
	struct fixture *f = *state;
	char *path;

	/* smtps:// means implicit TLS, whether smtp_tls says so or not. */
	path = write_conf(f, "t.conf", "smtp_url = smtps://mail.example.nl\n", 0644);
	assert_int_equal(load(f, path), KTO_OK);
	assert_int_equal(f->cfg.smtp_tls, KTO_SMTP_TLS_IMPLICIT);
	free(path);
	path = write_conf(f, "t.conf", "smtp_url = smtps://mail.example.nl\n"
	    "smtp_tls = implicit\n", 0644);
	assert_int_equal(load(f, path), KTO_OK);
	assert_int_equal(f->cfg.smtp_tls, KTO_SMTP_TLS_IMPLICIT);
	free(path);

	/* Contradictions are errors at the smtp_tls line. */
	path = write_conf(f, "t.conf", "smtp_url = smtps://mail.example.nl\n"
	    "smtp_tls = starttls\n", 0644);
	assert_int_equal(load(f, path), KTO_EINPUT);
	expect_diag(&f->d, KTO_SEV_ERROR, 2, "smtps://");
	free(path);
	path = write_conf(f, "t.conf", "smtp_tls = none\n"
	    "smtp_url = smtps://mail.example.nl\n", 0644);
	assert_int_equal(load(f, path), KTO_EINPUT);
	expect_diag(&f->d, KTO_SEV_ERROR, 1, "smtp_tls is 'none'");
	free(path);
	path = write_conf(f, "t.conf", "smtp_url = smtp://mail.example.nl\n"
	    "smtp_tls = implicit\n", 0644);
	assert_int_equal(load(f, path), KTO_EINPUT);
	expect_diag(&f->d, KTO_SEV_ERROR, 2, "needs an smtps:// URL");
	free(path);

	/* STARTTLS on smtp://, required. */
	path = write_conf(f, "t.conf", "smtp_url = smtp://mail.example.nl:587\n"
	    "smtp_tls = starttls\nsmtp_user = kto\n", 0644);
	setenv("KTO_SMTP_PASSWORD", "pw", 1);
	assert_int_equal(load(f, path), KTO_OK);
	assert_int_equal(f->cfg.smtp_tls, KTO_SMTP_TLS_STARTTLS);
	assert_int_equal(f->d.n, 0);
	free(path);

	/* A password in the clear to another machine: a warning, not an error. */
	path = write_conf(f, "t.conf", "smtp_url = smtp://mail.example.nl:587\n"
	    "smtp_user = kto\n", 0644);
	assert_int_equal(load(f, path), KTO_OK);
	expect_diag(&f->d, KTO_SEV_WARNING, 2, "unencrypted to mail.example.nl");
	free(path);

	/* A user without a password, a password without a user. */
	unsetenv("KTO_SMTP_PASSWORD");
	path = write_conf(f, "t.conf", "smtp_url = smtp://127.0.0.1:25\n"
	    "smtp_user = kto\n", 0644);
	assert_int_equal(load(f, path), KTO_OK);
	expect_diag(&f->d, KTO_SEV_WARNING, 2, "no password");
	free(path);
	path = write_conf(f, "t.conf", "smtp_url = smtp://127.0.0.1:25\n"
	    "smtp_password_file = /run/secrets/smtp\n", 0644);
	assert_int_equal(load(f, path), KTO_OK);
	expect_diag(&f->d, KTO_SEV_WARNING, 2, "no smtp_user");
	free(path);

	/* kto_config_set() and kto_config_check(), as `kto send --smtp` uses them. */
	{
		struct kto_err err = KTO_ERR_INIT;

		kto_config_defaults(&f->cfg);
		assert_int_equal(kto_config_set(&f->cfg, "smtp_url",
		    "smtps://mail.example.nl:465", KTO_CFG_FROM_CALLER, &err), KTO_OK);
		assert_int_equal(f->cfg.origin[KTO_CFG_SMTP_URL], KTO_CFG_FROM_CALLER);
		assert_int_equal(kto_config_check(&f->cfg, &f->d), KTO_OK);
		assert_int_equal(f->cfg.smtp_tls, KTO_SMTP_TLS_IMPLICIT);
		assert_int_equal(kto_config_set(&f->cfg, "smtp_url",
		    "smtp://127.0.0.1:25", KTO_CFG_FROM_CALLER, &err), KTO_OK);
		assert_int_equal(kto_config_check(&f->cfg, &f->d), KTO_OK);
		assert_int_equal(f->cfg.smtp_tls, KTO_SMTP_TLS_NONE);
		assert_int_equal(kto_config_set(&f->cfg, "smtp_url",
		    "smtp://u:p@127.0.0.1", KTO_CFG_FROM_CALLER, &err), KTO_EINPUT);
		assert_contains(err.msg, "user name or password");
		assert_string_equal(f->cfg.smtp_url, "smtp://127.0.0.1:25");
		assert_int_equal(kto_config_set(&f->cfg, "smtp_uri", "x",
		    KTO_CFG_FROM_CALLER, &err), KTO_ENOTFOUND);
	}
}

static void
test_password(void **state)
{
	struct fixture *f = *state;
	struct kto_err err = KTO_ERR_INIT;
	char pw[64], tiny[4];
	char *secret = write_conf(f, "secret", "s3cr\xc3\xabt pass\r\nsecond line\n",
	    0600);
	char *conf;

	/* None configured. */
	kto_config_defaults(&f->cfg);
	assert_false(kto_config_has_password(&f->cfg));
	assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err),
	    KTO_ENOTFOUND);
	assert_string_equal(pw, "");

	/* The first line of a private file, without its CR LF. */
	conf = write_conf(f, "p.conf", "smtp_password_file = secret\n", 0644);
	assert_int_equal(load(f, conf), KTO_OK);
	assert_true(kto_config_has_password(&f->cfg));
	assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err), KTO_OK);
	assert_string_equal(pw, "s3cr\xc3\xabt pass");
	/* Too small a buffer: refused, and nothing half-copied. */
	assert_int_equal(kto_config_password(&f->cfg, tiny, sizeof tiny, &err),
	    KTO_ELIMIT);
	assert_string_equal(tiny, "");

	/* The environment wins over the file. */
	setenv("KTO_SMTP_PASSWORD", "from the environment", 1);
	assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err), KTO_OK);
	assert_string_equal(pw, "from the environment");
	setenv("KTO_SMTP_PASSWORD", "", 1);      /* empty: not set */
	assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err), KTO_OK);
	assert_string_equal(pw, "s3cr\xc3\xabt pass");
	unsetenv("KTO_SMTP_PASSWORD");

	/* Readable or writable by others: refused, and says how to fix it. */
	static const mode_t open_modes[] = { 0644, 0640, 0604, 0620, 0602 };
	for (size_t i = 0; i < sizeof open_modes / sizeof open_modes[0]; i++) {
		assert_int_equal(chmod(secret, open_modes[i]), 0);
		memset(pw, 'x', sizeof pw);
		assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err),
		    KTO_EPERM);
		assert_contains(err.msg, "chmod 600");
		assert_string_equal(pw, "");
	}
	assert_int_equal(chmod(secret, 0400), 0);
	assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err), KTO_OK);

	/* An empty first line; a missing file; a directory. */
	assert_int_equal(chmod(secret, 0600), 0);
	tu_write_file(secret, "\nsecond\n", 8);
	assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err),
	    KTO_EINPUT);
	assert_contains(err.msg, "empty");
	assert_int_equal(unlink(secret), 0);
	assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err), KTO_EIO);
	assert_contains(err.msg, "cannot open");
	assert_int_equal(mkdir(secret, 0700), 0);
	assert_int_equal(kto_config_password(&f->cfg, pw, sizeof pw, &err), KTO_EIO);
	assert_contains(err.msg, "not a regular file");

	/* A password longer than the limit. */
	{
		char *longpw = malloc(KTO_CONFIG_PASSWORD_MAX + 3);
		char big[KTO_CONFIG_PASSWORD_MAX + 1];

		assert_non_null(longpw);
		memset(longpw, 'p', KTO_CONFIG_PASSWORD_MAX + 1);
		longpw[KTO_CONFIG_PASSWORD_MAX + 1] = '\0';
		assert_int_equal(rmdir(secret), 0);
		tu_write_file(secret, longpw, KTO_CONFIG_PASSWORD_MAX + 1);
		assert_int_equal(chmod(secret, 0600), 0);
		assert_int_equal(kto_config_password(&f->cfg, big, sizeof big, &err),
		    KTO_ELIMIT);
		/* Exactly the limit fits. */
		tu_write_file(secret, longpw, KTO_CONFIG_PASSWORD_MAX);
		assert_int_equal(kto_config_password(&f->cfg, big, sizeof big, &err),
		    KTO_OK);
		assert_int_equal(strlen(big), KTO_CONFIG_PASSWORD_MAX);
		setenv("KTO_SMTP_PASSWORD", "a\nb", 1);
		assert_int_equal(kto_config_password(&f->cfg, big, sizeof big, &err),
		    KTO_EINPUT);
		unsetenv("KTO_SMTP_PASSWORD");
		free(longpw);
	}
	free(secret);
	free(conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_error_with_its_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_where_the_file_is, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
