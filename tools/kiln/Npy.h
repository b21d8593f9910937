// Npy.h: reading and writing NumPy .npy files for `kiln run`.
//
// Supported: format versions 1.0, 2.0 and 3.0; little-endian (or byte-order-free) bool, signed and unsigned
// integers of 1/2/4/8 bytes, float16/32/64, and raw 'V' (void) items; C (row-major) order only. Rejected with
// a message: big-endian data, fortran_order True, structured/object/string dtypes, truncated files and files
// with bytes after the data.
//
// bfloat16: NumPy has no standard bfloat16, so a bfloat16 tensor travels as its raw 16-bit patterns. Files
// written for a bfloat16 output use descr '<u2' (load with np.load(...).view(ml_dtypes.bfloat16), or shift
// left by 16 and view as float32). A bfloat16 input accepts '<u2', and also '<V2', which is what np.save
// writes for an ml_dtypes.bfloat16 array. The float8 types travel the same way as their 8-bit patterns
// ('|u1'; view as ml_dtypes.float8_e4m3fn etc.). The packed types (int4, uint4, int2, uint2) travel one
// element to a byte, as int8 ('|i1') or uint8 ('|u1') values; `kiln run` packs and unpacks them. Each of
// these also accepts '|V1' (np.save of an ml_dtypes array). No other dtype is converted: the CLI wants
// exact matches.
//
// No exceptions are thrown for bad input (the tool may be built with -fno-exceptions); functions return
// false and set a one-line |error| instead.
#ifndef KILN_TOOLS_KILN_NPY_H
#define KILN_TOOLS_KILN_NPY_H

#include "runtime/kiln_runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::npy {

// An array read from a .npy file.
struct Array {
  std::string descr;              // canonical NumPy type string: "<f4", "|b1", "|i1", "<u2", "|V2", ...
  std::vector<int64_t> shape;     // empty for a 0-d array
  std::vector<unsigned char> data; // row-major, little-endian, exactly elements x itemSize(descr) bytes
};

// Reads |path| into |out|. On failure returns false and sets |error| (the message names the file).
bool readFile(const std::string &path, Array &out, std::string &error);

// Writes |bytes| bytes of row-major data as a .npy file of type |descr| and |shape| (version 1.0, or 2.0 when
// the header is too long for 1.0). |bytes| must equal the element count times itemSize(descr). On failure
// returns false and sets |error|.
bool writeFile(const std::string &path, const std::string &descr, const std::vector<int64_t> &shape,
               const void *data, size_t bytes, std::string &error);

// Canonical form of a NumPy type string ("f4" -> "<f4", "<b1" -> "|b1", "=i8" -> "<i8"), or "" with |error|
// set if this module does not support it.
std::string canonicalDescr(const std::string &descr, std::string &error);

// Bytes per element of a canonical descr; 0 if unsupported.
size_t itemSize(const std::string &descr);

// The descr a tensor of |dtype| is written with ("<f4", "|b1", bfloat16 -> "<u2", float8 -> "|u1", int4 ->
// "|i1", one element per byte); nullptr for a value outside kiln_dtype_t.
const char *descrFor(const kiln_dtype_t &dtype);

// Whether |dtype|'s descr is its own NumPy type's (float32's "<f4"), not a carrier it borrows (bfloat16's
// "<u2", float8's "|u1", int4's "|i1").
bool ownsDescr(const kiln_dtype_t &dtype);

// Whether an array of canonical |descr| holds |dtype| data (bfloat16 accepts "<u2" and "|V2", a float8 or
// packed type its carrier and "|V1").
bool descrMatches(const std::string &descr, const kiln_dtype_t &dtype);

// A readable name for a canonical descr, for messages: "float32 (<f4)", "bool (|b1)".
std::string describeDescr(const std::string &descr);

} // namespace kiln::npy

#endif // KILN_TOOLS_KILN_NPY_H
