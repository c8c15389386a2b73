"""The one "did you mean" (base.suggest): letter case does not count, the spelling shown is the candidate's."""

from __future__ import annotations

from base.suggest import suggest


def test_a_name_equal_but_for_case_is_proposed_as_written() -> None:
    assert suggest("product__c", ["Name", "Product__c"]) == " (did you mean 'Product__c'?)"
    assert suggest("NAME", ["Names", "Name"]) == " (did you mean 'Name'?)"  # not the closer-looking 'Names'


def test_a_misspelling_in_another_case_is_still_close() -> None:
    assert suggest("PRODCUT__C", ["Product__c", "Phase__c"]) == " (did you mean 'Product__c'?)"
    assert suggest("lease_secnds", ["url", "lease_seconds"]) == " (did you mean 'lease_seconds'?)"


def test_nothing_close_proposes_nothing() -> None:
    assert suggest("zzz", ["Product__c", "Name"]) == ""
    assert suggest("x", []) == ""
