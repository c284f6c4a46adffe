// A visitor's first minute: a dataset's page, its rows and summaries, the
// visitor's own files, and a table of a million rows.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { useLab } from "./harness.mjs";

const openLab = useLab({ before, after });
const desktop = { viewport: { width: 1280, height: 1000 } };

test("a published dataset's page shows columns, rows and summaries; sort, search and keys work", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  await lab.showDataset("municipalities");
  const page = lab.page;
  assert.match(page.url(), /#\/dataset\/municipalities$/);
  const columns = await page.getByTestId("dataset-columns").innerText();
  assert.match(columns, /municipality_code\s+key\s+Utf8/);
  assert.match(await page.getByTestId("dataset-versions").innerText(), /290 rows/);

  await page.getByTestId("open-dataset").click();
  assert.match(await lab.waitForStatus(/^290 rows · showing 1–14$/), /290/);
  let rows = await lab.previewRows();
  assert.deepEqual(rows[0].slice(0, 3), ["1", "0114", "Upplands Väsby kommun"]);

  // Summaries: 21 counties, most common first.
  const county = page.locator('[data-testid="summary-card"][data-column="county_code"]');
  assert.equal(await county.getByTestId("distinct").innerText(), "21");
  assert.match(await county.locator(".top li").first().innerText(), /14\s+49/);

  // Sort by name, descending on the second click; nulls never lead.
  const name = page.getByTestId("sort-column").nth(1);
  await name.click();
  await name.click();
  await page.waitForFunction(
    () => document.querySelector('[role="columnheader"][aria-sort="descending"]') !== null,
  );
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="preview-row"] [role="gridcell"]:nth-child(3)')?.textContent.startsWith("Ö"),
  );

  // Search in the worker, ignoring case and diacritics.
  await page.getByTestId("row-search").fill("UMEA");
  await lab.waitForStatus(/^1 row contains «UMEA»/);
  rows = await lab.previewRows();
  assert.equal(rows.length, 1);
  assert.equal(rows[0][2], "Umeå kommun");
  await page.getByTestId("row-search").fill("");
  await lab.waitForStatus(/^290 rows/);

  // The keyboard moves through the rows.
  await page.getByTestId("preview-grid").focus();
  await page.keyboard.press("End");
  await lab.waitForStatus(/showing 277–290$/);
  await page.keyboard.press("ArrowUp");
  await lab.waitForStatus(/showing 276–289$/);
  await page.keyboard.press("Home");
  await lab.waitForStatus(/showing 1–14$/);
  await lab.screenshot("dataset-page");

  // Swedish, and back to the list.
  await page.getByTestId("lang-sv").click();
  await lab.waitForStatus(/^290 rader · visar 1–14$/);
  await page.getByTestId("back").click();
  await lab.waitForCatalog("loaded");
  assert.deepEqual(lab.errors, []);
  await context.close();
});

// Semicolons, decimal comma, a thousands space, Windows-1252, CRLF, a
// quoted field holding the separator and a line break, a code with a
// leading zero.
const swedishCsv = Buffer.from(
  "Kommun;Kod;Invånare;Andel;Datum\r\n" +
    'Gävle;2180;"103 011";12,5;2024-01-31\r\n' +
    '"Umeå; stad\nnorr";0114;130 224;-0,25;2024-02-29\r\n' +
    "Kiruna;2584;22 423;n/a;\r\n",
  "latin1",
);

