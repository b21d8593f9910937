"""Sorts failures into reasons from Kiln's error lines.

Kiln reports each problem on one line, "FILE: error: node 'n': Op: MESSAGE", with stable wording
for each kind of refusal (compiler/onnx); the first error is what stopped the compile. A reason is
"CATEGORY: DETAIL", e.g. "unsupported op: TopK" or "input must be constant: ReduceSum axes", with no
node or file names, so that it stays the same from run to run (the expected-failures list holds it).
"""
import re

# (category, pattern, detail) in the order they are tried; `detail` formats the match's groups.
_COMPILE_RULES = [
    ("unsupported op", r"^unsupported ONNX ops: (.*)$", None),  # detail: the op names
    ("op newer than the model's opset", r"^ops newer than the model's opset \d+: (\S+),", "{0}"),
    ("dtype unsupported", r"(?:has dtype|is) ([\w]+), which Kiln does not support", "{0}"),
    ("input must be constant", r"(\w+): input '([^']*)' \('[^']*'\) must be a compile-time constant",
     "{0} {1}"),
    ("output unsupported", r"(\w+): the (\w+) output \('[^']*'\) is not supported", "{0} {1}"),
    ("attribute refused", r"(\w+): attributes? '([^']*)'", "{0} {1}"),
    ("no default ONNX domain", r"does not import the default ONNX domain", ""),
]


def first_error_line(stderr):
    """The first error's message without the file name in front; else the last line."""
    for line in stderr.splitlines():
        m = re.search(r"(?:^|: )error: (.*)$", line)
        if m:
            return m.group(1).strip()
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def _generic(line):
    """A message without the names that differ between tests: nodes, quoted names, paths."""
    line = re.sub(r"^node '[^']*': ", "", line)
    line = re.sub(r"(/[^\s/:]+)+/([^\s/:]+)", r"\2", line)
    line = re.sub(r"\(nodes? [^)]*\)", "", line)
    return re.sub(r"\s+", " ", line).strip()


def _op_names(listing):
    """"TopK (node 'a'), Mod (nodes 'b', 'c')" -> "Mod, TopK"."""
    return ", ".join(sorted(set(re.findall(r"([\w.]+) \(nodes? ", listing))))


def compile_reason(line):
    m = re.search(r"ops whose definition at the model.s opset (\d+) Kiln does not implement", line)
    if m:
        return "opset too old: %s" % m.group(1)
    m = re.search(r"the model uses ONNX opset (\d+); Kiln supports opsets (\d+) to (\d+)", line)
    if m:
        opset, newest = int(m.group(1)), int(m.group(3))
        return "opset too %s: %d" % ("new" if opset > newest else "old", opset)
    for category, pattern, detail in _COMPILE_RULES:
        m = re.search(pattern, line)
        if not m:
            continue
        text = _op_names(m.group(1)) if detail is None else detail.format(*m.groups())
        return "%s: %s" % (category, text) if text else category
    return "other: " + _generic(line)


def run_reason(line):
    m = re.search(r"killed by signal (\d+)", line)
    if m:
        return "crash: signal " + m.group(1)
    if "timed out" in line:
        return "timeout"
    if re.search(r"holds .* expected", line):
        return "input does not match the model"
    return "other: " + _generic(line)
