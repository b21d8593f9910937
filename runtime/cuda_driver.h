// cuda_driver.h: the part of the CUDA driver API the runtime uses, loaded at run time (private to the
// runtime; not installed).
//
// Nothing in Kiln links against libcuda or includes the CUDA toolkit's headers: a program using the runtime
// must build and run on machines without CUDA, and load CPU artifacts there. So the few types and constants
// the runtime needs are declared here, with the driver API's own names and values (cuda.h, CUDA 12/13;
// these are part of the driver's stable ABI), and the functions are found with dlopen + dlsym when the
// first CUDA artifact is loaded. Each model opens its own handle (dlopen counts references), so there is no
// global state.
#ifndef KILN_RUNTIME_CUDA_DRIVER_H
#define KILN_RUNTIME_CUDA_DRIVER_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln_runtime {

// The driver API's types: CUresult and CUdevice are ints, CUdeviceptr a 64-bit device address, the rest
// opaque handles.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;

constexpr CUresult kCudaSuccess = 0;
constexpr CUresult kCudaErrorInvalidValue = 1;         // CUDA_ERROR_INVALID_VALUE
constexpr CUresult kCudaErrorOutOfMemory = 2;          // CUDA_ERROR_OUT_OF_MEMORY
constexpr int kCudaAttributeComputeCapabilityMajor = 75; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kCudaAttributeComputeCapabilityMinor = 76; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
constexpr unsigned kCudaStreamNonBlocking = 1;          // CU_STREAM_NON_BLOCKING

// The driver's functions, under the names libcuda exports (the _v2 ones are what cuda.h's macros select),
// with their parameter lists; every one returns a CUresult.
#define KILN_CUDA_FUNCTIONS(X)                                                                            \
  X(cuInit, (unsigned))                                                                                   \
  X(cuGetErrorName, (CUresult, const char **))                                                            \
  X(cuDeviceGetCount, (int *))                                                                            \
  X(cuDeviceGet, (CUdevice *, int))                                                                       \
  X(cuDeviceGetAttribute, (int *, int, CUdevice))                                                         \
  X(cuDevicePrimaryCtxRetain, (CUcontext *, CUdevice))                                                    \
  X(cuDevicePrimaryCtxRelease_v2, (CUdevice))                                                             \
  X(cuCtxPushCurrent_v2, (CUcontext))                                                                     \
  X(cuCtxPopCurrent_v2, (CUcontext *))                                                                    \
  X(cuModuleLoadData, (CUmodule *, const void *))                                                         \
  X(cuModuleUnload, (CUmodule))                                                                           \
  X(cuModuleGetFunction, (CUfunction *, CUmodule, const char *))                                          \
  X(cuMemAlloc_v2, (CUdeviceptr *, size_t))                                                               \
  X(cuMemFree_v2, (CUdeviceptr))                                                                          \
  X(cuMemcpyHtoDAsync_v2, (CUdeviceptr, const void *, size_t, CUstream))                                  \
  X(cuMemcpyDtoHAsync_v2, (void *, CUdeviceptr, size_t, CUstream))                                        \
  X(cuStreamCreate, (CUstream *, unsigned))                                                               \
  X(cuStreamDestroy_v2, (CUstream))                                                                       \
  X(cuStreamSynchronize, (CUstream))                                                                      \
  X(cuLaunchKernel, (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,    \
                     CUstream, void **, void **))

// One dlopen handle on the driver and its functions. Thread-safe once loaded: the driver's functions are.
class CudaDriver {
public:
#define KILN_CUDA_MEMBER(name, params) CUresult(*name) params = nullptr;
  KILN_CUDA_FUNCTIONS(KILN_CUDA_MEMBER)
#undef KILN_CUDA_MEMBER

  // Opens the library the environment variable KILN_CUDA_DRIVER names, else "libcuda.so.1", and finds
  // every function above. Throws a Failure (KILN_ERROR_LOAD) naming the library and dlerror's reason.
  CudaDriver();
  ~CudaDriver();
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;

  const std::string &path() const { return path_; }

  // "CUDA_ERROR_OUT_OF_MEMORY", or "CUDA error N" for a code the driver does not name.
  std::string errorName(CUresult result) const;

private:
  std::string path_;
  void *handle_ = nullptr;
};

} // namespace kiln_runtime

#endif // KILN_RUNTIME_CUDA_DRIVER_H
