//===- MMAContractions.cpp - Contractions on tensor cores -----------------===//
//
// The tensor-core form of kiln-gpu-tile-contractions (see its description in
// codegen/GPU/Passes.td): warps of nvgpu.mma.sync over k tiles in workgroup
// memory. The fragment layouts are the PTX ISA's ("Matrix fragments for
// mma.m16n8k16" and "for mma.m16n8k8", .f16/.bf16 and .tf32 operands, f32
// accumulators); kiln-gpu-launches-as-loops runs the instruction on the CPU
// with the same layouts.
//
//===----------------------------------------------------------------------===//

#include "codegen/GPU/Contractions.h"
#include "codegen/GPU/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

constexpr int64_t kWarpSize = 32;

/// The instruction's k: 16 for 16-bit operands, 8 for tf32.
int64_t instructionK(MMAKind kind) { return kind == MMAKind::TF32 ? 8 : 16; }

/// Elements per 32-bit register of an operand fragment: 2 for 16-bit, 1 for
/// tf32. A lane's registers hold this many consecutive k elements.
int64_t perRegister(MMAKind kind) { return kind == MMAKind::TF32 ? 1 : 2; }

/// Elements added to each row of a workgroup tile: 16 bytes, so that the
/// rows of a warp's fragment loads (8 rows, 4 lanes each) fall on 32
/// different banks.
int64_t padElements(MMAKind kind) { return kind == MMAKind::TF32 ? 4 : 8; }

/// Elements added to each k row of an n-contiguous B tile [bk, bn + pad]:
/// rows 2 * threadID_in_group apart then start 8 banks apart (bn a multiple
/// of 64), and a warp's B loads (8 columns, 4 k rows) hit 32 banks.
constexpr int64_t kRowsMajorPad = 8;

class MMAKernelBuilder : public ContractionKernelBuilder {
public:
  MMAKernelBuilder(RewriterBase &rewriter, const Contraction &c, MMATile tile, MMAKind kind)
      : ContractionKernelBuilder(rewriter, c), tile(tile), kind(kind) {}

