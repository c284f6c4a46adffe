"""Writes the foreign-file corpus: Arrow and Parquet files as other tools
write them (pyarrow, polars), for the loader's tests.

    python3 tests/python/make_foreign_files.py tests/files/foreign

The files are committed; this script documents how they were made and
remakes them. Each file is small. Names say what is inside.
"""

import datetime
import decimal
import pathlib
import sys

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq


def write(path, table, stream=False, **options):
    opts = ipc.IpcWriteOptions(**options)
    if stream:
        with ipc.new_stream(path, table.schema, options=opts) as w:
            w.write_table(table)
    else:
        with ipc.new_file(path, table.schema, options=opts) as w:
            w.write_table(table)


def every_type(rows):
    """A table of every column type the lab reads, `rows` rows, with nulls."""
    base = datetime.datetime(2024, 3, 31, 0, 30)
    pick = lambda values: [values[i % len(values)] if i % 4 != 3 else None for i in range(rows)]
    return pa.table(
        {
            "int": pa.array(pick([1, -2, 3]), pa.int64()),
            "float": pa.array(pick([1.5, -0.25, 1e9]), pa.float64()),
            "text": pa.array(pick(["Skatteverket", "län", "Å"]), pa.string()),
            "large_text": pa.array(pick(["a", "bb"]), pa.large_string()),
            "dict": pa.array(pick(["kommun", "län"]), pa.string()).dictionary_encode(),
            "flag": pa.array(pick([True, False]), pa.bool_()),
            "day": pa.array(pick([datetime.date(2024, 1, 1), datetime.date(1999, 12, 31)]), pa.date32()),
            "at_utc": pa.array(pick([base, base + datetime.timedelta(hours=2)]), pa.timestamp("ms", tz="UTC")),
            "at_stockholm": pa.array(pick([base, base + datetime.timedelta(hours=2)]), pa.timestamp("ms", tz="Europe/Stockholm")),
            "at_offset": pa.array(pick([base]), pa.timestamp("s", tz="+01:00")),
            "at_naive": pa.array(pick([base, base + datetime.timedelta(microseconds=1500)]), pa.timestamp("us")),
            "at_ns": pa.array(pick([base]), pa.timestamp("ns", tz="America/New_York")),
            "amount": pa.array(pick([decimal.Decimal("1909.69"), decimal.Decimal("-0.05")]), pa.decimal128(10, 2)),
            "wait": pa.array(pick([1500, 60_000]), pa.duration("ms")),
            "blob": pa.array(pick([b"\x00\x01", b"xyz"]), pa.binary()),
        }
    )


def main(out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    full = every_type(12)
    empty = every_type(0)
    write(out / "pyarrow_every_type.arrow", full)
    write(out / "pyarrow_every_type_zstd.arrow", full, compression="zstd")
    write(out / "pyarrow_every_type_lz4.arrows", full, stream=True, compression="lz4")
    write(out / "pyarrow_zero_rows.arrow", empty)
    write(out / "pyarrow_zero_rows.arrows", empty, stream=True)
    write(out / "pyarrow_zero_rows_zstd.arrow", empty, compression="zstd")
    # One column at a time with zero rows: each type alone.
    for name in ["dict", "at_stockholm", "text", "int"]:
        write(out / f"pyarrow_zero_rows_{name}.arrow", empty.select([name]))
    views = pa.table(
        {
            "name": pa.array(["Skatteverket", None, "a string longer than twelve bytes"], pa.string_view()),
            "bytes": pa.array([b"x", None, b"a binary longer than twelve bytes"], pa.binary_view()),
            "n": pa.array([1, 2, None], pa.int32()),
        }
    )
    write(out / "pyarrow_views.arrow", views)
    write(out / "pyarrow_views_zstd.arrow", views, compression="zstd")
    write(out / "pyarrow_views_zero_rows.arrow", views.slice(0, 0))
    try:
        import polars as pl
    except ImportError:
        pl = None
    if pl is not None:
        df = pl.DataFrame(
            {
                "myndighet": ["Skatteverket", "Kriminalvården", None],
                "fte": [10_000.5, 12_000.25, None],
                "year": [2024, 2024, 2023],
            }
        )
        df.write_ipc(out / "polars_default.arrow")
        df.write_ipc(out / "polars_zstd.arrow", compression="zstd")
        df.write_ipc(out / "polars_lz4.arrow", compression="lz4")
        df.head(0).write_ipc(out / "polars_zero_rows.arrow")
    # Nested types the lab does not read: refused by the column's name.
    nested = pa.table(
        {
            "id": pa.array([1, 2], pa.int32()),
            "tags": pa.array([["a", "b"], []], pa.list_(pa.string())),
        }
    )
    write(out / "pyarrow_list_column.arrow", nested)
    write(
        out / "pyarrow_struct_column.arrow",
        pa.table({"place": pa.array([{"lat": 59.3, "lon": 18.1}], pa.struct([("lat", pa.float64()), ("lon", pa.float64())]))}),
    )
    # A table of 10,000 rows in several batches, zstd: buffers past a frame.
    many = pa.table({"i": pa.array(range(10_000), pa.int32()), "s": pa.array([f"rad {i}" for i in range(10_000)])})
    with ipc.new_file(out / "pyarrow_batches_zstd.arrow", many.schema, options=ipc.IpcWriteOptions(compression="zstd")) as w:
        for batch in many.to_batches(max_chunksize=3000):
            w.write_batch(batch)


    parquet_files(out, full)


def parquet_files(out, full):
    """Parquet as pyarrow writes it: each codec the browser reads and one it
    does not, dictionary
    and plain pages, both data page versions, many row groups, zero rows."""
    options = dict(row_group_size=5, data_page_size=64)
    pq.write_table(full, out / "pyarrow_every_type_snappy.parquet", compression="snappy", **options)
    pq.write_table(full, out / "pyarrow_every_type_gzip_v2.parquet", compression="gzip", use_dictionary=False, data_page_version="2.0", **options)
    pq.write_table(full, out / "pyarrow_every_type_lz4.parquet", compression="lz4", **options)
    pq.write_table(full, out / "pyarrow_every_type_plain.parquet", compression="none", use_dictionary=False)
    # zstd (polars' and DuckDB's default), which the lab inflates itself:
    # dictionary pages of version 1, and plain pages of version 2 whose
    # levels stay uncompressed before the values.
    pq.write_table(full, out / "pyarrow_every_type_zstd.parquet", compression="zstd", **options)
    pq.write_table(full, out / "pyarrow_every_type_zstd_v2.parquet", compression="zstd", use_dictionary=False, data_page_version="2.0", **options)
    # Columns of nulls and no rows, zstd: an empty frame that declares no
    # bytes, and empty column chunks.
    nulls = pa.table({"text": pa.array([None] * 5, pa.string()), "n": pa.array(range(5), pa.int64())})
    pq.write_table(nulls, out / "pyarrow_nulls_zstd.parquet", compression="zstd")
    pq.write_table(full.slice(0, 0), out / "pyarrow_zero_rows_zstd.parquet", compression="zstd")
    # Brotli: read natively; the browser names the codec.
    pq.write_table(full, out / "pyarrow_every_type_brotli.parquet", compression="brotli", **options)
    pq.write_table(full.slice(0, 0), out / "pyarrow_zero_rows.parquet")
    many = pa.table({"i": pa.array(range(10_000), pa.int32()), "s": pa.array([f"rad {i % 700}" for i in range(10_000)])})
    pq.write_table(many, out / "pyarrow_row_groups.parquet", compression="snappy", row_group_size=3000)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/files/foreign")
