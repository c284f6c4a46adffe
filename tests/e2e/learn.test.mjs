// Clustering in the browser on the real published data: the curated
// example (agencies by the shape of their FTE trajectory) gives the same
// labels and projection as the command-line tool for every method; the
// help for a cluster step (choosing k, the k-distances, the profiles)
// draws its charts, lists its tables and applies what it suggests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { artifacts, useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
const desktop = { viewport: { width: 1200, height: 1000 }, acceptDownloads: true };
const published = process.env.DATALABB_PUBLISHED;
const cli = process.env.DATALABB_CLI;
const catalog = JSON.parse(readFileSync(join(published, "catalog.json"), "utf8"));

function input(id) {
  const dataset = catalog.datasets.find((d) => d.id === id);
  return { name: id, dataset: id, sha256: dataset.versions.at(-1).sha256 };
}

function linkOf(json) {
  return `r1.${deflateRawSync(Buffer.from(JSON.stringify(json))).toString("base64url")}`;
}

const years = Array.from({ length: 15 }, (_, i) => String(2010 + i));
const features = { columns: years, row_scale: "mean", scale: "none" };
function trajectories(method, projection) {
  return {
    v: 1,
    inputs: [input("agency_fte")],
    steps: [
      { op: "filter", predicate: { op: "and", all: [{ op: "compare", column: "year", cmp: "ge", value: 2010 }, { op: "compare", column: "year", cmp: "le", value: 2024 }] } },
      { op: "pivot", index: ["name"], column: "year", values: "fte", keys: years },
      { op: "cluster", features, method, name: "cluster" },
      projection ?? { op: "project", features, components: 2, prefix: "pc" },
    ],
    chart: { kind: "scatter", x: "pc1", y: "pc2", color: "cluster", label: "name" },
  };
}

async function resultStatus(page) {
  await page.waitForFunction(() => /\d+ rows ×/.test(document.querySelector('[data-testid="result-status"]')?.textContent ?? ""), null, { timeout: 60_000 });
  return page.getByTestId("result-status").innerText();
}

async function download(page, testid) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testid).click()]);
  return readFileSync(await file.path());
}

/** Checks that the page's Arrow download is the bytes `datalabb run` writes
 * for the page's link; gives the result's column names. */
async function sameAsCommandLine(page, what) {
  const link = page.url().split("#")[1];
  const arrow = await download(page, "download-arrow");
  const file = join(mkdtempSync(join(tmpdir(), "datalabb-learn-")), "result.arrow");
  execFileSync(cli, ["run", `#${link}`, "--data", published, "--out", file]);
  assert.ok(readFileSync(file).equals(arrow), `${what}: the browser's result differs from the command line's`);
  return (await download(page, "download-csv")).toString().split("\n")[0].split(",");
}

