"""Parquet files written by other tools open in the lab with the values
pyarrow reads from them: every codec, dictionary and plain pages, version 1
and 2 data pages, nulls, many row groups and pages, the column types the
lab reads. `datalabb convert` reads a file with the same loader (and the
same checks) as the browser and writes it as Arrow, which is compared here.
Damaged files get a message, never a crash.

DATALABB_CLI is the command.
"""

import datetime
import decimal
import os
import random
import subprocess

import duckdb
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest

CLI = os.environ.get("DATALABB_CLI", "target/debug/datalabb")


def table(rows=3000, seed=7):
    rng = random.Random(seed)

    def maybe(v):
        return None if rng.random() < 0.1 else v

    names = ["Skatteverket", "Kriminalvården", "Åklagarmyndigheten", "Ö", "", "名前", "a'b\"c"]
    return pa.table({
        "i8": pa.array([maybe(rng.randint(-128, 127)) for _ in range(rows)], pa.int8()),
        "i16": pa.array([maybe(rng.randint(-30000, 30000)) for _ in range(rows)], pa.int16()),
        "i32": pa.array([maybe(rng.randint(-2**31, 2**31 - 1)) for _ in range(rows)], pa.int32()),
        "i64": pa.array([maybe(rng.randint(-2**63, 2**63 - 1)) for _ in range(rows)], pa.int64()),
        "u32": pa.array([maybe(rng.randint(0, 2**32 - 1)) for _ in range(rows)], pa.uint32()),
        "f32": pa.array([maybe(rng.uniform(-1e6, 1e6)) for _ in range(rows)], pa.float32()),
        "f64": pa.array([maybe(rng.choice([rng.gauss(0, 1e9), float("nan"), float("inf"), -0.0, 5e-324])) for _ in range(rows)], pa.float64()),
        "text": pa.array([maybe(rng.choice(names) + str(rng.randint(0, 50))) for _ in range(rows)], pa.string()),
        "unique": pa.array([f"row {i} " + "x" * rng.randint(0, 40) for i in range(rows)], pa.large_string()),
        "category": pa.array([maybe(rng.choice(names)) for _ in range(rows)]).dictionary_encode(),
        "flag": pa.array([maybe(rng.random() < 0.5) for _ in range(rows)], pa.bool_()),
        "day": pa.array([maybe(datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randint(0, 60000))) for _ in range(rows)], pa.date32()),
        "at": pa.array([maybe(rng.randint(-2**40, 2**40)) for _ in range(rows)], pa.timestamp("us", tz="UTC")),
        "local": pa.array([maybe(rng.randint(0, 2**40)) for _ in range(rows)], pa.timestamp("ms")),
        "offset": pa.array([maybe(rng.randint(0, 2**31)) for _ in range(rows)], pa.timestamp("s", tz="+01:00")),
        "amount": pa.array([maybe(decimal.Decimal(rng.randint(-10**12, 10**12)) / 100) for _ in range(rows)], pa.decimal128(18, 2)),
    })


def convert(path, tmp_path):
    out = tmp_path / "out.arrow"
    done = subprocess.run([CLI, "convert", str(path), "--out", str(out)], capture_output=True, text=True)
    return done, (ipc.open_file(out).read_all() if done.returncode == 0 else None)


def values(column):
    out = []
    for v in column.to_pylist():
        if isinstance(v, float) and v != v:
            out.append("NaN")
        elif isinstance(v, datetime.datetime):
            out.append(v.replace(tzinfo=None).isoformat())
        else:
            out.append(v)
    return out


def assert_same(lab, want):
    assert lab.column_names == want.column_names
    assert lab.num_rows == want.num_rows
    for name in want.column_names:
        # The same type (a timestamp's zone too), and the same values.
        assert lab.schema.field(name).type == want.schema.field(name).type, name
        assert values(lab.column(name)) == values(want.column(name)), name


