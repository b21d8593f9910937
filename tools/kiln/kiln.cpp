//===- kiln.cpp - The kiln command-line tool ------------------------------===//
//
//   kiln compile MODEL -o OUT [options]   compile a model into an artifact
//   kiln check MODEL [options]            report everything that would stop a compile
//   kiln run ARTIFACT --input NAME=X.npy  run an artifact's entry point on .npy inputs
//   kiln inspect ARTIFACT                 print an artifact's entry points, weights and target
//   kiln train ARTIFACT --input ... --target Y.npy --steps N   train a model compiled with --train
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/CheckCommand.h"
#include "tools/kiln/Commands.h"
#include "tools/kiln/CompileCommand.h"

#include "llvm/Config/llvm-config.h"

#include <cstdio>
#include <cstring>

#ifndef KILN_VERSION
#define KILN_VERSION "unknown"
#endif

static const char *kUsage =
    "usage: kiln <command> [arguments]\n"
    "\n"
    "Kiln compiles neural-network models ahead of time into native libraries.\n"
    "\n"
    "commands:\n"
    "  compile MODEL -o OUT   compile MODEL (.onnx, .json, .mlir) into OUT/\n"
    "  check MODEL [--json]   report everything that would stop compiling MODEL, all\n"
    "                         at once\n"
    "  run ARTIFACT [--entry NAME] --input NAME=FILE.npy ... [--output-dir DIR]\n"
    "                         run an entry point of a compiled model (default: run) on .npy inputs\n"
    "  train ARTIFACT --input NAME=FILE.npy ... --target FILE.npy --steps N\n"
    "                         train a model compiled with --train, printing each step's loss\n"
    "  inspect ARTIFACT       print a compiled model's entry points (inputs, outputs, scratch\n"
    "                         memory), weights and target\n"
    "\n"
    "  kiln <command> --help  help for one command\n"
    "  kiln --version         print the version\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const char *command = argv[1];
  if (!std::strcmp(command, "--help") || !std::strcmp(command, "-h") ||
      !std::strcmp(command, "help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!std::strcmp(command, "--version")) {
    std::printf("kiln %s (LLVM %s)\n", KILN_VERSION, LLVM_VERSION_STRING);
    return 0;
  }
  if (!std::strcmp(command, "compile"))
    return kiln::cli::compileCommand(argc - 1, argv + 1);
  if (!std::strcmp(command, "check"))
    return kiln::cli::checkCommand(argc - 1, argv + 1);
  if (!std::strcmp(command, "run"))
    return kiln::cli::runCommand(argc - 1, argv + 1);
  if (!std::strcmp(command, "train"))
    return kiln::cli::trainCommand(argc - 1, argv + 1);
  if (!std::strcmp(command, "inspect"))
    return kiln::cli::inspectCommand(argc - 1, argv + 1);
  std::fprintf(stderr, "kiln: unknown command '%s'\n%s", command, kUsage);
  return 2;
}
