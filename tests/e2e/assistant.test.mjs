// The Claude assistant end to end: a fake Anthropic API on 127.0.0.1 with scripted tool_use answers,
// the REAL relay binary (target/debug/audience-proxy) serving the built app with --static-dir, and the
// whole conversation driven through the real panel in headless Chromium, down to segments on screen.
// Privacy: a fixture with a unique marker in every row (and a level held by one row); no body that reached the fake upstream may hold
// any row value, and no response to the browser may hold the API key. Answers are streamed (SSE): text
// shows before the message is complete, Stop keeps what arrived, and an error event or a dropped
// connection mid-stream keeps the partial text. Plus the error paths (429, 529, 401, malformed answers,
// an unreachable relay) and no panel (and no request) without a relay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage, screenshot, ROOT, DIST, FIXTURES, ARTIFACTS, whenReady } from './harness.mjs';

const KEY = 'sk-test-MARKER-KEY-0123456789';
const LONG = { timeout: 240000 };
const FIXTURE = join(FIXTURES, 'assistant-markers.csv');

// Every value of the columns that are unique per row, and the one rare level.
function rowMarkers() {
  const [header, ...rows] = readFileSync(FIXTURE, 'utf8').trim().split('\n').map((l) => l.split(','));
  const unique = ['customer_id', 'email', 'note', 'spend'].map((c) => header.indexOf(c));
  const markers = rows.flatMap((r) => unique.map((i) => r[i]));
  markers.push(...rows.map((r) => r[header.indexOf('note')].split(' ')[0]), 'RAREPLAN-ZZ9');
  return markers;
}

// --- the fake Anthropic API: records every request, answers from a script ---
// Streamed requests ("stream": true, as the app sends) are answered with server-sent events in the
// Messages API's shape, text deltas a few ms apart. `gate` (a promise) holds the stream half way
// through the text until the test resolves it; `streamed` counts the answers sent as SSE and `closed`
// the streams the client cut off.
const upstream = { bodies: [], headers: [], mode: 'script', gate: null, streamed: 0, closed: 0 };
function message(content, stop) {
  return { id: `msg_${upstream.bodies.length}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5',
    content, stop_reason: stop, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 5 } };
}
function toolUse(id, name, input) {
  return message([{ type: 'text', text: `Calling ${name}.` }, { type: 'tool_use', id, name, input }], 'tool_use');
}
function scripted(body) {
  const turns = body.messages.filter((m) => m.role === 'assistant').length;
  switch (turns) {
    case 0: return toolUse('tu_columns', 'describe_columns', {});
    case 1: return toolUse('tu_search', 'search_variables', { query: 'tech buyers by industry, region and plan' });
    case 2: return toolUse('tu_run', 'run_segmentation',
      { columns: ['industry', 'region', 'plan', 'visits', 'spend'], k: 4, min_share: 0.2, max_share: 0.3, seed: 7 });
    case 3: return toolUse('tu_profiles', 'get_segment_profiles', {});
    default: return message([{ type: 'text', text: 'Here are your 4 segments, ranked by conversion — café regulars first ☕.' }], 'end_turn');
  }
}
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** A message as the Messages API streams it: [event, data] pairs; text and tool input in small parts. */
function streamEvents(msg) {
  const events = [['message_start', { type: 'message_start', message: { ...msg, content: [], stop_reason: null,
    stop_sequence: null, usage: { input_tokens: msg.usage.input_tokens, output_tokens: 1 } } }]];
  msg.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      for (const part of block.text.match(/\S+\s*/g) ?? []) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } }]);
      }
    } else {
      events.push(['content_block_start', { type: 'content_block_start', index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }]);
      const json = JSON.stringify(block.input);
      for (let i = 0; i < json.length; i += 7) {
        events.push(['content_block_delta', { type: 'content_block_delta', index,
          delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 7) } }]);
      }
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    if (index === 0) events.push(['ping', { type: 'ping' }]);
  });
  events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: msg.stop_reason, stop_sequence: null },
    usage: { output_tokens: msg.usage.output_tokens } }]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}

/**
 * Streams `msg` as SSE. `cut` (an index into the text deltas) ends the stream early, with `ending`:
 * 'error' (an overloaded_error event), 'drop' (the connection is destroyed) or 'hold' (never finishes).
 */
async function streamAnswer(req, res, msg, { cut = Infinity, ending = null } = {}) {
  upstream.streamed += 1;
  let closed = false;
  res.on('close', () => { if (!res.writableFinished) { closed = true; upstream.closed += 1; } });
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const events = streamEvents(msg);
  const texts = events.filter(([, d]) => d.delta?.type === 'text_delta').length;
  let sentTexts = 0;
  const gate = upstream.gate;
  for (const [event, data] of events) {
    if (closed) return;
    if (data.delta?.type === 'text_delta') {
      if (sentTexts === cut) {
        if (ending === 'error') {
          res.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`);
        } else if (ending === 'drop') {
          res.destroy();
        }
        return; // 'hold': the stream stays open until the client goes away
      }
      if (gate && msg.stop_reason === 'end_turn' && sentTexts === Math.floor(texts / 2)) await gate;
      sentTexts += 1;
    }
    // Each event is written in two pieces, split at its middle byte (inside a UTF-8 character when
    // one is there), to exercise the reassembly.
    const bytes = Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const half = Math.floor(bytes.length / 2);
    res.write(bytes.subarray(0, half));
    res.write(bytes.subarray(half));
    await sleep(event === 'content_block_delta' ? 8 : 2);
  }
  res.end();
}

