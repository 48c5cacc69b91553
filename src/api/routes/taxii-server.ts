/**
 * TAXII 2.1 server: Vigil's indicators shared as STIX 2.1, one API root per tenant the caller
 * belongs to, one `indicators` collection in each (global indicators included). Reading needs
 * `intel:read`, writing (adding STIX objects) `intel:manage`; tokens and sessions authenticate as
 * everywhere else. Only indicators up to the configured TLP are served, and TLP:RED never is.
 * Replies and errors use the TAXII media type and error message shape (spec §1.6.1, §3.6).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can } from '../../auth/permissions.js';
import type { Principal } from '../../auth/principal.js';
import { importStix } from '../../intel/feeds/stix-bundle.js';
import type { IntelService } from '../../intel/service.js';
import { stableUuid, toStixSighting } from '../../intel/share.js';
import { KEEP_VERSIONS, versionSelection, type VersionSelection } from '../../intel/versions.js';
import type { AuditLog } from '../../store/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';

export const TAXII_TYPE = 'application/taxii+json;version=2.1';
const STIX_TYPE = 'application/stix+json;version=2.1';
const MAX_CONTENT = 10 * 1024 * 1024;
const MAX_PAGE = 1000;

class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    description: string,
  ) {
    super(description);
  }
}

export const collectionId = (tenant: string, kind: CollectionKind = 'indicators'): string =>
  stableUuid(`taxii:${tenant}:${kind}`);

/** As bytes: Fastify would rewrite a JSON-like media type of a string reply (quoting the version, adding a charset). */
const send = (reply: FastifyReply, status: number, doc: unknown): FastifyReply =>
  reply
    .code(status)
    .header('content-type', TAXII_TYPE)
    .send(Buffer.from(JSON.stringify(doc)));

/** TAXII 2.1 clients must ask for the TAXII media type (version 2.1 or unversioned). */
function checkAccept(req: FastifyRequest): void {
  const accept = req.headers.accept ?? '';
  const ok = accept.split(',').some((part) => {
    const [media, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (media !== 'application/taxii+json') return false;
    const version = params.find((p) => p.startsWith('version='));
    return version === undefined || version === 'version=2.1';
  });
  if (!ok) throw new TaxiiError(406, 'Not Acceptable', `the Accept header must name ${TAXII_TYPE}`);
}

/** The root (tenant) must be one of the caller's; another tenant's looks like no root at all. */
function rootOf(p: Principal, root: string): string {
  if (!p.tenants.includes(root)) throw new TaxiiError(404, 'Not Found', `no API root ${root}`);
  return root;
}

type CollectionKind = 'indicators' | 'sightings';
const KINDS: CollectionKind[] = ['indicators', 'sightings'];

/** Indicators (read, and write with `intel:manage`) and sightings of them (read only). */
function collection(p: Principal, tenant: string, kind: CollectionKind) {
  return {
    id: collectionId(tenant, kind),
    title: `Vigil ${kind} (${tenant})`,
    description:
      kind === 'indicators'
        ? 'Indicators of compromise known to Vigil for this tenant, and global ones, as STIX 2.1'
        : 'Where and how often those indicators were seen, and analysts confirming or dismissing them',
    can_read: can(p.role, 'intel:read'),
    can_write: kind === 'indicators' && can(p.role, 'intel:manage'),
    media_types: [STIX_TYPE],
  };
}

function collectionKind(tenant: string, id: string): CollectionKind {
  const kind = KINDS.find((k) => collectionId(tenant, k) === id);
  if (!kind) throw new TaxiiError(404, 'Not Found', `no collection ${id}`);
  return kind;
}

const filters = z.object({
  added_after: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'expected a timestamp')
    .optional(),
  limit: z.coerce.number().int().min(1).optional(),
  next: z.string().max(500).optional(),
  'match[id]': z.string().max(10_000).optional(),
  'match[type]': z.string().max(1000).optional(),
  'match[version]': z.string().max(1000).optional(),
  'match[spec_version]': z.string().max(100).optional(),
});
type Filters = z.infer<typeof filters>;

const list = (s: string | undefined): string[] | undefined =>
  s === undefined ? undefined : s.split(',').map((x) => x.trim());

