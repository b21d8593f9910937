// runtime_internal.h: what the runtime's own source files share (not installed; not part of the C API).
//
// Failures travel inside the runtime as the exception `Failure{status, message}`; every extern "C" function
// catches it at the boundary (kiln_runtime.cpp, `guarded`) and turns it into a kiln_status_t plus the
// thread's last-error message. C++17, no dependencies beyond the standard library and kiln_runtime.h.
#ifndef KILN_RUNTIME_INTERNAL_H
#define KILN_RUNTIME_INTERNAL_H

#include "kiln_runtime.h"

#include <cstring>
#include <string>
#include <utility>

namespace kiln_runtime {

struct Failure {
  kiln_status_t status;
  std::string message;
};

[[noreturn]] inline void fail(kiln_status_t status, std::string message) {
  throw Failure{status, std::move(message)};
}

// 'text', the quoting every message uses for names and paths.
inline std::string quote(const std::string &s) { return "'" + s + "'"; }

} // namespace kiln_runtime

/* A C enum's value as an int. C callers may pass any int as a kiln_dtype_t or kiln_status_t; in C++, reading a
 * value outside the enumerators' range through the enum type is undefined (UBSan's -fsanitize=enum), so the
 * runtime reads such parameters' bits instead. */
template <typename Enum>
int enumBits(const Enum &value) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are ints here");
  int bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

#endif // KILN_RUNTIME_INTERNAL_H
