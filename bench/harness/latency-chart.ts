/**
 * The latency-versus-rate chart of a run as a self-contained SVG: publish -> WebSocket p50, p99
 * and p99.9 (and publish -> NATS p99) against the achieved rate of each step, latency on a log
 * scale, the p99 bound and the saturation point marked.
 */

/** One step as the chart needs it. */
export interface ChartPoint {
  /** Achieved trades/s. */
  rate: number;
  sustained: boolean;
  /** ms */
  wsP50: number;
  wsP99: number;
  wsP999: number;
  natsP99: number;
}

/** What the chart shows besides the points. */
export interface ChartInfo {
  title: string;
  /** Lines under the title (the setup, the machine). */
  subtitle: string[];
  boundMs: number;
  /** Achieved rate at the saturation point, or null when no step was sustained. */
  saturationRate: number | null;
}

const W = 860;
const H = 500;
const M = { left: 80, right: 190, top: 76, bottom: 64 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

const SERIES = [
  { key: 'wsP50', label: 'WS p50', color: '#1f77b4', dash: '' },
  { key: 'wsP99', label: 'WS p99', color: '#ff7f0e', dash: '' },
  { key: 'wsP999', label: 'WS p99.9', color: '#d62728', dash: '' },
  { key: 'natsP99', label: 'NATS p99', color: '#7f7f7f', dash: '6 4' },
] as const;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round step (1, 2 or 5 × 10^k) giving about `count` ticks over [0, max]. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function fmtRate(n: number): string {
  return n >= 1000
    ? `${(n / 1000).toLocaleString('en', { maximumFractionDigits: 1 })}k`
    : String(Math.round(n));
}

function fmtMs(ms: number): string {
  if (ms >= 1000) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** The chart as SVG text. */
export function latencyChartSvg(points: readonly ChartPoint[], info: ChartInfo): string {
  const floor = 0.001;
  const values = [info.boundMs];
  for (const p of points) for (const s of SERIES) values.push(Math.max(floor, p[s.key]));
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values))));
  const maxRate = Math.max(1, ...points.map((p) => p.rate), info.saturationRate ?? 0) * 1.08;
  const xStep = tickStep(maxRate, 6);
  const x = (rate: number): number => M.left + (rate / maxRate) * PW;
  const y = (ms: number): number => M.top + PH - ((Math.log10(Math.max(floor, ms)) - lo) / (hi - lo)) * PH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="22" font-size="16" font-weight="bold">${esc(info.title)}</text>`,
  );
  info.subtitle.forEach((line, i) => {
    out.push(`<text x="${M.left}" y="${40 + 15 * i}" fill="#555">${esc(line)}</text>`);
  });
  // Grid and ticks.
  for (let d = lo; d <= hi; d++) {
    const ms = 10 ** d;
    const yy = y(ms).toFixed(1);
    out.push(
      `<line x1="${M.left}" y1="${yy}" x2="${M.left + PW}" y2="${yy}" stroke="#ddd"/>`,
      `<text x="${M.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(fmtMs(Number(ms.toPrecision(3))))}</text>`,
    );
    if (d < hi) {
      for (const k of [2, 5]) {
        const ym = y(k * ms).toFixed(1);
        out.push(`<line x1="${M.left}" y1="${ym}" x2="${M.left + PW}" y2="${ym}" stroke="#f0f0f0"/>`);
      }
    }
  }
  for (let r = 0; r <= maxRate; r += xStep) {
    const xx = x(r).toFixed(1);
    out.push(
      `<line x1="${xx}" y1="${M.top}" x2="${xx}" y2="${M.top + PH}" stroke="#eee"/>`,
      `<text x="${xx}" y="${M.top + PH + 18}" text-anchor="middle">${fmtRate(r)}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + PW / 2}" y="${H - 18}" text-anchor="middle">achieved rate (trades/s published and acked)</text>`,
    `<text transform="translate(22 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">latency after publish (log scale)</text>`,
  );
  // The bound and the saturation point.
  const yb = y(info.boundMs).toFixed(1);
  out.push(
    `<line x1="${M.left}" y1="${yb}" x2="${M.left + PW}" y2="${yb}" stroke="#000" stroke-dasharray="3 3"/>`,
    `<text x="${M.left + PW - 4}" y="${Number(yb) - 5}" text-anchor="end">p99 bound ${esc(fmtMs(info.boundMs))}</text>`,
  );
  if (info.saturationRate !== null) {
    const xs = x(info.saturationRate).toFixed(1);
    out.push(
      `<line x1="${xs}" y1="${M.top}" x2="${xs}" y2="${M.top + PH}" stroke="#2ca02c" stroke-width="2" stroke-dasharray="8 4"/>`,
      `<text x="${Number(xs) + 5}" y="${M.top + 14}" fill="#2ca02c">saturation ${esc(fmtRate(info.saturationRate))} trades/s</text>`,
    );
  }
  // Series: a line through the steps, a dot per step (hollow when the step was not sustained).
  for (const s of SERIES) {
    const pts = points.map((p) => `${x(p.rate).toFixed(1)},${y(p[s.key]).toFixed(1)}`);
    if (pts.length > 1) {
      out.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      );
    }
    for (const p of points) {
      out.push(
        `<circle cx="${x(p.rate).toFixed(1)}" cy="${y(p[s.key]).toFixed(1)}" r="4" stroke="${s.color}" stroke-width="2" fill="${p.sustained ? s.color : '#fff'}"/>`,
      );
    }
  }
  // Legend.
  const lx = M.left + PW + 20;
  SERIES.forEach((s, i) => {
    const ly = M.top + 10 + i * 22;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      `<text x="${lx + 36}" y="${ly}" dominant-baseline="middle">${s.label}</text>`,
    );
  });
  const ny = M.top + 10 + SERIES.length * 22 + 10;
  out.push(
    `<text x="${lx}" y="${ny}" fill="#555">filled: step sustained</text>`,
    `<text x="${lx}" y="${ny + 16}" fill="#555">hollow: not sustained</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
