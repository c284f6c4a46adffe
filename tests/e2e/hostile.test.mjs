// A hostile corpus, opened as a stranger would: files written by other
// tools (tests/files/foreign: pyarrow and polars, zstd, views, zero rows,
// time zones, nested types) and broken ones made here, then links made by
// hand (repeated features, exploding self-joins, deep filters, huge
// pivots and lists). Each opens or gets its message; the engine is never
// restarted, the dataset loaded first stays, no page error is logged.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
const desktop = { viewport: { width: 1200, height: 1000 } };
const corpus = join(import.meta.dirname, "..", "files", "foreign");
const published = process.env.DATALABB_PUBLISHED;
const catalog = JSON.parse(readFileSync(join(published, "catalog.json"), "utf8"));
const sha = (id) => catalog.datasets.find((d) => d.id === id).versions.at(-1).sha256;
const linkOf = (json) => `r1.${deflateRawSync(Buffer.from(JSON.stringify(json))).toString("base64url")}`;

/** The files: [name, bytes, null to open, or a pattern of its message]. */
function files() {
  const out = readdirSync(corpus)
    .sort()
    .map((name) => {
      const refused = {
        "pyarrow_list_column.arrow": /"tags" has type List/,
        "pyarrow_struct_column.arrow": /"place" has type Struct/,
        "pyarrow_every_type_brotli.parquet": /Parquet file is compressed with Brotli.*in the browser it reads uncompressed, Snappy, gzip, LZ4 and zstd/,
      }[name];
      return [name, readFileSync(join(corpus, name)), refused ?? null];
    });
  const every = readFileSync(join(corpus, "pyarrow_every_type_zstd.arrow"));
  const parquet = readFileSync(join(corpus, "pyarrow_every_type_snappy.parquet"));
  const wide = ["h" + Array.from({ length: 9_999 }, (_, i) => `,c${i}`).join(""), ..."1\n".repeat(50).split("\n")].join("\n");
  out.push(
    ["empty.arrow", Buffer.alloc(0), /the file is empty/],
    ["page.arrow", Buffer.from("<!doctype html><title>404</title>"), /web page/],
    ["cut.arrow", every.subarray(0, every.length >> 1), /cut short|damaged/],
    ["zip.arrow", Buffer.from("PK\x03\x04garbage"), /not an Arrow/],
    ["cut.parquet", parquet.subarray(0, parquet.length >> 1), /cut short/],
    // Damage the parquet crate panics on (found by the mutation test),
    // which the walk refuses before the reader sees it: a dictionary of no
    // values that holds bytes, and a run header of dictionary codes longer
    // than ten bytes.
    ...[
      ["parquet_text_page_without_values.parquet", /damaged: a page of column "blob" is a dictionary of no values/],
      ["parquet_long_vlq_in_codes.parquet", /damaged: a page of column "i" has a run header of dictionary codes longer than ten bytes/],
    ].map(([name, message]) => [name, readFileSync(join(import.meta.dirname, "..", "files", "hostile", name)), message]),
    ["footer.parquet", Buffer.concat([parquet.subarray(0, parquet.length - 8), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.from("PAR1")]), /damaged: the footer length/],
    ["pages.parquet", Buffer.from(parquet.map((b, i) => (i > 4 && i < 600 ? b ^ 0x5a : b))), /damaged|cut short/],
    // Flipped bytes may still make a valid file (in a name, say): it opens
    // or it is refused, and nothing else.
    ["flipped.arrow", Buffer.from(every.map((b, i) => (i > 200 && i < 400 ? b ^ 0xff : b))), /rows|damaged|cut short|not/],
    ["wide.csv", Buffer.from(wide), null],
    ["formulas.csv", Buffer.from('namn,värde\n=HYPERLINK("x"),1\n@SUM(A1),2\n'), null],
    ["bom-only.csv", Buffer.from("\ufeff"), /empty/],
    ["nul.csv", Buffer.from("a,b\n\0\0,\0\n"), /binary file, not CSV/],
    ["binary.bin", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /./],
  );
  return out;
}

