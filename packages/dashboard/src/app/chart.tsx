import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ether } from './units.ts';

export type Point = { t: number | string; baseline: number | null; recent: number | null };

/** Axis labels that fit their gutter: large ones get an exponent. */
const axisLabel = (value: number) =>
  Math.abs(value) >= 1e6
    ? value.toExponential(1).replace('e+', 'e')
    : value.toLocaleString('en', { maximumFractionDigits: 6 });

/** What the chart draws: wei as ETH, anything else as served. */
const plotted = (value: number | null, inWei: boolean) => (value === null || !inWei ? value : value / 1e18);

const seconds = (t: number | string) => (typeof t === 'number' ? (t > 1e11 ? t / 1000 : t) : Date.parse(t) / 1000);

/**
 * Baseline against recent activity on one time axis (uPlot); the numbers are also in a table for
 * screen readers. A series `inWei` is drawn and tabled in ETH (its unit in the caption); the data
 * attributes keep what the API served, in wei.
 */
export function BaselineChart({ title, points, inWei = false }: { title: string; points: Point[]; inWei?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || points.length === 0) return;
    const data: uPlot.AlignedData = [
      points.map((point) => seconds(point.t)),
      points.map((point) => plotted(point.baseline, inWei)),
      points.map((point) => plotted(point.recent, inWei)),
    ];
    const width = () => Math.max(260, Math.min(element.clientWidth, 640));
    const plot = new uPlot(
      {
        width: width(),
        height: 180,
        series: [
          {},
          { label: 'baseline', stroke: '#1f5fa8', width: 2, dash: [6, 4] },
          { label: 'recent', stroke: '#b3261e', width: 2 },
        ],
        axes: [{}, { size: 60, values: (_plot, splits) => splits.map(axisLabel) }],
      },
      data,
      element,
    );
    const resize = () => plot.setSize({ width: width(), height: 180 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [points, inWei]);
  // What the chart was given, as attributes: a test (or a person in the inspector) can read the
  // series it drew without decoding the canvas.
  const numbers = (pick: (point: Point) => number | null) =>
    points.map(pick).filter((value): value is number => value !== null);
  const last = (values: number[]) => (values.length > 0 ? String(values.at(-1)) : undefined);
  return (
    <figure
      className="chart"
      data-series={title}
      data-points={points.length}
      data-baseline-last={last(numbers((point) => point.baseline))}
      data-recent-last={last(numbers((point) => point.recent))}
      data-recent-max={points.length > 0 ? String(Math.max(0, ...numbers((point) => point.recent))) : undefined}
    >
      <figcaption>
        {title}
        {inWei && ' (ETH)'}
      </figcaption>
      {points.length === 0 ? <p className="muted">No data yet.</p> : <div ref={box} aria-hidden="true" />}
      <details>
        <summary>{title} as a table</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Baseline</th>
                <th scope="col">Recent</th>
              </tr>
            </thead>
            <tbody>
              {points.map((point) => (
                <tr key={String(point.t)}>
                  <td>{new Date(seconds(point.t) * 1000).toLocaleString(undefined, { hour12: false })}</td>
                  {[point.baseline, point.recent].map((value, column) => (
                    <td key={column === 0 ? 'baseline' : 'recent'} data-value={value ?? undefined}>
                      {value === null ? '—' : inWei ? ether(value) : value}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
