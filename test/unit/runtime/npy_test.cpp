// npy_test.cpp: tools/kiln/Npy.cpp, reading and writing NumPy .npy files.
//
// The byte strings below are what numpy 1.x writes (np.save), so these tests pin compatibility without
// needing Python.
#include "tools/kiln/Npy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using kiln::npy::Array;

class NpyTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kiln-npy-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(&pattern[0]), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string &name) const { return dir_ + "/" + name; }
  std::string writeBytes(const std::string &name, const std::string &bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }
  std::string readBytes(const std::string &name) const {
    std::ifstream in(path(name), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Reads |bytes| as a file and expects failure with |needle| in the message.
  void expectRejected(const std::string &bytes, const std::string &needle) {
    Array array;
    std::string error;
    std::string file = writeBytes("bad.npy", bytes);
    EXPECT_FALSE(kiln::npy::readFile(file, array, error)) << "accepted: " << needle;
    EXPECT_NE(error.find(needle), std::string::npos) << "error: " << error << "\nexpected: " << needle;
    EXPECT_NE(error.find(file), std::string::npos) << "the message should name the file: " << error;
  }

  std::string dir_;
};

// A version 1.0 file with |header| padded the way numpy pads it, followed by |data|.
std::string npyV1(const std::string &header, const std::string &data) {
  std::string padded = header;
  size_t pad = 64 - (10 + padded.size() + 1) % 64;
  padded.append(pad, ' ');
  padded += '\n';
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(padded.size() & 0xFF);
  out += static_cast<char>(padded.size() >> 8);
  return out + padded + data;
}

std::string npyV2or3(int major, const std::string &header, const std::string &data) {
  std::string padded = header;
  size_t pad = 64 - (12 + padded.size() + 1) % 64;
  padded.append(pad, ' ');
  padded += '\n';
  std::string out = std::string("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>((padded.size() >> (8 * i)) & 0xFF);
  return out + padded + data;
}

std::string floats(std::initializer_list<float> values) {
  std::string s;
  for (float v : values)
    s.append(reinterpret_cast<const char *>(&v), sizeof v);
  return s;
}

TEST_F(NpyTest, WritesExactlyWhatNumpyWrites) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  std::string error;
  ASSERT_TRUE(kiln::npy::writeFile(path("a.npy"), "<f4", {2, 3}, data, sizeof data, error)) << error;
  // np.save("a.npy", np.arange(1, 7, dtype=np.float32).reshape(2, 3))
  std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                         "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + std::string(58, ' ') + "\n" +
                         floats({1, 2, 3, 4, 5, 6});
  EXPECT_EQ(readBytes("a.npy"), expected);
  EXPECT_EQ(expected.size(), 128u + 24u);
}

TEST_F(NpyTest, ShapeSpellings) {
  std::string error;
  uint8_t one = 1;
  ASSERT_TRUE(kiln::npy::writeFile(path("s.npy"), "|b1", {}, &one, 1, error)) << error;
  EXPECT_NE(readBytes("s.npy").find("'shape': (), }"), std::string::npos);
  int64_t five[5] = {};
  ASSERT_TRUE(kiln::npy::writeFile(path("v.npy"), "<i8", {5}, five, sizeof five, error)) << error;
  EXPECT_NE(readBytes("v.npy").find("'shape': (5,), }"), std::string::npos);
}

// Round trip for every dtype the runtime knows, with the descr the CLI uses for it.
TEST_F(NpyTest, RoundTripPerDtype) {
  const kiln_dtype_t dtypes[] = {KILN_DTYPE_F16,  KILN_DTYPE_BF16, KILN_DTYPE_F32, KILN_DTYPE_F64,
                                 KILN_DTYPE_BOOL, KILN_DTYPE_I8,   KILN_DTYPE_I32, KILN_DTYPE_I64};
  const std::vector<std::vector<int64_t>> shapes = {{}, {7}, {2, 3, 4}, {0, 3}};
  for (kiln_dtype_t dtype : dtypes) {
    for (const auto &shape : shapes) {
      SCOPED_TRACE(std::string(kiln_dtype_name(dtype)) + " rank " + std::to_string(shape.size()));
      size_t count = 1;
      for (int64_t d : shape)
        count *= static_cast<size_t>(d);
      std::vector<unsigned char> data(count * kiln_dtype_size(dtype));
      for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<unsigned char>(dtype == KILN_DTYPE_BOOL ? i % 2 : (i * 37 + 11) & 0xFF);
      std::string error;
      const char *descr = kiln::npy::descrFor(dtype);
      ASSERT_NE(descr, nullptr);
      ASSERT_TRUE(kiln::npy::writeFile(path("r.npy"), descr, shape, data.data(), data.size(), error)) << error;
      Array array;
      ASSERT_TRUE(kiln::npy::readFile(path("r.npy"), array, error)) << error;
      EXPECT_EQ(array.descr, descr);
      EXPECT_TRUE(kiln::npy::descrMatches(array.descr, dtype));
      EXPECT_EQ(array.shape, shape);
      EXPECT_EQ(array.data, data);
      // The data starts 64-byte aligned, as numpy makes it.
      EXPECT_EQ((fs::file_size(path("r.npy")) - data.size()) % 64, 0u);
    }
  }
}

TEST_F(NpyTest, ReadsOtherSpellingsAndVersions) {
  Array array;
  std::string error;
  // Version 2.0 and 3.0 (4-byte header length), double quotes, other key order, Python 2 longs, no spaces.
  std::string v2 = npyV2or3(2, "{\"shape\":(1L,2L),\"fortran_order\":False,\"descr\":\"<f4\"}", floats({7, 8}));
  ASSERT_TRUE(kiln::npy::readFile(writeBytes("v2.npy", v2), array, error)) << error;
  EXPECT_EQ(array.descr, "<f4");
  EXPECT_EQ(array.shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(array.data.size(), 8u);
  float second;
  std::memcpy(&second, array.data.data() + 4, 4);
  EXPECT_EQ(second, 8.0f);

  std::string v3 = npyV2or3(3, "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", std::string(4, '\x05'));
  ASSERT_TRUE(kiln::npy::readFile(writeBytes("v3.npy", v3), array, error)) << error;
  EXPECT_EQ(array.descr, "<i4");
  EXPECT_EQ(array.data, std::vector<unsigned char>(4, 5));

  // Byte-order spellings normalize: '<b1' -> '|b1', '=i8' -> '<i8', '>i1' -> '|i1'.
  std::string bools = npyV1("{'descr': '<b1', 'fortran_order': False, 'shape': (2,), }", std::string("\x01\x00", 2));
  ASSERT_TRUE(kiln::npy::readFile(writeBytes("b.npy", bools), array, error)) << error;
  EXPECT_EQ(array.descr, "|b1");
  ASSERT_TRUE(kiln::npy::readFile(
      writeBytes("n.npy", npyV1("{'descr': '=i8', 'fortran_order': False, 'shape': (), }", std::string(8, '\0'))),
      array, error))
      << error;
  EXPECT_EQ(array.descr, "<i8");
  EXPECT_TRUE(array.shape.empty());
  ASSERT_TRUE(kiln::npy::readFile(
      writeBytes("i.npy", npyV1("{'descr': '>i1', 'fortran_order': False, 'shape': (1,), }", "\x7f")), array, error))
      << error;
  EXPECT_EQ(array.descr, "|i1");
}

TEST_F(NpyTest, Bfloat16Conventions) {
  EXPECT_STREQ(kiln::npy::descrFor(KILN_DTYPE_BF16), "<u2");
  EXPECT_TRUE(kiln::npy::descrMatches("<u2", KILN_DTYPE_BF16));
  // np.save of an ml_dtypes.bfloat16 array writes '<V2'.
  Array array;
  std::string error;
  ASSERT_TRUE(kiln::npy::readFile(
      writeBytes("bf.npy", npyV1("{'descr': '<V2', 'fortran_order': False, 'shape': (1,), }", "\x80\x3f")), array,
      error))
      << error;
  EXPECT_EQ(array.descr, "|V2");
  EXPECT_TRUE(kiln::npy::descrMatches(array.descr, KILN_DTYPE_BF16));
  EXPECT_FALSE(kiln::npy::descrMatches(array.descr, KILN_DTYPE_F16));
  EXPECT_FALSE(kiln::npy::descrMatches("<f2", KILN_DTYPE_BF16));
}

// float8 travels as its 8-bit patterns ('|u1'), int4/int2 one value per byte as int8 ('|i1'), uint4/uint2
// as uint8 ('|u1'); each also takes '|V1', what np.save writes for an ml_dtypes array. None of these descrs
// names the type: they are carriers, and messages name the NumPy type they belong to.
TEST_F(NpyTest, Float8AndPackedConventions) {
  EXPECT_STREQ(kiln::npy::descrFor(KILN_DTYPE_F8E4M3FN), "|u1");
  EXPECT_STREQ(kiln::npy::descrFor(KILN_DTYPE_F8E5M2FNUZ), "|u1");
  EXPECT_STREQ(kiln::npy::descrFor(KILN_DTYPE_I4), "|i1");
  EXPECT_STREQ(kiln::npy::descrFor(KILN_DTYPE_I2), "|i1");
  EXPECT_STREQ(kiln::npy::descrFor(KILN_DTYPE_U4), "|u1");
  EXPECT_STREQ(kiln::npy::descrFor(KILN_DTYPE_U2), "|u1");
  for (kiln_dtype_t dtype : {KILN_DTYPE_F8E4M3FN, KILN_DTYPE_F8E4M3FNUZ, KILN_DTYPE_F8E5M2, KILN_DTYPE_F8E5M2FNUZ,
                             KILN_DTYPE_I4, KILN_DTYPE_U4, KILN_DTYPE_I2, KILN_DTYPE_U2}) {
    SCOPED_TRACE(kiln_dtype_name(dtype));
    EXPECT_TRUE(kiln::npy::descrMatches(kiln::npy::descrFor(dtype), dtype));
    EXPECT_TRUE(kiln::npy::descrMatches("|V1", dtype));
    EXPECT_FALSE(kiln::npy::descrMatches("|V2", dtype));
    EXPECT_FALSE(kiln::npy::ownsDescr(dtype));
  }
  EXPECT_FALSE(kiln::npy::descrMatches("|i1", KILN_DTYPE_U4));
  EXPECT_FALSE(kiln::npy::descrMatches("|u1", KILN_DTYPE_I4));
  EXPECT_FALSE(kiln::npy::descrMatches("|V1", KILN_DTYPE_U8));
  EXPECT_FALSE(kiln::npy::descrMatches("|V1", KILN_DTYPE_BF16));
  EXPECT_TRUE(kiln::npy::ownsDescr(KILN_DTYPE_U8));
  EXPECT_EQ(kiln::npy::describeDescr("|u1"), "uint8 (|u1)");
  EXPECT_EQ(kiln::npy::describeDescr("|i1"), "int8 (|i1)");
  EXPECT_EQ(kiln::npy::describeDescr("|V1"), "void8 (e.g. ml_dtypes.float8_e4m3fn or int4) (|V1)");
}

TEST_F(NpyTest, DtypesMustMatchExactly) {
  EXPECT_TRUE(kiln::npy::descrMatches("<f4", KILN_DTYPE_F32));
  EXPECT_FALSE(kiln::npy::descrMatches("<f8", KILN_DTYPE_F32));
  EXPECT_FALSE(kiln::npy::descrMatches("|u1", KILN_DTYPE_BOOL));
  EXPECT_FALSE(kiln::npy::descrMatches("|i1", KILN_DTYPE_BOOL));
  EXPECT_FALSE(kiln::npy::descrMatches("<i8", KILN_DTYPE_I32));
  EXPECT_FALSE(kiln::npy::descrMatches("<f4", static_cast<kiln_dtype_t>(42)));
  EXPECT_EQ(kiln::npy::describeDescr("<f8"), "float64 (<f8)");
  EXPECT_EQ(kiln::npy::itemSize("<f8"), 8u);
  EXPECT_EQ(kiln::npy::itemSize("<c8"), 0u);
  std::string error;
  EXPECT_EQ(kiln::npy::canonicalDescr("f4", error), "<f4");
  EXPECT_EQ(kiln::npy::canonicalDescr(">f4", error), "");
  EXPECT_NE(error.find("big-endian"), std::string::npos) << error;
}

TEST_F(NpyTest, RejectsBadFiles) {
  const std::string f32x2 = floats({1, 2});
  const std::string good = npyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f32x2);
  {
    Array array;
    std::string error;
    ASSERT_TRUE(kiln::npy::readFile(writeBytes("good.npy", good), array, error)) << error;
  }
  expectRejected("", "too short to be a .npy file (0 bytes)");
  expectRejected("\x93NUM", "too short");
  expectRejected("PK\x03\x04" + good.substr(4), "not a .npy file (wrong magic bytes)");
  std::string v4 = good;
  v4[6] = 4;
  expectRejected(v4, "unsupported .npy format version 4.0");
  expectRejected(good.substr(0, 40), "truncated header");
  expectRejected(good.substr(0, 12), "truncated header");
  expectRejected(good.substr(0, good.size() - 1),
                 "truncated: float32 (<f4) (2,) needs 8 bytes of data, the file has 7");
  expectRejected(good.substr(0, good.size() - 8), "needs 8 bytes of data, the file has 0");
  expectRejected(good + "xx", "2 unexpected bytes after the data");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1), }", f32x2),
                 "fortran_order is True");
  expectRejected(npyV1("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f32x2), "big-endian dtype '>f4'");
  expectRejected(npyV1("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", f32x2), "unsupported dtype '<c8'");
  expectRejected(npyV1("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", f32x2), "unsupported dtype '|O'");
  expectRejected(npyV1("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", f32x2), "unsupported dtype '<U3'");
  expectRejected(npyV1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", f32x2),
                 "structured dtypes");
  expectRejected(npyV1("{'descr': '<f4', 'shape': (2,), }", f32x2), "header lacks 'fortran_order'");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': False, }", f32x2), "header lacks 'shape'");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1, }", f32x2),
                 "unexpected or repeated key 'extra'");
  expectRejected(npyV1("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f32x2),
                 "unexpected or repeated key 'descr'");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", f32x2), "True or False");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", f32x2), "non-negative integers");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", f32x2), "shape must be a tuple");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (2,) } trailing", f32x2),
                 "unexpected text after the header dict");
  expectRejected(npyV1("['descr', '<f4']", f32x2), "expected '{'");
  expectRejected(npyV1("{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", f32x2), "expected ',' or '}'");
  expectRejected(npyV1("{'descr' '<f4', 'fortran_order': False, 'shape': (2,), }", f32x2), "expected ':'");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", f32x2),
                 "shape dimension is too large");
  expectRejected(npyV1("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", f32x2),
                 "is too large");
  // A header length far beyond the file.
  std::string huge = good;
  huge[8] = '\xff';
  huge[9] = '\xff';
  expectRejected(huge, "truncated header (65535 bytes announced");
}

TEST_F(NpyTest, MissingFileAndBadWrites) {
  Array array;
  std::string error;
  EXPECT_FALSE(kiln::npy::readFile(path("nope.npy"), array, error));
  EXPECT_NE(error.find("nope.npy: No such file or directory"), std::string::npos) << error;
  EXPECT_FALSE(kiln::npy::readFile(dir_, array, error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;

  float data[4] = {};
  EXPECT_FALSE(kiln::npy::writeFile(path("w.npy"), "<f4", {2, 3}, data, sizeof data, error));
  EXPECT_NE(error.find("16 bytes do not make a float32 (<f4) array of shape (2, 3)"), std::string::npos) << error;
  EXPECT_FALSE(kiln::npy::writeFile(path("w.npy"), "<c8", {2}, data, sizeof data, error));
  EXPECT_NE(error.find("unsupported dtype '<c8'"), std::string::npos) << error;
  EXPECT_FALSE(kiln::npy::writeFile(path("no/such/dir/w.npy"), "<f4", {4}, data, sizeof data, error));
  EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(path("w.npy")));
}

} // namespace
