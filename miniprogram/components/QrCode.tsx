import { Image } from '@tarojs/components';
import Taro from '@tarojs/taro';
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

function svgDataUrl(svg: string): string {
  // The SVG is plain ASCII, so each char is one byte.
  const bytes = new Uint8Array(svg.length);
  for (let i = 0; i < svg.length; i++) bytes[i] = svg.charCodeAt(i);
  return `data:image/svg+xml;base64,${Taro.arrayBufferToBase64(bytes.buffer)}`;
}
