/*
** base/json: the streaming JSON writer.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

static void
test_compact_object(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_object_begin(&j);
	kto_json_kv_int(&j, "a", 1);
	kto_json_key(&j, "b");
	kto_json_array_begin(&j);
	kto_json_bool(&j, true);
	kto_json_bool(&j, false);
	kto_json_null(&j);
	kto_json_array_end(&j);
	kto_json_key(&j, "c");
	kto_json_object_begin(&j);
	kto_json_object_end(&j);
	kto_json_key(&j, "d");
	kto_json_array_begin(&j);
	kto_json_array_end(&j);
	kto_json_kv_string(&j, "e", "x");
	kto_json_kv_string(&j, "f", NULL);
	kto_json_kv_double(&j, "g", 2.5);
	kto_json_object_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b),
	    "{\"a\":1,\"b\":[true,false,null],\"c\":{},\"d\":[],\"e\":\"x\","
	    "\"f\":null,\"g\":2.5}");
	kto_buf_release(&b);
}

static void
test_compact_nested_arrays(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_array_begin(&j);
	kto_json_array_begin(&j);
	kto_json_int(&j, 1);
	kto_json_int(&j, 2);
	kto_json_array_end(&j);
	kto_json_array_begin(&j);
	kto_json_int(&j, 3);
	kto_json_array_end(&j);
	kto_json_array_begin(&j);
	kto_json_array_end(&j);
	kto_json_object_begin(&j);
	kto_json_kv_int(&j, "k", -1);
	kto_json_object_end(&j);
	kto_json_string(&j, "s");
	kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "[[1,2],[3],[],{\"k\":-1},\"s\"]");
	kto_buf_release(&b);
}

static void
test_scalar_document(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(64);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_int(&j, 7);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "7");
	kto_buf_release(&b);
}

static void
test_pretty(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, true);
	kto_json_object_begin(&j);
	kto_json_kv_int(&j, "a", 1);
	kto_json_key(&j, "b");
	kto_json_array_begin(&j);
	kto_json_int(&j, 1);
	kto_json_object_begin(&j);
	kto_json_kv_string(&j, "x", "y");
	kto_json_object_end(&j);
	kto_json_array_end(&j);
	kto_json_key(&j, "c");
	kto_json_array_begin(&j);
	kto_json_array_end(&j);
	kto_json_key(&j, "d");
	kto_json_object_begin(&j);
	kto_json_object_end(&j);
	kto_json_object_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b),
	    "{\n"
	    "  \"a\": 1,\n"
	    "  \"b\": [\n"
	    "    1,\n"
	    "    {\n"
	    "      \"x\": \"y\"\n"
	    "    }\n"
	    "  ],\n"
	    "  \"c\": [],\n"
	    "  \"d\": {}\n"
	    "}\n");
	kto_buf_release(&b);
}

static void
test_pretty_empty_array(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(64);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, true);
	kto_json_array_begin(&j);
	kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "[]\n");
	kto_buf_release(&b);
}

static void
test_escaping(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_object_begin(&j);
	kto_json_kv_string(&j, "q\"k", "say \"hi\"");
	kto_json_kv_string(&j, "bs", "C:\\dir\\");
	kto_json_kv_string(&j, "ws", "a\nb\rc\td");
	kto_json_kv_string(&j, "ctl", "\x01\x08\x0c\x1b\x1f");
	kto_json_kv_string(&j, "keep", "/ \x7f caf\xc3\xa9 \xe2\x82\xac");
	kto_json_kv_string(&j, "", "");
	kto_json_object_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b),
	    "{\"q\\\"k\":\"say \\\"hi\\\"\","
	    "\"bs\":\"C:\\\\dir\\\\\","
	    "\"ws\":\"a\\nb\\rc\\td\","
	    "\"ctl\":\"\\u0001\\u0008\\u000c\\u001b\\u001f\","
	    "\"keep\":\"/ \x7f caf\xc3\xa9 \xe2\x82\xac\","
	    "\"\":\"\"}");
	kto_buf_release(&b);
}

static void
test_every_control_char_escaped(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;
	char s[2] = { 0, 0 };

	(void)state;
	for (int c = 1; c < 0x20; c++) {
		s[0] = (char)c;
		kto_buf_reset(&b);
		kto_json_init(&j, &b, false);
		kto_json_string(&j, s);
		assert_int_equal(kto_json_finish(&j), KTO_OK);
		/* No raw control byte may reach the output. */
		for (size_t i = 0; i < b.len; i++)
			assert_true((unsigned char)b.ptr[i] >= 0x20);
		assert_int_equal(b.ptr[0], '"');
		assert_int_equal(b.ptr[1], '\\');
	}
	kto_buf_release(&b);
}

static void
test_numbers(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;
	char *end;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_array_begin(&j);
	kto_json_int(&j, INT64_MIN);
	kto_json_int(&j, INT64_MAX);
	kto_json_int(&j, 0);
	kto_json_double(&j, -0.5);
	kto_json_double(&j, 1e300);
	kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b),
	    "[-9223372036854775808,9223372036854775807,0,-0.5,"
	    "1.0000000000000001e+300]");

	/* 17 significant digits: the value reads back exactly. */
	kto_buf_reset(&b);
	kto_json_init(&j, &b, false);
	kto_json_double(&j, 0.1);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_true(strtod(kto_buf_str(&b), &end) == 0.1);
	assert_int_equal(*end, '\0');
	kto_buf_release(&b);
}

