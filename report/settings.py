"""The ``report`` section of csops.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NpsSourceConfig:
    """A Salesforce object holding NPS answers (``csops nps pull``); empty object = CSV import only."""

    object: str | None = None
    account_field: str = "Account__c"
    score_field: str = "Score__c"
    date_field: str = "Answered_On__c"
    comment_field: str | None = None


@dataclass
class ReportConfig:
    targets: dict[str, float] = field(default_factory=dict)
    churned_fact: str | None = None
    owner_field: str = "OwnerId"
    recovery_days: int = 90
    account_url: str | None = None  # the account's page, with {id}: the action list links each name to it
    nps: NpsSourceConfig = field(default_factory=NpsSourceConfig)

    def problems(self, products: list[str], facts: list[str]) -> list[str]:
        """What is wrong with this section given the rule file (checked before the report is made)."""
        out = []
        if not isinstance(self.targets, dict):
            return [f"report.targets: expected a mapping of product to rate, e.g. {{勤怠管理: 0.9}}, "
                    f"got {self.targets!r}"]
        for product, rate in self.targets.items():
            if str(product) not in products:
                out.append(f"report.targets: unknown product '{product}' (products: {', '.join(products)})")
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                out.append(f"report.targets.{product}: expected a share between 0 and 1 (0.9 for 90%), got {rate!r}")
        if self.churned_fact and self.churned_fact not in facts:
            out.append(f"report.churned_fact: unknown fact '{self.churned_fact}'")
        if self.account_url is not None and not (
                self.account_url.startswith(("https://", "http://")) and "{id}" in self.account_url):
            out.append("report.account_url: expected an https:// URL with {id} where the Account Id goes, e.g. "
                       "https://acme.lightning.force.com/lightning/r/Account/{id}/view")
        if self.recovery_days < 1:
            out.append("report.recovery_days: expected a positive number of days")
        return out