@pytest.mark.parametrize("codec", ["none", "snappy", "gzip", "lz4", "zstd", "brotli"])
@pytest.mark.parametrize("pages", ["dictionary-v1", "plain-v2"])
def test_pyarrow_files_read_as_pyarrow_reads_them(tmp_path, codec, pages):
    path = tmp_path / "t.parquet"
    dictionary = pages.startswith("dictionary")
    pq.write_table(
        table(), path, compression=codec, use_dictionary=dictionary,
        data_page_version="1.0" if pages.endswith("v1") else "2.0",
        row_group_size=700, data_page_size=4096,
    )
    assert pq.ParquetFile(path).metadata.num_row_groups > 3
    done, lab = convert(path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert_same(lab, pq.read_table(path))


@pytest.mark.parametrize("codec", ["none", "snappy", "gzip", "lz4", "zstd", "brotli"])
@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_columns_of_nulls_and_files_of_no_rows_read_as_pyarrow_reads_them(tmp_path, codec, version):
    # A column of nulls has a dictionary of no values (an empty zstd frame
    # declaring 0 bytes), and a file of no rows has empty column chunks.
    t = pa.table({
        "text": pa.array([None] * 5, pa.string()),
        "n": pa.array([1, 2, 3, 4, 5], pa.int64()),
        "x": pa.array([None] * 5, pa.float64()),
    })
    for name, written in [("nulls", t), ("empty", t.slice(0, 0))]:
        path = tmp_path / f"{name}.parquet"
        pq.write_table(written, path, compression=codec, data_page_version=version)
        done, lab = convert(path, tmp_path)
        assert done.returncode == 0, (name, done.stderr)
        assert_same(lab, pq.read_table(path))


def test_narrow_dictionary_keys_over_row_groups_of_other_values(tmp_path):
    # pandas' categoricals are written with 8-bit keys. Each row group here
    # holds 100 values of its own, 200 in all, more than 8-bit keys count:
    # the lab reads the column with 32-bit keys and the same values.
    groups = []
    for g in range(2):
        keys = pa.array([i % 100 if i % 11 else None for i in range(300)], pa.int8())
        names = pa.array([f"kategori {g}-{i}" for i in range(100)])
        groups.append(pa.table({
            "kategori": pa.DictionaryArray.from_arrays(keys, names),
            "n": pa.array(range(300), pa.int64()),
        }))
    path = tmp_path / "categories.parquet"
    pq.write_table(pa.concat_tables(groups), path, row_group_size=300)
    assert pq.ParquetFile(path).metadata.num_row_groups == 2
    done, lab = convert(path, tmp_path)
    assert done.returncode == 0, done.stderr
    want = pq.read_table(path)
    assert want.schema.field("kategori").type == pa.dictionary(pa.int8(), pa.string())
    assert lab.schema.field("kategori").type == pa.dictionary(pa.int32(), pa.string())
    for name in ["kategori", "n"]:
        assert values(lab.column(name)) == values(want.column(name)), name


def test_files_without_an_arrow_schema_and_from_duckdb_read_the_same(tmp_path):
    # Without pyarrow's stored Arrow schema the reader takes the types from
    # Parquet's own (text, dates, instants, decimals).
    bare = tmp_path / "bare.parquet"
    pq.write_table(table(800), bare, store_schema=False, row_group_size=300)
    done, lab = convert(bare, tmp_path)
    assert done.returncode == 0, done.stderr
    assert_same(lab, pq.read_table(bare))
    written = tmp_path / "duckdb.parquet"
    con = duckdb.connect()
    con.sql(
        "SELECT i AS n, i * 1.5 AS x, 'name ' || (i % 17) AS name, DATE '2020-01-01' + (i % 400)::INTEGER AS day, "
        "CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END AS flag FROM range(50000) t(i)"
    ).write_parquet(str(written), compression="zstd")
    done, lab = convert(written, tmp_path)
    assert done.returncode == 0, done.stderr
    assert_same(lab, pq.read_table(written))


def test_a_nested_column_is_refused_by_name(tmp_path):
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"ok": [1, 2], "tags": [[1, 2], [3]]}), path)
    done, _ = convert(path, tmp_path)
    assert done.returncode == 1, done.stderr
    assert 'column "tags"' in done.stderr and "does not read" in done.stderr


