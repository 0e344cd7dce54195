import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { scan } from './scan.ts';

// A 0.4 bank whose balance lives in a struct reached through a local without a data location: an
// implicit storage pointer, so the balance is zeroed after the ether call (reentrancy).
const bank = (location: string) => `pragma solidity ^0.4.24;
contract Bank {
  struct Account { uint256 balance; uint256 since; }
  mapping(address => Account) accounts;
  function deposit() public payable {
    accounts[msg.sender].balance += msg.value;
  }
  function withdraw() public {
    Account ${location}acct = accounts[msg.sender];
    require(msg.sender.call.value(acct.balance)());
    acct.balance = 0;
  }
}
`;

const folder = mkdtempSync(path.join(tmpdir(), 'bulwark-scan-storage-pointers-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function reentrancyLines(name: string, source: string) {
  const file = path.join(folder, name);
  writeFileSync(file, source);
  const result = await scan({ paths: [file], cwd: folder, jobs: 0, fetchCompilers: false });
  expect(result.files[0]).toMatchObject({ status: 'full', solcVersion: '0.4.26' });
  return result.findings
    .filter((f) => f.detector.startsWith('reentrancy'))
    .map((f) => `${f.detector}:${f.location.startLine}`)
    .sort();
}

describe('scan of 0.4 implicit storage pointers', () => {
  test('default: reentrancy through a struct local without a location is found', async () => {
    const implicit = await reentrancyLines('Implicit.sol', bank(''));
    expect(implicit.some((f) => f.startsWith('reentrancy-eth:'))).toBe(true);
  });

  test('behavior: the same findings as with `storage` written out', async () => {
    const implicit = await reentrancyLines('Implicit.sol', bank(''));
    const explicit = await reentrancyLines('Explicit.sol', bank('storage '));
    expect(explicit.length).toBeGreaterThan(0);
    expect(implicit).toEqual(explicit);
  });
});
