"""Japanese morphology for kb check: fugashi + unidic-lite against sudachipy + sudachidict_core.

    pip install fugashi unidic-lite sudachipy sudachidict_core   # the second pair only for this comparison
    python bench/kb_morph.py [--articles 1000]

Prints, for each analyser that is installed, the seconds to tokenise the prose of the generated articles
(bench/kb.py's corpus) and whether it links a ら抜き form to its verb (見れる → 見る), which the
no-dropping-the-ra rule needs to tell 見れる (wrong) from 走れる (right). Then kb's three morphology rules
over labelled sentences (true and false positives) with the analyser kb uses.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RA_NUKI = {"見れる": "見る", "来れる": "来る", "食べれる": "食べる", "起きれる": "起きる", "寝れる": "寝る"}
RIGHT = {"走れる": "走る", "書ける": "書く", "入れる": "入れる"}


def corpus(n: int) -> list[str]:
    spec = importlib.util.spec_from_file_location("bench_kb", ROOT / "bench" / "kb.py")
    assert spec is not None and spec.loader is not None
    bench_kb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_kb)
    with tempfile.TemporaryDirectory() as tmp:
        bench_kb.generate(Path(tmp), n)
        return [line for p in Path(tmp).rglob("*.md") for line in p.read_text(encoding="utf-8").split("\n")
                if line.strip() and not line.startswith(("---", "title:", "```", "|"))]


def fugashi_lemma() -> tuple[Any, Any] | None:
    try:
        import fugashi
    except ImportError:
        return None
    tagger = fugashi.Tagger()
    return (lambda text: [n.surface for n in tagger.parseToNodeList(text)],
            lambda word: tagger.parseToNodeList(word)[0].feature_raw.split(",")[7])


def sudachi_lemma() -> tuple[Any, Any] | None:
    try:
        from sudachipy import Dictionary, SplitMode
    except ImportError:
        return None
    tokenizer = Dictionary(dict="core").create()
    return (lambda text: [m.surface() for m in tokenizer.tokenize(text, SplitMode.C)],
            lambda word: tokenizer.tokenize(word, SplitMode.C)[0].normalized_form())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    args = ap.parse_args()
    lines = corpus(args.articles)
    chars = sum(map(len, lines))
    print(f"{args.articles} articles: {len(lines)} lines, {chars} characters of prose")
    for name, make in (("fugashi + unidic-lite", fugashi_lemma), ("sudachipy + sudachidict_core", sudachi_lemma)):
        pair = make()
        if pair is None:
            print(f"{name}: not installed")
            continue
        tokenize, lemma = pair
        t, c = time.perf_counter(), time.process_time()
        words = sum(len(tokenize(line)) for line in lines)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        linked = sum(lemma(w) == base for w, base in RA_NUKI.items())
        kept = sum(lemma(w) != RA_NUKI.get(w) for w in RIGHT)
        print(f"{name}: {words} words in {wall:.2f} s ({cpu:.2f} s CPU); ら抜き forms linked to their verb: "
              f"{linked}/{len(RA_NUKI)}; correct potentials kept apart: {kept}/{len(RIGHT)}")
    from kb import morphology
    from kb.prose import Block, split_sentences
    from tests.kb.test_cli_check import MORPH  # the labelled sentences the tests use

    if not morphology.available():
        return
    for rule, wrong, right in MORPH:
        fn = {"no-dropping-the-ra": morphology.no_dropping_the_ra, "no-doubled-joshi": morphology.no_doubled_joshi,
              "no-double-negative": morphology.no_double_negative}[rule]

        def hits(text: str, fn: Any = fn) -> int:
            found: list[int] = []
            fn(split_sentences(Block("paragraph", [text], [0], [0], len(text))), lambda s, o, m: found.append(o))
            return len(found)

        tp = sum(hits(s) > 0 for s in wrong)
        fp = sum(hits(s) > 0 for s in right)
        print(f"kb {rule} (fugashi): {tp}/{len(wrong)} wrong sentences found, {fp}/{len(right)} right ones flagged")


if __name__ == "__main__":
    main()
