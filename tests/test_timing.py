"""When a relation happened: the sentence's own time beats the document's date."""

import pytest

from kg.records import Document


def read(extractor, text, date="2004-05-01"):
    [story] = extractor.extract([Document("d", text, "x", date=date)])
    return {(r.source.rolled_up().label, r.type, r.target.rolled_up().label): (r.background, r.date)
            for r in story.relations if r.asserted}


@pytest.mark.parametrize("text, relation, when", [
    ("In 1996 Israel accused Syria of sponsoring attacks.", ("Israel", "ACCUSE", "Syria"), (True, "1996")),
    ("Israel and Egypt signed a peace treaty in 1979.", ("Israel", "AGREE", "Egypt"), (True, "1979")),
    ("Last year Iran threatened Iraq.", ("Iran", "THREATEN", "Iraq"), (True, "2003")),
    ("Kofi Annan received advice last month in a private meeting with Russia's foreign minister.",
     ("United Nations", "CONSULT", "Russia"), (True, "2004-04")),
    ("Kofi Annan met Russia's foreign minister last week.", ("United Nations", "CONSULT", "Russia"), (True, "2004-04-24")),
    ("In the 1990s Russia fought Chechen rebels.", ("Russia", "ASSAULT", "Chechen rebels"), (True, "1990s")),
    ("Two years ago Turkey attacked Kurdish rebels.", ("Turkey", "ASSAULT", "Kurdish rebels"), (True, None)),
    ("Russia has long backed Armenia.", ("Russia", "SUPPORT", "Armenia"), (True, None)),
    ("Since 1991 Armenia has occupied Azerbaijani land.", ("Armenia", "COERCE", "Azerbaijan"), (True, None)),
    ("Since the collapse of the Soviet Union in 1991, Armenia has relied on Russia for its support.",
     ("Russia", "AID", "Armenia"), (True, None)),
    ("Russia has shelled Georgia since Monday.", ("Russia", "ASSAULT", "Georgia"), (False, None)),
    # the day's news
    ("Israel accused Syria on Monday of sponsoring attacks.", ("Israel", "ACCUSE", "Syria"), (False, None)),
    ("Two days ago Turkey attacked Kurdish rebels.", ("Turkey", "ASSAULT", "Kurdish rebels"), (False, None)),
    ("In 2004 Israel accused Syria of sponsoring attacks.", ("Israel", "ACCUSE", "Syria"), (False, None)),
])
def test_timing_background_and_stated_dates(extractor, text, relation, when):
    assert read(extractor, text)[relation] == when


def test_timing_analyses_date_background_to_its_time_or_leave_it_out(extractor):
    from kg.analysis.signed import Filter

    text = "In 1996 Israel accused Syria of sponsoring attacks. Russia has long backed Armenia. Iran threatened Iraq."
    [story] = extractor.extract([Document("d", text, "x", date="2004-05-01")])
    kept = {r.type for r in story.relations if Filter().keeps(r, "2004-05-01")}
    assert kept == {"ACCUSE", "THREATEN"}  # the standing support has no date to be counted at
    since_2004 = {r.type for r in story.relations if Filter(since="2004").keeps(r, "2004-05-01")}
    assert since_2004 == {"THREATEN"}  # the 1996 accusation is 1996's, not this story's


def test_timing_stance_leaves_background_out_of_the_months(extractor):
    from kg.analysis.stance import stance

    text = ("Since the collapse of the Soviet Union in 1991, Armenia has relied on Russia for its support. "
            "In 1996 Russia accused Armenia of smuggling. Russia accused Armenia of sabotage on Monday.")
    [story] = extractor.extract([Document("d", text, "x", date="2004-05-01")])
    found = stance(story.relations, "Russia", "Armenia", {"d": "2004-05-01"})
    assert found.forward.counts == {"ACCUSE": 2}  # the standing support is not counted
    assert [(m.month, m.relations) for m in found.timeline] == [("2004-05", 1)]  # 1996 is not May 2004


def test_timing_background_joins_no_event_of_the_day(runner, tmp_path):
    import json

    from kg.cli import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Israel accused Syria of sponsoring attacks. In 1996 Israel accused Syria of "
                                  "sponsoring attacks.", encoding="utf-8")
    store = tmp_path / "store"
    assert runner.invoke(cli, ["build", str(corpus), "--store", str(store), "--date", "2004-05-01"]).exit_code == 0
    rows = json.loads(runner.invoke(cli, ["neighbors", "Syria", "--format", "json", "--store", str(store)]).output)
    accusations = [n for n in rows["neighbors"] if n["relation"] == "ACCUSE"]
    assert [(n["events"], n["mentions"]) for n in accusations] == [(2, 2)]  # the 1996 one is not today's


def test_timing_neighbors_leave_out_undated_background(runner, tmp_path):
    import json

    from kg.cli import cli

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia has long backed Armenia. Russia accused Azerbaijan on Monday.", encoding="utf-8")
    store = tmp_path / "store"
    assert runner.invoke(cli, ["build", str(corpus), "--store", str(store), "--date", "2004-05-01"]).exit_code == 0
    rows = json.loads(runner.invoke(cli, ["neighbors", "Russia", "--format", "json", "--store", str(store)]).output)
    assert [(n["actor"], n["relation"]) for n in rows["neighbors"]] == [("Azerbaijan", "ACCUSE")]
