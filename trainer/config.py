"""Recipes: YAML files validated on load. Every knob of a run lives here, with the paper's values as
defaults where the paper has one (arXiv 2504.07316, sections 4-5); errors name the field that is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from alice_eval.trainer.methods import METHODS

SYNTHETIC_OPTIONS = ("n", "seed", "difficulty")
BENCHMARK_OPTIONS = ("data_dir", "path", "config", "source")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(Strict):
    datasets: list[str] = Field(min_length=1)           # mixed into one training set, each evaluated on its task
    train_size: int | None = Field(None, gt=1)          # cap on each dataset's train split (None: all of it)
    pool_fraction: float = Field(1.0, gt=0, le=1)       # share of the W2S half used (paper: 0.2 for open QA)
    pool_size: int | None = Field(None, gt=0)           # and at most this many pool questions per dataset
    shuffle: bool = False                               # the paper splits the train split unshuffled
    mixed: bool = False                                 # False (the paper): one teacher and one student per
                                                        # dataset, for every method; True: one on all mixed
    seed: int = 0
    options: dict[str, dict] = {}                       # per-dataset loader options, e.g. {synth_math: {n: 400}}
    # synthetic: n, seed, difficulty; benchmarks: data_dir, path, config, and source (auto | hub, and
    # for gsm8k `packaged`: the packaged test split re-split, train = rows 0-999, test = 1000-1318)

    @field_validator("datasets")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        from alice_eval.data.registry import DATASETS

        for name in names:
            if name not in DATASETS:
                raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}")
            if not DATASETS[name].trainable:
                raise ValueError(f"{name} is for evaluation only (eval.ood runs it); choose from "
                                 f"{', '.join(n for n, s in DATASETS.items() if s.trainable)}")
        return names

    @field_validator("options")
    @classmethod
    def _known_options(cls, options: dict[str, dict]) -> dict[str, dict]:
        for name, opts in options.items():
            allowed = SYNTHETIC_OPTIONS if name.startswith("synth_") else BENCHMARK_OPTIONS
            unknown = sorted(set(opts) - set(allowed))
            if unknown:
                raise ValueError(f"{name}: unknown option(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
        return options


class ModelsConfig(Strict):
    weak: str = Field(min_length=1)                     # the teacher: zoo name, local folder or HF id
    strong: str = Field(min_length=1)                   # the student
    chain: list[str] | None = None                      # cascade: weak -> mid... -> strong (default: none)
    summarizer: str | None = None                       # uncertainty LLM (None: the template mode)
    embedder: str = "all-minilm-l6-v2"                  # sentence embeddings for clustering open text
    # let a model repository's own Python code run when it loads (HF trust_remote_code): only for
    # models whose code you have read or trust; off, such a model fails to load with a line saying so
    trust_remote_code: bool = False

    @model_validator(mode="after")
    def _chain(self) -> "ModelsConfig":
        if self.chain is not None:
            if len(self.chain) < 3:
                raise ValueError("chain: cascade needs at least three models (weak, mid..., strong)")
            if self.chain[0] != self.weak or self.chain[-1] != self.strong:
                raise ValueError("chain: must start with models.weak and end with models.strong")
        return self


class GenerationConfig(Strict):
    backend: Literal["hf", "vllm"] = "hf"
    batch_size: int = Field(16, gt=0)                   # sequences per forward pass (hf)
    forward: Literal["auto", "lean", "transformers"] = "auto"   # hf: the lean forward where it runs
    max_new_tokens: int = Field(4096, gt=0)
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    chunk_size: int = Field(64, gt=0)                   # questions per resumable chunk
    engine_args: dict = {}                              # passed to vllm.LLM (tensor_parallel_size, ...)


class Decoding(Strict):
    temperature: float = Field(0.9, ge=0)
    top_p: float = Field(0.95, gt=0, le=1)
    top_k: int = Field(0, ge=0)                         # 0: off, as in the paper


class CotConfig(Decoding):
    temperature: float = 0.7
    tries: int = Field(1, gt=0)                         # samples per question until one is correct


class SampleConfig(Decoding):
    n: int = Field(100, gt=1)                           # teacher samples per pool question


class StudentConfig(Decoding):
    """The untuned student's zero-shot answer and revision."""
    max_new_tokens: int | None = Field(None, gt=0)     # None: generation.max_new_tokens
    tries: int = Field(1, gt=0)                         # draws per revision until one is a label (reasons,
                                                        # then answers); then the question is dropped


