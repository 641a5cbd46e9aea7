/**
 * What the Node scenario measures, apart from how it is built: every contender behind one
 * interface. This file imports nothing, so both sides can share it: `scenario.ts` (which
 * measures, with the browser suite's harness, under `bench/tsconfig.json`) and `contenders.ts`
 * (which builds the pools, with Node's types, under `bench/node/tsconfig.json`). The two cannot
 * be one TypeScript program: `@types/node` and the harness both declare the global `gc`, with
 * different types.
 */

export interface NodeContender {
  name: string
  /** The worker returns its argument: what a call costs is all messaging and bookkeeping. */
  echo(value: number): Promise<number>
  /** Every worker spawned, loaded and answering. */
  start(): Promise<void>
  /** Every worker terminated. */
  dispose(): Promise<void>
}

export interface BareOptions {
  /** Most calls posted and unanswered at once; the rest wait in a FIFO. @default Infinity */
  maxInFlight?: number
}

export interface AtelierOptions {
  maxInFlight?: number
  maxQueueDepth?: number
}

/** A pool of `poolSize` `worker_threads` workers per contender, each library as its own code. */
export interface NodeContenders {
  bare(name: string, poolSize: number, options?: BareOptions): NodeContender
  atelier(name: string, poolSize: number, options?: AtelierOptions): NodeContender
  piscina(name: string, poolSize: number): NodeContender
  tinypool(name: string, poolSize: number): NodeContender
  workerpool(name: string, poolSize: number): NodeContender
}
