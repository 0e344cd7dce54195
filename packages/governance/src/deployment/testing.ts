/** Test support: compiles the demo contracts with solc-js, with the outputs artifacts carry. */
import { readSources, solcVersion, solidityDir } from '@bulwark/contracts';
import { loadSolc } from '@bulwark/solidity';

export type CompiledContract = {
  sourceName: string;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
  immutableReferences: Record<string, { start: number; length: number }[]>;
};

/**
 * Compiles `contracts` (`unit:Name`, e.g. `demo/DemoVault.sol:DemoVault`) from contracts/solidity
 * with the settings of the demo build, optionally editing sources first. Returns solc's
 * standard-JSON output and the contracts by name.
 */
export function compileDemo(
  contracts: string[],
  edit: (unit: string, content: string) => string = (_unit, content) => content,
): { output: { contracts: Record<string, Record<string, unknown>> }; byName: Record<string, CompiledContract> } {
  const sources = readSources(solidityDir);
  const outputSelection: Record<string, Record<string, string[]>> = {};
  for (const qualified of contracts) {
    const [unit, name] = qualified.split(':');
    outputSelection[unit] ??= {};
    outputSelection[unit][name] = [
      'abi',
      'evm.bytecode.object',
      'evm.deployedBytecode.object',
      'evm.deployedBytecode.immutableReferences',
    ];
  }
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries([...sources].map(([unit, content]) => [unit, { content: edit(unit, content) }])),
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection },
  };
  const output = JSON.parse(
    loadSolc(solcVersion).compileStandard(JSON.stringify(input), () => ({ error: 'not found' })),
  ) as {
    contracts: Record<string, Record<string, { abi: unknown[]; evm: Record<string, Record<string, unknown>> }>>;
    errors?: { severity: string; formattedMessage: string }[];
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const byName: Record<string, CompiledContract> = {};
  for (const [sourceName, units] of Object.entries(output.contracts))
    for (const [name, compiled] of Object.entries(units))
      byName[name] = {
        sourceName,
        abi: compiled.abi,
        bytecode: `0x${compiled.evm.bytecode.object as string}`,
        deployedBytecode: `0x${compiled.evm.deployedBytecode.object as string}`,
        immutableReferences: compiled.evm.deployedBytecode
          .immutableReferences as CompiledContract['immutableReferences'],
      };
  return { output: output as { contracts: Record<string, Record<string, unknown>> }, byName };
}
