"""``helpcenter-ids.yaml``: the Help Center ids of kb.yaml's categories and sections and of the articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from base.files import write_file
from kb.publish.remote import PublishError

IDS_FILE = "helpcenter-ids.yaml"

_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FAST_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class HelpCenterIds:
    """``helpcenter-ids.yaml``: the Help Center ids of categories, sections and articles, per Help Center.

    Written by publish and meant to be committed (as other publishing tools keep ids beside the source):
    it makes a rename in kb.yaml a rename on the Help Center, and recognises an article whose marker was
    removed.  Without it (a first publish, a clone without it) names and markers are matched instead.

    ``sent`` keeps, per article, the settings csops last sent (or found already as the files say): a setting
    that differs on the Help Center from both the file and this record was changed in Guide (drift).
    """

    KINDS = ("categories", "sections", "articles")

    def __init__(self, root: Path, host: str) -> None:
        self.path, self.host = root / IDS_FILE, host
        self.all: dict[str, Any] = {}
        if self.path.exists():
            try:
                loaded = yaml.load(self.path.read_text(encoding="utf-8"), Loader=_FAST_LOADER)
            except yaml.YAMLError as exc:
                raise PublishError(f"{IDS_FILE} is not valid YAML ({exc}); fix it or delete it (publish then "
                                   "matches categories by name and articles by marker)", str(self.path)) from None
            self.all = loaded if isinstance(loaded, dict) else {}
        mine = self.all.get(host)
        self.ids: dict[str, dict[str, int]] = {
            k: {str(n): int(v) for n, v in ((mine or {}).get(k) or {}).items() if isinstance(v, int)}
            for k in self.KINDS} if isinstance(mine, dict) else {k: {} for k in self.KINDS}
        sent = mine.get("sent") if isinstance(mine, dict) else None
        self.sent: dict[str, dict[str, Any]] = {}
        for k, fields in (sent.items() if isinstance(sent, dict) else ()):
            record = _record(fields)
            if record:
                self.sent[str(k)] = record
        self.dirty = False

    def get(self, kind: str, key: str) -> int | None:
        return self.ids[kind].get(key)

    def set(self, kind: str, key: str, value: int) -> None:
        if self.ids[kind].get(key) != value:
            self.ids[kind][key] = value
            self.dirty = True

    def rename(self, kind: str, old: str, new: str) -> None:
        """``old`` is called ``new`` now (a file moved, a section renamed): its id, and an article's sent
        settings, go with it (an entry already under ``new`` is kept)."""
        value = self.ids[kind].pop(old, None)
        if value is not None:
            self.ids[kind].setdefault(new, value)
            self.dirty = True
        if kind == "articles" and old in self.sent:
            self.sent.setdefault(new, self.sent.pop(old))
            self.dirty = True

    def record(self, key: str, fields: dict[str, Any]) -> None:
        """The settings of article ``key`` now as csops sent them (or found them as the files say)."""
        mine = self.sent.setdefault(key, {})
        for name, value in fields.items():
            if mine.get(name) != value:
                mine[name] = value
                self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        self.all[self.host] = {k: dict(sorted(v.items())) for k, v in self.ids.items()}
        if self.sent:  # one JSON line per article: a thousand of them load in milliseconds, as YAML in a second
            self.all[self.host]["sent"] = {k: json.dumps(dict(sorted(v.items())), ensure_ascii=False,
                                                         separators=(",", ":"))
                                           for k, v in sorted(self.sent.items()) if v}
        _write(self.path, self.all)
        self.dirty = False


def _record(fields: Any) -> dict[str, Any]:
    """One article's sent settings as the file holds them (a JSON object, or a mapping written by hand)."""
    if isinstance(fields, str):
        try:
            fields = json.loads(fields)
        except ValueError:
            return {}
    if not isinstance(fields, dict):
        return {}
    out = {str(f): v for f, v in fields.items() if _plain(v)}
    if "user_segment_id" in out and "user_segment_ids" not in out:  # recorded before segments were compared as a list
        seg = out.pop("user_segment_id")
        out["user_segment_ids"] = [] if seg is None else [seg]
    return out


def _plain(value: Any) -> bool:
    """A value the file may hold for a setting (it is edited by hand, so anything else is dropped)."""
    if isinstance(value, list):
        return all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in value)
    return value is None or isinstance(value, (str, int, bool))


def _write(path: Path, data: dict[str, Any]) -> None:
    text = ("# Written by kb publish: Help Center ids of kb.yaml's categories and sections and of the articles,\n"
            "# per Help Center. Commit it: a rename in kb.yaml then renames on the Help Center.\n"
            + yaml.dump(data, Dumper=_FAST_DUMPER, allow_unicode=True, sort_keys=True))
    write_file(path, text)


def rename_keys(root: Path, old: tuple[str, ...], new: tuple[str, ...]) -> int:
    """``kb mv``: every entry under ``old`` (a category, a section or an article key, as parts) is named under
    ``new`` instead, for every Help Center in the file; the number of entries renamed."""
    path = root / IDS_FILE
    if not path.exists():
        return 0
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_FAST_LOADER)
    except yaml.YAMLError as exc:
        raise PublishError(f"{IDS_FILE} is not valid YAML ({exc}); fix it or delete it", str(path)) from None
    count = 0
    for kinds in (data.values() if isinstance(data, dict) else []):
        for kind, depth in (("categories", 1), ("sections", 2), ("articles", 3), ("sent", 3)):
            entries = kinds.get(kind) if isinstance(kinds, dict) else None
            if not isinstance(entries, dict) or depth < len(old):
                continue
            renamed = {}
            for key, value in entries.items():
                parts = str(key).split("/")
                if tuple(parts[:len(old)]) == old:
                    key, count = "/".join((*new, *parts[len(old):])), count + 1
                renamed[key] = value
            kinds[kind] = renamed
    if count:
        _write(path, data)
    return count
