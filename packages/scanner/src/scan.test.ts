import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { scan } from './scan.ts';

const folder = mkdtempSync(path.join(tmpdir(), 'bulwark-scan-order-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// Files needing different compilers, interleaved by name: the scan batches them by compiler.
const sources: Record<string, string> = {
  'a.sol': 'pragma solidity ^0.8.0;\ncontract A { function f() external { selfdestruct(payable(msg.sender)); } }\n',
  'b.sol': 'pragma solidity ^0.4.24;\ncontract B { function f() public { selfdestruct(msg.sender); } }\n',
  'c.sol': 'pragma solidity ^0.8.0;\ncontract C { function f() external { selfdestruct(payable(msg.sender)); } }\n',
  'd.sol': 'pragma solidity ^0.5.0;\ncontract D { function f() public { selfdestruct(msg.sender); } }\n',
};
for (const [name, text] of Object.entries(sources)) writeFileSync(path.join(folder, name), text);

describe('scan', () => {
  test('behavior: reports and findings come in file order, whatever order the compiler groups ran in', async () => {
    const options = { paths: [folder], cwd: folder, fetchCompilers: false, detectors: ['unprotected-selfdestruct'] };
    const threaded = await scan({ ...options, jobs: 2 });
    expect(threaded.files.map((f) => `${f.file} ${f.solcVersion}`)).toEqual([
      'a.sol 0.8.30',
      'b.sol 0.4.26',
      'c.sol 0.8.30',
      'd.sol 0.5.17',
    ]);
    expect(threaded.findings.map((f) => f.location.file)).toEqual(['a.sol', 'b.sol', 'c.sol', 'd.sol']);
    const inThread = await scan({ ...options, jobs: 0 });
    expect(threaded.findings).toEqual(inThread.findings);
    expect(threaded.files).toEqual(inThread.files);
  });
});
