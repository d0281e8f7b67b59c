/**
 * @module LineChart: a small SVG line chart drawn by hand (a few series of at most ~90 points need no
 * chart library). Colours pass 3:1 against both the light and the dark background (WCAG 1.4.11), and
 * every series also has its own dash pattern so the lines differ without colour; the SVG is an image
 * with a text label, the data itself is offered as a table by the screen that uses it.
 */
import { linePath, niceCeiling } from "./chart-math";

/** One line: a name for the legend, a colour, a dash pattern, and one value per x position (null = no data). */
export interface ChartSeries {
  name: string;
  color: string;
  dash?: string;
  values: (number | null)[];
}

interface LineChartProps {
  /** Accessible name of the image, e.g. "Requests per 10 s by status class". */
  label: string;
  /** The x positions' labels (times); the first and the last are drawn. */
  xLabels: string[];
  series: ChartSeries[];
  /** Unit shown after the y axis values, e.g. "ms". */
  unit?: string;
}

const WIDTH = 960;
const HEIGHT = 220;
const PAD = { left: 48, right: 12, top: 10, bottom: 24 };

const formatTick = (v: number) => (v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(v < 10 ? 1 : 0)}`);

/** Draws the series over a shared y axis from 0 to a nice maximum, with a legend under the chart. */
export function LineChart({ label, xLabels, series, unit = "" }: LineChartProps) {
  const n = Math.max(xLabels.length, 1);
  const max = niceCeiling(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (n === 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = [0, max / 2, max];
  return (
    <figure class="line-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label} width="100%">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} stroke="currentColor" stroke-opacity="0.25" />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end" font-size="12" fill="currentColor">
              {formatTick(t)}
              {unit}
            </text>
          </g>
        ))}
        {xLabels.length > 0 && (
          <>
            <text x={PAD.left} y={HEIGHT - 6} font-size="12" fill="currentColor">
              {xLabels[0]}
            </text>
            <text x={WIDTH - PAD.right} y={HEIGHT - 6} font-size="12" text-anchor="end" fill="currentColor">
              {xLabels[xLabels.length - 1]}
            </text>
          </>
        )}
        {series.map((s) => (
          <path key={s.name} d={linePath(s.values, x, y)} fill="none" stroke={s.color} stroke-width="2" stroke-dasharray={s.dash} />
        ))}
        {/* A single point has no line to draw: mark it. */}
        {n === 1 && series.map((s) => (s.values[0] == null ? null : <circle key={s.name} cx={x(0)} cy={y(s.values[0])} r="3" fill={s.color} />))}
      </svg>
      <figcaption>
        <ul class="chart-legend">
          {series.map((s) => (
            <li key={s.name}>
              <svg width="24" height="10" aria-hidden="true">
                <line x1="0" x2="24" y1="5" y2="5" stroke={s.color} stroke-width="2" stroke-dasharray={s.dash} />
              </svg>
              {s.name}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
