/*
** The pages kto serves, and the table of routes that picks one.  A page is
** built in memory (escaped by default through web/html) and handed to the
** server, which adds the headers and sends it.
*/
#ifndef KTO_WEB_PAGES_H
#define KTO_WEB_PAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

struct kto_db;

struct kto_web_request {
	const char *method;
	const char *path;
	const char *body;
	size_t body_len;
	bool body_too_large;
	const char *lang;            /* ?lang=en, or NULL */
	struct kto_db *db;           /* NULL when the database could not open */
};

struct kto_page {
	unsigned status;
	const char *content_type;
	const char *allow;           /* for 405 */
	struct kto_buf body;
};

void kto_page_init(struct kto_page *p);
void kto_page_release(struct kto_page *p);

/* Answers req: always fills page, with an error page when need be. */
void kto_web_route(const struct kto_web_request *req, struct kto_page *page);

#endif
