"""The shipped rule file with the issue's health: a progress component that reads only ``status``.

A rule file csops did not write had ``- {when: "status == 'completed'", score: 1.0} …``; its component was
always dropped as "missing", so a stalled account scored 100.0 (良好) instead of 70.0 (注意). Used by the
``rules eval`` and ``sync`` tests, against the naive evaluator of the README.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "onboarding.yaml"

HEALTH = """health:
  max: 100
  components:
    - id: progress
      name: オンボーディング進捗
      weight: 50
      ladder:
        - {when: "status == 'completed'", score: 1.0}
        - {when: "status == 'on_track'", score: 0.8}
        - {when: "status == 'stalled'", score: 0.4}
        - {score: 0.1}
    - id: usage
      name: 利用率
      weight: 50
      ladder:
        - {when: "active_ratio >= 0.8", score: 1.0}
        - {when: "active_ratio >= 0.5", score: 0.6}
        - {score: 0.2}
  bands:
    - {name: 良好, min: 80}
    - {name: 注意, min: 50}
    - {name: 危険, min: 0}

"""


def status_ladder_rules() -> str:
    """The shipped rules with HEALTH in place of their health section."""
    text = SHIPPED.read_text(encoding="utf-8")
    return re.sub(r"(?ms)^health:.*?(?=^tiers:)", HEALTH, text)


def write_status_ladder_rules(folder: Path) -> tuple[Path, dict[str, object]]:
    path = folder / "status_ladder.yaml"
    text = status_ladder_rules()
    path.write_text(text, encoding="utf-8")
    return path, yaml.safe_load(text)
