// Charts of analyses on the real published data: every kind renders (not
// blank, screenshots kept), tooltips, legend highlight, zoom and pan
// respond, a brushed selection becomes a filter step, the data tab lists
// the values, PNG and SVG export, and broken chart settings are messages.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { artifacts, useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
const desktop = { viewport: { width: 1200, height: 1000 }, acceptDownloads: true };
const catalog = JSON.parse(readFileSync(join(process.env.DATALABB_PUBLISHED, "catalog.json"), "utf8"));

function input(id) {
  const dataset = catalog.datasets.find((d) => d.id === id);
  return { name: id, dataset: id, sha256: dataset.versions.at(-1).sha256 };
}

function linkOf(json) {
  return `r1.${deflateRawSync(Buffer.from(JSON.stringify(json))).toString("base64url")}`;
}

const staffByMinistry = [
  { op: "join", input: "agency_staff", kind: "inner", left_on: ["org_nr"], right_on: ["org_nr"], normalize: "digits" },
  { op: "filter", predicate: { op: "compare", column: "year", cmp: "eq", value: 2024 } },
  { op: "group_by", by: ["ministry"], measures: [{ name: "fte", aggregate: "sum", column: "fte" }] },
  { op: "sort", column: "fte", descending: true },
];

const charts = {
  bar: { v: 1, inputs: [input("agencies"), input("agency_staff")], steps: staffByMinistry, chart: { kind: "bar", x: "ministry", y: "fte", title: "FTE by ministry, 2024" } },
  // 414 agencies: the 20 largest and "other".
  bar_many: { v: 1, inputs: [input("agency_fte")], steps: [{ op: "filter", predicate: { op: "compare", column: "year", cmp: "eq", value: 2024 } }], chart: { kind: "bar", x: "name", y: "fte" } },
  line: { v: 1, inputs: [input("agency_fte")], chart: { kind: "line", x: "year", y: "fte", color: "name", highlight: ["Polismyndigheten", "Försvarsmakten", "Skatteverket"] } },
  scatter: { v: 1, inputs: [input("agency_staff_gender")], chart: { kind: "scatter", x: "total", y: "women", color: "year", label: "name", log_x: true, log_y: true } },
  histogram: { v: 1, inputs: [input("agency_fte")], chart: { kind: "histogram", x: "fte", log_x: true } },
  heatmap: { v: 1, inputs: [input("appropriation_counts")], chart: { kind: "heatmap", x: "year", y: "org_nr", value: "letters" } },
};

/** Non-white pixels and distinct colours of the chart's canvas. */
function inks(page) {
  return page.getByTestId("chart-canvas").evaluate((canvas) => {
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) ink++;
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    let hash = 0;
    for (let i = 0; i < data.length; i += 97) hash = (hash * 31 + data[i]) | 0;
    return { ink: ink / (data.length / 4), colours: colours.size, hash, width: canvas.width };
  });
}

/** Waits for a chart drawn after `before` (the canvas's timing changes). */
async function drawn(page, before = null) {
  await page.waitForFunction(
    (before) => {
      const ms = document.querySelector('[data-testid="chart-canvas"]')?.dataset.chartMs;
      return ms !== undefined && document.querySelector('[data-testid="chart-canvas"]').dataset.drawn !== before;
    },
    before,
    { timeout: 30_000 },
  );
  return page.getByTestId("chart-canvas").getAttribute("data-drawn");
}

/** Moves the pointer over the plot until a tooltip shows; returns its text. */
async function findTip(page) {
  const box = await page.getByTestId("chart-canvas").boundingBox();
  for (let fy = 0.3; fy < 0.95; fy += 0.08) {
    for (let fx = 0.1; fx < 0.98; fx += 0.06) {
      await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
      const tip = page.getByTestId("chart-tip");
      try {
        await tip.waitFor({ timeout: 150 });
        return tip.innerText();
      } catch {
        // Nothing here: look further on.
      }
    }
  }
  return null;
}

async function open(lab, name) {
  const page = lab.page;
  // The chart stays on the page from one analysis to the next: wait for
  // a new picture.
  const before = await page.evaluate(() => document.querySelector('[data-testid="chart-canvas"]')?.dataset.drawn ?? null);
  await page.goto(`${page.url().split("#")[0]}#/analysis/${linkOf(charts[name])}`);
  await drawn(page, before);
  await page.getByTestId("chart-canvas").scrollIntoViewIfNeeded();
}

