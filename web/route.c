/*
** The route table of the portal and the API, and the one place that
** decides who may use a route (see route.h).  For a request, in order:
** who is asking (the portal's session cookie, or the API's key), which
** route it is, whether that caller may use it, which municipality it is
** about (and that it exists), that a portal form carries the session's
** CSRF token, and that a {wave} belongs to that municipality.  Only then
** does the handler run, with all of that in its struct web_call.
*/
#include "web/route_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/strparse.h"
#include "engine/db.h"
#include "engine/wave.h"

static const struct web_route routes[] = {
	/* The portal (web/portal*.c). */
	{ "GET", "/portal/login", WEB_ANYONE, WEB_TENANT_NONE,
	  "the sign-in form", portal_h_login_form },
	{ "POST", "/portal/login", WEB_ANYONE, WEB_TENANT_NONE,
	  "sign in (rate-limited per address and per account)", portal_h_login },
	{ "POST", "/portal/logout", WEB_ANYONE, WEB_TENANT_NONE,
	  "sign out (ends the session when its CSRF token comes along)",
	  portal_h_logout },
	{ "GET", "/portal", WEB_SIGNED_IN, WEB_TENANT_NONE,
	  "home: the team's overview, or one's own municipality", portal_h_home },
	{ "GET", "/portal/audit", WEB_TEAM, WEB_TENANT_NONE,
	  "the audit log", portal_h_audit },
	{ "GET", "/portal/m/{code}", WEB_VIEWER, WEB_TENANT_SESSION,
	  "a municipality's waves", portal_h_municipality },
	{ "GET", "/portal/m/{code}/results", WEB_VIEWER, WEB_TENANT_SESSION,
	  "its results", portal_h_results },
	{ "GET", "/portal/m/{code}/answers", WEB_VIEWER, WEB_TENANT_SESSION,
	  "its open answers, masked", portal_h_answers },
	{ "GET", "/portal/m/{code}/letter.pdf", WEB_VIEWER, WEB_TENANT_SESSION,
	  "its tailored letter (PDF)", portal_h_letter },
	{ "POST", "/portal/m/{code}/upload", WEB_MANAGER, WEB_TENANT_SESSION,
	  "upload contacts (CSV)", portal_h_upload },
	{ "POST", "/portal/m/{code}/waves", WEB_MANAGER, WEB_TENANT_SESSION,
	  "create a wave", portal_h_wave_create },
	{ "POST", "/portal/m/{code}/waves/{wave}/sample", WEB_MANAGER,
	  WEB_TENANT_SESSION, "draw a wave's sample", portal_h_wave_sample },
	{ "POST", "/portal/m/{code}/waves/{wave}/close", WEB_MANAGER,
	  WEB_TENANT_SESSION, "close a wave", portal_h_wave_close },
	/* The JSON API (web/api.c, docs/api.md). */
	{ "POST", "/api/v1/contacts", WEB_API_KEY, WEB_TENANT_KEY,
	  "push one contact", api_h_contact_push },
	{ "POST", "/api/v1/contacts/import", WEB_API_KEY, WEB_TENANT_KEY,
	  "import contacts (CSV body)", api_h_contacts_import },
	{ "GET", "/api/v1/waves", WEB_API_KEY, WEB_TENANT_KEY,
	  "the municipality's waves", api_h_wave_list },
	{ "POST", "/api/v1/waves", WEB_API_KEY, WEB_TENANT_KEY,
	  "create a wave", api_h_wave_create },
	{ "GET", "/api/v1/waves/{wave}", WEB_API_KEY, WEB_TENANT_KEY,
	  "a wave's state and counts", api_h_wave_show },
	{ "POST", "/api/v1/waves/{wave}/sample", WEB_API_KEY, WEB_TENANT_KEY,
	  "draw a wave's sample", api_h_wave_sample },
	{ "GET", "/api/v1/results", WEB_API_KEY, WEB_TENANT_KEY,
	  "the municipality's results of a year", api_h_results },
};

size_t
web_routes(const struct web_route **out)
{
	*out = routes;
	return sizeof routes / sizeof routes[0];
}

const char *
web_access_name(enum web_access a)
{
	static const char *const names[] = { "anyone", "signed-in", "team",
	    "viewer", "manager", "api-key" };

	return (size_t)a < sizeof names / sizeof names[0] ? names[a] : "?";
}

