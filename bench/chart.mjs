// Horizontal bar charts of the headline ratios, as hand-written SVG (no dependencies), from
// bench/results/latest.json: bench/results/{throughput,latency,latency-same-threads,makespan}.svg. bench/run.mjs
// calls writeCharts() after each run; `node bench/chart.mjs` redraws them from the saved results.

import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const RESULTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results')

/** One chart per scenario; `clip`: the axis ends there and longer bars are drawn broken. */
const CHARTS = [
  {
    scenario: 'throughput',
    title: 'Throughput: tiny calls, all issued at once',
    subtitle: 'time per call ÷ bare postMessage · lower is better',
    clip: 6,
  },
  {
    scenario: 'latency',
    title: 'Latency: sequential round trips',
    subtitle: 'time per call ÷ bare postMessage, each on its own 2 threads · lower is better',
    clip: 3,
    rows: (row) => row.baseline === undefined,
  },
  {
    scenario: 'latency',
    file: 'latency-same-threads',
    title: 'Latency: Atelier and the floor on the same 2 threads',
    subtitle: 'time per call ÷ bare postMessage on those threads · lower is better',
    clip: 2,
    rows: (row) => row.baseline !== undefined,
  },
  {
    scenario: 'makespan',
    title: 'Makespan: 48 uneven CPU tasks on 2 workers',
    subtitle: 'makespan ÷ ideal (total work ÷ 2 workers) · lower is better',
    clip: 3,
  },
]

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
const COLORS = {
  atelier: '#4f46e5',
  baseline: '#64748b',
  peer: '#94a3b8',
  text: '#0f172a',
  muted: '#64748b',
  grid: '#e2e8f0',
  reference: '#334155',
  target: '#dc2626',
  pass: '#15803d',
  miss: '#dc2626',
}

const escapeXml = (text) =>
  String(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  )

/** Rough text width: SVG cannot measure, and this only sizes the label column. */
const textWidth = (text, size) => text.length * size * 0.56

/** A tick step giving about 5–8 ticks up to `max`. */
function tickStep(max) {
  for (const step of [0.25, 0.5, 1, 2, 5, 10]) if (max / step <= 8) return step
  return 20
}

/**
 * The SVG for one scenario's result: one bar per measured row (rows without samples, such as a
 * fixed `ideal`, become the reference line at 1×), Atelier's in colour, the target as a dashed
 * line with each targeted row's PASS/MISS.
 */
