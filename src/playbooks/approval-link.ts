/**
 * Signed one-time approval links: whoever holds the link may give that one decision on that one
 * step before it expires. The token is `<nonce>.<hmac(nonce)>` (base64url, short enough for a URL
 * path segment); what it decides is kept server-side under the nonce, and the nonce is recorded on
 * first use so a forwarded or replayed link does nothing. The HMAC key is derived from the secret key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Value } from './expr/ast.js';

export const approvalLinkSchema = z
  .object({
    run: z.string().min(1).max(100),
    path: z.string().min(1).max(1000),
    tenant: z.string().min(1).max(63),
    approve: z.boolean(),
    /** The role the link stands in for (that of the person who minted it). */
    role: z.string().min(1).max(32),
    by: z.string().min(1).max(200),
    /** Expiry, unix seconds. */
    exp: z.number().int(),
  })
  .strict();
export type ApprovalLink = z.infer<typeof approvalLinkSchema>;

export const linkKey = (secretKey: Buffer): Buffer =>
  createHmac('sha256', secretKey).update('vigil playbook approval links v1').digest();

const mac = (key: Buffer, nonce: string): Buffer => createHmac('sha256', key).update(nonce).digest();

export function mintApprovalToken(key: Buffer): { token: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64url');
  return { token: `${nonce}.${mac(key, nonce).toString('base64url')}`, nonce };
}

/** The nonce of a token whose signature holds; undefined for anything forged or malformed. */
export function verifyApprovalToken(key: Buffer, token: string): string | undefined {
  const [nonce, sig, extra] = token.split('.');
  if (!nonce || !sig || extra !== undefined || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) return undefined;
  // Compared as text: decoding first would accept other spellings of the same bytes (the last
  // character of 32 bytes in base64url carries two unused bits).
  const given = Buffer.from(sig);
  const expected = Buffer.from(mac(key, nonce).toString('base64url'));
  return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : undefined;
}

/** Approval links are kept under this pseudo-tenant of the playbook state: the token alone finds them. */
export const APPROVAL_LINKS = '~approval-links';

export const approvalUrl = (token: string): string => `/api/v1/playbooks/approvals/${token}`;

export interface MintedLinks {
  approve: { token: string; url: string };
  reject: { token: string; url: string };
  expiresAt: string;
}

/**
 * Mints the approve and the reject link of one waiting step. `base` (the public URL of the server)
 * makes the URLs absolute, as a mail or a chat message needs; without it they are paths.
 */
export async function mintApprovalLinks(
  store: { setState(tenant: string, key: string, value: Value): Promise<void> },
  key: Buffer,
  l: Omit<ApprovalLink, 'approve'>,
  base = '',
): Promise<MintedLinks> {
  const mint = async (approve: boolean) => {
    const { token, nonce } = mintApprovalToken(key);
    const link: ApprovalLink = { ...l, approve };
    await store.setState(APPROVAL_LINKS, nonce, link);
    return { token, url: `${base.replace(/\/+$/, '')}${approvalUrl(token)}` };
  };
  return {
    approve: await mint(true),
    reject: await mint(false),
    expiresAt: new Date(l.exp * 1000).toISOString(),
  };
}
