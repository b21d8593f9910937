/* fake_cuda.c: a recording stand-in for the CUDA driver (libcuda.so.1), so the runtime's CUDA path is tested
 * on machines without a GPU. Tests point KILN_CUDA_DRIVER at this library.
 *
 * It exports the driver functions runtime/cuda_driver.h resolves, with the driver's signatures, and:
 *   - "device memory" is host memory (malloc), so copies really move bytes and a test can read a device
 *     address the runtime passes through;
 *   - every call is appended as one line to the file KILN_FAKE_CUDA_LOG names (if set):
 *       cuMemAlloc bytes=96
 *       cuMemcpyHtoDAsync bytes=32 stream=1
 *       cuModuleLoadData image=fake-cuda-image sm_90 cubin
 *       cuLaunchKernel kernel=gpu_run_k0_mul grid=2,1,1 block=4,1,1 shared=0 stream=1
 *     (streams are numbered 1, 2, ... in creation order; 0 is the NULL stream);
 *   - kernels: an image is a text file whose first line names it ("fake-cuda-image sm_90 cubin") and whose
 *     other lines declare kernels, "kernel NAME OP" with OP one of
 *         mul   args (a, b, c): c[i] = a[i] * b[i]
 *         add   args (a, b, c): c[i] = a[i] + b[i]
 *         nop   does nothing
 *     over float32 elements i < grid x block (all three dimensions), one element per thread. This is the
 *     fake's whole "GPU": enough to make the data path (uploads, weights, scratch, downloads) observable.
 *     cuModuleGetFunction fails with CUDA_ERROR_NOT_FOUND for a name the image does not declare.
 *   - real images (what kiln compile --target cuda writes: PTX text or a cubin) load too, logged as
 *       cuModuleLoadData image=cubin bytes=85112      (or image=ptx bytes=52635)
 *     their kernels are found by name in the image (a PTX ".entry NAME(", a cubin's symbol string), and
 *     launching one records the launch and computes nothing: enough to check, without a GPU, which image the
 *     runtime chose and that the compiled host code launches the manifest's kernels in order with their
 *     launch shapes (test/e2e/cuda_launches.py).
 * Environment (read on every call):
 *   KILN_FAKE_CUDA_ARCH          the compute capability as major*10+minor (default 90: sm_90)
 *   KILN_FAKE_CUDA_DEVICES       how many devices cuDeviceGetCount reports (default 1)
 *   KILN_FAKE_CUDA_INIT_ERROR    a CUresult cuInit returns (e.g. 100, CUDA_ERROR_NO_DEVICE)
 *   KILN_FAKE_CUDA_ALLOC_LIMIT   cuMemAlloc succeeds this many times after cuInit, then returns
 *                                CUDA_ERROR_OUT_OF_MEMORY
 *   KILN_FAKE_CUDA_LAUNCH_ERROR  NAME=CODE: cuLaunchKernel of kernel NAME returns CODE
 *   KILN_FAKE_CUDA_SYNC_ERROR    a CUresult every cuStreamSynchronize returns (a kernel that faulted)
 * Not thread-safe beyond what the tests need: one mutex around the log and the counters.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_INVALID_IMAGE = 200,
  CUDA_ERROR_NOT_FOUND = 500,
};

#define MAX_KERNELS 16
#define MAX_NAME 128

struct fake_function {
  char name[MAX_NAME];
  char op[8];
};

struct fake_found {
  struct fake_function function;
  struct fake_found *next;
};

struct fake_module {
  char image[MAX_NAME];
  int count;
  struct fake_function functions[MAX_KERNELS];
  /* A real image: a copy to look kernels up in, and the functions found so far. */
  char *real;
  size_t real_bytes;
  struct fake_found *found;
};

struct fake_stream {
  int id;
};

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static int allocations; /* since cuInit */
static int streams;     /* created so far */
static int context;     /* the primary context's address is this variable's */

static long env_long(const char *name, long fallback) {
  const char *value = getenv(name);
  return value && *value ? strtol(value, NULL, 10) : fallback;
}

