// Finding an agency or a place, on the real published data: the start
// page's search box reaches the right page by name, by a typo, by an
// organisation number with its dash and by a municipality code, in both
// languages and at 375 px; an agency's page shows its panels, whose numbers
// equal `datalabb run` of each panel's link, and sentences made from them;
// a ministry's page lists its agencies; a panel's embed snippet shows its
// chart in an article on another origin.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { articleHost, artifacts, useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
const desktop = { viewport: { width: 1200, height: 1000 } };
const phone = { viewport: { width: 375, height: 800 } };
const published = process.env.DATALABB_PUBLISHED;

async function panelsReady(page, least) {
  const panels = page.getByTestId("entity-panel");
  await page.waitForFunction(
    (least) => {
      const all = [...document.querySelectorAll('[data-testid="entity-panel"]')];
      return all.length >= least && all.every((p) => p.dataset.state !== "running");
    },
    least,
    { timeout: 90_000 },
  );
  const states = await panels.evaluateAll((ps) => ps.map((p) => `${p.dataset.panel}:${p.dataset.state}`));
  assert.ok(states.every((s) => s.endsWith(":ready")), states.join(", "));
  return states.map((s) => s.split(":")[0]);
}

test("the search box reaches agencies and places by name, typo, number and code, in both languages at 375 px", async () => {
  for (const lang of ["sv", "en"]) {
    const { lab, context } = await openLab(`/real/?lang=${lang}`, phone);
    await lab.waitForCatalog("loaded");
    const page = lab.page;
    const cases = [
      ["Skatteverket", "agency", "2021005448", "Skatteverket"],
      ["skateverket", "agency", "2021005448", "Skatteverket"],
      ["202100-0035", "agency", "2021000035", "Justitiekanslern"],
      ["0180", "municipality", "0180", "Stockholms kommun"],
    ];
    for (const [i, [query, kind, key, name]] of cases.entries()) {
      await page.goto(page.url().split("#")[0] + "#/");
      const box = page.getByTestId("site-search");
      await box.fill(query);
      const first = page.locator('[data-testid="search-results"] [data-testid="search-hit"]').first();
      await first.waitFor({ timeout: 30_000 });
      assert.equal(await first.getAttribute("data-key"), key, `${lang} ${query}: the best hit`);
      if (i === 0) await page.screenshot({ path: join(artifacts, `search-${lang}-375.png`) });
      // The keyboard: down into the results, Enter follows the first.
      await box.press("ArrowDown");
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.key), key);
      await page.keyboard.press("Enter");
      await page.getByTestId("entity-name").waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId("entity-page").getAttribute("data-kind"), kind);
      assert.equal(await page.getByTestId("entity-key").innerText(), key);
      const shown = await page.getByTestId("entity-name").innerText();
      if (lang === "sv") assert.equal(shown, name);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `${lang} ${query}: the page is ${width} px wide`);
    }
    // Nothing found is said; Escape empties the box.
    await page.goto(page.url().split("#")[0] + "#/");
    await page.getByTestId("site-search").fill("zzqqxx");
    await page.getByTestId("search-none").waitFor();
    await page.getByTestId("site-search").press("Escape");
    assert.equal(await page.getByTestId("site-search").inputValue(), "");
    assert.deepEqual(lab.errors, []);
    await context.close();
  }
});

