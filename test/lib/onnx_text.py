"""Turns ONNX models written in ONNX's text syntax into .onnx files.

Usage: onnx_text.py INPUT OUTDIR

INPUT holds one or more models, each after a line `#--- NAME.onnx`; lines
before the first such marker (RUN and CHECK lines) are skipped. Every model
is written to OUTDIR/NAME.onnx. Lit tests keep their fixtures this way, as
text next to the CHECK lines, with no binary files in the repository:

    # RUN: %python %kiln_src/test/lib/onnx_text.py %s %t
    # RUN: kiln compile %t/relu.onnx --emit=kiln -o - | FileCheck %s
    #--- relu.onnx
    # CHECK: kiln.relu
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[2] x) => (float[2] y) { y = Relu(x) }

The text syntax (onnx.parser) has no node names, so a node line may start
with `[NAME]`: the node gets that name. Models are not run through the ONNX
checker, so tests can hold invalid models on purpose.
"""

import os
import re
import sys

import onnx
import onnx.parser

_MARKER = re.compile(r"^#---\s+(\S+)\s*$")
_NAMED_NODE = re.compile(r"^(\s*)\[([^\]]+)\]\s*(.*)$")
_NAME_ATTR = "kiln_test_node_name"


def _tag_node_names(text):
    """Rewrites `[name] y = Op <a = 1> (x)` as `y = Op <kiln_test_node_name =
    "name", a = 1> (x)`; the attribute becomes the node's name afterwards."""
    out = []
    for line in text.splitlines():
        m = _NAMED_NODE.match(line)
        if m:
            indent, name, rest = m.groups()
            op = re.match(r"^(.*?=\s*[\w.]+)\s*(<)?(.*)$", rest)
            if not op:
                raise ValueError(f"cannot find the op in: {line}")
            head, bracket, tail = op.groups()
            tag = f'{_NAME_ATTR} = "{name}"'
            if bracket:
                line = f"{indent}{head} <{tag}, {tail}"
            else:
                line = f"{indent}{head} <{tag}> {tail}"
        out.append(line)
    return "\n".join(out) + "\n"


def _apply_node_names(graph):
    for node in graph.node:
        for i, attr in enumerate(node.attribute):
            if attr.name == _NAME_ATTR:
                node.name = attr.s.decode()
                del node.attribute[i]
                break


def parse(text):
    """A ModelProto from ONNX text syntax with optional `[name]` prefixes."""
    model = onnx.parser.parse_model(_tag_node_names(text))
    _apply_node_names(model.graph)
    return model


def split_sections(source):
    sections, name, lines = [], None, []
    for line in source.splitlines():
        m = _MARKER.match(line)
        if m:
            if name is not None:
                sections.append((name, "\n".join(lines)))
            name, lines = m.group(1), []
        elif name is not None:
            lines.append(line)
    if name is not None:
        sections.append((name, "\n".join(lines)))
    return sections


def main(argv):
    if len(argv) != 3:
        sys.exit(f"usage: {argv[0]} INPUT OUTDIR")
    with open(argv[1]) as f:
        sections = split_sections(f.read())
    if not sections:
        sys.exit(f"{argv[1]}: no '#--- NAME.onnx' sections")
    os.makedirs(argv[2], exist_ok=True)
    for name, text in sections:
        try:
            model = parse(text)
        except Exception as e:  # report which section failed to parse
            sys.exit(f"{argv[1]}: section {name}: {e}")
        onnx.save(model, os.path.join(argv[2], name))


if __name__ == "__main__":
    main(sys.argv)
