/* kiln_runtime.h: the Kiln C runtime. Loads a compiled Kiln artifact (docs/artifact-format.md), checks that
 * its manifest and shared library belong together, and runs it on caller-owned buffers.
 *
 * Plain C11, includable from C++. Link the static library `kiln_runtime` (C++17 inside, so link with a C++
 * linker or add -lstdc++) and -ldl -lpthread. No MLIR/LLVM dependency.
 *
 * Conventions:
 *   - Fallible calls return kiln_status_t; results come back through out_* parameters, which are written
 *     only on KILN_OK.
 *   - On failure, kiln_last_error() gives a one-line message naming the call and the problem.
 *   - Strings and arrays returned by the runtime are owned by it; each function says how long they live.
 *   - "Thread-safe": may be called from any number of threads at once. "Thread-compatible": calls on the
 *     same object need external synchronization; calls on different objects do not.
 *
 * Minimal use:
 *
 *     kiln_model_t *m = NULL;
 *     if (kiln_model_load("out/small_cnn", &m) != KILN_OK) { fprintf(stderr, "%s\n", kiln_last_error()); ... }
 *     kiln_input_t in[1] = {{x, sizeof x}};
 *     kiln_output_t out[1] = {{y, sizeof y}};
 *     if (kiln_model_run(m, in, 1, out, 1) != KILN_OK) { ... }
 *     kiln_model_destroy(m);
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The runtime's own version; equals the Kiln release it ships with (runtime/CMakeLists.txt checks this). */
#define KILN_RUNTIME_VERSION_MAJOR 0
#define KILN_RUNTIME_VERSION_MINOR 1
#define KILN_RUNTIME_VERSION_PATCH 0

/* The manifest `format_version` and signature ABI tag this runtime reads. */
#define KILN_ARTIFACT_FORMAT_VERSION 1
#define KILN_ABI_TAG "kiln-abi-1"

/* ------------------------------------------------------------------------------------------------------ */
/* Status and errors                                                                                       */
/* ------------------------------------------------------------------------------------------------------ */

/* Result of every fallible call. Values are stable across releases. */
typedef enum kiln_status_t {
  /* Success. */
  KILN_OK = 0,
  /* The caller broke a precondition: a NULL pointer, a wrong input/output count, a buffer whose byte size
   * differs from the manifest's, an index out of range, a misaligned or too small scratch buffer, or running
   * a model opened with kiln_model_load_manifest. Nothing was run. */
  KILN_ERROR_INVALID_ARGUMENT = 1,
  /* Something named does not exist: the artifact path, its manifest, the shared library the manifest names,
   * a symbol the library should export, or an input/output name passed to kiln_model_find_*. */
  KILN_ERROR_NOT_FOUND = 2,
  /* A file exists but could not be read. */
  KILN_ERROR_IO = 3,
  /* The manifest is unusable: not JSON, truncated, a missing or mistyped field, an unsupported format or
   * format_version, a file name that is not a plain name inside the artifact folder, sizes that do not add
   * up, or a signature that differs from the one compiled into the shared library. */
  KILN_ERROR_BAD_MANIFEST = 4,
  /* dlopen failed: not a shared library, built for another machine, or missing dependencies. */
  KILN_ERROR_LOAD = 5,
  /* Memory allocation failed, in the runtime or in the generated code's scratch allocation. */
  KILN_ERROR_OUT_OF_MEMORY = 6,
  /* The generated code returned a non-zero code the runtime did not expect (kiln_last_error gives it). */
  KILN_ERROR_EXECUTION = 7
} kiln_status_t;

/* A short constant name for |status| ("KILN_ERROR_NOT_FOUND"; "KILN_ERROR_UNKNOWN" for values outside the
 * enum). Thread-safe. Static storage; never freed. */
const char *kiln_status_string(kiln_status_t status);

/* A one-line message describing the most recent failed kiln_* call made on the calling thread, e.g.
 * "kiln_model_run: input 0 'x' has 100 bytes, expected 12288 (float32[1,3,32,32])". Successful calls do
 * not change it; "" before any failure. Thread-safe (each thread has its own message). The string is owned
 * by the runtime and valid until the next failing kiln_* call on the same thread. */
const char *kiln_last_error(void);

/* The runtime's version, "MAJOR.MINOR.PATCH", as compiled into the library. Thread-safe. Static storage. */
const char *kiln_runtime_version(void);

/* ------------------------------------------------------------------------------------------------------ */
/* Element types                                                                                           */
/* ------------------------------------------------------------------------------------------------------ */

