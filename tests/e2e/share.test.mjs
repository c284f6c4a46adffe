// Share, embed and cite on the real published data: the start page's
// curated analyses open in one click; the Embed panel's snippet, pasted
// into an article on another origin, shows the chart alone and sized to
// the iframe at two sizes; a version no longer on the host, a host that is
// down and data that cannot be opened are short messages with the link to
// the lab; the exports read back in pyarrow and Python's csv module; the
// citation names every dataset version. Screenshots at 375 px.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { articleHost, artifacts, useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
const desktop = { viewport: { width: 1200, height: 1000 }, acceptDownloads: true };
const phone = { viewport: { width: 375, height: 800 }, acceptDownloads: true };
const published = process.env.DATALABB_PUBLISHED;
const catalog = JSON.parse(readFileSync(join(published, "catalog.json"), "utf8"));

function decodeLink(link) {
  return JSON.parse(inflateRawSync(Buffer.from(link.replace(/^r1\./, ""), "base64url")).toString());
}
function encodeLink(json) {
  return `r1.${deflateRawSync(Buffer.from(JSON.stringify(json))).toString("base64url")}`;
}

async function drawnIn(frameOrPage) {
  await frameOrPage.locator('[data-testid="chart-canvas"][data-chart-ms]').waitFor({ timeout: 60_000 });
}

