/*
** Inside the web library: one routed request, as web_dispatch() hands it
** to a route's handler once the table's checks have passed, and the
** handlers the table names (portal.c, portal_audit.c, api.c).
*/
#ifndef KTO_WEB_ROUTE_INT_H
#define KTO_WEB_ROUTE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/account.h"
#include "engine/municipality.h"
#include "web/pages_int.h"
#include "web/route.h"

struct web_call {
	const struct kto_web_request *r;
	struct kto_web_page *p;
	const struct web_route *route;
	struct kto_session s;          /* the portal session, when signed_in */
	bool signed_in;
	bool keyed;                    /* a valid API key came with the request */
	struct kto_municipality m;     /* the route's municipality; id 0: none */
	int64_t wave;                  /* the path's {wave}: one of m's waves */
	char actor[300];               /* who, for the audit log */
};

/* Answers a request whose path starts with /portal or /api/v1/. */
void web_dispatch(const struct kto_web_request *r, struct kto_web_page *p);

/*
** Refusals in each area's own form: the portal's pages (303 to the
** sign-in page, 403, 404, 405, and 419 for a stale form, sent as 403),
** the API's JSON errors (401, 404, 405, 413).
*/
void portal_refuse(struct web_call *c, unsigned status);
void portal_refuse_form(struct web_call *c);
bool portal_call_post_ok(struct web_call *c);
/* The portal's state for a call: its request, session and language. */
struct portal;
void portal_of_call(struct web_call *c, struct portal *pt);
void api_refuse(struct web_call *c, unsigned status);

/* The portal's handlers (portal.c, portal_audit.c). */
void portal_h_login_form(struct web_call *c);
void portal_h_login(struct web_call *c);
void portal_h_logout(struct web_call *c);
void portal_h_home(struct web_call *c);
void portal_h_audit(struct web_call *c);
void portal_h_municipality(struct web_call *c);
void portal_h_results(struct web_call *c);
void portal_h_answers(struct web_call *c);
void portal_h_letter(struct web_call *c);
void portal_h_upload(struct web_call *c);
void portal_h_wave_create(struct web_call *c);
void portal_h_wave_sample(struct web_call *c);
void portal_h_wave_close(struct web_call *c);

/* The API's handlers (api.c). */
void api_h_contact_push(struct web_call *c);
void api_h_contacts_import(struct web_call *c);
void api_h_wave_list(struct web_call *c);
void api_h_wave_create(struct web_call *c);
void api_h_wave_show(struct web_call *c);
void api_h_wave_sample(struct web_call *c);
void api_h_results(struct web_call *c);

#endif
