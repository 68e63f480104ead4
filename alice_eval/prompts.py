"""Every text a model reads or is trained to write. One module, so training and evaluation agree.

- ``question_prompt``: the user turn for a question (evaluation, CoT, sampling, zero-shot, SFT prompt).
- ``gold_completion``: the gold training target (weak / strong baselines, teacher SFT on rationales).
- ``uncertainty_prompt`` / ``template_uncertainty``: the teacher's doubt put into words, by an LLM or a
  template.
- ``revise_prompt``: the student reads its own answer, the teacher's answer and the teacher's
  uncertainty, and writes the final answer (Alice's "proactive revision").
- ``revision_label``: what of a revision becomes a training label (reasoning, then the answer line).

Unlike the reference code, whose evaluation prompt is the bare question, the format instruction is part
of every question prompt: an untuned instruct model then answers in a parseable format, and the text a
model is fine-tuned on is exactly the text it is evaluated on.
"""

from __future__ import annotations

import re

from alice_eval.scoring import CHOICE_MARK, NUMBER_MARK

_INSTRUCTIONS = {
    "number": f"Solve the problem step by step, then give the final answer on the last line as "
              f"'{NUMBER_MARK} <number>'.",
    "choice": f"Think step by step, then end your answer with '{CHOICE_MARK} X.' where X is the label "
              f"of the correct option.",
    "text": "Answer the question in one to three sentences.",
}


def options_block(record: dict) -> str:
    return "\n".join(f"{label}. {text}" for label, text in zip(record["labels"], record["choices"]))


def question_prompt(record: dict) -> str:
    """The user turn for a question: the question, its options, and the answer-format instruction."""
    parts = [record["question"].strip()]
    if record["kind"] == "choice":
        parts.append(options_block(record))
    parts.append(_INSTRUCTIONS[record["kind"]])
    return "\n\n".join(parts)


def answer_line(kind: str, answer: str) -> str:
    """The closing line of an answer in the task's format."""
    if kind == "number":
        return f"{NUMBER_MARK} {answer}"
    if kind == "choice":
        return f"{CHOICE_MARK} {answer}."
    return answer


def gold_completion(record: dict) -> str:
    """The gold target: the rationale where the dataset has one, else the bare answer line."""
    if record.get("rationale"):
        return record["rationale"].strip()
    if record["kind"] == "choice":
        text = record["choices"][record["labels"].index(record["answer"])]
        return f"The answer is {record['answer']}. {text}\n{answer_line('choice', record['answer'])}"
    return answer_line(record["kind"], str(record["answer"]))


# -- uncertainty ------------------------------------------------------------------------------------

_UNCERTAINTY_EXAMPLES = {
    "math": (
        "Question: A pen costs $3 and a pencil costs $1 less than the pen. How much do 2 pens and 3 "
        "pencils cost?\n"
        "1. A pencil costs 3 - 1 = 2 dollars. 2 pens cost 6 and 3 pencils cost 6, so 12 in total. #### 12\n"
        "2. A pencil costs 3 + 1 = 4 dollars. 2 pens cost 6 and 3 pencils cost 12, so 18. #### 18\n"
        "Statement: I am unsure whether the pencil costs one dollar less or one dollar more than the "
        "pen, so I am not certain of the pencil's price and therefore of the total."
    ),
    "knowledge": (
        "Question: Which actress starred in the 1961 film Breakfast at Tiffany's?\n"
        "1. Audrey Hepburn played Holly Golightly in Breakfast at Tiffany's.\n"
        "2. Marilyn Monroe starred in Breakfast at Tiffany's.\n"
        "3. Grace Kelly was the lead actress of the film.\n"
        "Statement: I am not sure which 1950s Hollywood star played the lead role; I confuse the "
        "actresses who were famous at that time."
    ),
}


def uncertainty_prompt(record: dict, representatives: list[str]) -> str:
    """Ask a summarizer LLM to state, as the teacher, what the teacher is unsure about.

    Cluster sizes are not shown (as in the reference code); the answers are numbered.
    """
    example = _UNCERTAINTY_EXAMPLES["math" if record["kind"] == "number" else "knowledge"]
    answers = "\n".join(f"{i}. {text.strip()}" for i, text in enumerate(representatives, 1))
    return (
        "You are given a question and several different answers that my model wrote for it; some are "
        "correct and some are not. Summarize the inconsistency that explains why my model is unsure. "
        "Write in the first person, as that model, in one to three sentences, about the knowledge and "
        "facts involved. Do not greet, and never mention 'my responses' or 'the responses': the model "
        "will see one answer at a time. If the answers are essentially the same, reply N/A.\n\n"
        f"Example:\n{example}\n\n"
        f"Question: {record['question'].strip()}\n{answers}\nStatement:"
    )


