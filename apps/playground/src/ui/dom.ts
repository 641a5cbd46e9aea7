/**
 * The playground's DOM helpers are the inspector's: element creation, text updates that skip
 * unchanged text, and a once-per-frame scheduler. No framework: elements are made once and
 * updated in place by the code that owns them.
 */
export * from 'atelier/src/inspector/dom'