test("a Swedish CSV file opens with correct numbers, and a type can be corrected", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  const page = lab.page;
  await page.getByTestId("file-input").setInputFiles({ name: "kommuner.csv", mimeType: "text/csv", buffer: swedishCsv });
  await page.locator('[data-testid="dataset-page"][data-id="file:kommuner.csv"]').waitFor();
  await page.locator('[data-testid="dataset-load"][data-state="loaded"]').waitFor();
  assert.match(await page.getByTestId("dataset-summary").innerText(), /3 rows · 5 columns/);
  const types = await page.getByTestId("csv-types").innerText();
  assert.match(types, /Separator: «;» · Encoding: Windows-1252/);
  assert.ok(await page.getByTestId("decimal-comma").isChecked());

  const rows = await lab.previewRows();
  // Numbers in the page's language (English): thousands grouped; codes and years stay.
  assert.deepEqual(rows[0], ["1", "Gävle", "2180", "103,011", "12,5", "2024-01-31"]);
  assert.equal(rows[1][1], "Umeå; stad\nnorr");
  assert.equal(rows[1][2], "0114");
  // "n/a" keeps the share column as text until the visitor says otherwise.
  assert.equal(rows[2][4], "n/a");
  const share = page.locator('[data-testid="csv-column"][data-name="Andel"]');
  await share.locator("select").selectOption("decimal");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="csv-column"][data-name="Andel"] td.num')?.textContent.startsWith("1"),
  );
  assert.match(await share.innerText(), /1 \(line 4: «n\/a»\)/);
  const retyped = await lab.previewRows();
  // One precision for the column (the decimals its values need), a minus sign.
  assert.deepEqual([retyped[0][4], retyped[1][4], retyped[2][4]], ["12.50", "−0.25", "–"]);
  const mean = page.locator('[data-testid="summary-card"][data-column="Andel"]').getByTestId("mean");
  assert.match(await mean.innerText(), /mean: 6\.125/);
  await lab.screenshot("csv-file");

  // A broken file says what is wrong and keeps the one loaded.
  await page.getByTestId("back").click();
  await page.getByTestId("file-input").setInputFiles({ name: "empty.csv", mimeType: "text/csv", buffer: Buffer.alloc(0) });
  await page.locator('[data-testid="dataset-page"][data-id="file:empty.csv"] [data-testid="dataset-error"]').waitFor();
  assert.match(await page.getByTestId("dataset-error").innerText(), /empty\.csv: the file is empty/);
  await page.getByTestId("back").click();
  assert.match(await page.getByTestId("loaded-panel").innerText(), /file:kommuner\.csv\s+3 rows/);
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("a file dropped on the page opens", async () => {
  const { lab, context } = await openLab("/real/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  await lab.page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(["a,b\n1,x\n2,y\n"], "dropped.csv", { type: "text/csv" }));
    const main = document.querySelector("main");
    main.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    main.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  await lab.page.locator('[data-testid="dataset-page"][data-id="file:dropped.csv"]').waitFor();
  await lab.waitForStatus(/^2 rows/);
  assert.deepEqual((await lab.previewRows())[1], ["2", "2", "y"]);
  assert.deepEqual(lab.errors, []);
  await context.close();
});

test("the preview scrolls to the last of a million rows", async () => {
  const { lab, context } = await openLab("/million/?lang=en", desktop);
  await lab.waitForCatalog("loaded");
  await lab.showDataset("million");
  const page = lab.page;
  await page.getByTestId("open-dataset").click();
  await lab.waitForStatus(/^1 000 000 rows · showing 1–14$/, 120_000);

  // By the keyboard...
  await page.getByTestId("preview-grid").focus();
  await page.keyboard.press("End");
  await lab.waitForStatus(/showing 999 987–1 000 000$/);
  let rows = await lab.previewRows();
  assert.deepEqual(rows.at(-1).slice(0, 2), ["1 000 000", "1,000,000"]);

  // ... and by the scrollbar, which the browser caps in height.
  await page.keyboard.press("Home");
  await lab.waitForStatus(/showing 1–14$/);
  const height = await page.getByTestId("preview-grid").evaluate((grid) => {
    grid.scrollTop = grid.scrollHeight;
    return grid.scrollHeight;
  });
  assert.ok(height < 10_000_000, `the scroll area stays below browser limits (${height} px)`);
  await lab.waitForStatus(/showing 999 987–1 000 000$/);
  rows = await lab.previewRows();
  assert.equal(rows.at(-1)[0], "1 000 000");

  // Sorting a million rows: the largest id first.
  const id = page.getByTestId("sort-column").first();
  await id.click();
  await id.click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="preview-row"] [role="gridcell"]')?.textContent === "1,000,000",
    null,
    { timeout: 60_000 },
  );
  await lab.screenshot("million-rows");
  assert.deepEqual(lab.errors, []);
  await context.close();
});
