/*
** web/questionnaire: /s/TOKEN, the citizen's questionnaire.
**
** Without JavaScript: every page is a plain form; "next" and "back" post it,
** the answers are checked and saved on the server, and the browser is sent
** on (303) to the page to show, so that a reload never posts twice.
** show-if conditions use answers of earlier pages only, so the server can
** decide which pages and questions to show.  The last "send" completes the
** response once, however often it is pressed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"
#include "engine/commit_group.h"
#include "engine/db.h"
#include "web/questionnaire_int.h"
#include "web/ratelimit.h"

/* ---------------------------------------------------------------------- */
/* What is shown                                                           */

static const struct kto_answer *
lookup(void *ctx, const struct kto_question *q)
{
	const struct qform *f = ctx;

	return f->ans[q->index].state == KTO_ANSWER_NONE ? NULL : &f->ans[q->index];
}

bool
q_page_shown(struct qform *f, size_t i)
{
	return kto_cond_eval(f->s->pages[i].show_if, lookup, f);
}

bool
q_question_shown(struct qform *f, const struct kto_question *q)
{
	return q_page_shown(f, q->page) && kto_cond_eval(q->show_if, lookup, f);
}

/* The first shown page from i on; n_pages when none. */
size_t
q_next_shown(struct qform *f, size_t i)
{
	while (i < f->s->n_pages && !q_page_shown(f, i))
		i++;
	return i;
}

/* The last shown page before i; SIZE_MAX when none. */
size_t
q_prev_shown(struct qform *f, size_t i)
{
	while (i-- > 0)
		if (q_page_shown(f, i))
			return i;
	return SIZE_MAX;
}

/* The 303 to the questionnaire's own address: a reload then only GETs. */
static void
see_other(struct qform *f)
{
	f->p->status = 303;
	snprintf(f->p->location, sizeof f->p->location, "%s%s", f->self,
	    f->en ? "?lang=en" : "");
	kto_buf_adds(&f->p->body, "");
}

/* ---------------------------------------------------------------------- */
/* The requests                                                            */

/* The page after a save: on to the next page, or why not. */
static void
after_save(struct qform *f, enum kto_rc rc)
{
	if (rc == KTO_ESTATE) {
		q_closed(f);
	} else if (rc == KTO_EBUSY || rc == KTO_EFULL) {
		/*
		** Nothing was saved.  The same page again, with what was typed
		** in it, so that pressing the button again later is all it
		** takes (HARDENING.md B1); a 503, so that nothing counts it
		** as answered.
		*/
		f->not_saved = true;
		q_render(f);
	} else if (rc != KTO_OK) {
		web_unavailable(f->r, f->p);
	} else {
		see_other(f);
	}
}

static void
pending_finish(struct kto_web_pending *w, enum kto_rc rc,
               const struct kto_web_request *r, struct kto_web_page *p)
{
	struct qform *f = w->ctx;

	f->r = r;                    /* the request as the server has it now */
	f->p = p;
	after_save(f, rc);
}

static void
pending_release(struct kto_web_pending *w)
{
	struct qform *f = w->ctx;

	kto_respondent_survey_release(f->s);
}

/*
** Leaves the save to the server, which has the commit group run it while
** the connection waits without a thread; false when it cannot (then the
** caller saves and waits itself).  f moves into the request's arena.
*/
static bool
save_later(struct qform *f, size_t next, bool complete)
{
	struct kto_arena *a = f->r->arena;
	struct kto_web_pending *w = kto_arena_alloc(a, sizeof *w);
	struct qform *kept = kto_arena_alloc(a, sizeof *kept);

	if (f->r->pending == NULL || f->r->writer == NULL || w == NULL || kept == NULL)
		return false;
	*kept = *f;
	if (kto_response_save_job(a, &kept->who, kept->s, kept->page, kept->ans,
	    (int)next, complete, &w->write, &w->arg) != KTO_OK)
		return false;
	w->finish = pending_finish;
	w->release = pending_release;
	w->ctx = kept;
	*f->r->pending = w;
	f->waiting = true;            /* the survey is released with w */
	return true;
}

