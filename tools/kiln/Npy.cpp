// Npy.cpp: the .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
//
// A file is: the magic "\x93NUMPY", a major and minor version byte, the header length (uint16 LE in 1.0,
// uint32 LE in 2.0/3.0), then the header, a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a final '\n' so the data starts at a multiple of 64 bytes, then the raw data.
#include "tools/kiln/Npy.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <system_error>

namespace kiln::npy {
namespace {

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "Npy.cpp assumes a little-endian host: .npy data is read and written without byte swapping"
#endif

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// numpy refuses headers over 10000 bytes by default; allow more, but not enough to exhaust memory.
constexpr size_t kMaxHeaderBytes = 1u << 20;

std::string quote(const std::string &s) { return "'" + s + "'"; }

std::string describeShape(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// A parser for the header's dict literal. It accepts what numpy writes (any key order, either quote,
// optional trailing commas, Python 2 'L' suffixes on ints) and nothing else.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text_(text) {}

  bool parse(std::string &descr, bool &fortranOrder, std::vector<int64_t> &shape, std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    if (!expect('{', error))
      return false;
    for (;;) {
      skipSpace();
      if (peek() == '}') {
        ++pos_;
        break;
      }
      std::string key;
      if (!parseString(key, error) || !expect(':', error))
        return false;
      skipSpace();
      if (key == "descr" && !haveDescr) {
        if (peek() == '[')
          return fail("structured dtypes (a list as descr) are not supported", error);
        if (!parseString(descr, error))
          return false;
        haveDescr = true;
      } else if (key == "fortran_order" && !haveOrder) {
        if (!parseBool(fortranOrder, error))
          return false;
        haveOrder = true;
      } else if (key == "shape" && !haveShape) {
        if (!parseShape(shape, error))
          return false;
        haveShape = true;
      } else {
        return fail("unexpected or repeated key " + quote(key) + " in header", error);
      }
      skipSpace();
      if (peek() == ',')
        ++pos_;
      else if (peek() != '}')
        return fail("expected ',' or '}' at header offset " + std::to_string(pos_), error);
    }
    skipSpace();
    if (pos_ != text_.size())
      return fail("unexpected text after the header dict", error);
    if (!haveDescr || !haveOrder || !haveShape)
      return fail(std::string("header lacks '") + (!haveDescr ? "descr" : !haveOrder ? "fortran_order" : "shape") +
                      "'",
                  error);
    return true;
  }

private:
  static bool fail(const std::string &message, std::string &error) {
    error = message;
    return false;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r'))
      ++pos_;
  }
  bool expect(char c, std::string &error) {
    skipSpace();
    if (peek() != c)
      return fail(std::string("expected '") + c + "' at header offset " + std::to_string(pos_), error);
    ++pos_;
    return true;
  }
  bool parseString(std::string &out, std::string &error) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return fail("expected a quoted string at header offset " + std::to_string(pos_), error);
    size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string::npos)
      return fail("unterminated string in header", error);
    out = text_.substr(pos_ + 1, end - pos_ - 1);
    if (out.find('\\') != std::string::npos)
      return fail("escape sequences in header strings are not supported", error);
    pos_ = end + 1;
    return true;
  }
  bool parseBool(bool &out, std::string &error) {
    if (text_.compare(pos_, 4, "True") == 0) {
      out = true;
      pos_ += 4;
      return true;
    }
    if (text_.compare(pos_, 5, "False") == 0) {
      out = false;
      pos_ += 5;
      return true;
    }
    return fail("fortran_order must be True or False", error);
  }
  bool parseShape(std::vector<int64_t> &shape, std::string &error) {
    if (peek() != '(')
      return fail("shape must be a tuple", error);
    ++pos_;
    shape.clear();
    for (;;) {
      skipSpace();
      if (peek() == ')') {
        ++pos_;
        return true;
      }
      if (peek() < '0' || peek() > '9')
        return fail("shape must hold non-negative integers", error);
      int64_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        int digit = peek() - '0';
        if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
          return fail("shape dimension is too large", error);
        value = value * 10 + digit;
        ++pos_;
      }
      if (peek() == 'L')
        ++pos_;
      shape.push_back(value);
      skipSpace();
      if (peek() == ',')
        ++pos_;
      else if (peek() != ')')
        return fail("expected ',' or ')' in shape", error);
    }
  }

  const std::string &text_;
  size_t pos_ = 0;
};

