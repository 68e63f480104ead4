"""The Alice stages as plain functions over records (arXiv 2504.07316, section 4).

Each ``make_*`` returns ``fn(chunk, chunk_index) -> output records`` for ``Runner.records``; the chunk
index seeds sampling, so a resumed chunk reproduces the text an uninterrupted run would have written.
Outputs carry the question's ``qid`` so later stages join on it, never on line order.
"""

from __future__ import annotations

import random
from typing import Callable

from alice_eval import prompts, runtime, scoring
from alice_eval.generation import Generator, SamplingParams, at_budget, for_chunk

Stage = Callable[[list[dict], int], list[dict]]
GetGenerator = Callable[[], Generator]


def split(records: list[dict], pool_fraction: float, seed: int, shuffle: bool,
          pool_size: int | None = None) -> tuple[list[dict], list[dict]]:
    """Teacher half and W2S pool: first half / second half of the train split (paper: unshuffled),
    keeping the first ``pool_fraction`` of the pool, and at most ``pool_size`` questions."""
    records = list(records)
    if shuffle:
        random.Random(seed).shuffle(records)
    half = len(records) // 2
    pool = records[half:]
    keep = max(1, int(len(pool) * pool_fraction)) if pool else 0
    return records[:half], pool[:min(keep, pool_size or keep)]


def slices(pool: list[dict], parts: int) -> list[list[dict]]:
    """``parts`` disjoint, contiguous slices of the pool by question, one per cascade stage."""
    size = len(pool) // parts
    return [pool[i * size:(i + 1) * size if i < parts - 1 else len(pool)] for i in range(parts)]


def make_cot(get: GetGenerator, params: SamplingParams, tries: int) -> Stage:
    """Teacher CoT data: the gold rationale where one exists (as for GSM8K); otherwise the untuned
    teacher writes step-by-step answers and the first correct one of ``tries`` is kept. Every question
    gets a record (``completion`` None where no try was right), with its ``attempts`` and how many of
    them ended at the token budget."""

    def run(chunk: list[dict], index: int) -> list[dict]:
        out = {r["qid"]: r["rationale"] for r in chunk if r.get("rationale")}
        attempts = {r["qid"]: [] for r in chunk}
        todo = [r for r in chunk if r["qid"] not in out]
        for attempt in range(tries):
            if not todo:
                break
            p = for_chunk(params, index, attempt)
            texts = get().generate([prompts.question_prompt(r) for r in todo], p, desc=None)
            for r, (text,) in zip(todo, texts):
                attempts[r["qid"]].append(at_budget(text))
                if scoring.score(r, text).correct:
                    out[r["qid"]] = text
            todo = [r for r in todo if r["qid"] not in out]
        return [{"qid": r["qid"], "completion": out.get(r["qid"]), "attempts": len(attempts[r["qid"]]),
                 "at_budget": sum(attempts[r["qid"]])} for r in chunk]

    return run


def make_generate(get: GetGenerator, params: SamplingParams, prompt: Callable[[dict], str], field: str) -> Stage:
    """Generate ``params.n`` completions per record into ``field`` (a list when n > 1); ``at_budget``
    says which ended at the token budget."""

    def run(chunk: list[dict], index: int) -> list[dict]:
        p = for_chunk(params, index)
        texts = get().generate([prompt(r) for r in chunk], p)
        return [{"qid": r["qid"], field: t if params.n > 1 else t[0],
                 "at_budget": [at_budget(x) for x in t] if params.n > 1 else at_budget(t[0])}
                for r, t in zip(chunk, texts)]

    return run


def make_revise(get: GetGenerator, params: SamplingParams, prompt: Callable[[dict], str],
                accept: Callable[[dict, str], bool], tries: int) -> Stage:
    """The student's revisions, each redrawn (a new seed per try) until ``accept`` takes it (a draw cut
    by its token budget never is), at most ``tries`` draws; the last draw is kept either way, with ``accepted``, ``tries`` and ``at_budget``
    (how many draws ended at the token budget)."""

    def run(chunk: list[dict], index: int) -> list[dict]:
        out: dict[str, dict] = {}
        todo = list(chunk)
        for attempt in range(tries):
            if not todo:
                break
            texts = get().generate([prompt(r) for r in todo], for_chunk(params, index, attempt), desc=None)
            for r, (text,) in zip(todo, texts):
                before = out.get(r["qid"], {}).get("at_budget", 0)
                out[r["qid"]] = {"qid": r["qid"], "revised": str(text), "accepted": accept(r, text) and not at_budget(text),
                                 "tries": attempt + 1, "at_budget": before + at_budget(text)}
            todo = [r for r in todo if not out[r["qid"]]["accepted"]]
        return [out[r["qid"]] for r in chunk]

    return run


# -- clustering --------------------------------------------------------------------------------------

def greedy_clusters(keys: list, same: Callable[[int, int], bool]) -> list[list[int]]:
    """The reference algorithm: the first remaining parseable answer seeds a cluster of every remaining
    answer similar to it; unparseable answers (key None) neither seed nor join. Singletons included."""
    remaining = [i for i, k in enumerate(keys) if k is not None]
    clusters = []
    while remaining:
        seed = remaining[0]
        members = [i for i in remaining if same(seed, i)]
        clusters.append(members)
        remaining = [i for i in remaining if i not in set(members)]
    return clusters


