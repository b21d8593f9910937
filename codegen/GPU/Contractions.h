//===- Contractions.h - Contractions as tiled GPU kernels ---------*- C++ -*-===//
//
// What kiln-gpu-tile-contractions' two kernel forms share: the contractions
// they take, and the index arithmetic of a block's program (the output tile
// of a block, k tiles copied into workgroup memory, outputs stored inside
// the output's bounds). The forms:
//  - SIMT (TileContractions.cpp): every thread a register tile of FMAs;
//  - tensor cores (MMAContractions.cpp): every warp a tile of nvgpu.mma.sync.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_CONTRACTIONS_H
#define KILN_CODEGEN_GPU_CONTRACTIONS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::kiln {

/// A linalg contraction a kernel can take: static sizes, two inputs read
/// through projections of the loops, one output.
struct Contraction {
  linalg::LinalgOp op;
  linalg::ContractionDimensions dims;
  SmallVector<int64_t> ranges;
  /// The sizes of the m, n, k and batch dims, each the product of its dims.
  int64_t m = 1, n = 1, k = 1, batch = 1;
  /// The linalg.fill of a constant that initializes the output just before
  /// the op, if any: the accumulators start from the constant instead, and
  /// the fill goes (the kernel writes every output element).
  linalg::FillOp fill;
};

FailureOr<Contraction> matchContraction(linalg::LinalgOp op);

/// The bytes of an element of the memref `value` (at least 1).
int64_t elementBytes(Value memref);

/// The tensor-core instruction shapes (PTX ISA, "Warp-level matrix multiply-
/// accumulate", mma.sync.aligned with .row.col and f32 accumulators).
enum class MMAKind {
  F16,  // m16n8k16, f16 x f16
  BF16, // m16n8k16, bf16 x bf16
  TF32, // m16n8k8, f32 operands read as tf32 (--allow-tf32)
};

/// The tensor-core instruction that computes `c` exactly as its body does
/// up to the products' rounding: a body out + ext(a) * ext(b) with f32
/// accumulators and f16 or bf16 operands (or f32 ones, read as tf32, when
/// `allowTF32`); none otherwise.
std::optional<MMAKind> mmaKind(Contraction c, bool allowTF32);

/// A tensor-core kernel's tile: a block computes bm x bn outputs with
/// warpsM x warpsN warps, in k tiles of bk.
struct MMATile {
  int64_t bm, bn, bk, warpsM, warpsN;
};

/// Replaces `c.op` (and its fill) by a gpu.launch of the tensor-core kernel.
void buildMMAKernel(RewriterBase &rewriter, const Contraction &c, MMATile tile, MMAKind kind,
                    StringRef name);

/// The static shared memory of an MMA kernel with `tile` for `kind`.
int64_t mmaSharedBytes(MMATile tile, MMAKind kind);

/// Index arithmetic of a block's program of a tiled contraction, written at
/// the rewriter's insertion point.
class ContractionKernelBuilder {
public:
  ContractionKernelBuilder(RewriterBase &rewriter, Contraction c)
      : rewriter(rewriter), c(c), loc(c.op.getLoc()), ivs(c.ranges.size()) {}

protected:
  /// A gpu.launch over (gridX, gridY, batch) blocks of (threadsX, threadsY)
  /// threads with `workgroup` buffers, named `name`, that asks for two blocks
  /// per multiprocessor; the insertion point is left at the start of its body.
  gpu::LaunchOp createLaunch(int64_t gridX, int64_t gridY, int64_t threadsX, int64_t threadsY,
                             TypeRange workgroup, StringRef name);

  Value constant(int64_t v);
  Value add(Value x, Value y);
  Value mul(Value x, Value y);
  Value lessThan(Value x, int64_t bound);
  Value clamp(Value x, int64_t bound);
  Value both(Value x, Value y);

  /// Sets the induction variables of `dims` from their linearized index
  /// (row-major: the last dim fastest).
  void setIvs(ArrayRef<unsigned> dims, Value linear);
  /// The operand's indices at the current induction variables.
  SmallVector<Value> indicesOf(OpOperand &operand);
  Value load(OpOperand &operand);

  /// The output at linearized (m, n), clamped into it: rows and columns
  /// outside read its last one (never stored).
  Value loadOutput(Value m, Value n);
  /// Stores `value` at linearized (m, n), unless outside the output (checked
  /// in m if `checkM`, in n if `checkN`).
  void storeOutput(Value m, Value n, Value value, bool checkM, bool checkN);

  /// Copies the operand's tile of `rows` (m or n) x `bk` elements at
  /// (`rowStart`, `k0`) into `shared`, zero outside the operand, with
  /// `threads` threads (`tid` this one's index) taking consecutive elements
  /// along the operand's contiguous dim. `shared` is [bk, rows + pad] when
  /// `kMajor`, else [rows, bk + pad]. `convert`, if given, rewrites each
  /// element read before it is stored.
  void copyTile(OpOperand &operand, ArrayRef<unsigned> rowDims, Value rowStart, int64_t rows,
                int64_t rowLimit, Value k0, int64_t bk, bool checkK, Value shared, bool kMajor,
                Value tid, int64_t threads, function_ref<Value(Value)> convert = nullptr);

  /// Writes `body(item)` for the items `tid`, `tid` + `threads`, ... below
  /// `items`: each of `threads` threads (`tid` this one's index) takes every
  /// `threads`-th item, the last round guarded when `items` is not a
  /// multiple of `threads`.
  void distribute(int64_t items, Value tid, int64_t threads, function_ref<void(Value)> body);

  /// An scf.for over `tiles` k tiles of `bk` carrying the accumulators
  /// `acc`: `step(k0, accumulators)` writes one tile's body and returns the
  /// new accumulators. Returns the loop's results (`acc` when `tiles` is 0).
  SmallVector<Value> kLoop(int64_t tiles, int64_t bk, ValueRange acc,
                           function_ref<SmallVector<Value>(Value, ValueRange)> step);

  /// Erases the op and its fill (the kernel replaced both).
  void eraseContraction();

  RewriterBase &rewriter;
  Contraction c;
  Location loc;
  SmallVector<Value> ivs;
};

} // namespace mlir::kiln

#endif // KILN_CODEGEN_GPU_CONTRACTIONS_H