// Element count times item size, or false if it does not fit in size_t.
bool byteCount(const std::vector<int64_t> &shape, size_t itemBytes, size_t &out) {
  size_t bytes = itemBytes;
  for (int64_t dim : shape) {
    if (dim < 0)
      return false;
    if (dim == 0) {
      out = 0;
      return true;
    }
  }
  for (int64_t dim : shape) {
    if (static_cast<uint64_t>(dim) > std::numeric_limits<size_t>::max() / bytes)
      return false;
    bytes *= static_cast<size_t>(dim);
  }
  out = bytes;
  return true;
}

uint32_t readLittleEndian(const unsigned char *p, size_t n) {
  uint32_t value = 0;
  for (size_t i = 0; i < n; ++i)
    value |= static_cast<uint32_t>(p[i]) << (8 * i);
  return value;
}

// Closes the file on every return path.
struct File {
  FILE *f = nullptr;
  ~File() {
    if (f)
      std::fclose(f);
  }
};

} // namespace

std::string canonicalDescr(const std::string &descr, std::string &error) {
  std::string body = descr;
  char order = '|';
  if (!body.empty() && std::strchr("<>|=", body[0])) {
    order = body[0];
    body = body.substr(1);
  }
  if (body.size() < 2 || body.find_first_not_of("0123456789", 1) != std::string::npos || body.size() > 4) {
    error = "unsupported dtype " + quote(descr) + " (only bool, integers, floats and raw 'V' items are supported)";
    return "";
  }
  char kind = body[0];
  unsigned long size = std::strtoul(body.c_str() + 1, nullptr, 10);
  bool powerOfTwo = size == 1 || size == 2 || size == 4 || size == 8;
  bool ok = (kind == 'b' && size == 1) || ((kind == 'i' || kind == 'u') && powerOfTwo) ||
            (kind == 'f' && powerOfTwo && size >= 2) || (kind == 'V' && size >= 1);
  if (!ok) {
    error = "unsupported dtype " + quote(descr) + " (only bool, integers, floats and raw 'V' items are supported)";
    return "";
  }
  bool multiByteNumber = size > 1 && kind != 'V';
  if (order == '>' && multiByteNumber) {
    error = "big-endian dtype " + quote(descr) + " is not supported; save with arr.astype(arr.dtype.newbyteorder('<'))";
    return "";
  }
  // Byte order only matters for multi-byte numbers, which are little-endian here ('=' and '|' mean the
  // host's order); numpy spells the others with '|'.
  return (multiByteNumber ? "<" : "|") + body;
}

size_t itemSize(const std::string &descr) {
  std::string error;
  std::string canonical = canonicalDescr(descr, error);
  return canonical.empty() ? 0 : std::strtoul(canonical.c_str() + 2, nullptr, 10);
}