@pytest.mark.parametrize("codec", ["snappy", "zstd"])
def test_damaged_files_get_a_message_never_a_crash(tmp_path, codec):
    # zstd pages are inflated by the lab before the reader sees them.
    path = tmp_path / "t.parquet"
    pq.write_table(table(600), path, compression=codec, row_group_size=200, data_page_size=2048)
    good = path.read_bytes()
    rng = random.Random(3)
    broken = [good[:0], good[:4], good[:len(good) // 2], good[:-1], b"PAR1" + b"\0" * 64 + b"PAR1"]
    # The footer's length made too large; then random bytes flipped and
    # runs of bytes overwritten, in the footer and in the pages.
    broken.append(good[:-8] + (len(good) * 2).to_bytes(4, "little") + b"PAR1")
    for _ in range(160):
        data = bytearray(good)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data) - 8) if rng.random() < 0.5 else rng.randrange(max(4, len(data) - 400), len(data) - 8)
            data[at] = rng.randrange(256) if rng.random() < 0.7 else rng.choice([0, 0x7F, 0xFF])
        broken.append(bytes(data))
    messages = set()
    for i, data in enumerate(broken):
        path.write_bytes(data)
        out = tmp_path / "out.arrow"
        done = subprocess.run([CLI, "convert", str(path), "--out", str(out)], capture_output=True, text=True, timeout=60)
        assert "panicked" not in done.stderr, (i, done.stderr)
        assert done.returncode in (0, 1), (i, done.returncode, done.stderr)
        if done.returncode == 1:
            messages.add(done.stderr.split("t.parquet: ", 1)[-1].strip()[:60])
    assert any("cut short" in m for m in messages), messages
    assert any("damaged" in m for m in messages), messages
    print(f"\n{len(broken)} damaged files, {len(messages)} kinds of message: {sorted(messages)[:8]}")


def test_datalabb_run_decodes_only_the_columns_its_steps_read(tmp_path):
    """A catalog whose dataset is a Parquet file with one column's pages
    damaged: an analysis that does not read that column runs (its pages
    are neither checked nor decoded); one that reads it gets the message."""
    import hashlib
    import json

    t = pa.table({
        "a": pa.array(range(1000), pa.int64()),
        "b": pa.array([i * 7919 % 1000 for i in range(1000)], pa.int64()),
        "c": pa.array([f"rad {i}" for i in range(1000)]),
    })
    path = tmp_path / "data" / "t.parquet"
    path.parent.mkdir()
    pq.write_table(t, path, compression="snappy", use_dictionary=False)
    chunk = pq.ParquetFile(path).metadata.row_group(0).column(1)
    data = bytearray(path.read_bytes())
    end = chunk.data_page_offset + chunk.total_compressed_size
    for i in range(end - 40, end):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    sha = hashlib.sha256(bytes(data)).hexdigest()
    catalog = {
        "format": "datalabb-catalog", "version": 1,
        "datasets": [{
            "id": "damaged", "title": {"sv": "Skadad", "en": "Damaged"},
            "description": {"sv": "En kolumn skadad.", "en": "One column damaged."},
            "sources": [{"name": "test", "url": "https://example.org/"}],
            "licence": {"name": "CC0 1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
            "versions": [{
                "sha256": sha, "url": "t.parquet", "rows": 1000, "bytes": len(data),
                "columns": [{"name": n, "type": ty, "description": {"sv": n, "en": n}} for n, ty in (("a", "Int64"), ("b", "Int64"), ("c", "Utf8"))],
            }],
        }],
    }
    (path.parent / "catalog.json").write_text(json.dumps(catalog))

    def run(steps):
        recipe = tmp_path / "r.json"
        recipe.write_text(json.dumps({"v": 1, "inputs": [{"name": "t", "dataset": "damaged", "sha256": sha}], "steps": steps}))
        out = tmp_path / "out.arrow"
        done = subprocess.run([CLI, "run", str(recipe), "--data", str(path.parent), "--out", str(out)], capture_output=True, text=True)
        return done, (ipc.open_file(out).read_all() if done.returncode == 0 else None)

    done, result = run([{"op": "filter", "predicate": {"op": "compare", "column": "a", "cmp": "lt", "value": 10}}, {"op": "select", "columns": ["c", "a"]}])
    assert done.returncode == 0, done.stderr
    assert result.column("a").to_pylist() == list(range(10))
    assert result.column("c").to_pylist() == [f"rad {i}" for i in range(10)]
    for steps in ([{"op": "select", "columns": ["b"]}], []):
        done, _ = run(steps)
        assert done.returncode == 1, (steps, done.stderr)
        assert "damaged" in done.stderr, done.stderr
