/**
 * The renderer's Content-Security-Policy: only our own scripts, styles, fonts and images (data: for the
 * QR code); no remote content, no plugins, no framing. src/renderer/index.html carries the same policy
 * in a meta tag (a unit test keeps the two equal); the HTTP bridge also sends it as a header.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ')
