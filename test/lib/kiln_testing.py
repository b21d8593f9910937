"""Helpers for Kiln's end-to-end tests (run by lit with %python).

Each test compiles a model with the real `kiln` binary, runs it with `kiln run`
(or a linked C program), and compares the outputs with an independent
reference: PyTorch for exported models, onnxruntime for ONNX files, NumPy for
hand-written graphs. Nothing is compared against Kiln's own earlier output.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

TOOLS = os.environ.get("KILN_TOOLS_DIR", "")
KILN = os.path.join(TOOLS, "kiln")
SRC = os.environ.get("KILN_SRC_ROOT", "")
OBJ = os.environ.get("KILN_OBJ_ROOT", "")
CC = os.environ.get("KILN_CC", "cc")
# The sanitizers Kiln was built with ("address,undefined" in scripts/test.sh
# --sanitize), else empty. RUNTIME_LINK_FLAGS: what a C program needs to link
# lib/libkiln_runtime.a (which is then instrumented), besides the library.
SANITIZE = os.environ.get("KILN_SANITIZE", "")
RUNTIME_LINK_FLAGS = (["-fsanitize=" + SANITIZE] if SANITIZE else []) + [
    "-lstdc++", "-ldl", "-lm", "-lpthread"]

# Tolerances the issue sets for float32 models.
ATOL = 1e-4
RTOL = 1e-3


def run_tool(args, check=True, timeout=600):
    """Runs a command; on failure prints its output and raises."""
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        sys.stderr.write("command failed (%d): %s\n%s%s" % (
            proc.returncode, " ".join(map(str, args)), proc.stdout, proc.stderr))
        raise SystemExit(1)
    return proc


def compile_model(model, out_dir, shapes=None, name=None, extra=()):
    args = [KILN, "compile", str(model), "-o", str(out_dir)]
    for k, v in (shapes or {}).items():
        args += ["--shape", "%s=%s" % (k, "x".join(map(str, v)))]
    if name:
        args += ["--name", name]
    run_tool(args + list(extra))
    return out_dir


def run_artifact(artifact, inputs, threads=None):
    """Runs `kiln run` on {name: ndarray} (with --threads if given); returns
    {output name: ndarray}."""
    work = tempfile.mkdtemp(prefix="kiln-run-")
    try:
        args = [KILN, "run", str(artifact), "--output-dir", os.path.join(work, "out")]
        if threads is not None:
            args += ["--threads", str(threads)]
        for name, value in inputs.items():
            path = os.path.join(work, "in_%d.npy" % len(args))
            np.save(path, value)
            args += ["--input", "%s=%s" % (name, path)]
        run_tool(args)
        import json
        manifest = [f for f in os.listdir(artifact) if f.endswith(".json")][0]
        with open(os.path.join(artifact, manifest)) as f:
            outputs = [e for e in json.load(f)["entry_points"] if e["name"] == "run"][0]["outputs"]
        result = {}
        for o in outputs:
            safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in o["name"])
            result[o["name"]] = np.load(os.path.join(work, "out", safe + ".npy"))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def save_graph(folder, name, nodes, inputs, outputs, initializers=(), opset=17):
    """Writes FOLDER/NAME.onnx: `nodes` with the value infos `inputs` and `outputs` and the
    TensorProto `initializers`, IR version 8; returns its path."""
    import onnx
    from onnx import helper
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    path = os.path.join(folder, name + ".onnx")
    onnx.save(model, path)
    return path


def save_float_graph(folder, name, nodes, inputs, inits, opset=17):
    """Writes FOLDER/NAME.onnx: `nodes` with float32 inputs [(name, shape)], initializers
    {name: array} and one output "y" of inferred shape; returns its path."""
    from onnx import TensorProto, helper, numpy_helper
    f32 = TensorProto.FLOAT
    return save_graph(folder, name, nodes, [helper.make_tensor_value_info(n, f32, s) for n, s in inputs],
                      [helper.make_tensor_value_info("y", f32, None)],
                      [numpy_helper.from_array(v, k) for k, v in inits.items()], opset)


def onnxruntime_outputs(model_path, inputs, optimize=True):
    """onnxruntime's outputs; optimize=False turns its graph rewrites off
    (some crash on corner cases such as a graph input that is an output)."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    if not optimize:
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(model_path), opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, inputs)))


