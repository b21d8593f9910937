//===- CheckCommand.h - `kiln check` ----------------------------*- C++ -*-===//
//
// argv[0] is "check". Prints the report to stdout and returns 0 when no
// problem was found, 1 when some was, 2 on wrong usage (usage printed to
// stderr).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_CHECKCOMMAND_H
#define KILN_TOOLS_KILN_CHECKCOMMAND_H

namespace kiln::cli {
int checkCommand(int argc, char **argv);
} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_CHECKCOMMAND_H
