/*
** Masking of personal data in open answers (DESIGN.md section 7), before
** anyone sees them in the portal, in exports or in letters.
**
** What is masked, and what deliberately is not:
**
**   [BSN]    nine digits, written 123456782, 123.456.782, 123 456 782,
**            123-456-782 or 1234.56.782, that pass the elfproef
**            (9*d1 + 8*d2 + ... + 2*d8 - d9 = 0 mod 11, not all zeros).
**            Numbers that fail it stay: most nine-digit order numbers do.
**            An eight-digit number is a BSN with its leading zero dropped
**            only when a word says so ("BSN", "burgerservicenummer",
**            "sofinummer") a few characters before it; bare, eight digits
**            are far more often a KvK or customer number.  Never inside a
**            longer run of digits, nor after a euro sign.
**   [e-mail] local@domain.tld, also glued to punctuation, and the
**            "jan(at)example.nl" / "jan[at]example.nl" disguises.
**   [telefoonnummer]
**            Dutch numbers: ten digits from 0 (06-12345678, 020 123 4567,
**            (020) 1234567, 0111-123456), +31 / 0031 with or without (0),
**            and 0800 / 0900 / 0906 / 0909 numbers; foreign ones written
**            with + or 00 and a country code (+32 470 12 34 56).  Not
**            dates, times, amounts, postcodes, years, zaaknummers, nor
**            the municipal "14 0xx" numbers, which are public.
**   [IBAN]   ISO 13616 IBANs of the countries in SWIFT's registry, with
**            or without spaces, any case, when the length is the
**            country's and the mod-97 check holds; invalid ones stay.
**   [adres]  a postcode (1234 AB, 1234AB) with the house number after it
**            ("1234 AB 12a", "1234 ab, nr 12"), a street ending in
**            -straat, -laan, -weg, -plein, ... with its number ("Kerkstraat
**            12", "Kerkstraat 12, 1234 AB"), and a postcode on its own: six
**            positions point to a handful of houses.  A postcode in lower
**            case ("1234 ab") is masked unless its letters are a common
**            word ("in 2026 en 2027" stays).  Four digits alone stay.
**
** The patterns err on the side of masking: a masked order number is a
** nuisance, a visible BSN is a data leak.
*/
#ifndef KTO_ENGINE_MASK_H
#define KTO_ENGINE_MASK_H

#include "base/buf.h"
#include "base/status.h"

enum kto_mask_kind { KTO_MASK_BSN = 1, KTO_MASK_EMAIL = 2, KTO_MASK_PHONE = 4,
                     KTO_MASK_IBAN = 8, KTO_MASK_ADDRESS = 16 };

/*
** Appends text to out with personal data replaced by "[BSN]", "[e-mail]",
** "[telefoonnummer]", "[IBAN]", "[adres]"; *found (may be NULL) gets the kinds
** replaced, OR-ed.  text must be UTF-8.  Thread-safe (patterns compiled once).
** KTO_ENOMEM, KTO_ELIMIT from out; KTO_EINTERNAL if a pattern fails to compile.
**
** More precisely:
**  - text NULL is taken as "".
**  - Invalid UTF-8 is not an error: masking works on the valid text around
**    it, and each byte that does not begin a well-formed sequence is
**    copied as U+FFFD, so that out always holds valid UTF-8.
**  - KTO_ELIMIT also when a pattern hits PCRE2's match limits (a hostile
**    text, HARDENING.md F4): the text must then not be shown unmasked.
**  - On any error out is left exactly as it was and *found is 0.
*/
enum kto_rc kto_mask_text(const char *text, struct kto_buf *out, unsigned *found);

#endif
