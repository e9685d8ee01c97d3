import { Image, Text, View } from '@tarojs/components';
import { useMemo } from 'react';
import { asciiToBase64 } from './QrCode';

// Charts drawn by hand as SVG and shown as an image (the same in weapp and H5, like the QR code):
// lines over days, and horizontal bars. Only figures go inside the SVG (ASCII); labels and legends
// are page text, so they follow the language.

export interface LineSeries {
  name: string;
  color: string;
  values: Array<number | null>;
}

const W = 640;
const H = 280;
const PAD = { left: 64, right: 16, top: 16, bottom: 40 };
const FONT = 20;
const GRID = 4;

/** The top of the axis: a round step (1, 2 or 5 × 10ⁿ, whole numbers) times at most GRID lines. */
export function axisTop(max: number): { top: number; step: number } {
  if (max <= 0) return { top: GRID, step: 1 };
  const raw = max / GRID;
  const base = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(
    1,
    [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw)!,
  );
  return { top: Math.ceil(max / step) * step, step };
}

const short = (n: number) => (n >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${+(n / 1e3).toFixed(0)}k` : `${+n.toFixed(1)}`);

/** The SVG of a line chart over `labels` (days, as MM-DD on the axis). */
export function lineChartSvg(labels: string[], series: LineSeries[]): string {
  const { top: max, step } = axisTop(Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  for (let v = 0; v <= max; v += step) {
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb" stroke-width="1.5"/>`);
    parts.push(`<text x="${PAD.left - 8}" y="${y(v) + FONT / 3}" font-size="${FONT}" text-anchor="end" fill="#6b7280">${short(v)}</text>`);
  }
  const ticks = Math.min(5, labels.length);
  for (let t = 0; t < ticks; t++) {
    const i = ticks === 1 ? 0 : Math.round((t * (labels.length - 1)) / (ticks - 1));
    // The first and last labels hug the plot's edges so they are not cut off.
    const anchor = ticks > 1 && t === 0 ? 'start' : ticks > 1 && t === ticks - 1 ? 'end' : 'middle';
    parts.push(`<text x="${x(i)}" y="${H - 10}" font-size="${FONT}" text-anchor="${anchor}" fill="#6b7280">${labels[i]!.slice(5)}</text>`);
  }
  for (const s of series) {
    const points = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`));
    let path = '';
    let pen = false;
    for (const p of points) {
      if (p === null) {
        pen = false;
        continue;
      }
      path += `${pen ? 'L' : 'M'}${p} `;
      pen = true;
    }
    if (path) parts.push(`<path d="${path.trim()}" fill="none" stroke="${s.color}" stroke-width="3" stroke-linejoin="round"/>`);
    if (labels.length <= 31) {
      points.forEach((p) => {
        if (p) parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="4" fill="${s.color}"/>`);
      });
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="#ffffff"/>${parts.join('')}</svg>`;
}

/** A line chart with its legend. */
export function LineChart({ labels, series, className }: { labels: string[]; series: LineSeries[]; className: string }) {
  const src = useMemo(() => `data:image/svg+xml;base64,${asciiToBase64(lineChartSvg(labels, series))}`, [labels, series]);
  return (
    <View className={`chart ${className}`}>
      <Image className='chart-image' src={src} mode='widthFix' />
      <View className='chart-legend'>
        {series.map((s) => (
          <Text key={s.name} className='chart-key' style={{ color: s.color }}>
            {`● ${s.name}`}
          </Text>
        ))}
      </View>
    </View>
  );
}

export interface Bar {
  key: string;
  label: string;
  value: number;
  note?: string;
  /** The label is data (a name), not a dictionary word. */
  dyn?: boolean;
}

/** Horizontal bars: each as wide as its share of the largest. */
export function BarList({ bars, className, empty }: { bars: Bar[]; className: string; empty: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <View className={`bars ${className}`}>
      {bars.length === 0 && <Text className='muted'>{empty}</Text>}
      {bars.map((bar) => (
        <View key={bar.key} className='bar-row'>
          <View className='bar-head'>
            <Text className={`bar-label ${bar.dyn ? 'dyn' : ''}`}>{bar.label}</Text>
            <Text className='bar-note'>{bar.note ?? String(bar.value)}</Text>
          </View>
          <View className='bar-track'>
            <View className='bar-fill' style={{ width: `${Math.max(2, (bar.value / max) * 100)}%` }} />
          </View>
        </View>
      ))}
    </View>
  );
}