test("every clustering method gives the same labels in the browser as on the command line", async () => {
  assert.ok(cli && published, "DATALABB_CLI and DATALABB_PUBLISHED must name the tool and the published data");
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  const out = mkdtempSync(join(tmpdir(), "datalabb-learn-"));
  const methods = [
    { k_means: { k: 4 } },
    { k_means: { k: 5, seed: 99 } },
    { dbscan: { eps: 0.15, min_points: 4 } },
    { gaussian_mixture: { k: 3 } },
    { agglomerative: { k: 4, linkage: "average" } },
  ];
  const tsne = { op: "project", features, components: 2, prefix: "pc", method: { tsne: { perplexity: 20 } } };
  const cases = [...methods.map((m) => [m, undefined]), [{ k_means: { k: 4 } }, tsne]];
  for (const [method, projection] of cases) {
    const link = `#/analysis/${linkOf(trajectories(method, projection))}`;
    await page.goto(`${page.url().split("#")[0]}${link}`);
    await page.waitForFunction((link) => location.hash === link, link);
    assert.match(await resultStatus(page), /^\d+ rows × (19|20) columns/);
    const arrow = await download(page, "download-arrow");
    const file = join(out, "result.arrow");
    execFileSync(cli, ["run", link, "--data", published, "--out", file]);
    assert.ok(readFileSync(file).equals(arrow), `${JSON.stringify(method)}: the browser's result differs from the command line's`);
    const csv = (await download(page, "download-csv")).toString();
    const [header, ...lines] = csv.trim().split("\n");
    const at = header.split(",").indexOf("cluster");
    const labels = new Set(lines.map((line) => line.split(",")[at]).filter((l) => l !== ""));
    assert.ok(labels.size >= 2, `${JSON.stringify(method)}: ${[...labels]}`);
  }
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("choosing k, the k-distances and the profiles help with a cluster step", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  await page.goto(`${page.url().split("#")[0]}#/analysis/${linkOf(trajectories({ k_means: { k: 4 } }))}`);
  await resultStatus(page);
  // The agencies with a value for every year have a cluster.
  const csv = (await download(page, "download-csv")).toString();
  const labelled = csv.trim().split("\n").slice(1).filter((line) => line.split(",").at(-3) !== "").length;
  assert.ok(labelled > 100, `${labelled} agencies clustered`);
  const step = page.getByTestId("step").nth(2);
  const insight = page.getByTestId("insight");
  const chartsDrawn = (n) =>
    page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="insight"] .small-chart')].filter((c) => Number(c.dataset.drawn) > 0).length >= n, n, { timeout: 30_000 });

  // Choosing k: two charts (inertia, silhouette) and a row per k; the best
  // k goes into the step with one click.
  await step.getByTestId("insight-choose-k").click();
  await insight.waitFor();
  await chartsDrawn(2);
  const suggestion = await page.getByTestId("insight-suggestion").innerText();
  const best = Number(suggestion.match(/k = (\d+)/)[1]);
  assert.ok(best >= 2 && best <= 10, suggestion);
  const rows = await page.getByTestId("insight-table").locator("tbody tr").count();
  assert.equal(rows, 9, "k = 2 … 10");
  await insight.screenshot({ path: join(artifacts, "learn-choose-k.png") });
  if (best !== 4) {
    const before = page.url();
    await page.getByTestId("insight-apply").click();
    await page.waitForFunction((before) => location.href !== before, before);
    assert.equal(await step.getByTestId("cluster-k").inputValue(), String(best));
  }

  // Profiles: a heatmap and a row per cluster whose sizes add up to the rows.
  await resultStatus(page);
  await step.getByTestId("insight-profiles").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="insight-table"] th')?.textContent === "cluster", null, { timeout: 30_000 });
  await chartsDrawn(1);
  const table = await page.getByTestId("insight-table").evaluate((t) =>
    [...t.querySelectorAll("tbody tr")].map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)),
  );
  assert.equal(table.length, best);
  assert.equal(table.reduce((s, r) => s + Number(r[1]), 0), labelled);
  assert.ok(table.every((r) => r[3].length > 0), "each cluster lists its agencies");
  // In words: a sentence per cluster with its size from the table, its
  // members, and one for the agencies left out (a year without a value).
  const said = await page.getByTestId("cluster-sentence").allInnerTexts();
  const rowsIn = csv.trim().split("\n").length - 1;
  table.forEach((r, i) => {
    assert.ok(said[i].startsWith(`Cluster ${r[0]}: ${r[1]} of ${rowsIn} rows (`), `${said[i]} / ${r}`);
    assert.ok(said[i].includes(`Among them: ${r[3]}`), said[i]);
    assert.match(said[i], /averages [\d,.]+ (FTE )?against [\d,.]+ (FTE )?for all clustered rows/);
  });
  assert.equal(said.length, table.length + (rowsIn > labelled ? 1 : 0));
  if (rowsIn > labelled) assert.ok(said.at(-1).startsWith(`${rowsIn - labelled} of ${rowsIn} rows were left out`), said.at(-1));
  await insight.screenshot({ path: join(artifacts, "learn-profiles.png") });

  // DBSCAN: the k-distances suggest an eps that goes into the step.
  await step.getByTestId("cluster-method").selectOption({ label: "DBSCAN" });
  await resultStatus(page);
  await step.getByTestId("insight-k-distance").click();
  await page.waitForFunction(() => /eps ≈/.test(document.querySelector('[data-testid="insight-suggestion"]')?.textContent ?? ""), null, { timeout: 30_000 });
  await chartsDrawn(1);
  const before = page.url();
  await page.getByTestId("insight-apply").click();
  await page.waitForFunction((before) => location.href !== before, before);
  const eps = Number(await step.getByTestId("cluster-eps").inputValue());
  assert.ok(eps > 0 && eps < 5, `eps ${eps}`);

  // A broken request is a message: k-distances with min points above the rows.
  await step.getByTestId("cluster-min-points").fill("100000");
  await step.getByTestId("cluster-min-points").press("Enter");
  await step.getByTestId("insight-k-distance").click();
  await page.getByTestId("insight-error").waitFor();
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("an anomaly step from its form: the same scores as the command line, its most unusual rows said, hostile fields refused", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  // The start page's analysis on the anomaly step.
  await page.locator('[data-testid="curated"][data-id="outliers"] [data-testid="curated-open"]').click();
  await page.getByTestId("analysis-page").waitFor();
  assert.match(await resultStatus(page), /^\d+ rows × 6 columns/);
  const sameAsCli = (what) => sameAsCommandLine(page, what);
  await sameAsCli("the curated analysis");
  const csv = (await download(page, "download-csv")).toString().trim().split("\n");
  const header = csv[0].split(",");
  const rows = csv.slice(1).map((l) => l.split(","));
  const [score, flag] = [header.indexOf("anomaly"), header.indexOf("anomaly_flag")];
  const flagged = rows.filter((r) => r[flag] === "true").length;
  assert.equal(flagged, Math.ceil(rows.length * 0.05), `5% of ${rows.length} rows flagged`);
  // Sorted by score, the flagged rows first.
  assert.ok(rows.slice(0, flagged).every((r) => r[flag] === "true"));
  assert.ok(rows.every((r, i) => i === 0 || Number(rows[i - 1][score]) >= Number(r[score])));

  // The most unusual rows: a heatmap, a row each, a sentence each.
  const step = page.locator('[data-testid="step"][data-kind="anomaly"]');
  await step.getByTestId("insight-outliers").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="insight-table"] th')?.textContent === "rank", null, { timeout: 30_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="insight"] .small-chart')?.dataset.drawn) > 0, null, { timeout: 30_000 });
  const listed = await page.getByTestId("insight-table").evaluate((t) =>
    [...t.querySelectorAll("tbody tr")].map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)),
  );
  assert.equal(listed.length, Math.min(flagged, 10));
  assert.deepEqual(listed.map((r) => r[1]), rows.slice(0, listed.length).map((r) => r[0]), "the agencies by name, most unusual first");
  const said = await page.getByTestId("outlier-sentence").allInnerTexts();
  assert.equal(said[0], `${flagged} of ${rows.length} scored rows (${Math.round((flagged / rows.length) * 100)}%) are flagged as unusual.`);
  assert.equal(said.length, listed.length + 1);
  listed.forEach((r, i) => {
    assert.ok(said[i + 1].startsWith(`${r[1]} (score ${Number(r[2]).toFixed(2)}): `), `${said[i + 1]} / ${r}`);
    assert.match(said[i + 1], /standard deviations? (above|below) the mean|combination of its values/);
    // Each named feature is also measured against the agency's peers: the
    // 20 agencies most like it in the other feature.
    if (!/combination of its values/.test(said[i + 1])) {
      assert.match(said[i + 1], /standard deviations? (above|below) the 20 rows most like it in fte_(2010|2024_per_100_in_2010) \(mean /);
    }
  });
  await page.getByTestId("insight").screenshot({ path: join(artifacts, "learn-outliers.png") });
  await page.getByTestId("chart-panel").screenshot({ path: join(artifacts, "learn-outliers-chart.png") });

  // The form's fields change the step, and the browser still equals the CLI.
  const before = page.url();
  await step.getByTestId("anomaly-trees").fill("50");
  await step.getByTestId("anomaly-trees").press("Enter");
  await page.waitForFunction((before) => location.href !== before, before);
  await step.getByTestId("anomaly-flag").selectOption({ label: "rows above a score" });
  await page.waitForFunction(() => document.querySelector('[data-testid="step"][data-kind="anomaly"] [data-testid="anomaly-flag-value"]')?.value === "0.6");
  await resultStatus(page);
  await sameAsCli("50 trees, a threshold of 0.6");

  // Hostile values: a message on the step, nothing run, nothing lost.
  for (const [field, value, message] of [
    ["anomaly-trees", "1000000000", /number of trees must be between 1 and 1000/],
    ["anomaly-sample", "1", /sample must be between 2 and 100000 rows/],
    ["anomaly-flag-value", "1.5", /threshold must be between 0 and 1/],
  ]) {
    const old = await step.getByTestId(field).inputValue();
    await step.getByTestId(field).fill(value);
    await step.getByTestId(field).press("Enter");
    await page.waitForFunction((m) => new RegExp(m).test(document.querySelector('[data-testid="step"][data-kind="anomaly"] [data-testid="step-error"]')?.textContent ?? ""), message.source, { timeout: 30_000 });
    await step.getByTestId(field).fill(old);
    await step.getByTestId(field).press("Enter");
    await resultStatus(page);
  }
  assert.deepEqual(lab.errors, []);

  // Embedded, the chart carries the sentences as its caption.
  const embed = await context.newPage();
  await embed.goto(page.url().replace("#/analysis/", "#/embed/"));
  const caption = embed.locator('[data-testid="embed-caption"] li');
  await caption.first().waitFor({ timeout: 60_000 });
  assert.match(await caption.first().innerText(), /of \d+ scored rows \(\d+%\) are flagged as unusual\./);
  await embed.screenshot({ path: join(artifacts, "embed-outliers.png") });
  await context.close();
});

