"""Checks of `kiln compile --target cuda` that need no GPU (test/e2e/cuda_models.py).

For a model, `check_cuda_model`:
  1. compiles it with --target cuda and checks the artifact: every kernel of the manifest is an
     `.entry` of the PTX and a function symbol of every cubin (ptxas accepted them), the libraries
     need nothing from libcuda, and each kernel's launch covers at least one thread;
  2. checks the mapping to blocks and threads numerically: the same compile's bufferized IR
     (--emit memref) goes through the target's mapping (kiln-gpu-mapping-pipeline: tiled
     contractions, block reductions, one thread per element for the rest), then
     kiln-gpu-launches-as-loops runs every launch's blocks on the CPU, its threads one after
     another between barriers (shared memory and shuffles included), and the result must match
     onnxruntime. What this leaves to a GPU machine (scripts/gpu-check.sh) is NVVM's code
     generation, the driver, races between threads, and speed.
"""
import ctypes
import json
import os
import shutil
import subprocess

import numpy as np

import kiln_testing as kt

KILN_OPT = os.path.join(kt.TOOLS, "kiln-opt")
# The architectures every check compiles for (their tiles decide the kernels the CPU runs).
GPUS = "sm_80,sm_90"


def _tool(name):
    """An LLVM 19 tool: lit puts its folder on PATH; Debian also installs NAME-19."""
    for candidate in (name, name + "-19"):
        path = shutil.which(candidate)
        if path:
            return path
    raise SystemExit("%s not found on PATH" % name)


def cuobjdump():
    """NVIDIA's cuobjdump: from the toolkit, or the nvidia-cuda-cuobjdump wheel scripts/setup.sh installs;
    None if neither is there."""
    for path in (os.path.join(os.environ.get("CUDA_PATH", "/usr/local/cuda"), "bin", "cuobjdump"),
                 shutil.which("cuobjdump")):
        if path and os.access(path, os.X_OK):
            return path
    try:
        import nvidia
        for base in nvidia.__path__:
            path = os.path.join(base, "cu13", "bin", "cuobjdump")
            if os.access(path, os.X_OK):
                return path
    except ImportError:
        pass
    return None


def check_images(artifact):
    """Checks the PTX and cubins against the manifest; returns the manifest."""
    manifest_path = [f for f in os.listdir(artifact) if f.endswith(".json")][0]
    with open(os.path.join(artifact, manifest_path)) as f:
        manifest = json.load(f)
    device = manifest["device"]
    assert device["kind"] == "cuda", device["kind"]
    kernels = [k["name"] for k in device["kernels"]]
    assert kernels, "no kernels"
    for k in device["kernels"]:
        threads = np.prod(k["grid"]) * np.prod(k["block"])
        # Whole warps, unless the kernel is one thread.
        assert threads >= 1 and np.prod(k["block"]) % 32 == 0 or threads == 1, k
    formats = {(i["architecture"], i["format"]) for i in device["images"]}
    for arch in device["architectures"]:
        assert (arch, "cubin") in formats, "no cubin for %s: %s" % (arch, formats)
    newest = device["architectures"][-1]
    assert (newest, "ptx") in formats, "no PTX for %s" % newest
    readelf = _tool("llvm-readelf")
    for image in device["images"]:
        path = os.path.join(artifact, image["file"])
        if image["format"] == "ptx":
            text = open(path).read()
            assert ".target %s" % image["architecture"] in text, "PTX not for " + image["architecture"]
            entries = set(l.split()[2].rstrip("(") for l in text.splitlines()
                          if l.startswith(".visible .entry"))
        elif cuobjdump():
            # "STT_FUNC STB_GLOBAL STO_ENTRY NAME": the kernels NVIDIA's own tool finds in the cubin.
            symbols = kt.run_tool([cuobjdump(), "-symbols", path]).stdout
            entries = set(l.split()[-1] for l in symbols.splitlines() if "STO_ENTRY" in l)
        else:
            symbols = kt.run_tool([readelf, "-sW", path]).stdout
            # "Num: Value Size FUNC GLOBAL DEFAULT [<other: 0x10>] Ndx NAME": kernels are the
            # global functions.
            entries = set(l.split()[-1] for l in symbols.splitlines()
                          if len(l.split()) >= 8 and l.split()[3:5] == ["FUNC", "GLOBAL"])
        missing = set(kernels) - entries
        assert not missing, "%s lacks %s" % (image["file"], sorted(missing)[:5])
    print("%s: %d kernels in %s (cubins listed by %s)" % (
        manifest["name"], len(kernels), ", ".join(i["file"] for i in device["images"]),
        "cuobjdump" if cuobjdump() else "llvm-readelf"))
    # The host code links against nothing of CUDA's.
    for lib in ("lib%s.so" % manifest["name"],):
        undefined = kt.run_tool(["nm", "-D", "--undefined-only", os.path.join(artifact, lib)]).stdout
        bad = [l for l in undefined.split() if l.startswith(("cu", "mgpu"))]
        assert not bad, "%s needs %s" % (lib, bad)
    return manifest


