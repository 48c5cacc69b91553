/**
 * SSH password brute force from the internet against a Linux server, a guessed password that works,
 * then sudo to a root shell: sshd, PAM and sudo lines as rsyslog forwards them from /var/log/auth.log.
 */
import { externalIp, internalIp, linuxHost, makeOrg } from '../catalog.js';
import { FACILITY, SEVERITY, rfc3164, type SyslogLine } from '../formats/syslog.js';
import type { Rng } from '../random.js';
import type { Scenario, ScenarioContext, Step } from '../scenario.js';

/** What brute-force tools try first; none of these exists on the target except `root`. */
const GUESSES = [
  'admin',
  'test',
  'ubuntu',
  'oracle',
  'postgres',
  'user',
  'guest',
  'ftpuser',
  'pi',
  'support',
  'git',
  'hadoop',
  'minecraft',
  'ansible',
  'debian',
  'centos',
];
/** Service accounts with a password that an attacker might guess. */
const VICTIMS = ['deploy', 'backup', 'jenkins', 'webadmin', 'devops'];

interface Target {
  host: string;
  attacker: string;
  victim: string;
  uid: number;
  tz: string;
  rng: Rng;
}

function line(
  tg: Target,
  time: number,
  program: string,
  pid: number | undefined,
  message: string,
  facility: number = FACILITY.auth,
  severity: number = SEVERITY.info,
): string {
  const l: SyslogLine = {
    time,
    facility,
    severity,
    host: tg.host,
    program,
    message,
    ...(pid === undefined ? {} : { pid }),
  };
  return rfc3164(l, tg.tz);
}

/** One failed password attempt: sshd forks a child per connection, so each has its own pid and port. */
function failedAttempt(tg: Target, time: number, user: string, exists: boolean): string[] {
  const pid = tg.rng.int(10_000, 60_000);
  const port = tg.rng.ephemeralPort();
  const ip = tg.attacker;
  if (!exists) {
    return [
      line(tg, time, 'sshd', pid, `Invalid user ${user} from ${ip} port ${port}`),
      line(
        tg,
        time + 2,
        'sshd',
        pid,
        'pam_unix(sshd:auth): check pass; user unknown',
        FACILITY.authpriv,
        SEVERITY.notice,
      ),
      line(
        tg,
        time + 3,
        'sshd',
        pid,
        `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`,
        FACILITY.authpriv,
        SEVERITY.notice,
      ),
      line(
        tg,
        time + 2100,
        'sshd',
        pid,
        `Failed password for invalid user ${user} from ${ip} port ${port} ssh2`,
      ),
      line(
        tg,
        time + 2300,
        'sshd',
        pid,
        `Connection closed by invalid user ${user} ${ip} port ${port} [preauth]`,
      ),
    ];
  }
  return [
    line(
      tg,
      time,
      'sshd',
      pid,
      `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`,
      FACILITY.authpriv,
      SEVERITY.notice,
    ),
    line(tg, time + 2000, 'sshd', pid, `Failed password for ${user} from ${ip} port ${port} ssh2`),
    line(
      tg,
      time + 2200,
      'sshd',
      pid,
      `Connection closed by authenticating user ${user} ${ip} port ${port} [preauth]`,
    ),
  ];
}

function target(ctx: ScenarioContext, attacker: string): Target {
  const victim = ctx.rng.pick(VICTIMS);
  return {
    host: linuxHost(ctx.rng),
    attacker,
    victim,
    uid: ctx.rng.int(1001, 1010),
    tz: ctx.syslogTimeZone,
    rng: ctx.rng,
  };
}

function syslog(at: number, what: string, lines: string[]): Step {
  return { at, what, delivery: { via: 'syslog', lines } };
}