test("UMAP and the autoencoder from their forms equal the command line; Stop ends a long training", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  const sameAsCli = (what) => sameAsCommandLine(page, what);
  const recipe = trajectories({ k_means: { k: 4 } });
  await page.goto(`${page.url().split("#")[0]}#/analysis/${linkOf(recipe)}`);
  await resultStatus(page);
  const step = page.locator('[data-testid="step"][data-kind="project"]');
  const choose = async (testid, label) => {
    const before = page.url();
    await step.getByTestId(testid).selectOption({ label });
    await page.waitForFunction((before) => location.href !== before, before);
    await resultStatus(page);
  };
  await choose("project-method", "UMAP (a map, up to 100,000 rows)");
  assert.equal(await step.getByTestId("project-neighbours").inputValue(), "15");
  assert.deepEqual((await sameAsCli("UMAP")).slice(-2), ["umap1", "umap2"]);
  // The chart follows the map's columns (pc1 became umap1).
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-canvas"]')?.dataset.drawn) > 0, null, { timeout: 30_000 });
  assert.equal(await page.getByTestId("chart-error").count(), 0);
  await page.getByTestId("chart-panel").screenshot({ path: join(artifacts, "learn-umap.png") });
  await choose("project-method", "Autoencoder (its middle layer)");
  assert.equal(await step.getByTestId("autoencoder-epochs").inputValue(), "200");
  assert.deepEqual((await sameAsCli("autoencoder projection")).slice(-2), ["code1", "code2"]);

  // A long training streams its progress and stops on Stop.
  await step.getByTestId("autoencoder-epochs").fill("10000");
  await step.getByTestId("autoencoder-epochs").press("Enter");
  // The status carries the epoch's share and the loss so far, which moves.
  const loss = (before) => {
    const now = document.querySelector('[data-testid="result-status"]')?.textContent.match(/step 4 of 4 · \d+ % · loss (\d[\d.]*)/)?.[1];
    return now !== undefined && now !== before && now;
  };
  const first = await (await page.waitForFunction(loss, null, { timeout: 60_000 })).jsonValue();
  await page.waitForFunction(loss, first, { timeout: 60_000 });
  await page.getByTestId("stop-run").click();
  await page.getByTestId("run-again").waitFor({ timeout: 30_000 });
  // The worker still answers: a short training runs after it.
  await step.getByTestId("autoencoder-epochs").fill("20");
  await step.getByTestId("autoencoder-epochs").press("Enter");
  await resultStatus(page);
  // A learning rate that is not a number changes nothing; one above 1 is a message.
  await step.getByTestId("autoencoder-rate").fill("5");
  await step.getByTestId("autoencoder-rate").press("Enter");
  await page.waitForFunction(() => /learning rate must be a number above 0 and at most 1/.test(document.querySelector('[data-testid="step"][data-kind="project"] [data-testid="step-error"]')?.textContent ?? ""), null, { timeout: 30_000 });

  // The anomaly step's autoencoder, as the command line scores it.
  const scored = {
    ...recipe,
    steps: [...recipe.steps.slice(0, 2), { op: "anomaly", features, method: { autoencoder: { epochs: 100 } }, name: "anomaly" }],
    chart: { kind: "scatter", x: "2010", y: "2024", color: "anomaly_flag", label: "name" },
  };
  await page.goto(`${page.url().split("#")[0]}#/analysis/${linkOf(scored)}`);
  await resultStatus(page);
  assert.deepEqual((await sameAsCli("autoencoder scores")).slice(-2), ["anomaly", "anomaly_flag"]);
  assert.equal(await page.locator('[data-testid="step"][data-kind="anomaly"] [data-testid="anomaly-method"] option:checked').innerText(), "Autoencoder (reconstruction error)");
  assert.deepEqual(lab.errors, []);
  await context.close();
});