const char *
web_tenant_name(enum web_tenant t)
{
	static const char *const names[] = { "none", "session", "api-key" };

	return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* ------------------------------------------------------------------ */
/* Matching                                                            */

/* What a path's placeholders held. */
struct captures {
	char code[KTO_CODE_MAX + 1];
	char wave[24];
};

/* The length of the segment at s (up to '/' or the end). */
static size_t
segment_len(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash ? (size_t)(slash - s) : strlen(s);
}

/*
** True when path matches pattern segment by segment, filling cap.  A
** trailing slash is ignored ("/portal/" is "/portal").
*/
static bool
path_matches(const char *pattern, const char *path, struct captures *cap)
{
	while (*pattern != '\0') {
		size_t pn, n;

		if (*pattern != '/' || *path != '/')
			return false;
		pattern++;
		path++;
		pn = segment_len(pattern);
		n = segment_len(path);
		if (pn == 6 && strncmp(pattern, "{code}", 6) == 0) {
			if (n == 0 || n >= sizeof cap->code)
				return false;
			memcpy(cap->code, path, n);
			cap->code[n] = '\0';
		} else if (pn == 6 && strncmp(pattern, "{wave}", 6) == 0) {
			if (n == 0 || n >= sizeof cap->wave)
				return false;
			memcpy(cap->wave, path, n);
			cap->wave[n] = '\0';
		} else if (pn != n || strncmp(pattern, path, n) != 0) {
			return false;
		}
		pattern += pn;
		path += n;
	}
	return *path == '\0' || strcmp(path, "/") == 0;
}

static bool
method_is(const struct web_route *rt, const char *method)
{
	return strcmp(rt->method, method) == 0 ||
	    (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
}

/*
** The route for the request; NULL when none, with *allow set to the
** methods the path does take (NULL when the path is unknown).
*/
static const struct web_route *
find_route(const struct kto_web_request *r, struct captures *cap, const char **allow)
{
	const struct web_route *path_only = NULL;

	*allow = NULL;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		struct captures c;

		memset(&c, 0, sizeof c);
		if (!path_matches(routes[i].pattern, r->path, &c))
			continue;
		if (method_is(&routes[i], r->method)) {
			*cap = c;
			return &routes[i];
		}
		path_only = &routes[i];
	}
	/* Every path takes one method (plus HEAD for GET). */
	if (path_only != NULL)
		*allow = strcmp(path_only->method, "GET") == 0 ? "GET, HEAD" : "POST";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Who may                                                             */

static void
refuse(struct web_call *c, bool api, unsigned status)
{
	if (api)
		api_refuse(c, status);
	else
		portal_refuse(c, status);
}

/* Who is asking: the API's key, or the portal's session. */
static void
identify(struct web_call *c, bool api)
{
	const struct kto_web_request *r = c->r;
	const char *auth = r->authorization;
	int64_t mid;

	if (api) {
		c->keyed = auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
		    kto_apikey_find(r->db, auth + 7, &mid, c->m.code) == KTO_OK;
		if (c->keyed) {
			c->m.id = mid;
			snprintf(c->actor, sizeof c->actor, "api:%s", c->m.code);
		} else {
			memset(&c->m, 0, sizeof c->m);
		}
		return;
	}
	c->signed_in = kto_session_find(r->db, r->portal_cookie, &c->s) == KTO_OK;
	if (c->signed_in)
		snprintf(c->actor, sizeof c->actor, "%s", c->s.account.email);
}

/*
** The status that refuses the caller this route, or 0 when it may.  The
** team may name any municipality; a manager or viewer only their own, and
** a viewer only reads.
*/
static unsigned
access_refused(const struct web_call *c, const struct captures *cap)
{
	const struct kto_account *a = &c->s.account;
	enum web_access need = c->route->access;

	if (need == WEB_ANYONE)
		return 0;
	if (need == WEB_API_KEY)
		return c->keyed ? 0 : 401;
	if (!c->signed_in)
		return 303;
	if (need == WEB_SIGNED_IN || a->role == KTO_ROLE_TEAM)
		return 0;
	if (need == WEB_TEAM)
		return 403;
	if (c->route->tenant == WEB_TENANT_SESSION &&
	    strcasecmp(a->municipality, cap->code) != 0)
		return 403;
	return need == WEB_MANAGER && a->role != KTO_ROLE_MANAGER ? 403 : 0;
}

/* The route's municipality, into c->m; false when there is none such. */
static bool
resolve_tenant(struct web_call *c, const struct captures *cap)
{
	switch (c->route->tenant) {
	case WEB_TENANT_NONE:
		memset(&c->m, 0, sizeof c->m);
		return true;
	case WEB_TENANT_SESSION:
		return kto_municipality_find(c->r->db, cap->code, &c->m) == KTO_OK;
	case WEB_TENANT_KEY:
		return kto_municipality_find(c->r->db, c->m.code, &c->m) == KTO_OK;
	}
	return false;
}

/* The path's {wave}, when it is one of the route's municipality's. */
static bool
resolve_wave(struct web_call *c, const struct captures *cap)
{
	struct kto_wave_info w;

	if (strstr(c->route->pattern, "{wave}") == NULL)
		return true;
	return kto_parse_i64(cap->wave, 1, INT64_MAX, &c->wave) == KTO_OK &&
	    kto_wave_get_header(c->r->db, c->wave, &w) == KTO_OK &&
	    strcasecmp(w.municipality, c->m.code) == 0;
}

void
web_dispatch(const struct kto_web_request *r, struct kto_web_page *p)
{
	bool api = strncmp(r->path, "/api/", 5) == 0;
	struct web_call c;
	struct captures cap;
	const char *allow;
	unsigned status;

	memset(&c, 0, sizeof c);
	c.r = r;
	c.p = p;
	if (api)
		p->cache_control = "no-store";
	identify(&c, api);
	c.route = find_route(r, &cap, &allow);
	if (c.route == NULL) {
		/* Unknown paths answer only those who may ask at all. */
		if (api ? !c.keyed : !c.signed_in) {
			refuse(&c, api, api ? 401 : 303);
			return;
		}
		p->allow = allow;
		refuse(&c, api, allow ? 405 : 404);
		return;
	}
	if ((status = access_refused(&c, &cap)) != 0) {
		refuse(&c, api, status);
		return;
	}
	if (!resolve_tenant(&c, &cap)) {
		refuse(&c, api, 404);
		return;
	}
	if (!api && c.route->access != WEB_ANYONE &&
	    strcmp(c.route->method, "POST") == 0 && !portal_call_post_ok(&c)) {
		portal_refuse_form(&c);
		return;
	}
	if (api && strcmp(r->method, "POST") == 0 && r->body_too_large) {
		refuse(&c, api, 413);
		return;
	}
	if (!resolve_wave(&c, &cap)) {
		refuse(&c, api, 404);
		return;
	}
	c.route->handle(&c);
}
