"""Checks compiler/onnx/LegacyOpsets.cpp against the onnx package's schemas.

Usage: check_legacy_opsets.py LegacyOpsets.cpp

The table must list exactly the default-domain ops whose definition in effect
at opset 7 was introduced by an older opset, each with that opset
(onnx.defs.get_schema(op, 7).since_version). Prints one line and exits 0 when
it does; else lists every difference and exits 1.
"""
import os
import re
import sys

import onnx.defs


def expected():
    table = {}
    for schema in onnx.defs.get_all_schemas_with_history():
        if schema.domain not in ("", "ai.onnx"):
            continue
        try:
            at7 = onnx.defs.get_schema(schema.name, 7, "")
        except onnx.defs.SchemaError:
            continue  # introduced after opset 7
        if at7.since_version < 7:
            table[schema.name] = at7.since_version
    return table


def main(path):
    text = open(path).read()
    found = {op: int(v) for op, v in re.findall(r'\{"(\w+)", (\d+)\}', text)}
    want = expected()
    problems = []
    for op in sorted(set(found) | set(want)):
        if found.get(op) != want.get(op):
            problems.append("%s: table %s, onnx.defs %s" % (op, found.get(op), want.get(op)))
    if problems:
        print("\n".join(problems))
        return 1
    print("%s agrees with onnx.defs: %d ops" % (os.path.basename(path), len(found)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
