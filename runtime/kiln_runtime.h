/* kiln_runtime.h: the Kiln C runtime. Loads a compiled Kiln artifact (docs/artifact-format.md, format 2),
 * checks that its manifest, shared library and external weights belong together, and runs its entry points
 * on caller-owned buffers.
 *
 * Plain C11, includable from C++. Link the static library `kiln_runtime` (C++17 inside, so link with a C++
 * linker or add -lstdc++) and -ldl -lpthread. No MLIR/LLVM dependency. Every constant of the artifact
 * contract (versions, element types, alignments, the codes generated code returns) comes from kiln_abi.h,
 * which this header includes and which is installed beside it.
 *
 * Conventions:
 *   - Fallible calls return kiln_status_t; results come back through out_* parameters, which are written
 *     only on KILN_OK.
 *   - On failure, kiln_last_error() gives a one-line message naming the call and the problem.
 *   - Strings and arrays returned by the runtime are owned by it; each function says how long they live.
 *   - "Thread-safe": may be called from any number of threads at once. "Thread-compatible": calls on the
 *     same object need external synchronization; calls on different objects do not.
 *   - Sizes are in bytes; indices count from 0 in manifest order.
 *   - An artifact has one or more entry points ("run" for inference; "grad", "train_step", ... for others),
 *     each with its own inputs, outputs and scratch size. The kiln_model_entry_* functions and
 *     kiln_model_run_entry take an entry point index (kiln_model_find_entry_point). The older functions
 *     without one (kiln_model_input_count, kiln_model_run, ...) are shorthands for the entry point named
 *     "run"; on a model without one, they fail with KILN_ERROR_NOT_FOUND (or return 0 where they cannot fail).
 *
 * Minimal use:
 *
 *     kiln_model_t *m = NULL;
 *     if (kiln_model_load("out/small_cnn", &m) != KILN_OK) { fprintf(stderr, "%s\n", kiln_last_error()); ... }
 *     kiln_input_t in[1] = {{x, sizeof x}};
 *     kiln_output_t out[1] = {{y, sizeof y}};
 *     if (kiln_model_run(m, in, 1, out, 1) != KILN_OK) { ... }       (the entry point "run")
 *
 *     size_t grad;
 *     if (kiln_model_find_entry_point(m, "grad", &grad) == KILN_OK)
 *       kiln_model_run_entry(m, grad, grad_in, n_in, grad_out, n_out, NULL);
 *     kiln_model_destroy(m);
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "kiln_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The runtime's own version; equals the Kiln release it ships with (runtime/CMakeLists.txt checks this). */
#define KILN_RUNTIME_VERSION_MAJOR 0
#define KILN_RUNTIME_VERSION_MINOR 2
#define KILN_RUNTIME_VERSION_PATCH 0

/* The manifest `format_version` (KILN_ARTIFACT_FORMAT_VERSION) and signature tag (KILN_ABI_TAG) this runtime
 * reads are those of kiln_abi.h: format 2 only. */

/* ------------------------------------------------------------------------------------------------------ */
/* Status and errors                                                                                       */
/* ------------------------------------------------------------------------------------------------------ */

