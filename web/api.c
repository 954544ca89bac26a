/*
** The JSON API, /api/v1/... (docs/api.md): a municipality's systems push
** contacts, run waves and read their status and results with an API key
** ("Authorization: Bearer KEY", kto apikey add).  The key decides the
** municipality; nothing in a URL or body can name another (the routes
** and that check are in web/route.c).  Request
** bodies are parsed by jansson; every error is a JSON object
** {"error": {"message": ..., "field": ...}} with a 4xx status.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/json.h"
#include "base/strparse.h"
#include "base/utf8.h"
#include "engine/account.h"
#include "engine/channel.h"
#include "engine/contacts.h"
#include "engine/db.h"
#include "engine/results.h"
#include "engine/sampling.h"
#include "engine/wave.h"
#include "web/pages_int.h"
#include "web/route_int.h"

struct api {
	const struct kto_web_request *r;
	struct kto_web_page *p;
	int64_t municipality_id;
	char municipality[KTO_CODE_MAX + 1];
	char actor[KTO_CODE_MAX + 16];
};

static void
api_start(struct api *a, unsigned status, struct kto_json *j)
{
	a->p->status = status;
	a->p->content_type = "application/json";
	kto_buf_reset(&a->p->body);
	kto_json_init(j, &a->p->body, true);
}

static void
api_error(struct api *a, unsigned status, const char *message, const char *field)
{
	struct kto_json j;
	char safe_message[2048], safe_field[200];

	/* Messages may quote what the client sent (jansson's parse errors do,
	 * byte for byte): made well-formed UTF-8 first, or the body would not
	 * be JSON (found by fuzz/fuzz_api.c). */
	api_start(a, status, &j);
	kto_json_object_begin(&j);
	kto_json_key(&j, "error");
	kto_json_object_begin(&j);
	kto_json_kv_string(&j, "message", kto_utf8_quote(message, safe_message,
	    sizeof safe_message));
	kto_json_kv_string(&j, "field", field ? kto_utf8_quote(field, safe_field,
	    sizeof safe_field) : NULL);
	kto_json_object_end(&j);
	kto_json_object_end(&j);
	kto_json_finish(&j);
}

/* An engine error as the API says it: the status from the kind of error. */
static void
api_engine_error(struct api *a, enum kto_rc rc, const char *field)
{
	unsigned status = rc == KTO_EINPUT ? 422 : rc == KTO_ENOTFOUND ? 404 :
	    rc == KTO_EEXISTS || rc == KTO_ESTATE ? 409 :
	    rc == KTO_EBUSY || rc == KTO_EFULL ? 503 : 500;

	api_error(a, status, kto_db_errmsg(a->r->db), field);
	if (status == 503)       /* busy or full: a client may try again later */
		a->p->retry_after = WEB_RETRY_AFTER_SECONDS;
}

/* The body as a JSON object, or an error answered. */
static json_t *
api_body(struct api *a)
{
	json_error_t err;
	json_t *v;
	char msg[300];

	if (a->r->content_type == NULL ||
	    strncasecmp(a->r->content_type, "application/json", 16) != 0) {
		api_error(a, 415, "send the body as JSON, with Content-Type: "
		    "application/json", NULL);
		return NULL;
	}
	v = json_loadb(a->r->body, a->r->body_len, JSON_REJECT_DUPLICATES, &err);
	if (v == NULL) {
		snprintf(msg, sizeof msg, "the body is not valid JSON: %s (line %d, "
		    "column %d)", err.text, err.line, err.column);
		api_error(a, 400, msg, NULL);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		api_error(a, 400, "the body must be a JSON object", NULL);
		return NULL;
	}
	return v;
}

/*
** A string member, NULL when absent; *bad names it when present but not a
** string (or not in the allowed list of members).
*/
static const char *
member_string(json_t *o, const char *name, const char **bad)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = name;
		return NULL;
	}
	return json_string_value(v);
}

