"""Feeds `kiln compile` hundreds of corrupted variants of ONNX models and
checks that each run ends cleanly: exit status 0 (the damage happened to be
harmless; warnings allowed, no error line) or 1 with exactly one line on
stderr, `MODEL: error: ...`. A signal, a hang, another status, extra or
unlocated output on failure, or a partial
artifact (an -o folder left behind by a failed compile) fails the test.

Usage: corrupt_models.py WORKDIR MODEL... [--kiln PATH] [--seed N]
                         [--per-model N] [--artifact-runs N] [--jobs N]

KILN defaults to $KILN_TOOLS_DIR/kiln (lit sets KILN_TOOLS_DIR). Prints one
summary line, then one FAIL line per bad run (at most 50), each naming the
damage and the variant's file, kept in WORKDIR to reproduce it; exits 1 if
any run failed.

Variants are derived deterministically from the seed:
  - truncations (every length up to 64 bytes, then lengths spread over the
    file, the last bytes included),
  - single bytes xor-ed with a random mask, runs of random bytes, zeroed
    ranges, inserted and deleted bytes, at random offsets,
  - field edits: the model is decoded, one integer somewhere in it (a dim,
    a dtype, an attribute, an opset) is set to an extreme value (0, -1,
    2^31, 2^63 - 1, -2^63, ...), one string is replaced, or one field is
    cleared (a shape, a type, an attribute, a node goes missing), then it
    is re-encoded; these reach the importer's checks that byte damage only
    reaches by luck.
Most variants run with `--emit=kiln -o -` (no code generation); a few with
a real `-o DIR`, where a failed compile must not leave DIR behind.
"""
import argparse
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys

from google.protobuf import descriptor
import onnx

# A hang, not a slow machine: each variant compiles in a few seconds alone,
# and several times that when the machine runs other heavy tests beside it.
TIMEOUT_S = 300

INTERESTING_INTS = [0, 1, -1, 2, 3, 7, 255, 65535, 2**31 - 1, 2**31, -2**31,
                    2**32, 2**40, 2**62, 2**63 - 1, -2**63]
INTERESTING_STRINGS = ["", "..", "x", "Conv", "/", "\0", "a" * 300]


# --- Byte-level damage ---------------------------------------------------------

def truncations(data, rng, count):
    lengths = set(range(min(64, len(data))))
    lengths.update(len(data) - k for k in range(1, 9) if len(data) - k > 0)
    while len(lengths) < min(count, len(data)):
        lengths.add(rng.randrange(len(data)))
    return [("truncate to %d bytes" % n, data[:n]) for n in sorted(lengths)]


def byte_damage(data, rng, count):
    out = []
    kinds = ["xor", "random", "zero", "insert", "delete", "varint"]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        at = rng.randrange(len(data))
        b = bytearray(data)
        if kind == "xor":
            mask = rng.randrange(1, 256)
            b[at] ^= mask
            what = "xor byte %d with 0x%02x" % (at, mask)
        elif kind == "random":
            n = rng.randrange(1, 17)
            b[at:at + n] = bytes(rng.randrange(256) for _ in range(n))[:len(b) - at]
            what = "%d random bytes at %d" % (n, at)
        elif kind == "zero":
            n = rng.randrange(1, 65)
            end = min(len(b), at + n)
            b[at:end] = bytes(end - at)
            what = "zero bytes [%d, %d)" % (at, end)
        elif kind == "insert":
            n = rng.randrange(1, 5)
            b[at:at] = bytes(rng.randrange(256) for _ in range(n))
            what = "insert %d bytes at %d" % (n, at)
        elif kind == "delete":
            n = rng.randrange(1, 5)
            del b[at:at + n]
            what = "delete %d bytes at %d" % (n, at)
        else:
            # A varint that never ends, or a huge length prefix.
            n = rng.randrange(1, 11)
            b[at:at + n] = b"\xff" * n
            what = "%d 0xff bytes at %d" % (n, at)
        out.append((what, bytes(b)))
    return out


# --- Field-level edits -----------------------------------------------------------

_INT_TYPES = {descriptor.FieldDescriptor.TYPE_INT32,
              descriptor.FieldDescriptor.TYPE_INT64,
              descriptor.FieldDescriptor.TYPE_UINT64,
              descriptor.FieldDescriptor.TYPE_ENUM}
_STRING_TYPES = {descriptor.FieldDescriptor.TYPE_STRING}


def _is_repeated(field):
    # protobuf >= 5 has is_repeated; older versions only `label`.
    if hasattr(field, "is_repeated"):
        return field.is_repeated
    return field.label == descriptor.FieldDescriptor.LABEL_REPEATED


