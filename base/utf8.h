/*
** UTF-8 checks for text that comes from outside: files, CSV cells, forms.
*/
#ifndef KTO_BASE_UTF8_H
#define KTO_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
** Returns n when s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms,
** no surrogates, nothing above U+10FFFF), else the offset of the first byte
** of the first bad sequence.
*/
size_t kto_utf8_invalid_at(const char *s, size_t n);

/*
** The length of the UTF-8 sequence at s, whose first byte is 0x80 or more,
** when it is well formed and all within avail bytes; 0 when it is a good
** beginning but more bytes are needed (a stream reader then reads on); -1
** when it is not well formed.
*/
int kto_utf8_sequence(const unsigned char *s, size_t avail);

/*
** Copies s into out[0..n) as UTF-8 that is sure to be well formed, for
** quoting outside text in a message: a byte that does not start a
** well-formed sequence becomes '?', and a text too long is cut between
** characters.  Returns out.  n: at least 1.
*/
char *kto_utf8_quote(const char *s, char *out, size_t n);

/* Number of code points in well-formed s[0..n). */
size_t kto_utf8_length(const char *s, size_t n);

/*
** True when s contains a C0 control character other than tab, DEL, or a
** Unicode line break (U+0085, U+2028, U+2029).
** Names and one-line texts must not: a CR or LF in a name could split a
** mail header or a CSV row downstream.
*/
bool kto_text_has_control(const char *s);

#endif
