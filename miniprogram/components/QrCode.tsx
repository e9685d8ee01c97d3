import { Image } from '@tarojs/components';
import { toString as qrToSvg } from 'qrcode';
import { useEffect, useState } from 'react';

/** A QR code drawn as SVG by the qrcode package and shown as an image (works in weapp and H5). */
export function QrCode({ value, className }: { value: string; className?: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    qrToSvg(value, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }, (err, svg) => {
      if (err || !live) return;
      setSrc(svgDataUrl(svg));
    });
    return () => {
      live = false;
    };
  }, [value]);
  return src ? <Image className={className} src={src} mode='aspectFit' /> : null;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64 of an ASCII string: weapp has no btoa, and Taro's arrayBufferToBase64 returns '' on H5. */
export function asciiToBase64(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 3) {
    const a = text.charCodeAt(i);
    const b = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    const c = i + 2 < text.length ? text.charCodeAt(i + 2) : 0;
    const triple = (a << 16) | (b << 8) | c;
    out += BASE64[(triple >> 18) & 63]! + BASE64[(triple >> 12) & 63]!;
    out += i + 1 < text.length ? BASE64[(triple >> 6) & 63]! : '=';
    out += i + 2 < text.length ? BASE64[triple & 63]! : '=';
  }
  return out;
}

function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${asciiToBase64(svg)}`;
}