namespace {

// The .npy kind of each element type. The item size, and so the descr's digits, comes from the ABI table
// (KILN_DTYPES in kiln_abi.h). bfloat16 and the float8 types have no NumPy kind: they travel as their raw
// bit patterns ('u'). The packed types travel one element to a byte, as int8 (int4, int2) or uint8 (uint4,
// uint2) values.
char npyKind(kiln_dtype_t dtype) {
  switch (dtype) {
  case KILN_DTYPE_F16:
  case KILN_DTYPE_F32:
  case KILN_DTYPE_F64: return 'f';
  case KILN_DTYPE_BF16:
  case KILN_DTYPE_F8E4M3FN:
  case KILN_DTYPE_F8E4M3FNUZ:
  case KILN_DTYPE_F8E5M2:
  case KILN_DTYPE_F8E5M2FNUZ: return 'u';
  case KILN_DTYPE_BOOL: return 'b';
  case KILN_DTYPE_I8:
  case KILN_DTYPE_I16:
  case KILN_DTYPE_I32:
  case KILN_DTYPE_I64:
  case KILN_DTYPE_I4:
  case KILN_DTYPE_I2: return 'i';
  case KILN_DTYPE_U8:
  case KILN_DTYPE_U16:
  case KILN_DTYPE_U32:
  case KILN_DTYPE_U64:
  case KILN_DTYPE_U4:
  case KILN_DTYPE_U2: return 'u';
  }
  return '\0';
}

// The descr of every element type, indexed by its code: "<f4", "|b1", ... Built once, from the ABI table.
// A .npy item is at least a byte: the packed types take one each.
struct DescrTable {
  std::vector<std::string> descrs;
  DescrTable() {
#define KILN_NPY_DESCR(ENUM, code, numpyName, abiName, bytes, bits)                                          \
  descrs.resize(std::max<size_t>(descrs.size(), (code) + 1));                                                \
  descrs[code] = std::string((bits) > 8 ? "<" : "|") + npyKind(KILN_DTYPE_##ENUM) +                          \
                 std::to_string((bits) > 8 ? (bits) / 8 : 1);
    KILN_DTYPES(KILN_NPY_DESCR)
#undef KILN_NPY_DESCR
  }
};

const DescrTable &descrTable() {
  static const DescrTable table;
  return table;
}

} // namespace

const char *descrFor(const kiln_dtype_t &dtype) {
  const std::vector<std::string> &descrs = descrTable().descrs;
  // The bits, not the enum: a value outside the enumerators (a corrupt or
  // newer manifest's) may not be read through the C++ enum type.
  int index;
  std::memcpy(&index, &dtype, sizeof index);
  return index >= 0 && static_cast<size_t>(index) < descrs.size() && !descrs[index].empty()
             ? descrs[index].c_str()
             : nullptr;
}

bool ownsDescr(const kiln_dtype_t &dtype) {
  int index;
  std::memcpy(&index, &dtype, sizeof index);
  switch (index) {
  case KILN_DTYPE_BF16:
  case KILN_DTYPE_F8E4M3FN:
  case KILN_DTYPE_F8E4M3FNUZ:
  case KILN_DTYPE_F8E5M2:
  case KILN_DTYPE_F8E5M2FNUZ:
  case KILN_DTYPE_I4:
  case KILN_DTYPE_U4:
  case KILN_DTYPE_I2:
  case KILN_DTYPE_U2: return false;
  default: return descrFor(dtype) != nullptr;
  }
}

bool descrMatches(const std::string &descr, const kiln_dtype_t &dtype) {
  const char *expected = descrFor(dtype);
  if (!expected)
    return false;
  if (descr == expected)
    return true;
  // What np.save writes for an ml_dtypes array: a void item of the carrier's size.
  return !ownsDescr(dtype) && descr == std::string("|V") + (expected + 2);
}

std::string describeDescr(const std::string &descr) {
  // An element type's own descr is named as the manifest names it; a carrier ("<u2" for bfloat16, "|u1"
  // for float8) is not the type's name, so it falls through to the NumPy types below.
#define KILN_NPY_NAME(ENUM, code, numpyName, abiName, bytes, bits)                                           \
  if (ownsDescr(KILN_DTYPE_##ENUM) && descr == descrFor(KILN_DTYPE_##ENUM))                                 \
    return std::string(numpyName) + " (" + descr + ")";
  KILN_DTYPES(KILN_NPY_NAME)
#undef KILN_NPY_NAME
  static const struct {
    const char *descr, *name;
  } kOthers[] = {{"|V2", "void16 (e.g. ml_dtypes.bfloat16)"},
                 {"|V1", "void8 (e.g. ml_dtypes.float8_e4m3fn or int4)"}};
  for (const auto &entry : kOthers)
    if (descr == entry.descr)
      return std::string(entry.name) + " (" + descr + ")";
  return descr;
}

bool readFile(const std::string &path, Array &out, std::string &error) {
  auto failWith = [&](const std::string &message) {
    error = path + ": " + message;
    return false;
  };
  File file;
  file.f = std::fopen(path.c_str(), "rb");
  if (!file.f)
    return failWith(std::generic_category().message(errno));
  struct stat st;
  if (fstat(fileno(file.f), &st) != 0 || !S_ISREG(st.st_mode))
    return failWith("not a regular file");
  size_t fileSize = static_cast<size_t>(st.st_size);

  unsigned char preamble[12];
  if (fileSize < 10 || std::fread(preamble, 1, 10, file.f) != 10)
    return failWith("too short to be a .npy file (" + std::to_string(fileSize) + " bytes)");
  if (std::memcmp(preamble, kMagic, kMagicSize) != 0)
    return failWith("not a .npy file (wrong magic bytes)");
  unsigned major = preamble[6], minor = preamble[7];
  if (major < 1 || major > 3 || minor != 0)
    return failWith("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
  size_t lengthBytes = major == 1 ? 2 : 4;
  if (lengthBytes == 4 && std::fread(preamble + 10, 1, 2, file.f) != 2)
    return failWith("truncated header");
  size_t headerBytes = readLittleEndian(preamble + 8, lengthBytes);
  size_t dataOffset = 8 + lengthBytes + headerBytes;
  if (headerBytes > kMaxHeaderBytes)
    return failWith("header of " + std::to_string(headerBytes) + " bytes is implausibly large");
  if (dataOffset > fileSize)
    return failWith("truncated header (" + std::to_string(headerBytes) + " bytes announced, " +
                    std::to_string(fileSize - (8 + lengthBytes)) + " present)");
  std::string header(headerBytes, '\0');
  if (std::fread(&header[0], 1, headerBytes, file.f) != headerBytes)
    return failWith("cannot read header");

  std::string rawDescr, parseError;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  if (!HeaderParser(header).parse(rawDescr, fortranOrder, shape, parseError))
    return failWith("bad header: " + parseError);
  std::string descr = canonicalDescr(rawDescr, parseError);
  if (descr.empty())
    return failWith(parseError);
  if (fortranOrder)
    return failWith("fortran_order is True; save a C-ordered array (np.ascontiguousarray) instead");

  size_t dataBytes;
  if (!byteCount(shape, itemSize(descr), dataBytes))
    return failWith("shape " + describeShape(shape) + " is too large");
  size_t present = fileSize - dataOffset;
  if (present < dataBytes)
    return failWith("truncated: " + describeDescr(descr) + " " + describeShape(shape) + " needs " +
                    std::to_string(dataBytes) + " bytes of data, the file has " + std::to_string(present));
  if (present > dataBytes)
    return failWith(std::to_string(present - dataBytes) + " unexpected bytes after the data of " +
                    describeDescr(descr) + " " + describeShape(shape));
  std::vector<unsigned char> data(dataBytes);
  if (dataBytes != 0 && std::fread(data.data(), 1, dataBytes, file.f) != dataBytes)
    return failWith("cannot read data");
  out.descr = std::move(descr);
  out.shape = std::move(shape);
  out.data = std::move(data);
  return true;
}

bool writeFile(const std::string &path, const std::string &descr, const std::vector<int64_t> &shape,
               const void *data, size_t bytes, std::string &error) {
  std::string canonical = canonicalDescr(descr, error);
  if (canonical.empty())
    return false;
  if (!data && bytes != 0) {
    error = "cannot write " + path + ": data is NULL";
    return false;
  }
  size_t expected;
  if (!byteCount(shape, itemSize(canonical), expected) || expected != bytes) {
    error = "cannot write " + path + ": " + std::to_string(bytes) + " bytes do not make a " +
            describeDescr(canonical) + " array of shape " + describeShape(shape);
    return false;
  }
  std::string header = "{'descr': '" + canonical + "', 'fortran_order': False, 'shape': " + describeShape(shape) +
                       ", }";
  // Pad with spaces and end with '\n' so the data starts 64-byte aligned, exactly as numpy does (which pads
  // a full 64 when the header happens to be aligned already).
  auto padding = [&](size_t preambleBytes) { return 64 - (preambleBytes + header.size() + 1) % 64; };
  unsigned char major = 1;
  size_t preambleBytes = 10;
  if (header.size() + 1 + padding(10) > 0xFFFF) {
    major = 2;
    preambleBytes = 12;
  }
  header.append(padding(preambleBytes), ' ');
  header += '\n';

  std::string preamble(kMagic, kMagicSize);
  preamble += static_cast<char>(major);
  preamble += '\0';
  for (size_t i = 0; i < preambleBytes - 8; ++i)
    preamble += static_cast<char>((header.size() >> (8 * i)) & 0xFF);

  File file;
  file.f = std::fopen(path.c_str(), "wb");
  if (!file.f) {
    error = "cannot write " + path + ": " + std::generic_category().message(errno);
    return false;
  }
  bool ok = std::fwrite(preamble.data(), 1, preamble.size(), file.f) == preamble.size() &&
            std::fwrite(header.data(), 1, header.size(), file.f) == header.size() &&
            (bytes == 0 || std::fwrite(data, 1, bytes, file.f) == bytes);
  int closeResult = std::fclose(file.f);
  file.f = nullptr;
  if (!ok || closeResult != 0) {
    error = "cannot write " + path + ": " + std::generic_category().message(errno);
    return false;
  }
  return true;
}

} // namespace kiln::npy
