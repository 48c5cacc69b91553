import type { Command } from 'commander';

/** `vigil demo`: starts like `vigil start` and plays built-in attack scenarios through the real listeners. */
export function registerDemoCommand(_program: Command): void {}
