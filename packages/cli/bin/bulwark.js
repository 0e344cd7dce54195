#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a clone and a run.
import module from 'node:module';
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

// Node ≥ 22.1 keeps the compiled code of the modules between runs; a no-op on Node 20.
module.enableCompileCache?.();

// The big JavaScript dependencies of the long-running commands load natively, before the loader is
// registered: through its hooks (on another thread) each of their hundreds of files costs a round
// trip, which more than doubled `bulwark monitor`'s start; loaded first, later imports of them are
// cache hits (the same module instances). A name that does not resolve only costs the saving.
const monitorDependencies = [
  'viem',
  'viem/accounts',
  'viem/actions',
  'kysely',
  'kysely/migration',
  'pg',
  '@electric-sql/pglite',
  'ajv/dist/2020.js',
  '@noble/hashes/scrypt',
  '@noble/hashes/sha3',
];
const preload = { monitor: monitorDependencies, baseline: monitorDependencies };
if (!process.argv.includes('--help') && !process.argv.includes('-h')) {
  await Promise.all((preload[process.argv[2]] ?? []).map((name) => import(name).catch(() => undefined)));
}

// Commands that only read and write the store compile PGlite's WebAssembly with V8's baseline
// compiler alone: optimising it on every start cost more time and ~70 MB more memory than their
// few queries gain. Long runs (monitor) and the Solidity compiler (scan, gate, docs) keep the tiers.
const storeOnlyCommands = [
  'log',
  'risk',
  'incident',
  'evidence',
  'exception',
  'identity',
  'audit',
  'approve',
  'verify',
  'report',
  'baseline',
  'wallet',
];
if (storeOnlyCommands.includes(process.argv[2])) v8.setFlagsFromString('--liftoff-only');

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
