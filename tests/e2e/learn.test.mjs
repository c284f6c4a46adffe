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