/* Members the endpoint does not know: a typo must not pass silently. */
static const char *
unknown_member(json_t *o, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		bool ok = false;

		(void)v;
		for (size_t i = 0; known[i] != NULL && !ok; i++)
			ok = strcmp(key, known[i]) == 0;
		if (!ok)
			return key;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Contacts                                                            */

static void
contact_push(struct api *a)
{
	static const char *const known[] = { "contact_id", "channel", "contact_at",
	    "email", "product", "team", "language", NULL };
	static const char *const outcome_name[] = { "added", "updated", "unchanged",
	    "rejected" };
	json_t *o = api_body(a);
	struct kto_contact_input in;
	enum kto_contact_outcome outcome;
	const char *bad = NULL, *unknown;
	char reason[256] = "", msg[300];
	struct kto_json j;
	enum kto_rc rc;

	if (o == NULL)
		return;
	if ((unknown = unknown_member(o, known)) != NULL) {
		snprintf(msg, sizeof msg, "unknown field '%.64s'; the fields are contact_id, "
		    "channel, contact_at, email, product, team, language", unknown);
		api_error(a, 422, msg, unknown);
		json_decref(o);
		return;
	}
	memset(&in, 0, sizeof in);
	in.contact_id = member_string(o, "contact_id", &bad);
	in.channel = member_string(o, "channel", &bad);
	in.contact_at = member_string(o, "contact_at", &bad);
	in.email = member_string(o, "email", &bad);
	in.product = member_string(o, "product", &bad);
	in.team = member_string(o, "team", &bad);
	in.language = member_string(o, "language", &bad);
	if (bad != NULL) {
		snprintf(msg, sizeof msg, "'%s' must be a string", bad);
		api_error(a, 422, msg, bad);
		json_decref(o);
		return;
	}
	rc = kto_contact_put(a->r->db, a->municipality, &in, &outcome, reason, sizeof reason);
	json_decref(o);
	if (rc != KTO_OK) {
		api_engine_error(a, rc, NULL);
		return;
	}
	if (outcome == KTO_CONTACT_REJECTED) {
		/* The import's reasons name the field they are about. */
		static const char *const fields[] = { "contact_at", "contact_id",
		    "channel", "email", "language", "product", "team" };
		const char *field = NULL;

		for (size_t i = 0; i < sizeof fields / sizeof fields[0] && !field; i++)
			if (strstr(reason, fields[i]) != NULL)
				field = fields[i];
		api_error(a, 422, reason, field);
		return;
	}
	api_start(a, outcome == KTO_CONTACT_ADDED ? 201 : 200, &j);
	kto_json_object_begin(&j);
	kto_json_kv_string(&j, "outcome", outcome_name[outcome]);
	kto_json_object_end(&j);
	kto_json_finish(&j);
}

static void
contacts_import(struct api *a)
{
	struct kto_import_report *rep = calloc(1, sizeof *rep);
	struct kto_import_options opt;
	struct kto_json j;
	FILE *in;
	enum kto_rc rc;

	if (rep == NULL) {
		api_error(a, 503, "out of memory; try again later", NULL);
		return;
	}
	if (a->r->body_len == 0 || (in = fmemopen((void *)(uintptr_t)a->r->body,
	    a->r->body_len, "rb")) == NULL) {
		free(rep);
		api_error(a, 400, "send the contacts CSV as the body (Content-Type: text/csv)",
		    NULL);
		return;
	}
	memset(&opt, 0, sizeof opt);
	rc = kto_contacts_import(a->r->db, a->actor, a->municipality, in, "api.csv",
	    &opt, rep);
	fclose(in);
	if (rc != KTO_OK) {
		api_engine_error(a, rc, NULL);
		free(rep);
		return;
	}
	api_start(a, 200, &j);
	kto_json_object_begin(&j);
	kto_json_kv_int(&j, "rows", rep->rows);
	kto_json_kv_int(&j, "added", rep->total.added);
	kto_json_kv_int(&j, "updated", rep->total.updated);
	kto_json_kv_int(&j, "unchanged", rep->total.unchanged);
	kto_json_kv_int(&j, "rejected", rep->total.rejected);
	kto_json_key(&j, "rejects");
	kto_json_array_begin(&j);
	for (size_t i = 0; i < rep->n_rejects; i++) {
		kto_json_object_begin(&j);
		kto_json_kv_int(&j, "row", rep->rejects[i].row);
		kto_json_kv_string(&j, "reason", rep->rejects[i].reason);
		kto_json_object_end(&j);
	}
	kto_json_array_end(&j);
	kto_json_key(&j, "stopped");
	kto_json_bool(&j, rep->stopped);
	if (rep->stopped)
		kto_json_kv_string(&j, "stop_reason", rep->stop_reason);
	kto_json_object_end(&j);
	kto_json_finish(&j);
	free(rep);
}

/* ------------------------------------------------------------------ */
/* Waves                                                               */

static bool
wave_channels(struct api *a, json_t *o, struct kto_wave_spec *spec)
{
	json_t *list = json_object_get(o, "channels"), *v;
	size_t i;

	if (list == NULL)
		return true;                    /* every channel */
	if (!json_is_array(list) || json_array_size(list) == 0) {
		api_error(a, 422, "'channels' must be a list such as [\"counter\", "
		    "\"phone\"]", "channels");
		return false;
	}
	json_array_foreach(list, i, v) {
		enum kto_channel ch;

		if (!json_is_string(v) || !kto_channel_parse(json_string_value(v), &ch)) {
			api_error(a, 422, "a channel is counter, phone or email", "channels");
			return false;
		}
		spec->channel[ch] = true;
	}
	return true;
}

static bool
wave_numbers(struct api *a, json_t *o, struct kto_wave_spec *spec)
{
	json_t *target = json_object_get(o, "target"), *rate = json_object_get(o,
	    "response_rate"), *seed = json_object_get(o, "seed");

	if (target != NULL && (!json_is_integer(target) || json_integer_value(target) < 1)) {
		api_error(a, 422, "'target' must be a whole number of 1 or more", "target");
		return false;
	}
	if (rate != NULL && (!json_is_number(rate) || json_number_value(rate) <= 0 ||
	    json_number_value(rate) > 1)) {
		api_error(a, 422, "'response_rate' must be a number above 0 and at most 1",
		    "response_rate");
		return false;
	}
	if (seed != NULL && (!json_is_integer(seed) || json_integer_value(seed) < 0)) {
		api_error(a, 422, "'seed' must be a whole number of 0 or more", "seed");
		return false;
	}
	for (int c = 0; c < KTO_CHANNEL_COUNT; c++) {
		spec->target[c] = target ? (int64_t)json_integer_value(target) : 0;
		spec->response_rate[c] = rate ? json_number_value(rate) : 0;
	}
	if (seed != NULL) {
		spec->has_seed = true;
		spec->seed = (uint64_t)json_integer_value(seed);
	}
	return true;
}

static void
wave_create(struct api *a)
{
	static const char *const known[] = { "from", "to", "channels", "target",
	    "response_rate", "seed", NULL };
	json_t *o = api_body(a);
	struct kto_wave_spec spec;
	const char *bad = NULL, *unknown;
	char msg[200];
	struct kto_json j;
	int64_t id;
	enum kto_rc rc;

	if (o == NULL)
		return;
	kto_wave_spec_init(&spec);
	spec.municipality = a->municipality;
	if ((unknown = unknown_member(o, known)) != NULL) {
		snprintf(msg, sizeof msg, "unknown field '%.64s'", unknown);
		api_error(a, 422, msg, unknown);
		json_decref(o);
		return;
	}
	spec.from = member_string(o, "from", &bad);
	spec.to = member_string(o, "to", &bad);
	if (bad != NULL || spec.from == NULL || spec.to == NULL) {
		api_error(a, 422, "'from' and 'to' are dates such as \"2026-11-01\"",
		    bad ? bad : spec.from == NULL ? "from" : "to");
		json_decref(o);
		return;
	}
	if (!wave_channels(a, o, &spec) || !wave_numbers(a, o, &spec)) {
		json_decref(o);
		return;
	}
	rc = kto_wave_create(a->r->db, a->actor, &spec, &id);
	json_decref(o);
	if (rc != KTO_OK) {
		api_engine_error(a, rc, NULL);
		return;
	}
	api_start(a, 201, &j);
	kto_json_object_begin(&j);
	kto_json_kv_int(&j, "id", id);
	kto_json_object_end(&j);
	kto_json_finish(&j);
}

static void
wave_show(struct api *a, int64_t id)
{
	struct kto_wave_info w;
	struct kto_json j;
	enum kto_rc rc = kto_wave_get(a->r->db, id, &w);

	if (rc != KTO_OK) {
		api_engine_error(a, rc, NULL);
		return;
	}
	api_start(a, 200, &j);
	kto_wave_json(&j, &w);
	kto_json_finish(&j);
}

static void
wave_list(struct api *a)
{
	struct kto_wave_summary *w = NULL;
	size_t n = 0;
	struct kto_json j;
	enum kto_rc rc = kto_wave_list(a->r->db, a->municipality, &w, &n);

	if (rc != KTO_OK) {
		api_engine_error(a, rc, NULL);
		return;
	}
	api_start(a, 200, &j);
	kto_json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		kto_json_object_begin(&j);
		kto_json_kv_int(&j, "id", w[i].id);
		kto_json_kv_string(&j, "state", w[i].state);
		kto_json_kv_string(&j, "from", w[i].from);
		kto_json_kv_string(&j, "to", w[i].to);
		kto_json_kv_int(&j, "sampled", w[i].sampled);
		kto_json_kv_int(&j, "responded", w[i].responded);
		kto_json_object_end(&j);
	}
	kto_json_array_end(&j);
	kto_json_finish(&j);
	free(w);
}

