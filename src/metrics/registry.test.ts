import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './registry.js';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms in Prometheus text format', () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total', 'x');
    c.inc({ input: 'http' }, 2);
    c.inc({ input: 'say "hi"\n' });
    const g = r.gauge('g', 'g');
    g.set(() => 7);
    const h = r.histogram('h_seconds', 'h', [0.1, 1]);
    h.observe(0.05, { route: '/a' });
    h.observe(0.5, { route: '/a' });
    const text = r.render();
    expect(text).toContain('# TYPE x_total counter');
    expect(text).toContain('x_total{input="http"} 2');
    expect(text).toContain('x_total{input="say \\"hi\\"\\n"} 1');
    expect(text).toContain('g 7');
    expect(text).toContain('h_seconds_bucket{route="/a",le="0.1"} 1');
    expect(text).toContain('h_seconds_bucket{route="/a",le="1"} 2');
    expect(text).toContain('h_seconds_bucket{route="/a",le="+Inf"} 2');
    expect(text).toContain('h_seconds_count{route="/a"} 2');
  });
});
