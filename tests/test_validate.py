"""SHACL validation of a built store."""

from kg.validate import validate


def test_validate_seeds_store_conforms(seeds_store):
    report = validate(seeds_store)
    assert report.problems == []
    assert report.conforms and report.checked > 20
