/*
** The fuzz targets without libFuzzer (after SQLite's fuzzcheck.c): replays
** every file of a corpus directory through LLVMFuzzerTestOneInput, then a
** fixed number of deterministic mutations of each (bit flips, truncations,
** duplicated and deleted spans, inserted dictionary words).  `make check`
** runs this as the `ctest -L fuzz` regression; `make fuzz` runs the real
** coverage-guided fuzzer.
**
** Usage: fuzz-TARGET-replay CORPUS_DIR [MUTATIONS_PER_FILE] [DICTIONARY]
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/strparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (2u << 20)
#define MAX_WORDS 256

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

/* xorshift64*: deterministic, so a failure reproduces from the log. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717u;
}

static char *words[MAX_WORDS];
static size_t n_words;

/* Dictionary lines: "word" in double quotes, as libFuzzer reads them. */
static void
load_dictionary(const char *path)
{
	struct kto_err err = KTO_ERR_INIT;
	char *text, *line, *save = NULL;
	size_t len;

	if (kto_file_read(path, 1u << 20, &text, &len, &err) != KTO_OK) {
		fprintf(stderr, "warning: %s\n", kto_err_msg(&err));
		return;
	}
	for (line = strtok_r(text, "\n", &save); line && n_words < MAX_WORDS;
	    line = strtok_r(NULL, "\n", &save)) {
		char *q1 = strchr(line, '"'), *q2 = q1 ? strrchr(line, '"') : NULL;

		if (line[0] == '#' || q1 == NULL || q2 == q1)
			continue;
		words[n_words] = strndup(q1 + 1, (size_t)(q2 - q1 - 1));
		if (words[n_words] != NULL)
			n_words++;
	}
	free(text);
}

/* One random edit of buf (of *len bytes, capacity cap). */
static void
mutate(unsigned char *buf, size_t *len, size_t cap)
{
	size_t n = *len, pos = n ? rng() % n : 0, span;

	switch (rng() % 6) {
	case 0:   /* flip a bit */
		if (n)
			buf[pos] ^= (unsigned char)(1u << (rng() % 8));
		break;
	case 1:   /* truncate */
		*len = pos;
		break;
	case 2:   /* delete a span */
		span = n - pos ? rng() % (n - pos) % 64 : 0;
		memmove(buf + pos, buf + pos + span, n - pos - span);
		*len = n - span;
		break;
	case 3:   /* duplicate a span */
		span = n - pos ? rng() % (n - pos) % 256 : 0;
		if (n + span <= cap) {
			memmove(buf + pos + span, buf + pos, n - pos);
			*len = n + span;
		}
		break;
	case 4:   /* insert a dictionary word */
		if (n_words) {
			const char *w = words[rng() % n_words];
			size_t wl = strlen(w);

			if (n + wl <= cap) {
				memmove(buf + pos + wl, buf + pos, n - pos);
				memcpy(buf + pos, w, wl);
				*len = n + wl;
			}
		}
		break;
	default:  /* a random byte */
		if (n)
			buf[pos] = (unsigned char)rng();
	}
}

int
main(int argc, char **argv)
{
	DIR *dir;
	struct dirent *e;
	int64_t mutations = 0;
	unsigned char *work;
	size_t files = 0, runs = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS_PER_FILE] [DICT]\n",
		    argv[0]);
		return 2;
	}
	if (argc > 2 && kto_parse_i64(argv[2], 0, 1000000, &mutations) != KTO_OK) {
		fprintf(stderr, "bad mutation count '%s'\n", argv[2]);
		return 2;
	}
	if (argc > 3)
		load_dictionary(argv[3]);
	if ((dir = opendir(argv[1])) == NULL) {
		perror(argv[1]);
		return 1;
	}
	work = malloc(FUZZ_MAX_INPUT);
	if (work == NULL)
		return 1;
	while ((e = readdir(dir)) != NULL) {
		struct kto_err err = KTO_ERR_INIT;
		char path[4096], *data;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		if (kto_file_read(path, FUZZ_MAX_INPUT / 2, &data, &len, &err) != KTO_OK) {
			fprintf(stderr, "skipping %s: %s\n", path, kto_err_msg(&err));
			continue;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		files++;
		runs++;
		for (int64_t m = 0; m < mutations; m++) {
			size_t wl = len;
			int edits = 1 + (int)(rng() % 4);

			memcpy(work, data, len);
			for (int k = 0; k < edits; k++)
				mutate(work, &wl, FUZZ_MAX_INPUT);
			LLVMFuzzerTestOneInput(work, wl);
			runs++;
		}
		free(data);
	}
	closedir(dir);
	free(work);
	for (size_t i = 0; i < n_words; i++)
		free(words[i]);
	if (files == 0) {
		fprintf(stderr, "no corpus files in %s\n", argv[1]);
		return 1;
	}
	printf("%zu corpus files, %zu inputs, no failures\n", files, runs);
	return 0;
}
