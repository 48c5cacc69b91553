import type { Scenario } from '../scenario.js';
import { dnsTunnel } from './dns-tunnel.js';
import { httpExfil } from './http-exfil.js';
import { sshBruteforce } from './ssh-bruteforce.js';
import { windowsIntrusion } from './windows-intrusion.js';

/** Every built-in scenario, in the order `vigil demo` plays them. */
export const SCENARIOS: readonly Scenario[] = [sshBruteforce, windowsIntrusion, dnsTunnel, httpExfil];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
