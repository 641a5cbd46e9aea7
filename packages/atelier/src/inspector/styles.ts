/**
 * The inspector's stylesheet, as a string: it goes into the inspector's shadow root, so no rule
 * of the app reaches in and none of these reaches out, and no bundler needs to know about CSS.
 * Colours are custom properties on the view; the canvas reads the same ones (see palette.ts).
 */

export const STYLES = `
/* The host resets everything it would inherit from the page: the panel looks the same anywhere. */
:host {
  all: initial;
}

:host([data-mode="embedded"]) {
  display: block;
  min-width: 0;
}

:host([data-mode="floating"]) {
  position: fixed;
  z-index: 2147483000;
}
:host([data-position^="top"]) {
  top: 12px;
}
:host([data-position^="bottom"]) {
  bottom: 12px;
}
:host([data-position$="left"]) {
  left: 12px;
}
:host([data-position$="right"]) {
  right: 12px;
}

*,
*::before,
*::after {
  box-sizing: border-box;
}

[hidden] {
  display: none !important;
}

/* The floating panel: a toggle in the corner, the view above it (below it, at the top). */
.dock {
  display: flex;
  flex-direction: column-reverse;
  align-items: flex-end;
  gap: 8px;
}
:host([data-position^="top"]) .dock {
  flex-direction: column;
}
:host([data-position$="left"]) .dock {
  align-items: flex-start;
}

.toggle {
  display: inline-flex;
  align-items: center;
  gap: 6px;
  height: 30px;
  padding: 0 12px 0 10px;
  border: 1px solid #c7d2fe;
  border-radius: 999px;
  background: #ffffff;
  color: #3730a3;
  font: 600 12px / 1 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  box-shadow: 0 2px 8px rgb(15 23 42 / 0.16);
  cursor: pointer;
}
.toggle:hover {
  background: #eef2ff;
}
.toggle:focus-visible {
  outline: 2px solid #4f46e5;
  outline-offset: 2px;
}
.toggle-mark {
  width: 10px;
  height: 10px;
  border-radius: 3px;
  background: linear-gradient(135deg, #4f46e5, #a5b4fc);
}

.panel {
  width: min(640px, calc(100vw - 24px));
  max-height: min(720px, calc(100vh - 66px));
  overflow: auto;
  overscroll-behavior: contain;
  padding: 12px 14px;
  border: 1px solid #e2e8f0;
  border-radius: 10px;
  background: #fbfcfe;
  box-shadow: 0 12px 32px rgb(15 23 42 / 0.22);
}

/* The view. */
.live-view {
  --lv-ok: #4f46e5;
  --lv-running: #a5b4fc;
  --lv-error: #dc2626;
  --lv-canceled: #d97706;
  --lv-alt: #0f766e;
  --lv-wait: #94a3b8;
  --lv-grid: #e2e8f0;
  --lv-text: #64748b;
  --lv-lane: #f8fafc;
  --lv-border: #e2e8f0;
  --lv-ink: #0f172a;
  --lv-muted: #64748b;
  --lv-surface: #ffffff;
  /* Pending calls by priority: the default one in the pending bar's usual colour. */
  --lv-user-blocking: #c026d3;
  --lv-user-visible: var(--lv-ok);
  --lv-background: #94a3b8;
  display: grid;
  gap: 12px;
  min-width: 0;
  /* Narrow or wide by the room the view has, not by the viewport: a panel is never the page. */
  container-type: inline-size;
  color: var(--lv-ink);
  font: 14px / 1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-variant-numeric: tabular-nums;
}

.lv-head {
  display: flex;
  flex-wrap: wrap;
  align-items: baseline;
  justify-content: space-between;
  gap: 4px 12px;
}

.lv-title {
  margin: 0;
  font-size: 15px;
}

.lv-subtitle {
  margin: 0 0 6px;
  font-size: 12px;
  font-weight: 600;
  color: var(--lv-muted);
  text-transform: uppercase;
  letter-spacing: 0.04em;
}

.lv-legend {
  display: flex;
  gap: 12px;
  margin: 0;
  padding: 0;
  list-style: none;
  font-size: 12px;
  color: var(--lv-muted);
}

.lv-legend li {
  display: flex;
  align-items: center;
  gap: 4px;
}

.lv-swatch {
  display: inline-block;
  width: 10px;
  height: 10px;
  border-radius: 2px;
}

.lv-swatch[data-tone="running"] {
  background: var(--lv-running);
}
.lv-swatch[data-tone="ok"] {
  background: var(--lv-ok);
}
.lv-swatch[data-tone="canceled"] {
  background: var(--lv-canceled);
}
.lv-swatch[data-tone="error"] {
  background: var(--lv-error);
}

.lv-swatch[data-priority="user-blocking"],
.lv-meter-segment[data-priority="user-blocking"] {
  background: var(--lv-user-blocking);
}
.lv-swatch[data-priority="user-visible"],
.lv-meter-segment[data-priority="user-visible"] {
  background: var(--lv-user-visible);
}
.lv-swatch[data-priority="background"],
.lv-meter-segment[data-priority="background"] {
  background: var(--lv-background);
}

.lv-task-list {
  display: grid;
  gap: 10px;
}

.lv-task {
  display: grid;
  gap: 8px;
  padding: 10px 12px;
  border: 1px solid var(--lv-border);
  border-radius: 8px;
  background: var(--lv-surface);
}

.lv-task-head {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px 8px;
  font-size: 12px;
}

.lv-task-name {
  margin: 0;
  font-size: 14px;
}

.lv-type,
.lv-workers {
  color: var(--lv-muted);
}

.lv-workers {
  margin-left: auto;
}

.lv-badge {
  padding: 1px 7px;
  border-radius: 999px;
  background: #f1f5f9;
  color: #334155;
  font-size: 11px;
  font-weight: 600;
}

.lv-badge[data-tone="running"],
.lv-badge[data-tone="active"] {
  background: #e0e7ff;
  color: #3730a3;
}
.lv-badge[data-tone="crashed"] {
  background: #fee2e2;
  color: #991b1b;
}
.lv-badge[data-tone="paused"] {
  background: #fef3c7;
  color: #92400e;
}

.lv-task-body {
  display: grid;
  grid-template-columns: minmax(170px, 1fr) minmax(0, 1.5fr);
  gap: 12px;
  align-items: start;
}

.lv-gauge {
  display: grid;
  grid-template-columns: auto 1fr auto;
  align-items: center;
  gap: 4px 8px;
  font-size: 12px;
}

.lv-meter-label {
  color: var(--lv-muted);
}

.lv-meter {
  height: 8px;
  border-radius: 4px;
  background: #eef2f7;
  overflow: hidden;
}

.lv-meter-fill {
  display: block;
  height: 100%;
  background: var(--lv-ok);
  transform-origin: left;
  transform: scaleX(0);
}

.lv-meter-value {
  min-width: 3.5em;
  text-align: right;
  font-weight: 600;
}

.lv-meter-stack {
  display: flex;
}

/* Widths come from flex-grow, set to each priority's count. */
.lv-meter-segment {
  flex: 0 0 0;
  height: 100%;
}

.lv-left {
  display: grid;
  gap: 6px;
}

.lv-means {
  display: flex;
  flex-wrap: wrap;
  gap: 2px 12px;
  margin: 0;
  font-size: 12px;
  color: var(--lv-muted);
}

.lv-means b {
  color: var(--lv-ink);
}

.lv-counters {
  display: grid;
  grid-template-columns: repeat(3, minmax(0, 1fr));
  gap: 2px 10px;
  margin: 0;
  font-size: 12px;
}

.lv-counter-groups {
  display: grid;
  gap: 2px;
}

.lv-caption {
  margin: 0;
  font-size: 10px;
  font-weight: 600;
  letter-spacing: 0.04em;
  text-transform: uppercase;
  color: var(--lv-muted);
}

.lv-caption + .lv-counters {
  margin-bottom: 4px;
}

.lv-counter {
  display: flex;
  justify-content: space-between;
  gap: 4px;
  border-bottom: 1px dotted var(--lv-border);
}

.lv-counter dt {
  color: var(--lv-muted);
}

/* One priority a line: their names are too long to share one. */
.lv-by-priority {
  grid-template-columns: minmax(0, 1fr);
}

.lv-counter dt .lv-swatch {
  width: 8px;
  height: 8px;
  margin-right: 4px;
}

.lv-counter dd {
  margin: 0;
  font-weight: 600;
}

.lv-lanes {
  display: block;
  width: 100%;
}

.lv-span-table {
  width: 100%;
  border-collapse: collapse;
  font-size: 12px;
}

.lv-span-table th {
  text-align: left;
  font-weight: 600;
  color: var(--lv-muted);
  border-bottom: 1px solid var(--lv-border);
  padding: 2px 6px 4px 0;
}

.lv-span-table td {
  padding: 2px 6px 2px 0;
  border-bottom: 1px solid #f1f5f9;
  white-space: nowrap;
}

.lv-span-table td[data-tone="ok"] {
  color: #3730a3;
}
.lv-span-table td[data-tone="error"] {
  color: #b91c1c;
}
.lv-span-table td[data-tone="canceled"] {
  color: #b45309;
}

.lv-empty {
  margin: 4px 0 0;
  font-size: 12px;
  color: var(--lv-muted);
}

@container (max-width: 400px) {
  .lv-task-body {
    grid-template-columns: 1fr;
  }
  /* When narrow, the recent calls give up their task column: the method mostly says as much. */
  .lv-spans .lv-span-table th:nth-child(1),
  .lv-spans .lv-span-table td:nth-child(1) {
    display: none;
  }
}
`

/**
 * Puts the stylesheet into `shadow`: a constructed sheet where the browser has them, which a
 * Content-Security-Policy without `'unsafe-inline'` still allows; a `<style>` element elsewhere.
 */
export function adoptStyles(shadow: ShadowRoot): void {
  if ('adoptedStyleSheets' in shadow && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(STYLES)
    shadow.adoptedStyleSheets = [sheet]
  } else {
    const style = document.createElement('style')
    style.textContent = STYLES
    shadow.append(style)
  }
}
