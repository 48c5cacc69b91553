/**
 * Playbook benchmark: runs per second of a 10-step enrichment playbook (conditions, a for_each over
 * the alert's observables, lookups, string work, outputs) on the real engine with its real SQLite
 * store (WAL, synchronous=FULL: every step record is durable before the next step starts). The
 * lookup action answers from memory, so the figure is the engine's own cost, not a network's.
 * PLAYBOOK_BENCH_RUNS (default 2000) runs, one at a time and then 16 at once. One JSON line each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { logAction } from '../src/playbooks/actions/builtin.js';
import { parsePlaybook } from '../src/playbooks/definition.js';
import { PlaybookEngine } from '../src/playbooks/engine.js';
import type { Value } from '../src/playbooks/expr/ast.js';
import type { Action } from '../src/playbooks/runner.js';
import { openDatabase } from '../src/store/sqlite/db.js';
import { SqlitePlaybookStore } from '../src/store/sqlite/playbooks.js';

const RUNS = Number(process.env.PLAYBOOK_BENCH_RUNS ?? 2000);

const YAML = `
id: enrich
name: Ten-step enrichment
triggers: [{ manual: true }]
steps:
  - id: ips
    action: log
    with: { message: "\${{ alert.observables[?(@.type == 'ip' && !is_private_ip(@.value))].value }}" }
  - id: geo
    for_each: steps.ips.output.message
    as: ip
    concurrency: 4
    steps:
      - id: lookup
        action: lookup
        with: { kind: geo, value: "\${{ ip }}" }
  - id: user
    action: lookup
    with: { kind: user, value: "\${{ first(alert.observables[?(@.type == 'user')].value) }}" }
  - id: host
    action: lookup
    with: { kind: host, value: "\${{ alert.entity.value }}" }
  - id: risky
    if: "len(steps.geo.output[?(@.lookup.output.country != 'NL')]) > 0"
    action: log
    with: { message: "foreign source for \${{ alert.entity.value }}" }
  - id: vip
    if: steps.user.output.vip
    action: log
    with: { message: "VIP \${{ steps.user.output.name }}" }
  - id: tags
    action: log
    with: { message: "\${{ join(sort(unique(alert.tags)), ',') }}" }
  - id: summary
    action: log
    with:
      message: "\${{ format('{} on {} from {}', alert.title, alert.entity.value, join(steps.ips.output.message, ' ')) }}"
  - id: score
    action: log
    with: { message: "\${{ (steps.user.output.vip ? 50 : 0) + len(steps.ips.output.message) * 10 }}" }
  - id: done
    action: log
    with: { message: ok }
outputs:
  score: \${{ steps.score.output.message }}
  summary: \${{ steps.summary.output.message }}
`;

const lookup: Action = {
  name: 'lookup',
  safeToRetry: true,
  async run(input): Promise<Value> {
    const v = typeof input.value === 'string' ? input.value : '';
    if (input.kind === 'geo') return { ip: v, country: v.startsWith('203.') ? 'AU' : 'NL', asn: 64500 };
    if (input.kind === 'user') return { name: v, vip: v === 'ceo' };
    return { host: v, owner: 'it', critical: v.startsWith('dc') };
  },
};

const alert: Value = {
  id: 'a-1',
  title: 'SSH brute force',
  tags: ['ssh', 'attack.t1110', 'brute-force'],
  entity: { type: 'host', value: 'bastion' },
  observables: [
    { type: 'ip', value: '203.0.113.7' },
    { type: 'ip', value: '198.51.100.9' },
    { type: 'ip', value: '10.0.0.5' },
    { type: 'user', value: 'ceo' },
  ],
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-pb-bench-'));
  const db = openDatabase(path.join(dir, 'vigil.db'));
  const store = new SqlitePlaybookStore(db);
  const parsed = parsePlaybook(YAML);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  await store.savePlaybook('t', 'enrich', 1, YAML, 'bench');
  const engine = new PlaybookEngine(
    store,
    new Map([
      ['log', logAction],
      ['lookup', lookup],
    ]),
    pino({ level: 'silent' }),
  );
  const once = async () => {
    const r = await engine.start('t', 'enrich', { type: 'manual', data: { alert } }, {});
    if (r.status !== 'succeeded') throw new Error(`run ${r.status}: ${r.error}`);
  };
  for (let i = 0; i < 50; i++) await once(); // warm-up

  for (const concurrency of [1, 16]) {
    const t0 = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < RUNS) await once();
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(
      JSON.stringify({
        name: 'playbooks.enrichment-10-steps',
        concurrency,
        runs: RUNS,
        stepsPerRun: 10 + 2, // ten steps, plus the loop's two lookups
        seconds: Number(seconds.toFixed(3)),
        runsPerSecond: Math.round(RUNS / seconds),
        meanRunMs: Number(((seconds * 1000 * concurrency) / RUNS).toFixed(3)),
      }),
    );
  }
  await engine.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
