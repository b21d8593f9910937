// cuda_driver.cpp: loads the CUDA driver with dlopen (see cuda_driver.h for why).
#include "cuda_driver.h"

#include "runtime_internal.h"

#include <dlfcn.h>

#include <cstdlib>

namespace kiln_runtime {

CudaDriver::CudaDriver() {
  const char *env = std::getenv("KILN_CUDA_DRIVER");
  path_ = env && *env ? env : "libcuda.so.1";
  handle_ = dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char *why = dlerror();
    fail(KILN_ERROR_LOAD, "cannot load the CUDA driver " + quote(path_) + " (" +
                              (why ? why : "unknown reason") +
                              "); a CUDA artifact needs an NVIDIA driver (KILN_CUDA_DRIVER names another library)");
  }
  // POSIX leaves object-to-function pointer casts to the platform; dlsym requires them to work.
#define KILN_CUDA_RESOLVE(name, params)                                                                   \
  name = reinterpret_cast<CUresult(*) params>(dlsym(handle_, #name));                                                   \
  if (!name) {                                                                                            \
    dlclose(handle_);                                                                                     \
    fail(KILN_ERROR_LOAD, "the CUDA driver " + quote(path_) + " does not export " #name                   \
                          " (a driver too old for this runtime?)");                                       \
  }
  KILN_CUDA_FUNCTIONS(KILN_CUDA_RESOLVE)
#undef KILN_CUDA_RESOLVE
}

CudaDriver::~CudaDriver() {
  if (handle_)
    dlclose(handle_);
}

std::string CudaDriver::errorName(CUresult result) const {
  const char *name = nullptr;
  if (cuGetErrorName && cuGetErrorName(result, &name) == kCudaSuccess && name)
    return name;
  return "CUDA error " + std::to_string(result);
}

} // namespace kiln_runtime
