/**
 * Hostile arguments for fuzz tests of argument checks: values of every kind an app might pass by
 * mistake or on purpose, and options objects made of them.
 */

/** The engine's own words for a value used as the wrong type. */
const ENGINE_WORDS =
  /Cannot read prop|Cannot set prop|is not a function|is not iterable|Cannot convert|is not an object|is not a constructor|Cannot destructure|Invalid array length|Cannot perform|has been revoked/

/**
 * Whether `message` is the engine's rather than ours. Ours may quote the engine's after saying
 * what was being read (`…: reading x threw: TypeError: …`, `…: could not be read: …`).
 */
export function isEngineMessage(message: string): boolean {
  const own = message.split(/ threw: | could not be read: /)[0]!
  return ENGINE_WORDS.test(own)
}

/** A value of every kind an app might pass by mistake, or on purpose. */
export function hostileValue(random: () => number): unknown {
  const values: Array<() => unknown> = [
    () => undefined,
    () => null,
    () => Number.NaN,
    () => -1,
    () => 0,
    () => 1.5,
    () => 2 ** 53,
    () => Number.POSITIVE_INFINITY,
    () => '',
    () => 'yes',
    () => true,
    () => 10n,
    () => Symbol('s'),
    () => ({}),
    () => [],
    () => () => undefined,
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      return proxy
    },
    () => new Proxy({}, { get: () => 'anything' }),
    () => Object.create(null),
  ]
  return values[Math.floor(random() * values.length)]!()
}

/** An options object: some known keys and maybe an unknown one, values hostile, some getters. */
export function hostileOptions(random: () => number, known: readonly string[]) {
  const options: Record<string, unknown> = {}
  const keys: string[] = []
  const count = Math.floor(random() * 3) + 1
  for (let i = 0; i < count; i++) {
    const key = random() < 0.15 ? `${known[0]}x` : known[Math.floor(random() * known.length)]!
    keys.push(key)
    if (random() < 0.1) {
      Object.defineProperty(options, key, {
        enumerable: true,
        configurable: true,
        get() {
          throw new Error('getter threw')
        },
      })
    } else {
      Object.defineProperty(options, key, {
        enumerable: true,
        configurable: true,
        writable: true,
        value: hostileValue(random),
      })
    }
  }
  return { options, keys }
}
