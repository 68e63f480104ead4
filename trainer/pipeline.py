"""Methods as compositions of stages over one run directory.

Shared work is done once: one split, one CoT-trained teacher, one teacher sample set over the pool
(used by Alice and by cascade stage 1), one zero-shot pass per student. Names of stage folders:

    data/split                    teacher half and W2S pool (records tagged with their role)
    teacher/{cot,sft}             CoT data and the CoT-trained weak teacher
    teacher/{sample,cluster,uncertainty}   the teacher's N samples over the pool, clustered, explained
    <method>/...                  each method's own stages, its trained model (sft) and its eval
    results/<method>.json         lm-eval results of each method (what the leaderboard reads)

The methods themselves, and the stages each one runs, are declared in ``alice_eval.trainer.methods``.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from tqdm.auto import tqdm

from alice_eval import prompts, runtime, scoring
from alice_eval.data import registry
from alice_eval.faults import point
from alice_eval.generation import Generator, SamplingParams, VLLMGenerator, load_generator
from alice_eval.trainer import sft, stages
from alice_eval.trainer.config import Recipe, TrainConfig
from alice_eval.trainer.methods import METHODS, names, plan
from alice_eval.trainer.runner import Runner, StopRun


@dataclass(frozen=True)
class ModelRef:
    """A model to generate with or evaluate: a plain folder/id, or a base plus a LoRA adapter."""

    pretrained: str
    adapter: str | None = None
    key: str = ""                  # fingerprint of what produced it; part of downstream fingerprints

    @classmethod
    def trained(cls, folder: Path, key: str) -> "ModelRef":
        pretrained, adapter = sft.model_args(folder)
        return cls(pretrained, adapter, key)

    def identity(self) -> str:
        return self.key or self.pretrained


class Pipeline:
    """One run of ``methods`` (default: the recipe's) of ``recipe`` in ``run_dir``. Everything is
    checked before the run directory is touched; ``reference``: stage seconds of an earlier run of the
    recipe, for the remaining-time estimate."""

    def __init__(self, recipe: Recipe, run_dir: Path, methods: list[str] | None = None,
                 stop_after: str | None = None, reference: dict[str, float] | None = None, prefix: str = "",
                 shared_seed: int | None = None, ood: tuple[str, ...] | None = None,
                 datasets: list[str] | None = None, parts: list[str] | None = None,
                 finished: set[str] | None = None):
        self.recipe = recipe
        # with several seeds, recipe.seed is this pass's: it seeds each method's own training (and so its
        # evaluation); the teacher and every generated text use the first seed, so they are computed once
        self.shared_seed = recipe.seed if shared_seed is None else shared_seed
        runtime.allow_remote_code(recipe.models.trust_remote_code)
        self.run_dir = Path(run_dir)
        self.methods = selected(recipe, methods, stop_after)
        self._generator: tuple[ModelRef, Generator] | None = None
        self._models: dict[str, str] = resolve_models(needed_models(recipe, self.methods))
        self.prefix = prefix
        self.datasets = datasets or recipe.data.datasets     # this pipeline's part of the recipe's datasets
        # the hand-written checks this pipeline's students answer (eval.ood); None: all of them
        self.ood = registry.OOD_TASKS if ood is None else ood
        self.runner = Runner(self.run_dir, manifest=_manifest(recipe), stop_after=stop_after,
                             plan=plan(self.methods, len(recipe.models.chain or [])), reference=reference,
                             prefix=prefix, parts=parts, finished=finished)

    # -- models ------------------------------------------------------------------------------------

    def base(self, name: str) -> ModelRef:
        """A recipe's model name (zoo name, folder, HF id) as a loadable reference."""
        if name not in self._models:
            self._models.update(resolve_models([name]))
        return ModelRef(self._models[name], key=name)

    def generator(self, ref: ModelRef) -> Generator:
        """One model in memory at a time: asking for another frees the current one."""
        if self._generator and self._generator[0] == ref:
            return self._generator[1]
        g = self.recipe.generation
        current = self._generator[1] if self._generator else None
        if isinstance(current, VLLMGenerator) and current.pretrained == ref.pretrained and current.lora_enabled:
            current.use_adapter(ref.adapter)        # one engine per base model: adapters are swapped in
            self._generator = (ref, current)
            return current
        self.release()
        engine_args = dict(g.engine_args)
        if g.backend == "vllm" and self.recipe.train.mode == "lora":     # serve the students' adapters
            engine_args.setdefault("enable_lora", True)
            engine_args.setdefault("max_lora_rank", max(16, self.recipe.train.lora_r))
        if g.backend == "hf":
            engine_args["forward"] = g.forward
        gen = load_generator(ref.pretrained, g.backend, adapter=ref.adapter, batch_size=g.batch_size,
                             dtype=g.dtype, **engine_args)
        self._generator = (ref, gen)
        return gen

    def release(self) -> None:
        """Free the loaded model, if any."""
        if self._generator:
            self._generator[1].close()
            self._generator = None

    def tokens(self, ref: ModelRef, texts: list[str]) -> int:
        """How many tokens ``texts`` are for ``ref``'s tokenizer (for the cost accounting)."""
        if not texts:                        # a tokenizer given no texts raises (a teacher sure of every answer)
            return 0
        return sum(len(ids) for ids in _tokenizer(ref.pretrained)(list(texts), add_special_tokens=False)["input_ids"])

    def params(self, decoding, n: int = 1) -> SamplingParams:
        budget = getattr(decoding, "max_new_tokens", None) or self.recipe.generation.max_new_tokens
        return SamplingParams(n=n, temperature=decoding.temperature, top_p=decoding.top_p, top_k=decoding.top_k,
                              max_new_tokens=budget, seed=self.shared_seed)

    # -- data ----------------------------------------------------------------------------------------

    @cached_property
    def _split(self) -> tuple[list[dict], list[dict]]:
        """(teacher half, W2S pool) over all the recipe's datasets; each dataset split on its own, and
        each record tagged with its ``dataset`` and ``role``."""
        d = self.recipe.data

        def split_all() -> list[dict]:
            rows = []
            for name in self.datasets:
                records = registry.load(name, "train", **d.options.get(name, {}))
                if d.train_size:
                    records = records[:d.train_size]
                _check_columns(name, records)
                teacher, pool = stages.split(records, d.pool_fraction, d.seed, d.shuffle, d.pool_size)
                rows += [{**r, "dataset": name, "role": role} for role, part in (("teacher", teacher), ("pool", pool))
                         for r in part]
            return rows

        rows = self.runner.table("data/split", split_all, {"recipe_data": d.model_dump(exclude={"datasets", "mixed"}),
                                                           "datasets": self.datasets})
        teacher = [r for r in rows if r["role"] == "teacher"]
        pool = [r for r in rows if r["role"] == "pool"]
        if not pool or not teacher:
            raise ValueError(f"data: the split left {len(teacher)} teacher and {len(pool)} pool questions; "
                             f"raise data.train_size or data.pool_fraction")
        return teacher, pool

    @property
    def teacher_half(self) -> list[dict]:
        return self._split[0]

    @property
    def pool(self) -> list[dict]:
        return self._split[1]

    # -- building blocks ---------------------------------------------------------------------------------

    def train(self, name: str, base: ModelRef, records: list[dict], completions: list[str],
              config: TrainConfig | None = None, per_seed: bool = True) -> ModelRef:
        """``per_seed``: a method's own model, trained once per seed; else (the teacher) the first seed's."""
        config = config or self.recipe.train
        seed = self.recipe.seed if per_seed else self.shared_seed
        rows = sft.sft_rows(records, completions)
        if not rows:             # every label dropped (a small pool of one task): nothing to learn from
            tqdm.write(f"[{self.prefix}{name}] no training examples (every label was dropped): the untuned "
                       f"model stands in, as the manifest's trained.{self.prefix}{name} says")
            self.runner.note(name, {"examples": 0, "tokens": 0, "untrained": True}, under="trained")
            return base
        base_ref = base
        self.release()                       # training needs the memory

        def fit(out: Path, work: Path) -> None:
            sft.train(base_ref.pretrained, rows, out, work, config, seed, self.prefix + name)

        folder, key = self.runner.artifact(name, fit, {"base": base.identity(), "rows": rows,
                                                       "train": config.model_dump(), "seed": seed})
        texts = [m["content"] for r in rows for m in (*r["prompt"], *r["completion"])]
        self.runner.note(name, {"examples": len(rows), "tokens": self.tokens(base, texts)}, under="trained")
        return ModelRef.trained(folder, key)

    def merge(self, name: str, model: ModelRef) -> ModelRef:
        folder = Path(model.adapter or model.pretrained)
        out, key = self.runner.artifact(name, lambda out, work: sft.merge(folder, out, self.prefix + name),
                                        {"model": model.identity()})
        return ModelRef(str(out), None, key)

    def generate(self, name: str, model: ModelRef, records: list[dict], prompt, decoding, field: str,
                 n: int = 1) -> dict[str, object]:
        params = self.params(decoding, n)
        fn = stages.make_generate(lambda: self.generator(model), params, prompt, field)
        out, _ = self.runner.records(name, fn, records, {"model": model.identity(), "params": params.__dict__,
                                                         "prompt": prompt(records[0]) if records else ""},
                                     self.recipe.generation.chunk_size)
        texts = [t for o in out for t in (o[field] if isinstance(o[field], list) else [o[field]])]
        self.note_generated(name, model, texts, [o.get("at_budget") for o in out], params.max_new_tokens)
        return {o["qid"]: o[field] for o in out}

    def note_generated(self, name: str, model: ModelRef, texts: list[str], cut: list, budget: int,
                       drawn: int | None = None) -> None:
        """Cost and truncation of a generation stage: texts (``drawn``: with redrawn ones), tokens, and
        how many ended at their token budget (``cut``: a flag, a count or a list of flags per record)."""
        at_budget = sum(sum(c) if isinstance(c, list) else int(c or 0) for c in cut)
        self.runner.note(name, {"texts": drawn if drawn is not None else len(texts), "tokens": self.tokens(model, texts),
                                "at_budget": at_budget, "budget": budget}, under="generated")

    def note_labels(self, name: str, questions: list[dict], labels: dict[str, str],
                    sources: dict[str, str] | None = None) -> None:
        """Label quality, the mechanism the paper claims: the share of a method's training labels that
        are right under the task's scoring (the pool has gold answers), per label source."""
        verdicts = {q["qid"]: float(scoring.score(q, labels[q["qid"]]).correct) for q in questions if q["qid"] in labels}
        by_source: dict[str, list[float]] = {}
        for qid, v in verdicts.items():
            by_source.setdefault((sources or {}).get(qid, "label"), []).append(v)
        self.runner.note(name, {
            "pool": len(questions), "labelled": len(verdicts), "dropped": len(questions) - len(verdicts),
            "correct": sum(verdicts.values()),
            "by_source": {s: {"labels": len(v), "correct": sum(v)} for s, v in by_source.items()},
            "verdicts": verdicts}, under="label_quality")

    def evaluate(self, method: str, model: ModelRef) -> dict:
        from alice_eval.evaluation import evaluate

        e = self.recipe.eval
        tasks = [registry.spec(name).task for name in self.datasets]
        tasks += list(self.ood) if e.ood else []
        # a dataset's `source` (gsm8k: packaged re-split) must reach its task, or the test questions
        # would come from another split than the training ones
        sources = {f"{name}_source": o["source"] for name, o in self.recipe.data.options.items() if "source" in o}
        metadata = {**e.metadata, **sources}
        extra = {"run": self.run_dir.name, "method": method, "recipe": self.recipe.name, "seed": self.recipe.seed,
                 "weak_model": self.recipe.models.weak, "strong_model": self.recipe.models.strong}

        def run_eval(out: Path, work: Path) -> None:
            out.mkdir(parents=True, exist_ok=True)
            if e.engine == "generation":             # answer on the run's engine, model reused
                engine = self.generator(model)
            else:                                     # lm-eval loads its own HF model: free ours first
                self.release()
                engine = None
            evaluate(model.pretrained, tasks, output_path=out / "results.json", peft=model.adapter,
                     limit=e.limit, batch_size=e.batch_size,
                     gen_kwargs={"max_gen_toks": e.max_gen_toks} if e.max_gen_toks else None,
                     log_samples=True, metadata=metadata or None, extra=extra, engine=engine,
                     stage=f"{self.prefix}{method}/eval")

        folder, _ = self.runner.artifact(f"{method}/eval", run_eval, {"model": model.identity(), "tasks": tasks,
                                                                     "eval": e.model_dump(), "extra": extra,
                                                                     **({"sources": sources} if sources else {})})
        results = json.loads((folder / "results.json").read_text())
        answered = sum((results.get("n-samples") or {}).get(t, {}).get("effective", 0) for t in tasks)
        if "alice_at_budget" in results:
            self.runner.note(f"{method}/eval", {"texts": answered, "at_budget": sum(results["alice_at_budget"].values()),
                                                "budget": e.max_gen_toks}, under="generated")
        suffix = "@" + self.prefix.strip("/").replace("/", "@") if self.prefix else ""
        target = self.run_dir / "results" / f"{method}{suffix}.json"
        point("results.copy", self.prefix + method)
        runtime.atomic_write(target, lambda tmp: shutil.copyfile(folder / "results.json", tmp))
        return results

    # -- the teacher -------------------------------------------------------------------------------------

    @cache
    def teacher(self) -> ModelRef:
        """The weak model fine-tuned on correct step-by-step answers of the teacher half."""
        teacher_half = self.teacher_half
        weak = self.base(self.recipe.models.weak)
        c = self.recipe.cot
        params = self.params(c)
        fn = stages.make_cot(lambda: self.generator(weak), params, c.tries)
        cot, _ = self.runner.records("teacher/cot", fn, teacher_half,
                                     {"model": weak.identity(), "params": params.__dict__, "tries": c.tries,
                                      "record": 2},                # record 2: every question, with attempts
                                     self.recipe.generation.chunk_size)
        self.note_generated("teacher/cot", weak, [o["completion"] for o in cot if o["completion"] is not None],
                            [o["at_budget"] for o in cot], params.max_new_tokens, drawn=sum(o["attempts"] for o in cot))
        cot = [o for o in cot if o["completion"] is not None]
        by_qid = {r["qid"]: r for r in teacher_half}
        kept = [by_qid[o["qid"]] for o in cot]
        return self.train("teacher/sft", weak, kept, [o["completion"] for o in cot], self.recipe.teacher_train_config(),
                          per_seed=False)

    @cache
    def qa_teacher(self) -> ModelRef:
        """The answer-only teacher: the weak model trained on the gold answer lines of the teacher half."""
        half = self.teacher_half
        return self.train("teacher_qa/sft", self.base(self.recipe.models.weak), half,
                          [prompts.answer_line(q["kind"], q["answer"]) for q in half],
                          self.recipe.teacher_train_config(), per_seed=False)

    def teacher_side(self, scope: str, teacher: ModelRef, questions: list[dict]) -> tuple[list[dict], dict]:
        """Sample N answers per question, cluster them, and word the doubt where clusters disagree."""
        r = self.recipe
        samples = self.generate(f"{scope}/sample", teacher, questions, prompts.question_prompt, r.sample,
                                "samples", n=r.sample.n)
        by_qid = {q["qid"]: q for q in questions}
        embedder = r.models.embedder

        def embed_loader():
            from alice_eval.zoo import embedder_path

            return stages.sentence_embedder(embedder_path(embedder))

        fn = stages.make_cluster(by_qid, cache(embed_loader), r.cluster.similarity, r.cluster.certain_share)
        clusters, _ = self.runner.records(f"{scope}/cluster", fn,
                                          [{"qid": q["qid"], "samples": samples[q["qid"]]} for q in questions],
                                          {"embedder": embedder, **r.cluster.model_dump(), "record": 2},
                                          r.generation.chunk_size)       # record 2: certain, teacher_answer
        unsure = [c for c in clusters if stages.unsure(c)]
        summarizer = self.base(r.models.summarizer) if r.models.summarizer else None
        params = self.params(r.uncertainty)
        fn = stages.make_uncertainty(by_qid, r.uncertainty.mode, summarizer and (lambda: self.generator(summarizer)),
                                     params)
        said, _ = self.runner.records(f"{scope}/uncertainty", fn, unsure,
                                      {"mode": r.uncertainty.mode, "params": params.__dict__,
                                       "summarizer": r.models.summarizer}, r.generation.chunk_size)
        if summarizer is not None and r.uncertainty.mode == "llm":
            self.note_generated(f"{scope}/uncertainty", summarizer, [u["uncertainty"] for u in said],
                                [u.get("at_budget") for u in said], params.max_new_tokens)
        return clusters, {u["qid"]: u["uncertainty"] for u in said}

    # -- Alice -------------------------------------------------------------------------------------------

    def alice_round(self, scope: str, student: ModelRef, questions: list[dict], clusters: list[dict],
                    uncertainty: dict | None, zeroshot_scope: str | None = None) -> tuple[list[dict], list[str]]:
        """Student zero-shot and revision where the teacher was unsure; returns training pairs.
        ``uncertainty=None``: the revision sees the teacher's answer without its doubt (the ablation);
        ``zeroshot_scope``: whose zero-shot answers to reuse (the same student answers the same prompts)."""
        r = self.recipe
        by_qid = {q["qid"]: q for q in questions}
        keep = {q["qid"] for q in questions}
        clusters = [c for c in clusters if c["qid"] in keep]
        unsure = [by_qid[c["qid"]] for c in clusters if stages.unsure(c)]
        zeroshot = self.generate(f"{zeroshot_scope or scope}/zeroshot", student, unsure, prompts.question_prompt,
                                 r.student, "zeroshot")
        teacher_answer = {c["qid"]: c["teacher_answer"] for c in clusters}
        doubt = (lambda q: None) if uncertainty is None else (lambda q: uncertainty[q["qid"]])  # noqa: E731
        revise = lambda q: prompts.revise_prompt(q, zeroshot[q["qid"]], teacher_answer[q["qid"]], doubt(q))  # noqa: E731
        accept = lambda q, text: prompts.revision_label(q, text) is not None  # noqa: E731
        params = self.params(r.student)
        fn = stages.make_revise(lambda: self.generator(student), params, revise, accept, r.student.tries)
        out, _ = self.runner.records(f"{scope}/revise", fn, unsure,
                                     {"model": student.identity(), "params": params.__dict__, "tries": r.student.tries,
                                      "prompt": revise(unsure[0]) if unsure else ""}, r.generation.chunk_size)
        self.note_generated(f"{scope}/revise", student, [o["revised"] for o in out], [o["at_budget"] for o in out],
                            params.max_new_tokens, drawn=sum(o["tries"] for o in out))
        revised = {o["qid"]: o["revised"] for o in out if o["accepted"]}
        labels = self.runner.table(f"{scope}/labels",
                                   lambda: stages.alice_labels(by_qid, clusters, revised, zeroshot),
                                   {"clusters": clusters, "revised": revised, "zeroshot": zeroshot, "rule": 5})
        kept_revisions = sum(l["source"] == "revised" for l in labels)
        counts = {"questions": len(clusters), "no_cluster": sum(c["teacher_answer"] is None for c in clusters),
                  "one_cluster": sum(c["certain"] for c in clusters), "revised": len(unsure),
                  "revision_dropped": len(unsure) - kept_revisions}
        self.runner.note(scope, counts, under="label_counts")
        self.note_mechanism(scope, unsure, zeroshot, teacher_answer, labels)
        self.note_labels(scope, questions, {l["qid"]: l["completion"] for l in labels},
                         {l["qid"]: "teacher (one cluster)" if l["source"] == "original" else "student revision"
                          for l in labels})
        return [by_qid[l["qid"]] for l in labels], [l["completion"] for l in labels]

    def note_mechanism(self, scope: str, unsure: list[dict], zeroshot: dict, teacher_answer: dict,
                       labels: list[dict]) -> None:
        """What the student did with the teacher's guidance on the questions it revised: how often its
        own and the teacher's answers were right (read flexibly), and per class of revision (kept its
        own, adopted the teacher's, a new answer) how many there were and how many were right."""
        right = lambda q, text: bool(text) and scoring.score(q, text).flexible_correct  # noqa: E731
        revised = {l["qid"]: l for l in labels if l["source"] == "revised"}
        classes = {name: {"revisions": 0, "correct": 0} for name in stages.MECHANISM}
        for q in unsure:
            if q["qid"] in revised:
                cls = classes[revised[q["qid"]]["mechanism"]]
                cls["revisions"] += 1
                cls["correct"] += right(q, revised[q["qid"]]["completion"])
        self.runner.note(scope, {"unsure": len(unsure), "own_correct": sum(right(q, zeroshot[q["qid"]]) for q in unsure),
                                 "teacher_correct": sum(right(q, teacher_answer[q["qid"]]) for q in unsure),
                                 "dropped": len(unsure) - len(revised), "classes": classes}, under="mechanism")

    # -- methods ---------------------------------------------------------------------------------------

    def run(self) -> dict[str, dict]:
        """Train and evaluate each method; returns lm-eval's results per method."""
        started = time.time()
        results = {name: self.evaluate(name, METHODS[name].train(self)) for name in self.methods}
        self.release()
        self.runner.note("wall_seconds", round(time.time() - started, 1))
        return results

    def cascade(self) -> ModelRef:
        """weak -> mid ... -> strong; stage i trains model i+1 on its own slice of the pool, and its
        trained (merged) student is the teacher of stage i+1."""
        teacher, pool = self.teacher(), self.pool
        chain = self.recipe.models.chain
        slices = _slices_per_dataset(pool, len(chain) - 1)
        trained = None
        for i, (name, questions) in enumerate(zip(chain[1:], slices), start=1):
            scope = f"cascade_alice/stage{i}"
            if i == 1:   # stage 1 shares the teacher's samples over the whole pool with Alice
                clusters, uncertainty = self.teacher_side("teacher", teacher, pool)
            else:
                teacher = self.merge(f"cascade_alice/stage{i - 1}/merge", trained)
                clusters, uncertainty = self.teacher_side(scope, teacher, questions)
            qs, targets = self.alice_round(scope, self.base(name), questions, clusters, uncertainty)
            trained = self.train(f"{scope}/sft", self.base(name), qs, targets)
        return trained


def _slices_per_dataset(pool: list[dict], parts: int) -> list[list[dict]]:
    """Disjoint slices by question, each holding its share of every dataset."""
    by_dataset: dict[str, list[dict]] = {}
    for q in pool:
        by_dataset.setdefault(q["dataset"], []).append(q)
    slices = [[] for _ in range(parts)]
    for questions in by_dataset.values():
        for i, part in enumerate(stages.slices(questions, parts)):
            slices[i] += part
    return slices


def selected(recipe: Recipe, methods: list[str] | None = None, stop_after: str | None = None) -> list[str]:
    """The methods to run, in registry order, after checking ``--methods`` and ``--stop-after``."""
    for m in methods or []:
        if m not in recipe.methods:
            raise ValueError(f"--methods: {m!r} is not in the recipe's methods ({', '.join(recipe.methods)})")
    chosen = [m for m in names() if m in (methods or recipe.methods)]
    if stop_after is not None:
        kinds = sorted({s.rsplit("/", 1)[-1] for s in plan(chosen, len(recipe.models.chain or []))})
        if stop_after not in kinds:
            raise ValueError(f"--stop-after: {stop_after!r} is not a stage of this run; choose one of {', '.join(kinds)}")
    return chosen


def needed_models(recipe: Recipe, methods: list[str]) -> list[str]:
    m = recipe.models
    names = [m.weak, m.strong, *((m.chain or []) if any(METHODS[x].needs_chain for x in methods) else [])]
    return names + ([m.summarizer] if m.summarizer and recipe.uncertainty.mode == "llm" else [])


def resolve_models(names: list[str]) -> dict[str, str]:
    """Model names as ``from_pretrained`` paths (zoo models prepared); a missing one is a one-line error."""
    from alice_eval.zoo import resolve

    out = {}
    for name in names:
        try:
            out[name] = resolve(name)
        except FileNotFoundError as err:
            raise FileNotFoundError(f"models: {err}") from None
    return out


def validate(recipe: Recipe, methods: list[str] | None = None, stop_after: str | None = None) -> None:
    """Everything a run checks before it writes anything: methods, --stop-after and every model."""
    resolve_models(needed_models(recipe, selected(recipe, methods, stop_after)))


@cache
def _tokenizer(path: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path, trust_remote_code=runtime.remote_code())


def _check_columns(name: str, records: list[dict]) -> None:
    need = ("qid", "question", "kind", "answer")
    for r in records[:1]:
        missing = [k for k in need if k not in r]
        if missing:
            raise ValueError(f"dataset {name}: records lack {', '.join(missing)}")
    if not records:
        raise ValueError(f"dataset {name}: the train split is empty")


def _manifest(recipe: Recipe) -> dict:
    return {"recipe": recipe.name, "config": recipe.model_dump(), "seed": recipe.seed,
            "versions": runtime.package_versions(),
            "python": platform.python_version(), "machine": platform.machine(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S")}


def run_recipe(recipe: Recipe, run_dir: Path, methods: list[str] | None = None,
               stop_after: str | None = None, reference: Path | None = None) -> dict[str, dict]:
    """Run ``methods`` of ``recipe``; ``reference``: the manifest of an earlier run of it, whose stage
    times make the remaining-time estimate right from the first stage.

    As the paper trains, each dataset gets its own teacher and students (stages under ``<dataset>/``,
    results ``results/<method>@<dataset>.json``) unless ``data.mixed`` trains one on all of them; each
    student answers its dataset's task, and the first dataset of a category also the hand-written check
    of that category (eval.ood)."""
    seconds = {}
    if reference and reference.is_file():
        stages_ = json.loads(reference.read_text()).get("stages", {})
        seconds = {n: s["seconds"] for n, s in stages_.items() if "seconds" in s}
    seeds = recipe.seeds or [recipe.seed]
    datasets = recipe.data.datasets
    groups = [datasets] if recipe.data.mixed or len(datasets) == 1 else [[d] for d in datasets]
    prefix = lambda i, group: ("" if i == 0 else f"seed-{seeds[i]}/") + ("" if len(groups) == 1 else f"{group[0]}/")  # noqa: E731
    parts = [prefix(i, group) for i in range(len(seeds)) for group in groups]
    results, stopped, finished = {}, None, set()
    for i, seed in enumerate(seeds):        # one after the other: each reads the manifest the last wrote
        for group in groups:
            pipeline = Pipeline(recipe.model_copy(update={"seed": seed}), run_dir, methods, stop_after, seconds,
                                prefix=prefix(i, group), shared_seed=seeds[0], ood=_ood_tasks(datasets, group),
                                datasets=group, parts=parts, finished=finished)
            try:
                done = pipeline.run()
            except StopRun as stop:          # --stop-after: every part (task, seed) stops at that stage
                pipeline.release()
                stopped = stop
                continue
            for method, res in done.items():
                results[method + ("" if i == 0 else f"@seed-{seed}") + ("" if len(groups) == 1 else f"@{group[0]}")] = res
    if stopped is not None:
        raise stopped
    return results


def _ood_tasks(datasets: list[str], group: list[str]) -> tuple[str, ...]:
    """The hand-written checks a group's students answer: one per category, by its first dataset."""
    first = {}
    for name in datasets:
        first.setdefault(registry.spec(name).category, name)
    return tuple(f"alice_ood_{registry.spec(d).category}" for d in group if first[registry.spec(d).category] == d
                 and f"alice_ood_{registry.spec(d).category}" in registry.OOD_TASKS)