test("files from other tools open, broken ones get their message, nothing restarts", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  await lab.waitForEngine("ready");
  const page = lab.page;
  await lab.openDataset("counties");
  const cases = files();
  assert.ok(cases.length >= 30, `${cases.length} files`);
  const everyType = {};
  for (const [name, buffer, refused] of cases) {
    await page.getByTestId("file-input").setInputFiles({ name, mimeType: "application/octet-stream", buffer });
    const card = page.locator(`[data-testid="dataset-page"][data-id="file:${name}"]`);
    await card.waitFor();
    const state = card.locator('[data-testid="dataset-load"][data-state="loaded"], [data-testid="dataset-error"]').first();
    await state.waitFor({ timeout: 30_000 });
    const text = await state.innerText();
    if (refused) {
      assert.match(text, refused, `${name}: ${text}`);
    } else {
      assert.match(text, /rows/, `${name}: ${text}`);
      await page.getByTestId("preview").waitFor();
      if (name.startsWith("pyarrow_every_type") && !name.endsWith(".arrows")) {
        // The same table as Arrow (zstd, plain) and as Parquet (each codec
        // the browser reads, zstd inflated by the lab, both page
        // versions): the same cells.
        const cells = JSON.stringify(await lab.previewRows());
        everyType[name] = cells;
        assert.equal(cells, Object.values(everyType)[0], `${name} differs from ${Object.keys(everyType)[0]}`);
      }
      if (name === "pyarrow_every_type.arrow" || name === "pyarrow_every_type_snappy.parquet") {
        // A named zone in its local time (the browser's rules), before and
        // after the switch to summer time that night; UTC stays UTC.
        const cells = (await lab.previewRows()).flat();
        assert.ok(cells.includes("2024-03-31T01:30:00+01:00"), cells.join(" | "));
        assert.ok(cells.includes("2024-03-31T04:30:00+02:00"), cells.join(" | "));
        assert.ok(cells.includes("2024-03-31T00:30:00Z"), cells.join(" | "));
      }
    }
    assert.equal(await lab.notice.count(), 0, `${name}: the engine restarted`);
    await page.getByTestId("back").click();
  }
  assert.ok(Object.keys(everyType).length >= 8, Object.keys(everyType).join(", "));
  assert.ok("pyarrow_every_type_zstd_v2.parquet" in everyType, Object.keys(everyType).join(", "));
  assert.match(await page.getByTestId("loaded-panel").innerText(), /counties\s+21 rows/);
  await lab.screenshot("hostile-files");
  assert.deepEqual(lab.errors, []);
  assert.deepEqual(await lab.violations(), []);
  await context.close();
});

test("a Parquet file damaged after its first rows opens, and says so when the rest is read", async () => {
  // pyarrow_row_groups.parquet: 10,000 rows in row groups of 3,000; the
  // page header of column "s" in the last row group (at byte 70,273 of
  // this committed file) overwritten. The open reads the first 1,000 rows
  // only; the summaries and a sort read the whole file and find it.
  const clean = readFileSync(join(corpus, "pyarrow_row_groups.parquet"));
  const damaged = Buffer.from(clean);
  damaged.fill(0xff, 70_273, 70_281);
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  const name = "late-damage.parquet";
  await page.getByTestId("file-input").setInputFiles({ name, mimeType: "application/octet-stream", buffer: damaged });
  const card = page.locator(`[data-testid="dataset-page"][data-id="file:${name}"]`);
  await card.locator('[data-testid="dataset-load"][data-state="loaded"]').waitFor({ timeout: 30_000 });
  assert.match(await card.getByTestId("dataset-summary").innerText(), /10\D?000 rows · 2 columns · .* in memory so far/);
  const first = await lab.previewRows();
  assert.deepEqual(first[0].slice(-2), ["0", "rad 0"]);
  const summaries = page.getByTestId("summaries").locator('[role="alert"]');
  await summaries.waitFor({ timeout: 30_000 });
  assert.match(await summaries.innerText(), /damaged.*"s"/);
  await lab.screenshot("parquet-late-damage");
  // The lab still works: the clean file opens whole on its summaries.
  await page.getByTestId("back").click();
  await page.getByTestId("file-input").setInputFiles({ name: "clean.parquet", mimeType: "application/octet-stream", buffer: clean });
  await page.locator('[data-testid="dataset-page"][data-id="file:clean.parquet"] [data-testid="summary-card"]').first().waitFor({ timeout: 30_000 });
  assert.equal(await lab.notice.count(), 0, "the engine restarted");
  assert.deepEqual(lab.errors, []);
  await context.close();
});

