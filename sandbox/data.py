"""Seeded, deterministic data: Salesforce accounts and the Zendesk orgs and tickets linked to them."""

from __future__ import annotations

import pickle
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.ticket_corpus import CORPUS, TOPICS, topic_weights

_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

PRODUCTS = ["勤怠管理", "経費精算", "Analytics"]
COMPANY_WORDS = ["さくら", "みなと", "Aozora", "ひかり", "Kitaguni", "やまと", "Nishiki", "つばさ",
                 "Hokuto", "あさひ", "Midori", "しらかば"]
COMPANY_KINDS = ["商事", "製作所", "ホールディングス", "Systems", "物流", "Foods", "建設", "Labs"]
TAGS = ["login", "csv", "setup", "billing", "sso", "api", "mobile", "permissions", "onboarding"]


def sf_id(prefix: str, n: int) -> str:
    """An 18-character Salesforce Id (15 characters plus the case-safe checksum)."""
    body = prefix + _base62(n, 15 - len(prefix))
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(body[chunk * 5:chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += _SUFFIX[bits]
    return body + suffix


def _base62(n: int, width: int) -> str:
    out = ""
    for _ in range(width):
        n, r = divmod(n, 62)
        out = _ALNUM[r] + out
    return out


def sf_datetime(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def z_datetime(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Dataset:
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    organizations: dict[int, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)


#: Each generated dataset, pickled: a test suite starts hundreds of sandboxes on the same few arguments, and
#: unpickling a fresh copy costs a tenth of generating it again. A copy, because each sandbox changes its data.
_GENERATED: dict[tuple[int, int, int, date], bytes] = {}


def generate(seed: int, n_accounts: int, n_tickets: int, today: date) -> Dataset:
    """The same data for the same arguments: one random generator drawn in a fixed order (accounts, then their
    organizations, then tickets)."""
    key = (seed, n_accounts, n_tickets, today)
    if key not in _GENERATED:
        _GENERATED[key] = pickle.dumps(_generate(*key))
    data: Dataset = pickle.loads(_GENERATED[key])
    return data


def account_records(seed: int, n_accounts: int, today: date) -> Iterator[tuple[str, dict[str, Any]]]:
    """(Id, record) of the accounts :func:`generate` makes for these arguments, one at a time (the same records:
    its generator draws the accounts first), so a store can be filled without holding them all
    (bench/sync.py --synthetic)."""
    rng = random.Random(seed)
    yield from _account_stream(rng, n_accounts, today, _created(today))


def _created(today: date) -> datetime:
    return datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=400)


def _generate(seed: int, n_accounts: int, n_tickets: int, today: date) -> Dataset:
    rng = random.Random(seed)
    ds = Dataset()
    now = datetime(today.year, today.month, today.day, tzinfo=UTC)
    created = _created(today)
    ds.accounts.update(_account_stream(rng, n_accounts, today, created))
    _organizations(ds, rng, created)
    _tickets(ds, rng, n_tickets, now)
    return ds


def _account_stream(rng: random.Random, n_accounts: int, today: date, created: datetime
                    ) -> Iterator[tuple[str, dict[str, Any]]]:
    first_product = 0
    for i in range(n_accounts):
        acc_id = sf_id("001", 1_000_000 + i * 7919)
        product = rng.choices(PRODUCTS, weights=[5, 4, 1])[0]
        if product == PRODUCTS[0]:  # one 勤怠管理 account in six onboards 経費精算 too (a multi-select value)
            first_product += 1
            if first_product % 6 == 2:
                product = f"{PRODUCTS[0]};{PRODUCTS[1]}"
        yield acc_id, _account(rng, i, acc_id, product, today, created)


def _account(rng: random.Random, i: int, acc_id: str, product: str, today: date, created: datetime
             ) -> dict[str, Any]:
    now = datetime(today.year, today.month, today.day, tzinfo=UTC)
    start = today - timedelta(days=rng.randint(-10, 150))
    age = (today - start).days

    def milestone(due: int, p_on_time: float, start: date = start, age: int = age) -> str | None:
        if age < 0:
            return None
        if rng.random() < p_on_time:
            d = start + timedelta(days=max(0, due - rng.randint(0, due)))
            return d.isoformat() if d <= today else None
        late = due + rng.randint(1, 60)
        return (start + timedelta(days=late)).isoformat() if late <= age else None

    kickoff = milestone(7, 0.9)
    setup = milestone(30, 0.7) if kickoff else None
    training = milestone(60, 0.7) if setup else None
    golive = milestone(90, 0.7) if training else None
    licensed = rng.choice([20, 50, 100, 300, 1000])
    active_users = None if rng.random() < 0.08 else round(licensed * rng.betavariate(3, 2))
    last_login = now - timedelta(days=rng.choice([0, 1, 2, 3, 5, 8, 15, 20, 40]), minutes=rng.randint(0, 900))
    stamp = created + timedelta(seconds=i * 37)
    return {
        "Id": acc_id,
        "Name": f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)} {i + 1}",
        "Type": "Customer - Direct",
        "Product__c": product,
        "Contract_Start_Date__c": start.isoformat(),
        "Kickoff_Date__c": kickoff,
        "Setup_Completed_Date__c": setup,
        "Training_Completed_Date__c": training,
        "Go_Live_Date__c": golive,
        "Last_Login__c": sf_datetime(last_login),
        "Licensed_Users__c": float(licensed),
        "Active_End_Users__c": None if active_users is None else float(active_users),
        "Active_Admins__c": float(rng.choice([0, 1, 1, 2, 3, 5])),
        "Annual_Revenue_JPY__c": float(rng.choice([600_000, 1_200_000, 3_600_000, 12_000_000, 48_000_000])),
        "Onboarding_Status__c": None,
        "Expense_Onboarding_Status__c": None,
        "Onboarding_Phase__c": None,
        "Days_Overdue__c": None,
        "Health_Score__c": None,
        "Health_Band__c": None,
        "Customer_Tier__c": None,
        "Onboarding_Alerts__c": None,
        "Evaluated_On__c": None,
        "SystemModstamp": sf_datetime(stamp),
        "LastModifiedDate": sf_datetime(stamp),
        "IsDeleted": False,
    }


def _organizations(ds: Dataset, rng: random.Random, created: datetime) -> None:
    org_id = 360_000_000_000
    acc_ids = list(ds.accounts)
    for i, acc_id in enumerate(acc_ids):
        org_id += 1
        external: str | None = acc_id
        roll = rng.random()
        if roll < 0.03:
            external = None
        elif roll < 0.05:
            external = acc_id[:10]  # malformed
        ds.organizations[org_id] = {
            "id": org_id,
            "url": f"/api/v2/organizations/{org_id}.json",
            "name": ds.accounts[acc_id]["Name"],
            "external_id": external,
            "domain_names": [f"customer{i + 1}.example.jp"],
            "tags": [],
            "organization_fields": {"salesforce_account_id": external},
            "group_id": None,
            "shared_tickets": False,
            "created_at": z_datetime(created),
            "updated_at": z_datetime(created + timedelta(seconds=i)),
            "details": "",
            "notes": "",
            "deleted_at": None,
        }


def _tickets(ds: Dataset, rng: random.Random, n_tickets: int, now: datetime) -> None:
    org_ids = list(ds.organizations)
    window = 180 * 86400
    base = now - timedelta(days=180)
    stamps = sorted(rng.randint(0, window - 3600) for _ in range(n_tickets))
    for i, offset in enumerate(stamps):
        tid = i + 1
        created_at = base + timedelta(seconds=offset)
        updated_at = created_at + timedelta(seconds=rng.randint(0, 3000))
        status = rng.choices(["new", "open", "pending", "hold", "solved", "closed", "deleted"],
                             weights=[5, 15, 8, 2, 20, 45, 2])[0]
        org = rng.choice(org_ids) if org_ids and rng.random() < 0.95 else None
        ds.tickets[tid] = make_ticket(tid, status, org, created_at, updated_at, rng)


def _text(tid: int) -> dict[str, str]:
    """Subject and description (the first comment, as the Tickets API and the cursor export carry it in
    ``description``): realistic Japanese and English text from sandbox/ticket_corpus.py, on topics the sample
    knowledge base covers and topics it does not, drawn from the ticket's own generator so the rest of the
    seeded data does not depend on it."""
    rng = random.Random(tid * 7919 + 19)
    topic = rng.choices([*TOPICS, None], weights=[*topic_weights(), 0.6])[0]
    label = topic.id if topic else f"oneoff-{rng.randrange(CORPUS.oneoffs)}"
    subject, description = CORPUS.write(label, "ja" if rng.random() < 0.75 else "en", rng)
    return {"subject": subject, "description": description}


def make_ticket(tid: int, status: str, org: int | None, created_at: datetime, updated_at: datetime,
                rng: random.Random) -> dict[str, Any]:
    gen = int(updated_at.timestamp())
    if status == "deleted":
        return {"id": tid, "status": "deleted", "updated_at": z_datetime(updated_at),
                "generated_timestamp": gen, "organization_id": org, "url": f"/api/v2/tickets/{tid}.json"}
    score = rng.choices(["unoffered", "offered", "good", "bad"], weights=[50, 20, 25, 5])[0]
    return {
        "id": tid,
        "url": f"/api/v2/tickets/{tid}.json",
        "external_id": None,
        "type": rng.choice(["question", "incident", "problem", "task", None]),
        **_text(tid),
        "priority": rng.choices(["low", "normal", "high", "urgent", None], weights=[20, 50, 15, 5, 10])[0],
        "status": status,
        "requester_id": 1000 + tid % 500,
        "organization_id": org,
        "tags": rng.sample(TAGS, k=rng.randint(0, 3)),
        "custom_fields": [],
        "satisfaction_rating": {"score": score},
        "created_at": z_datetime(created_at),
        "updated_at": z_datetime(updated_at),
        "generated_timestamp": gen,
    }
