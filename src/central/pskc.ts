import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto'
import { XMLParser } from 'fast-xml-parser'

/**
 * RFC 6030 Portable Symmetric Key Containers, as token vendors deliver seeds: plain secrets,
 * AES-128/192/256-CBC with a pre-shared key, or a PBKDF2 password-derived key; HOTP and TOTP. When a
 * MAC is present it is checked for every encrypted value, and one bad MAC refuses the whole file.
 */
export interface PskcToken {
  serial: string
  algorithm: 'hotp' | 'totp'
  digits: number
  period: number | null
  counter: number
  seed: Buffer
}

/** A refused container: `code` says why for the console (PSKC_MAC_MISMATCH, PSKC_WRONG_KEY, …). */
export class PskcError extends Error {
  constructor(
    message: string,
    readonly code: string = 'PSKC_DAMAGED',
  ) {
    super(message)
  }
}

const CIPHERS: Record<string, string> = {
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc': 'aes-128-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes192-cbc': 'aes-192-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc': 'aes-256-cbc',
}
const MACS: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1': 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha224': 'sha224',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha512': 'sha512',
}
const ALGORITHMS: Record<string, 'hotp' | 'totp'> = {
  'urn:ietf:params:xml:ns:keyprov:pskc:hotp': 'hotp',
  'urn:ietf:params:xml:ns:keyprov:pskc#hotp': 'hotp',
  'urn:ietf:params:xml:ns:keyprov:pskc:totp': 'totp',
  'urn:ietf:params:xml:ns:keyprov:pskc#totp': 'totp',
}

type Node = Record<string, unknown>
const list = (value: unknown): Node[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as Node[]) : [value as Node]
const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'object') return text((value as Node)['#text'])
  return String(value).replace(/\s+/g, '')
}
const b64 = (value: unknown): Buffer => Buffer.from(text(value) ?? '', 'base64')

export interface PskcKeyInput {
  /** Pre-shared key (hex) for EncryptionKey/KeyName containers. */
  keyHex?: string
  /** Password for DerivedKey (PBKDF2) containers. */
  password?: string
}

function encryptionKey(container: Node, input: PskcKeyInput): Buffer | null {
  const encryption = container['EncryptionKey'] as Node | undefined
  if (!encryption) return null
  const derived = encryption['DerivedKey'] as Node | undefined
  if (derived) {
    if (input.password === undefined)
      throw new PskcError(
        'this container is password-protected: give --password-stdin',
        'PSKC_NEEDS_PASSWORD',
      )
    const params = ((derived['KeyDerivationMethod'] as Node)?.['PBKDF2-params'] ?? {}) as Node
    const salt = b64((params['Salt'] as Node)?.['Specified'])
    const iterations = Number(text(params['IterationCount']))
    const length = Number(text(params['KeyLength']))
    if (!salt.length || !iterations || !length) throw new PskcError('incomplete PBKDF2 parameters')
    return pbkdf2Sync(input.password, salt, iterations, length, 'sha1')
  }
  if (!input.keyHex)
    throw new PskcError('this container is encrypted with a pre-shared key: give --key HEX', 'PSKC_NEEDS_KEY')
  if (!/^[0-9a-fA-F]+$/.test(input.keyHex)) throw new PskcError('the key must be hex', 'PSKC_KEY_FORMAT')
  return Buffer.from(input.keyHex, 'hex')
}

function decrypt(encrypted: Node, key: Buffer): { plain: Buffer; cipherBytes: Buffer } {
  const method = (encrypted['EncryptionMethod'] as Node | undefined)?.['@_Algorithm'] as string | undefined
  const cipher = method ? CIPHERS[method] : undefined
  if (!cipher) throw new PskcError(`unsupported encryption ${method ?? '(none)'}`, 'PSKC_UNSUPPORTED')
  const cipherBytes = b64((encrypted['CipherData'] as Node)?.['CipherValue'])
  if (cipherBytes.length < 32) throw new PskcError('cipher value too short')
  try {
    const decipher = createDecipheriv(cipher, key, cipherBytes.subarray(0, 16))
    return {
      plain: Buffer.concat([decipher.update(cipherBytes.subarray(16)), decipher.final()]),
      cipherBytes,
    }
  } catch {
    throw new PskcError('could not decrypt: wrong key or damaged file', 'PSKC_WRONG_KEY')
  }
}

