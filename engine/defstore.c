#include "engine/defstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/strparse.h"
#include "engine/audit.h"
#include "engine/db_int.h"
#include "engine/surveydef.h"

#define VERSION_SELECT \
	"SELECT v.id, d.name, d.channel, v.version, v.hash, " \
	"coalesce(v.source_name, ''), v.loaded_at, " \
	"(SELECT count(*) FROM response r WHERE r.def_version_id = v.id) " \
	"FROM survey_def_version v JOIN survey_def d ON d.id = v.def_id "

static void
version_fill(sqlite3_stmt *st, void *elem)
{
	struct kto_def_version *v = elem;

	v->id = sqlite3_column_int64(st, 0);
	kto_db_column_copy(st, 1, v->name, sizeof v->name);
	kto_db_column_copy(st, 2, v->channel, sizeof v->channel);
	v->version = sqlite3_column_int64(st, 3);
	kto_db_column_copy(st, 4, v->hash, sizeof v->hash);
	kto_db_column_copy(st, 5, v->source_name, sizeof v->source_name);
	kto_db_column_copy(st, 6, v->loaded_at, sizeof v->loaded_at);
	v->responses = sqlite3_column_int64(st, 7);
}

/* Runs a VERSION_SELECT query expected to give one row. */
static enum kto_rc
version_one(struct kto_db *db, sqlite3_stmt *st, struct kto_def_version *out,
            const char *ref)
{
	bool row;
	enum kto_rc rc = kto_db_step(db, st, &row);

	if (rc == KTO_OK && row)
		version_fill(st, out);
	else if (rc == KTO_OK)
		rc = kto_db_seterr(db, KTO_ENOTFOUND, "there is no survey definition "
		    "'%s'", ref);
	sqlite3_finalize(st);
	return rc;
}

static void
sha256_hex(const char *src, size_t len, char hex[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)src, len);
	sodium_bin2hex(hex, 65, digest, sizeof digest);
}

/*
** Compares the new definition with an answered one: the same question id
** must keep its type and every option it had.
*/
static void
check_compatible(const struct kto_survey *old, const struct kto_survey *new,
                 int64_t old_version, struct kto_diags *diags)
{
	for (size_t i = 0; i < old->n_questions; i++) {
		const struct kto_question *o = &old->questions[i];
		const struct kto_question *n = kto_survey_question(new, o->id);

		if (n == NULL)
			continue;   /* a question may be dropped; its answers stay */
		if (n->type != o->type) {
			kto_diag_add(diags, KTO_SEV_ERROR, n->line, 1, "question %s was "
			    "a %s question in version %lld, which has responses; it "
			    "cannot become a %s question. Give the changed question a "
			    "new id", o->id, kto_qtype_name(o->type),
			    (long long)old_version, kto_qtype_name(n->type));
			continue;
		}
		for (size_t k = 0; k < o->n_options; k++)
			if (kto_question_option(n, o->options[k].code) == NULL)
				kto_diag_add(diags, KTO_SEV_ERROR, n->line, 1, "option '%s' "
				    "of question %s has answers in version %lld; keep it "
				    "(you may change its text) or give the question a new id",
				    o->options[k].code, o->id, (long long)old_version);
	}
}

struct def_load;

/*
** Every version of the survey that has responses must stay comparable with
** the new one: not only the newest, since a question dropped in between may
** come back.
*/
static enum kto_rc
check_answered_versions(struct kto_db *db, int64_t def_id, struct def_load *l);

struct def_load {
	const char *actor, *source_name, *src;
	size_t len;
	const struct kto_survey *survey;
	const char *hash;
	struct kto_diags *diags;
	struct kto_def_version *out;
	bool created;
};

