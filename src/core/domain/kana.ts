/**
 * The search key of a kana name (DOMAIN.md: kana search ignores half/full width, hiragana vs.
 * katakana, and spaces): NFKC (half-width katakana → full width, full-width letters → ASCII), hiragana
 * → katakana, no spaces of any kind.
 */
export function kanaKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u3041-\u3096\u309d\u309e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60))
    .replace(/[\s\u3000]/g, '')
    .toUpperCase()
}

/** True when the text is kana (either script, any width) with optional spaces and long-vowel marks. */
export function looksLikeKana(text: string): boolean {
  const key = kanaKey(text)
  return key.length > 0 && /^[\u30a1-\u30fcー・]+$/.test(key)
}
