/*
** Fuzz target for the masking of personal data (engine/mask): any bytes,
** as an open answer, must be masked without a crash, within PCRE2's
** limits, into valid UTF-8, and what mask.h promises must hold:
**  - on an error out is left as it was and nothing is reported found;
**  - nothing found means valid UTF-8 came out exactly as it went in;
**  - each kind reported has its placeholder in the output;
**  - the output is valid UTF-8, always.
** Masking twice is deliberately not checked to be a no-op, because by
** design it is not: "[BSN]" is itself a word that lets a number after it
** count as a BSN (even after a euro sign), and a placeholder puts a word
** start where the text was glued ("Kerkstraat 12+31612345678" keeps its
** phone number, "[adres]+31612345678" does not).  The second pass must
** still keep the promises above.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "engine/mask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An open answer is 5000 characters at most; give the fuzzer some more. */
#define MASK_FUZZ_MAX 32768

static const struct { unsigned kind; const char *tag; } tags[] = {
	{ KTO_MASK_BSN, "[BSN]" },
	{ KTO_MASK_EMAIL, "[e-mail]" },
	{ KTO_MASK_PHONE, "[telefoonnummer]" },
	{ KTO_MASK_IBAN, "[IBAN]" },
	{ KTO_MASK_ADDRESS, "[adres]" },
};

/* Masks text after a prefix in out; checks the promises; returns the kinds. */
static unsigned
mask_checked(const char *text, size_t len, int pass)
{
	static const char prefix[] = "prefix:";
	struct kto_buf out = KTO_BUF_INIT(8u << 20);
	unsigned found = 12345;
	enum kto_rc rc;
	const char *o;
	size_t olen;

	if (kto_buf_adds(&out, prefix) != KTO_OK)
		abort();
	rc = kto_mask_text(text, &out, &found);
	o = kto_buf_str(&out);
	if (strncmp(o, prefix, sizeof prefix - 1) != 0)
		abort();                        /* appends, never overwrites */
	o += sizeof prefix - 1;
	olen = out.len - (sizeof prefix - 1);
	if (rc != KTO_OK) {
		if (found != 0 || olen != 0 || (rc != KTO_ELIMIT && rc != KTO_ENOMEM))
			abort();
		kto_buf_release(&out);
		return 0;
	}
	if (kto_utf8_invalid_at(o, olen) != olen || strlen(o) != olen)
		abort();
	if (found == 0 && kto_utf8_invalid_at(text, len) == len &&
	    (olen != len || memcmp(o, text, len) != 0))
		abort();
	if (found & ~(unsigned)(KTO_MASK_BSN | KTO_MASK_EMAIL | KTO_MASK_PHONE |
	    KTO_MASK_IBAN | KTO_MASK_ADDRESS))
		abort();
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if ((found & tags[i].kind) && strstr(o, tags[i].tag) == NULL)
			abort();
	/* The masked text, masked again: still all of the above. */
	if (found != 0 && pass == 1) {
		char *again = strndup(o, olen);

		if (again == NULL)
			abort();
		(void)mask_checked(again, olen, 2);
		free(again);
	}
	kto_buf_release(&out);
	return found;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > MASK_FUZZ_MAX)
		return 0;
	/* A C string: text up to the first NUL, as the callers pass it. */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)mask_checked(text, strlen(text), 1);
	free(text);
	return 0;
}
