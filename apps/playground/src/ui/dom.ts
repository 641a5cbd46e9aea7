/**
 * The playground builds its DOM with the live view's helpers (the live view keeps them so it
 * can be copied out on its own). No framework: elements are made once and updated in place by
 * the code that owns them.
 */
export { type Child, frameScheduler, h, type Props, setText } from '../live-view/dom'
