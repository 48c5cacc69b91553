/** Lines over time buckets in SVG (attributes only, so the CSP holds); gaps where a value is null. */

export interface TrendSeries {
  key: string;
  label: string;
  className: string;
  values: Array<number | null>;
}

export function TrendChart({
  series,
  bucketLabels,
  format,
  height = 120,
  label,
}: {
  series: TrendSeries[];
  bucketLabels: string[];
  format: (v: number) => string;
  height?: number;
  label: string;
}) {
  const n = bucketLabels.length;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const x = (i: number) => (n <= 1 ? 50 : (i / (n - 1)) * 98 + 1);
  const y = (v: number) => height - 4 - (v / max) * (height - 10);
  return (
    <svg
      className="chart trend"
      viewBox={`0 0 100 ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {series.map((s) => {
        // Split into runs of non-null values: a day without data is a gap, not a zero.
        const runs: Array<Array<[number, number]>> = [];
        let cur: Array<[number, number]> = [];
        s.values.forEach((v, i) => {
          if (v === null) {
            if (cur.length) runs.push(cur);
            cur = [];
          } else cur.push([x(i), y(v)]);
        });
        if (cur.length) runs.push(cur);
        return (
          <g key={s.key} className={s.className}>
            {runs.map((r, k) =>
              r.length === 1 ? (
                <circle key={k} cx={r[0]![0]} cy={r[0]![1]} r={1.2} className="trend-dot" />
              ) : (
                <polyline
                  key={k}
                  points={r.map(([a, b]) => `${a},${b}`).join(' ')}
                  className="trend-line"
                  fill="none"
                  vectorEffect="non-scaling-stroke"
                />
              ),
            )}
            {s.values.map((v, i) =>
              v === null ? null : (
                <rect key={i} x={x(i) - 1.5} y={0} width={3} height={height} className="trend-hit">
                  <title>{`${bucketLabels[i]} — ${s.label}: ${format(v)}`}</title>
                </rect>
              ),
            )}
          </g>
        );
      })}
    </svg>
  );
}
