# -*- Python -*-
# lit configuration of Kiln's tests. Paths come from lit.site.cfg.py.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")
# Inputs/ hold fixtures; lib/ holds Python helpers imported by the tests.
config.excludes = ["Inputs", "lib", "unit", "fuzz", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
# `kiln` also appears as a value (--emit=kiln): substitute it only as a word
# that does not follow '=' (write `--emit=kiln`, never `--emit kiln`).
from lit.llvm.subst import ToolSubst
llvm_config.add_tool_substitutions(
    [ToolSubst(t, pre=".-^/\\<=") for t in ["kiln-opt", "kiln"]],
    [config.kiln_tools_dir])

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(
    ("%expect_exit", "%s %s" % (config.python_executable,
                                os.path.join(config.kiln_src_root, "test", "lib",
                                             "expect_exit.py"))))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
config.substitutions.append(("%kiln_obj", config.kiln_obj_root))
# Python tests import shared helpers from test/lib.
llvm_config.with_environment(
    "PYTHONPATH", os.path.join(config.kiln_src_root, "test", "lib"),
    append_path=True)

# Python tests find the tools and sources through the environment.
config.environment["KILN_TOOLS_DIR"] = config.kiln_tools_dir
config.environment["KILN_SRC_ROOT"] = config.kiln_src_root
config.environment["KILN_OBJ_ROOT"] = config.kiln_obj_root
config.environment["KILN_CC"] = config.c_compiler
# A C program that links the runtime (lib/libkiln_runtime.a) must link the
# sanitizers' runtimes too when Kiln was built with them.
config.environment["KILN_SANITIZE"] = config.kiln_sanitize
# Keep numerics tests deterministic and within the machine's two cores.
config.environment["OMP_NUM_THREADS"] = "1"

# --target cuda needs the CUDA toolkit's libdevice, and ptxas for cubins
# (TOOLCHAIN.md: /usr/local/cuda on this project's machines). Without them,
# the GPU compile tests are UNSUPPORTED and this note says why.
_cuda = os.environ.get("CUDA_PATH", "/usr/local/cuda")
if os.path.exists(os.path.join(_cuda, "nvvm", "libdevice", "libdevice.10.bc")) and \
        os.access(os.path.join(_cuda, "bin", "ptxas"), os.X_OK):
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%cuda_toolkit", _cuda))
else:
    lit_config.note("GPU compile tests will be UNSUPPORTED: no CUDA toolkit (libdevice and ptxas) in " + _cuda)
