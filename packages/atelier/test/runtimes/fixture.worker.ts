/**
 * The worker of the runtime matrix: one source, loaded as a web Worker (Chromium, Deno, Bun) or a
 * `worker_threads` Worker (Node, Deno, Bun). It uses nothing a runtime lacks: `serve` finds its
 * host, and gates travel on a BroadcastChannel.
 */
import { type StripTaskContext, serve, type TaskContext } from '../../src/worker'
import { GATE_CHANNEL, type GateMessage } from './gates'

/** This worker's name in `started` reports: tells a restarted worker from the first. */
const WORKER = `w-${Math.random().toString(36).slice(2, 10)}`

const channel = new BroadcastChannel(GATE_CHANNEL)
const say = (message: GateMessage) => channel.postMessage(message)
/** Gates released so far, and the handlers waiting on one. */
const released = new Map<string, unknown>()
const holding = new Map<string, (value: unknown) => void>()
channel.onmessage = (event: MessageEvent<GateMessage>) => {
  const message = event.data
  if (message.type === 'release') {
    released.set(message.gate, message.value)
    holding.get(message.gate)?.(message.value)
  } else if (message.type === 'crash' && holding.has(message.gate)) {
    die('throw')
  }
}

/** Waits until the test releases `gate`, having said it started. */
function waitRelease(gate: string): Promise<unknown> {
  say({ type: 'started', gate, worker: WORKER })
  if (released.has(gate)) return Promise.resolve(released.get(gate))
  return new Promise((resolve) => holding.set(gate, resolve))
}

type Process = { exit(code?: number): never }
const hostProcess = (globalThis as { process?: Process }).process

/**
 * Ends this worker the way a bug would: an uncaught error, `process.exit()` (Node, Deno, Bun),
 * or `self.close()` (web workers).
 */
function die(how: 'throw' | 'exit' | 'close'): void {
  if (how === 'throw') {
    setTimeout(() => {
      throw new Error('boom')
    })
  } else if (how === 'exit') {
    hostProcess!.exit(3)
  } else {
    ;(globalThis as unknown as { close(): void }).close()
  }
}

// The buffer this worker keeps between calls, to tell a transferred result from a copied one.
let kept = new ArrayBuffer(8)

const handlers = {
  add(a: number, b: number, _ctx: TaskContext): number {
    return a + b
  },
  async greet(name: string, _ctx: TaskContext): Promise<string> {
    return `hello, ${name}`
  },
  echo<T>(value: T, _ctx: TaskContext): T {
    return value
  },
  fail(message: string, _ctx: TaskContext): never {
    const error = new RangeError(message) as RangeError & { code: string }
    error.code = 'E_FIXTURE'
    throw error
  },
  whoami(_ctx: TaskContext): string {
    return WORKER
  },

  /** Holds until released; a cancellation rejects it and is reported with its reason's class. */
  hold(gate: string, ctx: TaskContext): Promise<unknown> {
    const release = waitRelease(gate)
    return new Promise((resolve, reject) => {
      release.then(resolve)
      ctx.signal.addEventListener('abort', () => {
        const reason = ctx.signal.reason as Error
        say({ type: 'aborted', gate, reason: reason.name })
        reject(reason)
      })
    })
  },
  /** Holds until released, ignoring its signal altogether: only `cancelGraceMs` frees it. */
  stubborn(gate: string, _ctx: TaskContext): Promise<unknown> {
    return waitRelease(gate)
  },
  /** Kills its worker (see `die`); the call itself never answers. */
  crash(how: 'throw' | 'exit' | 'close', _ctx: TaskContext): Promise<never> {
    die(how)
    return new Promise(() => {})
  },

  sum(bytes: Uint8Array, _ctx: TaskContext): number {
    let total = 0
    for (const byte of bytes) total += byte
    return total
  },
  makeBuffer(size: number, _ctx: TaskContext): ArrayBuffer {
    return new Uint8Array(size).fill(7).buffer
  },
  keptBuffer(_ctx: TaskContext): ArrayBuffer {
    return kept
  },
  keptByteLength(_ctx: TaskContext): number {
    return kept.byteLength
  },
  resetKept(_ctx: TaskContext): void {
    kept = new ArrayBuffer(8)
  },
  /** Answers every number sent on `port` with its double, once listening. */
  doubleOnPort(port: MessagePort, _ctx: TaskContext): string {
    port.onmessage = (event: MessageEvent<number>) => port.postMessage(event.data * 2)
    return 'listening'
  },

  async *count(n: number, _ctx: TaskContext): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) yield i
  },
  /** Yields for ever until its consumer leaves; reports what its signal said in `finally`. */
  async *endless(gate: string, ctx: TaskContext): AsyncGenerator<number> {
    say({ type: 'started', gate, worker: WORKER })
    try {
      for (let i = 0; ; i++) {
        yield i
        if (i % 16 === 15) await new Promise((resolve) => setTimeout(resolve))
      }
    } finally {
      const reason = ctx.signal.reason as Error | undefined
      say({ type: 'aborted', gate, reason: reason?.name ?? 'none' })
    }
  },
  /** Reports 1..n as progress, then answers n. */
  async steps(n: number, ctx: TaskContext): Promise<number> {
    for (let i = 1; i <= n; i++) {
      ctx.progress(i)
      await Promise.resolve()
    }
    return n
  },
}

export type FixtureAPI = StripTaskContext<typeof handlers>
serve(handlers)
