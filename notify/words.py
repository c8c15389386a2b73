"""The words of messages to people, in the rule file's language (``language: ja|en``; default from its labels):
Slack headers and lines, Task descriptions. The values (labels, phase names, titles, actions) are the rule
file's own; only the words around them are here."""

from __future__ import annotations

from typing import Any

SEVERITY = {"ja": {"critical": "重大", "warning": "警告", "info": "情報"},
            "en": {"critical": "Critical", "warning": "Warning", "info": "Info"}}


def language(payload: dict[str, Any]) -> str:
    return "ja" if payload.get("language") == "ja" else "en"


def header(lang: str, new: int, counts: dict[str, int], resolved: int) -> str:
    """``csops: 3 new alerts (1 critical, 2 warning), 1 resolved``, or in Japanese ``新しいアラート 3件…``."""
    if lang == "ja":
        summary = "、".join(f"{SEVERITY['ja'][s]} {n}" for s, n in counts.items() if n)
        text = f"csops: 新しいアラート {new}件" + (f"（{summary}）" if summary else "")
        return text + (f"、解消 {resolved}件" if resolved else "")
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    text = f"csops: {new} new alert{'s' if new != 1 else ''}" + (f" ({summary})" if summary else "")
    return text + (f", {resolved} resolved" if resolved else "")


def group_title(lang: str, severity: str | None, n: int) -> str:
    if severity is None:
        return f"解消 ({n})" if lang == "ja" else f"Resolved ({n})"
    return f"{SEVERITY[lang].get(severity, severity)} ({n})"


def more(lang: str, n: int, severity: str | None) -> str:
    if lang == "ja":
        what = SEVERITY["ja"].get(severity or "", "解消")
        return f"…ほか {n}件（{what}）: `csops alerts` で一覧できます" if severity else f"…ほか解消 {n}件"
    return (f"…and {n} more ({severity}): `csops alerts` lists them all" if severity
            else f"…and {n} more resolved")


def facts(lang: str, p: dict[str, Any], owner: str | None) -> list[str]:
    """The account's state as short phrases: product, status label, phase, days overdue, owner, health."""
    ja = lang == "ja"
    out = [str(x) for x in (p.get("product"), p.get("status_label") or p.get("status")) if x]
    if p.get("phase"):
        out.append(f"{'フェーズ' if ja else 'phase'}: {p['phase']}")
    days = p.get("days_overdue")
    if isinstance(days, int | float) and days > 0:
        out.append(f"{days:g}日超過" if ja else f"{days:g} days overdue")
    if owner:
        out.append(f"{'担当' if ja else 'owner'}: {owner}")
    if p.get("health") is not None:
        out.append(f"{'ヘルス' if ja else 'health'} {health(lang, p)}")
    return out


def health(lang: str, p: dict[str, Any]) -> str:
    """``82/200 (red, -14)``: the score, its band and its change since the last history point."""
    change = p.get("health_change")
    extra = [str(x) for x in (p.get("health_band"), None if not change else f"{float(change):+g}") if x]
    shown = f"{float(p['health']):g}/{float(p.get('health_max') or 100):g}"
    return shown + (f" ({('、' if lang == 'ja' else ', ').join(extra)})" if extra else "")


def next_step(lang: str, action: str) -> str:
    return f"次の対応: {action}" if lang == "ja" else f"Next: {action}"


def task_lines(lang: str, p: dict[str, Any], name: str, alert: str, severity: str | None, first_seen: str,
               owner: str | None) -> list[str]:
    """The Description of a Task, below its title."""
    ja = lang == "ja"
    rows = [("取引先" if ja else "Account", name), ("製品" if ja else "Product", p.get("product") or "-"),
            ("オンボーディング状況" if ja else "Onboarding status", p.get("status_label") or p.get("status") or "-")]
    if p.get("phase"):
        rows.append(("フェーズ" if ja else "Phase", p["phase"]))
    days = p.get("days_overdue")
    if isinstance(days, int | float) and days > 0:
        rows.append(("超過日数" if ja else "Days overdue", f"{days:g}"))
    if p.get("health") is not None:
        rows.append(("ヘルス" if ja else "Health", health(lang, p)))
    if owner:
        rows.append(("担当" if ja else "Owner", owner))
    rows.append(("アラート" if ja else "Alert", f"{alert} ({SEVERITY[lang].get(severity or '', severity)}), "
                                              f"{'初回検知' if ja else 'first seen'} {first_seen}"))
    sep = "：" if ja else ": "
    lines = [f"{label}{sep}{value}" for label, value in rows]
    if p.get("action"):
        lines += ["", f"{'次の対応' if ja else 'Next'}{sep}{p['action']}"]
    return lines
