"""Account owners' names (Salesforce ``User.Name``), fetched once per sync for the owners seen."""

from __future__ import annotations

from typing import Any, NamedTuple

from store.connection import Database


def owner_id(fields: dict[str, Any], name: str) -> str | None:
    """The owner Id an account's stored Salesforce fields hold under ``name`` (field names are case-insensitive
    in Salesforce), None when empty."""
    value = fields[name] if name in fields else next(
        (v for k, v in fields.items() if k.lower() == name.lower()), None)
    return None if value in (None, "") else str(value)


class Owner(NamedTuple):
    id: str
    name: str | None
    fetched_on: str


class OwnerTable(Database):
    """The ``owners`` table: a User (or queue) Id and the name Salesforce gave it on the last sync that saw it."""

    def owner_names(self) -> dict[str, str]:
        """Owner Id → name, for the owners whose name is known."""
        return {o.id: o.name for o in self._rows(Owner, "SELECT id, name, fetched_on FROM owners") if o.name}

    def write_owner_names(self, names: dict[str, str | None], day: str) -> None:
        """Upsert the names fetched on ``day`` (None: Salesforce has no such User, the Id is kept as it is)."""
        self._executemany(
            "INSERT INTO owners (id, name, fetched_on) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "name = excluded.name, fetched_on = excluded.fetched_on",
            [(i, n, day) for i, n in sorted(names.items())])
