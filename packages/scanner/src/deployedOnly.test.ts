import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding } from '@bulwark/core';
import { afterAll, describe, expect, test } from 'vitest';
import { dropFindingsOnBases } from './deployedOnly.ts';
import { scan } from './scan.ts';

const folder = mkdtempSync(path.join(tmpdir(), 'bulwark-deployed-only-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// A base alone in its file accepts ether and cannot send it; the contract that inherits it, in
// another file, can. Analysed file by file, the base looks deployable.
const files: Record<string, string> = {
  'base/Receiver.sol': `pragma solidity ^0.8.0;
contract Receiver {
    event Received(address from, uint256 amount);
    receive() external payable { emit Received(msg.sender, msg.value); }
}
`,
  'Vault.sol': `pragma solidity ^0.8.0;
import "./base/Receiver.sol";
contract Vault is Receiver {
    address public owner = msg.sender;
    function withdraw() external {
        require(msg.sender == owner);
        payable(owner).transfer(address(this).balance);
    }
}
`,
  // Same shape, same name, another file, inherited by nothing: still deployed as it is.
  'other/Receiver.sol': `pragma solidity ^0.8.0;
contract Receiver {
    receive() external payable {}
}
`,
};
for (const [name, text] of Object.entries(files)) {
  mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
  writeFileSync(path.join(folder, name), text);
}
const options = { cwd: folder, fetchCompilers: false, detectors: ['locked-ether'], jobs: 0 };

describe('findings that hold only for a deployed contract', () => {
  test('behavior: a base contract inherited from another scanned file is not reported as deployed', async () => {
    const result = await scan({ ...options, paths: [folder] });
    expect(result.files.map((f) => f.status)).toEqual(['full', 'full', 'full']);
    expect(result.findings.map((f) => `${f.detector} ${f.location.file}`)).toEqual(['locked-ether other/Receiver.sol']);
    expect(result.files.find((f) => f.file === 'base/Receiver.sol')?.findings).toBe(0);
  });

  test('behavior: the same base scanned without the contract that inherits it is reported', async () => {
    const result = await scan({ ...options, paths: [path.join(folder, 'base')] });
    expect(result.findings.map((f) => `${f.detector} ${f.location.file}`)).toEqual(['locked-ether base/Receiver.sol']);
  });

  test('behavior: worker threads give the same answer as one thread', async () => {
    const threaded = await scan({ ...options, paths: [folder], jobs: 2 });
    const inThread = await scan({ ...options, paths: [folder] });
    expect(threaded.findings).toEqual(inThread.findings);
  });
});

describe('dropFindingsOnBases', () => {
  const finding = (fingerprint: string) => ({ fingerprint }) as Finding;
  const deployedOnly = [
    { fingerprint: 'a', contract: 'src/A.sol:Receiver' },
    { fingerprint: 'b', contract: 'src/B.sol:Vault' },
  ];

  test('behavior: a base whose declaration was not found matches any contract of its name', () => {
    const kept = dropFindingsOnBases(
      [finding('a'), finding('b'), finding('c')],
      [{ deployedOnly, inherited: [] }, { inherited: ['*:Receiver'] }],
    );
    expect(kept.map((f) => f.fingerprint)).toEqual(['b', 'c']);
  });

  test('behavior: a base of the same name declared in another file does not match', () => {
    const kept = dropFindingsOnBases(
      [finding('a'), finding('b')],
      [{ deployedOnly, inherited: ['lib/A.sol:Receiver'] }],
    );
    expect(kept.map((f) => f.fingerprint)).toEqual(['a', 'b']);
  });
});