/* ------------------------------------------------------------------ */
/* Results                                                             */

struct results_json {
	struct kto_json *j;
};

static enum kto_rc
result_json(void *ctx, const struct kto_result_row *r)
{
	struct kto_json *j = ctx;
	static const char *const against[3] = { "circle", "all", "previous" };

	kto_json_object_begin(j);
	kto_json_kv_string(j, "scope", r->scope);
	kto_json_kv_string(j, "unit", r->unit);
	kto_json_kv_string(j, "channel", r->channel);
	kto_json_kv_string(j, "variable", r->variable);
	kto_json_kv_int(j, "n", r->n);
	kto_json_kv_double(j, "estimate", r->estimate);
	kto_json_kv_double(j, "ci_low", r->ci_low);
	kto_json_kv_double(j, "ci_high", r->ci_high);
	kto_json_kv_string(j, "flag", r->flag);
	kto_json_key(j, "significant");
	kto_json_object_begin(j);
	for (int k = 0; k < 3; k++)
		if (r->vs[k].made)
			kto_json_kv_int(j, against[k], r->vs[k].significant);
	kto_json_object_end(j);
	kto_json_object_end(j);
	return KTO_OK;
}

static void
results(struct api *a)
{
	const char *y = a->r->arg ? a->r->arg(a->r, "year") : NULL;
	struct kto_results_scope scope = { 0, 0, 0, 0 };
	struct kto_json j;
	int64_t v, set;
	enum kto_rc rc;

	if (y == NULL || kto_parse_i64(y, 1000, 9999, &v) != KTO_OK) {
		api_error(a, 400, "say which year: ?year=2026", "year");
		return;
	}
	scope.year = (int)v;
	if ((rc = kto_results_latest(a->r->db, &scope, &set)) != KTO_OK) {
		api_engine_error(a, rc, "year");
		return;
	}
	api_start(a, 200, &j);
	kto_json_object_begin(&j);
	kto_json_kv_int(&j, "year", scope.year);
	kto_json_kv_int(&j, "result_set", set);
	kto_json_key(&j, "results");
	kto_json_array_begin(&j);
	rc = kto_results_rows(a->r->db, set, a->municipality, NULL, result_json, &j);
	kto_json_array_end(&j);
	kto_json_object_end(&j);
	if (rc != KTO_OK)
		api_engine_error(a, rc, NULL);
	else
		kto_json_finish(&j);
}

