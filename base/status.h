/*
** Status codes and error messages shared by every kto library.
**
** Library functions return an enum kto_rc; the message for people travels
** separately in a struct kto_err that the caller owns.  Library code never
** prints: the CLI and the web layer decide how a message reaches a person.
*/
#ifndef KTO_BASE_STATUS_H
#define KTO_BASE_STATUS_H

#include <stddef.h>

enum kto_rc {
	KTO_OK = 0,
	KTO_EINPUT,      /* 1: the input was wrong; the message says what and where */
	KTO_ENOTFOUND,   /* 2: a named record does not exist */
	KTO_EEXISTS,     /* 3: a record with that key exists already */
	KTO_ESTATE,      /* 4: not allowed in the record's current state */
	KTO_ELIMIT,      /* 5: a size or count limit was exceeded */
	KTO_ESCHEMA,     /* 6: not a kto database, or one from a newer kto */
	KTO_EIO,         /* 7: a file could not be read or written */
	KTO_EBUSY,       /* 8: the database stayed locked past the timeout */
	KTO_EFULL,       /* 9: the disk or the database is full */
	KTO_ENOMEM,      /* 10: out of memory */
	KTO_EDB,         /* 11: an unexpected database error */
	KTO_EPERM,       /* 12: not allowed for this user */
	KTO_EINTERNAL,   /* 13: a bug: an invariant did not hold */
	KTO_RC_COUNT
};

/* Short, fixed description of a status code; never NULL. */
const char *kto_strerror(enum kto_rc rc);

#define KTO_ERR_MAX 1024

/*
** The message that goes with a status.  Initialise with KTO_ERR_INIT or
** kto_err_clear(); no allocation, so it can be set even when out of memory.
*/
struct kto_err {
	enum kto_rc rc;
	char msg[KTO_ERR_MAX];
};

#define KTO_ERR_INIT { KTO_OK, { 0 } }

void kto_err_clear(struct kto_err *err);

/*
** Records rc and a printf-style message in err (truncated to fit) and
** returns rc, so call sites read `return kto_err_set(err, KTO_EINPUT, ...)`.
** err may be NULL, in which case only rc is returned.
*/
enum kto_rc kto_err_set(struct kto_err *err, enum kto_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message in err, or kto_strerror(err->rc) when none was set. */
const char *kto_err_msg(const struct kto_err *err);

#endif