/* A measurement with fixed decimals: no binary noise, NaN still null. */
static void
test_fixed(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_array_begin(&j);
	kto_json_fixed(&j, 0.669, 3);
	kto_json_fixed(&j, 12.0, 3);
	kto_json_fixed(&j, 2.0005, 1);
	kto_json_fixed(&j, NAN, 3);
	kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "[0.669,12.000,2.0,null]");
	kto_buf_release(&b);
}

static void
test_nan_inf_null(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_object_begin(&j);
	kto_json_kv_double(&j, "nan", NAN);
	kto_json_kv_double(&j, "inf", INFINITY);
	kto_json_kv_double(&j, "ninf", -INFINITY);
	kto_json_key(&j, "list");
	kto_json_array_begin(&j);
	kto_json_double(&j, NAN);
	kto_json_double(&j, 1.5);
	kto_json_double(&j, -INFINITY);
	kto_json_array_end(&j);
	kto_json_object_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_string_equal(kto_buf_str(&b),
	    "{\"nan\":null,\"inf\":null,\"ninf\":null,\"list\":[null,1.5,null]}");
	kto_buf_release(&b);
}

static void
test_invalid_utf8_sticky(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_array_begin(&j);
	kto_json_string(&j, "ok");
	kto_json_string(&j, "bad \xff byte");
	/* Everything after the error is ignored, even valid calls. */
	kto_json_string(&j, "after");
	kto_json_int(&j, 99);
	kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_EINPUT);
	assert_int_equal(kto_json_finish(&j), KTO_EINPUT);
	assert_null(strstr(kto_buf_str(&b), "bad"));
	assert_null(strstr(kto_buf_str(&b), "after"));
	assert_null(strstr(kto_buf_str(&b), "99"));
	assert_null(strchr(kto_buf_str(&b), ']'));
	kto_buf_release(&b);
}

static void
test_invalid_utf8_in_key(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_object_begin(&j);
	kto_json_kv_string(&j, "\xed\xa0\x80", "v");   /* a surrogate */
	kto_json_object_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_EINPUT);
	assert_null(strchr(kto_buf_str(&b), 'v'));
	kto_buf_release(&b);
}

static void
test_depth_limit(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	/* Exactly KTO_JSON_MAX_DEPTH levels are fine... */
	kto_json_init(&j, &b, false);
	for (int i = 0; i < KTO_JSON_MAX_DEPTH; i++)
		kto_json_array_begin(&j);
	for (int i = 0; i < KTO_JSON_MAX_DEPTH; i++)
		kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_OK);
	assert_int_equal(b.len, 2 * KTO_JSON_MAX_DEPTH);

	/* ...one more is refused, and the error sticks. */
	kto_buf_reset(&b);
	kto_json_init(&j, &b, false);
	for (int i = 0; i < KTO_JSON_MAX_DEPTH; i++)
		kto_json_object_begin(&j);
	kto_json_key(&j, "deep");
	kto_json_array_begin(&j);
	kto_json_int(&j, 1);
	kto_json_array_end(&j);
	for (int i = 0; i < KTO_JSON_MAX_DEPTH; i++)
		kto_json_object_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_ELIMIT);
	kto_buf_release(&b);
}

static void
test_unbalanced(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(4096);
	struct kto_json j;

	(void)state;
	/* Unclosed. */
	kto_json_init(&j, &b, false);
	kto_json_object_begin(&j);
	kto_json_kv_int(&j, "a", 1);
	assert_int_equal(kto_json_finish(&j), KTO_EINTERNAL);

	/* Closed once too often. */
	kto_buf_reset(&b);
	kto_json_init(&j, &b, false);
	kto_json_array_begin(&j);
	kto_json_array_end(&j);
	kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_EINTERNAL);

	/* A close with nothing open. */
	kto_buf_reset(&b);
	kto_json_init(&j, &b, true);
	kto_json_object_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_EINTERNAL);
	kto_buf_release(&b);
}

static void
test_small_buffer(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(16);
	struct kto_json j;
	size_t len;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_array_begin(&j);
	kto_json_string(&j, "0123456789");
	kto_json_string(&j, "this does not fit any more");
	len = b.len;
	kto_json_int(&j, 1);
	kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_ELIMIT);
	assert_true(b.len <= 16);
	/* Nothing more was written after the first failure. */
	assert_int_equal(b.len, len);
	assert_null(strstr(kto_buf_str(&b), "fit"));
	kto_buf_release(&b);
}

static void
test_small_buffer_number(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(5);
	struct kto_json j;

	(void)state;
	kto_json_init(&j, &b, false);
	kto_json_array_begin(&j);
	kto_json_int(&j, 123456);
	kto_json_array_end(&j);
	assert_int_equal(kto_json_finish(&j), KTO_ELIMIT);
	assert_string_equal(kto_buf_str(&b), "[");
	kto_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_object),
		cmocka_unit_test(test_compact_nested_arrays),
		cmocka_unit_test(test_scalar_document),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_pretty_empty_array),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_every_control_char_escaped),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_nan_inf_null),
		cmocka_unit_test(test_invalid_utf8_sticky),
		cmocka_unit_test(test_invalid_utf8_in_key),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_unbalanced),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_small_buffer_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
