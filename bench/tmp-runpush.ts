import { push } from './push'
import { printTable } from './lib/report'
const sizes = process.argv[2]!.split(',').map(Number)
push({ smoke: false, sizes, postgresUrl: process.env['PG'] }).then((t) =>
  t.forEach((x) => console.log(printTable(x))),
)