export function renderChart(result, chart) {
  const rows = result.rows.filter(
    (row) => row.samples?.length && row.ratio !== undefined && (chart.rows?.(row) ?? true),
  )
  const targeted = rows.filter((row) => row.target)
  const reference = targeted[0]?.target.of ?? result.rows[0]?.name ?? 'baseline'
  const targetMax = targeted.length ? Math.max(...targeted.map((row) => row.target.max)) : undefined
  const largest = Math.max(...rows.map((row) => row.ratio), targetMax ?? 0, 1)
  const axisMax = Math.min(chart.clip, Math.ceil(largest / tickStep(largest)) * tickStep(largest))
  const step = tickStep(axisMax)

  const fontSize = 13
  const labelWidth = Math.ceil(Math.max(...rows.map((row) => textWidth(row.name, fontSize)))) + 16
  const left = 24 + labelWidth
  const plotWidth = 460
  const right = 110
  const width = left + plotWidth + right
  const top = 100
  const barHeight = 20
  const gap = 10
  const plotHeight = rows.length * (barHeight + gap) - gap
  const height = top + plotHeight + 70
  const x = (ratio) => left + (Math.min(ratio, axisMax) / axisMax) * plotWidth

  const halo = 'stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'
  const grid = []
  const bars = []
  const lines = []
  const labels = []

  for (let tick = 0; tick <= axisMax + 1e-9; tick += step) {
    const tx = x(tick)
    grid.push(
      `<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${top + plotHeight + 6}" stroke="${COLORS.grid}"/>`,
      `<text x="${tx}" y="${top + plotHeight + 22}" text-anchor="middle" fill="${COLORS.muted}" font-size="11">${tick}×</text>`,
    )
  }

  rows.forEach((row, i) => {
    const y = top + i * (barHeight + gap)
    const baselineY = y + barHeight / 2 + 4.5
    const isAtelier = row.name.startsWith('Atelier')
    const isBaseline = row.name === reference || row.name.startsWith('bare')
    const fill = isAtelier ? COLORS.atelier : isBaseline ? COLORS.baseline : COLORS.peer
    const weight = isAtelier ? ' font-weight="600"' : ''
    const end = x(row.ratio)
    const clipped = row.ratio > axisMax
    labels.push(
      `<text x="${left - 10}" y="${baselineY}" text-anchor="end" fill="${COLORS.text}"${weight}>${escapeXml(row.name)}</text>`,
    )
    bars.push(
      `<rect x="${left}" y="${y}" width="${Math.max(end - left, 1)}" height="${barHeight}" rx="3" fill="${fill}"/>`,
    )
    if (clipped) {
      // A white double zig-zag near the bar's end: the bar goes on past the axis.
      const bx = end - 18
      const h = barHeight / 2 + 1
      bars.push(
        `<path d="M${bx} ${y - 1} l5 ${h} l-5 ${h} M${bx + 6} ${y - 1} l5 ${h} l-5 ${h}" stroke="#ffffff" stroke-width="2.5" fill="none"/>`,
      )
    }
    const label = `${row.ratio.toFixed(2)}×${clipped ? ' →' : ''}`
    labels.push(
      `<text x="${end + 6}" y="${baselineY}" fill="${COLORS.text}"${weight} ${halo}>${escapeXml(label)}</text>`,
    )
    if (row.target) {
      const pass = row.ratio <= row.target.max
      labels.push(
        `<text x="${end + 14 + label.length * fontSize * 0.62}" y="${baselineY}" fill="${pass ? COLORS.pass : COLORS.miss}" font-weight="700" font-size="11" ${halo}>${pass ? 'PASS' : 'MISS'}</text>`,
      )
    }
  })

  // The reference (1×) and the target, over the bars, under the labels.
  const rx = x(1)
  lines.push(
    `<line x1="${rx}" y1="${top - 10}" x2="${rx}" y2="${top + plotHeight + 6}" stroke="${COLORS.reference}" stroke-width="1.5"/>`,
  )
  labels.push(
    `<text x="${rx - 5}" y="${top - 15}" text-anchor="end" fill="${COLORS.reference}" font-size="11" ${halo}>1× = ${escapeXml(reference)}</text>`,
  )
  if (targetMax !== undefined) {
    const tx = x(targetMax)
    const who = targeted.map((row) => row.name).join(', ')
    lines.push(
      `<line x1="${tx}" y1="${top - 24}" x2="${tx}" y2="${top + plotHeight + 6}" stroke="${COLORS.target}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    )
    const text = `target: ${who} ≤ ${targetMax.toFixed(2)}×`
    // Right of the line if it fits, else ending at it.
    const fits = tx + 5 + textWidth(text, 11) <= width - 8
    labels.push(
      `<text x="${fits ? tx + 5 : tx - 5}" y="${top - 29}" text-anchor="${fits ? 'start' : 'end'}" fill="${COLORS.target}" font-size="11">${escapeXml(text)}</text>`,
    )
  }

  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family='${FONT}' font-size="${fontSize}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="24" y="30" font-size="17" font-weight="600" fill="${COLORS.text}">${escapeXml(chart.title)}</text>`,
    `<text x="24" y="50" fill="${COLORS.muted}">${escapeXml(chart.subtitle)}</text>`,
    ...grid,
    ...bars,
    ...lines,
    ...labels,
  ]
  const env = result.environment ?? {}
  const machine = [
    env.cpus ? `${env.cpus} cores` : '',
    env.chromium ? `headless Chromium ${env.chromium}` : '',
    `${result.rounds} interleaved rounds`,
    result.ranAt ? result.ranAt.slice(0, 10) : '',
  ]
    .filter(Boolean)
    .join(' · ')
  out.push(
    `<text x="24" y="${height - 18}" fill="${COLORS.muted}" font-size="11">${escapeXml(machine)}</text>`,
    '</svg>',
  )
  return `${out.join('\n')}\n`
}

/** Writes a chart for each charted scenario present in `scenarios` (latest.json's). */
export async function writeCharts(scenarios, dir = RESULTS) {
  const written = []
  for (const chart of CHARTS) {
    const result = scenarios[chart.scenario]
    if (!result) continue
    const file = path.join(dir, `${chart.file ?? chart.scenario}.svg`)
    await writeFile(file, renderChart(result, chart))
    written.push(file)
  }
  return written
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const latest = JSON.parse(await readFile(path.join(RESULTS, 'latest.json'), 'utf8'))
  const written = await writeCharts(latest.scenarios ?? {})
  for (const file of written) console.log(`Wrote ${path.relative(process.cwd(), file)}`)
}
