/**
 * A live meter of the main thread, the one that draws the page and answers clicks. Frames come
 * from `requestAnimationFrame`: a dot crosses a track at a steady speed and every frame leaves a
 * bar as tall as it took, so a free main thread shows a gliding dot over a low, even carpet and
 * a blocked one shows a dot that jumps and tall bars. Long tasks (over 50 ms) come from a
 * `PerformanceObserver`, where the browser reports them.
 *
 * The meter measures only while it is on screen or recording, and draws only while on screen.
 */

import { h, setText } from './dom'

export interface FrameStats {
  durationMs: number
  frames: number
  /** The longest gap between two frames: how long the page could not repaint or react. */
  longestFrameMs: number
  /** Undefined where the browser does not report long tasks. */
  longTasks: number | undefined
  longestTaskMs: number | undefined
}

const HISTORY_MS = 5000
const HEIGHT = 80
const TRACK = 14
/** Frame times above this are drawn at full height. */
const SCALE_MS = 100
/** One crossing of the track, in ms: slow enough to follow, fast enough to show a jump. */
const CROSSING_MS = 2000
const BUDGET_MS = 1000 / 60
const LONG_TASK_MS = 50

const supportsLongTasks =
  typeof PerformanceObserver !== 'undefined' &&
  PerformanceObserver.supportedEntryTypes?.includes('longtask') === true

