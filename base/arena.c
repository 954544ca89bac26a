#include "base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 8192

struct kto_arena_chunk {
	struct kto_arena_chunk *next;
	size_t size, used;
	alignas(max_align_t) unsigned char data[];
};

void
kto_arena_init(struct kto_arena *a, size_t max)
{
	a->head = NULL;
	a->used = 0;
	a->max = max;
}

void
kto_arena_release(struct kto_arena *a)
{
	struct kto_arena_chunk *c = a->head;

	while (c != NULL) {
		struct kto_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}

void *
kto_arena_alloc(struct kto_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct kto_arena_chunk *c = a->head;
	size_t size;
	void *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	if (c == NULL || c->size - c->used < n) {
		size = n > CHUNK_SIZE ? n : CHUNK_SIZE;
		if (size + sizeof *c > a->max - a->used || a->used > a->max)
			return NULL;
		c = malloc(sizeof *c + size);
		if (c == NULL)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->used += sizeof *c + size;
	}
	p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *
kto_arena_strndup(struct kto_arena *a, const char *s, size_t n)
{
	char *p = kto_arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
kto_arena_strdup(struct kto_arena *a, const char *s)
{
	return kto_arena_strndup(a, s, strlen(s));
}
