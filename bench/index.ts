// Every benchmark by name: `npm run bench -- NAME` runs one, the smoke test runs each tiny.
import { load } from './load'
import { lookup } from './lookup'
import { pull } from './pull'
import { push } from './push'
import { renderer } from './renderer'
import { reports } from './reports'
import type { Bench } from './lib/report'

export const BENCHMARKS: Record<string, Bench> = { push, pull, load, lookup, renderer, reports }
