"""Every published file opens in pyarrow as the catalog describes it, and
sampled values equal the source files.

DATALABB_PUBLISHED is the publish output folder (catalog.json and the Arrow
files); DATALABB_MIRROR the folder of upstream source files.
"""

import csv
import datetime
import hashlib
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

PUBLISHED = Path(os.environ.get("DATALABB_PUBLISHED", "public/data"))
MIRROR = Path(os.environ.get("DATALABB_MIRROR", "../shared/data/raw"))

# Arrow type names as arrow-rs writes them in the catalog, as pyarrow says them.
TYPES = {
    "Utf8": pa.string(),
    "Int32": pa.int32(),
    "Int64": pa.int64(),
    "Float64": pa.float64(),
    "Boolean": pa.bool_(),
    "Date32": pa.date32(),
}


def catalog():
    return json.loads((PUBLISHED / "catalog.json").read_text(encoding="utf-8"))


def versions():
    for dataset in catalog()["datasets"]:
        for version in dataset["versions"]:
            yield pytest.param(dataset, version, id=f"{dataset['id']}@{version['sha256'][:12]}")


def latest(dataset_id):
    dataset = next(d for d in catalog()["datasets"] if d["id"] == dataset_id)
    return ipc.open_file(PUBLISHED / dataset["versions"][-1]["url"]).read_all()


def rows_where(table, **conditions):
    return [row for row in table.to_pylist() if all(row[k] == v for k, v in conditions.items())]


def source_json(name):
    return json.loads((MIRROR / "myndighetsdata" / name).read_text(encoding="utf-8"))


def test_the_catalog_lists_the_datasets():
    ids = [d["id"] for d in catalog()["datasets"]]
    assert ids == sorted(ids)
    assert {"agencies", "agency_staff", "agency_fte", "agency_staff_gender", "appropriation_letters",
            "appropriation_counts", "counties", "municipalities"} <= set(ids)


