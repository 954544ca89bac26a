/*
** Fuzz target for the settings file parser.  Any input must be parsed to
** its end without a crash, a leak or undefined behaviour (the sanitizers
** check those), and:
**
**   - the result is KTO_EINPUT exactly when an error was reported, and
**     every diagnostic has a message and a line within the input;
**   - every string setting is NUL-terminated within its buffer and free
**     of control characters, so none can split a mail header;
**   - every number is within its documented range;
**   - kto_config_check() then holds: smtp_tls agrees with the URL.
*/
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "engine/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void
check_string(const char *s, size_t size)
{
	CHECK(memchr(s, '\0', size) != NULL);
	CHECK(!kto_text_has_control(s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kto_config cfg;
	struct kto_diags d;
	size_t lines = 1;
	enum kto_rc rc;

	if (size > KTO_CONFIG_FILE_MAX)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	kto_diags_init(&d);
	kto_config_defaults(&cfg);
	rc = kto_config_parse(&cfg, (const char *)data, size, "/nonexistent", &d);
	CHECK(rc == KTO_OK || rc == KTO_EINPUT || rc == KTO_ENOMEM);
	CHECK((rc == KTO_EINPUT) == (d.errors > 0) || rc == KTO_ENOMEM);
	for (size_t i = 0; i < d.n; i++) {
		CHECK(d.v[i].msg != NULL && d.v[i].msg[0] != '\0');
		CHECK(d.v[i].line >= 0 && (size_t)d.v[i].line <= lines);
	}
	check_string(cfg.smtp_url, sizeof cfg.smtp_url);
	check_string(cfg.smtp_user, sizeof cfg.smtp_user);
	check_string(cfg.smtp_password_file, sizeof cfg.smtp_password_file);
	check_string(cfg.smtp_ca_file, sizeof cfg.smtp_ca_file);
	check_string(cfg.public_url, sizeof cfg.public_url);
	check_string(cfg.optout_mailto, sizeof cfg.optout_mailto);
	CHECK(cfg.smtp_connections >= 1 &&
	    cfg.smtp_connections <= KTO_CONFIG_CONNECTIONS_MAX);
	CHECK(cfg.smtp_rate_per_minute >= 0 &&
	    cfg.smtp_rate_per_minute <= KTO_CONFIG_RATE_MAX);
	CHECK(cfg.smtp_connect_timeout >= 1 &&
	    cfg.smtp_connect_timeout <= KTO_CONFIG_CONNECT_TIMEOUT_MAX);
	CHECK(cfg.smtp_timeout >= 1 && cfg.smtp_timeout <= KTO_CONFIG_TIMEOUT_MAX);
	CHECK(cfg.mail_retry_max_hours >= 1 &&
	    cfg.mail_retry_max_hours <= KTO_CONFIG_RETRY_HOURS_MAX);
	if (cfg.public_url[0] != '\0') {
		size_t n = strlen(cfg.public_url);

		CHECK(cfg.public_url[n - 1] != '/');
		CHECK(strpbrk(cfg.public_url, "?# ") == NULL);
	}
	if (kto_config_check(&cfg, &d) == KTO_OK && cfg.smtp_url[0] != '\0')
		/* "smtps://" or "smtp://", in any case: the fifth letter says. */
		CHECK((cfg.smtp_tls == KTO_SMTP_TLS_IMPLICIT) ==
		    ((cfg.smtp_url[4] | 0x20) == 's'));
	kto_diags_release(&d);
	return 0;
}
