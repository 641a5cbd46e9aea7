/**
 * piscina's and tinypool's worker: both load a module in a worker of their own and call the
 * export a call names (`run(arg, { name })`), so the module is only the ops.
 */
export { echo, thread } from './ops'
