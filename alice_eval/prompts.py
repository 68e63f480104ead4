"""Every text a model reads or is trained to write. One module, so training and evaluation agree.

- ``question_prompt``: the user turn for a question (evaluation, CoT, sampling, zero-shot, SFT prompt).
- ``gold_completion``: the gold training target (weak / strong baselines, teacher SFT on rationales).
- ``uncertainty_prompt`` / ``template_uncertainty``: the teacher's doubt put into words, by an LLM or a
  template.
- ``revise_prompt``: the student reads its own answer, the teacher's answer and the teacher's
  uncertainty, and writes the final answer (Alice's "proactive revision").

Unlike the reference code, whose evaluation prompt is the bare question, the format instruction is part
of every question prompt: an untuned instruct model then answers in a parseable format, and the text a
model is fine-tuned on is exactly the text it is evaluated on.
"""

from __future__ import annotations

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
    alternatives = "; ".join(say(c) for c in others)
    return (f"I am not certain about this question. My most frequent answer was {say(top)}, "
            f"but I also concluded {alternatives}, so I may have made a mistake in the reasoning.")


# -- revision ---------------------------------------------------------------------------------------

def revise_prompt(record: dict, own_answer: str, teacher_answer: str, uncertainty: str) -> str:
    """The student's proactive revision: keep, adopt, or rewrite, and end in the task's format."""
    kind = record["kind"]
    finish = {
        "number": f"End with the final answer on the last line as '{NUMBER_MARK} <number>'.",
        "choice": f"End with '{CHOICE_MARK} X.' where X is the label of the correct option.",
        "text": "Always commit to an answer; 'I don't know' is not allowed. Answer in one to three "
                "sentences.",
    }[kind]
    question = record["question"].strip()
    if kind == "choice":
        question += "\n\n" + options_block(record)
    return (
        f"Question:\n{question}\n\n"
        f"Your original answer:\n{own_answer.strip()}\n\n"
        f"Another model's answer:\n{teacher_answer.strip()}\n\n"
        f"Another model's uncertainty about its answer:\n{uncertainty.strip()}\n\n"
        "Using the other model's answer and its uncertainty as references and your own knowledge, "
        "write your final answer to the question step by step. Change your original answer only if "
        "needed. Do not mention the references or whether you kept your original answer. " + finish
    )