def assert_close(actual, expected, what, atol=ATOL, rtol=RTOL):
    """Fails (with the worst element) unless |a - e| <= atol + rtol * |e| everywhere."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        raise SystemExit("%s: got %s %s, expected %s %s" % (
            what, actual.dtype, actual.shape, expected.dtype, expected.shape))
    if actual.dtype.kind in "biu":
        if not np.array_equal(actual, expected):
            bad = np.argwhere(actual != expected)[0]
            raise SystemExit("%s: differs at %s: %s vs %s" % (
                what, tuple(bad), actual[tuple(bad)], expected[tuple(bad)]))
        print("%s: exact match" % what)
        return
    if actual.size == 0:
        print("%s: empty, as expected" % what)
        return
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    # Equal infinities and NaN against NaN match; any other non-finite
    # difference is an infinite error.
    same = (a == e) | (np.isnan(a) & np.isnan(e))
    with np.errstate(invalid="ignore"):
        err = np.where(same, 0.0, np.nan_to_num(np.abs(a - e), nan=np.inf))
    bound = atol + rtol * np.nan_to_num(np.abs(e), nan=0.0, posinf=0.0)
    if not np.all(err <= bound):
        worst = np.unravel_index(np.argmax(err - bound), err.shape)
        raise SystemExit("%s: max abs error %.3g; worst at %s: %r vs %r (bound %.3g)" % (
            what, err.max(), worst, actual[worst], expected[worst], bound[worst]))
    print("%s: max abs error %.3g (atol %g, rtol %g)" % (what, err.max(), atol, rtol))


def torch_export(module, example, path, opset, input_names, output_names):
    """Exports an eval-mode torch module to ONNX with a fixed opset."""
    import torch
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, example, str(path), opset_version=opset,
                          input_names=input_names, output_names=output_names,
                          do_constant_folding=True)


C_DRIVER = r"""
/* Generated by kiln_testing.py: runs %(name)s through its static library,
 * reading raw inputs and writing raw outputs, with sizes from %(name)s.h.
 * With external weights (%(U)s_WEIGHTS_FILE), it reads NAME.weights.bin and
 * passes it in a kiln_context_t; otherwise it calls %(name)s_run. */
#include "%(name)s.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *slurp(const char *path, size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  FILE *f = fopen(path, "rb");
  if (!p || !f || fread(p, 1, bytes, f) != bytes) { fprintf(stderr, "cannot read %%s\n", path); exit(3); }
  fclose(f);
  return p;
}

