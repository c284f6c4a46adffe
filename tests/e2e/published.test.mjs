// The lab lists the datasets published from the real sources.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
// How many datasets the published catalog lists.
const all = JSON.parse(readFileSync(join(process.env.DATALABB_PUBLISHED, "catalog.json"), "utf8")).datasets.length;

test("the page lists the published datasets from the real catalog", async () => {
  const { lab, context } = await openLab("/real/?lang=sv", { viewport: { width: 1280, height: 900 } });
  await lab.waitForEngine("ready");
  await lab.waitForCatalog("loaded");
  const ids = await lab.datasetIds();
  for (const id of ["agencies", "agency_staff", "agency_staff_gender", "appropriation_letters", "municipalities"]) {
    assert.ok(ids.includes(id), `${id} is listed (got ${ids})`);
  }
  const agencies = lab.cards.filter({ has: lab.page.getByText("Statliga myndigheter", { exact: true }) });
  assert.match(await agencies.innerText(), /414 rader · 18 kolumner · 1 version\b/);
  assert.match(await lab.page.locator('[data-id="municipalities"]').innerText(), /290 rader/);
  await lab.screenshot("published-catalog-sv");
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("a dataset opens in the worker, is kept in the cache, and unloads", async () => {
  const { lab, context } = await openLab("/real/?lang=en&debug");
  await lab.waitForCatalog("loaded");
  const card = await lab.openDataset("agencies");
  const summary = await card.getByTestId("dataset-summary").innerText();
  assert.match(summary, /414 rows · 18 columns · [\d.]+\s?(kB|MB) in memory \(downloaded\)/);
  const panel = lab.page.getByTestId("loaded-panel");
  assert.match(await panel.innerText(), /Loaded data[\s\S]*agencies[\s\S]*414 rows/);
  await lab.screenshot("dataset-loaded");

  // A restarted worker gets it back from the browser's cache.
  await lab.page.getByTestId("simulate-crash").click();
  await lab.notice.waitFor();
  await card.locator('[data-testid="dataset-load"][data-state="loaded"]').waitFor();
  await lab.page.waitForFunction(() =>
    document.querySelector('[data-id="agencies"] [data-testid="dataset-summary"]')?.textContent.includes("cache"),
  );

  // So does a reload of the page.
  await lab.page.reload();
  await lab.waitForCatalog("loaded");
  const again = await lab.openDataset("agencies");
  assert.match(await again.getByTestId("dataset-summary").innerText(), /from the browser's cache/);

  await panel.getByRole("button", { name: "Unload" }).click();
  await panel.waitFor({ state: "detached" });
  await again.getByTestId("open-dataset").waitFor();
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("a catalog of Parquet files opens its datasets as the Arrow catalog does, downloaded and from the cache", async () => {
  // The Arrow dataset's first rows, then the same version's Parquet copy
  // from a catalog that lists only Parquet files.
  const real = await openLab("/real/?lang=en");
  await real.lab.waitForCatalog("loaded");
  await real.lab.openDataset("agency_staff");
  await real.lab.showDataset("agency_staff");
  const want = await real.lab.previewRows();
  await real.context.close();

  const { lab, context } = await openLab("/parquet/?lang=en");
  await lab.waitForCatalog("loaded");
  const requests = [];
  lab.page.on("request", (r) => requests.push(new URL(r.url()).pathname));
  const card = await lab.openDataset("agency_staff");
  assert.match(await card.getByTestId("dataset-summary").innerText(), /4\D?504 rows · 5 columns · .* \(downloaded\)/);
  assert.ok(requests.some((p) => p.endsWith(".parquet")), requests.join(" "));
  assert.ok(requests.some((p) => p.endsWith("parquet_bg.wasm")), "the Parquet reader is fetched when a Parquet file opens");
  await lab.showDataset("agency_staff");
  assert.deepEqual(await lab.previewRows(), want);
  // A reload opens it from the browser's cache, read by the Parquet worker
  // again.
  await lab.page.getByTestId("back").click();
  await lab.page.reload();
  await lab.waitForCatalog("loaded");
  const again = await lab.openDataset("agency_staff");
  assert.match(await again.getByTestId("dataset-summary").innerText(), /4\D?504 rows .*from the browser's cache/);
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("analyses on a catalog of Parquet files read the columns they need and equal the Arrow catalog's", async () => {
  // agency_staff (4,504 rows) opens with its first 1,000 rows; the first
  // recipe then reads its year and fte, the second all of it (the join's
  // other input). The same recipes on the Arrow files give the same rows.
  const catalog = JSON.parse(readFileSync(join(process.env.DATALABB_PUBLISHED, "catalog.json"), "utf8"));
  const input = (id, parquet) => {
    const version = catalog.datasets.find((d) => d.id === id).versions.at(-1);
    return { name: id, dataset: id, sha256: parquet ? version.parquet.sha256 : version.sha256 };
  };
  const recipes = [
    (parquet) => ({
      v: 1,
      inputs: [input("agency_staff", parquet)],
      steps: [
        { op: "filter", predicate: { op: "compare", column: "year", cmp: "ge", value: 2015 } },
        { op: "group_by", by: ["year"], measures: [{ name: "fte", aggregate: "sum", column: "fte" }, { name: "agencies", aggregate: "count" }] },
        { op: "sort", column: "year", descending: false },
      ],
    }),
    (parquet) => ({
      v: 1,
      inputs: [input("agencies", parquet), input("agency_staff", parquet)],
      steps: [
        { op: "join", input: "agency_staff", kind: "inner", left_on: ["org_nr"], right_on: ["org_nr"], normalize: "digits" },
        { op: "filter", predicate: { op: "compare", column: "year", cmp: "eq", value: 2024 } },
        { op: "group_by", by: ["ministry"], measures: [{ name: "fte", aggregate: "sum", column: "fte" }] },
        { op: "sort", column: "fte", descending: true },
      ],
    }),
  ];
  const results = async (host, parquet) => {
    const { lab, context } = await openLab(`${host}?lang=en`, { viewport: { width: 1280, height: 1000 } });
    await lab.waitForCatalog("loaded");
    const base = lab.page.url().split("#")[0];
    const rows = [];
    for (const recipe of recipes) {
      await lab.page.goto(`${base}#/analysis/${linkOf(recipe(parquet))}`);
      await lab.page.waitForFunction(() => /rows ×/.test(document.querySelector('[data-testid="result-status"]')?.textContent ?? ""), null, { timeout: 60_000 });
      const status = (await lab.page.getByTestId("result-status").innerText()).replaceAll("\u202f", " ");
      rows.push([status.match(/^\d+ rows × \d+ columns/)?.[0], await lab.previewRows()]);
    }
    await lab.screenshot(parquet ? "parquet-analysis" : "arrow-analysis");
    assert.deepEqual(lab.errors, []);
    await context.close();
    return rows;
  };
  const fromArrow = await results("/real/", false);
  const fromParquet = await results("/parquet/", true);
  assert.deepEqual(fromArrow.map(([status]) => status), ["11 rows × 3 columns", "12 rows × 2 columns"]);
  assert.deepEqual(fromParquet, fromArrow);
});

/** A link holding `json` as the lab encodes it. */
function linkOf(json) {
  return `r1.${deflateRawSync(Buffer.from(JSON.stringify(json))).toString("base64url")}`;
}

test("broken dataset files each give a clear message and keep what is loaded", async () => {
  const { lab, context } = await openLab("/tampered/?lang=en", { viewport: { width: 1280, height: 1400 } });
  await lab.waitForCatalog("loaded");
  await lab.openDataset("agencies");
  const cases = [
    ["counties", /the file's SHA-256 is [0-9a-f]{64}, but the catalog lists [0-9a-f]{64}/],
    ["municipalities", /this is a web page \(HTML\), not an Arrow file/],
    ["agency_fte", /answered HTTP 404/],
    ["agency_staff", /the file is (cut short|damaged)/],
    ["appropriation_counts", /the file is empty/],
    ["appropriation_letters", /announces 2147483648 bytes, more than the \d+ this lab loads/],
  ];
  for (const [id, message] of cases) {
    const card = await lab.openDataset(id, "failed");
    const text = await card.getByTestId("dataset-error").innerText();
    assert.match(text, /The dataset could not be opened/);
    assert.match(text, message, `${id}: ${text}`);
    assert.match(text, new RegExp(`/${id}/`), `${id} names its file`);
  }
  await lab.screenshot("dataset-errors");
  // The good one is still loaded, and another good one opens after them.
  await lab.card("agencies").locator('[data-testid="dataset-load"][data-state="loaded"]').waitFor();
  assert.equal(await lab.page.getByTestId("loaded-dataset").count(), 1);
  await lab.openDataset("agency_staff_gender");
  assert.equal(await lab.page.getByTestId("loaded-dataset").count(), 2);
  await context.close();
});

test("the catalog search ignores case and diacritics, and the language is remembered", async () => {
  const { lab, context } = await openLab("/real/?lang=sv");
  await lab.waitForCatalog("loaded");
  const search = lab.page.getByTestId("catalog-search");
  const count = lab.page.getByTestId("catalog-count");
  assert.equal(await count.innerText(), `${all} av ${all}`);
  await search.fill("lan");
  await lab.page.waitForFunction((all) => !document.querySelector('[data-testid="catalog-count"]').textContent.startsWith(`${all} `), all);
  const ids = await lab.datasetIds();
  assert.equal(ids[0], "counties", `län first: ${ids}`);
  assert.ok(ids.includes("municipalities"), `${ids}`);
  await search.fill("ÅRSARBETSKRAFTER esv");
  await lab.page.waitForFunction(() => document.querySelector('[data-testid="catalog-count"]').textContent.startsWith("1 "));
  assert.deepEqual(await lab.datasetIds(), ["agency_staff"]);
  await search.fill("xyzzy");
  await lab.page.getByTestId("catalog-no-match").waitFor();
  await search.fill("");
  await lab.page.waitForFunction((all) => document.querySelector('[data-testid="catalog-count"]').textContent === `${all} av ${all}`, all);

  // Chosen English, a later visit without ?lang opens in English.
  await lab.page.getByTestId("lang-en").click();
  await lab.page.goto(lab.page.url().replace("?lang=sv", ""));
  await lab.waitForCatalog("loaded");
  assert.equal(await count.innerText(), `${all} of ${all}`);
  assert.equal(await lab.page.getAttribute("html", "lang"), "en");
  await context.close();
});
