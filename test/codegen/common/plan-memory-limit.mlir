// RUN: kiln-opt %s -kiln-plan-memory="max-bytes=1024" -verify-diagnostics

// A plan over the limit is refused at the op whose buffer is the largest.
module {
  func.func @limit(%out: memref<4xf32>) attributes {kiln.entry = "run"} {
    // expected-error @+1 {{the model needs 4.0 KiB of scratch memory, over the memory limit of 1.0 KiB (--memory-limit); the largest buffer, 4.0 KiB ('memref<1024xf32>'), holds the result of this node}}
    %a = memref.alloc() : memref<1024xf32>
    %a0 = memref.subview %a[0] [4] [1] : memref<1024xf32> to memref<4xf32, strided<[1]>>
    linalg.copy ins(%a0 : memref<4xf32, strided<[1]>>) outs(%out : memref<4xf32>)
    return
  }
}
