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
  // The element type whose own descr the file has. bfloat16 and float8 have
  // none of their own: they come as bit patterns in uint16 / uint8 ('<u2',
  // '|u1'), which the importer accepts for inputs of those types, or as the
  // void items of a saved ml_dtypes array. The packed types (int4, ...) have
  // no file form for --constant.
  const char *dtype = nullptr;
#define KILN_CONSTANT_DTYPE(ENUM, code, numpyName, abiName, bytes, bits)                                     \
  if (!dtype && npy::ownsDescr(KILN_DTYPE_##ENUM) && array.descr == npy::descrFor(KILN_DTYPE_##ENUM))        \
    dtype = numpyName;
  KILN_DTYPES(KILN_CONSTANT_DTYPE)
#undef KILN_CONSTANT_DTYPE
  bool voidItems = array.descr == "|V2" || array.descr == "|V1";
  if (voidItems)
    dtype = array.descr == "|V2" ? "uint16" : "uint8";
  if (!dtype) {
    problem = "--constant " + name + ": " + file + " holds " + npy::describeDescr(array.descr) +
              ", which Kiln has no element type for";
    return false;
  }
  mlir::kiln::ConstantInput &value = options.constants[name];
  value.file = file;
  value.dtype = dtype;
  value.voidItems = voidItems;
  value.shape.assign(array.shape.begin(), array.shape.end());
  value.bytes.assign(array.data.begin(), array.data.end());
  return true;
}
