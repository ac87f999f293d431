// V8's report of each wasm function it compiled with its optimising tier (TurboFan), for
// tests/bench/trace-steps.mjs --compiles. Imported before playwright-core: Playwright passes the browser's
// own output only to its debug log, which reads DEBUG once when it loads. With --compiles on the command
// line this turns that log on for the browser's output, keeps V8's "using TurboFan" lines (with the time
// they arrived, Unix ms) and drops the rest of that log from the terminal.
export const compiled = [];

if (process.argv.includes('--compiles')) {
  process.env.DEBUG = [process.env.DEBUG, 'pw:browser'].filter(Boolean).join(',');
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk, ...rest) => {
    const text = String(chunk);
    if (!text.includes('pw:browser')) return write(chunk, ...rest);
    for (const line of text.split('\n')) {
      const match = /using TurboFan, took (\d+) μs.* name (.+)$/.exec(line);
      if (match) compiled.push({ at: Date.now(), us: Number(match[1]), name: match[2].trim() });
    }
    return true;
  };
}
