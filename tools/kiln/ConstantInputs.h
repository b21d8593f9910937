//===- ConstantInputs.h - `--constant NAME=FILE.npy` for kiln compile/check -*- C++ -*-===//
//
// Reads the .npy file of a --constant flag into ImportOptions::constants; the
// frontend turns the input into a constant of that value.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_CONSTANTINPUTS_H
#define KILN_TOOLS_KILN_CONSTANTINPUTS_H

#include "compiler/import/ImportOptions.h"

#include <string>

namespace kiln::cli {

/// Parses NAME=FILE.npy and reads the file; false with `problem` set (one
/// line) if the flag or the file is malformed, or the input is given twice.
bool addConstantInput(const std::string &flagValue,
                      mlir::kiln::ImportOptions &options, std::string &problem);

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_CONSTANTINPUTS_H