static enum kto_rc
check_answered_versions(struct kto_db *db, int64_t def_id, struct def_load *l)
{
	sqlite3_stmt *st;
	bool row;
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT v.source, v.version "
	    "FROM survey_def_version v WHERE v.def_id = ? AND EXISTS "
	    "(SELECT 1 FROM response r WHERE r.def_version_id = v.id) "
	    "ORDER BY v.version", "i", def_id);
	if (rc != KTO_OK)
		return rc;
	while ((rc = kto_db_step(db, st, &row)) == KTO_OK && row) {
		const char *src = (const char *)sqlite3_column_text(st, 0);
		int64_t version = sqlite3_column_int64(st, 1);
		struct kto_diags ignored;
		struct kto_survey *old = NULL;
		enum kto_rc prc;

		kto_diags_init(&ignored);
		prc = kto_survey_parse(src, strlen(src), &old, &ignored);
		kto_diags_release(&ignored);
		if (prc != KTO_OK) {
			/* Never let an edit through unchecked. */
			rc = kto_db_seterr(db, prc == KTO_EINPUT ? KTO_EINTERNAL : prc,
			    "version %lld of '%s' has responses but no longer parses, "
			    "so this edit cannot be checked against it",
			    (long long)version, l->survey->name);
			break;
		}
		check_compatible(old, l->survey, version, l->diags);
		kto_survey_free(old);
	}
	sqlite3_finalize(st);
	if (rc == KTO_OK && l->diags->errors > 0)
		rc = kto_db_seterr(db, KTO_EINPUT, "this edit of '%s' is not "
		    "compatible with versions that have responses", l->survey->name);
	return rc;
}

/* The survey_def row for the survey, created when new; checks the channel. */
static enum kto_rc
def_row(struct kto_db *db, const struct kto_survey *s, int64_t *def_id)
{
	sqlite3_stmt *st;
	bool row;
	char channel[16] = "";
	enum kto_rc rc;

	rc = kto_db_prepare(db, &st, "SELECT id, channel FROM survey_def "
	    "WHERE name = ?", "t", s->name);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_step(db, st, &row);
	if (rc == KTO_OK && row) {
		*def_id = sqlite3_column_int64(st, 0);
		kto_db_column_copy(st, 1, channel, sizeof channel);
	}
	sqlite3_finalize(st);
	if (rc != KTO_OK)
		return rc;
	if (row) {
		if (strcmp(channel, kto_channel_name(s->channel)) != 0)
			return kto_db_seterr(db, KTO_EINPUT, "survey '%s' is a %s survey; "
			    "a new version cannot change its channel to %s. Give the "
			    "survey a new name", s->name, channel,
			    kto_channel_name(s->channel));
		return KTO_OK;
	}
	rc = kto_db_exec(db, "INSERT INTO survey_def (name, channel) VALUES (?, ?)",
	    "tt", s->name, kto_channel_name(s->channel));
	*def_id = sqlite3_last_insert_rowid(db->sqlite);
	return rc;
}

static enum kto_rc
def_load_txn(struct kto_db *db, void *arg)
{
	struct def_load *l = arg;
	sqlite3_stmt *st;
	int64_t def_id = 0;
	enum kto_rc rc;

	if ((rc = def_row(db, l->survey, &def_id)) != KTO_OK)
		return rc;
	rc = kto_db_prepare(db, &st, VERSION_SELECT "WHERE v.def_id = ? AND v.hash = ?",
	    "it", def_id, l->hash);
	if (rc != KTO_OK)
		return rc;
	rc = version_one(db, st, l->out, l->survey->name);
	if (rc == KTO_OK) {
		l->created = false;
		return KTO_OK;
	}
	if (rc != KTO_ENOTFOUND)
		return rc;
	if ((rc = check_answered_versions(db, def_id, l)) != KTO_OK)
		return rc;
	rc = kto_db_exec(db, "INSERT INTO survey_def_version (def_id, version, hash, "
	    "source, source_name) VALUES (?, (SELECT coalesce(max(version), 0) + 1 "
	    "FROM survey_def_version WHERE def_id = ?), ?, ?, ?)", "iitt" "t",
	    def_id, def_id, l->hash, l->src, l->source_name);
	if (rc != KTO_OK)
		return rc;
	rc = kto_db_prepare(db, &st, VERSION_SELECT "WHERE v.id = ?", "i",
	    (int64_t)sqlite3_last_insert_rowid(db->sqlite));
	if (rc == KTO_OK)
		rc = version_one(db, st, l->out, l->survey->name);
	if (rc == KTO_OK) {
		char detail[128];

		snprintf(detail, sizeof detail, "version %lld, sha256 %.12s",
		    (long long)l->out->version, l->hash);
		rc = kto_audit(db, l->actor, "def.load", 0, l->survey->name, detail);
	}
	l->created = true;
	return rc;
}

