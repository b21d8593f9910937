//===- ConstantInputs.cpp - `--constant NAME=FILE.npy` for kiln compile/check ===//

#include "tools/kiln/ConstantInputs.h"

#include "tools/kiln/Npy.h"

bool kiln::cli::addConstantInput(const std::string &flagValue,
                                 mlir::kiln::ImportOptions &options,
                                 std::string &problem) {
  size_t eq = flagValue.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == flagValue.size()) {
    problem = "--constant expects NAME=FILE.npy, got '" + flagValue + "'";
    return false;
  }
  std::string name = flagValue.substr(0, eq), file = flagValue.substr(eq + 1);
  if (options.constants.count(name)) {
    problem = "--constant gives input '" + name + "' twice";
    return false;
  }
  npy::Array array;
  std::string error;
  if (!npy::readFile(file, array, error)) {
    problem = "--constant " + name + ": " + error;
    return false;
  }
  // The element type whose own descr the file has. bfloat16, float8 and the
  // packed types have none of their own ('<u2' is uint16's, '|u1' uint8's),
  // so an input of theirs cannot be frozen this way.
  const char *dtype = nullptr;
#define KILN_CONSTANT_DTYPE(ENUM, code, numpyName, abiName, bytes, bits)                                     \
  if (!dtype && npy::ownsDescr(KILN_DTYPE_##ENUM) && array.descr == npy::descrFor(KILN_DTYPE_##ENUM))        \
    dtype = numpyName;
  KILN_DTYPES(KILN_CONSTANT_DTYPE)
#undef KILN_CONSTANT_DTYPE
  if (!dtype) {
    problem = "--constant " + name + ": " + file + " holds " + npy::describeDescr(array.descr) +
              ", which Kiln has no element type for";
    return false;
  }
  mlir::kiln::ConstantInput &value = options.constants[name];
  value.file = file;
  value.dtype = dtype;
  value.shape.assign(array.shape.begin(), array.shape.end());
  value.bytes.assign(array.data.begin(), array.data.end());
  return true;
}
