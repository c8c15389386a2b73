"""kb check --variants: 表記ゆれ found across the knowledge base without anyone listing the pair."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kb.helpers import ROOT, article, make_kb, run

pytest.importorskip("fugashi", reason="the ja extra (make test installs it)")
NO_TERMS = ("swap: {ユーザ: ユーザー, サーバ: サーバー, 出来ます: できます, 下さい: ください, e-mail: email}",
            "swap: {e-mail: email}")  # the team's own list would find these pairs: --variants must without it


def _variants(root: Path, *args: str) -> list[dict[str, object]]:
    result = run(root, "check", "--variants", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return [f for f in json.loads(result.stdout) if f["rule"] == "variants"]


def test_two_articles_writing_server_two_ways(tmp_path: Path) -> None:
    root = make_kb(tmp_path, NO_TERMS)
    a = article(root, "サーバの設定を確認します。", rel="admin/users/a.md")
    article(root, "サーバーを再起動します。サーバーの状態を確認します。", rel="admin/users/b.md")
    found = _variants(root)
    assert [(f["path"], f["line"], f["col"]) for f in found] == [("kb/articles/admin/users/a.md", 7, 1)]
    assert found[0]["message"] == ("表記ゆれ: 「サーバ」（1件）と「サーバー」（2件）。"
                                   "ナレッジベースで多い「サーバー」に揃えます")
    assert found[0]["level"] == "warning"
    assert found[0]["fix"] == {"line": 7, "col": 1, "end_col": 4, "text": "サーバー"}
    assert not [f for f in json.loads(run(root, "check", "--format", "json").stdout) if f["rule"] == "variants"]
    # the counts are the whole knowledge base's, whatever is checked; findings only on what is checked
    assert _variants(root, str(root / "articles/admin/users/b.md")) == []
    assert len(_variants(root, str(a))) == 1


def test_variants_are_spellings_of_one_word_not_related_words(tmp_path: Path) -> None:
    root = make_kb(tmp_path, NO_TERMS)
    article(root, "問合せは窓口で受け付けます。設定を行います。分かる範囲で記入して下さい。無料で使います。"
                  "取消しの手続きです。", rel="admin/users/a.md")
    article(root, "問い合わせの前に確認します。問い合わせ先はこちらです。管理者が行えます。"
                  "わかる範囲で記入してください。全員が使えます。ログインしてください。"
                  "取り消しは管理画面から行います。取り消しの手順です。", rel="admin/users/b.md")
    got = {str(f["message"]).split("。")[0] for f in _variants(root)}
    assert "表記ゆれ: 「問合せ」（1件）と「問い合わせ」（2件）" in got
    assert "表記ゆれ: 「取消し」（1件）と「取り消し」（2件）" in got
    assert any("「下さる」" in m for m in got)  # 下さい and ください: one verb, counted by its dictionary form
    assert not any("使え" in m or "行え" in m for m in got), got  # potential forms are other words, not spellings
    inflected = next(f for f in _variants(root) if "下さる" in str(f["message"]))
    assert "fix" not in inflected  # an inflected form is not rewritten blindly


def test_variants_need_the_ja_extra(tmp_path: Path) -> None:
    root = make_kb(tmp_path)
    article(root, "サーバーの設定です。")
    block = ("import sys\nclass B:\n    def find_spec(self, name, path=None, target=None):\n"
             "        if name == 'fugashi':\n            raise ImportError('blocked')\n"
             "sys.meta_path.insert(0, B())\nfrom csops.kb_cli import main\n"
             f"sys.argv = ['kb', '--root', {str(root)!r}, 'check', '--variants']\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 69 and "pip install 'csops[ja]'" in proc.stderr
