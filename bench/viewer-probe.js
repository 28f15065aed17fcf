// Runs in the viewer's page (evaluated by bench/viewer.ts): counts frames, the longest task, the worst lateness
// of a 50 ms timer and the most log rows in the DOM, until `probe.running` is set false.
(() => {
  const probe = { frames: 0, longestTaskMs: 0, worstTimerLagMs: 0, maxRows: 0, running: true };
  window.probe = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longestTaskMs = Math.max(probe.longestTaskMs, entry.duration);
  }).observe({ type: 'longtask' });
  const frame = () => {
    probe.frames += 1;
    probe.maxRows = Math.max(probe.maxRows, document.querySelectorAll('.row').length);
    if (probe.running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  let due = performance.now() + 50;
  const tick = () => {
    probe.worstTimerLagMs = Math.max(probe.worstTimerLagMs, performance.now() - due);
    due = performance.now() + 50;
    if (probe.running) setTimeout(tick, 50);
  };
  setTimeout(tick, 50);
})();