interface Cursor {
  u: string;
  i: string;
}
function decodeNext(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.u === 'string' && typeof c.i === 'string') return c;
  } catch {
    // falls through to the error below
  }
  throw new TaxiiError(400, 'Bad Request', 'next: not a value this server returned');
}

/** One version of an object as served: its STIX form, id, and when that version was added. */
interface Served {
  id: string;
  /** Vigil's id of the record behind the object (an indicator or a sighting). */
  ref: string;
  added: string;
  /** the STIX `modified` of this version */
  version: string;
  stix: Record<string, unknown>;
  cursor: Cursor;
}

/** A sighting is never changed, so its one version is every version a filter can name. */
const sightingSelected = (sel: VersionSelection, at: string): boolean =>
  !!(sel.all || sel.first || sel.last || sel.at?.includes(new Date(at).toISOString()));

/**
 * One page of a collection as filtered. Indicators keep their versions (a version per change of
 * what a consumer sees, intel/versions.ts), so `match[version]` selects among them and each
 * version has its own date added; sightings have one version each.
 */
async function page(
  service: IntelService,
  tenant: string,
  kind: CollectionKind,
  f: Filters,
  only?: string,
): Promise<{ items: Served[]; more: boolean; next?: string }> {
  const stixType = kind === 'indicators' ? 'indicator' : 'sighting';
  const types = list(f['match[type]']);
  const specs = list(f['match[spec_version]']);
  if ((types && !types.includes(stixType)) || (specs && !specs.includes('2.1')))
    return { items: [], more: false };
  const limit = Math.min(f.limit ?? MAX_PAGE, MAX_PAGE);
  const select = versionSelection(list(f['match[version]']));
  const ids = only ? [only] : list(f['match[id]']);
  let after: Cursor | undefined;
  if (f.next) after = decodeNext(f.next);
  // strictly after: the largest id sorts after every real one at the same instant
  else if (f.added_after) after = { u: new Date(f.added_after).toISOString(), i: '\u{10FFFF}' };
  const tlps = service.shareableTlps();
  const items: Served[] = [];
  if (kind === 'indicators') {
    const rows = await service.store.pageIndicatorVersions([tenant], {
      tlps,
      limit: limit + 1,
      select,
      ...(ids ? { stixIds: ids } : {}),
      ...(after ? { after: { modified: after.u, id: after.i } } : {}),
    });
    for (const v of rows)
      items.push({
        id: v.stixId,
        ref: v.indicatorId,
        added: v.modified,
        version: v.modified,
        stix: v.stix,
        cursor: { u: v.modified, i: v.indicatorId },
      });
  } else {
    // STIX ids of sightings are derived from ours one way: an id filter scans the collection.
    const wanted = new Set(ids ?? []);
    scan: for (;;) {
      const rows = await service.store.pageSightings([tenant], {
        tlps,
        limit: limit + 1,
        ...(after ? { after: { at: after.u, id: after.i } } : {}),
      });
      for (const s of rows) {
        const stix = toStixSighting(s);
        const x = {
          id: String(stix.id),
          ref: s.id,
          added: s.at,
          version: s.at,
          stix,
          cursor: { u: s.at, i: s.id },
        };
        if ((wanted.size === 0 || wanted.has(x.id)) && sightingSelected(select, s.at)) {
          items.push(x);
          if (items.length > limit) break scan;
        }
      }
      if (rows.length < limit + 1) break;
      after = { u: rows[rows.length - 1]!.at, i: rows[rows.length - 1]!.id };
    }
  }
  const more = items.length > limit;
  const out = items.slice(0, limit);
  const next = more
    ? Buffer.from(JSON.stringify(out[out.length - 1]!.cursor)).toString('base64url')
    : undefined;
  return { items: out, more, ...(next ? { next } : {}) };
}

function addedHeaders(reply: FastifyReply, items: Served[]): void {
  if (items.length === 0) return;
  void reply.header('x-taxii-date-added-first', items[0]!.added);
  void reply.header('x-taxii-date-added-last', items[items.length - 1]!.added);
}