/** Links made by hand: [label, recipe JSON or raw link, expected message or null to run]. */
function links() {
  const input = (name, id) => ({ name, dataset: id, sha256: sha(id) });
  const staff = [input("staff", "agency_staff")];
  const letters = [input("letters", "appropriation_letters"), input("again", "appropriation_letters")];
  const recipe = (inputs, steps) => ({ v: 1, inputs, steps });
  const feature = (columns, extra = {}) => ({ features: { columns }, ...extra });
  let deep = { op: "is_null", column: "year" };
  for (let i = 0; i < 40; i++) deep = { op: "not", not: deep };
  return [
    ["garbage", "r1.%%%", /damaged/],
    ["other encoding", "r9.abc", /encoding "r9"/],
    ["huge link", `r1.${"A".repeat(1_500_000)}`, /damaged|larger/],
    ["no inputs", recipe([], []), /no input/],
    ["unknown dataset", recipe([{ name: "x", dataset: "nope", sha256: "0".repeat(64) }], []), /no dataset "nope"/],
    ["wrong version", recipe([{ name: "x", dataset: "agencies", sha256: "f".repeat(64) }], []), /has no version/],
    ["unknown step", recipe(staff, [{ op: "explode" }]), /cannot be read/],
    ["future version", { v: 99, inputs: staff, steps: [] }, /recipe version 99/],
    ["deep filter", recipe(staff, [{ op: "filter", predicate: deep }]), /nests deeper/],
    ["huge in list", recipe(staff, [{ op: "filter", predicate: { op: "in", column: "name", values: Array.from({ length: 12_000 }, (_, i) => `n${i}`) } }]), /lists 12000 values/],
    ["repeated features", recipe(staff, [{ op: "cluster", ...feature(["fte", "fte"]), method: { k_means: { k: 3 } }, name: "c" }]), /chosen twice/],
    ["too many features", recipe(staff, [{ op: "project", ...feature(Array.from({ length: 300 }, () => "fte")), components: 2, prefix: "pc" }]), /at most 256|chosen twice/],
    ["k of a million", recipe(staff, [{ op: "cluster", ...feature(["fte"]), method: { k_means: { k: 1_000_000 } }, name: "c" }]), /k must be between/],
    ["negative k", recipe(staff, [{ op: "cluster", ...feature(["fte"]), method: { k_means: { k: -1 } }, name: "c" }]), /cannot be read/],
    ["eps zero", recipe(staff, [{ op: "cluster", ...feature(["fte"]), method: { dbscan: { eps: 0, min_points: 5 } }, name: "c" }]), /eps must be/],
    ["perplexity text", recipe(staff, [{ op: "project", ...feature(["fte", "employees"]), components: 2, prefix: "t", method: { tsne: { perplexity: "NaN" } } }]), /cannot be read/],
    // Above 2,000 rows t-SNE is Barnes–Hut, whose perplexity stops at 100.
    ["t-SNE perplexity of a thousand", recipe(staff, [{ op: "project", ...feature(["fte", "employees"]), components: 2, prefix: "t", method: { tsne: { perplexity: 1000 } } }]), /at most 100 above 2,000 rows/],
    ["huge pivot", recipe(staff, [{ op: "pivot", index: ["name"], column: "year", values: "fte", keys: Array.from({ length: 10_001 }, (_, i) => `k${i}`), aggregate: "sum" }]), /10000/],
    ["pivot repeats a key", recipe(staff, [{ op: "pivot", index: ["name"], column: "year", values: "fte", keys: ["2020", "2020"], aggregate: "sum" }]), /not new/],
    // 15,433 letters of two or three types, joined on the type: over 50
    // million rows, refused while probing.
    ["exploding self-join", recipe(letters, [{ op: "join", input: "again", kind: "inner", left_on: ["type"], right_on: ["type"] }]), /would make|would take/],
    ["join on a missing key", recipe(staff, [{ op: "join", input: "staff", kind: "inner", left_on: ["nope"], right_on: ["year"] }]), /"nope" not found/],
    ["sort by nothing", recipe(staff, [{ op: "sort", column: "" }]), /not found/],
    ["rename onto a column", recipe(staff, [{ op: "rename", from: "fte", to: "year" }]), /already|not new|exists/],
    ["select nothing", recipe(staff, [{ op: "select", columns: [] }]), /at least one/],
    ["limit negative", recipe(staff, [{ op: "limit", rows: -5 }]), /cannot be read/],
    ["derive log of text", recipe(staff, [{ op: "derive", name: "l", formula: { fn: "log", column: "name" } }]), /not a number/],
    ["union with nothing", recipe(staff, [{ op: "union", input: "nope" }]), /nope/],
    ["unpivot nothing", recipe(staff, [{ op: "unpivot", columns: [], name: "n", value: "v" }]), /choose the columns/],
    ["group by twice", recipe(staff, [{ op: "group_by", by: ["year", "year"], measures: [] }]), /"year" is chosen twice/],
    ["compare text with a number", recipe(staff, [{ op: "filter", predicate: { op: "compare", column: "name", cmp: "gt", value: 5 } }]), /compare it with a text/],
    ["a plain run", recipe(staff, [{ op: "limit", rows: 5 }]), null],
  ];
}

test("links made by hand are messages or run; the engine never restarts", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  const page = lab.page;
  await lab.waitForCatalog("loaded");
  await lab.waitForEngine("ready");
  await lab.openDataset("counties");
  const base = page.url().split("#")[0];
  const cases = links();
  assert.ok(cases.length >= 30, `${cases.length} links`);
  for (const [label, json, message] of cases) {
    const link = typeof json === "string" ? json : linkOf(json);
    // From the start page, so no message of the link before is read.
    await page.goto(`${base}#/`);
    await page.getByTestId("analysis-page").waitFor({ state: "detached" });
    await page.goto(`${base}#/analysis/${link}`);
    if (message) {
      const shown = page.locator('[data-testid="analysis-error"], [data-testid="recipe-error"], [data-testid="step-error"]');
      await shown.first().waitFor({ timeout: 60_000 });
      const text = await shown.first().innerText();
      assert.match(text, message, `${label}: ${text}`);
    } else {
      await page.waitForFunction(() => /rows? ×/.test(document.querySelector('[data-testid="result-status"]')?.textContent ?? ""), null, { timeout: 60_000 });
    }
    assert.equal(await lab.notice.count(), 0, `${label}: the engine restarted`);
  }
  await page.goto(`${base}#/`);
  await lab.waitForCatalog("loaded");
  assert.match(await page.getByTestId("loaded-panel").innerText(), /counties/);
  await lab.screenshot("hostile-links");
  assert.deepEqual(lab.errors, []);
  await context.close();
});
