// DuckDB-Wasm in the benchmark's page: loads the star schema's Arrow files
// into tables `fact` and `dimension` and times the benchmark's queries, the
// same analyses the lab runs. Served by benches/ops.mjs from the npm
// package (no CDN); `window.duckdbBench` is what ops.mjs calls.
import * as duckdb from "@duckdb/duckdb-wasm";
import { tableFromIPC } from "apache-arrow";

/** The queries, named as the lab's analyses in benchmarks.json. */
export const QUERIES = {
  baseline: "SELECT sum(value) AS total, count(*) AS n FROM fact",
  join:
    "SELECT sum(f.value * d.weight) AS total, count(*) AS n FROM fact f " +
    "JOIN dimension d ON f.region = d.region AND f.year = d.year",
  "group-by": "SELECT region, year, count(*) AS n, sum(value) AS total FROM fact GROUP BY region, year",
  filter: "SELECT sum(value) AS total, count(*) AS n FROM fact WHERE year >= 2010",
};

let connection;

async function open(files) {
  const dist = "/nm/@duckdb/duckdb-wasm/dist";
  const worker = new Worker(`${dist}/duckdb-browser-eh.worker.js`);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(`${dist}/duckdb-eh.wasm`);
  connection = await db.connect();
  for (const [name, url] of Object.entries(files)) {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    await connection.insertArrowTable(tableFromIPC(bytes), { name });
  }
}

/** Runs query `name` once; its time in ms and its answer, summed for a
 * grouped result: { ms, rows, total, n }. */
async function run(name) {
  const started = performance.now();
  const result = await connection.query(QUERIES[name]);
  const ms = performance.now() - started;
  let total = 0;
  let n = 0;
  const totals = result.getChild("total");
  const counts = result.getChild("n");
  for (let i = 0; i < result.numRows; i++) {
    total += Number(totals.get(i));
    n += Number(counts.get(i));
  }
  return { ms, rows: result.numRows, total, n };
}

window.duckdbBench = { open, run, queries: Object.keys(QUERIES) };