test("an agency's page: five panels whose numbers equal datalabb run, and sentences from them", async () => {
  const { lab, context } = await openLab("/real/?lang=en#/agency/2021000225", desktop);
  const page = lab.page;
  await page.getByTestId("entity-name").waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId("entity-name").innerText(), "Swedish Prison and Probation Service");
  const ids = await panelsReady(page, 5);
  assert.ok(ids.length >= 5, ids.join(", "));
  const findings = await page.getByTestId("finding").allInnerTexts();
  assert.match(findings[0], /^Swedish Prison and Probation Service grew by \d+% in full-time equivalents from 2010 to 2024 \(from [\d,]+ to [\d,]+; rounded to whole per cent\)\. By growth it ranks \d+(st|nd|rd|th) of \d+ agencies under Justitiedepartementet/);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="entity-chart"]')].every((c) => Number(c.dataset.drawn) > 0), null, { timeout: 60_000 });
  await page.screenshot({ path: join(artifacts, "agency-1200.png"), fullPage: true });

  // Each chart panel's numbers are its link's result in the command line.
  const dir = mkdtempSync(join(tmpdir(), "datalabb-entity-"));
  let compared = 0;
  for (const id of ids) {
    const panel = page.locator(`[data-testid="entity-panel"][data-panel="${id}"]`);
    if ((await panel.getByTestId("panel-table").count()) === 0) continue;
    const href = await panel.getByTestId("panel-open").getAttribute("href");
    const link = href.split("#/analysis/")[1];
    const out = join(dir, `${id}.arrow`);
    execFileSync(process.env.DATALABB_CLI, ["run", link, "--data", published, "--out", out]);
    const expected = JSON.parse(
      execFileSync("python3", ["-c", "import json, sys, pyarrow.ipc as ipc; t = ipc.open_file(sys.argv[1]).read_all(); print(json.dumps({'columns': t.column_names, 'rows': [list(r.values()) for r in t.to_pylist()]}, default=str))", out]).toString(),
    );
    const shown = await panel.getByTestId("panel-table").evaluate((table) => ({
      columns: [...table.querySelectorAll("th")].map((th) => th.textContent),
      rows: [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.getAttribute("data-value"))),
    }));
    assert.deepEqual(shown.columns, expected.columns, id);
    assert.ok(shown.rows.length > 0, id);
    shown.rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        const want = expected.rows[r][c];
        if (want === null) assert.equal(cell, null, `${id} [${r}, ${c}]`);
        else if (typeof want === "number") assert.ok(Math.abs(Number(cell) - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${id} [${r}, ${c}]: ${cell} vs ${want}`);
        else assert.equal(cell, String(want), `${id} [${r}, ${c}]`);
      }),
    );
    compared += 1;
  }
  assert.ok(compared >= 4, `${compared} panels compared`);

  // In Swedish, at 375 px.
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(page.url().replace("lang=en", "lang=sv"));
  await panelsReady(page, 5);
  const svenska = await page.getByTestId("finding").allInnerTexts();
  assert.match(svenska[0], /^Kriminalvården växte med \d+\u00a0% i årsarbetskrafter från 2010 till 2024/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the page is ${width} px wide`);
  await page.screenshot({ path: join(artifacts, "agency-375.png"), fullPage: true });
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("a ministry's page lists its agencies, each a link to its page", async () => {
  const { lab, context } = await openLab("/real/?lang=sv#/ministry/Justitiedepartementet", desktop);
  const page = lab.page;
  await page.getByTestId("entity-name").waitFor({ timeout: 30_000 });
  await panelsReady(page, 3);
  const members = page.locator('[data-panel="agencies"] [data-testid="member"]');
  assert.ok((await members.count()) >= 15, `${await members.count()} agencies`);
  const names = await members.allInnerTexts();
  assert.ok(names.includes("Kriminalvården") && names.includes("Polismyndigheten"), names.join(", "));
  assert.match((await page.getByTestId("finding").allInnerTexts())[0], /^De \d+ myndigheterna under Justitiedepartementet med siffror hade/);
  await page.locator('[data-panel="agencies"] [data-testid="member"]', { hasText: "Kriminalvården" }).click();
  await page.getByTestId("entity-name").waitFor();
  assert.equal(await page.getByTestId("entity-key").innerText(), "2021000225");
  // A key the data does not hold is a sentence, not an empty page.
  await page.goto(page.url().split("#")[0] + "#/agency/0000000000");
  await page.getByTestId("entity-missing").waitFor();
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("a panel's embed snippet shows its chart in an article on another origin", async (t) => {
  const { lab, context } = await openLab("/real/?lang=en#/agency/2021000035", desktop);
  const page = lab.page;
  await panelsReady(page, 5);
  const panel = page.locator('[data-testid="entity-panel"][data-panel="staff"]');
  await panel.getByTestId("panel-embed").click();
  const snippet = await panel.getByTestId("panel-snippet").inputValue();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/real\/\?lang=en#\/embed\/r1\.[\w-]+"/);
  const publish = await articleHost(t);
  const article = await context.newPage();
  await article.goto(publish("story.html", `<!doctype html><meta charset="utf-8"><title>News</title><h1>An article</h1>${snippet}`));
  await article.frameLocator("iframe").locator('[data-testid="chart-canvas"][data-chart-ms]').waitFor({ timeout: 60_000 });
  await article.screenshot({ path: join(artifacts, "entity-embed.png") });

  // A panel with a cluster step: its embed carries the clusters in words.
  const similar = page.locator('[data-testid="entity-panel"][data-panel="similar"]');
  const href = await similar.getByTestId("panel-open").getAttribute("href");
  await page.goto(href.replace("#/analysis/", "#/embed/"));
  await page.locator('[data-testid="chart-canvas"][data-chart-ms]').waitFor({ timeout: 60_000 });
  const caption = page.locator('[data-testid="embed-caption"] li');
  await caption.first().waitFor({ timeout: 30_000 });
  const said = await caption.allInnerTexts();
  assert.ok(said.length >= 4, said.join("\n"));
  said.slice(0, 4).forEach((s, i) => assert.match(s, new RegExp(`^Cluster ${i}: \\d+ of \\d+ rows`), s));
  await page.screenshot({ path: join(artifacts, "entity-embed-clusters.png") });
  assert.deepEqual(lab.errors, []);
  await context.close();
});
