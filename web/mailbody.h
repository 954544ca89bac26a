/*
** The invitation and reminder mails as citizens see them: the survey
** definition's mail texts with their placeholders filled in from the
** municipality's settings, in the contact's language, as a plain-text and
** an HTML part (escaped by default), assembled by engine/mime.
*/
#ifndef KTO_WEB_MAILBODY_H
#define KTO_WEB_MAILBODY_H

#include "base/buf.h"
#include "engine/outbox.h"

/* The installation's part of every mail. */
struct kto_mail_settings {
	const char *public_url;      /* base of the links, when the municipality
	                                sets none */
	const char *optout_mailto;   /* NULL: no mailto List-Unsubscribe */
};

/*
** Fills in the subject, the text part and the HTML part of job's mail.
** KTO_EINPUT (saying what to set) when a link cannot be made: no public URL.
*/
enum kto_rc kto_mail_render_parts(const struct kto_mail_settings *set,
                                  const struct kto_mail_job *job,
                                  struct kto_buf *subject, struct kto_buf *text,
                                  struct kto_buf *html, struct kto_err *err);

/*
** A kto_mail_renderer for kto_outbox_queue(); ctx is a struct
** kto_mail_settings.  KTO_EINPUT when the municipality has no sender
** address or no public URL can be found.
*/
enum kto_rc kto_mail_render(void *ctx, const struct kto_mail_job *job,
                            struct kto_buf *message, char *message_id,
                            size_t id_len, struct kto_err *err);

#endif