def _slots(msg, path, out):
    """Every scalar int/string slot of `msg`, as (path, message, field, index)."""
    for field, value in msg.ListFields():
        name = path + "." + field.name
        repeated = _is_repeated(field)
        if field.type == descriptor.FieldDescriptor.TYPE_MESSAGE:
            for i, sub in enumerate(value if repeated else [value]):
                _slots(sub, "%s[%d]" % (name, i) if repeated else name, out)
        elif field.type in _INT_TYPES or field.type in _STRING_TYPES:
            if repeated:
                # Long repeated fields (weights) get a few slots, not all.
                for i in sorted({0, len(value) - 1}):
                    out.append(("%s[%d]" % (name, i), msg, field, i))
            else:
                out.append((name, msg, field, None))


def _fits(field, v):
    t = field.type
    if t in (descriptor.FieldDescriptor.TYPE_INT32,
             descriptor.FieldDescriptor.TYPE_ENUM):
        return -2**31 <= v < 2**31
    if t == descriptor.FieldDescriptor.TYPE_UINT64:
        return 0 <= v < 2**64
    return -2**63 <= v < 2**63


def _fields(msg, path, out):
    """Every set field of `msg` and its sub-messages, as (path, message, field)."""
    for field, value in msg.ListFields():
        name = path + "." + field.name
        out.append((name, msg, field))
        if field.type == descriptor.FieldDescriptor.TYPE_MESSAGE:
            repeated = _is_repeated(field)
            for i, sub in enumerate(value if repeated else [value]):
                _fields(sub, "%s[%d]" % (name, i) if repeated else name, out)


def _set_value(m, rng):
    """Sets one int or string slot of `m` to an extreme value."""
    s = []
    _slots(m, "model", s)
    path, msg, field, index = s[rng.randrange(len(s))]
    if field.type in _STRING_TYPES:
        v = rng.choice(INTERESTING_STRINGS)
    else:
        v = rng.choice(INTERESTING_INTS + [rng.randrange(-300, 300)])
        if not _fits(field, v):
            return None
    if index is None:
        setattr(msg, field.name, v)
    else:
        getattr(msg, field.name)[index] = v
    shown = repr(v) if len(repr(v)) < 40 else repr(v)[:37] + "..."
    return "set %s = %s" % (path, shown)


def _drop_field(m, rng):
    """Clears one field of `m` (or drops one element of a repeated field):
    optional parts of a model (a shape, a type, an attribute) go missing."""
    f = []
    _fields(m, "model", f)
    path, msg, field = f[rng.randrange(len(f))]
    if _is_repeated(field):
        values = getattr(msg, field.name)
        i = rng.randrange(len(values))
        del values[i]
        return "drop %s[%d]" % (path, i)
    msg.ClearField(field.name)
    return "clear %s" % path


def field_edits(data, rng, count):
    model = onnx.ModelProto()
    model.ParseFromString(data)
    out = []
    attempts = 0
    while len(out) < count and attempts < count * 10:
        attempts += 1
        m = onnx.ModelProto()
        m.CopyFrom(model)
        try:
            what = (_set_value if attempts % 3 else _drop_field)(m, rng)
            if what is None:
                continue
            encoded = m.SerializeToString()
        except (ValueError, TypeError):
            continue
        out.append((what, encoded))
    return out


# --- Running kiln ------------------------------------------------------------------

def check_run(kiln, model, extra, artifact_dir):
    """Runs one compile; returns (None if it ended cleanly, else a reason;
    its exit status)."""
    args = [kiln, "compile", model] + extra
    try:
        proc = subprocess.run(args, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return "timed out after %d s" % TIMEOUT_S, None
    return judge(proc, model, artifact_dir), proc.returncode


def judge(proc, model, artifact_dir):
    stderr = proc.stderr.decode("utf-8", "replace")
    # Only \n ends a line (str.splitlines also splits at \x1c-\x1e, ...).
    lines = stderr.split("\n")[:-1] if stderr.endswith("\n") else stderr.split("\n")
    if proc.returncode < 0:
        return "killed by signal %d; stderr: %s" % (-proc.returncode,
                                                   stderr[-500:])
    if proc.returncode == 0:
        # A success may warn (a harmless oddity in the model), but never
        # report an error; progress text never appears here (stderr is a
        # pipe, and kiln prints progress only to a terminal or with -v).
        if any("error:" in line for line in lines):
            return "succeeded but reported an error: %r" % stderr[:300]
        if artifact_dir:
            if not os.path.isdir(artifact_dir):
                return "succeeded but left no artifact folder"
            names = sorted(os.listdir(artifact_dir))
            if len(names) != 4 or not any(n.endswith(".so") for n in names):
                return "succeeded but the artifact folder holds %s" % names
        return None
    if proc.returncode != 1:
        return "exit status %d; stderr: %s" % (proc.returncode, stderr[-500:])
    if len(lines) != 1 or not stderr.endswith("\n"):
        return "exit status 1 with %d lines on stderr: %r" % (len(lines),
                                                              stderr[:500])
    if not lines[0].startswith(model + ": ") or "error:" not in lines[0]:
        return "the error line does not start with '%s: ' or lacks 'error:': %r" % (
            model, lines[0][:300])
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in lines[0]):
        # Names from a hostile file must not reach the terminal raw.
        return "the error line holds control characters: %r" % lines[0][:300]
    if artifact_dir and os.path.lexists(artifact_dir):
        return "failed but left %s behind" % artifact_dir
    return None