/* Result of every fallible call. Values are stable across releases. */
typedef enum kiln_status_t {
  /* Success. */
  KILN_OK = 0,
  /* The caller broke a precondition: a NULL pointer, a wrong input/output count, a buffer whose byte size
   * differs from the manifest's, an index out of range, a misaligned or too small scratch buffer, bad run
   * options, or running a model opened with kiln_model_load_manifest. Nothing was run. Also returned when
   * the generated code reports KILN_CODE_MISALIGNED_SCRATCH or KILN_CODE_SCRATCH_TOO_SMALL. */
  KILN_ERROR_INVALID_ARGUMENT = 1,
  /* Something named does not exist: the artifact path, its manifest, the shared library or weights file
   * the manifest names, a symbol the library should export, an entry point, or an input/output/weight name
   * passed to a kiln_model_find_* function. */
  KILN_ERROR_NOT_FOUND = 2,
  /* A file exists but could not be read or mapped. */
  KILN_ERROR_IO = 3,
  /* The manifest is unusable: not JSON, truncated, a missing or mistyped field, an unsupported format or
   * format_version (format 1 artifacts must be compiled again), a file name that is not a plain name inside
   * the artifact folder, sizes or weight offsets that do not add up, a weights file of another size than
   * the manifest says, or a signature that differs from the one compiled into the shared library. */
  KILN_ERROR_BAD_MANIFEST = 4,
  /* dlopen failed: not a shared library, built for another machine, or missing dependencies. For a CUDA
   * artifact also: the CUDA driver could not be loaded or initialized, there is no CUDA device (or
   * KILN_CUDA_DEVICE names none), the artifact has no image for the device's architecture, or the driver
   * refused the image. */
  KILN_ERROR_LOAD = 5,
  /* Memory allocation failed, in the runtime or in the generated code's scratch allocation, or device
   * memory ran out (a CUDA artifact's weights at load, a call's device buffers). */
  KILN_ERROR_OUT_OF_MEMORY = 6,
  /* The generated code returned a non-zero code the runtime did not expect (kiln_last_error gives it), or,
   * for a CUDA artifact, a copy, a kernel launch or the kernels themselves failed (kiln_last_error names the
   * kernel and the CUDA error). */
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

/* Element type of a tensor: one enumerator KILN_DTYPE_<ENUM> per row of KILN_DTYPES in kiln_abi.h, with
 * that row's code as its value: KILN_DTYPE_F16 (0, IEEE binary16), KILN_DTYPE_BF16 (1, the upper 16 bits
 * of a binary32), KILN_DTYPE_F32 (2), KILN_DTYPE_F64 (3), KILN_DTYPE_BOOL (4, one byte, 0 or 1),
 * KILN_DTYPE_I8 (5), KILN_DTYPE_I32 (6), KILN_DTYPE_I64 (7), KILN_DTYPE_U8 (8), KILN_DTYPE_I16 (9),
 * KILN_DTYPE_U16 (10), KILN_DTYPE_U32 (11), KILN_DTYPE_U64 (12), the float8 types KILN_DTYPE_F8E4M3FN (13),
 * KILN_DTYPE_F8E4M3FNUZ (14), KILN_DTYPE_F8E5M2 (15), KILN_DTYPE_F8E5M2FNUZ (16), and the packed types
 * KILN_DTYPE_I4 (17), KILN_DTYPE_U4 (18), KILN_DTYPE_I2 (19), KILN_DTYPE_U2 (20), several to a byte as
 * kiln_abi.h lays them out. Values are stable across releases. Data is little-endian, row-major, dense. */
#define KILN_DTYPE_ENUMERATOR_(ENUM, code, numpy_name, signature_name, bytes, bits) KILN_DTYPE_##ENUM = code,
typedef enum kiln_dtype_t { KILN_DTYPES(KILN_DTYPE_ENUMERATOR_) } kiln_dtype_t;
#undef KILN_DTYPE_ENUMERATOR_

/* Size of one element in bytes; 0 for a packed type (int4, uint4, int2, uint2: use kiln_dtype_bits or a
 * tensor's `bytes`) and for a value outside kiln_dtype_t. Thread-safe. */
size_t kiln_dtype_size(kiln_dtype_t dtype);

/* Size of one element in bits (bool: 8); 0 for a value outside kiln_dtype_t. A tensor of N elements takes
 * ceil(N * bits / 8) bytes. Thread-safe. */
size_t kiln_dtype_bits(kiln_dtype_t dtype);

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
 * library and its mapped weights file. Immutable once loaded, so every const function below is thread-safe
 * on the same model, including kiln_model_run and kiln_model_run_entry. kiln_model_destroy must not run
 * concurrently with any other use of the same model. */
typedef struct kiln_model kiln_model_t;

/* Description of one input, output or weight. Every pointer in it is owned by the model and stays valid
 * until kiln_model_destroy; do not free them. */
typedef struct kiln_tensor_info_t {
  const char *name;     /* as in the manifest; NUL-terminated, never NULL */
  kiln_dtype_t dtype;
  size_t rank;          /* 0 for a scalar */
  const int64_t *shape; /* |rank| dimensions; not NULL even when rank is 0 */
  size_t bytes;         /* ceil(product of shape x kiln_dtype_bits(dtype) / 8): the exact buffer size */
} kiln_tensor_info_t;

/* The rest of the manifest. Every string is owned by the model, valid until kiln_model_destroy, and never
 * NULL (an optional manifest field that is absent reads as ""). */
typedef struct kiln_model_info_t {
  const char *name;            /* the artifact's NAME; symbols are NAME_run, NAME_run_ctx etc. */
  const char *source;          /* the model file it was compiled from */
  const char *kiln_version;    /* the compiler that wrote it */
  const char *target_triple;   /* e.g. "x86_64-unknown-linux-gnu" */
  const char *target_cpu;      /* e.g. "znver4" */
  const char *target_features; /* e.g. "+avx2,+fma" */
  const char *signature;       /* the canonical signature string (docs/artifact-format.md) */
  const char *manifest_path;   /* path of the manifest that was read */
  const char *library_path;    /* path of the shared library (named even when it was not opened) */
  int library_loaded;          /* 1 from kiln_model_load, 0 from kiln_model_load_manifest */
  size_t scratch_bytes;        /* of the entry point "run"; 0 if the model has none */
  size_t num_inputs;           /* of the entry point "run"; 0 if the model has none */
  size_t num_outputs;          /* of the entry point "run"; 0 if the model has none */
  size_t num_entry_points;     /* at least 1 */
  /* External weights (compiled with --weights external): the path of the weights file (DIR/NAME.weights.bin,
   * named even when it was not mapped), its size in bytes and how many tensors it holds. "", 0 and 0 when
   * the weights are embedded in the library. With kiln_model_load the file was mapped; with
   * kiln_model_load_manifest it was not opened. */
  const char *weights_path;
  size_t weights_bytes;
  size_t num_weights;
} kiln_model_info_t;

/* Opens an artifact. |path| is the artifact folder (which must hold exactly one *.json manifest), its
 * libNAME.so, or its NAME.json manifest. Reads and validates the manifest (every check listed in
 * docs/artifact-format.md, "What the runtime checks"; a format 1 manifest is refused with
 * KILN_ERROR_BAD_MANIFEST, saying it must be compiled again), dlopens the library it names
 * (RTLD_NOW | RTLD_LOCAL), finds NAME_signature and, for every entry point E, NAME_E and NAME_E_ctx
 * (KILN_ERROR_NOT_FOUND if one is missing), and checks that the library's signature equals the one rebuilt
 * from the manifest. With external weights, it then maps the weights file read-only (KILN_ERROR_NOT_FOUND if
 * it is missing, KILN_ERROR_IO if it cannot be read or mapped, KILN_ERROR_BAD_MANIFEST if its size is not
 * the manifest's weights.bytes); every run is given that mapping. Do not modify or truncate the weights file
 * while the model is loaded: the mapping would see the change, or fault. Note that dlopen runs the library's
 * initializers: only load artifacts you trust.
 * A CUDA artifact (its manifest has a `device` object of kind "cuda"; see "Devices" below) is checked and
 * opened the same way (its library holds the host code), and then put on a GPU: the CUDA driver is loaded
 * with dlopen (the library the environment variable KILN_CUDA_DRIVER names, else "libcuda.so.1"; nothing
 * links against CUDA), the device is the one KILN_CUDA_DEVICE names (an index; default 0), the image is the
 * device architecture's cubin, else the PTX of the newest architecture not above it, loaded as a module with
 * every kernel of `device.kernels`, and the weights file is uploaded to one device allocation, once. Each model
 * has its own driver handle, context reference, module and device memory, all released by
 * kiln_model_destroy. Failures: KILN_ERROR_LOAD (no driver: the message names the library and the reason;
 * cuInit failing or no device: the CUDA error's name; no image for the device: its architecture and the
 * artifact's; the driver refusing the image), KILN_ERROR_NOT_FOUND / KILN_ERROR_IO (an image file missing or
 * unreadable; an image without one of the kernels is KILN_ERROR_NOT_FOUND), KILN_ERROR_OUT_OF_MEMORY (device
 * memory for the weights).
 * Thread-safe (different calls create different models). Caller owns |*out_model|; free it with
 * kiln_model_destroy. |*out_model| is set only on KILN_OK. */
kiln_status_t kiln_model_load(const char *path, kiln_model_t **out_model);

/* As kiln_model_load, but reads only the manifest and never opens the library or the weights file: for
 * inspecting artifacts built for another machine or not trusted. For a CUDA artifact it checks the `device`
 * object but neither loads the CUDA driver nor reads the images, so it works on machines without a GPU.
 * Running such a model fails with KILN_ERROR_INVALID_ARGUMENT. Thread-safe. Caller owns |*out_model|; free it
 * with kiln_model_destroy. */
kiln_status_t kiln_model_load_manifest(const char *path, kiln_model_t **out_model);

/* Frees |model|, unmaps its weights and closes its library (for a CUDA model, also frees its device memory,
 * streams and module and releases the driver); NULL is a no-op. Invalidates every pointer
 * obtained from the model. Not thread-safe with respect to |model|: no other call on it may be in progress
 * or follow. */
void kiln_model_destroy(kiln_model_t *model);

/* The model's NAME. Owned by the model, valid until kiln_model_destroy. NULL if |model| is NULL.
 * Thread-safe. */
const char *kiln_model_name(const kiln_model_t *model);

/* Everything else the manifest says, into |*out_info| (pointers owned by the model, see kiln_model_info_t).
 * KILN_ERROR_INVALID_ARGUMENT for NULL arguments. Thread-safe. */
kiln_status_t kiln_model_info(const kiln_model_t *model, kiln_model_info_t *out_info);

/* ------------------------------------------------------------------------------------------------------ */
/* Entry points                                                                                            */
/* ------------------------------------------------------------------------------------------------------ */

/* Description of one entry point. Its strings are owned by the model and valid until kiln_model_destroy. */
typedef struct kiln_entry_point_info_t {
  const char *name;     /* "run", "grad", ...: a C identifier, unique within the model */
  const char *symbol;   /* the function the library exports for it, NAME_E (NAME_E_ctx is what runs) */
  size_t scratch_bytes; /* size of the scratch buffer it needs (KILN_SCRATCH_ALIGNMENT-aligned); may be 0 */
  size_t num_inputs;
  size_t num_outputs;
} kiln_entry_point_info_t;

/* Number of entry points, in manifest order; at least 1 for a loaded model, 0 if |model| is NULL.
 * Thread-safe. */
size_t kiln_model_entry_point_count(const kiln_model_t *model);

/* Finds the entry point called |name| (exact, case-sensitive) and stores its index in |*out_entry|.
 * KILN_ERROR_NOT_FOUND if there is none (the message lists the model's entry points);
 * KILN_ERROR_INVALID_ARGUMENT for NULL arguments. Thread-safe. Does not keep |name|. */
kiln_status_t kiln_model_find_entry_point(const kiln_model_t *model, const char *name, size_t *out_entry);

/* Describes entry point |entry| into |*out_info| (see kiln_entry_point_info_t). KILN_ERROR_INVALID_ARGUMENT
 * for NULL arguments or |entry| >= kiln_model_entry_point_count. Thread-safe. */
kiln_status_t kiln_model_entry_point_info(const kiln_model_t *model, size_t entry,
                                          kiln_entry_point_info_t *out_info);

/* Describes input / output |index| of entry point |entry| into |*out_info|; its pointers are owned by the
 * model (see kiln_tensor_info_t). KILN_ERROR_INVALID_ARGUMENT for NULL arguments, |entry| out of range, or
 * |index| >= the entry point's num_inputs / num_outputs. Thread-safe. */
kiln_status_t kiln_model_entry_input_info(const kiln_model_t *model, size_t entry, size_t index,
                                          kiln_tensor_info_t *out_info);
kiln_status_t kiln_model_entry_output_info(const kiln_model_t *model, size_t entry, size_t index,
                                           kiln_tensor_info_t *out_info);

/* Finds the input / output of entry point |entry| called |name| (exact, case-sensitive) and stores its index
 * in |*out_index|. KILN_ERROR_NOT_FOUND if there is none; KILN_ERROR_INVALID_ARGUMENT for NULL arguments or
 * |entry| out of range. Thread-safe. Does not keep |name|. */
kiln_status_t kiln_model_entry_find_input(const kiln_model_t *model, size_t entry, const char *name,
                                          size_t *out_index);
kiln_status_t kiln_model_entry_find_output(const kiln_model_t *model, size_t entry, const char *name,
                                           size_t *out_index);

/* ------------------------------------------------------------------------------------------------------ */
/* The entry point "run" (shorthands)                                                                      */
/* ------------------------------------------------------------------------------------------------------ */
/* Each of these is its kiln_model_entry_* counterpart applied to the entry point named "run". */

/* Scratch size of "run" in bytes; 0 if |model| is NULL or has no entry point "run". Thread-safe. */
size_t kiln_model_scratch_bytes(const kiln_model_t *model);

/* Number of inputs / outputs of "run"; 0 if |model| is NULL or has no entry point "run". Thread-safe. */
size_t kiln_model_input_count(const kiln_model_t *model);
size_t kiln_model_output_count(const kiln_model_t *model);

/* Describes input / output |index| of "run" into |*out_info|; its pointers are owned by the model (see
 * kiln_tensor_info_t). KILN_ERROR_INVALID_ARGUMENT for NULL arguments or |index| >= the count;
 * KILN_ERROR_NOT_FOUND if the model has no entry point "run". Thread-safe. */
kiln_status_t kiln_model_input_info(const kiln_model_t *model, size_t index, kiln_tensor_info_t *out_info);
kiln_status_t kiln_model_output_info(const kiln_model_t *model, size_t index, kiln_tensor_info_t *out_info);

/* Finds the input / output of "run" called |name| (exact, case-sensitive) and stores its index in
 * |*out_index|. KILN_ERROR_NOT_FOUND if there is none or the model has no entry point "run";
 * KILN_ERROR_INVALID_ARGUMENT for NULL arguments. Thread-safe. Does not keep |name|. */
kiln_status_t kiln_model_find_input(const kiln_model_t *model, const char *name, size_t *out_index);
kiln_status_t kiln_model_find_output(const kiln_model_t *model, const char *name, size_t *out_index);

/* ------------------------------------------------------------------------------------------------------ */
/* External weights                                                                                        */
/* ------------------------------------------------------------------------------------------------------ */

/* One tensor of the weights file. Pointers are owned by the model and valid until kiln_model_destroy. */
typedef struct kiln_weight_info_t {
  kiln_tensor_info_t tensor; /* name, dtype, shape and size in bytes */
  size_t offset;             /* where it starts in the weights file: a multiple of KILN_WEIGHTS_ALIGNMENT */
  const void *data;          /* the tensor's bytes in the read-only mapping (do not write); NULL for a model
                                from kiln_model_load_manifest, which maps nothing */
} kiln_weight_info_t;

/* Describes weight |index| (manifest order; kiln_model_info_t.num_weights of them) into |*out_info|.
 * KILN_ERROR_INVALID_ARGUMENT for NULL arguments or |index| out of range (always, for embedded weights).
 * Thread-safe. */
kiln_status_t kiln_model_weight_info(const kiln_model_t *model, size_t index, kiln_weight_info_t *out_info);

/* Finds the weight called |name| (exact, case-sensitive) and stores its index in |*out_index|.
 * KILN_ERROR_NOT_FOUND if there is none (always, for embedded weights); KILN_ERROR_INVALID_ARGUMENT for NULL
 * arguments. Thread-safe. Does not keep |name|. */
kiln_status_t kiln_model_find_weight(const kiln_model_t *model, const char *name, size_t *out_index);

/* ------------------------------------------------------------------------------------------------------ */
/* Devices (CUDA artifacts)                                                                                */
/* ------------------------------------------------------------------------------------------------------ */
/* An artifact compiled with `kiln compile --target cuda` runs its kernels on an NVIDIA GPU: its manifest's
 * `device` object lists the architectures it was compiled for, the images holding the kernels (a cubin per
 * architecture, PTX for the newest) and every kernel with the launch shape the host code uses
 * (docs/artifact-format.md, "CUDA artifacts"). Every other artifact runs on the CPU. These functions describe
 * the `device` object; they work on a model from kiln_model_load_manifest too (no driver needed). Strings
 * and arrays are owned by the model and valid until kiln_model_destroy. */

/* The device of an artifact, and, once loaded, the GPU that runs it. */
typedef struct kiln_device_info_t {
  const char *kind;                  /* "cpu" (no `device` object) or "cuda" */
  size_t num_architectures;          /* device.architectures; 0 for "cpu" */
  const char *const *architectures;  /* num_architectures names like "sm_90"; NULL when there are none */
  size_t num_kernels;                /* device.kernels (kiln_model_kernel_info); 0 for "cpu" */
  size_t num_images;                 /* device.images (kiln_model_image_info); 0 for "cpu" */
  /* The GPU kiln_model_load put the model on: its index (KILN_CUDA_DEVICE, default 0), its architecture
   * ("sm_90", from its compute capability) and the image chosen for it (an index into the images). -1, ""
   * and SIZE_MAX when nothing was loaded: a "cpu" model, or one from kiln_model_load_manifest. */
  int device_ordinal;
  const char *device_architecture;
  size_t loaded_image;
} kiln_device_info_t;

/* Describes the model's device into |*out_info|. KILN_ERROR_INVALID_ARGUMENT for NULL arguments.
 * Thread-safe. */
kiln_status_t kiln_model_device_info(const kiln_model_t *model, kiln_device_info_t *out_info);

/* One kernel of device.kernels: the generated code launches kernel |index| (its position in manifest order)
 * as ctx->device->launch(..., index, grid, block, shared_bytes, args) with |params| arguments. */
typedef struct kiln_kernel_info_t {
  const char *name;      /* its name in every image */
  uint32_t grid[3];      /* blocks in x, y, z; each at least 1 */
  uint32_t block[3];     /* threads per block in x, y, z; each at least 1 */
  uint32_t shared_bytes; /* dynamic shared memory per block */
  uint32_t params;       /* its arguments, each a device pointer */
} kiln_kernel_info_t;

/* Describes kernel |index| (< kiln_device_info_t.num_kernels) into |*out_info|. KILN_ERROR_INVALID_ARGUMENT
 * for NULL arguments or |index| out of range (always, for a "cpu" model). Thread-safe. */
kiln_status_t kiln_model_kernel_info(const kiln_model_t *model, size_t index, kiln_kernel_info_t *out_info);

/* One image of device.images. */
typedef struct kiln_image_info_t {
  const char *architecture; /* "sm_90" ("sm_90a": architecture-specific, runs on exactly sm_90) */
  const char *format;       /* "cubin" (machine code for exactly |architecture|) or "ptx" (also for newer ones) */
  const char *path;         /* DIR/FILE: the artifact folder and the manifest's `file` */
  int loaded;               /* 1 for the image kiln_model_load chose for the device, else 0 */
} kiln_image_info_t;

/* Describes image |index| (< kiln_device_info_t.num_images) into |*out_info|. KILN_ERROR_INVALID_ARGUMENT for
 * NULL arguments or |index| out of range (always, for a "cpu" model). Thread-safe. */
kiln_status_t kiln_model_image_info(const kiln_model_t *model, size_t index, kiln_image_info_t *out_info);

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

/* How one kiln_model_run_entry call runs. Initialize with KILN_RUN_OPTIONS_INIT (which sets struct_size and
 * zeroes the rest: the defaults), then set what you need. Fields may be added at the end in later releases;
 * struct_size tells the runtime which ones the caller has. */
typedef struct kiln_run_options_t {
  /* sizeof(kiln_run_options_t) as the caller was compiled: this header's, or that of a release before
   * device_buffers was added (offsetof(kiln_run_options_t, device_buffers); the missing field is then 0).
   * Any other value is KILN_ERROR_INVALID_ARGUMENT. */
  size_t struct_size;
  /* A caller-owned buffer for the entry point's intermediate tensors: KILN_SCRATCH_ALIGNMENT-aligned and at
   * least the entry point's scratch_bytes long (|scratch_bytes| says how long it is). The generated code then
   * allocates nothing. One buffer per concurrent call; no output may overlap it. The runtime does not keep
   * it after the call. NULL (with |scratch_bytes| 0): the runtime lends one of its own, one buffer per call
   * in flight, allocated when a call first needs it and kept with the model until kiln_model_destroy, so
   * calls allocate nothing after the first (KILN_ERROR_OUT_OF_MEMORY if that allocation fails). */
  void *scratch;
  size_t scratch_bytes;
  /* The most threads the call may use, counting the calling thread. 0 lets the runtime choose: the
   * KILN_NUM_THREADS environment variable if it is a positive integer, else the number of CPUs the process
   * may run on (sched_getaffinity). 1 runs everything on the calling thread. With more than one, the
   * runtime lends the generated code a thread pool of its own of that many threads, one pool per
   * concurrent call, made on the first call that needs it and kept until kiln_model_destroy. The generated
   * code splits work only where the pieces write disjoint outputs and each piece computes in the same order
   * as the serial code, so results are bitwise identical for every thread count. CUDA models ignore it. */
  size_t num_threads;
  /* CUDA models only (KILN_ERROR_INVALID_ARGUMENT on a CPU model when non-zero). 0: the inputs and outputs
   * are host memory; the runtime copies them to and from device buffers of its own (one set per call in
   * flight, allocated when first needed and kept with the model). Non-zero: every input and output pointer,
   * and |scratch| if given, is a device address (CUdeviceptr) on the model's device, passed to the kernels as
   * is, without copies; the call still returns only once its kernels have finished. Sizes, alignment and
   * overlap are checked as for host buffers; that the addresses are device memory is not. A non-NULL |scratch|
   * without device_buffers is refused on a CUDA model (KILN_ERROR_INVALID_ARGUMENT): give none, and the
   * runtime lends device scratch. */
  int device_buffers;
} kiln_run_options_t;

#define KILN_RUN_OPTIONS_INIT {sizeof(kiln_run_options_t), NULL, 0, 0, 0}

/* Runs entry point |entry| once. |inputs| has the entry point's num_inputs entries and |outputs| its
 * num_outputs entries, in manifest order (each array may be NULL only when its count is 0). |options| may be
 * NULL: the defaults of KILN_RUN_OPTIONS_INIT.
 * Before any generated code runs, checks |entry|, the options (struct_size; a given scratch buffer's
 * alignment and size, and that scratch_bytes is 0 when scratch is NULL), the counts, every pointer, every
 * byte size against the manifest, and that no output shares a byte with an input, another output or the
 * scratch buffer (the generated code assumes it does not); each failure is KILN_ERROR_INVALID_ARGUMENT and
 * nothing is written to the outputs. Then calls NAME_E_ctx with a kiln_context_t holding the scratch buffer
 * (if given) and the mapped weights (if external), and turns its return code into a status:
 *   KILN_CODE_OUT_OF_MEMORY                                     -> KILN_ERROR_OUT_OF_MEMORY
 *   KILN_CODE_MISALIGNED_SCRATCH, KILN_CODE_SCRATCH_TOO_SMALL  -> KILN_ERROR_INVALID_ARGUMENT
 *   any other non-zero code                                    -> KILN_ERROR_EXECUTION
 * kiln_last_error then names the function, the code and its KILN_CODE_* name; outputs are unspecified.
 * A CUDA model runs the call on a stream of its own (one per call in flight, kept with the model): without
 * options->device_buffers it copies the inputs (and a training state output, which is read too) into device
 * buffers, calls NAME_E_ctx with those, the device weights, device scratch and a kiln_device_t whose launch is
 * cuLaunchKernel, copies the outputs back, and synchronizes the stream before returning. Codes and errors:
 *   KILN_CODE_NO_DEVICE, KILN_CODE_LAUNCH_FAILED, a CUDA error of a copy, launch or of the kernels
 *                                                               -> KILN_ERROR_EXECUTION (naming the kernel and
 *                                                                  the CUDA error's name where there is one)
 *   no device memory for the call's buffers                    -> KILN_ERROR_OUT_OF_MEMORY
 *   a host scratch buffer (see kiln_run_options_t.device_buffers) -> KILN_ERROR_INVALID_ARGUMENT
 * A kernel that fails after being queued may leave the CUDA context unusable: later calls then fail too.
 * KILN_ERROR_INVALID_ARGUMENT also for a NULL |model| or one opened with kiln_model_load_manifest.
 * Thread-safe: any number of threads may run the same model (the same or different entry points) at once,
 * each with its own output and scratch buffers. Inputs may be shared between concurrent calls. The caller
 * keeps ownership of every buffer and of |options|; none is retained after the call returns. */
kiln_status_t kiln_model_run_entry(const kiln_model_t *model, size_t entry, const kiln_input_t *inputs,
                                   size_t num_inputs, const kiln_output_t *outputs, size_t num_outputs,
                                   const kiln_run_options_t *options);

/* kiln_model_run_entry on the entry point "run" with default options (the runtime chooses the thread count;
 * see kiln_run_options_t.num_threads) and the runtime's own scratch buffers (see kiln_run_options_t.scratch;
 * kiln_model_run_with_scratch uses the caller's instead).
 * KILN_ERROR_NOT_FOUND if the model has no entry point "run"; otherwise the statuses of
 * kiln_model_run_entry. Thread-safe, as kiln_model_run_entry. */
kiln_status_t kiln_model_run(const kiln_model_t *model, const kiln_input_t *inputs, size_t num_inputs,
                             const kiln_output_t *outputs, size_t num_outputs);

/* As kiln_model_run, but the generated code uses |scratch| (KILN_SCRATCH_ALIGNMENT-aligned, at least
 * kiln_model_scratch_bytes bytes, passed as |scratch_bytes|) and allocates nothing. |scratch| may be NULL
 * only when "run" needs no scratch memory. KILN_ERROR_INVALID_ARGUMENT if it is NULL when needed, misaligned
 * or too small; on a CUDA model, also if |scratch| is not NULL (a host buffer: use kiln_model_run_entry with
 * device_buffers for device scratch). Thread-safe, provided concurrent calls use different scratch buffers.
 * The caller owns |scratch|. */
kiln_status_t kiln_model_run_with_scratch(const kiln_model_t *model, const kiln_input_t *inputs,
                                          size_t num_inputs, const kiln_output_t *outputs, size_t num_outputs,
                                          void *scratch, size_t scratch_bytes);

/* ------------------------------------------------------------------------------------------------------ */
/* Training state (kiln compile --train)                                                                   */
/* ------------------------------------------------------------------------------------------------------ */
/* A model compiled with --train keeps its trained weights and the optimizer state in one caller-owned
 * buffer of kiln_model_state_bytes bytes: kiln_model_init_state fills it, kiln_model_train_step reads it and
 * updates it in place. Each tensor lies at its offset (a multiple of KILN_STATE_ALIGNMENT), dense, row-major
 * and little-endian, so a program saves and restores the buffer as bytes and reads a tensor at its offset.
 * The buffer needs no alignment beyond its elements' (malloc's is enough). The entry points "init_state"
 * and "train_step" have the buffer as their last output, named "state"; these functions pass it for you. */

/* One tensor of the state buffer. Pointers are owned by the model and valid until kiln_model_destroy. */
typedef struct kiln_state_tensor_info_t {
  kiln_tensor_info_t tensor; /* name, dtype, shape and size in bytes */
  size_t offset;             /* where it starts in the state buffer: a multiple of KILN_STATE_ALIGNMENT */
} kiln_state_tensor_info_t;

/* Size of the state buffer in bytes; 0 if |model| is NULL or has no training state. Thread-safe. */
size_t kiln_model_state_bytes(const kiln_model_t *model);

/* Number of tensors in the state buffer (the weights it trains, then the optimizer state); 0 if |model| is
 * NULL or has no training state. Thread-safe. */
size_t kiln_model_state_tensor_count(const kiln_model_t *model);

/* Describes state tensor |index| into |*out_info|. KILN_ERROR_INVALID_ARGUMENT for NULL arguments or |index|
 * out of range. Thread-safe. */
kiln_status_t kiln_model_state_tensor_info(const kiln_model_t *model, size_t index,
                                           kiln_state_tensor_info_t *out_info);

/* Finds the state tensor called |name| (a weight's initializer name, or "W.momentum", "W.adam_m",
 * "W.adam_v", "adam.step", "dropout.step", "dropout.seed") and stores its index in |*out_index|.
 * A model with training-mode Dropout keys its masks by "dropout.seed" (int64, rank 0): init_state writes
 * the compile-time seed (kiln compile --seed, default 0), train_step reads it and never changes it. To draw
 * other masks at run time, write another seed there (at its offset, between init_state and the steps, or
 * at any time: the next step uses it); restoring a saved buffer restores its seed too. KILN_ERROR_NOT_FOUND if there is none;
 * KILN_ERROR_INVALID_ARGUMENT for NULL arguments. Thread-safe. Does not keep |name|. */
kiln_status_t kiln_model_find_state_tensor(const kiln_model_t *model, const char *name, size_t *out_index);

/* Fills |state| (|state_bytes| must be kiln_model_state_bytes) with the model's initial weights and a zero
 * optimizer state. |options| as for kiln_model_run_entry (may be NULL). KILN_ERROR_NOT_FOUND if the model
 * has no training state; KILN_ERROR_INVALID_ARGUMENT for a NULL |model| or |state|, a wrong size, or bad
 * options; otherwise the statuses of kiln_model_run_entry. Thread-safe, provided no other call uses |state|
 * at the same time. The caller owns |state|. */
kiln_status_t kiln_model_init_state(const kiln_model_t *model, void *state, size_t state_bytes,
                                    const kiln_run_options_t *options);

/* Runs one training step: forward, loss, backward and the optimizer's update of |state| in place.
 * |inputs| are the entry point "train_step"'s inputs (the model's inputs, then "target") and |outputs| its
 * outputs but the last ("loss", then the model's outputs, computed with the weights before the update), in
 * manifest order, checked as kiln_model_run_entry checks them; |state| (|state_bytes| bytes, which must be
 * kiln_model_state_bytes) must not overlap any of them. On a failure before the generated code runs (every
 * KILN_ERROR_INVALID_ARGUMENT and KILN_ERROR_NOT_FOUND), |state| is unchanged. Statuses as for
 * kiln_model_init_state. Thread-safe, provided no other call uses |state| at the same time. The caller owns
 * every buffer. */
kiln_status_t kiln_model_train_step(const kiln_model_t *model, void *state, size_t state_bytes,
                                    const kiln_input_t *inputs, size_t num_inputs, const kiln_output_t *outputs,
                                    size_t num_outputs, const kiln_run_options_t *options);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_RUNTIME_H */
