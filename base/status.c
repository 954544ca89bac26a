#include "base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const rc_text[KTO_RC_COUNT] = {
	[KTO_OK] = "ok",
	[KTO_EINPUT] = "invalid input",
	[KTO_ENOTFOUND] = "not found",
	[KTO_EEXISTS] = "already exists",
	[KTO_ESTATE] = "not allowed in the current state",
	[KTO_ELIMIT] = "limit exceeded",
	[KTO_ESCHEMA] = "unsupported database",
	[KTO_EIO] = "input/output error",
	[KTO_EBUSY] = "database busy",
	[KTO_EFULL] = "disk or database full",
	[KTO_ENOMEM] = "out of memory",
	[KTO_EDB] = "database error",
	[KTO_EPERM] = "permission denied",
	[KTO_EINTERNAL] = "internal error",
};

const char *
kto_strerror(enum kto_rc rc)
{
	if ((unsigned)rc >= KTO_RC_COUNT)
		return "unknown error";
	return rc_text[rc];
}

void
kto_err_clear(struct kto_err *err)
{
	if (err == NULL)
		return;
	err->rc = KTO_OK;
	err->msg[0] = '\0';
}

enum kto_rc
kto_err_set(struct kto_err *err, enum kto_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return rc;
	err->rc = rc;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
kto_err_msg(const struct kto_err *err)
{
	if (err->msg[0] != '\0')
		return err->msg;
	return kto_strerror(err->rc);
}
