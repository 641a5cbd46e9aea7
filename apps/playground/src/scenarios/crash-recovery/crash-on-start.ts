/**
 * The worker name the scenario gives a worker that must crash as soon as it starts. Shared by
 * the page (which names the worker) and the worker (which reads `self.name`), in a module of its
 * own so the page never imports the worker's code.
 */
export const CRASH_ON_START = 'flaky (crashes on start)'