  void build(StringRef name) {
    MLIRContext *ctx = c.op.getContext();
    elementType = cast<MemRefType>(c.op.getDpsInputs()[0].getType()).getElementType();
    auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    // B contiguous along n (a plain MatMul's [K, N]) is kept n-contiguous,
    // [bk, bn + pad], so that it can be copied in 16-byte pieces too; k-
    // contiguous otherwise, as A always is.
    OpOperand &a = *c.op.getDpsInputOperands()[0], &b = *c.op.getDpsInputOperands()[1];
    aVectors = copiesVectors(a, c.dims.k, c.k, tile.bk);
    bool bAlongK = copiesVectors(b, c.dims.k, c.k, tile.bk);
    bRowsMajor = !bAlongK && copiesVectors(b, c.dims.n, c.n, tile.bn);
    bVectors = bAlongK || bRowsMajor;
    auto sharedType = [&](int64_t rows, bool rowsMajor) {
      SmallVector<int64_t> shape = {rows, tile.bk + padElements(kind)};
      if (rowsMajor)
        shape = {tile.bk, rows + kRowsMajorPad};
      return MemRefType::get(shape, elementType, MemRefLayoutAttrInterface{}, workgroup);
    };
    threads = tile.warpsM * tile.warpsN * kWarpSize;
    gpu::LaunchOp launch = createLaunch(
        llvm::divideCeil(c.n, tile.bn), llvm::divideCeil(c.m, tile.bm), threads, 1,
        {sharedType(tile.bm, false), sharedType(tile.bn, bRowsMajor)}, name);
    aTile = launch.getWorkgroupAttributions()[0];
    bTile = launch.getWorkgroupAttributions()[1];
    tid = launch.getThreadIds().x;
    Value lane = rewriter.create<arith::RemUIOp>(loc, tid, constant(kWarpSize));
    Value warp = rewriter.create<arith::DivUIOp>(loc, tid, constant(kWarpSize));
    // The PTX ISA's names: a lane is thread threadID_in_group of group
    // groupID.
    group = rewriter.create<arith::DivUIOp>(loc, lane, constant(4));
    inGroup = rewriter.create<arith::RemUIOp>(loc, lane, constant(4));
    warpRow = mul(rewriter.create<arith::DivUIOp>(loc, warp, constant(tile.warpsN)),
                  constant(warpRows()));
    warpCol = mul(rewriter.create<arith::RemUIOp>(loc, warp, constant(tile.warpsN)),
                  constant(warpCols()));
    m0 = mul(launch.getBlockIds().y, constant(tile.bm));
    n0 = mul(launch.getBlockIds().x, constant(tile.bn));

    // Each fragment's accumulators start from the output's initial values.
    auto accType = VectorType::get({2, 2}, rewriter.getF32Type());
    SmallVector<Value> acc;
    for (int64_t i = 0; i < fragmentsM(); ++i)
      for (int64_t j = 0; j < fragmentsN(); ++j) {
        if (c.fill) {
          acc.push_back(
              rewriter.create<vector::BroadcastOp>(loc, accType, c.fill.getInputs()[0]));
          continue;
        }
        SmallVector<Value> elements;
        for (int64_t r = 0; r < 2; ++r)
          for (int64_t e = 0; e < 2; ++e)
            elements.push_back(loadOutput(outputRow(i, r), outputCol(j, e)));
        acc.push_back(buildVector(rewriter, loc, accType, elements));
      }

    int64_t fullTiles = c.k / tile.bk;
    acc = kLoop(fullTiles, tile.bk, acc, [&](Value k0, ValueRange carried) {
      return kStep(k0, /*checkK=*/false, carried);
    });
    // A partial last k tile: zeros past k add nothing.
    if (c.k % tile.bk != 0)
      acc = kStep(constant(fullTiles * tile.bk), /*checkK=*/true, acc);

    for (int64_t i = 0; i < fragmentsM(); ++i)
      for (int64_t j = 0; j < fragmentsN(); ++j)
        for (int64_t r = 0; r < 2; ++r)
          for (int64_t e = 0; e < 2; ++e) {
            Value value = rewriter.create<vector::ExtractOp>(loc, acc[i * fragmentsN() + j],
                                                             ArrayRef<int64_t>{r, e});
            storeOutput(outputRow(i, r), outputCol(j, e), value, c.m % tile.bm != 0,
                        c.n % tile.bn != 0);
          }
    eraseContraction();
  }

private:
  int64_t warpRows() const { return tile.bm / tile.warpsM; }
  int64_t warpCols() const { return tile.bn / tile.warpsN; }
  int64_t fragmentsM() const { return warpRows() / 16; }
  int64_t fragmentsN() const { return warpCols() / 8; }

  /// Row (in the block's tile) of fragment i's accumulators [r][*]: groupID
  /// + 8r. Column of fragment j's accumulators [*][e]: 2 threadID_in_group
  /// + e.
  Value tileRow(int64_t i, int64_t r) {
    return add(add(warpRow, constant(i * 16 + 8 * r)), group);
  }
  Value tileCol(int64_t j, int64_t e) {
    return add(add(warpCol, constant(j * 8 + e)), mul(inGroup, constant(2)));
  }
  Value outputRow(int64_t i, int64_t r) { return add(m0, tileRow(i, r)); }
  Value outputCol(int64_t j, int64_t e) { return add(n0, tileCol(j, e)); }

  /// The k (in the tile) of a lane's register `r` of an operand fragment at
  /// k step `kBase`: threadID_in_group's elements, and the instruction's
  /// second half of k for the upper registers (`upper`).
  Value fragmentK(int64_t kBase, bool upper) {
    int64_t half = instructionK(kind) / 2;
    return add(constant(kBase + (upper ? half : 0)), mul(inGroup, constant(perRegister(kind))));
  }

  /// A lane's registers of a fragment: `rows[r]` and k (upper half for
  /// `uppers[r]`) of `shared`, as vector<registers x perRegister x T>.
  Value loadFragment(Value shared, ArrayRef<Value> rows, ArrayRef<bool> uppers, int64_t kBase) {
    int64_t per = perRegister(kind);
    auto type = VectorType::get({static_cast<int64_t>(rows.size()), per}, elementType);
    Value fragment = rewriter.create<arith::ConstantOp>(loc, type, rewriter.getZeroAttr(type));
    for (auto [r, row] : llvm::enumerate(rows)) {
      Value registerValue = rewriter.create<vector::LoadOp>(
          loc, VectorType::get({per}, elementType), shared,
          ValueRange{row, fragmentK(kBase, uppers[r])});
      fragment = rewriter.create<vector::InsertOp>(loc, registerValue, fragment,
                                                   ArrayRef<int64_t>{static_cast<int64_t>(r)});
    }
    return fragment;
  }

