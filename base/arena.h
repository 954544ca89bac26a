/*
** A bump allocator (after h2o's per-request pool): many small allocations,
** one release.  Used for parsed survey definitions and per-request web
** memory, where everything lives and dies together.
**
** Every arena has a ceiling: an allocation that would pass it returns NULL,
** so hostile input cannot grow memory without bound.
*/
#ifndef KTO_BASE_ARENA_H
#define KTO_BASE_ARENA_H

#include <stddef.h>

struct kto_arena_chunk;

struct kto_arena {
	struct kto_arena_chunk *head;
	size_t used;     /* bytes handed out plus chunk overhead */
	size_t max;      /* ceiling for used */
};

#define KTO_ARENA_INIT(max) { NULL, 0, (max) }

void kto_arena_init(struct kto_arena *a, size_t max);

/* Frees every allocation at once; the arena is empty and reusable. */
void kto_arena_release(struct kto_arena *a);

/* n bytes aligned for any type, zero-filled; NULL when out of memory or past max. */
void *kto_arena_alloc(struct kto_arena *a, size_t n);

/* A copy of s[0..n) with a NUL added; NULL on failure. */
char *kto_arena_strndup(struct kto_arena *a, const char *s, size_t n);
char *kto_arena_strdup(struct kto_arena *a, const char *s);

#endif
