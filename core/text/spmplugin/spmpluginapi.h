/* The C ABI of the sentencepiece plugin (librsrefseg_spm.so).
 *
 * sentencepiece and LibTorch cannot be linked into one process (ARCHITECTURE.md, Platform facts: each brings its
 * own protobuf), so sentencepiece lives in this small plugin, loaded with
 * dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND) by rsrefseg::SpmPlugin (dlmopen into a namespace of
 * its own in sanitized builds). Only the functions below
 * are exported; nothing C++ crosses the boundary (no exceptions, no std types).
 *
 *   char *err = NULL;
 *   rsrefseg_spm_model *m = rsrefseg_spm_load("spiece.model", RSREFSEG_SPM_NO_DUMMY_PREFIX, &err);
 *   if (!m) { puts(err); rsrefseg_spm_free_string(err); }
 *   rsrefseg_spm_encode(m, text, strlen(text), onPiece, user, &err);
 *   rsrefseg_spm_free(m);
 *
 * Every function is safe to call from several threads at once on the same model, except
 * rsrefseg_spm_free.
 */
#ifndef RSREFSEG_SPMPLUGINAPI_H
#define RSREFSEG_SPMPLUGINAPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature below changes; the loader refuses a plugin of another version. */
#define RSREFSEG_SPM_ABI_VERSION 1

/* rsrefseg_spm_load flags. */
/* Load the model with normalizer_spec.add_dummy_prefix = false, as transformers' SiglipTokenizer
 * (non-legacy) and T5Tokenizer patch the model proto at load time. */
#define RSREFSEG_SPM_NO_DUMMY_PREFIX 1u

#if defined(RSREFSEG_SPM_BUILDING_PLUGIN)
#define RSREFSEG_SPM_EXPORT __attribute__((visibility("default")))
#else
#define RSREFSEG_SPM_EXPORT
#endif

typedef struct rsrefseg_spm_model rsrefseg_spm_model;

/* Receives one piece of an encoding (UTF-8, not NUL-terminated) and its id. Return 0 to go on;
 * anything else stops the encoding, which then fails. */
typedef int (*rsrefseg_spm_piece_fn)(void *user, const char *piece, size_t size, int32_t id);

RSREFSEG_SPM_EXPORT int rsrefseg_spm_abi_version(void);

/* Loads a sentencepiece .model file. On failure returns NULL and sets *error (when error is not
 * NULL) to a message to free with rsrefseg_spm_free_string. */
RSREFSEG_SPM_EXPORT rsrefseg_spm_model *rsrefseg_spm_load(const char *path, unsigned flags, char **error);
RSREFSEG_SPM_EXPORT void rsrefseg_spm_free(rsrefseg_spm_model *model);
RSREFSEG_SPM_EXPORT void rsrefseg_spm_free_string(char *text);

/* Encodes UTF-8 text (size bytes) with the model's normalizer and calls fn for every piece in
 * order. Returns 0 on success; otherwise sets *error as rsrefseg_spm_load does. */
RSREFSEG_SPM_EXPORT int rsrefseg_spm_encode(const rsrefseg_spm_model *model, const char *text, size_t size,
                                            rsrefseg_spm_piece_fn fn, void *user, char **error);

/* The id of a piece; the unknown id for a piece not in the vocabulary. */
RSREFSEG_SPM_EXPORT int32_t rsrefseg_spm_piece_to_id(const rsrefseg_spm_model *model, const char *piece, size_t size);

/* The piece of an id, pointing into the model (valid while it lives). Returns 0, or -1 when the
 * id is out of range. */
RSREFSEG_SPM_EXPORT int rsrefseg_spm_id_to_piece(const rsrefseg_spm_model *model, int32_t id, const char **piece,
                                                 size_t *size);

RSREFSEG_SPM_EXPORT int32_t rsrefseg_spm_vocab_size(const rsrefseg_spm_model *model);
RSREFSEG_SPM_EXPORT int32_t rsrefseg_spm_unk_id(const rsrefseg_spm_model *model);

#ifdef __cplusplus
}
#endif

#endif
