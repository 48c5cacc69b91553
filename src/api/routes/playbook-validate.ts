/**
 * Checks playbook YAML without saving it, so the console's editor can mark errors at their line
 * while the author types. Parsing is the same pure function saving uses (playbooks/definition.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parsePlaybook } from '../../playbooks/definition.js';
import { route } from '../route.js';

export function playbookValidateRoutes(app: FastifyInstance): void {
  route(app, {
    method: 'POST',
    url: '/api/v1/playbooks/validate',
    access: 'playbooks:read',
    summary: 'Validate playbook YAML without saving it: every error with its line and path',
    tags: ['playbooks'],
    body: z.object({ yaml: z.string().max(1_000_000) }).strict(),
    handler: async ({ body }) => {
      const p = parsePlaybook(body.yaml);
      if (!p.ok) return { valid: false, errors: p.errors };
      return {
        valid: true,
        errors: [],
        id: p.playbook.id,
        name: p.playbook.name,
        enabled: p.playbook.enabled,
        triggers: p.playbook.triggers.map((t) => Object.keys(t)[0]!),
      };
    },
  });
}
