/**
 * CSV that Japanese Excel opens as it is: UTF-8 with a byte-order mark (without it Excel reads
 * Shift_JIS and shows mojibake), CRLF line ends, every field in double quotes with quotes doubled.
 */
export const CSV_BOM = '\uFEFF'

export function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value)
  // A leading = + - @ would make Excel run the cell as a formula; a tab before it keeps it text.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `\t${text}` : text
  return `"${safe.replace(/"/g, '""')}"`
}

export function toCsv(header: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  const lines = [header, ...rows].map((cells) => cells.map(csvField).join(','))
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`
}
