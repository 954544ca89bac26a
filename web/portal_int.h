/*
** Inside the portal (web/portal*.c): one request's state and the helpers
** every page uses.
*/
#ifndef KTO_WEB_PORTAL_INT_H
#define KTO_WEB_PORTAL_INT_H

#include <stdbool.h>

#include "engine/account.h"
#include "web/pages_int.h"

struct portal {
	const struct kto_web_request *r;
	struct kto_web_page *p;
	struct kto_session s;
	bool signed_in;
};

/* What a page needs of the account, for portal_allowed(). */
enum portal_need {
	PORTAL_VIEW,      /* read a municipality's waves and results */
	PORTAL_MANAGE,    /* run its waves: upload, create, sample, close */
	PORTAL_TEAM       /* the benchmark team only */
};

/* The one check of who may: see portal.c. */
bool portal_allowed(const struct portal *pt, const char *code, enum portal_need need);
bool portal_post_ok(const struct portal *pt);

void portal_begin(struct portal *pt, const char *title);
void portal_end(struct portal *pt);
void portal_csrf_field(struct portal *pt);
void portal_message(struct portal *pt, unsigned status, const char *title,
                    const char *text);
void portal_redirect(struct portal *pt, const char *where);

/* The pages (portal_pages.c, portal_results.c). */
void portal_home(struct portal *pt);
void portal_municipality(struct portal *pt, const char *code);
void portal_upload(struct portal *pt, const char *code);
void portal_wave_create(struct portal *pt, const char *code);
void portal_wave_action(struct portal *pt, const char *code, const char *rest);
void portal_results(struct portal *pt, const char *code);
void portal_letter(struct portal *pt, const char *code);
void portal_answers(struct portal *pt, const char *code);

#endif