static void
save(struct qform *f, size_t next, bool complete)
{
	struct kto_err err = KTO_ERR_INIT;
	enum kto_rc rc;

	/* Answers the citizen can no longer see are not kept. */
	if (complete)
		for (size_t i = 0; i < f->s->n_questions; i++)
			if (!q_question_shown(f, &f->s->questions[i]))
				memset(&f->ans[i], 0, sizeof f->ans[i]);
	if (save_later(f, next, complete))
		return;
	if (f->r->writer != NULL) {
		kto_write_fn fn;
		void *arg;

		rc = kto_response_save_job(f->r->arena, &f->who, f->s, f->page, f->ans,
		    (int)next, complete, &fn, &arg);
		if (rc == KTO_OK)
			rc = kto_commit_group_run(f->r->writer, fn, arg, &err);
	} else {
		kto_db_read_end(f->r->db);   /* writing here: its own transaction */
		rc = kto_response_save(f->r->db, &f->who, f->s, f->page, f->ans,
		    (int)next, complete, NULL);
	}
	after_save(f, rc);
}

static void
post(struct qform *f)
{
	struct forged why = { "" };
	const char *action = q_posted_action(f->r);
	bool back = strcmp(action, "back") == 0;
	size_t next;

	if (f->r->not_a_form) {
		web_simple_page(f->p, f->r, 415, "Geen formulier / Not a form",
		    "Geen formulier", (const char *const[]){ "Dit adres neemt alleen "
		    "de antwoorden van het formulier aan.", NULL }, "Not a form",
		    (const char *const[]){ "This address only takes the answers of "
		    "its form.", NULL });
		return;
	}
	if (f->r->form_unreadable) {
		snprintf(why.what, sizeof why.what, "%s", "the form has too many "
		    "fields or is not a form");
		q_bad_form(f, &why);
		return;
	}
	if (!back && strcmp(action, "next") != 0) {
		char shown[41];

		/* Quoted between characters: the message goes onto a UTF-8 page. */
		snprintf(why.what, sizeof why.what, "there is no button '%s'",
		    kto_utf8_quote(action, shown, sizeof shown));
		q_bad_form(f, &why);
		return;
	}
	if (!q_posted_page(f, &why) || !q_read_page(f, &why)) {
		q_bad_form(f, &why);
		return;
	}
	if (back) {
		/* Going back keeps what is right and forgets what is not. */
		for (size_t i = 0; i < f->s->n_questions; i++)
			if (f->error[i] != NULL)
				memset(&f->ans[i], 0, sizeof f->ans[i]);
		next = q_prev_shown(f, f->page);
		save(f, next == SIZE_MAX ? f->page : next, false);
	} else if (f->n_errors > 0) {
		q_render(f);
	} else {
		next = q_next_shown(f, f->page + 1);
		save(f, next == f->s->n_pages ? f->page : next, next == f->s->n_pages);
	}
}

static void
show(struct qform *f)
{
	size_t page = f->who.page >= 0 ? (size_t)f->who.page : 0;

	if (page >= f->s->n_pages)
		page = 0;
	f->page = q_next_shown(f, page);
	if (f->page == f->s->n_pages)
		f->page = q_next_shown(f, 0);
	if (f->page == f->s->n_pages) {
		web_unavailable(f->r, f->p);      /* a definition with no page shown */
		return;
	}
	/* Typed answers are shown as they were saved. */
	for (size_t i = 0; i < f->s->n_questions; i++)
		if (f->ans[i].state == KTO_ANSWER_VALUE && f->s->questions[i].type ==
		    KTO_Q_NUMBER) {
			char *v = kto_arena_alloc(f->r->arena, 32);

			if (v != NULL)
				snprintf(v, 32, "%g", f->ans[i].num);
			f->raw[i] = v;
		} else if (f->ans[i].state == KTO_ANSWER_VALUE) {
			f->raw[i] = f->ans[i].text;
		}
	q_render(f);
}

static bool
qform_load(struct qform *f)
{
	size_t n = f->s->n_questions ? f->s->n_questions : 1;

	f->ans = kto_arena_alloc(f->r->arena, n * sizeof *f->ans);
	f->raw = kto_arena_alloc(f->r->arena, n * sizeof *f->raw);
	f->error = kto_arena_alloc(f->r->arena, n * sizeof *f->error);
	return f->ans != NULL && f->raw != NULL && f->error != NULL &&
	    kto_response_answers(f->r->db, &f->who, f->s, f->r->arena, f->ans) == KTO_OK;
}

