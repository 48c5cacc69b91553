import nodemailer from 'nodemailer';
import type { NotificationChannelConfig } from '../config/schema.js';
import type { Notification } from './ports.js';
import { signWebhook } from './signature.js';

const TIMEOUT_MS = 10_000;

/** One line a person can read on a phone lock screen. */
export function headline(n: Notification): string {
  const what: Record<Notification['kind'], string> = {
    'alert.created': 'New alert',
    'alert.assigned': 'Alert assigned',
    'case.assigned': 'Case assigned',
    'case.sla_breached': 'Case SLA breached',
    'playbook.approval': 'Approval needed',
  };
  const who = n.assignee ? ` -> ${n.assignee}` : '';
  return `[Vigil ${n.severity.toUpperCase()}] ${what[n.kind]}: ${n.title}${who}`;
}

function bodyText(n: Notification): string {
  const lines = [headline(n), '', `tenant: ${n.tenant}`, `${n.subject.type}: ${n.subject.id}`, `at: ${n.at}`];
  for (const [k, v] of Object.entries(n.details)) lines.push(`${k}: ${v}`);
  return lines.join('\n');
}

const SEVERITY_COLOUR: Record<Notification['severity'], string> = {
  informational: '808080',
  low: '2E86C1',
  medium: 'F1C40F',
  high: 'E67E22',
  critical: 'C0392B',
};

/** Sends one notification to one channel; throws with a reason a person can act on. */
export async function deliver(channel: NotificationChannelConfig, n: Notification, now: Date): Promise<void> {
  switch (channel.type) {
    case 'email':
      return sendEmail(channel, n);
    case 'webhook': {
      const body = JSON.stringify({ type: n.kind, notification: n });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-vigil-event': n.kind,
        'x-vigil-delivery': n.id,
      };
      if (channel.secret) {
        const ts = Math.floor(now.getTime() / 1000);
        headers['x-vigil-timestamp'] = String(ts);
        headers['x-vigil-signature'] = signWebhook(channel.secret, ts, body);
      }
      return post(channel.url, body, headers);
    }
    case 'slack':
      return post(channel.url, JSON.stringify({ text: bodyText(n) }), { 'content-type': 'application/json' });
    case 'teams':
      return post(
        channel.url,
        JSON.stringify({
          '@type': 'MessageCard',
          '@context': 'https://schema.org/extensions',
          summary: headline(n),
          themeColor: SEVERITY_COLOUR[n.severity],
          title: headline(n),
          text: bodyText(n).split('\n').slice(2).join('  \n'),
        }),
        { 'content-type': 'application/json' },
      );
  }
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (e) {
    throw new Error(`POST ${new URL(url).host}: ${(e as Error).message}`);
  }
  // Drain the body so the connection is reused; its content is not trusted or logged.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`POST ${new URL(url).host}: HTTP ${res.status}`);
}

async function sendEmail(
  channel: Extract<NotificationChannelConfig, { type: 'email' }>,
  n: Notification,
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: channel.smtp.host,
    port: channel.smtp.port,
    secure: channel.smtp.secure,
    auth: channel.smtp.user ? { user: channel.smtp.user, pass: channel.smtp.password ?? '' } : undefined,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: channel.from,
      to: channel.to,
      subject: headline(n),
      text: bodyText(n),
      headers: { 'X-Vigil-Delivery': n.id },
    });
  } finally {
    transport.close();
  }
}