  /// B's registers from an n-contiguous tile [bk, bn + pad]: column `col`,
  /// each register's k elements one by one (a register's two 16-bit
  /// elements are a column's consecutive k, in different rows here).
  Value loadRowsMajorFragment(Value shared, Value col, int64_t kBase) {
    int64_t per = perRegister(kind);
    auto type = VectorType::get({2, per}, elementType);
    SmallVector<Value> elements;
    for (bool upper : {false, true}) {
      Value k = fragmentK(kBase, upper);
      for (int64_t e = 0; e < per; ++e)
        elements.push_back(
            rewriter.create<memref::LoadOp>(loc, shared, ValueRange{add(k, constant(e)), col}));
    }
    return buildVector(rewriter, loc, type, elements);
  }

  /// `value` (f32) rounded to tf32's 10-bit mantissa, to nearest with ties
  /// away from zero (PTX's cvt.rna.tf32.f32, as cuBLAS rounds): the
  /// instruction itself reads only the top 19 bits, which would truncate.
  /// Integer arithmetic, so that the CPU emulation runs it too: add half of
  /// the dropped bits' range to the magnitude, then clear them (a carry
  /// into the exponent rounds up, to infinity past the largest float); NaN
  /// stays NaN.
  /// Scalars or vectors alike.
  Value roundToTF32(Value value) {
    Type i32 = rewriter.getI32Type();
    Type bitsType = i32;
    if (auto vector = dyn_cast<VectorType>(value.getType()))
      bitsType = VectorType::get(vector.getShape(), i32);
    auto bitsConstant = [&](uint32_t v) -> Value {
      Attribute attr = rewriter.getI32IntegerAttr(static_cast<int32_t>(v));
      if (auto vector = dyn_cast<VectorType>(bitsType))
        attr = DenseElementsAttr::get(vector, attr);
      return rewriter.create<arith::ConstantOp>(loc, bitsType, cast<TypedAttr>(attr));
    };
    Value bits = rewriter.create<arith::BitcastOp>(loc, bitsType, value);
    Value rounded = rewriter.create<arith::AndIOp>(
        loc, rewriter.create<arith::AddIOp>(loc, bits, bitsConstant(0x1000)),
        bitsConstant(0xFFFFE000));
    Value isNaN =
        rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, value, value);
    return rewriter.create<arith::SelectOp>(
        loc, isNaN, value, rewriter.create<arith::BitcastOp>(loc, value.getType(), rounded));
  }

  /// Elements of a 16-byte copy.
  int64_t vectorWidth() {
    return 16 / (elementType.getIntOrFloatBitWidth() / 8);
  }

  /// Whether the operand's tiles can be copied in 16-byte vectors along
  /// `dims` (k, or the operand's m or n): one dim, the operand's last with
  /// stride 1, and every vector 16 bytes from the operand's first element
  /// (its `extent`, the tile's `tileExtent` along it, the other strides and
  /// the offset multiples of a vector).
  bool copiesVectors(OpOperand &operand, ArrayRef<unsigned> dims, int64_t extent,
                     int64_t tileExtent) {
    int64_t width = vectorWidth();
    if (dims.size() != 1 || extent % width || tileExtent % width)
      return false;
    auto type = cast<MemRefType>(operand.get().getType());
    int64_t offset;
    SmallVector<int64_t> strides;
    if (failed(getStridesAndOffset(type, strides, offset)) || strides.empty() ||
        strides.back() != 1 || ShapedType::isDynamic(offset) || offset % width)
      return false;
    for (int64_t stride : ArrayRef<int64_t>(strides).drop_back())
      if (ShapedType::isDynamic(stride) || stride % width)
        return false;
    auto last = dyn_cast<AffineDimExpr>(c.op.getMatchingIndexingMap(&operand).getResults().back());
    return last && last.getPosition() == dims.front();
  }

  /// Copies the operand's k tile into `shared`, [rows, bk + pad] or with
  /// `rowsMajor` [bk, rows + pad]: with `vectors` (copiesVectors along its
  /// contiguous dim, k or the rows with `rowsMajor`) in 16-byte vectors when
  /// its buffer is 16-byte aligned (checked at run time: the ABI promises
  /// inputs only their elements' alignment; the branch is the same for every
  /// thread), else element by element.
  void copyOperand(OpOperand &operand, ArrayRef<unsigned> rowDims, Value rowStart, int64_t rows,
                   int64_t rowLimit, Value k0, bool checkK, Value shared,
                   function_ref<Value(Value)> convert, bool vectors, bool rowsMajor) {
    auto scalars = [&] {
      copyTile(operand, rowDims, rowStart, rows, rowLimit, k0, tile.bk, checkK, shared,
               /*kMajor=*/rowsMajor, tid, threads, convert);
    };
    if (!vectors)
      return scalars();
    Value base = rewriter.create<memref::ExtractAlignedPointerAsIndexOp>(loc, operand.get());
    Value aligned = rewriter.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::eq, rewriter.create<arith::RemUIOp>(loc, base, constant(16)),
        constant(0));
    auto branch = rewriter.create<scf::IfOp>(loc, aligned, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointToStart(&branch.getElseRegion().front());
    scalars();
    rewriter.setInsertionPointToStart(&branch.getThenRegion().front());
    int64_t width = vectorWidth();
    // Vectors per line of the tile (a row, or a k with `rowsMajor`).
    int64_t perLine = (rowsMajor ? rows : tile.bk) / width;
    int64_t count = perLine * (rowsMajor ? tile.bk : rows);
    auto type = VectorType::get({width}, elementType);
    Value zero = rewriter.create<arith::ConstantOp>(loc, type, rewriter.getZeroAttr(type));
    // 16-bit operands need no conversion: 16-byte cp.async copies from
    // global to workgroup memory (nvgpu.device_async_copy, sm_80 on), zeros
    // outside the operand (a source size of 0), waited for before the
    // barrier. Through registers instead, MLIR 19's vector.load would give
    // LLVM only the element's alignment, and NVPTX would split each into 8
    // loads.
    // (Every thread copies the same number of vectors: a token produced
    // under a guard could not join the group.)
    bool async = !convert && count % threads == 0;
    SmallVector<Value> tokens;
    distribute(count, tid, threads, [&](Value e) {
      // Neighbouring threads take neighbouring vectors of a line.
      Value line = rewriter.create<arith::DivUIOp>(loc, e, constant(perLine));
      Value along = mul(rewriter.create<arith::RemUIOp>(loc, e, constant(perLine)), constant(width));
      Value row = rowsMajor ? along : line, kk = rowsMajor ? line : along;
      Value globalRow = add(rowStart, row), globalK = add(k0, kk);
      // A vector lies wholly inside the operand or wholly outside (its
      // contiguous extent is a multiple of the width); outside it reads the
      // last row, k or vector and stores zeros.
      Value inside = both(rowLimit % rows != 0 ? lessThan(globalRow, rowLimit) : Value(),
                          checkK ? lessThan(globalK, c.k) : Value());
      auto last = [&](Value index, int64_t limit, bool vectorDim) -> Value {
        return rewriter.create<arith::MinUIOp>(loc, index, constant(limit - (vectorDim ? width : 1)));
      };
      setIvs(rowDims, rowLimit % rows != 0 ? last(globalRow, rowLimit, rowsMajor) : globalRow);
      setIvs(c.dims.k, checkK ? last(globalK, c.k, !rowsMajor) : globalK);
      SmallVector<Value> destination = {row, kk};
      if (rowsMajor)
        destination = {kk, row};
      SmallVector<Value> indices = indicesOf(operand);
      if (async) {
        Value sourceElements;
        if (inside)
          sourceElements = rewriter.create<arith::SelectOp>(loc, inside, constant(width), constant(0));
        tokens.push_back(rewriter.create<nvgpu::DeviceAsyncCopyOp>(
            loc, nvgpu::DeviceAsyncTokenType::get(rewriter.getContext()), shared, destination,
            operand.get(), indices, rewriter.getIndexAttr(width),
            sourceElements, rewriter.getUnitAttr()));
        return;
      }
      Value value = rewriter.create<vector::LoadOp>(loc, type, operand.get(), indices);
      if (convert)
        value = convert(value);
      if (inside)
        value = rewriter.create<arith::SelectOp>(loc, inside, value, zero);
      rewriter.create<vector::StoreOp>(loc, value, shared, destination);
    });
    if (async) {
      Value group = rewriter.create<nvgpu::DeviceAsyncCreateGroupOp>(
          loc, nvgpu::DeviceAsyncTokenType::get(rewriter.getContext()), tokens);
      rewriter.create<nvgpu::DeviceAsyncWaitOp>(loc, group, /*numGroups=*/nullptr);
    }
  }

  /// One k tile: the block copies it to workgroup memory, then each warp
  /// adds its fragments' products.
  SmallVector<Value> kStep(Value k0, bool checkK, ValueRange acc) {
    // The tiles may be overwritten only once every warp has read them.
    rewriter.create<gpu::BarrierOp>(loc);
    auto convert = [&](Value v) { return roundToTF32(v); };
    function_ref<Value(Value)> toTF32 = nullptr;
    if (kind == MMAKind::TF32)
      toTF32 = convert;
    copyOperand(*c.op.getDpsInputOperands()[0], c.dims.m, m0, tile.bm, c.m, k0, checkK, aTile,
                toTF32, aVectors, /*rowsMajor=*/false);
    copyOperand(*c.op.getDpsInputOperands()[1], c.dims.n, n0, tile.bn, c.n, k0, checkK, bTile,
                toTF32, bVectors, bRowsMajor);
    rewriter.create<gpu::BarrierOp>(loc);
    SmallVector<Value> result(acc.begin(), acc.end());
    int64_t kInstr = instructionK(kind);
    SmallVector<int64_t> shape = {16, 8, kInstr};
    for (int64_t kBase = 0; kBase < tile.bk; kBase += kInstr) {
      // A: rows groupID and groupID + 8, each at both halves of k.
      SmallVector<Value> as, bs;
      for (int64_t i = 0; i < fragmentsM(); ++i) {
        Value top = add(add(warpRow, constant(i * 16)), group);
        Value bottom = add(top, constant(8));
        as.push_back(loadFragment(aTile, {top, bottom, top, bottom}, {false, false, true, true},
                                  kBase));
      }
      // B: column groupID at both halves of k.
      for (int64_t j = 0; j < fragmentsN(); ++j) {
        Value col = add(add(warpCol, constant(j * 8)), group);
        bs.push_back(bRowsMajor ? loadRowsMajorFragment(bTile, col, kBase)
                                : loadFragment(bTile, {col, col}, {false, true}, kBase));
      }
      for (int64_t i = 0; i < fragmentsM(); ++i)
        for (int64_t j = 0; j < fragmentsN(); ++j) {
          Value &accumulator = result[i * fragmentsN() + j];
          accumulator = rewriter.create<nvgpu::MmaSyncOp>(loc, as[i], bs[j], accumulator, shape,
                                                          kind == MMAKind::TF32);
        }
    }
    return result;
  }

  MMATile tile;
  MMAKind kind;
  Type elementType;
  int64_t threads = 0;
  /// Whether A and B are copied in 16-byte vectors when aligned
  /// (copiesVectors), and whether B's workgroup tile is [bk, bn + pad] (else
  /// [bn, bk + pad]); decided once for every k tile.
  bool aVectors = false, bVectors = false, bRowsMajor = false;
  Value aTile, bTile, tid, group, inGroup, warpRow, warpCol, m0, n0;
};

} // namespace

int64_t mlir::kiln::mmaSharedBytes(MMATile tile, MMAKind kind) {
  int64_t bytes = kind == MMAKind::TF32 ? 4 : 2;
  // B in the larger of its two layouts.
  int64_t b = std::max(tile.bn * (tile.bk + padElements(kind)), tile.bk * (tile.bn + kRowsMajorPad));
  return (tile.bm * (tile.bk + padElements(kind)) + b) * bytes;
}

void mlir::kiln::buildMMAKernel(RewriterBase &rewriter, const Contraction &c, MMATile tile,
                                MMAKind kind, StringRef name) {
  MMAKernelBuilder(rewriter, c, tile, kind).build(name);
}
