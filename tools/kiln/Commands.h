// Commands.h: the `kiln run`, `kiln inspect` and `kiln train` subcommands, called by kiln.cpp's main.
//
// Both use only the C runtime (runtime/kiln_runtime.h) and Npy.h: no MLIR/LLVM. Each takes the arguments
// from the subcommand's name on (argv[0] is "run" or "inspect") and returns the process exit code:
//   0  success
//   1  failure; one line "kiln SUBCOMMAND: error: ..." went to stderr
//   2  wrong usage; a line saying what is wrong and the subcommand's usage went to stderr
// -h/--help prints the usage to stdout and returns 0. They never throw.
#ifndef KILN_TOOLS_KILN_COMMANDS_H
#define KILN_TOOLS_KILN_COMMANDS_H

#include "runtime/kiln_runtime.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace kiln::cli {

// kiln run ARTIFACT [--entry NAME] --input NAME=FILE.npy ... [--output-dir DIR]
int runCommand(int argc, char **argv);

// kiln inspect ARTIFACT [--manifest-only]
int inspectCommand(int argc, char **argv);

// kiln train ARTIFACT --input NAME=FILE.npy ... --target FILE.npy --steps N [--output-dir DIR]
int trainCommand(int argc, char **argv);

namespace detail {

// A name safe to print on one line: control bytes become \xNN.
inline std::string printable(const char *text) {
  std::string out;
  for (const char *p = text; *p; ++p) {
    auto c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// "float32[1,3,32,32]", the same spelling the runtime's messages use.
inline std::string describeTensor(kiln_dtype_t dtype, size_t rank, const int64_t *shape) {
  const char *name = kiln_dtype_name(dtype);
  std::string s = std::string(name ? name : "?") + "[";
  for (size_t i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

// kiln_last_error() without its leading "kiln_function: ", which means nothing to a command-line user.
inline std::string runtimeError() {
  const char *message = kiln_last_error();
  const char *colon = std::strstr(message, ": ");
  bool prefixed = std::strncmp(message, "kiln_", 5) == 0 && colon && !std::memchr(message, ' ', colon - message);
  return prefixed ? colon + 2 : message;
}

} // namespace detail
} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_COMMANDS_H
