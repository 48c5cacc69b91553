import type { Capability, CapabilityContext } from '../capability.js';

export function startCases(_ctx: CapabilityContext): Promise<Capability> {
  return Promise.resolve({ close: () => Promise.resolve() });
}
