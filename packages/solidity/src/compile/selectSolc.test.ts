import { describe, expect, test } from 'vitest';
import { compareVersions, lowestAdmittedVersion, parseVersion, satisfiesRange } from './satisfiesRange.ts';
import { bundledSolcVersions, findSolidityPragmas, selectSolcVersion } from './selectSolc.ts';

const select = (source: string) => selectSolcVersion(source).version;

describe('bundledSolcVersions', () => {
  test('default: every solc-<version> alias of package.json, oldest first', () => {
    expect(bundledSolcVersions).toEqual([
      '0.4.26',
      '0.5.16',
      '0.5.17',
      '0.6.12',
      '0.7.6',
      '0.8.10',
      '0.8.20',
      '0.8.24',
      '0.8.30',
    ]);
  });
});

describe('satisfiesRange', () => {
  const ok = (version: string, range: string) => satisfiesRange(parseVersion(version)!, range);

  test.each([
    ['0.4.26', '^0.4.11', true],
    ['0.5.0', '^0.4.11', false],
    ['0.8.30', '^0.8', true],
    ['0.0.4', '^0.0.3', false],
    ['1.9.0', '^1.2.3', true],
    ['0.4.26', '~0.4.11', true],
    ['0.5.0', '~0.4', false],
    ['0.8.10', '0.8.10', true],
    ['0.8.11', '0.8.10', false],
    ['0.8.30', '0.8', true],
    ['0.8.30', '0.8.x', true],
    ['0.7.6', '=0.7.6', true],
    ['0.7.6', '>0.7', false],
    ['0.8.0', '>0.7', true],
    ['0.7.9', '<=0.7', true],
    ['0.8.0', '<=0.7', false],
    ['0.5.17', '>=0.4.22 <0.6.0', true],
    ['0.6.0', '>=0.4.22 <0.6.0', false],
    ['0.5.17', '>= 0.4.22 < 0.6.0', true],
    ['0.7.6', '^0.6.0 || ^0.7.0', true],
    ['0.8.0', '^0.6.0 || ^0.7.0', false],
    ['0.5.2', '0.4.24 - 0.5.2', true],
    ['0.5.3', '0.4.24 - 0.5.2', false],
    ['0.5.9', '0.4.24 - 0.5', true],
    ['0.9.0', '*', true],
    // However it is spaced, as solc reads it (and as the parse tree's pragma value has it).
    ['0.4.24', '^ 0.4.24', true],
    ['0.5.0', '^ 0.4.24', false],
    ['0.5.17', '>=0.4.22<0.6.0', true],
    ['0.6.0', '>=0.4.22<0.6.0', false],
    ['0.5.0', '= 0.5.0', true],
    ['0.5.0', '=0.5.0', true],
    ['0.5.1', '=0.5.0', false],
    ['0.4.24', '0.4.24', true],
    ['0.5.0', '^0.4.24||^0.5.0', true],
    ['0.5.0', '>0.4.99<0.6.0', true],
  ])('behavior: %s against %s is %s', (version, range, expected) => {
    expect(ok(version, range)).toBe(expected);
  });

  test('error: an unreadable expression throws', () => {
    expect(() => ok('0.8.0', 'latest')).toThrow(/cannot read version range/);
    expect(() => ok('0.8.0', '^0.8.0 ||| x')).toThrow(/cannot read version range/);
  });

  test('lowestAdmittedVersion', () => {
    expect(lowestAdmittedVersion('^ 0.4.24')).toEqual([0, 4, 24]);
    expect(lowestAdmittedVersion('>=0.4.22<0.6.0')).toEqual([0, 4, 22]);
    expect(lowestAdmittedVersion('>0.4.99 <0.6.0')).toEqual([0, 4, 100]);
    expect(lowestAdmittedVersion('^0.8.0 || ^0.7.0')).toEqual([0, 7, 0]);
    expect(lowestAdmittedVersion('<0.5.0')).toEqual([0, 0, 0]);
    expect(lowestAdmittedVersion('>=0.6.0 <0.5.0')).toBeUndefined();
  });

  test('compareVersions and parseVersion', () => {
    expect(parseVersion('0.8.30+commit.73712a01')).toEqual([0, 8, 30]);
    expect(parseVersion('not')).toBeUndefined();
    expect(compareVersions([0, 5, 17], [0, 5, 16])).toBeGreaterThan(0);
  });
});

describe('selectSolcVersion', () => {
  test('default: the newest bundled version satisfying the pragma', () => {
    expect(select('pragma solidity >=0.4.22 <0.6.0;')).toBe('0.5.17');
    expect(select('pragma solidity ^0.5.0;')).toBe('0.5.17');
    expect(select('pragma solidity 0.8.10;')).toBe('0.8.10');
    expect(select('pragma solidity =0.7.6;')).toBe('0.7.6');
    expect(select('pragma solidity ^0.4.11;')).toBe('0.4.26');
    expect(select('pragma solidity ~0.6.2;')).toBe('0.6.12');
    expect(select('pragma solidity ^0.8.0;')).toBe('0.8.30');
    expect(select('pragma solidity >=0.8.0 <0.8.25;')).toBe('0.8.24');
    expect(select('pragma solidity ^0.6.0 || ^0.7.0;')).toBe('0.7.6');
    expect(select('pragma solidity >= 0.4.22 < 0.6.0 ;')).toBe('0.5.17');
    expect(select('pragma solidity 0.5;')).toBe('0.5.17');
  });

  test('behavior: no pragma picks the newest bundled version', () => {
    expect(select('contract A {}')).toBe('0.8.30');
  });

  test('behavior: several pragmas must all hold', () => {
    const source =
      'pragma solidity >=0.5.0;\npragma experimental ABIEncoderV2;\npragma solidity <0.8.0;\ncontract A {}';
    expect(select(source)).toBe('0.7.6');
  });

  test('behavior: pragmas in comments are ignored', () => {
    const source =
      '// pragma solidity ^0.4.0;\n/* pragma solidity ^0.5.0; */\npragma solidity ^0.6.0;\nstring constant s = "//";';
    expect(select(source)).toBe('0.6.12');
    expect(findSolidityPragmas(source)).toEqual(['^0.6.0']);
  });

  test('error: no bundled version satisfies the pragma', () => {
    expect(selectSolcVersion('pragma solidity 0.8.19;')).toEqual({
      version: undefined,
      reason: `no bundled solc satisfies pragma 0.8.19 (bundled: ${bundledSolcVersions.join(', ')})`,
    });
    expect(selectSolcVersion('pragma solidity ^0.3.0;').version).toBeUndefined();
  });

  test('error: pragmas that each match but not together', () => {
    const result = selectSolcVersion('pragma solidity ^0.7.0;\npragma solidity ^0.8.0;');
    expect(result.version).toBeUndefined();
    expect('reason' in result && result.reason).toMatch(
      /^no bundled solc satisfies all of pragma \^0\.7\.0 and \^0\.8\.0/,
    );
  });

  test('error: an unreadable pragma', () => {
    expect(selectSolcVersion('pragma solidity latest;')).toEqual({
      version: undefined,
      reason: 'cannot read pragma solidity latest',
    });
  });

  test('behavior: a custom bundled list', () => {
    expect(selectSolcVersion('pragma solidity ^0.8.0;', { bundled: ['0.8.1', '0.8.3', '0.8.2'] })).toEqual({
      version: '0.8.3',
    });
  });
});
