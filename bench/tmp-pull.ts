import { pull } from './pull'
import { printTable } from './lib/report'
const sizes = process.argv[2]!.split(',').map(Number)
pull({ smoke: false, sizes, postgresUrl: process.env['PG'] }).then((t) =>
  t.forEach((x) => console.log(printTable(x))),
)
