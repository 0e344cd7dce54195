import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { compileFiles } from '../compile/compileFiles.ts';
import { Analysis } from './analysis.ts';
import { parseSolidity } from './parse.ts';
import { buildProgram, type Program } from './program.ts';

// Before 0.5 a struct, array, bytes or string local without a data location, and a `var` copied
// from such storage, is a storage pointer: writes through it are state writes.
const legacySource = `pragma solidity ^0.4.24;
contract Bank {
  struct Account { uint256 balance; uint256 nonce; }
  mapping(address => Account) accounts;
  uint256[] history;
  bytes note;
  uint256 total;
  function withdraw() public {
    Account acct = accounts[msg.sender];
    require(msg.sender.call.value(acct.balance)());
    acct.balance = 0;
  }
  function withdrawVar() public {
    var acct = accounts[msg.sender];
    acct.nonce += 1;
  }
  function record(uint256 v) public {
    uint256[] list = history;
    list.push(v);
    bytes text = note;
    text.length = 0;
  }
  function copies() public view returns (uint256) {
    Account memory snapshot = accounts[msg.sender];
    snapshot.balance = 1;
    var amount = total;
    amount += 1;
    var again = snapshot;
    again.nonce = 2;
    return amount;
  }
}
`;

const folder = mkdtempSync(path.join(tmpdir(), 'bulwark-storage-pointers-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Compiles with the solc the pragma selects (the bundled 0.4.26 here), then builds the IR. */
async function compiledProgram(source: string): Promise<{ program: Program; analysis: Analysis; solc: string }> {
  const file = path.join(folder, `T${Math.random().toString(36).slice(2)}.sol`);
  writeFileSync(file, source);
  const outcome = await compileFiles([file], { root: folder, ast: false, fetchCompilers: false });
  const compiled = outcome.files[0]!;
  expect(compiled.reason).toBeUndefined();
  expect(compiled.compiled).toBe(true);
  const { ast, errors } = parseSolidity(source);
  expect(errors).toEqual([]);
  const program = buildProgram([{ file, content: source, ast: ast!, solcVersion: compiled.solcVersion }]);
  return { program, analysis: new Analysis(program), solc: compiled.solcVersion! };
}

function writes(analysis: Analysis, program: Program, name: string): string[] {
  const fn = program.contract('Bank')!.functions.find((f) => f.name === name)!;
  return [...new Set(analysis.facts(fn).stateWrites.map((w) => w.variable.name))].sort();
}

describe('0.4 implicit storage pointers', () => {
  test('default: a struct local without a location writes to the state it points at', async () => {
    const { program, analysis, solc } = await compiledProgram(legacySource);
    expect(solc).toBe('0.4.26');
    expect(writes(analysis, program, 'withdraw')).toEqual(['accounts']);
    const withdraw = program.contract('Bank')!.functions.find((f) => f.name === 'withdraw')!;
    expect(analysis.facts(withdraw).locals.get('acct')?.storageLocation).toBe('storage');
  });

  test('behavior: `var` from storage, array and bytes locals are pointers too', async () => {
    const { program, analysis } = await compiledProgram(legacySource);
    expect(writes(analysis, program, 'withdrawVar')).toEqual(['accounts']);
    expect(writes(analysis, program, 'record')).toEqual(['history', 'note']);
  });

  test('behavior: memory locals and value copies stay local', async () => {
    const { program, analysis } = await compiledProgram(legacySource);
    expect(writes(analysis, program, 'copies')).toEqual([]);
    const copies = program.contract('Bank')!.functions.find((f) => f.name === 'copies')!;
    const locals = analysis.facts(copies).locals;
    expect(locals.get('snapshot')?.storageLocation).toBe('memory');
    expect(locals.get('amount')?.storageLocation ?? undefined).toBeUndefined();
    expect(locals.get('again')?.storageLocation ?? undefined).toBeUndefined();
  });

  test('behavior: the same pointer written out as `storage` gives the same writes', async () => {
    const explicit = legacySource
      .replace('Account acct =', 'Account storage acct =')
      .replace('uint256[] list', 'uint256[] storage list')
      .replace('bytes text', 'bytes storage text');
    const implicit = await compiledProgram(legacySource);
    const written = await compiledProgram(explicit);
    for (const name of ['withdraw', 'record'])
      expect(writes(implicit.analysis, implicit.program, name)).toEqual(
        writes(written.analysis, written.program, name),
      );
  });

  test('behavior: parameters keep their location (memory by default)', async () => {
    const source = `pragma solidity ^0.4.24;
contract Bank {
  struct Account { uint256 balance; }
  Account saved;
  function keep(Account a) internal { a.balance = 1; }
}
`;
    const { program, analysis } = await compiledProgram(source);
    const keep = program.contract('Bank')!.functions.find((f) => f.name === 'keep')!;
    expect(analysis.facts(keep).stateWrites).toEqual([]);
    expect(keep.params[0]!.storageLocation ?? undefined).toBeUndefined();
  });
});
