/**
 * DNS tunnelling: a compromised workstation moves data in hex-encoded subdomains of one attacker
 * domain (dnscat2-style TXT queries), seen by a Zeek sensor in front of the internal resolver.
 */
import { externalDomain, internalIp, makeOrg } from '../catalog.js';
import { dnsRecord, zeekUid } from '../formats/zeek.js';
import type { Rng } from '../random.js';
import type { Scenario, ScenarioContext, Step } from '../scenario.js';

const ORDINARY = [
  'outlook.office365.com',
  'login.microsoftonline.com',
  'www.google.com',
  'update.googleapis.com',
  'github.com',
  'api.github.com',
  'teams.microsoft.com',
  'fonts.gstatic.com',
  'ocsp.digicert.com',
  'ctldl.windowsupdate.com',
  'settings-win.data.microsoft.com',
  'slack.com',
  'edge.microsoft.com',
  'clients4.google.com',
  // Long, but a host name with separators, not encoded data.
  'internal-app-lb-1234567890.eu-west-1.elb.amazonaws.com',
];

interface Net {
  sensor: string;
  client: string;
  resolver: string;
}

function net(rng: Rng): Net {
  const org = makeOrg(rng);
  return {
    sensor: `zeek-${rng.pick(['hq', 'dc1', 'branch'])}-01`,
    client: internalIp(rng, org),
    resolver: `${org.net}.0.53`,
  };
}

function events(at: number, what: string, docs: Record<string, unknown>[]): Step {
  return { at, what, delivery: { via: 'events', docs } };
}

function attack({ rng, start }: ScenarioContext): Step[] {
  const n = net(rng);
  const domain = externalDomain(rng);
  // 24–36 queries cross the threshold of 20 distinct names once, so one tunnel is one detection.
  const count = rng.int(24, 36);
  const steps: Step[] = [];
  // dnscat2 prefixes each chunk with a session id and sequence number, then the data, all hex.
  const session = rng.hex(4);
  let seq = rng.int(0, 0xffff);
  let at = 0;
  const batch = 8;
  for (let i = 0; i < count; i += batch) {
    const docs: Record<string, unknown>[] = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      seq = (seq + rng.int(20, 60)) & 0xffff;
      const data = `${session}${seq.toString(16).padStart(4, '0')}${rng.hex(rng.int(44, 54))}`;
      const query = rng.chance(0.3) ? `${data}.${rng.hex(rng.int(20, 40))}.${domain}` : `${data}.${domain}`;
      const ts = start + at + (j - i) * rng.int(150, 350);
      docs.push(
        dnsRecord(
          n.sensor,
          ts,
          { uid: zeekUid(rng), origH: n.client, origP: rng.ephemeralPort(), respH: n.resolver, respP: 53 },
          {
            transId: rng.int(1, 65535),
            query,
            qtype: 'TXT',
            rttMs: rng.int(20, 90),
            answers: [`TXT ${rng.int(16, 40)} ${rng.hex(rng.int(16, 40))}`],
            ttls: [0],
          },
        ),
      );
    }
    steps.push(
      events(
        at,
        i === 0 ? `${n.client}: ${count} hex-encoded TXT queries under ${domain} (DNS tunnel)` : '',
        docs,
      ),
    );
    at += rng.int(2000, 3000);
  }
  return steps;
}

function benign({ rng, start }: ScenarioContext): Step[] {
  const n = net(rng);
  const docs = ORDINARY.map((query, i) =>
    dnsRecord(
      n.sensor,
      start + i * 200,
      { uid: zeekUid(rng), origH: n.client, origP: rng.ephemeralPort(), respH: n.resolver, respP: 53 },
      {
        transId: rng.int(1, 65535),
        query,
        qtype: 'A',
        rttMs: rng.int(1, 40),
        answers: [`13.107.${rng.int(1, 250)}.${rng.int(1, 250)}`],
        ttls: [rng.int(30, 300)],
      },
    ),
  );
  return [events(0, `${n.client}: ordinary look-ups`, docs)];
}

export const dnsTunnel: Scenario = {
  name: 'dns-tunnel',
  title: 'DNS tunnelling: data in hex-encoded subdomains of one attacker domain',
  techniques: ['T1071.004', 'T1048.003'],
  detectedBy: ['fb7db044-b6fe-49dc-bb80-d770eb676898', 'e459cd4c-4c70-47aa-bcb2-e6849f5be326'],
  attack,
  benign,
};