/**
 * A map of the first `rows` rows of the generated million-row table (value
 * and year) by `method`, from a link: waits for it, prints the worker's
 * time, checks the download's last two columns and screenshots the chart.
 * Returns each row's place.
 */
async function mapOfGenerated(rows, prefix, method, what, shot) {
  const million = JSON.parse(readFileSync(join(process.env.DATALABB_MILLION, "catalog.json"), "utf8")).datasets[0];
  const recipe = {
    v: 1,
    inputs: [{ name: "million", dataset: million.id, sha256: million.versions.at(-1).sha256 }],
    steps: [
      { op: "filter", predicate: { op: "compare", column: "id", cmp: "le", value: rows } },
      { op: "project", features: { columns: ["value", "year"] }, components: 2, prefix, method },
    ],
    chart: { kind: "scatter", x: `${prefix}1`, y: `${prefix}2` },
  };
  const { lab, context } = await openLab(`/million/?lang=en#/analysis/${linkOf(recipe)}`, desktop);
  const page = lab.page;
  // Counts are grouped with a narrow space in either language.
  const counted = `${rows / 1000}\\D?000 rows ×`;
  await page.waitForFunction((counted) => new RegExp(counted).test(document.querySelector('[data-testid="result-status"]')?.textContent ?? ""), counted, { timeout: 300_000 });
  const ms = Number(await page.getByTestId("result-status").getAttribute("data-run-ms"));
  console.log(`# ${what} of ${rows.toLocaleString("en")} rows in the browser: ${(ms / 1000).toFixed(1)} s`);
  const csv = (await download(page, "download-csv")).toString().trim().split("\n");
  assert.deepEqual(csv[0].split(",").slice(-2), [`${prefix}1`, `${prefix}2`]);
  assert.equal(csv.length, rows + 1);
  const placed = csv.slice(1).map((line) => line.split(",").slice(-2).map(Number));
  assert.ok(placed.every((p) => p.every(Number.isFinite)), "every row placed");
  await page.getByTestId("chart-panel").screenshot({ path: join(artifacts, shot) });
  assert.deepEqual(lab.errors, []);
  await context.close();
  return placed;
}