class ClusterConfig(Strict):
    similarity: float = Field(0.9, gt=0, le=1)          # cosine threshold for open-text answers
    certain_share: float = Field(0.0, ge=0, le=1)       # one cluster is "certain" only when it holds at least
                                                        # this share of the samples (0: the paper's rule)


class UncertaintyConfig(Decoding):
    mode: Literal["template", "llm"] = "template"
    max_new_tokens: int | None = Field(None, gt=0)     # the summarizer's (llm); None: generation.max_new_tokens


class TrainConfig(Strict):
    mode: Literal["lora", "full"] = "full"              # the paper fine-tunes fully
    epochs: float = Field(3, gt=0)
    max_steps: int = Field(-1, ge=-1)                   # > 0 overrides epochs
    min_steps: int = Field(0, ge=0)                     # at least this many optimizer steps: epochs rise for a
                                                        # small label set (a few LoRA steps on 8 labels taught
                                                        # the 0.5B to answer first), so a method that drops
                                                        # labels is not also trained less
    learning_rate: float = Field(1e-5, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    batch_size: int = Field(1, gt=0)                    # per device
    grad_accum: int = Field(16, gt=0)                   # one explicit setting (the reference code had two)
    warmup_steps: float = Field(100, ge=0)              # optimizer steps; a float < 1 is a ratio
    scheduler: Literal["linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
                       "constant_with_warmup", "inverse_sqrt", "reduce_lr_on_plateau",
                       "cosine_with_min_lr", "warmup_stable_decay"] = "cosine"   # transformers' SchedulerType
    max_length: int = Field(4096, gt=0)
    lora_r: int = Field(16, gt=0)
    lora_alpha: int = Field(32, gt=0)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str | list[str] = "all-linear"
    bf16: bool | None = None                            # None: on where it is fast (GPU, bf16 CPUs)
    gradient_checkpointing: bool = False
    group_by_length: bool = True                        # batches of similar length, in shuffled order
    save_steps: int = Field(50, gt=0)                   # checkpoints for resuming a killed run
    deepspeed: str | None = None                        # a DeepSpeed JSON (ZeRO-2 in the paper)
    num_processes: int = Field(1, gt=0)                 # > 1: training runs under `accelerate launch`
    accelerate_config: str | None = None                # an accelerate YAML (e.g. TRL's zero2.yaml)

    @field_validator("deepspeed")
    @classmethod
    def _deepspeed_file(cls, path: str | None) -> str | None:
        if path is not None and not Path(path).expanduser().is_file():
            raise ValueError(f"{path}: no such DeepSpeed JSON file")
        return path

    @field_validator("accelerate_config")
    @classmethod
    def _accelerate_file(cls, name: str | None) -> str | None:
        if name is not None:
            from alice_eval.trainer.sft import accelerate_config_path

            try:
                accelerate_config_path(name)
            except FileNotFoundError as err:
                raise ValueError(str(err)) from None
        return name


class EvalConfig(Strict):
    # "generation": answer on the run's generation backend (the hf decode loop or vLLM, model reused);
    # "hf": lm-eval's own HF model (transformers' generate)
    engine: Literal["generation", "hf"] = "generation"
    limit: int | float | None = Field(None, gt=0)       # questions per task (a fraction below 1)
    batch_size: int = Field(8, gt=0)
    max_gen_toks: int | None = Field(None, gt=0)        # None: the task's own
    metadata: dict = {}                                 # task metadata, e.g. {n: 100} for synthetic tests
    ood: bool = True                                    # also the hand-written alice_ood_* check (36 questions)


class Recipe(Strict):
    name: str                                           # the run's folder under runs/
    seed: int = 0
    seeds: list[int] | None = None                      # train each method once per seed (first: unprefixed)
    methods: list[str] = Field(min_length=1)
    data: DataConfig
    models: ModelsConfig
    generation: GenerationConfig = GenerationConfig()
    cot: CotConfig = CotConfig()
    label: Decoding = Decoding(temperature=0.6)         # original W2SG: one teacher sample per question
    sample: SampleConfig = SampleConfig()
    cluster: ClusterConfig = ClusterConfig()
    uncertainty: UncertaintyConfig = UncertaintyConfig()
    student: StudentConfig = StudentConfig()
    train: TrainConfig = TrainConfig()
    teacher_train: dict = {}                            # overrides of `train` for the weak teacher's SFT
    eval: EvalConfig = EvalConfig()

    @field_validator("name")
    @classmethod
    def _safe_name(cls, name: str) -> str:
        import re

        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name):
            raise ValueError(f"{name!r} must be a plain folder name (letters, digits, '.', '_', '-'; "
                             "no '/' or '..'): it becomes runs/<name>")
        return name

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, seeds: list[int] | None) -> list[int] | None:
        if seeds is not None and (not seeds or len(set(seeds)) != len(seeds)):
            raise ValueError("give one or more different seeds, e.g. [0, 1, 2]")
        return seeds

    @field_validator("methods")
    @classmethod
    def _methods(cls, methods: list[str]) -> list[str]:
        for m in methods:
            if m not in METHODS:
                raise ValueError(f"unknown method {m!r}; choose from {', '.join(METHODS)}")
        return list(dict.fromkeys(methods))

    @model_validator(mode="after")
    def _consistent(self) -> "Recipe":
        for m in self.methods:
            if METHODS[m].needs_chain and self.models.chain is None:
                raise ValueError(f"models.chain: {m} needs a chain of three or more models")
        try:
            self.teacher_train_config()
        except ValidationError as err:
            raise ValueError(f"teacher_train: {err.errors()[0]['loc'][0]}: {err.errors()[0]['msg']}") from None
        if self.uncertainty.mode == "llm" and not self.models.summarizer:
            raise ValueError("models.summarizer: uncertainty.mode 'llm' needs a summarizer model")
        return self

    def teacher_train_config(self) -> TrainConfig:
        return TrainConfig(**{**self.train.model_dump(), **self.teacher_train})


