/*
** The rules for codes and display names that people type: circle and
** municipality codes, names.  Shared so every entry point (CLI, portal,
** API) refuses the same things with the same words.
*/
#ifndef KTO_ENGINE_NAMING_H
#define KTO_ENGINE_NAMING_H

#include "base/status.h"

#define KTO_CODE_MAX 32     /* bytes of a code such as GM0375 or kring-c */
#define KTO_NAME_MAX 200    /* bytes of a display name */

/*
** A code: 1 to KTO_CODE_MAX ASCII letters, digits, '-' or '_', starting
** with a letter or digit.  `what` names the thing in the message
** ("circle code").
*/
enum kto_rc kto_check_code(const char *code, const char *what, struct kto_err *err);

/* A display name: well-formed UTF-8, no control characters, not blank. */
enum kto_rc kto_check_name(const char *name, const char *what, struct kto_err *err);

#endif