test("a UMAP of 50,000 generated rows in the browser", async () => {
  await mapOfGenerated(50_000, "umap", { umap: {} }, "UMAP", "learn-umap-50000.png");
});

test("a Barnes–Hut t-SNE of 5,000 generated rows in the browser", async () => {
  const placed = await mapOfGenerated(5_000, "tsne", { tsne: { perplexity: 30 } }, "Barnes–Hut t-SNE", "learn-tsne-5000.png");
  assert.ok(new Set(placed.map((p) => p.join())).size > 4_000, "the rows are spread, not stacked");
});

test("k-means and the elbow of 200,000 generated rows run in helper workers and give what one core gives", async () => {
  const million = JSON.parse(readFileSync(join(process.env.DATALABB_MILLION, "catalog.json"), "utf8")).datasets[0];
  const recipe = {
    v: 1,
    inputs: [{ name: "million", dataset: million.id, sha256: million.versions.at(-1).sha256 }],
    steps: [
      { op: "filter", predicate: { op: "compare", column: "id", cmp: "le", value: 200_000 } },
      { op: "cluster", features: { columns: ["value", "share", "year"] }, method: { k_means: { k: 8, restarts: 6 } }, name: "cluster" },
      { op: "group_by", by: ["cluster"], measures: [{ name: "n", aggregate: "count" }, { name: "mean_value", aggregate: "mean", column: "value" }] },
    ],
  };
  const link = linkOf(recipe);
  const answers = [];
  // `?cores=1` keeps every job in the compute worker; without it, the
  // restarts and the elbow's ks go to helpers (two on a two-core machine).
  for (const query of ["&cores=1", ""]) {
    const { lab, context } = await openLab(`/million/?lang=en${query}#/analysis/${link}`, desktop);
    const page = lab.page;
    const workers = [];
    page.on("worker", (w) => workers.push(w.url()));
    await resultStatus(page);
    const csv = (await download(page, "download-csv")).toString();
    await page.locator('[data-testid="step"][data-kind="cluster"] [data-testid="insight-choose-k"]').click();
    await page.locator('[data-testid="insight-table"] tbody tr').nth(8).waitFor({ timeout: 120_000 });
    const elbow = await page.getByTestId("insight-table").innerText();
    const ms = Number(await page.getByTestId("result-status").getAttribute("data-run-ms"));
    console.log(`# k-means (k = 8, 6 restarts) of 200,000 rows${query ? " on one core" : ""}: ${(ms / 1000).toFixed(1)} s; workers seen: ${workers.length}`);
    // The compute worker alone with one core; with more, a helper per
    // core for the run and again for the elbow.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    if (query) assert.equal(workers.length, 1, "one core starts no helper");
    else if (cores >= 2) assert.equal(workers.length, 1 + 2 * Math.min(cores, 8), "a helper per core, twice");
    if (!query) await page.getByTestId("insight").screenshot({ path: join(artifacts, "learn-elbow-helpers.png") });
    answers.push({ csv, elbow });
    assert.deepEqual(lab.errors, []);
    await context.close();
  }
  assert.equal(answers[1].csv, answers[0].csv, "the clusters differ between one core and the helpers");
  assert.equal(answers[1].elbow, answers[0].elbow, "the elbow differs between one core and the helpers");
  assert.equal(answers[0].csv.trim().split("\n").length, 10, "a header, eight clusters and the rows left out (no share)");
  // And the command line, one core, gives the same clusters.
  const file = join(mkdtempSync(join(tmpdir(), "datalabb-learn-")), "result.csv");
  execFileSync(cli, ["run", `#/analysis/${link}`, "--data", process.env.DATALABB_MILLION, "--out", file]);
  assert.equal(readFileSync(file, "utf8"), answers[0].csv);
});
