/*
** The portal's and the API's routes, declared in one table (web/route.c):
** for each, its method and path, who may use it, and where the
** municipality it is about comes from.  Dispatch and the authorization
** check are both driven by this table, in web_dispatch(), so that no
** handler decides for itself who may call it.  web_routes() hands the
** table out, for `kto routes` and for the tests that check every route
** against every role.
*/
#ifndef KTO_WEB_ROUTE_H
#define KTO_WEB_ROUTE_H

#include <stddef.h>

/* Who may use a route. */
enum web_access {
	WEB_ANYONE,      /* no account needed: signing in and out */
	WEB_SIGNED_IN,   /* any signed-in portal account */
	WEB_TEAM,        /* the benchmark team only */
	WEB_VIEWER,      /* the municipality's viewers and managers, and the team */
	WEB_MANAGER,     /* the municipality's managers, and the team */
	WEB_API_KEY      /* a municipality's systems, with an API key */
};

/*
** Where a route's municipality comes from.  Never from a URL or a form
** alone: the path's {code} is only accepted when it is the signed-in
** account's own (the team's accounts belong to none and may name any).
*/
enum web_tenant {
	WEB_TENANT_NONE,      /* about no one municipality */
	WEB_TENANT_SESSION,   /* the path's {code}, checked against the session */
	WEB_TENANT_KEY        /* the API key's municipality; the path names none */
};

struct web_call;

/*
** One route.  pattern is a path whose segments may be "{code}" (a
** municipality's code) or "{wave}" (a wave's id, which must belong to the
** route's municipality, else 404).  method is "GET" (HEAD too) or "POST".
*/
struct web_route {
	const char *method;
	const char *pattern;
	enum web_access access;
	enum web_tenant tenant;
	const char *summary;          /* what it does, in English, for listings */
	void (*handle)(struct web_call *c);
};

/* The table: *out points to n routes; static, never freed. */
size_t web_routes(const struct web_route **out);

const char *web_access_name(enum web_access a);
const char *web_tenant_name(enum web_tenant t);

#endif
