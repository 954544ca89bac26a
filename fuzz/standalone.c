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
static size_t word_len[MAX_WORDS];
static size_t n_words;

/* A hex digit's value, or -1. */
static int
hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
** s[0..n) with libFuzzer's escapes (\\, \" and \xHH) undone, into a new
** string of *len bytes (NULs too); NULL on a malformed escape.
*/
static char *
unescape_word(const char *s, size_t n, size_t *len)
{
	char *w = malloc(n + 1);
	size_t o = 0;

	if (w == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			w[o++] = s[i];
		} else if (i + 1 < n && (s[i + 1] == '\\' || s[i + 1] == '"')) {
			w[o++] = s[++i];
		} else if (i + 3 < n && s[i + 1] == 'x' && hex_value(s[i + 2]) >= 0 &&
		    hex_value(s[i + 3]) >= 0) {
			w[o++] = (char)(hex_value(s[i + 2]) * 16 + hex_value(s[i + 3]));
			i += 3;
		} else {
			free(w);
			return NULL;
		}
	}
	w[o] = '\0';
	*len = o;
	return w;
}

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
		words[n_words] = unescape_word(q1 + 1, (size_t)(q2 - q1 - 1),
		    &word_len[n_words]);
		if (words[n_words] == NULL) {
			fprintf(stderr, "%s: bad escape in %s\n", path, line);
			exit(1);
		}
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
			size_t k = rng() % n_words, wl = word_len[k];
			const char *w = words[k];

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
