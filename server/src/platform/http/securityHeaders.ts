import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

// Security headers on every response, through helmet (koa-helmet): a Content-Security-Policy that
// forbids framing (`frame-ancestors 'none'`, plus X-Frame-Options: DENY for older browsers), nosniff,
// no referrer, and helmet's other defaults. The policy is what the H5 mini-program needs and no more:
// its own scripts, plus the inline bootstrap script in index.html allowed by its hash (the build
// writes it; it changes only with a new build), inline styles (Taro sets style attributes), images
// from anywhere over https and data/blob URLs (QR codes, previews of photos being uploaded).

/** The sha256 sources of the inline <script> elements of the H5 index.html, read again when it changes. */
export function inlineScriptHashes(indexHtml: string): () => string[] {
  let seen: { mtimeMs: number; hashes: string[] } | undefined;
  return () => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(indexHtml).mtimeMs;
    } catch {
      return [];
    }
    if (seen?.mtimeMs !== mtimeMs) {
      const html = readFileSync(indexHtml, 'utf8');
      const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)]
        .map((m) => m[1]!)
        .filter((code) => code.trim() !== '')
        .map((code) => `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`);
      seen = { mtimeMs, hashes };
    }
    return seen.hashes;
  };
}

export function securityHeaders(h5Dir: string): Middleware {
  const hashes = inlineScriptHashes(path.join(h5Dir, 'index.html'));
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", () => hashes().join(' ')],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
        fontSrc: ["'self'", 'data:'],
        // blob: too: a photo chosen for a ticket is read back from its blob URL before the upload.
        connectSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