def template_uncertainty(record: dict, clusters: list[dict], n_samples: int) -> str:
    """The teacher's answer distribution in words, without a summarizer LLM.

    ``clusters`` are ``{"answer": canonical answer, "size": int}``, largest first.
    """
    def say(cluster: dict) -> str:
        answer = cluster["answer"]
        if record["kind"] == "choice":
            answer = f"option {answer}"
        return f"{answer} ({cluster['size']} of {n_samples} attempts)"

    top, others = clusters[0], clusters[1:]
    if not others:           # one cluster too small to count as certain (cluster.certain_share)
        return (f"I am not certain about this question. I reached {say(top)}, and my other attempts agreed "
                "on no answer, so I may have made a mistake in the reasoning.")
    alternatives = "; ".join(say(c) for c in others)
    return (f"I am not certain about this question. My most frequent answer was {say(top)}, "
            f"but I also concluded {alternatives}, so I may have made a mistake in the reasoning.")


# -- revision ---------------------------------------------------------------------------------------
# As the authors' revision prompt instructs (their code, W2SG_pipeline/ours/new_weak_to_strong_final.py,
# read for its instructions; every sentence here is the project's own): keep a right answer and restate
# it, change it only where it is wrong, never mention the references, reason first and close with the
# answer line. Their worked example sits inside the instruction; a 0.5B student then solved the example's
# question instead of its own (measured, results/student-choice), so here the example is a turn of its
# own before the real request: the same request on another question, and a reply that restates a right
# earlier answer with its reasoning first and the answer line last.

_EXAMPLES = {
    "number": {
        "question": "A shelf holds 5 boxes with 8 pencils in each, and 13 pencils are given away. How many "
                    "pencils are left?",
        "own": "There are 5 x 8 = 40 pencils. 40 - 13 = 27, so \\boxed{27} pencils are left.",
        "other": "5 + 8 = 13 pencils, and 13 - 13 = 0.\n#### 0",
        "doubt": "I am not sure whether the boxes' pencils should be added or multiplied.",
        "reply": f"The shelf holds 5 x 8 = 40 pencils. After 13 are given away, 40 - 13 = 27 pencils remain.\n"
                 f"{NUMBER_MARK} 27",
    },
    "choice": {
        "question": "Which of these objects is attracted by a magnet?\nA. a wooden spoon\nB. an iron nail\n"
                    "C. a glass cup\nD. a rubber ball",
        "own": "Magnets pull on iron, so the nail is attracted. The answer is B.",
        "other": f"Glass can be magnetic.\n{CHOICE_MARK} C.",
        "doubt": "I am unsure which materials a magnet attracts.",
        "reply": "Magnets attract metals that contain iron. Wood, glass and rubber contain no iron, while a nail "
                 f"is made of iron, so the nail is pulled by the magnet.\n{CHOICE_MARK} B.",
    },
    "text": {
        "question": "Which planet is known as the Red Planet?",
        "own": "Mars is called the Red Planet.",
        "other": "Jupiter, because of its Great Red Spot.",
        "doubt": "I am not sure whether the name refers to Mars's colour or to Jupiter's red spot.",
        "reply": "The planet whose surface looks red because of iron oxide dust is Mars, the fourth planet from "
                 "the Sun. The answer is Mars.",
    },
}
_CLOSE = {
    "number": f"Reason step by step first; the very last line is the answer alone, as '{NUMBER_MARK} <number>'.",
    "choice": f"Reason step by step first; the very last line is '{CHOICE_MARK} X.', where X is the option's label.",
    "text": "Explain briefly, step by step, then state the answer; commit to one answer ('I don't know' is not "
            "allowed), in one to three sentences.",
}
HEADINGS = ("Question:", "Your earlier answer:", "Another model's answer:", "What the other model is unsure about:")


