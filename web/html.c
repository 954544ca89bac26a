#include "web/html.h"

#include <string.h>

static enum kto_rc
html_escape(struct kto_buf *out, const char *s, const char *specials)
{
	enum kto_rc rc = KTO_OK;

	while (rc == KTO_OK) {
		size_t run = strcspn(s, specials);   /* text that needs nothing */
		const char *ent;

		if ((rc = kto_buf_add(out, s, run)) != KTO_OK || s[run] == '\0')
			break;
		s += run;
		switch (*s++) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		default: ent = "&#39;"; break;
		}
		rc = kto_buf_adds(out, ent);
	}
	return rc;
}

enum kto_rc
kto_html_text(struct kto_buf *out, const char *s)
{
	return html_escape(out, s, "&<>");
}

enum kto_rc
kto_html_attr(struct kto_buf *out, const char *s)
{
	return html_escape(out, s, "&<>\"'");
}
