/*
** The frame every page shares, for the modules that build pages
** (pages.c, questionnaire.c).
*/
#ifndef KTO_WEB_PAGES_INT_H
#define KTO_WEB_PAGES_INT_H

#include <stdbool.h>

#include "web/pages.h"

/* <!DOCTYPE html> up to <main>, with the title and the page's language. */
void web_page_begin(struct kto_web_page *p, const char *title, const char *lang);
/* The same with more style rules after the shared ones (the portal's). */
void web_page_begin_css(struct kto_web_page *p, const char *title, const char *lang,
                        const char *extra_css);
void web_page_end(struct kto_web_page *p);

/* True when the request asks for English (?lang=en). */
bool web_english_first(const struct kto_web_request *r);

/* A page with the same message in Dutch and English, in the asked order. */
void web_simple_page(struct kto_web_page *p, const struct kto_web_request *r,
                     unsigned status, const char *title, const char *nl_head,
                     const char *const *nl, const char *en_head,
                     const char *const *en);

void web_not_found(const struct kto_web_request *r, struct kto_web_page *p);
/* 503 "probeer het later opnieuw", with Retry-After. */
void web_unavailable(const struct kto_web_request *r, struct kto_web_page *p);

/* The Retry-After of a 503: a busy or full database is not fixed at once. */
#define WEB_RETRY_AFTER_SECONDS 30

/* The municipalities' portal: /portal/... (web/portal.c). */
void web_portal(const struct kto_web_request *r, struct kto_web_page *p,
                const char *rest);

/* The JSON API: /api/v1/... (web/api.c). */
void web_api(const struct kto_web_request *r, struct kto_web_page *p,
             const char *rest);

/* The value of form field name, or NULL. */
const char *web_field(const struct kto_web_request *r, const char *name);

/* The questionnaire: /s/TOKEN (web/questionnaire.c). */
void web_questionnaire(const struct kto_web_request *r, struct kto_web_page *p,
                       const char *token);

/* The counter's open link: /c/CODE[/DESK] (web/questionnaire.c). */
void web_open_link(const struct kto_web_request *r, struct kto_web_page *p,
                   const char *rest);

#endif