/* Element type of a tensor. Values are stable across releases. Data is little-endian, row-major, dense. */
typedef enum kiln_dtype_t {
  KILN_DTYPE_F16 = 0,  /* IEEE binary16 */
  KILN_DTYPE_BF16 = 1, /* bfloat16: the upper 16 bits of a binary32 */
  KILN_DTYPE_F32 = 2,
  KILN_DTYPE_F64 = 3,
  KILN_DTYPE_BOOL = 4, /* one byte, 0 or 1 */
  KILN_DTYPE_I8 = 5,
  KILN_DTYPE_I32 = 6,
  KILN_DTYPE_I64 = 7
} kiln_dtype_t;

/* Size of one element in bytes; 0 for a value outside kiln_dtype_t. Thread-safe. */
size_t kiln_dtype_size(kiln_dtype_t dtype);

/* The NumPy name used in manifests ("float32", "bfloat16", "bool", ...); NULL for a value outside
 * kiln_dtype_t. Thread-safe. Static storage; never freed. */
const char *kiln_dtype_name(kiln_dtype_t dtype);

/* Parses a NumPy name as written by kiln_dtype_name into |*out_dtype|. KILN_ERROR_INVALID_ARGUMENT for NULL
 * arguments or an unknown name. Thread-safe. Does not keep |name|. */
kiln_status_t kiln_dtype_from_name(const char *name, kiln_dtype_t *out_dtype);

/* ------------------------------------------------------------------------------------------------------ */
/* Models                                                                                                  */
/* ------------------------------------------------------------------------------------------------------ */

/* A loaded artifact: its parsed manifest and, unless opened with kiln_model_load_manifest, its shared
 * library. Immutable once loaded, so every const function below is thread-safe on the same model, including
 * kiln_model_run. kiln_model_destroy must not run concurrently with any other use of the same model. */
typedef struct kiln_model kiln_model_t;

/* Description of one input or output. Every pointer in it is owned by the model and stays valid until
 * kiln_model_destroy; do not free them. */
typedef struct kiln_tensor_info_t {
  const char *name;     /* as in the manifest; NUL-terminated, never NULL */
  kiln_dtype_t dtype;
  size_t rank;          /* 0 for a scalar */
  const int64_t *shape; /* |rank| dimensions; not NULL even when rank is 0 */
  size_t bytes;         /* product of shape x kiln_dtype_size(dtype): the exact buffer size to pass */
} kiln_tensor_info_t;

/* The rest of the manifest. Every string is owned by the model, valid until kiln_model_destroy, and never
 * NULL (an optional manifest field that is absent reads as ""). */
typedef struct kiln_model_info_t {
  const char *name;            /* the artifact's NAME; symbols are NAME_run etc. */
  const char *source;          /* the model file it was compiled from */
  const char *kiln_version;    /* the compiler that wrote it */
  const char *target_triple;   /* e.g. "x86_64-unknown-linux-gnu" */
  const char *target_cpu;      /* e.g. "znver4" */
  const char *target_features; /* e.g. "+avx2,+fma" */
  const char *signature;       /* the canonical signature string */
  const char *manifest_path;   /* path of the manifest that was read */
  const char *library_path;    /* path of the shared library (named even when it was not opened) */
  int library_loaded;          /* 1 from kiln_model_load, 0 from kiln_model_load_manifest */
  size_t scratch_bytes;
  size_t num_inputs;
  size_t num_outputs;
} kiln_model_info_t;

/* Opens an artifact. |path| is the artifact folder (which must hold exactly one *.json manifest), its
 * libNAME.so, or its NAME.json manifest. Reads and validates the manifest, dlopens the library it names
 * (RTLD_NOW | RTLD_LOCAL), finds NAME_run, NAME_run_with_scratch and NAME_signature, and checks that the
 * library's signature equals the one rebuilt from the manifest. Note that dlopen runs the library's
 * initializers: only load artifacts you trust.
 * Thread-safe (different calls create different models). Caller owns |*out_model|; free it with
 * kiln_model_destroy. |*out_model| is set only on KILN_OK. */
kiln_status_t kiln_model_load(const char *path, kiln_model_t **out_model);

/* As kiln_model_load, but reads only the manifest and never opens the library: for inspecting artifacts
 * built for another machine or not trusted. Running such a model fails with KILN_ERROR_INVALID_ARGUMENT.
 * Thread-safe. Caller owns |*out_model|; free it with kiln_model_destroy. */
kiln_status_t kiln_model_load_manifest(const char *path, kiln_model_t **out_model);