async function download(page, locator) {
  const [file] = await Promise.all([page.waitForEvent("download"), locator.click()]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

test("the start page's curated analyses open in one click, on a phone too", async () => {
  const { lab, context } = await openLab("/real/?lang=en", phone);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  const cards = page.getByTestId("curated");
  assert.equal(await cards.count(), 5);
  await page.screenshot({ path: join(artifacts, "start-375.png") });
  const ids = await cards.evaluateAll((cs) => cs.map((c) => c.dataset.id));
  for (const id of ids) {
    await page.goto(page.url().split("#")[0]);
    await page.locator(`[data-testid="curated"][data-id="${id}"] [data-testid="curated-open"]`).click();
    await page.getByTestId("analysis-page").waitFor();
    await drawnIn(page);
    assert.match(await page.getByTestId("result-status").innerText(), /^\d+ rows? ×/, id);
    // A plain analysis link, pinned to the newest versions.
    const recipe = decodeLink(page.url().split("#/analysis/")[1]);
    for (const input of recipe.inputs) {
      const dataset = catalog.datasets.find((d) => d.id === input.dataset);
      assert.equal(input.sha256, dataset.versions.at(-1).sha256, `${id}: ${input.dataset}`);
    }
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${id}: nothing wider than the phone (${width} px)`);
    if (id === "trajectories") await page.screenshot({ path: join(artifacts, "lab-375.png"), fullPage: true });
  }
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("the curated analyses' numbers are written for reading: no float noise, the language's marks", async () => {
  for (const lang of ["sv", "en"]) {
    const { lab, context } = await openLab(`/real/?lang=${lang}`, desktop);
    await lab.waitForCatalog("loaded");
    const page = lab.page;
    const ids = await page.getByTestId("curated").evaluateAll((cs) => cs.map((c) => c.dataset.id));
    for (const id of ids) {
      await page.goto(page.url().split("#")[0]);
      await page.locator(`[data-testid="curated"][data-id="${id}"] [data-testid="curated-open"]`).click();
      await page.getByTestId("analysis-page").waitFor();
      const cells = (await lab.previewRows()).flat();
      const numbers = cells.filter((c) => /^[−-]?[\d ,.]+$/.test(c) && /\d/.test(c));
      assert.ok(numbers.length > 0, `${lang} ${id}: numbers in the preview`);
      for (const n of numbers) {
        // At most six decimals (the cap), never the 13 of float noise.
        const decimals = n.split(lang === "sv" ? "," : ".")[1] ?? "";
        assert.ok(decimals.length <= 6, `${lang} ${id}: ${n}`);
        // Swedish writes a decimal comma and groups with a narrow space,
        // English a point and commas; a minus is a minus sign.
        if (lang === "sv") assert.doesNotMatch(n, /\./, `${lang} ${id}: ${n}`);
        else assert.doesNotMatch(n, /\d,\d{1,2}$|\d \d/, `${lang} ${id}: ${n}`);
        assert.doesNotMatch(n, /^-/, `${lang} ${id}: ${n}`);
      }
      // A column name keeps its place; the type is a short word.
      const types = await page.locator('[data-testid="sort-column"] .type').allInnerTexts();
      for (const t of types) assert.ok(t.length <= 12 && !/[()]/.test(t), `${lang} ${id}: type ${t}`);
    }
    assert.deepEqual(lab.errors, []);
    await context.close();
  }
});

test("the embed snippet shows the chart alone, sized to the iframe, at two sizes", async (t) => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  await page.locator('[data-testid="curated"][data-id="growth"] [data-testid="curated-open"]').click();
  await drawnIn(page);
  await page.getByTestId("embed-toggle").click();
  const snippet = await page.getByTestId("embed-snippet").inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/real\/\?lang=en#\/embed\/r1\.[\w-]+" title="[^"]+" width="100%" height="480"/);
  assert.match(snippet, /<\/iframe>\n<script>[\s\S]*"datalabb:height"[\s\S]*<\/script>$/);
  await page.getByTestId("embed-follow").check();
  assert.match(await page.getByTestId("embed-snippet").inputValue(), /#\/embed\/r1\.[\w-]+\?follow"/);

  // An article on another site (its own server, at localhost), with the
  // iframe at two sizes.
  const publish = await articleHost(t);
  const article = await context.newPage();
  const errors = [];
  article.on("pageerror", (e) => errors.push(e.message));
  for (const [width, height] of [[900, 480], [360, 300]]) {
    const sized = snippet.replace('width="100%" height="480"', `width="${width}" height="${height}"`);
    const name = `story-${width}.html`;
    await article.goto(publish(name, `<!doctype html><meta charset="utf-8"><title>News</title><h1>An article</h1><p>Text.</p>${sized}<p>More text.</p>`));
    const frame = article.frameLocator("iframe");
    await drawnIn(frame);
    // The snippet's script grows the iframe to the height the embed asks
    // for: the chart at three fifths of the width (260 to 520 px), or
    // taller when its 20 bar labels need it (a phone), and the link under
    // it, with nothing to scroll inside.
    const least = Math.round(Math.min(520, Math.max(260, width * 0.6)));
    let sizes;
    let before = "";
    for (let tries = 0; tries < 100; tries++) {
      const iframe = await article.evaluate(() => document.querySelector("iframe").getBoundingClientRect().height);
      const within = await article.frames()[1].evaluate(() => ({
        canvas: document.querySelector('[data-testid="chart-canvas"]').getBoundingClientRect().height,
        scroll: document.documentElement.scrollHeight,
      }));
      sizes = { iframe, ...within };
      const now = JSON.stringify(sizes);
      if (within.canvas >= least - 2 && Math.abs(iframe - within.scroll) <= 2 && now === before) break;
      before = now;
      await article.waitForTimeout(150);
    }
    assert.ok(sizes.canvas >= least - 2, `${width}: the chart at least at its height (${JSON.stringify(sizes)}, ${least})`);
    assert.ok(Math.abs(sizes.iframe - sizes.scroll) <= 2, `${width}: the iframe fits its content (${JSON.stringify(sizes)})`);
    // On a phone the 20 agencies need more than three fifths of the width.
    if (width === 360) assert.ok(sizes.canvas > 300, `360: taller for its labels (${JSON.stringify(sizes)})`);
    const inside = await article.frames()[1].evaluate(() => {
      const canvas = document.querySelector('[data-testid="chart-canvas"]');
      return {
        canvas: canvas.getBoundingClientRect().width,
        height: canvas.getBoundingClientRect().height,
        scroll: document.documentElement.scrollHeight,
        inner: innerHeight,
        topbar: document.querySelector(".topbar") !== null,
        controls: document.querySelector('[data-testid="chart-kind"]') !== null,
        open: document.querySelector('[data-testid="embed-open"]')?.href ?? "",
      };
    });
    assert.ok(Math.abs(inside.canvas - width) <= 2, `the chart fills the width (${inside.canvas} of ${width})`);
    assert.ok(inside.scroll <= inside.inner + 1, `no scrolling inside the frame (${inside.scroll} > ${inside.inner})`);
    assert.ok(inside.height >= height - 60, `the chart fills the height (${inside.height} of ${height})`);
    assert.ok(!inside.topbar && !inside.controls, "the chart alone");
    assert.match(inside.open, /#\/analysis\/r1\./, "a link to the analysis in the lab");
    await article.screenshot({ path: join(artifacts, `embed-${width}x${height}.png`) });
  }
  // The embed's "Data" link shows the plotted table in the frame, at phone
  // size, and the iframe grows to it; "Chart" goes back.
  const inFrame = article.frameLocator("iframe");
  await inFrame.getByTestId("embed-data").click();
  await inFrame.getByTestId("chart-data").waitFor();
  const rows = await inFrame.locator('[data-testid="chart-data"] tbody tr').count();
  assert.ok(rows >= 20, `${rows} rows in the data table`);
  let grown;
  for (let tries = 0; tries < 50; tries++) {
    const iframe = await article.evaluate(() => document.querySelector("iframe").getBoundingClientRect().height);
    const scroll = await article.frames()[1].evaluate(() => document.documentElement.scrollHeight);
    grown = { iframe, scroll };
    if (iframe > 400 && Math.abs(iframe - scroll) <= 2) break;
    await article.waitForTimeout(100);
  }
  assert.ok(grown.iframe > 400 && Math.abs(grown.iframe - grown.scroll) <= 2, `the frame grows to the table (${JSON.stringify(grown)})`);
  await article.screenshot({ path: join(artifacts, "embed-360-data.png") });
  await inFrame.getByTestId("embed-data").click();
  await inFrame.getByTestId("chart-canvas").waitFor();

  // Without the script the iframe keeps the height the article gave it.
  const fixed = snippet.replace(/\n<script>[\s\S]*<\/script>$/, "").replace('width="100%" height="480"', 'width="360" height="300"');
  assert.doesNotMatch(fixed, /<script>/);
  await article.goto(publish("fixed.html", `<!doctype html><meta charset="utf-8"><title>News</title>${fixed}`));
  await drawnIn(article.frameLocator("iframe"));
  await article.waitForTimeout(500);
  assert.equal(await article.evaluate(() => document.querySelector("iframe").getBoundingClientRect().height), 300);
  assert.deepEqual(errors, []);
  assert.deepEqual(lab.errors, []);
  await context.close();
});

// Pixels of the highlighted bar's blue and of the grey of the others in an
// image, counted in the page (PNG bytes or a canvas).
async function colours(page, source) {
  return page.evaluate(async (src) => {
    let canvas = document.querySelector('[data-testid="chart-canvas"]');
    if (src) {
      const img = new Image();
      img.src = src;
      await img.decode();
      canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      canvas.getContext("2d").drawImage(img, 0, 0);
    }
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let blue = 0;
    let grey = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === 0x00 && data[i + 1] === 0x72 && data[i + 2] === 0xb2) blue++;
      if (data[i] === 0x99 && data[i + 1] === 0x99 && data[i + 2] === 0x99) grey++;
    }
    return { blue, grey };
  }, source);
}

test("a subtitle, note, highlight and annotation ride in the link into an embed, a PNG and an SVG", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  await page.locator('[data-testid="curated"][data-id="growth"] [data-testid="curated-open"]').click();
  await drawnIn(page);
  // The axis is titled with what the column means, not its name.
  assert.match(await page.getByTestId("chart-description").innerText(), /Full-time equivalents, 2024 − 2010 \(FTE\)/);
  const furniture = {
    "chart-subtitle": "The 20 largest increases in full-time equivalents",
    "chart-note": "Agencies that merged are counted under their new name.",
    "chart-highlight": "Kriminalvården",
    "chart-annotation-at": "Kriminalvården",
    "chart-annotation": "Prisons and probation",
  };
  for (const [id, text] of Object.entries(furniture)) {
    await page.getByTestId(id).fill(text);
    await page.getByTestId(id).press("Tab");
  }
  await page.getByTestId("chart-values").check();
  let chart;
  for (let tries = 0; tries < 50 && !chart?.values; tries++) {
    chart = decodeLink(page.url().split("#/analysis/")[1]).chart;
    await page.waitForTimeout(100);
  }
  assert.equal(chart.subtitle, furniture["chart-subtitle"]);
  assert.equal(chart.note, furniture["chart-note"]);
  assert.deepEqual(chart.highlight, ["Kriminalvården"]);
  assert.deepEqual(chart.annotations, [{ at: "Kriminalvården", text: "Prisons and probation" }]);
  assert.equal(chart.values, true);
  await drawnIn(page);
  await page.screenshot({ path: join(artifacts, "furniture-1200.png") });

  // The SVG and the PNG carry it.
  const svg = (await download(page, page.getByTestId("export-svg"))).bytes.toString();
  for (const text of [furniture["chart-subtitle"], furniture["chart-note"], "Prisons and probation"]) {
    assert.ok(svg.includes(text), `the SVG has "${text}"`);
  }
  assert.match(svg, /fill="#0072B2"/i, "the highlighted bar in blue");
  const png = (await download(page, page.getByTestId("export-png"))).bytes;
  const inPng = await colours(page, `data:image/png;base64,${png.toString("base64")}`);
  assert.ok(inPng.blue > 500 && inPng.grey > inPng.blue * 3, `one bar blue, nineteen grey in the PNG (${JSON.stringify(inPng)})`);

  // The link opened as an embed on a phone: the same furniture, read out
  // in the description, and the same colours.
  const link = page.url().split("#/analysis/")[1];
  const embed = await context.newPage();
  await embed.setViewportSize({ width: 360, height: 800 });
  await embed.goto(page.url().replace(/#\/analysis\/.*/, `#/embed/${link}`));
  await drawnIn(embed);
  const words = await embed.getByTestId("chart-description").innerText();
  for (const text of [furniture["chart-subtitle"], "Highlighted: Kriminalvården", "At Kriminalvården: Prisons and probation", furniture["chart-note"]]) {
    assert.ok(words.includes(text), `the embed's description has "${text}": ${words}`);
  }
  const inEmbed = await colours(embed);
  assert.ok(inEmbed.blue > 100 && inEmbed.grey > inEmbed.blue * 3, `one bar blue in the embed (${JSON.stringify(inEmbed)})`);
  await embed.screenshot({ path: join(artifacts, "furniture-embed-360.png") });
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("an embed whose data is gone, unreadable or unreachable says so with the link", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  const page = lab.page;
  const base = page.url().split("/real/")[0];
  const fte = catalog.datasets.find((d) => d.id === "agency_fte").versions.at(-1).sha256;
  const recipe = {
    v: 1,
    inputs: [{ name: "agency_fte", dataset: "agency_fte", sha256: "0".repeat(64) }],
    steps: [{ op: "filter", predicate: { op: "compare", column: "year", cmp: "eq", value: 2024 } }],
    chart: { kind: "histogram", x: "fte", title: "FTE 2024" },
  };
  const removed = encodeLink(recipe);
  const message = async (path) => {
    await page.goto(`${base}${path}`);
    const error = page.getByTestId("embed-error");
    await error.waitFor({ timeout: 30_000 }).catch(async (e) => {
      throw new Error(`${path}: ${await page.locator("body").innerText()} (${e.message})`);
    });
    assert.match(await page.getByTestId("embed-open").getAttribute("href"), /#\/analysis\/r1\./);
    return error.innerText();
  };
  // A version the host no longer has.
  assert.match(await message(`/real/?lang=en#/embed/${removed}`), /no longer on the host \(agency_fte 000000000000\)/);
  await page.screenshot({ path: join(artifacts, "embed-removed-version.png") });
  // Following updates, the same link draws the newest version.
  await page.goto(`${base}/real/?lang=en#/embed/${removed}?follow`);
  await drawnIn(page);
  // A host that is down (its catalog answers 404), and data that cannot
  // be opened (the file was removed from the host).
  assert.match(await message(`/missing/?lang=en#/embed/${removed}`), /data could not be fetched/);
  // (In a fresh context: this one's browser cache holds the file by its
  // SHA-256, which the lab rightly trusts.)
  recipe.inputs[0].sha256 = fte;
  const fresh = await openLab(`/tampered/?lang=en#/embed/${encodeLink(recipe)}`, desktop);
  await fresh.lab.page.getByTestId("embed-error").waitFor({ timeout: 30_000 });
  assert.match(await fresh.lab.page.getByTestId("embed-error").innerText(), /could not be opened/);
  await fresh.context.close();
  // A recipe that fails, and a link that does not read.
  recipe.steps.push({ op: "sort", column: "nope" });
  assert.match(await message(`/real/?lang=en#/embed/${encodeLink(recipe)}`), /could not run/);
  assert.match(await message(`/real/?lang=en#/embed/r1.garbage`), /cannot be read/);
  await context.close();
});

test("exports read back in pyarrow and Python's csv module; the citation names every version", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  await page.locator('[data-testid="curated"][data-id="gender"] [data-testid="curated-open"]').click();
  await drawnIn(page);
    const out = mkdtempSync(join(tmpdir(), "datalabb-exports-"));
  const files = {};
  for (const testid of ["download-csv", "download-csv-sv", "download-arrow"]) {
    const { name, bytes } = await download(page, page.getByTestId(testid));
    files[testid] = join(out, `${testid}-${name}`);
    writeFileSync(files[testid], bytes);
  }
  // The table the second step makes (the join), as Arrow.
  const step = page.getByTestId("step").nth(1);
  await step.locator(".step-downloads summary").click();
  const joined = await download(page, step.getByTestId("step-download-arrow"));
  assert.equal(joined.name, "analysis-step-2.arrow");
  files.step = join(out, joined.name);
  writeFileSync(files.step, joined.bytes);
  const check = `
import csv, json, sys
import pyarrow.ipc as ipc
files = json.loads(sys.argv[1])
table = ipc.open_file(files["download-arrow"]).read_all()
with open(files["download-csv"], newline="", encoding="utf-8") as f:
    plain = list(csv.DictReader(f))
with open(files["download-csv-sv"], newline="", encoding="utf-8-sig") as f:
    swedish = list(csv.DictReader(f, delimiter=";"))
rows = table.to_pylist()
assert table.column_names == ["ministry", "women", "staff", "women_share", "women_percent"], table.column_names
assert len(rows) == len(plain) == len(swedish) > 5
for arrow, a, b in zip(rows, plain, swedish):
    assert arrow["ministry"] == a["ministry"] == b["ministry"]
    assert abs(arrow["women_percent"] - float(a["women_percent"])) < 1e-9
    assert abs(arrow["women_percent"] - float(b["women_percent"].replace(",", "."))) < 1e-9
    assert "." not in b["women_percent"]
joined = ipc.open_file(files["step"]).read_all()
assert {"org_nr", "ministry", "women", "total"} <= set(joined.column_names), joined.column_names
assert joined.num_rows > 100
print(len(rows), joined.num_rows)
`;
  const printed = execFileSync("python3", ["-c", check, JSON.stringify(files)]).toString();
  assert.match(printed, /^\d+ \d+/);

  // The citation: every input's version and SHA-256, the recipe's hash,
  // the link; the command reruns it.
  await page.getByTestId("cite-toggle").click();
  const citation = await page.getByTestId("citation").inputValue();
  const link = page.url();
  const recipe = decodeLink(link.split("#/analysis/")[1]);
  for (const input of recipe.inputs) assert.ok(citation.includes(input.sha256) && citation.includes(`version ${input.sha256.slice(0, 12)}`), citation);
  assert.match(citation, /^Datalabb analysis [0-9a-f]{12}: “.+” \(retrieved \d{4}-\d{2}-\d{2}\)\. Data: /);
  assert.ok(citation.endsWith(link), citation);
  assert.equal(await page.getByTestId("cite-command").inputValue(), `cargo run --release --bin datalabb -- run '${link}' --data public/data --out result.csv`);
  // The analysis as SQL: the same query the command line prints.
  const sql = await page.getByTestId("cite-sql").inputValue();
  const printed_sql = execFileSync(process.env.DATALABB_CLI, ["sql", link, "--data", published]).toString();
  const lines = printed_sql.trimEnd().split("\n");
  assert.equal(sql, lines.slice(0, -1).join("\n"));
  assert.match(sql, /^-- DataFusion\. Tables, each an Arrow file/);
  assert.match(sql, /JOIN "agencies" r ON regexp_replace/);
  // For a cluster: Spark SQL, as the command line prints it.
  await page.getByTestId("cite-sql-dialect").selectOption("spark");
  const spark = execFileSync(process.env.DATALABB_CLI, ["sql", link, "--data", published, "--dialect", "spark"]).toString();
  assert.equal(await page.getByTestId("cite-sql").inputValue(), spark.trimEnd().split("\n").slice(0, -1).join("\n"));
  assert.match(spark, /JOIN `agencies` r ON regexp_replace\(CAST\(l\.`org_nr` AS STRING\), '\[\^0-9\]', ''\)/);
  await page.locator('[data-testid="cite-panel"]').screenshot({ path: join(artifacts, "cite.png") });
  assert.deepEqual(lab.errors, []);
  await context.close();
});
