/*
** The pages kto serves, and the table of routes that picks one.  A page is
** built in memory (escaped by default through web/html) and handed to the
** server, which adds the headers and sends it.
*/
#ifndef KTO_WEB_PAGES_H
#define KTO_WEB_PAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"

struct kto_db;
struct kto_commit_group;

/* The most fields a form may send (a questionnaire page's, with room). */
#define KTO_FORM_MAX_FIELDS 1000

/* One field of a submitted form, decoded by libmicrohttpd's POST processor. */
struct kto_form_field {
	const char *name;
	const char *value;
	size_t value_len;            /* more than strlen(value) if it holds a NUL */
};

struct kto_web_request;
struct kto_web_page;

/*
** A write the page waits for (engine/commit_group.h).  Rather than hold a
** server thread until the commit reaches the disk, a handler leaves this
** in *request->pending: the server suspends the connection, has write()
** run in the next group commit, then calls finish() to build the page,
** and release() when the request ends.  Everything it points to must live
** in the request's arena (or longer).
*/
struct kto_web_pending {
	enum kto_rc (*write)(struct kto_db *db, void *arg);
	void *arg;
	void (*finish)(struct kto_web_pending *w, enum kto_rc rc,
	               const struct kto_web_request *r, struct kto_web_page *p);
	void (*release)(struct kto_web_pending *w);
	void *ctx;
};

struct kto_web_request {
	const char *method;
	const char *path;
	const char *body;
	size_t body_len;
	bool body_too_large;
	bool malformed;              /* a broken target or framing: 400 (H4, H5) */
	const struct kto_form_field *fields;   /* a POSTed form's, in order */
	size_t n_fields;
	bool form_unreadable;        /* too many fields, or broken encoding */
	bool not_a_form;             /* a POST that is not form data (415) */
	const char *lang;            /* ?lang=en, or NULL */
	const char *session;         /* the kto_session cookie, or NULL */
	const char *portal_cookie;   /* the kto_portal cookie, or NULL */
	const char *lang_cookie;     /* the portal's kto_lang cookie, or NULL */
	const char *authorization;   /* the Authorization header, or NULL */
	const char *origin;          /* the Origin header, or NULL */
	const char *host;            /* the Host header, or NULL */
	const char *content_type;    /* the Content-Type header, or NULL */
	bool tls;                    /* served over TLS: cookies get Secure */
	/* A query argument (?name=value), or NULL. */
	const char *(*arg)(const struct kto_web_request *r, const char *name);
	void *conn;                  /* for arg(): the server's connection */
	char client_ip[64];          /* for rate limits */
	struct kto_db *db;           /* NULL when the database could not open */
	struct kto_commit_group *writer;   /* where answers are written */
	struct kto_web_pending **pending;  /* NULL: write before returning */
	struct kto_arena *arena;     /* memory that lives as long as the request */
};

struct kto_web_page {
	unsigned status;
	const char *content_type;
	const char *allow;           /* for 405 */
	char location[512];          /* for 303: where to go next */
	char set_cookie[256];        /* a Set-Cookie header, or "" */
	char alert[256];             /* a warning for the server's log, or "" */
	const char *cache_control;   /* NULL: no-store (every page but images) */
	unsigned retry_after;        /* seconds, for 503; 0: no Retry-After */
	struct kto_buf body;
};

void kto_web_page_init(struct kto_web_page *p);
void kto_web_page_release(struct kto_web_page *p);

/* Answers req: always fills page, with an error page when need be. */
void kto_web_route(const struct kto_web_request *req, struct kto_web_page *page);

#endif
