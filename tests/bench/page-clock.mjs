// The page's own clock for the benchmarks: `watchPageClock(page)`, before the page navigates, records in
// `window.__marks` the time since navigation (ms) of each step: the user's action (`file`: the file input's
// change; `find-variables`, `run-segmentation`: the button's click, seen first, in the capture phase) and
// the first frame after its answer is in the DOM (`catalog`, `rows`, `suggested`, `results`: a
// MutationObserver, then the next animation frame and the task after it). The app's own time is measured
// between these, without the automation's latency (a command's round trip to the browser, a locator's
// polling). `window.__longestTask` keeps the longest main-thread task seen.

/** Installs the marks in every document `page` loads from now on. */
export function watchPageClock(page) {
  return page.addInitScript(() => {
    window.__marks = {};
    const mark = (name) => { window.__marks[name] ??= performance.now(); };
    const shown = (name) => {
      if (window.__marks[name] !== undefined || window.__marks[`${name}?`]) return;
      window.__marks[`${name}?`] = true;
      requestAnimationFrame(() => setTimeout(() => mark(name)));
    };
    document.addEventListener('change', (event) => { if (event.target?.id === 'file-input') mark('file'); }, true);
    document.addEventListener('click', (event) => {
      const id = event.target?.closest?.('button')?.id;
      if (id === 'find-variables' || id === 'run-segmentation') mark(id);
    }, true);
    new MutationObserver(() => {
      if (document.querySelector('main[data-catalog="ready"]')) shown('catalog');
      if (window.__marks.file !== undefined && document.querySelector('#row-count')) shown('rows');
      if (window.__marks['find-variables'] !== undefined && document.querySelector('#column-choices tbody tr')) shown('suggested');
      if (window.__marks['run-segmentation'] !== undefined && document.querySelector('#results-summary')) shown('results');
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-catalog'] });
    window.__longestTask = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longestTask = Math.max(window.__longestTask, entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}