enum kto_rc
kto_def_load(struct kto_db *db, const char *actor, const char *source_name,
             const char *src, size_t len, struct kto_def_version *out,
             bool *created, struct kto_diags *diags)
{
	struct kto_survey *s = NULL;
	struct def_load l;
	char hash[65];
	enum kto_rc rc;

	*created = false;
	rc = kto_survey_parse(src, len, &s, diags);
	if (rc == KTO_EINPUT)
		return kto_db_seterr(db, rc, "'%s' has errors and was not loaded; "
		    "'kto def check' lists them", source_name);
	if (rc != KTO_OK)
		return kto_db_seterr(db, rc, "could not parse '%s': %s", source_name,
		    kto_strerror(rc));
	if (strlen(src) != len) {
		kto_survey_free(s);
		return kto_db_seterr(db, KTO_EINPUT, "'%s' contains a NUL byte",
		    source_name);
	}
	sha256_hex(src, len, hash);
	memset(&l, 0, sizeof l);
	l.actor = actor;
	l.source_name = source_name;
	l.src = src;
	l.len = len;
	l.survey = s;
	l.hash = hash;
	l.diags = diags;
	l.out = out;
	rc = kto_db_transaction(db, def_load_txn, &l);
	*created = rc == KTO_OK && l.created;
	kto_survey_free(s);
	return rc;
}

enum kto_rc
kto_def_list(struct kto_db *db, bool latest_only, struct kto_def_version **out,
             size_t *count)
{
	sqlite3_stmt *st;
	enum kto_rc rc;

	*out = NULL;
	*count = 0;
	rc = kto_db_prepare(db, &st, latest_only ? VERSION_SELECT
	    "WHERE v.version = (SELECT max(version) FROM survey_def_version w "
	    "WHERE w.def_id = v.def_id) ORDER BY d.name" : VERSION_SELECT
	    "ORDER BY d.name, v.version", "");
	if (rc != KTO_OK)
		return rc;
	return kto_db_collect(db, st, sizeof **out, version_fill, (void **)out, count);
}

enum kto_rc
kto_def_get(struct kto_db *db, const char *ref, struct kto_def_version *out,
            char **source)
{
	sqlite3_stmt *st;
	const char *at = strchr(ref, '@');
	int64_t n;
	enum kto_rc rc;

	if (source != NULL)
		*source = NULL;
	if (kto_parse_i64(ref, 1, INT64_MAX, &n) == KTO_OK) {
		/* A version id; or, failing that, a survey whose name is digits. */
		rc = kto_db_prepare(db, &st, VERSION_SELECT "WHERE v.id = ? OR "
		    "(d.name = ? AND v.version = (SELECT max(version) FROM "
		    "survey_def_version w WHERE w.def_id = d.id)) ORDER BY v.id = ? DESC "
		    "LIMIT 1", "iti", n, ref, n);
	} else if (at != NULL) {
		char name[65];
		size_t len = (size_t)(at - ref);

		if (len >= sizeof name || kto_parse_i64(at + 1, 1, INT64_MAX, &n) != KTO_OK)
			return kto_db_seterr(db, KTO_EINPUT, "'%s' is not a definition "
			    "reference; write NAME, NAME@VERSION or a version id", ref);
		memcpy(name, ref, len);
		name[len] = '\0';
		rc = kto_db_prepare(db, &st, VERSION_SELECT "WHERE d.name = ? AND "
		    "v.version = ?", "ti", name, n);
	} else {
		rc = kto_db_prepare(db, &st, VERSION_SELECT "WHERE d.name = ? "
		    "ORDER BY v.version DESC LIMIT 1", "t", ref);
	}
	if (rc != KTO_OK)
		return rc;
	if ((rc = version_one(db, st, out, ref)) != KTO_OK || source == NULL)
		return rc;
	rc = kto_db_prepare(db, &st, "SELECT source FROM survey_def_version "
	    "WHERE id = ?", "i", out->id);
	if (rc == KTO_OK) {
		bool row;

		rc = kto_db_step(db, st, &row);
		if (rc == KTO_OK && row) {
			*source = strdup((const char *)sqlite3_column_text(st, 0));
			if (*source == NULL)
				rc = kto_db_seterr(db, KTO_ENOMEM, "out of memory");
		}
		sqlite3_finalize(st);
	}
	return rc;
}
