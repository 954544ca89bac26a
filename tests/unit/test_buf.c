/*
** base/buf: the growable buffer with a ceiling.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static void
test_init_is_empty(void **state)
{
	struct kto_buf a = KTO_BUF_INIT(100);
	struct kto_buf b;

	(void)state;
	assert_null(a.ptr);
	assert_int_equal(a.len, 0);
	assert_int_equal(a.max, 100);
	assert_string_equal(kto_buf_str(&a), "");

	memset(&b, 0x55, sizeof b);
	kto_buf_init(&b, 7);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 7);
	assert_string_equal(kto_buf_str(&b), "");
	kto_buf_release(&b);
	kto_buf_release(&b);    /* releasing twice is harmless */
}

static void
test_append(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(kto_buf_adds(&b, "hello"), KTO_OK);
	assert_int_equal(kto_buf_addc(&b, ','), KTO_OK);
	assert_int_equal(kto_buf_add(&b, " worldXXX", 6), KTO_OK);
	assert_int_equal(kto_buf_add(&b, "ignored", 0), KTO_OK);
	assert_int_equal(kto_buf_adds(&b, ""), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "hello, world");
	assert_int_equal(b.len, 12);
	assert_true(b.cap > b.len);
	assert_int_equal(b.ptr[b.len], '\0');
	kto_buf_release(&b);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_string_equal(kto_buf_str(&b), "");
}

static void
test_append_binary_and_growth(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(1 << 20);
	char chunk[1000];

	(void)state;
	for (size_t i = 0; i < sizeof chunk; i++)
		chunk[i] = (char)(i % 251);
	/* Many appends force several reallocations; contents must survive. */
	for (int k = 0; k < 100; k++)
		assert_int_equal(kto_buf_add(&b, chunk, sizeof chunk), KTO_OK);
	assert_int_equal(b.len, 100 * sizeof chunk);
	for (int k = 0; k < 100; k++)
		assert_memory_equal(b.ptr + k * sizeof chunk, chunk, sizeof chunk);
	assert_int_equal(b.ptr[b.len], '\0');
	kto_buf_release(&b);
}

static void
test_addf(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(1 << 20);
	char big[300];

	(void)state;
	assert_int_equal(kto_buf_addf(&b, "%d-%s", 42, "x"), KTO_OK);
	assert_int_equal(kto_buf_addf(&b, "|%05.1f|", 3.14159), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "42-x|003.1|");
	assert_int_equal(b.len, strlen("42-x|003.1|"));

	/* Longer than the first allocation: the vsnprintf size pass matters. */
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(kto_buf_addf(&b, "[%s]", big), KTO_OK);
	assert_int_equal(b.len, strlen("42-x|003.1|") + 2 + 299);
	assert_int_equal(b.ptr[b.len - 1], ']');
	assert_int_equal(b.ptr[b.len], '\0');
	kto_buf_release(&b);
}

/* addf writes straight into the room there is; at the edge of that room
 * it must grow instead, and never leave a cut-off text behind. */
static void
test_addf_at_the_edge_of_room(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(1 << 20);
	size_t room;

	(void)state;
	assert_int_equal(kto_buf_reserve(&b, 10), KTO_OK);
	room = b.cap - b.len - 1;      /* bytes that fit besides the NUL */
	for (size_t i = 0; i + 2 < room; i++)
		assert_int_equal(kto_buf_addc(&b, 'a'), KTO_OK);
	assert_int_equal(kto_buf_addf(&b, "%s", "bc"), KTO_OK);   /* fills it */
	assert_int_equal(b.len, room);
	assert_int_equal(kto_buf_addf(&b, "%d", 12), KTO_OK);     /* grows */
	assert_int_equal(b.len, room + 2);
	assert_memory_equal(b.ptr + room - 2, "bc12", 5);
	kto_buf_release(&b);
}

static void
test_addu_and_reserve(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(32);

	(void)state;
	assert_int_equal(kto_buf_addu(&b, 0), KTO_OK);
	assert_int_equal(kto_buf_addc(&b, ' '), KTO_OK);
	assert_int_equal(kto_buf_addu(&b, 18446744073709551615ULL), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "0 18446744073709551615");
	/* reserve obeys the ceiling and changes no contents. */
	assert_int_equal(kto_buf_reserve(&b, 10), KTO_OK);
	assert_int_equal(kto_buf_reserve(&b, 11), KTO_ELIMIT);
	assert_string_equal(kto_buf_str(&b), "0 18446744073709551615");
	assert_int_equal(kto_buf_addu(&b, 12345678901ULL), KTO_ELIMIT);
	assert_int_equal(b.len, 22);
	kto_buf_release(&b);
}

