/*
** Inside the portal (web/portal*.c): one request's state and the helpers
** every page uses.
*/
#ifndef KTO_WEB_PORTAL_INT_H
#define KTO_WEB_PORTAL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/lang.h"
#include "engine/account.h"
#include "web/pages_int.h"

struct portal {
	const struct kto_web_request *r;
	struct kto_web_page *p;
	struct kto_session s;
	bool signed_in;
	enum kto_lang lang;          /* Dutch unless asked (?lang=en, or the cookie) */
};

/* The page's text of the two: the Dutch one, or the English one. */
static inline const char *
nl_en(const struct portal *pt, const char *nl, const char *en)
{
	return kto_lang_pick(pt->lang, nl, en);
}

/* The same for a format string: a macro, so that the compiler still sees
 * two literals and checks them against the arguments. */
#define NL_EN_FMT(pt, nl, en) ((pt)->lang == KTO_LANG_EN ? (en) : (nl))

/* What a page needs of the account, for portal_allowed(). */
enum portal_need {
	PORTAL_VIEW,      /* read a municipality's waves and results */
	PORTAL_MANAGE,    /* run its waves: upload, create, sample, close */
	PORTAL_TEAM       /* the benchmark team only */
};

/*
** Whether a page shows a manager's forms.  Who may use a route at all is
** decided by web/route.c before any page runs; this only shapes a page.
*/
bool portal_allowed(const struct portal *pt, const char *code, enum portal_need need);
bool portal_post_ok(const struct portal *pt);

void portal_begin(struct portal *pt, const char *title);
void portal_end(struct portal *pt);
void portal_csrf_field(struct portal *pt);
/* value percent-encoded for a query string in a link. */
void portal_url_arg(struct kto_buf *b, const char *value);
void portal_message(struct portal *pt, unsigned status, const char *title,
                    const char *text);
void portal_redirect(struct portal *pt, const char *where);

/* The pages (portal_pages.c, portal_results.c). */
void portal_home(struct portal *pt);
void portal_municipality(struct portal *pt, const char *code);
void portal_upload(struct portal *pt, const char *code);
void portal_wave_create(struct portal *pt, const char *code);
enum portal_wave_verb { PORTAL_WAVE_SAMPLE, PORTAL_WAVE_CLOSE };
/* id is one of code's waves: web/route.c has checked it. */
void portal_wave_action(struct portal *pt, const char *code, int64_t id,
                        enum portal_wave_verb verb);
void portal_results(struct portal *pt, const char *code);
void portal_letter(struct portal *pt, const char *code);
void portal_answers(struct portal *pt, const char *code);
void portal_audit(struct portal *pt);

#endif
