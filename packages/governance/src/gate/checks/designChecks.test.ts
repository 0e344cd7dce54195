import { describe, expect, test } from 'vitest';
import type { LoadedManifest, ManifestContract } from '../../manifest/types.ts';
import { releaseFixture } from '../testing.ts';
import { adminCheck } from './adminCheck.ts';
import { pausableCheck } from './pausableCheck.ts';

const loaded = (contracts: Partial<ManifestContract>[]): LoadedManifest =>
  ({
    manifest: {
      project: { name: 'p' },
      contracts: contracts.map((c, i) => ({ name: `C${i}`, sources: ['src/Vault.sol'], ...c })),
    },
    path: `${releaseFixture}bulwark.config.yaml`,
    dir: releaseFixture,
    format: 'yaml',
    sha256: '0'.repeat(64),
  }) as LoadedManifest;

describe('pausableCheck', () => {
  test('default: the pause function is found in a base contract', () => {
    const result = pausableCheck(loaded([{ name: 'Vault', holdsValue: true, pausable: true }]));
    expect(result.status).toBe('pass');
    expect(result.details?.contracts).toEqual([
      { name: 'Vault', holdsValue: true, pausable: true, mechanism: 'Pausable.whenNotPaused' },
    ]);
  });

  test('behavior: pausable declared but not in the code, or holdsValue not declared, warns', () => {
    const result = pausableCheck(
      loaded([
        {
          name: 'Lib',
          sources: ['lib/safe-math/src/SafeMathLite.sol'],
          contract: 'SafeMathLite',
          holdsValue: false,
          pausable: true,
        },
        { name: 'Vault', pausable: true },
      ]),
    );
    expect(result).toMatchObject({
      status: 'warn',
      reason:
        'Lib is declared pausable but no pause function or modifier was found in its code or bases; holdsValue is not declared for Vault.',
    });
  });
});

describe('adminCheck', () => {
  test('behavior: a 1-of-n multisig fails; a timelock passes; an undeclared admin or address warns', () => {
    expect(adminCheck(loaded([{ admin: { kind: 'multisig', address: '0x1', threshold: 1 } }])).reason).toBe(
      'Admin powers rest with one key: C0 (a 1-of-n multisig: one key acts alone). Move them behind a multisig (2 or more signers) or a timelock.',
    );
    expect(
      adminCheck(loaded([{ admin: { kind: 'timelock', address: '0x1', delay: 86400 } }, { admin: { kind: 'none' } }]))
        .status,
    ).toBe('pass');
    expect(adminCheck(loaded([{}, { admin: { kind: 'multisig' } }]))).toMatchObject({
      status: 'warn',
      reason: 'Admin not declared for C0; no admin address for C1.',
    });
  });
});
