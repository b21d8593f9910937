//===- Philox.h - The counter-based generator of kiln.dropout ---*- C++ -*-===//
//
// Philox 4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel Random Numbers:
// As Easy as 1, 2, 3", SC 2011), the constants and round of the Random123
// library's philox4x32: each of 10 rounds multiplies two counter words by
// M0 and M1 (64-bit products split into high and low words) and mixes the
// high words with the other counter words and the key; the key is bumped by
// the Weyl constants W0 and W1 between rounds. codegen/KilnToLinalg/Random.cpp
// emits the same steps as arith ops; philox4x32 here is the reference for
// compile-time uses and unit tests.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_PHILOX_H
#define KILN_IR_PHILOX_H

#include <array>
#include <cmath>
#include <cstdint>

namespace mlir::kiln::philox {

inline constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
inline constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
inline constexpr int kRounds = 10;

/// philox4x32-10 of `counter` under `key`.
inline std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c,
                                          std::array<uint32_t, 2> k) {
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) {
      k[0] += kW0;
      k[1] += kW1;
    }
    uint64_t p0 = uint64_t(kM0) * c[0], p1 = uint64_t(kM1) * c[2];
    c = {uint32_t(p1 >> 32) ^ c[1] ^ k[0], uint32_t(p1),
         uint32_t(p0 >> 32) ^ c[3] ^ k[1], uint32_t(p0)};
  }
  return c;
}

/// kiln.dropout keeps an element when the first output word is at least
/// this: ceil(ratio * 2^32), so P(keep) = 1 - ratio up to 2^-32. 2^32 (never
/// keep) for ratio 1.
inline uint64_t keepThreshold(double ratio) {
  double t = std::ceil(ratio * 4294967296.0);
  if (t <= 0)
    return 0;
  if (t >= 4294967296.0)
    return uint64_t(1) << 32;
  return uint64_t(t);
}

} // namespace mlir::kiln::philox

#endif // KILN_IR_PHILOX_H