static void
test_ceiling_add(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(10);
	char *before_ptr;

	(void)state;
	assert_int_equal(kto_buf_adds(&b, "12345"), KTO_OK);
	/* 5 + 6 > 10: refused, and the buffer is exactly as it was. */
	before_ptr = b.ptr;
	assert_int_equal(kto_buf_adds(&b, "678901"), KTO_ELIMIT);
	assert_string_equal(kto_buf_str(&b), "12345");
	assert_int_equal(b.len, 5);
	assert_ptr_equal(b.ptr, before_ptr);
	assert_int_equal(kto_buf_addc(&b, 'x'), KTO_OK);
	/* Filling up to max exactly is allowed. */
	assert_int_equal(kto_buf_adds(&b, "6789"), KTO_OK);
	assert_int_equal(b.len, 10);
	assert_string_equal(kto_buf_str(&b), "12345x6789");
	assert_int_equal(kto_buf_addc(&b, 'y'), KTO_ELIMIT);
	assert_int_equal(kto_buf_add(&b, "y", 1), KTO_ELIMIT);
	/* Zero bytes still fit into a full buffer. */
	assert_int_equal(kto_buf_add(&b, "", 0), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "12345x6789");
	assert_int_equal(b.len, 10);
	kto_buf_release(&b);
}

static void
test_ceiling_addf(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(8);

	(void)state;
	assert_int_equal(kto_buf_addf(&b, "%s", "abc"), KTO_OK);
	assert_int_equal(kto_buf_addf(&b, "%d", 123456), KTO_ELIMIT);
	assert_string_equal(kto_buf_str(&b), "abc");
	assert_int_equal(b.len, 3);
	assert_int_equal(kto_buf_addf(&b, "%d", 12345), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "abc12345");
	kto_buf_release(&b);
}

static void
test_ceiling_zero(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(0);

	(void)state;
	assert_int_equal(kto_buf_addc(&b, 'a'), KTO_ELIMIT);
	assert_int_equal(b.len, 0);
	assert_string_equal(kto_buf_str(&b), "");
	assert_int_equal(kto_buf_add(&b, "", 0), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "");
	kto_buf_release(&b);
}

static void
test_ceiling_huge_request(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(16);

	(void)state;
	assert_int_equal(kto_buf_adds(&b, "abc"), KTO_OK);
	/* A length near SIZE_MAX must be refused, not wrap around. */
	assert_int_equal(kto_buf_add(&b, "x", SIZE_MAX), KTO_ELIMIT);
	assert_int_equal(kto_buf_add(&b, "x", SIZE_MAX - 2), KTO_ELIMIT);
	assert_string_equal(kto_buf_str(&b), "abc");
	kto_buf_release(&b);
}

static void
test_reset(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(100);
	char *p;
	size_t cap;

	(void)state;
	kto_buf_reset(&b);      /* on an empty buffer: fine */
	assert_string_equal(kto_buf_str(&b), "");
	assert_int_equal(kto_buf_adds(&b, "some text"), KTO_OK);
	p = b.ptr;
	cap = b.cap;
	kto_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(kto_buf_str(&b), "");
	/* Memory is kept for reuse. */
	assert_ptr_equal(b.ptr, p);
	assert_int_equal(b.cap, cap);
	assert_int_equal(kto_buf_adds(&b, "new"), KTO_OK);
	assert_string_equal(kto_buf_str(&b), "new");
	kto_buf_release(&b);
}

static void
test_detach(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(100);
	char *s;

	(void)state;
	assert_int_equal(kto_buf_adds(&b, "owned"), KTO_OK);
	s = kto_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "owned");
	/* The buffer is empty and usable; s is no longer its storage. */
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 100);
	assert_string_equal(kto_buf_str(&b), "");
	assert_int_equal(kto_buf_adds(&b, "again"), KTO_OK);
	assert_ptr_not_equal(b.ptr, s);
	assert_string_equal(s, "owned");
	free(s);
	kto_buf_release(&b);
}

static void
test_detach_empty(void **state)
{
	struct kto_buf b = KTO_BUF_INIT(100);
	char *s;

	(void)state;
	s = kto_buf_detach(&b);
	assert_non_null(s);     /* never NULL except out of memory */
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_append_binary_and_growth),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_addf_at_the_edge_of_room),
		cmocka_unit_test(test_addu_and_reserve),
		cmocka_unit_test(test_ceiling_add),
		cmocka_unit_test(test_ceiling_addf),
		cmocka_unit_test(test_ceiling_zero),
		cmocka_unit_test(test_ceiling_huge_request),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_detach_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
