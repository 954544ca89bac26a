#include "web/html.h"

#include <string.h>

static enum kto_rc
html_escape(struct kto_buf *out, const char *s, const char *specials)
{
	const char *run = s;
	enum kto_rc rc = KTO_OK;

	for (; *s != '\0' && rc == KTO_OK; s++) {
		const char *ent;

		if (strchr(specials, *s) == NULL)
			continue;
		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		default: ent = "&#39;"; break;
		}
		rc = kto_buf_add(out, run, (size_t)(s - run));
		if (rc == KTO_OK)
			rc = kto_buf_adds(out, ent);
		run = s + 1;
	}
	if (rc == KTO_OK)
		rc = kto_buf_add(out, run, (size_t)(s - run));
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