export function taxiiRoutes(app: FastifyInstance, deps: { service: IntelService; audit?: AuditLog }): void {
  const { service } = deps;
  const statuses = new Map<string, Record<string, unknown>>();

  void app.register((child, _opts, done) => {
    child.addContentTypeParser(
      ['application/taxii+json', 'application/stix+json'],
      { parseAs: 'string', bodyLimit: MAX_CONTENT },
      (_req, body, cb) => {
        try {
          cb(null, JSON.parse(body as string));
        } catch {
          cb(new TaxiiError(400, 'Bad Request', 'the body is not JSON'), undefined);
        }
      },
    );
    child.setErrorHandler((err, req, reply) => {
      let status = 500;
      let title = 'Internal Server Error';
      let description = 'internal error';
      if (err instanceof TaxiiError) [status, title, description] = [err.status, err.title, err.message];
      else if (err instanceof ApiError)
        [status, title, description] = [err.status, err.code.replace(/_/g, ' '), err.message];
      else if ((err as { statusCode?: number }).statusCode === 415)
        [status, title, description] = [415, 'Unsupported Media Type', `send ${TAXII_TYPE}`];
      else if ((err as { statusCode?: number }).statusCode === 413)
        [status, title, description] = [413, 'Payload Too Large', `at most ${MAX_CONTENT} bytes`];
      else if ((err as { statusCode?: number }).statusCode === 400)
        [status, title, description] = [400, 'Bad Request', (err as Error).message];
      else req.log.error({ err, url: req.url }, 'TAXII request failed');
      return send(reply, status, { title, description, http_status: String(status) });
    });

    const taxii = <P extends z.ZodType, Q extends z.ZodType>(spec: {
      method: 'GET' | 'POST' | 'DELETE';
      url: string;
      access: 'intel:read' | 'intel:manage';
      summary: string;
      params?: P;
      query?: Q;
      handler: (c: {
        req: FastifyRequest;
        reply: FastifyReply;
        p: Principal;
        params: z.infer<P>;
        query: z.infer<Q>;
      }) => Promise<FastifyReply>;
    }): void =>
      route(
        child,
        {
          method: spec.method,
          url: spec.url,
          access: spec.access,
          summary: spec.summary,
          tags: ['taxii'],
          params: spec.params,
          query: spec.query,
          body: spec.method === 'POST' ? z.unknown() : undefined,
          handler: async ({ req, reply, principal, params, query }) => {
            checkAccept(req);
            return spec.handler({ req, reply, p: principal!, params, query });
          },
        },
        app,
      );

    const rootParams = z.object({ root: z.string().max(63) });
    const collParams = rootParams.extend({ id: z.string().max(100) });
    const objParams = collParams.extend({ objectId: z.string().max(200) });

    taxii({
      method: 'GET',
      url: '/taxii2/',
      access: 'intel:read',
      summary: 'TAXII 2.1 discovery: one API root per tenant of the caller',
      handler: async ({ req, reply, p }) => {
        const base = `${req.protocol}://${req.host}`;
        const roots = p.tenants.map((t) => `${base}/taxii2/${encodeURIComponent(t)}/`);
        return send(reply, 200, {
          title: 'Vigil TAXII 2.1',
          description: 'Indicators shared by Vigil as STIX 2.1',
          ...(roots[0] ? { default: roots[0] } : {}),
          api_roots: roots,
        });
      },
    });

    taxii({
      method: 'GET',
      url: '/taxii2/:root/',
      access: 'intel:read',
      summary: 'TAXII 2.1 API root (a tenant)',
      params: rootParams,
      handler: async ({ reply, p, params }) => {
        const t = rootOf(p, params.root);
        return send(reply, 200, {
          title: `Vigil (${t})`,
          versions: [TAXII_TYPE],
          max_content_length: MAX_CONTENT,
        });
      },
    });

    taxii({
      method: 'GET',
      url: '/taxii2/:root/collections/',
      access: 'intel:read',
      summary: 'TAXII 2.1 collections of an API root',
      params: rootParams,
      handler: async ({ reply, p, params }) =>
        send(reply, 200, { collections: KINDS.map((k) => collection(p, rootOf(p, params.root), k)) }),
    });

    taxii({
      method: 'GET',
      url: '/taxii2/:root/collections/:id/',
      access: 'intel:read',
      summary: 'TAXII 2.1 collection',
      params: collParams,
      handler: async ({ reply, p, params }) => {
        const t = rootOf(p, params.root);
        return send(reply, 200, collection(p, t, collectionKind(t, params.id)));
      },
    });

    taxii({
      method: 'GET',
      url: '/taxii2/:root/collections/:id/objects/',
      access: 'intel:read',
      summary:
        'TAXII 2.1 objects: added_after, limit/next paging, match[id|type|version|spec_version] (version: first, last, all or a timestamp)',
      params: collParams,
      query: filters,
      handler: async ({ reply, p, params, query }) => {
        const t = rootOf(p, params.root);
        const r = await page(service, t, collectionKind(t, params.id), query);
        addedHeaders(reply, r.items);
        return send(reply, 200, {
          more: r.more,
          ...(r.next ? { next: r.next } : {}),
          ...(r.items.length ? { objects: r.items.map((x) => x.stix) } : {}),
        });
      },
    });

    taxii({
      method: 'GET',
      url: '/taxii2/:root/collections/:id/manifest/',
      access: 'intel:read',
      summary: 'TAXII 2.1 manifest: id, date added, version and media type of each object',
      params: collParams,
      query: filters,
      handler: async ({ reply, p, params, query }) => {
        const t = rootOf(p, params.root);
        const r = await page(service, t, collectionKind(t, params.id), query);
        addedHeaders(reply, r.items);
        return send(reply, 200, {
          more: r.more,
          ...(r.next ? { next: r.next } : {}),
          ...(r.items.length
            ? {
                objects: r.items.map((x) => ({
                  id: x.id,
                  date_added: x.added,
                  version: x.version,
                  media_type: STIX_TYPE,
                })),
              }
            : {}),
        });
      },
    });

    taxii({
      method: 'GET',
      url: '/taxii2/:root/collections/:id/objects/:objectId/',
      access: 'intel:read',
      summary: 'TAXII 2.1 one object: its latest version, or those match[version] selects',
      params: objParams,
      query: filters,
      handler: async ({ reply, p, params, query }) => {
        const t = rootOf(p, params.root);
        const r = await page(
          service,
          t,
          collectionKind(t, params.id),
          { ...query, 'match[id]': undefined },
          params.objectId,
        );
        if (r.items.length === 0 && !query['match[version]'])
          throw new TaxiiError(404, 'Not Found', `no object ${params.objectId}`);
        addedHeaders(reply, r.items);
        return send(reply, 200, {
          more: false,
          ...(r.items.length ? { objects: r.items.map((x) => x.stix) } : {}),
        });
      },
    });

    taxii({
      method: 'GET',
      url: '/taxii2/:root/collections/:id/objects/:objectId/versions/',
      access: 'intel:read',
      summary: `TAXII 2.1 versions of an object, oldest first (Vigil keeps an indicator's last ${KEEP_VERSIONS})`,
      params: objParams,
      query: filters,
      handler: async ({ reply, p, params, query }) => {
        const t = rootOf(p, params.root);
        const r = await page(
          service,
          t,
          collectionKind(t, params.id),
          { ...query, 'match[id]': undefined, 'match[version]': 'all' },
          params.objectId,
        );
        if (r.items.length === 0 && !query.added_after && !query.next)
          throw new TaxiiError(404, 'Not Found', `no object ${params.objectId}`);
        addedHeaders(reply, r.items);
        return send(reply, 200, {
          more: r.more,
          ...(r.next ? { next: r.next } : {}),
          ...(r.items.length ? { versions: r.items.map((x) => x.version) } : {}),
        });
      },
    });

    taxii({
      method: 'POST',
      url: '/taxii2/:root/collections/:id/objects/',
      access: 'intel:manage',
      summary: 'TAXII 2.1 add objects: an envelope of STIX 2.1 objects imported as indicators',
      params: collParams,
      handler: async ({ req, reply, p, params }) => {
        const t = rootOf(p, params.root);
        if (collectionKind(t, params.id) !== 'indicators')
          throw new TaxiiError(403, 'Forbidden', 'the sightings collection is read-only');
        const ctype = (req.headers['content-type'] ?? '').toLowerCase();
        if (!ctype.startsWith('application/taxii+json'))
          throw new TaxiiError(415, 'Unsupported Media Type', `send ${TAXII_TYPE}`);
        const env = req.body as { objects?: unknown };
        if (typeof env !== 'object' || env === null || !Array.isArray(env.objects))
          throw new TaxiiError(400, 'Bad Request', 'expected an envelope: {"objects": [...]}');
        const parsed = importStix(
          { type: 'bundle', id: 'bundle--taxii', objects: env.objects },
          { tenant: t, source: `taxii:${p.name}` },
        );
        if (!parsed.ok) throw new TaxiiError(400, 'Bad Request', parsed.reason);
        await service.apply(parsed.value, p.name);
        const failed = new Set(parsed.value.rejected.map((r) => r.ref));
        const text = (v: unknown): string => (typeof v === 'string' ? v : '');
        const ids = env.objects.map((o) => text((o as { id?: unknown } | null)?.id));
        const version = (o: unknown): string => text((o as { modified?: unknown } | null)?.modified);
        const status = {
          id: stableUuid(`status:${p.id}:${Date.now()}:${Math.random()}`),
          status: 'complete',
          request_timestamp: new Date().toISOString(),
          total_count: ids.length,
          success_count: ids.filter((i) => !failed.has(i)).length,
          failure_count: ids.filter((i) => failed.has(i)).length,
          pending_count: 0,
          successes: env.objects
            .map((o, k) => ({ id: ids[k]!, version: version(o) }))
            .filter((x) => !failed.has(x.id)),
          failures: parsed.value.rejected.map((r) => ({ id: r.ref, message: r.reason })),
        };
        statuses.set(`${t}/${status.id}`, status);
        // Status resources are for the client's next few requests, not an archive.
        if (statuses.size > 1000) statuses.delete(statuses.keys().next().value!);
        return send(reply, 202, status);
      },
    });

    taxii({
      method: 'DELETE',
      url: '/taxii2/:root/collections/:id/objects/:objectId/',
      access: 'intel:manage',
      summary:
        "TAXII 2.1 delete an object's versions (match[version], default all; match[spec_version]): past versions leave the history; deleting the latest removes the tenant's indicator, which stops matching",
      params: objParams,
      query: filters,
      handler: async ({ req, reply, p, params, query }) => {
        const t = rootOf(p, params.root);
        const kind = collectionKind(t, params.id);
        if (kind !== 'indicators')
          throw new TaxiiError(403, 'Forbidden', 'the sightings collection is read-only');
        const chosen = await page(
          service,
          t,
          kind,
          {
            ...query,
            'match[id]': undefined,
            'match[version]': query['match[version]'] ?? 'all',
            next: undefined,
            added_after: undefined,
            limit: MAX_PAGE,
          },
          params.objectId,
        );
        const latest = (await page(service, t, kind, { 'match[version]': 'last', limit: 1 }, params.objectId))
          .items[0];
        if (chosen.items.length === 0 || !latest)
          throw new TaxiiError(404, 'Not Found', `no object ${params.objectId}`);
        const global = () =>
          new TaxiiError(403, 'Forbidden', `${params.objectId} is a global indicator, not this root's`);
        if (!chosen.items.some((x) => x.version === latest.version)) {
          // Past versions only: the indicator and what it is now stay.
          const versions = chosen.items.map((x) => x.version);
          if ((await service.store.deleteIndicatorVersions(t, latest.ref, versions)) === 0) throw global();
          await deps.audit?.append({
            actor: p.name,
            tenant: t,
            action: 'intel.indicator.versions.delete',
            target: latest.ref,
            ip: req.ip,
            before: { versions },
            after: null,
          });
          return reply.code(200).header('content-type', TAXII_TYPE).send(Buffer.alloc(0));
        }
        // The latest version is the live indicator: deleting it deletes the indicator.
        if (!(await service.store.deleteIndicator(t, latest.ref))) throw global();
        service.matcher.expire(latest.ref, Date.now());
        await deps.audit?.append({
          actor: p.name,
          tenant: t,
          action: 'intel.indicator.delete',
          target: latest.ref,
          ip: req.ip,
          before: latest.stix,
          after: null,
        });
        return reply.code(200).header('content-type', TAXII_TYPE).send(Buffer.alloc(0));
      },
    });

    taxii({
      method: 'GET',
      url: '/taxii2/:root/status/:statusId/',
      access: 'intel:read',
      summary: 'TAXII 2.1 status of an add-objects request',
      params: rootParams.extend({ statusId: z.string().max(100) }),
      handler: async ({ reply, p, params }) => {
        const t = rootOf(p, params.root);
        const s = statuses.get(`${t}/${params.statusId}`);
        if (!s) throw new TaxiiError(404, 'Not Found', `no status ${params.statusId}`);
        return send(reply, 200, s);
      },
    });
    done();
  });
}