let fake;
let relay;
let relayUrl;
let browser;

function startFake() {
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      upstream.bodies.push(data);
      upstream.headers.push(req.headers);
      const json = (status, value, extra = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...extra }).end(JSON.stringify(value));
      };
      if (upstream.mode === '429') {
        json(429, { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit.' } }, { 'retry-after': '7' });
      } else if (upstream.mode === '529') {
        json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
      } else if (upstream.mode === '401') {
        // Echoes the key it got, as a careless upstream might: the relay must scrub it.
        json(401, { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${req.headers['x-api-key']}` } });
      } else if (upstream.mode === 'not-json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>upstream proxy page</html>');
      } else if (upstream.mode === 'not-a-message') {
        json(200, { id: 'msg_x', type: 'message', role: 'assistant', stop_reason: 'end_turn' });
      } else {
        const body = JSON.parse(data);
        const answer = upstream.mode === 'script' ? scripted(body)
          : message([{ type: 'text', text: 'Segment one is young urban renters who buy often; segment two is suburban families who buy rarely.' }], 'end_turn');
        if (!body.stream) {
          json(200, answer);
        } else if (upstream.mode === 'script' || upstream.mode === 'text') {
          streamAnswer(req, res, answer);
        } else {
          // 'hold', 'error' or 'drop' after the first three words.
          streamAnswer(req, res, answer, { cut: 3, ending: upstream.mode });
        }
      }
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

let relays = 0;
function startRelay(upstreamUrl) {
  const bin = join(ROOT, 'target', 'debug', 'audience-proxy');
  const child = spawn(bin, [
    '--listen', '127.0.0.1:0', '--upstream', upstreamUrl, '--static-dir', DIST, '--burst', '100',
    '--audit-log', join(tmpdir(), `assistant-e2e-audit-${process.pid}-${relays++}.jsonl`),
  ], { env: { ...process.env, ANTHROPIC_API_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((ok, fail) => {
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
      const m = err.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) ok({ child, url: m[1] });
    });
    child.on('exit', (code) => fail(new Error(`the relay exited (${code}): ${err}`)));
  });
}

before(async () => {
  // Up to date after `cargo test --workspace` (a no-op then); builds the relay otherwise.
  execFileSync('cargo', ['build', '-p', 'audience-proxy', '--locked', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  assert.ok(existsSync(join(DIST, 'index.html')), 'the app is built (scripts/build.sh)');
  fake = await startFake();
  const started = await startRelay(`http://127.0.0.1:${fake.address().port}`);
  relay = started.child;
  relayUrl = started.url;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  relay?.kill();
  await new Promise((ok) => (fake ? fake.close(ok) : ok()));
});

/** Opens the app from the relay, recording every response body the browser got. */
async function open(query) {
  const opened = await openPage(browser, `${relayUrl}/${query}`);
  const responses = [];
  opened.page.on('response', async (response) => {
    try {
      responses.push({ url: response.url(), headers: JSON.stringify(response.headers()), body: await response.text() });
    } catch { /* bodies of some responses (e.g. redirects) cannot be read */ }
  });
  return { ...opened, responses };
}

async function loadFixture(page) {
  await whenReady(page);
  await page.locator('#file-input').setInputFiles(FIXTURE);
  await page.locator('#row-count').waitFor({ timeout: 30000 });
}

async function say(page, text) {
  await page.locator('#assistant-input').fill(text);
  await page.locator('.draft-preview summary').click();
  const preview = JSON.parse(await page.locator('.preview-body').textContent());
  assert.equal(preview.messages.at(-1).content.at(-1).text, text, 'the live preview holds the draft');
  await page.locator('.assistant-send:not([disabled])').click();
}

test('a whole conversation through the real relay puts segments on screen, and no row value leaves', LONG, async () => {
  upstream.mode = 'script';
  upstream.bodies.length = 0;
  const { context, page, watch, responses } = await open('?relay=self');
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  await loadFixture(page);
  const streamedBefore = upstream.streamed;
  // The final answer stops half way until the test has seen its first half on screen.
  let release;
  upstream.gate = new Promise((ok) => { release = ok; });
  await say(page, 'Find tech buyers and split them into 4 segments');

  // Review is on by default: each tool-result round shows exactly what will be sent and waits for a click.
  for (const tool of ['describe_columns', 'search_variables', 'run_segmentation', 'get_segment_profiles']) {
    await page.locator('.send-results').waitFor({ timeout: 120000 });
    const pending = JSON.parse(await page.locator('.review-body').textContent());
    const results = pending.messages.at(-1).content.filter((b) => b.type === 'tool_result');
    assert.equal(results.length, 1);
    assert.ok(!results[0].is_error, `${tool} ran: ${results[0].content}`);
    await page.locator('.send-results').click();
  }
  // Streaming: the first half of the answer is on screen before the message is complete, in a log that
  // is busy (so screen readers announce the answer once, not per word), with a Stop button.
  const live = page.locator('.msg-live');
  await live.waitFor({ timeout: 30000 });
  await page.locator('.msg-live', { hasText: 'Here are your 4' }).waitFor({ timeout: 30000 });
  const partial = await live.textContent();
  assert.ok(!partial.includes('conversion'), `only the first half arrived: ${partial}`);
  assert.equal(await page.locator('.msg-claude', { hasText: 'Here are your' }).count(), 0, 'the message is not complete yet');
  assert.equal(await page.locator('[role=log]').getAttribute('aria-busy'), 'true');
  assert.equal(await page.locator('.assistant-stop').count(), 1);
  await page.locator('#assistant').screenshot({ path: join(ARTIFACTS, 'assistant-streaming.png') });
  release();
  upstream.gate = null;
  await page.locator('.msg-claude', { hasText: 'Here are your 4 segments, ranked by conversion — café regulars first ☕.' })
    .waitFor({ timeout: 30000 });
  assert.equal(await live.count(), 0);
  assert.equal(await page.locator('[role=log]').getAttribute('aria-busy'), 'false');
  assert.equal(await page.locator('.assistant-stop').count(), 0);
  assert.equal(upstream.streamed - streamedBefore, 5, 'all five answers came as streams');

  // The segments are on screen, as the Segment step shows them.
  await page.locator('#results-summary').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('.segment-card').count(), 4);
  assert.ok((await page.locator('#column-choices tbody tr').count()) > 0, 'the Variables step shows the search');

  // Five requests reached the upstream, with the key added by the relay, and each equals what the panel
  // showed as sent.
  assert.equal(upstream.bodies.length, 5);
  for (const h of upstream.headers) assert.equal(h['x-api-key'], KEY);
  for (const body of upstream.bodies) assert.equal(JSON.parse(body).stream, true);
  const shown = await page.locator('.sent-body').allTextContents();
  assert.equal(shown.length, 5);
  shown.forEach((text, i) => assert.deepEqual(JSON.parse(text), JSON.parse(upstream.bodies[i]), `request ${i + 1} as shown`));
  // describe_columns: frequent levels with counts, the rare plan folded, numbers rounded, IDs bare.
  const described = JSON.parse(JSON.parse(upstream.bodies[1]).messages.at(-1).content[0].content);
  const col = (name) => described.columns.find((c) => c.name === name);
  assert.deepEqual(col('plan').levels.map((l) => l.value).sort(), ['Basic', 'Pro']);
  assert.equal(col('plan').other_values, '1 other values, suppressed: fewer than 50 records each');
  assert.equal(col('industry').levels.length, 4);
  assert.equal(col('spend').count, 600);
  assert.ok(col('spend').mean > 0 && col('spend').std > 0, JSON.stringify(col('spend')));
  for (const id of ['customer_id', 'email']) {
    assert.deepEqual(Object.keys(col(id)).sort(), ['name', 'role', 'type', 'usable_for_segments'], id);
  }
  const last = JSON.parse(upstream.bodies[4]);
  const profiles = JSON.parse(last.messages.at(-1).content[0].content);
  assert.equal(profiles.personas.length, 4);
  assert.ok(profiles.personas.every((p) => p.size >= 50 && p.traits.every((t) => t.count >= 50)));

  // Privacy: no row value in any body that left the browser.
  const markers = rowMarkers();
  assert.ok(markers.length > 2400);
  for (const [i, body] of upstream.bodies.entries()) {
    for (const m of markers) assert.ok(!body.includes(m), `request ${i + 1} holds the row value ${m}`);
    assert.ok(!body.includes('MARKER-0'), `request ${i + 1} holds a marker`);
  }
  // The key never reaches the browser.
  assert.ok(responses.length > 5, 'responses were recorded');
  for (const r of responses) {
    assert.ok(!r.body.includes(KEY) && !r.headers.includes(KEY), `the key appears in ${r.url}`);
    assert.ok(!r.body.includes('sk-test-MARKER'), `part of the key appears in ${r.url}`);
  }
  assert.deepEqual(watch.cspViolations, []);
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(watch.foreignRequests, []);
  await screenshot(page, 'assistant-conversation');
  await page.locator('#assistant').screenshot({ path: join(ARTIFACTS, 'assistant-panel.png') });
  await context.close();
});

/** Waits until `check()` holds (polling; the test's own timeout bounds it). */
async function until(check, what) {
  while (!check()) await sleep(20);
  assert.ok(check(), what);
}

test('Stop ends a streaming answer, keeps what arrived marked as stopped, and the abort reaches the upstream', LONG, async () => {
  const { context, page, watch } = await open('?relay=self');
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  upstream.mode = 'hold';
  const closedBefore = upstream.closed;
  await say(page, 'describe the segments');
  await page.locator('.msg-live', { hasText: 'Segment one is' }).waitFor({ timeout: 20000 });
  await page.locator('.assistant-stop').click();
  const kept = page.locator('.msg-partial');
  await kept.waitFor({ timeout: 20000 });
  const text = await kept.textContent();
  assert.match(text, /^Claude: Segment one is\s+\(stopped: the rest was not received\)$/);
  assert.equal(await page.locator('.msg-live').count(), 0);
  assert.equal(await page.locator('.assistant-stop').count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'assistant-input', 'the keyboard stays in the panel');
  await page.locator('#assistant').screenshot({ path: join(ARTIFACTS, 'assistant-stopped.png') });
  // The relay passed the abort on: the upstream saw its stream closed by the client.
  await until(() => upstream.closed > closedBefore, 'the upstream stream was closed');
  // The panel takes the next message, and Claude is told what it had said.
  upstream.mode = 'text';
  const before = upstream.bodies.length;
  await say(page, 'go on');
  await page.locator('.msg-claude', { hasText: 'suburban families who buy rarely.' }).waitFor({ timeout: 20000 });
  const next = JSON.parse(upstream.bodies[before]);
  assert.deepEqual(next.messages.map((m) => [m.role, m.content.map((b) => b.text)]), [
    ['user', ['describe the segments']],
    ['assistant', ['Segment one is']],
    ['user', ['go on']],
  ]);
  upstream.mode = 'script';
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('an error event or a dropped connection mid-stream is a clear message and keeps the partial text', LONG, async () => {
  const { context, page, watch } = await open('?relay=self');
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  upstream.mode = 'error';
  await say(page, 'describe the segments');
  await page.locator('.msg-error', { hasText: 'Claude is overloaded and stopped mid-answer' }).waitFor({ timeout: 20000 });
  assert.match(await page.locator('.msg-error').last().textContent(),
    /overloaded_error: Overloaded\)\. The text that arrived is kept above; nothing else was run\./);
  assert.match(await page.locator('.msg-partial').last().textContent(),
    /^Claude: Segment one is\s+\(incomplete: the answer broke off\)$/);
  // The upstream drops the connection: the relay turns that into an error event at the end of the stream.
  upstream.mode = 'drop';
  await say(page, 'again');
  await page.locator('.msg-error', { hasText: "Claude's API failed mid-answer" }).waitFor({ timeout: 20000 });
  assert.match(await page.locator('.msg-error').last().textContent(), /the stream broke off/);
  assert.equal(await page.locator('.msg-partial').count(), 2);
  upstream.mode = 'script';
  await appStillWorks(page);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('a relay that goes away mid-answer is a clear message and keeps the partial text', LONG, async () => {
  // A relay of its own, stopped while an answer streams through it.
  const own = await startRelay(`http://127.0.0.1:${fake.address().port}`);
  // The relay serves the page too: it goes away only once the page and its workers have every file
  // (the warm-up worker starts when the catalog is in), so that only the answer breaks off.
  const network = { inFlight: 0, last: Date.now() };
  const { context, page, watch } = await openPage(browser, `${own.url}/?relay=self`, {}, async (context) => {
    const settled = () => { network.inFlight -= 1; network.last = Date.now(); };
    context.on('request', () => { network.inFlight += 1; network.last = Date.now(); });
    context.on('requestfinished', settled);
    context.on('requestfailed', settled);
  });
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  await page.locator('main[data-catalog="ready"]').waitFor({ state: 'attached', timeout: 60000 });
  while (network.inFlight > 0 || Date.now() - network.last < 1000) await page.waitForTimeout(100);
  upstream.mode = 'hold';
  await say(page, 'describe the segments');
  await page.locator('.msg-live', { hasText: 'Segment one is' }).waitFor({ timeout: 20000 });
  own.child.removeAllListeners('exit');
  const exited = new Promise((ok) => own.child.once('exit', ok));
  own.child.kill('SIGKILL'); // SIGTERM would wait for the open stream to end (graceful shutdown)
  await exited;
  const error = page.locator('.msg-error', { hasText: "Claude's answer did not finish" });
  await error.waitFor({ timeout: 20000 });
  assert.match(await error.textContent(),
    /the connection broke off after \d+ bytes of the answer \(.+\)\. The text that arrived is kept above; nothing else was run\./);
  assert.match(await page.locator('.msg-partial').textContent(), /^Claude: Segment one is\s+\(incomplete: the answer broke off\)$/);
  assert.equal(await page.locator('.assistant-send:not([disabled])').count(), 1, 'the panel takes the next message');
  upstream.mode = 'script';
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('429 and 529 from the upstream are clear messages in the panel and the app keeps working', LONG, async () => {
  const { context, page, watch } = await open('?relay=self');
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  upstream.mode = '429';
  await say(page, 'hello');
  await page.locator('.msg-error', { hasText: 'Too many requests (429): try again in 7 s.' }).waitFor({ timeout: 20000 });
  upstream.mode = '529';
  await say(page, 'hello again');
  await page.locator('.msg-error', { hasText: 'Claude is overloaded (529)' }).waitFor({ timeout: 20000 });
  upstream.mode = 'script';
  // The rest of the app still works: a file loads and the panel takes the next message.
  await loadFixture(page);
  assert.equal(await page.locator('#row-count').count(), 1);
  assert.equal(await page.locator('.assistant-send:not([disabled])').count(), 1);
  await screenshot(page, 'assistant-errors');
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

/** The rest of the app still works: a file loads and the panel takes the next message. */
async function appStillWorks(page) {
  await loadFixture(page);
  assert.equal(await page.locator('#row-count').count(), 1);
  await page.locator('#assistant-input').fill('still there?');
  assert.equal(await page.locator('.assistant-send:not([disabled])').count(), 1);
}

test('401 from the upstream says the relay\'s key was refused, without the key', LONG, async () => {
  const { context, page, watch, responses } = await open('?relay=self');
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  upstream.mode = '401';
  await say(page, 'hello');
  const error = page.locator('.msg-error', { hasText: 'The API key was refused (401)' });
  await error.waitFor({ timeout: 20000 });
  const text = await error.textContent();
  assert.match(text, /ANTHROPIC_API_KEY is missing, wrong or revoked/);
  assert.match(text, /authentication_error/);
  assert.ok(!text.includes(KEY) && !text.includes('sk-test-MARKER'), `the key is not shown: ${text}`);
  for (const r of responses) assert.ok(!r.body.includes(KEY) && !r.headers.includes(KEY), `the key appears in ${r.url}`);
  upstream.mode = 'script';
  await appStillWorks(page);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('a malformed upstream answer is a clear message and nothing is run', LONG, async () => {
  const { context, page, watch } = await open('?relay=self');
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  upstream.mode = 'not-json';
  await say(page, 'hello');
  await page.locator('.msg-error', { hasText: "The relay's answer is not JSON" }).waitFor({ timeout: 20000 });
  upstream.mode = 'not-a-message';
  await say(page, 'hello again');
  await page.locator('.msg-error', { hasText: "the relay's answer is not a Claude message (no content array)" })
    .waitFor({ timeout: 20000 });
  upstream.mode = 'script';
  assert.equal(await page.locator('#results-summary').count(), 0, 'nothing was run');
  await appStillWorks(page);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('an unreachable relay is a network message and the app keeps working', LONG, async () => {
  // A relay of its own, stopped once the page is up.
  const own = await startRelay(`http://127.0.0.1:${fake.address().port}`);
  const { context, page, watch } = await openPage(browser, `${own.url}/?relay=self`);
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  await whenReady(page);
  own.child.removeAllListeners('exit');
  const exited = new Promise((ok) => own.child.once('exit', ok));
  own.child.kill();
  await exited;
  const before = upstream.bodies.length;
  await say(page, 'hello');
  const error = page.locator('.msg-error', { hasText: 'Could not reach the relay at' });
  await error.waitFor({ timeout: 20000 });
  assert.match(await error.textContent(), new RegExp(`${own.url}/v1/messages \\(network error\\): is it running`));
  assert.equal(upstream.bodies.length, before, 'nothing reached the upstream');
  await appStillWorks(page);
  assert.deepEqual(watch.pageErrors, []);
  await context.close();
});

test('no relay configured: no panel and no request; a cross-origin relay is explained', LONG, async () => {
  const before = upstream.bodies.length;
  const { context, page, watch } = await open('');
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
  await loadFixture(page);
  assert.equal(await page.locator('#assistant').count(), 0, 'no panel without a relay');
  assert.equal(await page.locator('.assistant-settings').count(), 1, 'the settings control is there');
  assert.deepEqual(posts, []);
  assert.equal(upstream.bodies.length, before);
  await page.goto(`${relayUrl}/?relay=${encodeURIComponent('http://127.0.0.1:9')}`);
  await page.locator('#assistant [role=alert]', { hasText: 'another origin' }).waitFor({ timeout: 20000 });
  assert.equal(await page.locator('.assistant-send[disabled]').count(), 1);
  assert.deepEqual(watch.cspViolations, []);
  await context.close();
});

test('the panel has no WCAG 2 A/AA violations (axe-core)', LONG, async () => {
  const { createRequire } = await import('node:module');
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // axe is injected as a script, which the page's policy forbids: only this context bypasses it.
  const { context, page } = await openPage(browser, `${relayUrl}/?relay=self`, { bypassCSP: true });
  await page.locator('#assistant').waitFor({ timeout: 20000 });
  upstream.mode = '529';
  await say(page, 'hello');
  await page.locator('.msg-error').waitFor({ timeout: 20000 });
  await page.locator('.msg-sent summary').first().click();
  await page.locator('.assistant-settings summary').click();
  await page.addScriptTag({ content: axe });
  const check = () => page.evaluate(async () => {
    const result = await window.axe.run(document.querySelector('#assistant').parentElement,
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}: ${n.failureSummary}`));
  });
  assert.deepEqual(await check(), []);
  // While an answer streams in (busy log, Stop button), and after it was stopped.
  upstream.mode = 'hold';
  await say(page, 'describe the segments');
  await page.locator('.msg-live', { hasText: 'Segment one is' }).waitFor({ timeout: 20000 });
  assert.deepEqual(await check(), []);
  await page.locator('.assistant-stop').click();
  await page.locator('.msg-partial').waitFor({ timeout: 20000 });
  assert.deepEqual(await check(), []);
  upstream.mode = 'script';
  await context.close();
});
