import { DEMO_STAFF, DEMO_SUPERVISOR_TOTP, generateDemoBank } from '../../src/core/demo/generator'

/**
 * The secrets the test suite handles: demo passwords, the supervisors' TOTP key, every demo token's
 * seed (as hex and base64). None may appear in a log line or an error message.
 */
export function knownSecrets(): { label: string; value: string }[] {
  const bank = generateDemoBank()
  const out: { label: string; value: string }[] = []
  for (const s of DEMO_STAFF) out.push({ label: `password of ${s.staffId}`, value: s.password })
  out.push({ label: 'supervisor TOTP secret', value: DEMO_SUPERVISOR_TOTP })
  for (const t of bank.stock) {
    out.push({ label: `seed of ${t.serial} (hex)`, value: t.seed.toString('hex') })
    out.push({ label: `seed of ${t.serial} (base64)`, value: t.seed.toString('base64') })
  }
  return out
}

/** The secrets found in a text, by label. */
export function secretsIn(text: string, secrets = knownSecrets()): string[] {
  return secrets.filter((s) => text.includes(s.value)).map((s) => s.label)
}