def external_files(data):
    """The external data files a model names (plain relative names only)."""
    model = onnx.ModelProto()
    model.ParseFromString(data)
    tensors = list(model.graph.initializer)
    for node in model.graph.node:
        tensors += [a.t for a in node.attribute if a.HasField("t")]
    names = set()
    for t in tensors:
        for entry in t.external_data:
            if entry.key == "location" and os.path.basename(entry.value) == entry.value:
                names.add(entry.value)
    return sorted(names)


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("workdir")
    p.add_argument("models", nargs="+")
    p.add_argument("--kiln", default=os.path.join(
        os.environ.get("KILN_TOOLS_DIR", ""), "kiln"))
    p.add_argument("--seed", type=int, default=20261124)
    p.add_argument("--per-model", type=int, default=300,
                   help="variants per model (about)")
    p.add_argument("--artifact-runs", type=int, default=4,
                   help="variants per model compiled with a real -o DIR")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)

    if os.path.exists(args.workdir):
        shutil.rmtree(args.workdir)
    os.makedirs(args.workdir)
    rng = random.Random(args.seed)
    jobs = []  # (description, model path, extra args, artifact dir)
    for mi, model in enumerate(args.models):
        with open(model, "rb") as f:
            data = f.read()
        n = args.per_model
        variants = (truncations(data, rng, n // 4) +
                    byte_damage(data, rng, n // 2) +
                    field_edits(data, rng, n - n // 4 - n // 2))
        # The test is only as good as its number of variants.
        if len(variants) < 0.9 * n:
            print("error: only %d variants of %s" % (len(variants), model))
            return 1
        model_dir = os.path.join(args.workdir, "m%d" % mi)
        os.makedirs(model_dir)
        # External data files stay reachable next to every variant.
        src_dir = os.path.dirname(os.path.abspath(model))
        for name in external_files(data):
            shutil.copy(os.path.join(src_dir, name), model_dir)
        artifact_every = max(1, len(variants) // max(1, args.artifact_runs))
        for vi, (what, blob) in enumerate(variants):
            path = os.path.join(model_dir, "v%04d.onnx" % vi)
            with open(path, "wb") as f:
                f.write(blob)
            desc = "%s: %s" % (os.path.basename(model), what)
            if vi % artifact_every == artifact_every // 2:
                out = os.path.join(model_dir, "v%04d.out" % vi)
                jobs.append((desc, path, ["-o", out], out))
            else:
                jobs.append((desc, path, ["--emit=kiln", "-o", "-"], None))

    failures = []
    statuses = {}  # exit status -> count, for all runs and artifact runs
    artifact_statuses = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(check_run, args.kiln, path, extra, out):
                   (desc, path, extra, out) for desc, path, extra, out in jobs}
        for fut in concurrent.futures.as_completed(futures):
            reason, status = fut.result()
            desc, path, extra, out = futures[fut]
            statuses[status] = statuses.get(status, 0) + 1
            if out:
                artifact_statuses[status] = artifact_statuses.get(status, 0) + 1
            if reason:
                failures.append("%s (%s %s): %s" % (desc, path, " ".join(extra),
                                                    reason))
    print("%d variants of %d models, %d compiled to an artifact; %d failures"
          % (len(jobs), len(args.models),
             sum(artifact_statuses.values()), len(failures)))
    print("exit status 0: %d runs (%d with an artifact), 1: %d runs (%d with "
          "an artifact folder that must not exist)"
          % (statuses.get(0, 0), artifact_statuses.get(0, 0),
             statuses.get(1, 0), artifact_statuses.get(1, 0)))
    for f in sorted(failures)[:50]:
        print("FAIL: " + f)
    # Both outcomes must occur among the artifact runs, or one of the two
    # checks on -o DIR was never exercised.
    if not failures and (not artifact_statuses.get(0) or
                         not artifact_statuses.get(1)):
        print("error: the artifact runs need both successes and failures; "
              "change --seed or --artifact-runs")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
