//===- CompileCommand.h - `kiln compile` ------------------------*- C++ -*-===//
//
// argv[0] is "compile". Returns 0 on success, 1 after printing one line per
// error, 2 on wrong usage (usage printed to stderr).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_COMPILECOMMAND_H
#define KILN_TOOLS_KILN_COMPILECOMMAND_H

namespace kiln::cli {
int compileCommand(int argc, char **argv);
} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_COMPILECOMMAND_H
