/*
** HTML output with escaping by default.
**
** Every piece of text that reaches a page goes through kto_html_text() or
** kto_html_attr(); markup is only ever written from string literals in the
** templates.  That single rule is what keeps stored answers like
** "<script>" harmless wherever they are shown (HARDENING.md F1).
*/
#ifndef KTO_WEB_HTML_H
#define KTO_WEB_HTML_H

#include "base/buf.h"

/* Appends s escaped for element content: & < > become entities. */
enum kto_rc kto_html_text(struct kto_buf *out, const char *s);

/*
** Appends s escaped for a double-quoted attribute value: & < > " ' become
** entities.  Never use it for URL or event-handler attributes with
** untrusted values: escaping does not make "javascript:" safe.
*/
enum kto_rc kto_html_attr(struct kto_buf *out, const char *s);

#endif