/* ------------------------------------------------------------------ */

/*
** The handlers web/route.c's table names.  By the time one runs, the key
** has been checked, the municipality is the key's, and a {wave} is one of
** its waves.
*/
static void
api_of(struct web_call *c, struct api *a)
{
	memset(a, 0, sizeof *a);
	a->r = c->r;
	a->p = c->p;
	a->municipality_id = c->m.id;
	snprintf(a->municipality, sizeof a->municipality, "%s", c->m.code);
	snprintf(a->actor, sizeof a->actor, "api:%s", c->m.code);
}

void
api_refuse(struct web_call *c, unsigned status)
{
	struct api a;

	api_of(c, &a);
	if (status == 401) {
		snprintf(c->p->alert, sizeof c->p->alert, "API request without a "
		    "valid key from %s", c->r->client_ip);
		api_error(&a, 401, "send a valid API key: Authorization: Bearer KEY "
		    "(kto apikey add)", NULL);
	} else if (status == 405) {
		api_error(&a, 405, "this endpoint does not take that method; see "
		    "docs/api.md", NULL);
	} else if (status == 413) {
		api_error(&a, 413, "the body is too large", NULL);
	} else if (c->route != NULL && strstr(c->route->pattern, "{wave}") != NULL) {
		api_error(&a, 404, "there is no such wave", NULL);
	} else {
		api_error(&a, 404, "no such endpoint; see docs/api.md", NULL);
	}
}

#define API_HANDLER(name, call) \
	void name(struct web_call *c) \
	{ \
		struct api a; \
		api_of(c, &a); \
		call; \
	}

API_HANDLER(api_h_contact_push, contact_push(&a))
API_HANDLER(api_h_contacts_import, contacts_import(&a))
API_HANDLER(api_h_wave_list, wave_list(&a))
API_HANDLER(api_h_wave_create, wave_create(&a))
API_HANDLER(api_h_wave_show, wave_show(&a, c->wave))
API_HANDLER(api_h_results, results(&a))

void
api_h_wave_sample(struct web_call *c)
{
	struct api a;
	enum kto_rc rc;

	api_of(c, &a);
	if ((rc = kto_wave_sample(c->r->db, a.actor, c->wave, NULL)) != KTO_OK)
		api_engine_error(&a, rc, NULL);
	else
		wave_show(&a, c->wave);
}

void
web_api(const struct kto_web_request *r, struct kto_web_page *p, const char *rest)
{
	(void)rest;
	web_dispatch(r, p);
}