/* Frees |model| and closes its library; NULL is a no-op. Invalidates every pointer obtained from the model.
 * Not thread-safe with respect to |model|: no other call on it may be in progress or follow. */
void kiln_model_destroy(kiln_model_t *model);

/* The model's NAME. Owned by the model, valid until kiln_model_destroy. NULL if |model| is NULL.
 * Thread-safe. */
const char *kiln_model_name(const kiln_model_t *model);

/* Size of the one scratch buffer the model uses (the manifest's scratch_bytes); 0 if |model| is NULL.
 * Thread-safe. */
size_t kiln_model_scratch_bytes(const kiln_model_t *model);

/* Number of inputs / outputs, in manifest order; 0 if |model| is NULL. Thread-safe. */
size_t kiln_model_input_count(const kiln_model_t *model);
size_t kiln_model_output_count(const kiln_model_t *model);

/* Describes input / output |index| into |*out_info|; its pointers are owned by the model (see
 * kiln_tensor_info_t). KILN_ERROR_INVALID_ARGUMENT for NULL arguments or |index| >= the count. Thread-safe. */
kiln_status_t kiln_model_input_info(const kiln_model_t *model, size_t index, kiln_tensor_info_t *out_info);
kiln_status_t kiln_model_output_info(const kiln_model_t *model, size_t index, kiln_tensor_info_t *out_info);

/* Finds the input / output called |name| (exact, case-sensitive) and stores its index in |*out_index|.
 * KILN_ERROR_NOT_FOUND if there is none; KILN_ERROR_INVALID_ARGUMENT for NULL arguments. Thread-safe. Does
 * not keep |name|. */
kiln_status_t kiln_model_find_input(const kiln_model_t *model, const char *name, size_t *out_index);
kiln_status_t kiln_model_find_output(const kiln_model_t *model, const char *name, size_t *out_index);

/* Everything else the manifest says, into |*out_info| (pointers owned by the model, see kiln_model_info_t).
 * KILN_ERROR_INVALID_ARGUMENT for NULL arguments. Thread-safe. */
kiln_status_t kiln_model_info(const kiln_model_t *model, kiln_model_info_t *out_info);

/* ------------------------------------------------------------------------------------------------------ */
/* Running                                                                                                 */
/* ------------------------------------------------------------------------------------------------------ */

/* A caller-owned input buffer: dense, row-major, exactly the manifest's byte size. Only read. */
typedef struct kiln_input_t {
  const void *data; /* may be NULL only when bytes is 0 */
  size_t bytes;
} kiln_input_t;

/* A caller-owned output buffer the model writes into: dense, row-major, exactly the manifest's byte size. */
typedef struct kiln_output_t {
  void *data; /* may be NULL only when bytes is 0 */
  size_t bytes;
} kiln_output_t;

/* Runs the model once. |inputs| has kiln_model_input_count entries and |outputs| kiln_model_output_count
 * entries, in manifest order (the arrays may be NULL only when their count is 0). Before any generated code
 * runs, checks the counts, every pointer, and every byte size against the manifest, and that no output
 * shares a byte with an input, another output or the scratch buffer (the generated code assumes it does not);
 * on failure nothing is written to the outputs. Then calls NAME_run, which mallocs and frees its own scratch memory: use
 * kiln_model_run_with_scratch to avoid that allocation.
 * Returns KILN_ERROR_OUT_OF_MEMORY if the generated code could not allocate its scratch memory and
 * KILN_ERROR_EXECUTION for any other non-zero code it returns; outputs are then unspecified.
 * Thread-safe: any number of threads may run the same model at once, each with its own output buffers.
 * Inputs may be shared between concurrent calls. The caller keeps ownership of every buffer; none is
 * retained after the call returns. */
kiln_status_t kiln_model_run(const kiln_model_t *model, const kiln_input_t *inputs, size_t num_inputs,
                             const kiln_output_t *outputs, size_t num_outputs);

/* As kiln_model_run, but the generated code uses |scratch| (64-byte aligned, at least
 * kiln_model_scratch_bytes bytes, passed as |scratch_bytes|) and allocates nothing. |scratch| may be NULL
 * when the model needs no scratch memory. KILN_ERROR_INVALID_ARGUMENT if it is misaligned or too small.
 * Thread-safe, provided concurrent calls use different scratch buffers. The caller owns |scratch|. */
kiln_status_t kiln_model_run_with_scratch(const kiln_model_t *model, const kiln_input_t *inputs,
                                          size_t num_inputs, const kiln_output_t *outputs, size_t num_outputs,
                                          void *scratch, size_t scratch_bytes);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