/* The questionnaire of f->who, once found: the page asked for. */
static void
serve(struct qform *f)
{
	const struct kto_web_request *r = f->r;

	if (r->lang != NULL && (strcmp(r->lang, "nl") == 0 || strcmp(r->lang, "en") == 0))
		snprintf(f->who.language, sizeof f->who.language, "%s", r->lang);
	f->en = strcmp(f->who.language, "en") == 0;
	if (kto_municipality_find(r->db, f->who.inv.municipality, &f->town) != KTO_OK ||
	    kto_respondent_survey(r->db, &f->who, &f->s) != KTO_OK) {
		web_unavailable(r, f->p);
		return;
	}
	if (f->who.complete && strcmp(r->method, "POST") == 0)
		see_other(f);         /* the last button again: to the thanks */
	else if (f->who.complete)
		q_thanks(f);
	else if (strcmp(f->who.inv.wave_state, "closed") == 0)
		q_closed(f);
	else if (strcmp(f->who.inv.state, "opted_out") == 0)
		q_opted_out(f);
	else if (!qform_load(f))
		web_unavailable(r, f->p);
	else if (strcmp(r->method, "POST") == 0)
		post(f);
	else
		show(f);
	if (!f->waiting)
		kto_respondent_survey_release(f->s);
}

/*
** Unknown links one address may try per window (HARDENING T1).  Tokens
** have 128 random bits, so guessing cannot succeed; the limit keeps it
** from costing anything, and the log says who tries.
*/
static struct web_rate guesses = WEB_RATE_INIT(100, 600);

static void
too_many_guesses(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Vanaf dit adres zijn veel links "
	    "geprobeerd die niet bestaan. Probeer het over tien minuten opnieuw "
	    "met de link uit uw e-mail.", NULL };
	static const char *const en[] = { "Many links that do not exist were "
	    "tried from this address. Please try again in ten minutes with the "
	    "link from your e-mail.", NULL };

	web_simple_page(p, r, 429, "Even geduld / Please wait", "Even geduld", nl,
	    "Please wait", en);
}

/* A link that is not an invitation's: counted against the address. */
static void
unknown_link(const struct kto_web_request *r, struct kto_web_page *p)
{
	int64_t now = (int64_t)time(NULL);

	q_link_not_valid(r, p);
	/* The guess that uses up the budget is the one to log, once. */
	if (web_rate_allow(&guesses, r->client_ip, now) &&
	    web_rate_exhausted(&guesses, r->client_ip, now))
		snprintf(p->alert, sizeof p->alert, "%s tried %d questionnaire links "
		    "that do not exist within %d minutes; it is refused for the rest "
		    "of them", r->client_ip[0] ? r->client_ip : "an address",
		    guesses.limit, guesses.window_seconds / 60);
}

void
web_questionnaire(const struct kto_web_request *r, struct kto_web_page *p,
                  const char *token)
{
	struct qform f = { .r = r, .p = p };
	enum kto_rc rc;

	if (web_rate_exhausted(&guesses, r->client_ip, (int64_t)time(NULL))) {
		too_many_guesses(r, p);
		return;
	}

	/*
	** A request reads in one transaction: one lock of the database file
	** instead of one per query, and one consistent view.  Writes go to
	** the commit group's connection, so it can stay open to the end.
	*/
	kto_db_read_begin(r->db);
	rc = kto_respondent_find(r->db, token, &f.who);
	if (rc == KTO_ENOTFOUND) {
		unknown_link(r, p);
	} else if (rc != KTO_OK) {
		web_unavailable(r, p);
	} else {
		snprintf(f.self, sizeof f.self, "/s/%s", token);
		serve(&f);
	}
	kto_db_read_end(r->db);
}

/* ---------------------------------------------------------------------- */
/* /c/CODE[/DESK]: the counter's open link                                 */

/* New questionnaires one address may start at the open link. */
static struct web_rate open_link_starts = WEB_RATE_INIT(30, 600);

