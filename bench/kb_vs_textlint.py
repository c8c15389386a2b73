"""kb check side by side with textlint + preset-ja-technical-writing on the same generated articles.

    python bench/kb_vs_textlint.py [--articles 1000] [--cache DIR]

Installs textlint and the preset with npm into a cache folder (default ~/.cache/csops-bench/textlint; never
into the repository) when node and npm are present, and skips with a message otherwise. The corpus is
bench/kb.py's (the shipped samples, about 3 KB each) with one paragraph per article taken from sentences
that break the rules both tools have, so there is something to compare. Prints the wall-clock and CPU
seconds of each (both as a command: start-up included; kb check's are the median of --kb-runs runs, as one
run of about two seconds swings with what else the machine runs, textlint's one run takes minutes), the
load average before and after, the speed ratio and, for the shared rules, how many of textlint's findings
kb check also reports, leaving out textlint's two known false-positive kinds (です・ます list items,
``!!!`` admonition markers), and examples of the findings that differ.
Goal: at least 25 times as fast, and at least 95% of textlint's findings on the shared rules.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import kb_corpus  # bench/, beside this file

ROOT = Path(__file__).resolve().parents[1]


PACKAGES = ["textlint@15", "textlint-rule-preset-ja-technical-writing@12"]

# textlint rule id (inside the preset) → kb's rule
SHARED = {
    "sentence-length": "sentence-length", "max-ten": "max-ten", "no-mix-dearu-desumasu": "style",
    "ja-no-mixed-period": "ja-period", "no-exclamation-question-mark": "no-exclamation-question",
    "no-hankaku-kana": "no-hankaku-kana", "no-nfd": "no-nfd", "no-zero-width-spaces": "no-invisible-chars",
    "ja-no-weak-phrase": "weak-phrase", "ja-no-redundant-expression": "redundant-expression",
    "no-doubled-joshi": "no-doubled-joshi", "no-dropping-the-ra": "no-dropping-the-ra",
    "no-double-negative-ja": "no-double-negative", "no-unmatched-pair": "unmatched-pair",
}

SEEDS = [
    "この機能を使うと勤怠データを出力して給与計算ソフトに取り込み、締め日の前に従業員ごとの残業時間を確認して、"
    "必要であれば上長に確認を依頼したうえで承認の手続きを行い、最後に給与担当者へ連絡することができます。",
    "設定を開き、項目を選び、値を入力し、保存を押して、完了します。",
    "設定を保存します。保存した内容はすぐに反映される。",
    "設定が終わったら保存を押します",
    "打刻を忘れないようにしましょう！",
    "ｶﾀｶﾅで入力された名前は変換されます。",
    "申請の締め日は毎月変更されるかもしれません。",
    "打刻データをCSVで出力することができます。",
    "この画面は管理者しか見れません。",
    "勤務表で一覧で選択します。",
    "承認者がいないと申請できないことはありません。",
    "「保存を押すと申請が送られます。",
    "削除した打刻は元に戻せません。申請から再登録します。",
    "明日からは来れますか。",
]


# textlint's two known false-positive kinds: a list item in another style, and an admonition marker
LIST_AND_NOTE = "\n\n- 管理者である\n- 承認者です\n\n!!! note \"メモ\"\n    設定は保存されます。\n"


def install(cache: Path) -> Path | None:
    """textlint's entry point in the cache folder, installing it there first; None when node is missing."""
    if not shutil.which("node") or not shutil.which("npm"):
        print("skipped: node and npm are not installed (textlint runs on node)")
        return None
    cli = cache / "node_modules" / "textlint" / "bin" / "textlint.js"
    if not cli.exists():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"installing {' '.join(PACKAGES)} into {cache} …", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES], cwd=cache,
                       check=True)
    return cli


def seed(root: Path) -> None:
    """Add one rule-breaking paragraph to each article (after its first section's paragraph)."""
    for i, path in enumerate(sorted((root / "articles").rglob("*.md"))):
        if path.name.count(".") > 1:
            continue
        text = path.read_text(encoding="utf-8")
        extra = SEEDS[i % len(SEEDS)] + LIST_AND_NOTE
        path.write_text(text.rstrip("\n") + "\n\n" + extra, encoding="utf-8")


def timed(cmd: list[str], **kwargs: Any) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall-clock and CPU seconds (user + system, its child processes included) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, proc


