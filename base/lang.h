/*
** The languages kto speaks to people: Dutch first, English second.  The
** zero value is Dutch, so that a structure cleared with memset or an
** initializer that does not name the language gets the default.
*/
#ifndef KTO_BASE_LANG_H
#define KTO_BASE_LANG_H

enum kto_lang {
	KTO_LANG_NL = 0,
	KTO_LANG_EN
};

/* The language's BCP 47 tag for lang="" attributes: "nl" or "en". */
static inline const char *
kto_lang_tag(enum kto_lang lang)
{
	return lang == KTO_LANG_EN ? "en" : "nl";
}

/* One of two texts: the Dutch one, or the English one for KTO_LANG_EN. */
static inline const char *
kto_lang_pick(enum kto_lang lang, const char *nl, const char *en)
{
	return lang == KTO_LANG_EN ? en : nl;
}

#endif
