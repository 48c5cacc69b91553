import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startVigil } from '../../app.js';
import { loadConfig } from '../../config/load.js';
import { bearer, startTestApp, tokenFor } from '../../test-support/app.js';
import { NATS_URL, serviceAvailable } from '../../test-support/services.js';
import { NatsBus } from './nats-bus.js';

const available = await serviceAvailable(
  'NATS JetStream',
  '127.0.0.1',
  Number(new URL(NATS_URL).port || 4222),
);
const prefix = `VIGILAPP_${process.pid}_${Date.now().toString(36)}`;

describe.runIf(available)('Vigil with the NATS JetStream bus', () => {
  afterAll(async () => {
    const cleaner = await NatsBus.open({ url: NATS_URL, streamPrefix: prefix });
    await cleaner.deleteStreamsWithPrefix();
    await cleaner.close();
  });

  it('runs live detection over JetStream: syslog in, detections out', async () => {
    const app = await startTestApp({ VIGIL_NATS_URL: NATS_URL }, (c) => (c.nats.streamPrefix = prefix));
    try {
      const analyst = await tokenFor(app, 'analyst');
      const sock = net.connect(app.ports.syslog!, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      sock.end(
        '<38>1 2026-11-28T09:00:00Z bastion sshd 42 - - Failed password for invalid user admin from 203.0.113.9 port 40000 ssh2\n',
      );
      let total = 0;
      const end = Date.now() + 15_000;
      while (total === 0 && Date.now() < end) {
        const r = await app.http.inject({
          method: 'GET',
          url: '/api/v1/detections',
          headers: bearer(analyst),
        });
        total = r.json().total;
        if (total === 0) await new Promise((res) => setTimeout(res, 100));
      }
      expect(total).toBeGreaterThanOrEqual(1);
    } finally {
      await app.close();
    }
  });

  it('refuses to start when NATS cannot be reached, naming the setting', async () => {
    const config = loadConfig({
      env: {
        // A real directory: start-up writes files beside the database before it reaches NATS.
        VIGIL_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'vigil-nats-down-')),
        VIGIL_HTTP_PORT: '0',
        VIGIL_NATS_URL: 'nats://127.0.0.1:1',
      },
    });
    await expect(startVigil(config, { print: () => undefined })).rejects.toThrow(
      /nats\.url \(VIGIL_NATS_URL\): cannot use NATS JetStream at 127\.0\.0\.1:1/,
    );
  });
});
