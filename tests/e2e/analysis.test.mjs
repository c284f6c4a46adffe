// An analysis built through the recipe panel on the real published data:
// agencies joined to their staff by year on org_nr, 2010–2024, summed by
// ministry. Its link opens the same table in a fresh page, back and forward
// walk through the edits, the downloads equal what the command-line tool
// writes for the same link, and hostile links are messages.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
const desktop = { viewport: { width: 1280, height: 1000 }, acceptDownloads: true };
const cli = process.env.DATALABB_CLI;
const published = process.env.DATALABB_PUBLISHED;

/** The result's status line, thin spaces as spaces. */
async function resultStatus(page, pattern) {
  await page.waitForFunction(
    ([source]) => new RegExp(source).test(document.querySelector('[data-testid="result-status"]')?.textContent.replaceAll("\u202f", " ") ?? ""),
    [pattern.source],
    { timeout: 30_000 },
  );
  return (await page.getByTestId("result-status").innerText()).replaceAll("\u202f", " ");
}

/** Waits until step `n` (from 0) reports its rows; returns them. */
async function stepRows(page, n) {
  const rows = page.getByTestId("step").nth(n).getByTestId("step-rows");
  await page.waitForFunction(
    (n) => /\d/.test(document.querySelectorAll('[data-testid="step"]')[n]?.querySelector('[data-testid="step-rows"]')?.textContent ?? ""),
    n,
    { timeout: 30_000 },
  );
  return (await rows.innerText()).replaceAll("\u202f", " ");
}

async function download(page, testid) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testid).click()]);
  return readFileSync(await file.path());
}

test("an analysis built in the panel opens again from its link and equals the command-line run", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  const page = lab.page;
  await lab.waitForCatalog("loaded");
  await lab.showDataset("agencies");
  await page.getByTestId("analyse").click();
  await page.getByTestId("analysis-page").waitFor();
  assert.match(await resultStatus(page, /^414 rows × 18 columns/), /done in/);

  // 1. Join the staff table; the keys are suggested (org_nr, digits only).
  await page.getByTestId("add-join").click();
  const joinStep = page.getByTestId("step").nth(0);
  await joinStep.getByTestId("join-dataset").selectOption("agency_staff");
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="step"] [data-testid="join-right"]')?.textContent.replaceAll("\u202f", " ").includes("/ 4 504"),
  );
  assert.equal(await joinStep.getByTestId("key-left").inputValue(), "org_nr");
  assert.equal(await joinStep.getByTestId("key-right").inputValue(), "org_nr");
  const stats = (await joinStep.getByTestId("join-stats").innerText()).replaceAll("\u202f", " ");
  assert.match(stats, /Linked \d+ \/ 414 left rows/);
  assert.match(stats, /share their key/, "staff has a row per year: the panel warns that rows repeat");

  // 2. Keep 2010–2024.
  await page.getByTestId("add-filter").click();
  const filter = page.getByTestId("step").nth(1);
  await filter.getByTestId("condition-column").selectOption("year");
  await filter.getByTestId("condition-op").selectOption({ label: "≥" });
  await filter.getByTestId("condition-value").fill("2010");
  await filter.getByTestId("add-condition").click();
  const second = filter.getByTestId("condition").nth(1);
  await second.getByTestId("condition-column").selectOption("year");
  await second.getByTestId("condition-op").selectOption({ label: "≤" });
  await second.getByTestId("condition-value").fill("2024");
  await second.getByTestId("condition-value").press("Tab");

  // 3. Sum FTE by ministry.
  await page.getByTestId("add-groupby").click();
  const group = page.getByTestId("step").nth(2);
  await group.getByTestId("group-column").selectOption("ministry");
  await group.getByTestId("measure-aggregate").selectOption({ label: "sum" });
  await group.getByTestId("measure-column").selectOption("fte");
  await group.getByTestId("measure-name").fill("fte");
  await group.getByTestId("measure-name").press("Tab");

  const status = await resultStatus(page, /^\d+ rows × 2 columns/);
  const filtered = await stepRows(page, 1);
  const rows = await lab.previewRows();
  assert.ok(rows.length > 5, `${rows.length} ministries`);
  // Sums written for reading in English: grouped thousands.
  assert.ok(rows.every((r) => r.length === 3 && /^\d{1,3}(,\d{3})*(\.\d+)?$/.test(r[2]) && Number(r[2].replaceAll(",", "")) > 0), JSON.stringify(rows));
  await lab.screenshot("analysis");

  // The downloads are the bytes the command-line tool writes for the link.
  const link = await page.getByTestId("analysis-link").inputValue();
  assert.match(link, /#\/analysis\/r1\./);
  const csv = await download(page, "download-csv");
  const arrow = await download(page, "download-arrow");
  assert.match(csv.toString(), /^ministry,fte\n/);
  if (cli && published) {
    const out = mkdtempSync(join(tmpdir(), "datalabb-run-"));
    for (const [name, bytes] of [["result.csv", csv], ["result.arrow", arrow]]) {
      execFileSync(cli, ["run", link, "--data", published, "--out", join(out, name)]);
      assert.ok(readFileSync(join(out, name)).equals(bytes), `${name} differs from the command-line run`);
    }
  } else {
    assert.fail("DATALABB_CLI and DATALABB_PUBLISHED must name the tool and the published data");
  }

  // Back undoes the last edit (typing the measure's name), forward redoes it.
  const name = () => page.getByTestId("step").nth(2).getByTestId("measure-name").inputValue();
  const untimed = (text) => text.replace(/done in \d+ ms/, "");
  await page.goBack();
  await page.waitForFunction((link) => location.href !== link, link);
  await resultStatus(page, /^\d+ rows × 2 columns/);
  assert.equal(await name(), "rows");
  await page.goForward();
  await page.waitForFunction((link) => location.href === link, link);
  assert.equal(untimed(await resultStatus(page, /^\d+ rows × 2 columns/)), untimed(status));
  assert.equal(await name(), "fte");

  // Edits faster than the worker: answers for a page or preview already
  // replaced are dropped, and the newest analysis is the one shown.
  for (let i = 0; i < 6; i++) {
    await page.goBack();
    await page.goForward();
  }
  await page.waitForFunction((link) => location.href === link, link);
  assert.equal(untimed(await resultStatus(page, /^\d+ rows × 2 columns/)), untimed(status));
  assert.deepEqual(lab.errors, []);

  // A fresh page opened on the link shows the identical table.
  const fresh = await context.browser().newContext(desktop);
  const other = await fresh.newPage();
  await other.goto(link);
  assert.equal(untimed(await resultStatus(other, /^\d+ rows × 2 columns/)), untimed(status));
  assert.equal(await stepRows(other, 1), filtered);
  const again = await other.getByTestId("preview-row").evaluateAll((rows) =>
    rows.map((row) => [...row.children].map((cell) => cell.textContent.replaceAll("\u202f", " "))),
  );
  assert.deepEqual(again, rows);
  assert.deepEqual(lab.errors, []);
  await fresh.close();
  await context.close();
});

