"""The event table and the actor filters, as an analyst uses them: kg export --format csv/parquet,
kg.to_dataframe, and --actor-type / --min-relations / --linked-only / --exclude on every analysis."""

import csv
import io
import json

import pytest

import kg
from kg.cli import cli
from kg.table import COLUMNS


def run(runner, *args):
    result = runner.invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def table(runner, store, *options):
    return list(csv.DictReader(io.StringIO(run(runner, "export", "--format", "csv", "--store", store, *options))))


def test_table_csv_has_one_row_per_event_with_the_documented_columns(runner, seeds_store_path):
    text = run(runner, "export", "--format", "csv", "--store", seeds_store_path)
    assert text.splitlines()[0].split(",") == list(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(row["negated"] == "False" and row["hypothetical"] == "False" for row in rows)
    blinken = [r for r in rows if r["source_person"] == "Antony Blinken"]
    assert blinken and {(r["source"], r["source_country"]) for r in blinken} == {("United_States", "USA")}
    assert all(r["date"].startswith("2023") and r["doc"] and r["evidence"] for r in rows)


def test_table_mentions_include_what_did_not_happen(seeds_store):
    from kg.table import event_table

    events, mentions = event_table(seeds_store), event_table(seeds_store, count="mentions")
    assert len(mentions) > len(events)
    assert any(r["negated"] or r["hypothetical"] for r in mentions)
    assert not any(r["negated"] or r["hypothetical"] for r in events)


def test_table_parquet_and_dataframe_agree_with_the_csv(runner, seeds_store_path, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    run(runner, "export", "--format", "parquet", "-o", tmp_path / "events.parquet", "--store", seeds_store_path)
    from_parquet = pd.read_parquet(tmp_path / "events.parquet")
    frame = kg.to_dataframe(seeds_store_path)
    assert list(frame.columns) == list(COLUMNS) == list(from_parquet.columns)
    assert len(frame) == len(from_parquet) == len(table(runner, seeds_store_path))
    assert frame["goldstein"].dtype == "float64" and from_parquet["negated"].dtype == bool
    assert frame.groupby("type").size()["ACCUSE"] > 0


def test_table_jsonl_carries_the_table_fields(runner, seeds_store_path):
    line = json.loads(run(runner, "export", "--format", "jsonl", "--store", seeds_store_path).splitlines()[0])
    assert {"date", "title", "url", "goldstein", "trigger", "background"} <= set(line)
    assert line["source"]["country"] in ("RUS", "ARM", "AZE", "USA", None)


@pytest.mark.parametrize("options, check", [
    (["--actor-type", "State"], lambda r: r["source_type"] == r["target_type"] == "State"),
    (["--actor-type", "organization"], lambda r: r["source_type"] == r["target_type"] == "Organization"),
    (["--exclude", "Moscow"], lambda r: "Russia" not in (r["source"], r["target"])),
    (["--linked-only"], lambda r: r["source"] != "West" and r["target"] != "West"),
])
def test_table_actor_filters(runner, seeds_store_path, options, check):
    every = table(runner, seeds_store_path)
    rows = table(runner, seeds_store_path, *options)
    assert 0 < len(rows) < len(every) or (options[-1] == "organization" and len(rows) < len(every))
    assert all(check(r) for r in rows)


def test_table_min_relations_holds_for_every_actor_left(runner, seeds_store_path):
    rows = table(runner, seeds_store_path, "--min-relations", "5")
    counts = {}
    for r in rows:
        for end in {r["source"], r["target"]}:
            counts[end] = counts.get(end, 0) + 1
    assert rows and min(counts.values()) >= 5
    assert len({r["source"] for r in table(runner, seeds_store_path)} | {r["target"] for r in table(
        runner, seeds_store_path)}) > len(counts)


def test_table_filters_shape_every_analysis(runner, seeds_store_path):
    central = json.loads(run(runner, "central", "--format", "json", "--exclude", "Russia", "--store", seeds_store_path))
    assert central and all(row["actor"] != "Russia" for row in central)
    blocs = run(runner, "alliances", "--actor-type", "State", "--store", seeds_store_path)
    assert "Collective Security Treaty Organization" not in blocs


@pytest.mark.parametrize("options, message", [
    (["--format", "ttl", "--linked-only"], "exports the whole store"),
    (["--format", "csv", "--actor-type", "Country"], "unknown actor type 'Country'"),
    (["--format", "csv", "--exclude", "Atlantis"], "Atlantis"),
    (["--format", "parquet"], "needs -o FILE"),
])
def test_table_bad_options_are_one_line(runner, seeds_store_path, options, message):
    result = runner.invoke(cli, ["export", *options, "--store", str(seeds_store_path)])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_table_events_name_their_mentions(runner, seeds_store_path):
    events = table(runner, seeds_store_path)
    mentions = table(runner, seeds_store_path, "--count", "mentions")
    assert len(mentions) > len(events)
    # background told with a date ("last week") is an event of its own, joined to no event of the day
    assert all(bool(row["event"]) == (row["background"] == "False") for row in events)
    assert sum(int(row["mentions"]) for row in events if row["event"]) == sum(
        1 for row in mentions if row["negated"] == row["hypothetical"] == "False" and row["event"])
    grouped = [row for row in events if int(row["mentions"]) > 1]
    assert grouped and all(sum(m["event"] == row["event"] for m in mentions) == int(row["mentions"]) for row in grouped)


def test_table_actors_filter_and_sort(runner, seeds_store_path):
    rows = json.loads(run(runner, "actors", "--type", "state", "--linked-only", "--min-relations", "5",
                          "--sort", "relations", "--format", "json", "--store", seeds_store_path))
    assert rows and all(r["type"] == "State" and r["wikidata"] and r["relations"] >= 5 for r in rows)
    assert [r["relations"] for r in rows] == sorted((r["relations"] for r in rows), reverse=True)
    assert all(0 < r["events"] <= r["relations"] for r in rows)
    every = json.loads(run(runner, "actors", "--format", "json", "--store", seeds_store_path))
    assert len(every) > len(rows) and [r["events"] for r in every] == sorted((r["events"] for r in every), reverse=True)
    assert [r["actor"] for r in json.loads(run(runner, "actors", "--sort", "label", "--limit", "3", "--format", "json",
                                               "--store", seeds_store_path))] == sorted(
        (r["actor"] for r in every), key=str.casefold)[:3]
