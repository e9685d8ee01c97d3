import { Canvas, Image, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import JsBarcode from 'jsbarcode';
import { CODE128 } from 'jsbarcode/bin/barcodes/CODE128';
import { useEffect, useRef, useState } from 'react';
import { asciiToBase64 } from './QrCode';

/** Modules of white either side, so a scanner finds the start and the end. */
const QUIET_MODULES = 10;

/**
 * A Code 128 barcode of `value` for tills with a 1-D scanner: drawn by JsBarcode as SVG in H5, and
 * on a 2d canvas from JsBarcode's own Code 128 encoder in weapp (which has no DOM).
 */
export function Barcode({ value, className }: { value: string; className?: string }) {
  if (process.env.TARO_ENV === 'weapp') return <CanvasBarcode value={value} className={className} />;
  return <SvgBarcode value={value} className={className} />;
}

function SvgBarcode({ value, className }: { value: string; className?: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    JsBarcode(svg, value, { format: 'CODE128', displayValue: false, margin: QUIET_MODULES * 2, width: 2, height: 80 });
    setSrc(`data:image/svg+xml;base64,${asciiToBase64(new XMLSerializer().serializeToString(svg))}`);
  }, [value]);
  return <View className={className}>{src && <Image className='barcode-image' src={src} mode='scaleToFill' />}</View>;
}

let canvasCount = 0;

function CanvasBarcode({ value, className }: { value: string; className?: string }) {
  const id = useRef(`barcode-${(canvasCount += 1)}`);
  useEffect(() => {
    const bars = new CODE128(value, {}).encode().data;
    Taro.nextTick(() => {
      Taro.createSelectorQuery()
        .select(`#${id.current}`)
        .fields({ node: true, size: true })
        .exec((res: Array<{ node: HTMLCanvasElement | null; width: number; height: number } | null>) => {
          const found = res[0];
          if (!found?.node) return;
          const canvas = found.node;
          const ratio = Taro.getWindowInfo().pixelRatio;
          canvas.width = found.width * ratio;
          canvas.height = found.height * ratio;
          const ctx = canvas.getContext('2d');
          if (!ctx) return;
          ctx.fillStyle = '#ffffff';
          ctx.fillRect(0, 0, canvas.width, canvas.height);
          // Whole device pixels per module, centred: no blurred edges for the scanner.
          const modules = bars.length + 2 * QUIET_MODULES;
          const module = Math.max(1, Math.floor(canvas.width / modules));
          const left = Math.floor((canvas.width - bars.length * module) / 2);
          ctx.fillStyle = '#000000';
          for (let i = 0; i < bars.length; i += 1) {
            if (bars[i] === '1') ctx.fillRect(left + i * module, 0, module, canvas.height);
          }
        });
    });
  }, [value]);
  return (
    <View className={className}>
      <Canvas type='2d' id={id.current} className='barcode-canvas' />
    </View>
  );
}
