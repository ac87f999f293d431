// A customer file large enough to be read by two workers (app/src/bridge/reader.rs SHARED_READ_BYTES: the
// engine worker reads the rows before the first line break after the file's middle, its reading helper
// the rows after it): the page shows the same counts, types and notes (with their line numbers) as for
// any file, and the clustered CSV gives back every row, every cell as written, from both halves. A file
// whose middle is inside a quoted field is read whole by the engine worker, with the same counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servedApp, download, whenReady, parseCsv } from './harness.mjs';

const app = servedApp();

const LONG = { timeout: 240000 };
const ROWS = 180000;
/** The reading helper starts at 24,000,000 bytes; the file is comfortably above. */
const SHARED_READ_BYTES = 24e6;
const HEADER = ['customer_id', 'age', 'gender', 'state', 'income', 'plan', 'tenure', 'address',
  'order_ref', 'channel', 'spend', 'visits', 'note', 'newsletter', 'city'];

/** Row `i`'s fields as written (quoted where they hold a comma, a quote or a line break). */
function fields(i) {
  const states = ['CA', 'TX', 'NY', 'FL', 'WA', 'IL', 'OH', 'GA', 'NC', 'MI'];
  const plans = ['basic', 'plus', 'premium annual plan with extras'];
  const channels = ['Email', 'Paid Search', 'Referral', 'Organic', 'Social'];
  const cities = ['Zürich', 'São Paulo', 'Austin', 'Kraków', 'Lyon'];
  const streets = ['Maple Grove', 'Old Mill', 'Riverside Park', 'Kingfisher', 'Elm', 'Harbour View', 'Chestnut Hill'];
  const note = i % 1000 === 7 ? 'two\nlines, "quoted"' : i % 3 === 0 ? '' : `note ${i % 50}`;
  return [
    `C${String(i).padStart(7, '0')}`,
    String(18 + (i * 7) % 60),
    ['F', 'M', 'X'][i % 3],
    states[(i * 13) % 10],
    `$${(20000 + ((i * 7919) % 1800) * 100).toLocaleString('en-US')}`,
    plans[i % 3],
    `${i % 12} years`,
    `${100 + (i % 9000)} ${streets[i % 7]} Street, Apartment ${i % 500}, ${cities[(i >> 3) % 5]}`,
    `R-${(i * 2654435761) % 4294967291}`,
    channels[(i * 3) % 5],
    ((i * 104729) % 500000 / 100).toFixed(2),
    String(i % 61),
    note,
    i % 4 === 0 ? 'yes' : 'no',
    cities[i % 5],
  ];
}

function csvLine(values) {
  return values.map((v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',');
}

/** Opens the app, keeping the engine worker's console warnings (it warns when it reads the helper's half
 *  itself). */
async function openWatchingWorkers() {
  const warnings = [];
  const opened = await app.open({}, '', async (context) => {
    context.pages()[0].on('worker', (worker) => worker.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    }));
  });
  return { ...opened, warnings };
}

