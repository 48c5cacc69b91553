import type { Capability, CapabilityContext } from '../capability.js';

export function startAlerting(_ctx: CapabilityContext): Promise<Capability> {
  return Promise.resolve({ close: () => Promise.resolve() });
}
