"""Which accounts a run can leave alone: an evaluation is a function of what it reads, so an account whose inputs
are those its stored evaluation was made from gets the same evaluation again and plans no write.

An account's inputs, hashed (:meth:`InputsKey.of`):

- its raw facts: the Salesforce fields the rules read, its ticket aggregates, its facts from sources;
- the fields csops writes, as they are once this run's writes land (a field csops writes is an input: a person
  who sets it by hand must see it set back);
- its owner (``report.owner_field``: notifications and the report name them);
- its history points before today, when the rules read history;

and for the whole run (:func:`run_salt`): the day evaluated for, the rule files as parsed, csops's installed
version (a new one evaluates every account again), the describe of the fields written (what conforming a value
reads), ``report.churned_fact`` and a source's stale-values note.

A run stores the hash with each evaluation; the next run evaluates only the accounts whose inputs hash to
something else. csops's own writes move ``SystemModstamp`` (REFERENCE.md, "Salesforce"), so the next incremental
pull reads the accounts it wrote again: their values are those hashed, unless a person or a process changed a field
csops reads or writes since (seen, evaluated again) or the write failed (the old value, evaluated and written again).
A change to a field csops neither reads nor writes changes nothing csops would do. An evaluation that reported a
problem (a value that does not fit its field, a fact of the wrong type) stores no hash, so it is evaluated, and the
problem reported, every run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from importlib.metadata import version
from typing import Any


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()


def run_salt(rules_hash: str, today: date, describe: dict[str, dict[str, Any]], written: Iterable[str],
             churned_fact: str | None, notes: list[str]) -> bytes:
    """What every account's evaluation reads in this run besides its own inputs."""
    return _json({"csops": version("csops"), "rules": rules_hash, "day": today.isoformat(),
                  "describe": {f: describe.get(f) for f in sorted(written)}, "churned_fact": churned_fact,
                  "notes": notes})


def as_stored(value: Any, multi: bool = False) -> Any:
    """A written field's value as Salesforce keeps it, whichever way it was sent or read: a number as a float (12
    is sent, 12.0 comes back), a multi-select picklist's values as a set (sorted), so a value read back after
    csops's write hashes as the value it sent."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    if multi and isinstance(value, str):
        return ";".join(sorted({v.strip() for v in value.split(";") if v.strip()})) or None
    return value


class InputsKey:
    """Hashes an account's inputs (the module's docstring says which) under one run's salt."""

    def __init__(self, salt: bytes, written: Iterable[str], stored: dict[str, str],
                 multi: Iterable[str] = ()) -> None:
        self.salt = salt
        self.written = sorted(written)
        self.multi = frozenset(multi)  # the written fields that are multi-select picklists
        self.stored = stored  # per account, the inputs hash of its stored evaluation (store.inputs_hashes)

    def of(self, raw: dict[str, Any], sf_fields: dict[str, Any], owner: str | None, past: Any,
           writes: dict[str, Any] | None = None) -> str:
        """The hash of these inputs; ``writes``: the values this run sends (they replace the fields' values).

        Run for every account of every run, so kept cheap: the values as :func:`as_stored` has them, worked out
        inline for the common types, and the JSON text in the order the dicts have (the rules' facts, the written
        fields sorted), not sorted again; a dict read in another order (none is here) would only hash otherwise
        and be evaluated again."""
        values = {f: sf_fields.get(f) for f in self.written}
        if writes:
            values.update(writes)
        for f, v in values.items():
            if v is not None and type(v) is not float and (type(v) is not str or f in self.multi):
                values[f] = as_stored(v, f in self.multi)
        digest = hashlib.blake2b(self.salt, digest_size=16)
        digest.update(json.dumps([raw, values, owner, past], ensure_ascii=False, default=str).encode())
        return digest.hexdigest()

    def unchanged(self, account_id: str, inputs: str) -> bool:
        """True when the account's stored evaluation was made from these very inputs."""
        return self.stored.get(account_id) == inputs
