"""kb check --variants: precision and recall on the sample knowledge base and on a seeded corpus.

    python bench/kb_variants.py [--articles 1000] [--seed 7]

1. The shipped sample knowledge base (kb/articles), as it is: every group reported is printed, to be judged.
2. bench/kb.py's corpus of --articles articles (the samples, repeated) with one sentence added to each Japanese
   article: for each of the seeded word pairs below, most articles write the common form and about one in six
   the other (the seeded variants, which --variants should report); other articles get sentences with words
   that share a lemma but are other words (potential forms: 使える beside 使う), which it must not report.
   Precision = reported occurrences that are seeded variants / all reported; recall = seeded variants reported
   / seeded variants. The corpus itself (1.) reports nothing, so anything reported outside the seeded
   sentences counts against precision.
Also prints the seconds --variants adds to kb check over the corpus.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import kb_corpus  # bench/, beside this file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (common sentence, variant sentence, the variant as written): one word, two spellings
PAIRS = [
    ("サーバーの状態を確認します。", "サーバの状態を確認します。", "サーバ"),
    ("問い合わせの内容を確認します。", "問合せの内容を確認します。", "問合せ"),
    ("取り消しの手順を確認します。", "取消しの手順を確認します。", "取消し"),
    ("申し込みの内容を確認します。", "申込みの内容を確認します。", "申込み"),
    ("打ち合わせの日程を決めます。", "打合せの日程を決めます。", "打合せ"),
    ("インターフェースの設定を確認します。", "インタフェースの設定を確認します。", "インタフェース"),
    ("コンピューターの設定を確認します。", "コンピュータの設定を確認します。", "コンピュータ"),
    ("引き落としの日付を確認します。", "引落しの日付を確認します。", "引落し"),
    ("振り込みの状況を確認します。", "振込みの状況を確認します。", "振込み"),
    ("手続きの流れを確認します。", "手続の流れを確認します。", "手続"),
    ("内容が分かります。", "内容がわかります。", "わかり"),
    ("詳しくはヘルプを参照してください。", "詳しくはヘルプを参照して下さい。", "下さい"),
    ("子どもの名前を登録します。", "子供の名前を登録します。", "子供"),
]
# one lemma, other words: these must not be reported
DISTRACTORS = ["管理者だけが使えます。", "管理者が使います。", "設定は管理者が行えます。", "設定を管理者が行います。",
               "一覧で見られます。", "一覧を見ます。", "申請書を書けます。", "申請書を書きます。",
               "データを出せます。", "データを出します。"]


def _report(root: Path) -> tuple[list[Any], float]:
    from kb import variants
    from kb.articles import load_articles
    from kb.spec import load_spec

    spec = load_spec(root)
    articles = load_articles(spec)[0]
    t = time.perf_counter()
    found = variants.find(spec, articles)
    return found, time.perf_counter() - t


def seed(root: Path, rng: random.Random) -> dict[tuple[str, int], str]:
    """One sentence more in each Japanese article (no locale in its front matter); the (path, line) of every
    seeded variant, and the variant."""
    seeded: dict[tuple[str, int], str] = {}
    paths = [p for p in sorted((root / "articles").rglob("*.md")) if p.name.count(".") == 1]
    for i, path in enumerate(paths):
        text = path.read_text(encoding="utf-8").rstrip("\n")
        if "\nlocale: " in text.split("\n---", 1)[0]:
            continue  # an article in another language (its front matter says so)
        if i % 4 == 3:
            sentence = DISTRACTORS[(i // 4) % len(DISTRACTORS)]
        else:
            common, variant, _ = PAIRS[i % len(PAIRS)]
            sentence = variant if rng.random() < 1 / 6 else common
            if sentence is variant:
                seeded[(f"kb/{path.relative_to(root).as_posix()}", text.count("\n") + 3)] = variant
        path.write_text(f"{text}\n\n{sentence}\n", encoding="utf-8")
    return seeded


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    from kb import morphology

    if not morphology.available():
        sys.exit(f"--variants needs the ja extra: {morphology.INSTALL_HINT}")
    sample, _ = _report(ROOT / "kb")
    print(f"sample knowledge base (kb/articles): {len(sample)} reported")
    for f in sample:
        print(f"  {f.path}:{f.line} {f.message}")
    with tempfile.TemporaryDirectory(prefix="csops-kb-variants-") as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        shutil.copy(ROOT / "kb" / "kb.yaml", root / "kb.yaml")
        shutil.copytree(ROOT / "kb" / "images", root / "images")
        kb_corpus.generate(root, args.articles)
        before, _ = _report(root)
        seeded = seed(root, random.Random(args.seed))
        found, seconds = _report(root)
    got = {(f.path, f.line) for f in found}
    hits = got & set(seeded)
    precision = len(hits) / len(got) if got else 1.0
    recall = len(hits) / len(seeded) if seeded else 1.0
    print(f"corpus of {args.articles} articles before seeding: {len(before)} reported")
    print(f"seeded: {len(seeded)} variants among {len(PAIRS)} pairs and {len(DISTRACTORS)} distractor sentences; "
          f"reported {len(got)}: precision {precision:.1%}, recall {recall:.1%}")
    for f in [f for f in found if (f.path, f.line) not in seeded][:8]:
        print(f"  not seeded: {f.path}:{f.line} {f.message}")
    missed = Counter(seeded[k] for k in set(seeded) - got)
    for sentence, n in missed.most_common():
        print(f"  missed {n}×: {sentence}")
    print(f"--variants over the corpus: {seconds:.2f} s (the analyser over every Japanese article)")


if __name__ == "__main__":
    main()
