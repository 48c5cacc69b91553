/** Small SVG charts drawn from data (no chart library; attributes only, so the CSP holds). */

export interface Series {
  key: string;
  className: string;
}

export function StackedBars({
  buckets,
  series,
  height = 120,
  label,
  bucketLabel,
}: {
  buckets: Array<Record<string, number>>;
  series: Series[];
  height?: number;
  label: string;
  bucketLabel: (i: number) => string;
}) {
  const max = Math.max(1, ...buckets.map((b) => series.reduce((a, s) => a + (b[s.key] ?? 0), 0)));
  const w = 100 / Math.max(1, buckets.length);
  return (
    <svg
      className="chart"
      viewBox={`0 0 100 ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {buckets.map((b, i) => {
        let y = height;
        return (
          <g key={i}>
            <title>{`${bucketLabel(i)}: ${series.map((s) => `${s.key} ${b[s.key] ?? 0}`).join(', ')}`}</title>
            {series.map((s) => {
              const v = b[s.key] ?? 0;
              if (v === 0) return null;
              const h = (v / max) * (height - 4);
              y -= h;
              return (
                <rect
                  key={s.key}
                  className={s.className}
                  x={i * w + w * 0.1}
                  width={w * 0.8}
                  y={y}
                  height={h}
                />
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}

export function Sparkline({
  values,
  height = 32,
  label,
}: {
  values: number[];
  height?: number;
  label: string;
}) {
  if (values.length < 2)
    return <svg className="spark" viewBox={`0 0 100 ${height}`} role="img" aria-label={label} />;
  const max = Math.max(1e-9, ...values);
  const pts = values
    .map((v, i) => `${(i / (values.length - 1)) * 100},${height - (v / max) * (height - 2) - 1}`)
    .join(' ');
  return (
    <svg
      className="spark"
      viewBox={`0 0 100 ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <polyline points={pts} className="spark-line" fill="none" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
