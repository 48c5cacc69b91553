/**
 * Exfiltration over plain HTTP: a workstation uploads a staged archive in large POST chunks to a host
 * the organisation never talks to, as Zeek's http.log and conn.log record it.
 */
import { externalDomain, externalIp, internalIp, makeOrg } from '../catalog.js';
import { connRecord, httpRecord, zeekUid } from '../formats/zeek.js';
import type { Scenario, ScenarioContext, Step } from '../scenario.js';

const MiB = 1024 * 1024;
const AGENTS = [
  'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3996',
  'curl/8.4.0',
  'python-requests/2.31.0',
  'rclone/v1.66.0',
];

function events(at: number, what: string, docs: Record<string, unknown>[]): Step {
  return { at, what, delivery: { via: 'events', docs } };
}

function attack({ rng, start }: ScenarioContext): Step[] {
  const org = makeOrg(rng);
  const sensor = `zeek-${rng.pick(['hq', 'dc1', 'branch'])}-01`;
  const client = internalIp(rng, org);
  const host = externalDomain(rng);
  const ip = externalIp(rng);
  const agent = rng.pick(AGENTS);
  const archive = `${rng.hex(8)}.7z`;
  // 5–6 chunks of 20–30 MiB cross the 100 MiB threshold once, so one exfiltration is one detection.
  const chunks = rng.int(5, 6);
  const sizes = Array.from({ length: chunks }, () => rng.int(20 * MiB, 30 * MiB));
  const total = sizes.reduce((a, b) => a + b, 0);
  const steps: Step[] = [];
  let at = 0;
  for (const [i, size] of sizes.entries()) {
    const seconds = size / (rng.int(4, 9) * MiB);
    const ts = start + at;
    const e = { uid: zeekUid(rng), origH: client, origP: rng.ephemeralPort(), respH: ip, respP: 80 };
    steps.push(
      events(
        at,
        i === 0
          ? `${client}: uploading ${archive} (${(total / MiB).toFixed(0)} MiB) to ${host} (${ip}) in ${chunks} HTTP POSTs`
          : '',
        [
          httpRecord(sensor, ts, e, {
            method: 'POST',
            host,
            uri: `/upload?file=${archive}&part=${i + 1}&of=${chunks}`,
            userAgent: agent,
            requestBodyLen: size,
            responseBodyLen: rng.int(20, 60),
            status: 200,
            statusMsg: 'OK',
            origMime: 'application/octet-stream',
            respMime: 'application/json',
            rng,
          }),
          connRecord(sensor, ts, e, {
            proto: 'tcp',
            service: 'http',
            durationS: Math.round(seconds * 1e6) / 1e6,
            origBytes: size + rng.int(300, 600),
            respBytes: rng.int(200, 400),
            state: 'SF',
            history: 'ShADadfF',
          }),
        ],
      ),
    );
    at += rng.int(1500, 3000);
  }
  return steps;
}

/** A small form post to the internet, a big download, and a big upload to the internal file server. */
function benign({ rng, start }: ScenarioContext): Step[] {
  const org = makeOrg(rng);
  const sensor = 'zeek-hq-01';
  const client = internalIp(rng, org);
  const rec = (
    ms: number,
    respH: string,
    host: string,
    method: string,
    uri: string,
    up: number,
    down: number,
  ) =>
    httpRecord(
      sensor,
      start + ms,
      { uid: zeekUid(rng), origH: client, origP: rng.ephemeralPort(), respH, respP: 80 },
      {
        method,
        host,
        uri,
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
        requestBodyLen: up,
        responseBodyLen: down,
        status: 200,
        statusMsg: 'OK',
        rng,
      },
    );
  return [
    events(0, `${client}: ordinary web traffic`, [
      rec(0, externalIp(rng), 'forms.example', 'POST', '/contact', 4_096, 512),
      rec(500, externalIp(rng), 'downloads.example', 'GET', '/iso/installer.iso', 0, 700 * MiB),
      rec(900, internalIp(rng, org), 'files.corp.local', 'PUT', '/share/backup.tar', 400 * MiB, 0),
    ]),
  ];
}

export const httpExfil: Scenario = {
  name: 'http-exfil',
  title: 'Exfiltration: large HTTP POST uploads to a rare external host',
  techniques: ['T1048.003', 'T1030'],
  detectedBy: ['cf393b9c-cff9-42d5-9815-a14c6e513756', 'cba19cde-bf01-48b5-a093-2f10fb349361'],
  attack,
  benign,
};