@pytest.mark.parametrize("dataset,version", list(versions()))
def test_every_version_opens_with_the_catalogs_rows_schema_and_hash(dataset, version):
    data = (PUBLISHED / version["url"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == version["sha256"]
    assert len(data) == version["bytes"]
    table = ipc.open_file(pa.BufferReader(data)).read_all()
    assert table.num_rows == version["rows"]
    assert table.schema.names == [c["name"] for c in version["columns"]]
    assert [table.schema.field(c["name"]).type for c in version["columns"]] == [TYPES[c["type"]] for c in version["columns"]]
    doc = json.loads(table.schema.metadata[b"datalabb"])
    assert doc["id"] == dataset["id"]
    assert doc["title"] == dataset["title"]
    assert doc["licence"] == dataset["licence"]
    for key in version["key_columns"]:
        assert key in table.schema.names


@pytest.mark.parametrize("dataset,version", list(versions()))
def test_every_parquet_copy_holds_the_arrow_files_table(dataset, version):
    import pyarrow.parquet as pq

    copy = version["parquet"]
    data = (PUBLISHED / copy["url"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == copy["sha256"]
    assert len(data) == copy["bytes"]
    assert pq.ParquetFile(pa.BufferReader(data)).metadata.row_group(0).column(0).compression == "SNAPPY"
    parquet = pq.read_table(pa.BufferReader(data))
    arrow = ipc.open_file(PUBLISHED / version["url"]).read_all()
    assert parquet.schema.remove_metadata() == arrow.schema.remove_metadata()
    assert parquet.equals(arrow)
    assert json.loads(parquet.schema.metadata[b"datalabb"])["id"] == dataset["id"]


def test_agencies_match_the_registers():
    esv = source_json("esv.json")
    stkt = source_json("stkt.json")
    agencies = latest("agencies")
    assert len(set(agencies.column("org_nr").to_pylist())) == agencies.num_rows
    svk = rows_where(agencies, org_nr="2021004284")[0]
    assert svk["name"] == "Affärsverket svenska kraftnät"
    assert svk["name_en"] == esv["Affärsverket svenska kraftnät"]["name_en"]
    assert svk["cofog_division"] == stkt["Affärsverket svenska kraftnät"]["cofog10"]
    assert svk["cofog_division_en"] == "Economic affairs"
    assert svk["structure"] == stkt["Affärsverket svenska kraftnät"]["structure"]
    assert svk["in_esv"] and svk["in_stkt"]
    # The universe: every valid number of ESV and Statskontoret.
    numbers = {v["org_nr"].replace("-", "") for src in (esv, stkt) for v in src.values()}
    assert {n for n in numbers if len(n) == 10} == set(agencies.column("org_nr").to_pylist())


def test_esv_staff_values_and_no_carried_forward_year():
    esv = source_json("esv.json")["Affärsverket svenska kraftnät"]
    staff = latest("agency_staff")
    assert 2026 not in set(staff.column("year").to_pylist())
    row = rows_where(staff, org_nr="2021004284", year=2024)[0]
    assert row["fte"] == esv["fte"]["2024"]
    assert row["employees"] == esv["employees"]["2024"]


def test_statskontoret_fte_values():
    stkt = source_json("stkt.json")["Affärsverket svenska kraftnät"]
    row = rows_where(latest("agency_fte"), org_nr="2021004284", year=2025)[0]
    assert row["fte"] == pytest.approx(stkt["fte"]["2025"])


def test_gender_values_and_links():
    agv = source_json("agv.json")["Affärsverket svenska kraftnät"]
    gender = latest("agency_staff_gender")
    row = rows_where(gender, name="Affärsverket svenska kraftnät", year=2025)[0]
    assert (row["total"], row["women"], row["men"]) == (agv["total"]["2025"], agv["women"]["2025"], agv["men"]["2025"])
    assert row["org_nr"] == "2021004284"


def test_letters_match_the_source():
    with open(MIRROR / "oppna-statsliggaren" / "letters.csv", encoding="utf-8", newline="") as f:
        source = list(csv.DictReader(f))
    letters = latest("appropriation_letters")
    assert letters.num_rows == len(source)
    first = next(r for r in source if r["rbid"] == "240")
    row = rows_where(letters, rbid=240)[0]
    assert row["type"] == first["type"] and row["name"] == first["name"]
    assert row["date"] == datetime.date.fromisoformat(first["date"])
    assert row["year"] == int(first["year"])
    assert row["is_amendment"] is False
    assert all(r["org_nr"] is None for r in letters.to_pylist() if r["category"] == "Anslag")


def test_counts_add_up_to_the_linked_letters():
    letters = latest("appropriation_letters").to_pylist()
    counts = latest("appropriation_counts").to_pylist()
    linked = [r for r in letters if r["org_nr"] is not None]
    assert sum(r["letters"] for r in counts) == sum(1 for r in linked if r["type"] == "Regleringsbrev")
    assert sum(r["amendments"] for r in counts) == sum(1 for r in linked if r["type"] == "Ändringsbeslut")


def test_lookup_tables_keep_leading_zeros():
    municipalities = latest("municipalities")
    row = rows_where(municipalities, municipality_code="0114")[0]
    assert row["municipality_name"] == "Upplands Väsby kommun"
    assert row["county_code"] == "01" and row["county_name"] == "Stockholms län"
    counties = latest("counties")
    assert counties.num_rows == 21
    assert all(len(code) == 2 for code in counties.column("county_code").to_pylist())


def test_entities_have_one_row_per_key_and_every_key_a_dataset_names():
    entities = latest("entities").to_pylist()
    keys = [(r["kind"], r["key"]) for r in entities]
    assert len(keys) == len(set(keys)), "one row per kind and key"
    assert {k for k, _ in keys} == {"agency", "ministry", "area", "county", "municipality"}
    known = set(keys)
    # Every key a column the catalog marks holds has its row, and that row
    # names the dataset and column among those that mention it.
    marked = 0
    for dataset in catalog()["datasets"]:
        version = dataset["versions"][-1]
        table = None
        for column in version["columns"]:
            kind = column.get("entity")
            if kind is None:
                continue
            marked += 1
            table = table or ipc.open_file(PUBLISHED / version["url"]).read_all()
            mention = f"{dataset['id']}.{column['name']}"
            for value in set(table.column(column["name"]).to_pylist()) - {None}:
                key = str(value).replace("-", "") if kind == "agency" else str(value).strip()
                assert (kind, key) in known, f"{mention}: {kind} {key} has no row"
            if dataset["id"] == "entities":
                continue  # its own links (an agency's ministry) are not mentions
            named = {r["key"] for r in entities if r["kind"] == kind and mention in (r["datasets"] or "").split("; ")}
            assert named >= {str(v) for v in table.column(column["name"]).to_pylist() if v is not None}, mention
    assert marked >= 10
    by_key = {(r["kind"], r["key"]): r for r in entities}
    jk = by_key[("agency", "2021000035")]
    assert jk["name"] == "Justitiekanslern" and jk["short_name"] == "JK"
    assert jk["ministry"] == "Justitiedepartementet" and jk["municipality"] == "0180" and jk["county"] == "01"
    assert "Riksskatteverket" in by_key[("agency", "2021005448")]["former_names"].split("; ")
    assert by_key[("municipality", "0180")]["county"] == "01"
    assert by_key[("area", "3")]["name_en"] == "Public order and safety"
    # Every agency of the register is an entity, with the register's name.
    agencies = latest("agencies").to_pylist()
    assert all(by_key[("agency", a["org_nr"])]["name"] == a["name"] for a in agencies)
    # Every agency with a city has its municipality.
    assert all(by_key[("agency", a["org_nr"])]["municipality"] for a in agencies if a["city"])