static void record(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void record(const char *format, ...) {
  const char *path = getenv("KILN_FAKE_CUDA_LOG");
  if (!path || !*path)
    return;
  pthread_mutex_lock(&mutex);
  FILE *log = fopen(path, "a");
  if (log) {
    va_list args;
    va_start(args, format);
    vfprintf(log, format, args);
    va_end(args);
    fputc('\n', log);
    fclose(log);
  }
  pthread_mutex_unlock(&mutex);
}

static int stream_id(void *stream) { return stream ? ((struct fake_stream *)stream)->id : 0; }

static const char *const error_names[][2] = {
    {"0", "CUDA_SUCCESS"},
    {"1", "CUDA_ERROR_INVALID_VALUE"},
    {"2", "CUDA_ERROR_OUT_OF_MEMORY"},
    {"100", "CUDA_ERROR_NO_DEVICE"},
    {"101", "CUDA_ERROR_INVALID_DEVICE"},
    {"200", "CUDA_ERROR_INVALID_IMAGE"},
    {"218", "CUDA_ERROR_INVALID_PTX"},
    {"500", "CUDA_ERROR_NOT_FOUND"},
    {"700", "CUDA_ERROR_ILLEGAL_ADDRESS"},
    {"701", "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"},
    {"719", "CUDA_ERROR_LAUNCH_FAILED"},
};

CUresult cuGetErrorName(CUresult error, const char **name) {
  for (size_t i = 0; i < sizeof error_names / sizeof error_names[0]; ++i)
    if (atoi(error_names[i][0]) == error) {
      *name = error_names[i][1];
      return CUDA_SUCCESS;
    }
  *name = NULL;
  return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuInit(unsigned flags) {
  record("cuInit flags=%u", flags);
  pthread_mutex_lock(&mutex);
  allocations = 0;
  pthread_mutex_unlock(&mutex);
  return (CUresult)env_long("KILN_FAKE_CUDA_INIT_ERROR", CUDA_SUCCESS);
}

CUresult cuDeviceGetCount(int *count) {
  *count = (int)env_long("KILN_FAKE_CUDA_DEVICES", 1);
  record("cuDeviceGetCount count=%d", *count);
  return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  record("cuDeviceGet ordinal=%d", ordinal);
  if (ordinal < 0 || ordinal >= env_long("KILN_FAKE_CUDA_DEVICES", 1))
    return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice device) {
  long arch = env_long("KILN_FAKE_CUDA_ARCH", 90);
  if (attribute == 75) /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
    *value = (int)(arch / 10);
  else if (attribute == 76) /* ..._MINOR */
    *value = (int)(arch % 10);
  else
    return CUDA_ERROR_INVALID_VALUE;
  record("cuDeviceGetAttribute attribute=%d device=%d value=%d", attribute, device, *value);
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(void **ctx, CUdevice device) {
  record("cuDevicePrimaryCtxRetain device=%d", device);
  *ctx = &context;
  return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
  record("cuDevicePrimaryCtxRelease device=%d", device);
  return CUDA_SUCCESS;
}

/* Pushes and pops are not logged: they come with every call and say nothing about the data. */
CUresult cuCtxPushCurrent_v2(void *ctx) { return ctx == &context ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE; }

CUresult cuCtxPopCurrent_v2(void **ctx) {
  if (ctx)
    *ctx = &context;
  return CUDA_SUCCESS;
}

/* The size of a cubin (an ELF64 file) from its header: the end of its section or program header table,
 * whichever comes last (ptxas writes the program headers last). */
static size_t elf_bytes(const unsigned char *elf) {
  uint64_t phoff, shoff;
  uint16_t phentsize, phnum, shentsize, shnum;
  memcpy(&phoff, elf + 0x20, 8);
  memcpy(&shoff, elf + 0x28, 8);
  memcpy(&phentsize, elf + 0x36, 2);
  memcpy(&phnum, elf + 0x38, 2);
  memcpy(&shentsize, elf + 0x3A, 2);
  memcpy(&shnum, elf + 0x3C, 2);
  uint64_t sections = shoff + (uint64_t)shentsize * shnum, programs = phoff + (uint64_t)phentsize * phnum;
  return (size_t)(sections > programs ? sections : programs);
}

static CUresult load_real_image(void **module, const char *image) {
  /* A cubin: a 64-bit ELF file for EM_CUDA (190) of a plausible size. */
  const unsigned char *elf = (const unsigned char *)image;
  int cubin = memcmp(image, "\x7f" "ELF", 4) == 0 && elf[4] == 2; /* then the 64-byte header is there */
  if (cubin) {
    uint16_t machine;
    memcpy(&machine, elf + 0x12, 2);
    cubin = machine == 190 && elf_bytes(elf) >= 64 && elf_bytes(elf) < ((size_t)1 << 30);
  }
  if (!cubin && !strstr(image, ".entry")) {
    record("cuModuleLoadData image=(not a fake image)");
    return CUDA_ERROR_INVALID_IMAGE;
  }
  struct fake_module *m = (struct fake_module *)calloc(1, sizeof *m);
  if (!m)
    return CUDA_ERROR_OUT_OF_MEMORY;
  m->real_bytes = cubin ? elf_bytes((const unsigned char *)image) : strlen(image);
  m->real = (char *)malloc(m->real_bytes + 1);
  if (!m->real) {
    free(m);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  memcpy(m->real, image, m->real_bytes);
  m->real[m->real_bytes] = 0;
  snprintf(m->image, sizeof m->image, "%s", cubin ? "cubin" : "ptx");
  record("cuModuleLoadData image=%s bytes=%zu", m->image, m->real_bytes);
  *module = m;
  return CUDA_SUCCESS;
}

/* Whether a real image defines kernel |name|. */
static int real_image_defines(const struct fake_module *m, const char *name) {
  char pattern[MAX_NAME + 16];
  size_t length;
  if (strcmp(m->image, "ptx") == 0)
    length = (size_t)snprintf(pattern, sizeof pattern, ".entry %s(", name);
  else /* a symbol name in the string table: NUL-delimited */
    length = (size_t)snprintf(pattern, sizeof pattern, "%c%s", 0, name) + 1;
  if (length >= sizeof pattern)
    return 0;
  for (size_t i = 0; i + length <= m->real_bytes; ++i)
    if (memcmp(m->real + i, pattern, length) == 0)
      return 1;
  return 0;
}

CUresult cuModuleLoadData(void **module, const void *image) {
  const char *text = (const char *)image;
  if (strncmp(text, "fake-cuda-image ", 16) != 0)
    return load_real_image(module, text);
  struct fake_module *m = (struct fake_module *)calloc(1, sizeof *m);
  if (!m)
    return CUDA_ERROR_OUT_OF_MEMORY;
  size_t first = strcspn(text, "\n");
  snprintf(m->image, sizeof m->image, "%.*s", (int)first, text);
  for (const char *line = text + first; *line && m->count < MAX_KERNELS;) {
    line += strspn(line, "\n");
    struct fake_function *f = &m->functions[m->count];
    if (sscanf(line, "kernel %127s %7s", f->name, f->op) == 2)
      ++m->count;
    line += strcspn(line, "\n");
  }
  record("cuModuleLoadData image=%s kernels=%d", m->image, m->count);
  *module = m;
  return CUDA_SUCCESS;
}

CUresult cuModuleUnload(void *module) {
  struct fake_module *m = (struct fake_module *)module;
  record("cuModuleUnload image=%s", m->image);
  while (m->found) {
    struct fake_found *next = m->found->next;
    free(m->found);
    m->found = next;
  }
  free(m->real);
  free(module);
  return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  struct fake_module *m = (struct fake_module *)module;
  record("cuModuleGetFunction name=%s", name);
  if (m->real) {
    if (strlen(name) >= MAX_NAME || !real_image_defines(m, name))
      return CUDA_ERROR_NOT_FOUND;
    struct fake_found *f = (struct fake_found *)calloc(1, sizeof *f);
    if (!f)
      return CUDA_ERROR_OUT_OF_MEMORY;
    snprintf(f->function.name, sizeof f->function.name, "%s", name);
    snprintf(f->function.op, sizeof f->function.op, "nop");
    f->next = m->found;
    m->found = f;
    *function = &f->function;
    return CUDA_SUCCESS;
  }
  for (int i = 0; i < m->count; ++i)
    if (strcmp(m->functions[i].name, name) == 0) {
      *function = &m->functions[i];
      return CUDA_SUCCESS;
    }
  return CUDA_ERROR_NOT_FOUND;
}

CUresult cuMemAlloc_v2(CUdeviceptr *address, size_t bytes) {
  pthread_mutex_lock(&mutex);
  long limit = env_long("KILN_FAKE_CUDA_ALLOC_LIMIT", -1);
  int refused = limit >= 0 && allocations >= limit;
  if (!refused)
    ++allocations;
  pthread_mutex_unlock(&mutex);
  record("cuMemAlloc bytes=%zu%s", bytes, refused ? " -> CUDA_ERROR_OUT_OF_MEMORY" : "");
  if (refused || bytes == 0)
    return refused ? CUDA_ERROR_OUT_OF_MEMORY : CUDA_ERROR_INVALID_VALUE;
  /* cuMemAlloc's alignment; the memory is zeroed so tests read no garbage. */
  void *memory = aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!memory)
    return CUDA_ERROR_OUT_OF_MEMORY;
  memset(memory, 0, bytes);
  *address = (CUdeviceptr)(uintptr_t)memory;
  return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr address) {
  record("cuMemFree");
  free((void *)(uintptr_t)address);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes, void *stream) {
  record("cuMemcpyHtoDAsync bytes=%zu stream=%d", bytes, stream_id(stream));
  memcpy((void *)(uintptr_t)dst, src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes, void *stream) {
  record("cuMemcpyDtoHAsync bytes=%zu stream=%d", bytes, stream_id(stream));
  memcpy(dst, (const void *)(uintptr_t)src, bytes);
  return CUDA_SUCCESS;
}

CUresult cuStreamCreate(void **stream, unsigned flags) {
  struct fake_stream *s = (struct fake_stream *)malloc(sizeof *s);
  if (!s)
    return CUDA_ERROR_OUT_OF_MEMORY;
  pthread_mutex_lock(&mutex);
  s->id = ++streams;
  pthread_mutex_unlock(&mutex);
  record("cuStreamCreate stream=%d flags=%u", s->id, flags);
  *stream = s;
  return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(void *stream) {
  record("cuStreamDestroy stream=%d", stream_id(stream));
  free(stream);
  return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(void *stream) {
  record("cuStreamSynchronize stream=%d", stream_id(stream));
  return (CUresult)env_long("KILN_FAKE_CUDA_SYNC_ERROR", CUDA_SUCCESS);
}

/* KILN_FAKE_CUDA_LAUNCH_ERROR=NAME=CODE: the code for kernel |name|, or 0. */
static CUresult injected_launch_error(const char *name) {
  const char *spec = getenv("KILN_FAKE_CUDA_LAUNCH_ERROR");
  const char *equals = spec ? strrchr(spec, '=') : NULL;
  if (!equals || (size_t)(equals - spec) != strlen(name) || strncmp(spec, name, strlen(name)) != 0)
    return CUDA_SUCCESS;
  return (CUresult)strtol(equals + 1, NULL, 10);
}

CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned shared, void *stream, void **args, void **extra) {
  const struct fake_function *f = (const struct fake_function *)function;
  CUresult injected = injected_launch_error(f->name);
  record("cuLaunchKernel kernel=%s grid=%u,%u,%u block=%u,%u,%u shared=%u stream=%d%s", f->name, gx, gy, gz, bx,
         by, bz, shared, stream_id(stream), injected ? " -> refused" : "");
  if (injected)
    return injected;
  if (!args || extra)
    return CUDA_ERROR_INVALID_VALUE;
  size_t n = (size_t)gx * gy * gz * bx * by * bz;
  if (strcmp(f->op, "nop") == 0)
    return CUDA_SUCCESS;
  const float *a = (const float *)(uintptr_t) * (CUdeviceptr *)args[0];
  const float *b = (const float *)(uintptr_t) * (CUdeviceptr *)args[1];
  float *c = (float *)(uintptr_t) * (CUdeviceptr *)args[2];
  for (size_t i = 0; i < n; ++i)
    c[i] = strcmp(f->op, "mul") == 0 ? a[i] * b[i] : a[i] + b[i];
  return CUDA_SUCCESS;
}