static bool
word_ok(const char *s, size_t n, size_t max, const char *extra)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr(extra, s[i]) != NULL))
			return false;
	return true;
}

static void
no_counter_survey(const struct kto_web_request *r, struct kto_web_page *p,
                  const char *name)
{
	char nl1[512], en1[512];
	const char *nl[] = { nl1, NULL };
	const char *en[] = { en1, NULL };

	snprintf(nl1, sizeof nl1, "Gemeente %s houdt op dit moment geen onderzoek "
	    "onder bezoekers van de balie. Bedankt voor uw belangstelling.", name);
	snprintf(en1, sizeof en1, "The municipality of %s is not running a survey "
	    "of counter visitors at the moment. Thank you for your interest.", name);
	web_simple_page(p, r, 404, "Geen onderzoek / No survey", "Er loopt nu geen "
	    "onderzoek", nl, "No survey at the moment", en);
}

static void
too_many(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Vanaf dit netwerk zijn kort na elkaar "
	    "veel vragenlijsten begonnen. Probeer het over tien minuten opnieuw.",
	    NULL };
	static const char *const en[] = { "Many questionnaires were started from "
	    "this network in a short time. Please try again in ten minutes.", NULL };

	web_simple_page(p, r, 429, "Even geduld / Please wait", "Even geduld", nl,
	    "Please wait", en);
}

static void
cookies_needed(const struct kto_web_request *r, struct kto_web_page *p)
{
	static const char *const nl[] = { "Uw browser bewaart geen cookies. Deze "
	    "vragenlijst heeft er één nodig om uw antwoorden bij elkaar te houden; "
	    "hij wordt na een dag gewist en dient nergens anders voor.", NULL };
	static const char *const en[] = { "Your browser does not keep cookies. "
	    "This questionnaire needs one to keep your answers together; it is "
	    "deleted after a day and serves no other purpose.", NULL };

	web_simple_page(p, r, 400, "Cookie nodig / Cookie needed", "Een cookie is "
	    "nodig", nl, "A cookie is needed", en);
}

void
web_open_link(const struct kto_web_request *r, struct kto_web_page *p,
              const char *rest)
{
	struct qform f = { .r = r, .p = p };
	const char *slash = strchr(rest, '/');
	size_t code_len = slash ? (size_t)(slash - rest) : strlen(rest);
	char code[17], desk[33] = "", session[KTO_TOKEN_CHARS + 1];
	enum kto_rc rc;

	if (!word_ok(rest, code_len, 16, "") ||
	    (slash != NULL && !word_ok(slash + 1, strlen(slash + 1), 32, "-_"))) {
		web_not_found(r, p);
		return;
	}
	snprintf(code, sizeof code, "%.*s", (int)code_len, rest);
	if (slash != NULL)
		snprintf(desk, sizeof desk, "%s", slash + 1);
	/* One browser session, one response: its cookie keys the response. */
	if (r->session != NULL && kto_token_wellformed(r->session)) {
		snprintf(session, sizeof session, "%s", r->session);
	} else if (strcmp(r->method, "POST") == 0) {
		cookies_needed(r, p);
		return;
	} else if (!web_rate_allow(&open_link_starts, r->client_ip,
	    (int64_t)time(NULL))) {
		too_many(r, p);
		return;
	} else if (kto_token_new(session) != KTO_OK) {
		web_unavailable(r, p);
		return;
	} else {
		snprintf(p->set_cookie, sizeof p->set_cookie, "kto_session=%s; "
		    "Path=/c/; Max-Age=86400; HttpOnly; SameSite=Lax", session);
	}
	kto_db_read_begin(r->db);
	rc = kto_respondent_open_link(r->db, code, desk, session, &f.who);
	if (rc == KTO_ENOTFOUND)
		web_not_found(r, p);
	else if (rc == KTO_ESTATE)
		no_counter_survey(r, p, f.who.inv.municipality_name);
	else if (rc != KTO_OK)
		web_unavailable(r, p);
	else {
		snprintf(f.self, sizeof f.self, "/c/%s", rest);
		serve(&f);
	}
	kto_db_read_end(r->db);
}

