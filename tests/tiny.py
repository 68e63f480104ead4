"""Tiny random chat models for tests: a local byte-level BPE tokenizer, a ChatML template, 2 layers.

No model package or hub needed; a model builds in about a second and generates, trains (TRL SFT, LoRA)
and runs under lm-eval in seconds. Its answers are random, but the tokenizer is trained on the
project's own prompt texts and on digits, so prompts and answers tokenize sensibly.
"""

from __future__ import annotations

from pathlib import Path

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def default_corpus() -> list[str]:
    """Prompt and answer texts of every kind, numbers and letters."""
    from alice_eval import prompts

    records = [
        {"qid": "n", "question": "Tom has 3 apples and buys 4 more. How many apples does he have?",
         "kind": "number", "answer": "7", "aliases": [], "choices": [], "labels": [],
         "rationale": "Tom has 3 + 4 = 7 apples.\n#### 7"},
        {"qid": "c", "question": "Which gas do plants take in from the air?", "kind": "choice", "answer": "B",
         "aliases": [], "choices": ["oxygen", "carbon dioxide", "nitrogen", "helium"],
         "labels": ["A", "B", "C", "D"], "rationale": ""},
        {"qid": "t", "question": "What is the capital of France?", "kind": "text", "answer": "Paris",
         "aliases": ["Paris"], "choices": [], "labels": [], "rationale": ""},
    ]
    texts = []
    for record in records:
        texts += [prompts.question_prompt(record), prompts.gold_completion(record)]
    texts += [" ".join(str(i) for i in range(200)), "0123456789 +-*/=().,$%#",
              "A B C D E 1 2 3 4 My choice is A. My choice is (B). #### 42 #### 1,000",
              "The answer is yes. The answer is no. I think it is true. Let's think step by step.",
              "user assistant system"]
    return texts * 3


def build_tiny_model(out_dir: str | Path, seed: int = 0, hidden: int = 64, layers: int = 2,
                     corpus: list[str] | None = None, head_dim: int = 16) -> Path:
    """Build and save a random Qwen2-architecture chat model with its tokenizer into ``out_dir``.

    vLLM's CPU attention needs ``head_dim`` 32 or more (it refused 16)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast, Qwen2Config

    out = Path(out_dir)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus or default_corpus(), trainers.BpeTrainer(
        vocab_size=512, special_tokens=SPECIAL_TOKENS, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tok.chat_template = CHATML
    heads = max(2, hidden // head_dim)
    cfg = Qwen2Config(vocab_size=len(tok), hidden_size=hidden, intermediate_size=2 * hidden,
                      num_hidden_layers=layers, num_attention_heads=heads,
                      num_key_value_heads=max(1, heads // 2), max_position_embeddings=2048,
                      tie_word_embeddings=True, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id, bos_token_id=tok.pad_token_id)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def talkative_copy(src: Path, dst: Path, seed: int = 0) -> Path:
    """``src`` with larger random weights: a tiny model that writes varied text rather than only EOS."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(src)
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.3)
    model.save_pretrained(dst)
    AutoTokenizer.from_pretrained(src).save_pretrained(dst)
    return dst


def with_remote_code(src: Path, dst: Path, marker: Path) -> Path:
    """A copy of ``src`` whose repository ships its own model code (``auto_map``), code that leaves
    ``marker`` behind when it runs: what ``trust_remote_code`` would execute."""
    import json
    import shutil

    shutil.copytree(src, dst)
    (dst / "modeling_marked.py").write_text(
        "from pathlib import Path\n"
        "from transformers import Qwen2ForCausalLM\n"
        f"Path({str(marker)!r}).write_text('the repository code ran')\n\n\n"
        "class MarkedForCausalLM(Qwen2ForCausalLM):\n"
        "    pass\n")
    config = json.loads((dst / "config.json").read_text())
    config["auto_map"] = {"AutoModelForCausalLM": "modeling_marked.MarkedForCausalLM"}
    (dst / "config.json").write_text(json.dumps(config))
    return dst