int main(int argc, char **argv) {
  if (argc != 2 + %(U)s_NUM_INPUTS + %(U)s_NUM_OUTPUTS) return 2;
  const void *in[%(U)s_NUM_INPUTS + 1];
  void *out[%(U)s_NUM_OUTPUTS + 1];
  static const size_t in_bytes[] = {%(in_bytes)s 0};
  static const size_t out_bytes[] = {%(out_bytes)s 0};
  /* A 0-byte buffer is passed as NULL, which the ABI allows. */
  for (int i = 0; i < %(U)s_NUM_INPUTS; ++i) in[i] = in_bytes[i] ? slurp(argv[2 + i], in_bytes[i]) : NULL;
  for (int i = 0; i < %(U)s_NUM_OUTPUTS; ++i) out[i] = out_bytes[i] ? malloc(out_bytes[i]) : NULL;
#ifdef %(U)s_WEIGHTS_FILE
  char path[4096];
  snprintf(path, sizeof path, "%%s/%%s", argv[1], %(U)s_WEIGHTS_FILE);
  kiln_context_t ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.abi_version = KILN_ABI_VERSION;
  ctx.struct_size = sizeof ctx;
  ctx.weights = slurp(path, %(U)s_WEIGHTS_BYTES);
  ctx.weights_bytes = %(U)s_WEIGHTS_BYTES;
  int status = %(name)s_run_ctx(&ctx, in, out);
#else
  int status = %(name)s_run(in, out);
#endif
  if (status != KILN_CODE_OK) { fprintf(stderr, "%(name)s_run returned %%d\n", status); return 1; }
  for (int i = 0; i < %(U)s_NUM_OUTPUTS; ++i) {
    FILE *f = fopen(argv[2 + %(U)s_NUM_INPUTS + i], "wb");
    if (!f || (out_bytes[i] && fwrite(out[i], 1, out_bytes[i], f) != out_bytes[i])) return 4;
    fclose(f);
  }
  return 0;
}
"""


def run_static_c(artifact, inputs):
    """Links the artifact's static library into a C program (libc and libm
    only) that uses the generated header, runs it on `inputs`, and returns
    {output name: ndarray} built from the manifest's dtypes and shapes."""
    import json
    manifest_file = [f for f in os.listdir(artifact) if f.endswith(".json")][0]
    with open(os.path.join(artifact, manifest_file)) as f:
        manifest = json.load(f)
    name = manifest["name"]
    entry = [e for e in manifest["entry_points"] if e["name"] == "run"][0]
    upper = name.upper()
    work = tempfile.mkdtemp(prefix="kiln-c-")
    try:
        src = os.path.join(work, "driver.c")
        with open(src, "w") as f:
            f.write(C_DRIVER % {
                "name": name, "U": upper,
                "in_bytes": "".join("%s_INPUT%d_BYTES, " % (upper, i) for i in range(len(entry["inputs"]))),
                "out_bytes": "".join("%s_OUTPUT%d_BYTES, " % (upper, i) for i in range(len(entry["outputs"]))),
            })
        exe = os.path.join(work, "driver")
        run_tool([CC, "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", src, "-I" + str(artifact),
                  os.path.join(artifact, "lib%s.a" % name), "-lm", "-o", exe])
        args = [exe, str(artifact)]
        for i, spec in enumerate(entry["inputs"]):
            path = os.path.join(work, "in%d.bin" % i)
            np.ascontiguousarray(inputs[spec["name"]], dtype=_numpy_dtype(spec["dtype"])).tofile(path)
            args.append(path)
        out_paths = [os.path.join(work, "out%d.bin" % i) for i in range(len(entry["outputs"]))]
        run_tool(args + out_paths)
        return {spec["name"]: np.fromfile(p, dtype=_numpy_dtype(spec["dtype"])).reshape(spec["shape"])
                for spec, p in zip(entry["outputs"], out_paths)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def foreign_symbols(archive):
    """The symbols a static library needs from outside itself and outside libc and libm: undefined in
    one of its members (the CPU target writes a model as several objects) and defined in none."""
    def names(args):
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        return {line.split()[-1].split("@")[0] for line in out.splitlines()
                if line.strip() and not line.endswith(":")}

    def exported(lib):
        path = subprocess.run([CC, "-print-file-name=" + lib], capture_output=True, text=True).stdout.strip()
        return names(["nm", "-D", "--defined-only", path])

    undefined = names(["nm", "-u", archive]) - names(["nm", "--defined-only", archive])
    return sorted(undefined - exported("libc.so.6") - exported("libm.so.6")), sorted(undefined)


def _numpy_dtype(name):
    return {"float16": np.float16, "float32": np.float32, "float64": np.float64, "bool": np.bool_,
            "int8": np.int8, "int32": np.int32, "int64": np.int64, "bfloat16": np.uint16}[name]