test("every kind of chart renders on the real data and answers the pointer", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  for (const name of Object.keys(charts)) {
    await open(lab, name);
    const { ink, colours } = await inks(page);
    assert.ok(ink > 0.03, `${name}: the canvas is not blank (${ink})`);
    assert.ok(colours >= 4, `${name}: more than axes (${colours} colours)`);
    await page.getByTestId("chart-panel").screenshot({ path: join(artifacts, `chart-${name}.png`) });
    const tip = await findTip(page);
    assert.ok(tip && tip.length > 0, `${name}: a tooltip shows over a mark`);
    if (name === "scatter") assert.match(tip, /total: \d+/);
    // The canvas has a name and a description in words: kind, axes, extremes.
    assert.equal(await page.getByTestId("chart-canvas").getAttribute("aria-describedby"), "chart-description");
    const words = await page.getByTestId("chart-description").textContent();
    const kinds = { bar: "Bar chart", bar_many: "Bar chart", line: "Line chart", scatter: "Scatter plot", histogram: "Histogram", heatmap: "Heatmap" };
    assert.ok(words.startsWith(kinds[name] ?? ""), `${name}: ${words}`);
    if (name.startsWith("bar")) assert.match(words, /\d+ bars; largest .+ \(.+\), smallest .+ \(.+\)\.$/, words);
    if (name === "bar_many") {
      const table = await page.getByTestId("tab-data").click().then(() => page.getByTestId("chart-data").innerText());
      assert.match(table, /other \(\d+\)/, "the smaller agencies are summed in other");
      await page.getByTestId("tab-chart").click();
    }
  }
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("legend highlight, zoom, pan and a brushed filter", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;

  // Legend: a click on the first entry fades the other lines.
  await open(lab, "line");
  const first = await drawn(page);
  const plain = await inks(page);
  const legend = await page.getByTestId("chart-canvas").evaluate((c) => JSON.parse(c.dataset.legend));
  const box = await page.getByTestId("chart-canvas").boundingBox();
  const [x0, y0, x1, y1] = legend[0];
  await page.mouse.click(box.x + (x0 + x1) / 2, box.y + (y0 + y1) / 2);
  await drawn(page, first);
  assert.notEqual((await inks(page)).hash, plain.hash, "highlighting changes the picture");

  // Zoom with the wheel, then the keyboard resets it.
  await open(lab, "scatter");
  const before = await drawn(page);
  const wide = await inks(page);
  const sbox = await page.getByTestId("chart-canvas").boundingBox();
  await page.mouse.move(sbox.x + sbox.width * 0.5, sbox.y + sbox.height * 0.6);
  await page.mouse.wheel(0, -300);
  const zoomed = await drawn(page, before);
  assert.notEqual((await inks(page)).hash, wide.hash, "the wheel zooms");
  await page.getByTestId("chart-reset").waitFor();
  // Drag pans.
  await page.mouse.move(sbox.x + sbox.width * 0.5, sbox.y + sbox.height * 0.6);
  await page.mouse.down();
  await page.mouse.move(sbox.x + sbox.width * 0.4, sbox.y + sbox.height * 0.5, { steps: 4 });
  await page.mouse.up();
  await drawn(page, zoomed);
  await page.getByTestId("chart-canvas").focus();
  await page.keyboard.press("0");
  await page.getByTestId("chart-reset").waitFor({ state: "detached" });

  // Shift + drag selects; the selection becomes a filter step.
  const steps = await page.getByTestId("step").count();
  await page.keyboard.down("Shift");
  await page.mouse.move(sbox.x + sbox.width * 0.3, sbox.y + sbox.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(sbox.x + sbox.width * 0.7, sbox.y + sbox.height * 0.8, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  await page.getByTestId("brush-filter").click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="step"]').length === n + 1, steps);
  const conditions = page.getByTestId("step").last().getByTestId("condition");
  assert.equal(await conditions.count(), 4, "x and y between the selection's bounds");
  await drawn(page);
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("the data tab and PNG and SVG export", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  await open(lab, "bar");
  await page.getByTestId("tab-data").click();
  const table = await page.getByTestId("chart-data").innerText();
  assert.match(table, /ministry\s+Full-time equivalents, total \(FTE\)/);
  assert.match(table, /Justitiedepartementet/);
  await page.getByTestId("tab-chart").click();
  const css = (await page.getByTestId("chart-canvas").boundingBox()).width;
  const [png] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-png").click()]);
  assert.match(png.suggestedFilename(), /^datalabb-agencies-\d{4}-\d{2}-\d{2}\.png$/);
  const bytes = readFileSync(await png.path());
  assert.equal(bytes.subarray(1, 4).toString(), "PNG");
  assert.equal(bytes.readUInt32BE(16), Math.round(css) * 2, "twice the screen's width");
  const [svg] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-svg").click()]);
  assert.match(svg.suggestedFilename(), /^datalabb-agencies-\d{4}-\d{2}-\d{2}\.svg$/);
  const text = readFileSync(await svg.path(), "utf8");
  assert.match(text, /^<svg/);
  assert.match(text, /FTE by ministry, 2024/);
  assert.match(text, /Licence: CC0/);
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("broken chart settings are messages, never a blank canvas", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  const fte = [input("agency_fte")];
  const cases = [
    [{ kind: "bar", x: "no_such_column", y: "fte" }, /no_such_column/],
    [{ kind: "scatter", x: "name", y: "fte" }, /not numbers/],
    [{ kind: "scatter", x: "year" }, /Choose a column/],
    [{ kind: "histogram", x: "fte", log_x: true, bins: 4000000000 }, null],
  ];
  for (const [chart, message] of cases) {
    const before = await page.evaluate(() => document.querySelector('[data-testid="chart-canvas"]')?.dataset.drawn ?? null);
    await page.goto(`${page.url().split("#")[0]}#/analysis/${linkOf({ v: 1, inputs: fte, chart })}`);
    if (message) {
      // The message of this link, not the one before it, which stays
      // until this analysis has run.
      const said = await page.waitForFunction(
        (source) => {
          const text = document.querySelector('[data-testid="chart-error"]')?.innerText ?? "";
          return new RegExp(source).test(text) && text;
        },
        message.source,
        { timeout: 30_000 },
      );
      assert.match(await said.jsonValue(), message);
    } else {
      await drawn(page, before);
      assert.ok((await inks(page)).ink > 0.03);
    }
  }
  // Zero rows after a filter.
  const none = { v: 1, inputs: fte, steps: [{ op: "filter", predicate: { op: "compare", column: "year", cmp: "lt", value: 0 } }], chart: { kind: "bar", x: "name", y: "fte" } };
  await page.goto(`${page.url().split("#")[0]}#/analysis/${linkOf(none)}`);
  await page.getByTestId("chart-error").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("chart-error").innerText(), /Nothing to show/);
  assert.deepEqual(lab.errors, []);
  await context.close();
});
