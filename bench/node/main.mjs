// The Node scenario's process: `launch.mjs` bundles this file (with the TypeScript it imports)
// and runs it as `node --expose-gc main.mjs QUERY RESULT_FILE`. It joins the two halves that
// cannot share a TypeScript program (see contender.ts): the pools, built with Node's types, and
// the measuring, done with the browser suite's harness. The result goes to RESULT_FILE as JSON.

import { writeFile } from 'node:fs/promises'
import { contenders } from './contenders.ts'
import { run } from './scenario.ts'

const [query = '', resultFile] = process.argv.slice(2)
if (!resultFile) throw new Error('usage: node main.mjs QUERY RESULT_FILE')
const result = await run(contenders, new URLSearchParams(query))
await writeFile(resultFile, JSON.stringify(result))