test('a file read by two workers shows every row and exports every cell of both halves of its rows', LONG, async () => {
  const lines = [csvLine(HEADER)];
  for (let i = 0; i < ROWS; i += 1) {
    lines.push(csvLine(fields(i)));
    // A ragged row and a repeated header far down, after the middle: skipped and counted, as in any file.
    if (i === 100000) lines.push('too,few,fields', csvLine(HEADER));
  }
  const buffer = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  assert.ok(buffer.length > SHARED_READ_BYTES * 1.05, `${buffer.length} bytes`);
  const middleRow = buffer.subarray(0, buffer.length / 2).toString('utf8').split('\n').length - 2;
  assert.ok(middleRow > 80000 && middleRow < 100000, `the middle is on row ${middleRow}, before the bad row`);

  const { context, page, watch, warnings } = await openWatchingWorkers();
  await whenReady(page);
  await page.locator('#file-input').setInputFiles({ name: 'large-customers.csv', mimeType: 'text/csv', buffer });
  await page.locator('#row-count').waitFor(LONG);
  assert.equal(await page.locator('#row-count').textContent(), String(ROWS));
  assert.equal(await page.locator('#column-count').textContent(), String(HEADER.length));
  const types = await page.locator('#preview-table thead .column-type').allTextContents();
  assert.deepEqual(types, ['identifier', 'numeric', 'categorical', 'categorical', 'numeric', 'categorical', 'categorical',
    'categorical', 'identifier', 'categorical', 'numeric', 'numeric', 'categorical', 'binary', 'categorical']);
  const firstRow = await page.locator('#preview-table tbody tr:first-child td').allTextContents();
  assert.deepEqual(firstRow, fields(0));
  const notes = await page.locator('.notes').textContent();
  // Line numbers count the 100 notes with a line break above them.
  assert.match(notes, /skipped 1 repeated header line .* at line 100104/);
  assert.match(notes, /1 of 180001 rows could not be read as-is and were set aside \(line 100103\)/);

  await page.locator('#catalog-state', { hasText: 'catalog variables' }).waitFor({ timeout: 60000 });
  await page.locator('#audience-query').fill('loyal customers who spend a lot');
  await page.locator('#find-variables').click();
  await page.locator('#column-choices tbody tr').first().waitFor({ timeout: 60000 });
  for (const box of await page.locator('#column-choices input[type=checkbox]:checked').all()) await box.uncheck();
  for (const column of ['age', 'state', 'plan', 'channel', 'spend', 'newsletter']) {
    await page.locator(`#column-choices tr[data-column="${column}"] input[type=checkbox]`).check();
  }
  await page.locator('#run-segmentation').click();
  await page.locator('#results-summary').waitFor(LONG);
  const sizes = await page.locator('.segment-size').allTextContents();
  assert.equal(sizes.reduce((sum, size) => sum + Number(size), 0), ROWS, 'every row is in a segment');

  const clustered = parseCsv((await download(page, '#export-clustered-csv')).text);
  assert.equal(clustered.length, ROWS + 1, 'the header and every row');
  assert.deepEqual(clustered[0], [...HEADER, 'segment', 'segment_name']);
  for (let i = 0; i < ROWS; i += 1) {
    const row = clustered[i + 1].slice(0, HEADER.length);
    // Deep equality on 180,000 rows is slow in node:assert; compare as text and report the first mismatch.
    if (row.join('\u0001') !== fields(i).join('\u0001')) assert.deepEqual(row, fields(i), `row ${i}`);
  }
  assert.deepEqual(warnings.filter((text) => text.includes('reading helper')), [], 'the helper\'s rows were used');
  assert.deepEqual(watch.foreignRequests, []);
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.consoleErrors, []);
  await context.close();
});

test('a file whose middle is inside a quoted field is read whole by the engine worker with the same counts', LONG, async () => {
  const rows = ROWS;
  const lines = [csvLine(HEADER)];
  for (let i = 0; i < rows; i += 1) lines.push(csvLine(fields(i)));
  // A note of 40,000 short lines in quotes, placed so that the file's middle falls inside it.
  const note = Array.from({ length: 40000 }, (_, line) => `remark ${line}`).join('\n');
  const long = fields(rows);
  long[12] = note;
  const text = (at) => `${[...lines.slice(0, at), csvLine(long), ...lines.slice(at)].join('\n')}\n`;
  const before = Buffer.byteLength(`${lines.slice(0, rows / 2).join('\n')}\n`);
  const buffer = Buffer.from(text(rows / 2), 'utf8');
  const noteStart = before + buffer.subarray(before).indexOf('remark 0');
  assert.ok(noteStart < buffer.length / 2 && buffer.length / 2 < noteStart + note.length, 'the middle is in the note');
  assert.ok(buffer.length > SHARED_READ_BYTES * 1.05, `${buffer.length} bytes`);

  const { context, page, watch, warnings } = await openWatchingWorkers();
  await whenReady(page);
  await page.locator('#file-input').setInputFiles({ name: 'long-note.csv', mimeType: 'text/csv', buffer });
  await page.locator('#row-count').waitFor(LONG);
  assert.equal(await page.locator('#row-count').textContent(), String(rows + 1));
  assert.equal(await page.locator('#column-count').textContent(), String(HEADER.length));
  const notes = (await page.locator('.notes').allTextContents()).join('').trim();
  assert.equal(notes, '', 'nothing skipped, nothing to note');
  assert.ok(warnings.some((text) => text.includes('reading helper')), `the engine worker read the second half: ${warnings}`);
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.consoleErrors, []);
  await context.close();
});
