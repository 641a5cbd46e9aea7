/** workerpool's worker over the same ops. */
import * as workerpool from 'workerpool'
import { echo, thread } from './ops'

workerpool.worker({ echo, thread })