def cluster_samples(record: dict, samples: list[str], embed: Callable[[list[str]], "object"] | None,
                    similarity: float, certain_share: float = 0.0) -> dict:
    """Clusters of a question's samples, largest first (ties: formed first); singletons dropped.

    Numbers and choices cluster on the extracted answer; open text on cosine similarity of sentence
    embeddings above ``similarity``. A cluster's representative is its seed, the earliest sample.
    The record says what every consumer needs: ``certain`` (exactly one cluster, the paper's rule: the
    teacher agrees with itself; with ``certain_share`` > 0 that cluster must also hold at least that
    share of the samples, since at N = 8 two agreeing samples make a "certain" answer) and
    ``teacher_answer`` (the largest cluster's representative; None without any cluster).
    """
    keys = [scoring.extract(record, s) for s in samples]
    if record["kind"] == "text":
        vectors = embed([s if k is not None else "" for s, k in zip(samples, keys)]) if any(keys) else None
        same = lambda a, b: float(vectors[a] @ vectors[b]) > similarity or a == b  # noqa: E731
    else:
        same = lambda a, b: keys[a] == keys[b]  # noqa: E731
    groups = [g for g in greedy_clusters(keys, same) if len(g) > 1]
    groups.sort(key=len, reverse=True)       # stable: equal sizes keep their formation order
    clusters = [{"answer": keys[g[0]] if record["kind"] != "text" else _short(samples[g[0]]),
                 "representative": samples[g[0]], "size": len(g)} for g in groups]
    return {"qid": record["qid"], "n_samples": len(samples), "clusters": clusters,
            "certain": len(clusters) == 1 and clusters[0]["size"] >= certain_share * len(samples),
            "teacher_answer": clusters[0]["representative"] if clusters else None}


def unsure(cluster_record: dict) -> bool:
    """The teacher answered but disagreed with itself: the questions Alice's student revises."""
    return cluster_record["teacher_answer"] is not None and not cluster_record["certain"]


def make_cluster(records: dict[str, dict], embed_loader: Callable[[], Callable], similarity: float,
                 certain_share: float = 0.0) -> Stage:
    def run(chunk: list[dict], index: int) -> list[dict]:
        needs_embeddings = any(records[s["qid"]]["kind"] == "text" for s in chunk)
        embed = embed_loader() if needs_embeddings else None
        return [cluster_samples(records[s["qid"]], s["samples"], embed, similarity, certain_share) for s in chunk]

    return run


def sentence_embedder(model: str) -> Callable[[list[str]], "object"]:
    from sentence_transformers import SentenceTransformer

    encoder = SentenceTransformer(model, device="cpu", trust_remote_code=runtime.remote_code())
    return lambda texts: encoder.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


# -- uncertainty, zero-shot, revision, labels -----------------------------------------------------------

def make_uncertainty(records: dict[str, dict], mode: str, get: GetGenerator | None,
                     params: SamplingParams) -> Stage:
    """Put the teacher's doubt into words, for questions with two or more clusters."""

    def run(chunk: list[dict], index: int) -> list[dict]:
        if mode == "template":
            return [{"qid": c["qid"], "uncertainty": prompts.template_uncertainty(
                records[c["qid"]], c["clusters"], c["n_samples"])} for c in chunk]
        p = for_chunk(params, index)
        asks = [prompts.uncertainty_prompt(records[c["qid"]], [k["representative"] for k in c["clusters"]])
                for c in chunk]
        return [{"qid": c["qid"], "uncertainty": t[0].strip(), "at_budget": at_budget(t[0])}
                for c, t in zip(chunk, get().generate(asks, p))]

    return run


MECHANISM = ("kept own", "adopted teacher", "new answer")


def revision_class(record: dict, own: str, teacher: str, revised: str) -> str:
    """What the student did with the teacher's guidance, read from final answers (flexible reading):
    ``kept own`` (its zero-shot answer, also where the teacher agreed), ``adopted teacher``, or ``new
    answer``. Open-text answers compare by their normalized text."""
    read = lambda text: scoring.extract_flexible(record, text) if text else None  # noqa: E731
    final, mine, theirs = read(revised), read(own), read(teacher)
    if record["kind"] == "text":
        final, mine, theirs = (scoring.normalize_text(x) if x else None for x in (final, mine, theirs))
    if final is not None and final == mine:
        return MECHANISM[0]
    if final is not None and final == theirs:
        return MECHANISM[1]
    return MECHANISM[2]


def alice_labels(records: dict[str, dict], clusters: list[dict], revised: dict[str, str],
                 zeroshot: dict[str, str] | None = None) -> list[dict]:
    """The student's training targets: the teacher's answer where it was certain, the student's revision
    made a label (:func:`alice_eval.prompts.revision_label`: reasoning, then the answer line) where it
    was not; a revision that is no label, and a question without any cluster, are dropped. Each revised
    label carries its ``mechanism`` class against the student's own ``zeroshot`` answer."""
    labels = []
    for c in clusters:
        if c["teacher_answer"] is None:
            continue
        record = records[c["qid"]]
        if c["certain"]:
            labels.append({"qid": c["qid"], "completion": c["teacher_answer"], "source": "original"})
            continue
        label = prompts.revision_label(record, revised.get(c["qid"], ""))
        if label is not None:
            mechanism = revision_class(record, (zeroshot or {}).get(c["qid"], ""), c["teacher_answer"], label)
            labels.append({"qid": c["qid"], "completion": label, "source": "revised", "mechanism": mechanism})
    return labels


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "..."