/** A link holding `json` as the lab encodes it. */
function linkOf(json) {
  return `r1.${deflateRawSync(Buffer.from(JSON.stringify(json))).toString("base64url")}`;
}

test("hostile analysis links are messages and the lab stays usable", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  const page = lab.page;
  await lab.waitForCatalog("loaded");
  const base = page.url().split("#")[0];
  const cases = [
    ["r1.%%%not-base64", /damaged/],
    ["r7.abc", /encoding "r7"/],
    [`r1.${"A".repeat(1_500_000)}`, /damaged|larger/],
    [linkOf({ v: 1, inputs: [{ name: "x", dataset: "no_such", sha256: "0".repeat(64) }] }), /no dataset "no_such"/],
    [linkOf({ v: 1, inputs: [], steps: [{ op: "explode" }] }), /cannot be read/],
    [linkOf({ v: 99, inputs: [] }), /recipe version 99/],
    [linkOf({ v: 1, inputs: [{ name: "x", dataset: "agencies", sha256: "åäö".repeat(10) }] }), /has no version/],
  ];
  for (const [fragment, message] of cases) {
    await page.goto(`${base}#/analysis/${fragment}`);
    const shown = page.locator('[data-testid="analysis-error"], [data-testid="recipe-error"]');
    await shown.first().waitFor({ timeout: 30_000 });
    assert.match(await shown.first().innerText(), message, fragment.slice(0, 40));
  }
  // The lab still works: back to the catalog and open a dataset.
  await page.goto(`${base}#/`);
  await lab.waitForCatalog("loaded");
  await lab.openDataset("counties");
  assert.deepEqual(lab.errors, []);
  await context.close();
});