class _Context(ctypes.Structure):
    # kiln_context_t (runtime/kiln_abi.h).
    _fields_ = [("abi_version", ctypes.c_uint32), ("struct_size", ctypes.c_uint32),
                ("scratch", ctypes.c_void_p), ("scratch_bytes", ctypes.c_size_t),
                ("weights", ctypes.c_void_p), ("weights_bytes", ctypes.c_size_t),
                ("parallel_for", ctypes.c_void_p), ("pool", ctypes.c_void_p),
                ("num_threads", ctypes.c_uint32), ("reserved0", ctypes.c_uint32),
                ("device", ctypes.c_void_p), ("stream", ctypes.c_void_p)]


def _shape_flags(shapes):
    flags = []
    for k, v in (shapes or {}).items():
        flags += ["--shape", "%s=%s" % (k, "x".join(map(str, v)))]
    return flags


def run_mapped_on_cpu(model, artifact, manifest, feeds, work, shapes=None, entry_point="run",
                      compile_flags=()):
    """Runs the GPU mapping of `model` sequentially on the CPU; returns {output: array}.
    `entry_point` names the entry point to run (e.g. "grad", with compile_flags ["--grad"]);
    `feeds` holds its inputs by name (cotangents as "<output>.cotangent")."""
    name = manifest["name"]
    memref = os.path.join(work, name + ".memref.mlir")
    kt.run_tool([kt.KILN, "compile", model, "--target", "cuda", "--name", name, "--emit", "memref",
                 "-o", memref] + _shape_flags(shapes) + list(compile_flags))
    llvm = os.path.join(work, name + ".llvm.mlir")
    tf32 = " allow-tf32=true" if "--allow-tf32" in compile_flags else ""
    kt.run_tool([KILN_OPT, memref, "-o", llvm, "--pass-pipeline=builtin.module("
                 "kiln-gpu-mapping-pipeline{gpu=%s%s},func.func(kiln-gpu-launches-as-loops),"
                 "kiln-llvm-pipeline{name=%s target=cpu cpu=x86-64})" % (GPUS, tf32, name)])
    ll = os.path.join(work, name + ".ll")
    kt.run_tool([_tool("mlir-translate"), "--mlir-to-llvmir", llvm, "-o", ll])
    obj = os.path.join(work, name + ".o")
    kt.run_tool([_tool("llc"), "-O2", "-filetype=obj", "-relocation-model=pic", ll, "-o", obj])
    lib = os.path.join(work, "lib%s_mapped.so" % name)
    kt.run_tool([kt.CC, "-shared", obj, "-o", lib, "-lm"])

    entry = [e for e in manifest["entry_points"] if e["name"] == entry_point][0]
    inputs = [np.ascontiguousarray(feeds[i["name"]]) for i in entry["inputs"]]
    # bfloat16 as its bit patterns (numpy has no such type).
    outputs = [np.zeros(o["shape"], dtype=np.uint16 if o["dtype"] == "bfloat16" else o["dtype"])
               for o in entry["outputs"]]
    weights = b""
    if "weights" in manifest:
        weights = open(os.path.join(artifact, manifest["files"]["weights"]), "rb").read()
    weights_buffer = ctypes.create_string_buffer(weights, max(len(weights), 1))
    ctx = _Context(abi_version=2, struct_size=ctypes.sizeof(_Context),
                   weights=ctypes.cast(weights_buffer, ctypes.c_void_p), weights_bytes=len(weights))
    in_ptrs = (ctypes.c_void_p * max(len(inputs), 1))(*[a.ctypes.data for a in inputs])
    out_ptrs = (ctypes.c_void_p * max(len(outputs), 1))(*[a.ctypes.data for a in outputs])
    fn = getattr(ctypes.CDLL(lib), "%s_%s_ctx" % (name, entry_point))
    fn.restype = ctypes.c_int
    code = fn(ctypes.byref(ctx), in_ptrs, out_ptrs)
    assert code == 0, "%s_%s_ctx returned %d" % (name, entry_point, code)
    return {o["name"]: a for o, a in zip(entry["outputs"], outputs)}


def check_cuda_model(model, feeds, work, name, atol=kt.ATOL, rtol=kt.RTOL, shapes=None,
                     atol_for=None):
    """`atol_for(output name, expected array)`, if given, is each output's absolute tolerance
    (default: `atol`). Returns the artifact's manifest."""
    os.makedirs(work, exist_ok=True)
    artifact = os.path.join(work, name)
    kt.run_tool([kt.KILN, "compile", model, "--target", "cuda", "--gpu", GPUS,
                 "--name", name, "-o", artifact] + _shape_flags(shapes))
    manifest = check_images(artifact)
    actual = run_mapped_on_cpu(model, artifact, manifest, feeds, work, shapes)
    expected = kt.onnxruntime_outputs(model, feeds)
    for out, value in actual.items():
        tolerance = atol_for(out, expected[out]) if atol_for else atol
        kt.assert_close(value, expected[out], "%s %s (GPU mapping, run on the CPU) vs onnxruntime"
                        % (name, out), tolerance, rtol)
    return manifest


def at_scale(atol=kt.ATOL):
    """An atol_for that scales `atol` by each output's largest magnitude: outputs far below 1 (an
    untrained network's logits can be 1e-9) would pass any fixed atol; activations in the hundreds
    round differently in any two runtimes."""
    def atol_for(out, expected):
        return atol * (float(np.abs(expected).max()) if expected.size else 1.0)
    return atol_for