class RecipeError(ValueError):
    """A recipe that cannot run; the message is one line naming the file and the field."""


def _set_path(tree: dict, dotted: str, value) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        tree = tree.setdefault(key, {})
        if not isinstance(tree, dict):
            raise RecipeError(f"--set {dotted}: {key!r} is not a section")
    tree[keys[-1]] = value


def find_recipe(path: str | Path, near: Path | None = None) -> Path:
    """A recipe file: a path to one, or a bare name (``demo``): a file beside ``near`` or a shipped recipe.
    A path that names a folder or ends in ``.yaml`` is taken as it is, never replaced by a shipped recipe
    of the same name."""
    from alice_eval.trainer import recipes_dir

    text = str(path)
    path = Path(text)
    if "/" in text or text.endswith((".yaml", ".yml")):
        if path.is_file():
            return path
        raise RecipeError(f"{path}: no such recipe file (shipped recipes: alice-train run --list)")
    candidates = [*([near / f"{text}.yaml"] if near else []), recipes_dir() / f"{text}.yaml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise RecipeError(f"{text}: no such recipe (shipped recipes: alice-train run --list)")


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The recipe's fields, with ``extends: <recipe>`` resolved (this file's fields win)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError:
        raise RecipeError(f"{path}: not UTF-8 text; save the recipe as UTF-8") from None
    except OSError as err:
        raise RecipeError(f"{path}: cannot read ({err.strerror or err})") from None
    except yaml.YAMLError as err:
        raise RecipeError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise RecipeError(f"{path}: a recipe is a mapping of fields")
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or not parent.strip():
        raise RecipeError(f"{path}: extends: expected one recipe name or file, got {parent!r}")
    base_path = find_recipe(parent, near=path.parent)
    if base_path.resolve() in seen:
        raise RecipeError(f"{path}: extends: {parent} makes a cycle")
    return _merge(_read(base_path, (*seen, path.resolve())), raw)


def _merge(base: dict, top: dict) -> dict:
    out = dict(base)
    for key, value in top.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_recipe(path: str | Path, overrides: list[str] = ()) -> Recipe:
    """Read and validate a recipe; ``overrides`` are ``dotted.field=yaml-value`` strings."""
    path = find_recipe(path)
    raw = _read(path)
    for item in overrides:
        if "=" not in item:
            raise RecipeError(f"--set {item!r}: expected field.path=value")
        key, value = item.split("=", 1)
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError as err:
            raise RecipeError(f"--set {item}: not a YAML value ({str(err).splitlines()[0]})") from None
        _set_path(raw, key.strip(), parsed)
    try:
        return Recipe.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "recipe"
        msg = first["msg"].removeprefix("Value error, ")
        raise RecipeError(f"{path}: {field}: {msg}") from None
