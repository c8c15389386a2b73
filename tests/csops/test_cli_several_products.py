"""An account onboarding two products (Product__c a multi-select: 勤怠管理;経費精算), end to end.

Each product is onboarded, evaluated and counted on its own: the sync writes the worst product's status to the
account's fields and one product's own to a per-product field, `rules explain` shows each product, `csops
status` counts the account under both, and the report rates each product's onboarding against its own deadline.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import yaml

from tests.conftest import RULES, Workspace
from tests.report.helpers import MONTHLY, grow_history
from tests.rules.naive import NaiveRules

PER_PRODUCT = "  Expense_Onboarding_Status__c: {value: status_label, product: 経費精算}\n"
TARGETS = {"勤怠管理": 90, "経費精算": 60}


def test_a_two_product_account_from_sync_to_report(ws: Workspace) -> None:
    rules = ws.path / "rules.yaml"
    text = RULES.read_text(encoding="utf-8") + PER_PRODUCT
    rules.write_text(text, encoding="utf-8")
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(str(RULES), str(rules)), encoding="utf-8")
    grow_history(ws)
    accounts = ws.sandbox.data.accounts
    two = sorted(i for i, a in accounts.items() if a["Product__c"] == "勤怠管理;経費精算")
    assert two

    # writeback: the worst product's status on the account, 経費精算's own on its field (README's semantics)
    naive = NaiveRules(yaml.safe_load(text), date.fromisoformat(MONTHLY[-1]))
    labels = yaml.safe_load(text)["onboarding"]["status_labels"]
    fields = {name: f["field"] for name, f in yaml.safe_load(text)["facts"].items() if "field" in f}
    worst_differs = 0
    for account_id, a in accounts.items():
        want = naive.evaluate({name: a.get(field) for name, field in fields.items()})
        per_product = {r["product"]: r["status"] for r in want.products}
        assert a["Onboarding_Status__c"] == labels[want.status], account_id
        assert a["Expense_Onboarding_Status__c"] == (labels[per_product["経費精算"]] if "経費精算" in per_product
                                                     else None), account_id
        worst_differs += account_id in two and per_product["勤怠管理"] != per_product["経費精算"]
    assert worst_differs  # some two-product account has products in different states

    # rules explain: each product with its own status, deadline and phases
    account = two[0]
    explained = ws.cli("rules", "explain", account)
    assert explained.exit_code == 0, explained.output
    out = explained.stdout
    assert "product: 勤怠管理;経費精算" in out and "(the worst of its 2 products)" in out
    start = date.fromisoformat(accounts[account]["Contract_Start_Date__c"])
    for product, days in TARGETS.items():
        assert f"\nproduct {product}: " in out
        assert f"deadline {(start + timedelta(days=days)).isoformat()}" in out
    assert out.count("phases:") == 2
    stored = json.loads(ws.cli("rules", "explain", account, "--json").stdout)
    assert [p["product"] for p in stored["products"]] == ["勤怠管理", "経費精算"]

    # status: the account under each of its products
    funnel = ws.json("status")["funnel"]
    assert sum(funnel["経費精算"].values()) == sum(1 for a in accounts.values() if "経費精算" in a["Product__c"])

    # report: each product's onboarding against its own deadline, recounted from the sandbox's data
    rep = json.loads(ws.cli("report", "--format", "json", "--by", "product", "--from", MONTHLY[0],
                            "--to", MONTHLY[-1]).stdout)
    received: Counter[str] = Counter()
    due: Counter[str] = Counter()
    for a in accounts.values():
        started = date.fromisoformat(a["Contract_Start_Date__c"])
        for product in a["Product__c"].split(";"):
            if product in TARGETS and MONTHLY[0] <= a["Contract_Start_Date__c"] <= MONTHLY[-1]:
                received[product] += 1
            if product in TARGETS and MONTHLY[0] <= (started + timedelta(days=TARGETS[product])).isoformat() \
                    <= MONTHLY[-1]:
                due[product] += 1
    cohorts, by_due = Counter[str](), Counter[str]()
    for c in rep["completion"]["cohorts"]:
        cohorts[c["segment"]] += c["received"]
    for d in rep["completion"]["due"]:
        by_due[d["segment"]] += d["due"]
    assert cohorts == received and by_due == due
    history = ws.store_rows(f"SELECT product, COUNT(*) FROM product_history WHERE account_id = '{account}' "
                            "GROUP BY product")
    assert {p for p, _ in history} == {"勤怠管理", "経費精算"}
