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
config.excludes = ["Inputs", "lib", "unit", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["kiln-opt", "kiln"], [config.kiln_tools_dir])

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
config.substitutions.append(("%kiln_obj", config.kiln_obj_root))
# Python tests import shared helpers from test/lib.
llvm_config.with_environment(
    "PYTHONPATH", os.path.join(config.kiln_src_root, "test", "lib"),
    append_path=True)