function attack(ctx: ScenarioContext): Step[] {
  const tg = target(ctx, externalIp(ctx.rng));
  const { rng, start } = ctx;
  const attempts = rng.int(12, 16);
  const names = [...rng.sample(GUESSES, attempts - 3), 'root', tg.victim, tg.victim];
  const steps: Step[] = [];
  let at = 0;
  for (let i = 0; i < names.length; i++) {
    const user = names[i]!;
    const exists = user === 'root' || user === tg.victim;
    steps.push(
      syslog(
        at,
        i === 0 ? `${tg.host}: SSH password guessing from ${tg.attacker} (${names.length} attempts)` : '',
        failedAttempt(tg, start + at, user, exists),
      ),
    );
    at += rng.int(700, 1500);
  }
  // The guess that works: same address, a password login, then straight to a root shell.
  const pid = rng.int(10_000, 60_000);
  const port = rng.ephemeralPort();
  const session = rng.int(20, 400);
  const login = start + at;
  steps.push(
    syslog(at, `${tg.host}: ${tg.victim} logs in with a guessed password from ${tg.attacker}`, [
      line(
        tg,
        login,
        'sshd',
        pid,
        `Accepted password for ${tg.victim} from ${tg.attacker} port ${port} ssh2`,
      ),
      line(
        tg,
        login + 40,
        'sshd',
        pid,
        `pam_unix(sshd:session): session opened for user ${tg.victim}(uid=${tg.uid}) by (uid=0)`,
        FACILITY.authpriv,
        SEVERITY.info,
      ),
      line(
        tg,
        login + 60,
        'systemd-logind',
        rng.int(500, 900),
        `New session ${session} of user ${tg.victim}.`,
      ),
    ]),
  );
  const sudoAt = at + rng.int(4000, 6000);
  steps.push(
    syslog(sudoAt, `${tg.host}: ${tg.victim} runs sudo to a root shell`, [
      line(
        tg,
        start + sudoAt,
        'sudo',
        undefined,
        `  ${tg.victim} : TTY=pts/0 ; PWD=/home/${tg.victim} ; USER=root ; COMMAND=/bin/bash`,
        FACILITY.authpriv,
        SEVERITY.notice,
      ),
      line(
        tg,
        start + sudoAt + 20,
        'sudo',
        undefined,
        `pam_unix(sudo:session): session opened for user root(uid=0) by ${tg.victim}(uid=${tg.uid})`,
        FACILITY.authpriv,
        SEVERITY.info,
      ),
    ]),
  );
  return steps;
}

/** An administrator from the office network: key-based login and an ordinary sudo command. */
function benign(ctx: ScenarioContext): Step[] {
  const { rng, start } = ctx;
  const tg = target(ctx, internalIp(rng, makeOrg(rng)));
  const pid = rng.int(10_000, 60_000);
  const port = rng.ephemeralPort();
  const fp = `SHA256:${Buffer.from(rng.hex(32), 'hex').toString('base64').replace(/=+$/, '')}`;
  return [
    syslog(0, `${tg.host}: ${tg.victim} logs in with a key and restarts nginx`, [
      line(
        tg,
        start,
        'sshd',
        pid,
        `Accepted publickey for ${tg.victim} from ${tg.attacker} port ${port} ssh2: ED25519 ${fp}`,
      ),
      line(
        tg,
        start + 40,
        'sshd',
        pid,
        `pam_unix(sshd:session): session opened for user ${tg.victim}(uid=${tg.uid}) by (uid=0)`,
        FACILITY.authpriv,
        SEVERITY.info,
      ),
      line(
        tg,
        start + 3000,
        'sudo',
        undefined,
        `  ${tg.victim} : TTY=pts/0 ; PWD=/home/${tg.victim} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx`,
        FACILITY.authpriv,
        SEVERITY.notice,
      ),
      line(tg, start + 9000, 'sshd', pid, `Disconnected from user ${tg.victim} ${tg.attacker} port ${port}`),
    ]),
  ];
}

export const sshBruteforce: Scenario = {
  name: 'ssh-bruteforce',
  title: 'SSH brute force from the internet → successful password login → sudo to a root shell',
  techniques: ['T1110.001', 'T1078', 'T1548.003'],
  detectedBy: [
    '5f1c2a60-3f0e-4b8a-9d2a-6c1e0b7a4f01',
    '0b8e6f3c-2d4a-4e71-b5c9-7a1f3e2d9c02',
    '34258756-aff1-416c-a6a4-8d6251c05127',
    '011feb4e-9452-491e-b011-29f6503e4f4d',
    '7c2d9e14-5b3a-4f60-8e1d-2a9b6c4f7e03',
  ],
  attack,
  benign,
};
