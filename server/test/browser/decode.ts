// Reads barcodes off screenshots with ZXing, as a till's scanner would read the phone's screen.
import zxing from '@zxing/library';
import { PNG } from 'pngjs';

const { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } = zxing;

/** The text of the one barcode of `format` in a PNG screenshot (throws when none can be read). */
export function decodePng(png: Buffer, format: 'CODE_128' | 'QR_CODE'): string {
  const image = PNG.sync.read(png);
  const luminance = new Uint8ClampedArray(image.width * image.height);
  for (let i = 0; i < luminance.length; i += 1) {
    const [r, g, b, a] = [image.data[i * 4]!, image.data[i * 4 + 1]!, image.data[i * 4 + 2]!, image.data[i * 4 + 3]!];
    // Transparent pixels are the white page behind them.
    const alpha = a / 255;
    luminance[i] = Math.round((0.299 * r + 0.587 * g + 0.114 * b) * alpha + 255 * (1 - alpha));
  }
  const reader = new MultiFormatReader();
  const hints = new Map<zxing.DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat[format]]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  reader.setHints(hints);
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, image.width, image.height)));
  return reader.decode(bitmap).getText();
}
