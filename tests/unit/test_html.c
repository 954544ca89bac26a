/*
** web/html: escaping for element content and attribute values.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "web/html.h"

/* Escapes s with fn into a fresh buffer and compares with want. */
static void
check(enum kto_rc (*fn)(struct kto_buf *, const char *), const char *s,
      const char *want)
{
	struct kto_buf b = KTO_BUF_INIT(1 << 16);

	assert_int_equal(fn(&b, s), KTO_OK);
	assert_string_equal(kto_buf_str(&b), want);
	assert_int_equal(b.len, strlen(want));
	kto_buf_release(&b);
}

static void
test_text_script(void **state)
{
	(void)state;
	check(kto_html_text, "<script>alert('x')</script>",
	    "&lt;script&gt;alert('x')&lt;/script&gt;");
	check(kto_html_text, "<img src=x onerror=\"alert(1)\">",
	    "&lt;img src=x onerror=\"alert(1)\"&gt;");
}

static void
test_text_ampersand_and_quotes(void **state)
{
	(void)state;
	check(kto_html_text, "Tom & \"Jerry\" 'n' co", "Tom &amp; \"Jerry\" 'n' co");
	/* Already-escaped text is escaped again: no double-decoding shortcuts. */
	check(kto_html_text, "&amp;&lt;", "&amp;amp;&amp;lt;");
	check(kto_html_text, "&&&", "&amp;&amp;&amp;");
	check(kto_html_text, "<", "&lt;");
	check(kto_html_text, ">", "&gt;");
}

static void
test_attr(void **state)
{
	(void)state;
	check(kto_html_attr, "<script>alert('x')</script>",
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	check(kto_html_attr, "\" onmouseover=\"alert(1)",
	    "&quot; onmouseover=&quot;alert(1)");
	check(kto_html_attr, "' onfocus='x", "&#39; onfocus=&#39;x");
	check(kto_html_attr, "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f");
}

static void
test_plain_and_utf8_untouched(void **state)
{
	(void)state;
	check(kto_html_text, "Sint-Oedenrode caf\xc3\xa9 \xe2\x82\xac 100%",
	    "Sint-Oedenrode caf\xc3\xa9 \xe2\x82\xac 100%");
	check(kto_html_attr, "Sint-Oedenrode caf\xc3\xa9 \xe2\x82\xac 100%",
	    "Sint-Oedenrode caf\xc3\xa9 \xe2\x82\xac 100%");
}

static void
test_empty(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(64);

	(void)state;
	check(kto_html_text, "", "");
	check(kto_html_attr, "", "");
	/* Appending nothing leaves existing contents alone. */
	assert_int_equal(kto_buf_adds(&b, "<p>"), KTO_OK);
	assert_int_equal(kto_html_text(&b, ""), KTO_OK);
	assert_int_equal(kto_html_attr(&b, ""), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "<p>");
	kto_buf_release(&b);
}

static void
test_appends(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(256);

	(void)state;
	assert_int_equal(kto_buf_adds(&b, "<p title=\""), KTO_OK);
	assert_int_equal(kto_html_attr(&b, "a\"b"), KTO_OK);
	assert_int_equal(kto_buf_adds(&b, "\">"), KTO_OK);
	assert_int_equal(kto_html_text(&b, "x<y"), KTO_OK);
	assert_int_equal(kto_buf_adds(&b, "</p>"), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "<p title=\"a&quot;b\">x&lt;y</p>");
	kto_buf_release(&b);
}

static void
test_limit(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(8);

	(void)state;
	/* "&lt;&lt;" is 8 bytes: fits exactly. */
	assert_int_equal(kto_html_text(&b, "<<"), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "&lt;&lt;");
	kto_buf_reset(&b);
	assert_int_equal(kto_html_text(&b, "<<<"), KTO_ELIMIT);
	assert_true(b.len <= 8);
	kto_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_script),
		cmocka_unit_test(test_text_ampersand_and_quotes),
		cmocka_unit_test(test_attr),
		cmocka_unit_test(test_plain_and_utf8_untouched),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
