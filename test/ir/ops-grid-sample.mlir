// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// Round trip of kiln.grid_sample: the defaults (padding_mode zeros,
// align_corners false) do not print.

// CHECK-LABEL: func.func @grid_sample
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x3x8x8xf32>, %[[G:[a-z0-9]+]]: tensor<1x4x5x2xf32>, %[[V:[a-z0-9]+]]: tensor<2x1x3x4x5xi32>, %[[VG:[a-z0-9]+]]: tensor<2x2x2x2x3xf16>)
func.func @grid_sample(%x: tensor<1x3x8x8xf32>, %g: tensor<1x4x5x2xf32>,
                       %v: tensor<2x1x3x4x5xi32>, %vg: tensor<2x2x2x2x3xf16>) {
  // CHECK: kiln.grid_sample linear %[[X]], %[[G]] : tensor<1x3x8x8xf32>, tensor<1x4x5x2xf32> -> tensor<1x3x4x5xf32>
  %0 = kiln.grid_sample linear %x, %g : tensor<1x3x8x8xf32>, tensor<1x4x5x2xf32> -> tensor<1x3x4x5xf32>
  // CHECK: kiln.grid_sample cubic %[[X]], %[[G]] padding_mode reflection {align_corners = true} : tensor<1x3x8x8xf32>, tensor<1x4x5x2xf32> -> tensor<1x3x4x5xf32>
  %1 = kiln.grid_sample cubic %x, %g padding_mode reflection {align_corners = true}
       : tensor<1x3x8x8xf32>, tensor<1x4x5x2xf32> -> tensor<1x3x4x5xf32>
  // Volumetric, integers (nearest only), a float16 grid.
  // CHECK: kiln.grid_sample nearest %[[V]], %[[VG]] padding_mode border : tensor<2x1x3x4x5xi32>, tensor<2x2x2x2x3xf16> -> tensor<2x1x2x2x2xi32>
  %2 = kiln.grid_sample nearest %v, %vg padding_mode border
       : tensor<2x1x3x4x5xi32>, tensor<2x2x2x2x3xf16> -> tensor<2x1x2x2x2xi32>
  return
}