export function createFrameMeter() {
  const canvas = h('canvas', {
    class: 'frame-meter',
    role: 'img',
    'aria-label':
      'Main thread frames over the last 5 seconds: a bar per frame, as tall as the frame took',
  })
  const fps = h('b', { 'data-testid': 'fm-fps' }, '–')
  const longest = h('b', { 'data-testid': 'fm-longest-frame' }, '–')
  const longTasks = h('b', { 'data-testid': 'fm-long-tasks' }, supportsLongTasks ? '0' : 'n/a')
  const element = h(
    'div',
    { class: 'frame-meter-wrap' },
    canvas,
    h(
      'p',
      { class: 'frame-meter-stats' },
      h('span', null, fps, ' frames/s'),
      h(
        'span',
        { title: 'The longest time between two frames, over the last 5 s' },
        'longest frame ',
        longest,
      ),
      h(
        'span',
        { title: 'Main-thread tasks over 50 ms in the last 5 s (PerformanceObserver "longtask")' },
        'long tasks ',
        longTasks,
      ),
    ),
  )

  /** Frame start times and their durations, oldest first, over the last HISTORY_MS. */
  const frames: Array<{ t: number; ms: number }> = []
  const tasks: Array<{ t: number; ms: number }> = []
  interface Recording {
    from: number
    frames: number
    longest: number
    longTasks: number
    longestTask: number
  }
  const recordings = new Set<Recording>()
  let last = 0
  let handle = 0
  let visible = false

  const onLongTasks = (entries: PerformanceEntryList) => {
    for (const entry of entries) {
      tasks.push({ t: entry.startTime, ms: entry.duration })
      for (const r of recordings) {
        if (entry.startTime < r.from) continue
        r.longTasks++
        r.longestTask = Math.max(r.longestTask, entry.duration)
      }
    }
  }
  const observer = supportsLongTasks
    ? new PerformanceObserver((list) => onLongTasks(list.getEntries()))
    : undefined
  observer?.observe({ type: 'longtask' })

  function frame(now: number): void {
    handle = 0
    if (last > 0) {
      const ms = now - last
      frames.push({ t: last, ms })
      for (const r of recordings) {
        r.frames++
        r.longest = Math.max(r.longest, ms)
      }
    }
    last = now
    while (frames.length > 0 && frames[0]!.t < now - HISTORY_MS) frames.shift()
    while (tasks.length > 0 && tasks[0]!.t < now - HISTORY_MS) tasks.shift()
    if (visible) draw(now)
    schedule()
  }

  function schedule(): void {
    if (handle !== 0) return
    if (!visible && recordings.size === 0) {
      // Paused: the next frame's gap would be the pause, not a frame.
      last = 0
      return
    }
    handle = requestAnimationFrame(frame)
  }

  function draw(now: number): void {
    const recent = frames.filter((f) => f.t >= now - 1000)
    setText(
      fps,
      recent.length > 0 ? Math.round((recent.length * 1000) / (now - recent[0]!.t)) : '–',
    )
    const worst = frames.reduce((max, f) => Math.max(max, f.ms), 0)
    setText(longest, worst > 0 ? `${Math.round(worst)} ms` : '–')
    if (supportsLongTasks) setText(longTasks, tasks.length)

    const dpr = window.devicePixelRatio || 1
    const width = canvas.clientWidth
    if (width === 0) return
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(HEIGHT * dpr)) {
      canvas.width = Math.round(width * dpr)
      canvas.height = Math.round(HEIGHT * dpr)
    }
    const ctx = canvas.getContext('2d')!
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, width, HEIGHT)

    // The track and its dot, placed by the clock: it moves only when a frame is drawn.
    ctx.fillStyle = '#e2e8f0'
    ctx.fillRect(0, TRACK / 2 - 1, width, 2)
    const phase = (now % (2 * CROSSING_MS)) / CROSSING_MS
    const dotX = 6 + (phase <= 1 ? phase : 2 - phase) * (width - 12)
    ctx.fillStyle = '#4f46e5'
    ctx.beginPath()
    ctx.arc(dotX, TRACK / 2, 5, 0, Math.PI * 2)
    ctx.fill()

    // A bar per frame, as wide as the time it covered and as tall as it took.
    const plot = HEIGHT - TRACK - 2
    const x = (t: number) => width - ((now - t) / HISTORY_MS) * width
    const y = (ms: number) => HEIGHT - (Math.min(ms, SCALE_MS) / SCALE_MS) * plot
    for (const f of frames) {
      ctx.fillStyle =
        f.ms > LONG_TASK_MS ? '#dc2626' : f.ms > BUDGET_MS * 1.5 ? '#f59e0b' : '#a5b4fc'
      const left = x(f.t)
      ctx.fillRect(left, y(f.ms), Math.max(1, x(f.t + f.ms) - left - 0.5), HEIGHT - y(f.ms))
    }
    ctx.font = '10px system-ui, sans-serif'
    ctx.fillStyle = '#64748b'
    ctx.strokeStyle = '#94a3b8'
    ctx.setLineDash([3, 3])
    // Labelled at opposite ends, so the two close lines never share a label's room.
    for (const [ms, label, align] of [
      [BUDGET_MS, '16.7 ms (60 fps)', 'left'],
      [LONG_TASK_MS, '50 ms (long task)', 'right'],
    ] as const) {
      const py = Math.round(y(ms)) + 0.5
      ctx.beginPath()
      ctx.moveTo(0, py)
      ctx.lineTo(width, py)
      ctx.stroke()
      ctx.textAlign = align
      ctx.fillText(label, align === 'left' ? 2 : width - 2, py - 2)
    }
    ctx.setLineDash([])
  }

  new IntersectionObserver((entries) => {
    visible = entries.some((entry) => entry.isIntersecting)
    schedule()
  }).observe(canvas)

  return {
    element,
    /** Starts measuring a stretch of time (a run); `stop()` ends it and returns what it saw. */
    record(): { stop(): FrameStats } {
      const recording: Recording = {
        from: performance.now(),
        frames: 0,
        longest: 0,
        longTasks: 0,
        longestTask: 0,
      }
      recordings.add(recording)
      schedule()
      return {
        stop(): FrameStats {
          // Long tasks are reported after they end, in batches: collect any still undelivered.
          if (observer) onLongTasks(observer.takeRecords())
          recordings.delete(recording)
          const now = performance.now()
          // The frame still open when the run ended counts too: it may be the longest.
          const open = last > 0 && last >= recording.from ? now - last : 0
          return {
            durationMs: now - recording.from,
            frames: recording.frames,
            longestFrameMs: Math.max(recording.longest, open),
            longTasks: observer ? recording.longTasks : undefined,
            longestTaskMs: observer ? recording.longestTask : undefined,
          }
        },
      }
    },
  }
}

export type FrameMeter = ReturnType<typeof createFrameMeter>
