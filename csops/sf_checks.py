"""What the rules and config ask of the Salesforce org, checked against describe (doctor, rules check).

One place for the questions both commands ask: does every named field exist (any letter case, with a
suggestion when not), can every writeback value be stored, which facts read formula fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.salesforce import FieldError, SalesforceClient
from rules.ruleset import RuleSet
from sync.fields import calculated_fields, canonical_names, canonical_rules, writeback_findings


@dataclass
class Finding:
    ok: bool
    message: str
    fix: str = ""


def salesforce_findings(client: SalesforceClient, rs: RuleSet, extra_fields: list[str]) -> list[Finding]:
    """Field existence (with suggestions), value fit of each writeback field, and formula fields read."""
    fields = list(dict.fromkeys(extra_fields + rs.salesforce_fields()))
    writeback = list(rs.writeback)
    try:
        client.check_fields(fields, writeback)
    except FieldError as exc:
        return [Finding(False, str(exc), "fix the field names in csops.yaml (salesforce.fields) or in the rules' "
                                         "facts and writeback")]
    describe = client.describe()
    canonical_rules(rs, describe)
    out = [Finding(True, f"{len(fields)} fields readable, {len(writeback)} writeback fields updateable")]
    for problem, fix in writeback_findings(rs, describe):
        out.append(Finding(False, problem, fix))
    formulas = calculated_fields(canonical_names(rs.salesforce_fields(), describe), describe)
    if formulas:
        out.append(Finding(True, f"formula fields read by the rules (re-read for every account on each run, "
                                 f"since they change without SystemModstamp): {', '.join(formulas)}"))
    return out