export function parsePskc(xml: string, input: PskcKeyInput = {}): PskcToken[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
  })
  let doc: Node
  try {
    doc = parser.parse(xml, true) as Node
  } catch (e) {
    throw new PskcError(`not a PSKC file: ${e instanceof Error ? e.message : String(e)}`, 'PSKC_NOT_PSKC')
  }
  const container = doc['KeyContainer'] as Node | undefined
  if (!container) throw new PskcError('not a PSKC file: no KeyContainer', 'PSKC_NOT_PSKC')
  if (container['@_Version'] !== '1.0')
    throw new PskcError(`unsupported PSKC version ${String(container['@_Version'])}`, 'PSKC_UNSUPPORTED')
  const key = encryptionKey(container, input)

  const macMethod = container['MACMethod'] as Node | undefined
  let mac: { algorithm: string; key: Buffer } | null = null
  if (macMethod) {
    const algorithm = MACS[String(macMethod['@_Algorithm'])]
    if (!algorithm)
      throw new PskcError(`unsupported MAC ${String(macMethod['@_Algorithm'])}`, 'PSKC_UNSUPPORTED')
    const macKeyNode = macMethod['MACKey'] as Node | undefined
    if (!macKeyNode || !key) throw new PskcError('MACMethod without a usable MACKey')
    mac = { algorithm, key: decrypt(macKeyNode, key).plain }
  }

  const tokens: PskcToken[] = []
  for (const pkg of list(container['KeyPackage'])) {
    for (const k of list(pkg['Key'])) {
      const algorithm = ALGORITHMS[String(k['@_Algorithm'])]
      if (!algorithm)
        throw new PskcError(`unsupported key algorithm ${String(k['@_Algorithm'])}`, 'PSKC_UNSUPPORTED')
      const data = (k['Data'] ?? {}) as Node
      const secret = (data['Secret'] ?? {}) as Node
      let seed: Buffer
      if (secret['EncryptedValue']) {
        if (!key) throw new PskcError('an encrypted secret but no EncryptionKey')
        const { plain, cipherBytes } = decrypt(secret['EncryptedValue'] as Node, key)
        if (!mac) throw new PskcError('an encrypted secret without a MACMethod')
        const expected = b64(secret['ValueMAC'])
        const actual = createHmac(mac.algorithm, mac.key).update(cipherBytes).digest()
        if (!expected.length || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
          throw new PskcError(
            `the MAC of key ${String(k['@_Id'])} does not match: the file was changed or damaged`,
            'PSKC_MAC_MISMATCH',
          )
        }
        seed = plain
      } else if (secret['PlainValue'] !== undefined) {
        seed = b64(secret['PlainValue'])
      } else {
        throw new PskcError(`key ${String(k['@_Id'])} has no secret`)
      }
      const format = ((k['AlgorithmParameters'] as Node | undefined)?.['ResponseFormat'] ?? {}) as Node
      const digits = Number(format['@_Length'] ?? 6)
      if (digits !== 6 && digits !== 8)
        throw new PskcError(`key ${String(k['@_Id'])}: ${digits} digits is not supported`, 'PSKC_UNSUPPORTED')
      const serial = text((pkg['DeviceInfo'] as Node | undefined)?.['SerialNo']) ?? String(k['@_Id'])
      tokens.push({
        serial,
        algorithm,
        digits,
        period:
          algorithm === 'totp'
            ? Number(text((data['TimeInterval'] as Node | undefined)?.['PlainValue']) ?? 30)
            : null,
        counter: Number(text((data['Counter'] as Node | undefined)?.['PlainValue']) ?? 0),
        seed,
      })
    }
  }
  if (!tokens.length) throw new PskcError('the container holds no keys', 'PSKC_EMPTY')
  return tokens
}