def _revision_request(kind: str, question: str, own: str, other: str, doubt: str | None) -> str:
    hints = "the other model's answer" + ("" if doubt is None else " and what it is unsure about")
    return (
        f"{HEADINGS[0]}\n{question}\n\n"
        f"{HEADINGS[1]}\n{own.strip()}\n\n"
        f"{HEADINGS[2]}\n{other.strip()}\n\n"
        + ("" if doubt is None else f"{HEADINGS[3]}\n{doubt.strip()}\n\n")
        + "Write your final answer to this question. Check your earlier answer with your own knowledge, "
        f"using {hints} only as hints. If your earlier answer holds up, restate it with its reasoning; "
        "change it only where you find a mistake. Do not mention the other model, your earlier answer or "
        f"whether you changed anything. {_CLOSE[kind]}"
    )


def revise_prompt(record: dict, own_answer: str, teacher_answer: str, uncertainty: str | None) -> list[dict]:
    """The student's proactive revision as a conversation: one worked exchange on another question,
    then the request for this one (reason first, answer line last). ``uncertainty=None`` leaves the
    teacher's doubt out (the ``alice_no_uncertainty`` ablation), in the example too."""
    kind = record["kind"]
    question = record["question"].strip()
    if kind == "choice":
        question += "\n\n" + options_block(record)
    ex = _EXAMPLES[kind]
    keep_doubt = uncertainty is not None
    return [
        {"role": "user", "content": _revision_request(kind, ex["question"], ex["own"], ex["other"],
                                                      ex["doubt"] if keep_doubt else None)},
        {"role": "assistant", "content": ex["reply"]},
        {"role": "user", "content": _revision_request(kind, question, own_answer, teacher_answer, uncertainty)},
    ]


def revision_label(record: dict, text: str) -> str | None:
    """A revision as a training label, or None when it is not one.

    A label reasons, then answers: the flexible reading (:func:`alice_eval.scoring.extract_flexible`)
    must find a stated final answer (the marker, ``\\boxed{}`` or "the answer is"; a bare last number
    is not one) with at least ``MIN_REASONING_WORDS`` words before it (for a number, with a calculation
    among them), and the text must neither mention the references (the other model, the earlier answer)
    nor copy the worked example. The label is the text up to its answer, closed with the task's strict
    answer line (written from the answer the flexible reading found where the revision ended otherwise,
    for example in ``\\boxed{}``); what follows the answer line is left out."""
    from alice_eval import scoring

    text = text.strip()
    kind = record["kind"]
    if not text or kind == "text":
        return _unechoed(text)
    answer = scoring.extract_flexible(record, text, last_number=False)
    if answer is None:
        return None
    mark = NUMBER_MARK if kind == "number" else CHOICE_MARK
    end = text.rfind(mark) if scoring.extract(record, text) is not None else -1
    if end < 0:                 # \boxed{} or a closing "the answer is": the reasoning comes before it
        box = text.rfind("\\boxed")
        end = box if box >= 0 else max(m.start() for m in scoring._ANSWER_IS.finditer(text))
        reasoning = text[:end]
        body = text[:text.find("\n", end)] if "\n" in text[end:] else text
    else:
        reasoning = body = text[:end]
    if len(reasoning.split()) < MIN_REASONING_WORDS or (kind == "number" and not _CALCULATION.search(reasoning)):
        return None
    return _unechoed(f"{body.rstrip()}\n{answer_line(kind, answer)}")


# a label that talks about the revision ("the other model is unsure...", "my earlier answer, 72, is
# correct") teaches the student to talk about references it will never see again
_REFERENCES = ("other model", "earlier answer", "original answer", "uncertainty statement")


def _unechoed(label: str) -> str | None:
    """None for an empty label, one that mentions the revision's references (the prompt forbids it), or
    one that copies the prompt's worked example (a 0.5B student answered the example's question in the
    example's words)."""
    copied = [ex["reply"].split("\n")[0][:40] for ex in _EXAMPLES.values()]
    lowered = label.lower()
    return label if label and not any(c in label for c in copied) and not any(r in lowered for r in _REFERENCES) \
        else None


MIN_REASONING_WORDS = 8      # "The answer is 12." is not reasoning; the shortest worked step is longer
# a number's reasoning shows a step: "The sum of the ages of Julia, Yusuf and Lena is \boxed{56}" has the
# words but restates the question (students trained on such revisions answered first on 85% of questions)
_CALCULATION = re.compile(r"\d\s*(?:[-+*/×÷=x]|\\times|\\div|\\cdot)\s*\(?\d|=")
