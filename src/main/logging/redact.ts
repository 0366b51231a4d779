/**
 * Takes secrets out of log text before it is written or handed to support: passwords, codes, tokens,
 * seeds and keys, whichever way they are written (key=value, JSON, headers, URLs, PEM blocks).
 * The rules err on the side of hiding: a support engineer never needs a secret's value.
 */
const SECRET_WORDS =
  'password|passwd|pwd|secret|seed|token|totp|otp|enrollmentCode|otpCode|totpCode|dataKey|privateKey|apiKey|api_key|authorization|cookie|sealed'

const RULES: [RegExp, string][] = [
  // PEM blocks (TLS keys, certificates).
  [/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '[REDACTED PEM]'],
  // otpauth:// URLs carry the TOTP secret.
  [/otpauth:\/\/[^\s"']+/gi, 'otpauth://[REDACTED]'],
  // Authorization: Bearer xxx / Basic xxx.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 [REDACTED]'],
  // "password": "…" and 'secret': '…' in JSON or object dumps (also camelCase like newPassword, seedSealed).
  [
    new RegExp(
      `(["']?[A-Za-z_-]*(?:${SECRET_WORDS})[A-Za-z_-]*["']?\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^\\s,}\\]]+)`,
      'gi',
    ),
    '$1"[REDACTED]"',
  ],
  // password=… in query strings, headers and key=value logs.
  [new RegExp(`\\b([A-Za-z_-]*(?:${SECRET_WORDS})[A-Za-z_-]*)=([^\\s&;,]+)`, 'gi'), '$1=[REDACTED]'],
  // x-token-desk-token: … and other secret-named headers.
  [new RegExp(`\\b([A-Za-z-]*(?:${SECRET_WORDS})[A-Za-z-]*:)\\s*([^\\s]+)`, 'gi'), '$1 [REDACTED]'],
  // Long hex strings (keys, hashes of secrets, sealed blobs) and long base32/base64 runs (TOTP secrets, seeds).
  [/\b[0-9a-fA-F]{32,}\b/g, '[REDACTED HEX]'],
  [/\b[A-Z2-7]{16,}={0,6}(?![A-Za-z0-9])/g, '[REDACTED BASE32]'],
  // A bare "code": 123456 (an approval's TOTP or a device's OTP).
  [/(["']?\bcode["']?\s*[:=]\s*["']?)\d{6,8}\b/gi, '$1[REDACTED]'],
]

/** Base64 runs (seeds, sealed values): long, and mixing digits with both cases, unlike words and paths. */
const BASE64_RUN = /[A-Za-z0-9+/]{32,}={0,2}/g
function looksEncoded(run: string): boolean {
  return /[0-9]/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run)
}

export function redactSecrets(text: string): string {
  let out = text
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement)
  return out.replace(BASE64_RUN, (run) => (looksEncoded(run) ? '[REDACTED BASE64]' : run))
}