def run_textlint(cli: Path, cache: Path, articles: Path) -> tuple[float, float, list[dict[str, object]]]:
    rc = articles.parent / ".textlintrc.json"
    rc.write_text(json.dumps({"rules": {"preset-ja-technical-writing": True}}), encoding="utf-8")
    env = {**os.environ, "NODE_PATH": str(cache / "node_modules")}
    seconds, cpu, proc = timed(["node", str(cli), "--config", str(rc), "--rules-base-directory",
                                str(cache / "node_modules"), "--format", "json", str(articles)],
                               env=env, cwd=articles.parent)
    if proc.returncode not in (0, 1):
        sys.exit(f"textlint failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    out = []
    for file in json.loads(proc.stdout):
        for m in file["messages"]:
            rule = str(m["ruleId"]).rpartition("/")[2]
            out.append({"path": os.path.relpath(file["filePath"], articles.parent), "line": m["line"],
                        "rule": rule, "message": m["message"]})
    return seconds, cpu, out


def run_kb(root: Path, runs: int) -> tuple[float, float, list[dict[str, object]]]:
    """The median wall-clock and CPU seconds of ``runs`` runs, and the findings (the same every run)."""
    kb_cli = Path(sys.executable).with_name("kb")
    walls, cpus, outputs = [], [], set()
    for _ in range(runs):
        seconds, cpu, proc = timed([str(kb_cli), "--root", str(root), "check", "--format", "json"], cwd=ROOT)
        if proc.returncode not in (0, 1):
            sys.exit(f"kb check failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        walls.append(seconds)
        cpus.append(cpu)
        outputs.add(proc.stdout)
    if len(outputs) > 1:
        sys.exit("kb check reported different findings on runs over the same files")
    found = json.loads(outputs.pop())
    for f in found:
        f["path"] = os.path.relpath(root.parent / str(f["path"]), root)
    return statistics.median(walls), statistics.median(cpus), found


def known_false_positive(root: Path, finding: dict[str, object]) -> bool:
    line = (root / str(finding["path"])).read_text(encoding="utf-8").split("\n")[int(str(finding["line"])) - 1]
    if finding["rule"] == "no-exclamation-question-mark" and line.lstrip().startswith("!!!"):
        return True
    return finding["rule"] == "no-mix-dearu-desumasu" and re.match(r"\s*(?:[-*+]|\d+[.)])\s", line) is not None


def compare(root: Path, textlint: list[dict[str, object]], kb: list[dict[str, object]]) -> None:
    theirs = [f for f in textlint if f["rule"] in SHARED]
    fps = [f for f in theirs if known_false_positive(root, f)]
    theirs = [f for f in theirs if not known_false_positive(root, f)]
    ours = Counter((f["path"], f["line"], f["rule"]) for f in kb if f["rule"] in SHARED.values())
    pool = ours.copy()
    missed = []
    for f in theirs:
        line, rule = int(str(f["line"])), SHARED[str(f["rule"])]
        hit = next(((f["path"], line + d, rule) for d in (0, -1, 1, -2, 2) if pool[(f["path"], line + d, rule)] > 0),
                   None)
        if hit is None:
            missed.append(f)
        else:
            pool[hit] -= 1
    extra = [key for key, n in pool.items() for _ in range(n)]
    share = 100 * (len(theirs) - len(missed)) / max(1, len(theirs))
    print(f"shared rules: textlint {len(theirs)} findings (+{len(fps)} known false positives left out), "
          f"kb check reports {len(theirs) - len(missed)} of them ({share:.1f}%); "
          f"kb check only: {len(extra)}")
    by_rule = Counter(str(f["rule"]) for f in theirs)
    missed_by_rule = Counter(str(f["rule"]) for f in missed)
    for rule, n in sorted(by_rule.items()):
        print(f"  {rule:32} textlint {n:5}  kb {n - missed_by_rule[rule]:5}")
    for f in missed[:6]:
        print(f"  textlint only: {f['path']}:{f['line']} {f['rule']}: {str(f['message']).splitlines()[0]}")
    for where, at, which in extra[:6]:
        print(f"  kb check only: {where}:{at} {which}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--kb-runs", type=int, default=3, help="Runs of kb check (the median is reported).")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                    / "csops-bench" / "textlint")
    args = ap.parse_args()
    cli = install(args.cache)
    if cli is None:
        return
    with tempfile.TemporaryDirectory(prefix="csops-kb-vs-textlint-") as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        shutil.copy(ROOT / "kb" / "kb.yaml", root / "kb.yaml")
        shutil.copytree(ROOT / "kb" / "images", root / "images")
        kb_corpus.generate(root, args.articles)
        seed(root)
        load_before = os.getloadavg()
        kb_s, kb_cpu, kb_found = run_kb(root, max(1, args.kb_runs))
        tl_s, tl_cpu, tl_found = run_textlint(cli, args.cache, root / "articles")
        load_after = os.getloadavg()
        print(f"{args.articles} articles: kb check {kb_s:.2f} s ({kb_cpu:.2f} s CPU, median of {args.kb_runs}; "
              f"{len(kb_found)} findings), textlint {tl_s:.2f} s ({tl_cpu:.2f} s CPU; {len(tl_found)} findings): "
              f"kb check is {tl_s / kb_s:.1f}× as fast ({tl_cpu / kb_cpu:.1f}× less CPU)")
        print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in load_before)} before, "
              f"{' '.join(f'{x:.2f}' for x in load_after)} after; {os.cpu_count()} cores")
        compare(root, tl_found, kb_found)


if __name__ == "__main__":
    main()
