/**
 * Test support for the preview and the CLI: a manual-mining anvil with a Safe 1.4.1 factory and
 * the standard-shaped fixtures of testdata/PreviewFixtures.sol deployed. Not exported from the package.
 */
import { readFileSync } from 'node:fs';
import { type Artifact, compileSources, deployContract, sendAndConfirm } from '@bulwark/contracts';
import { deploySafe, type ResponderTestChain, startResponderChain } from '@bulwark/monitor/responder/testing';
import { type Address, encodeFunctionData, type Hex, numberToHex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

export type PreviewChain = ResponderTestChain & {
  fixtures: Record<
    'FixtureToken' | 'FixtureNft' | 'FixtureSplitter' | 'FixtureSlotWriter' | 'FixtureBatcher',
    Artifact
  > & {
    FixtureProxy: Artifact;
  };
  deploy(name: keyof PreviewChain['fixtures'], args?: readonly unknown[]): Promise<Address>;
  send(to: Address, artifact: Artifact, functionName: string, args?: readonly unknown[]): Promise<void>;
  calldata(artifact: Artifact, functionName: string, args?: readonly unknown[]): Hex;
  /** A Safe with three fresh owners, funded with 5 ETH. */
  newSafe(threshold: number): Promise<Address>;
};

export async function startPreviewChain(): Promise<PreviewChain> {
  const chain = await startResponderChain();
  const source = readFileSync(new URL('./testdata/PreviewFixtures.sol', import.meta.url), 'utf8');
  const { contracts } = await compileSources(new Map([['PreviewFixtures.sol', source]]));
  const fixtures = contracts as unknown as PreviewChain['fixtures'];
  const calldata = (artifact: Artifact, functionName: string, args: readonly unknown[] = []) =>
    encodeFunctionData({ abi: artifact.abi, functionName, args });
  return Object.assign(chain, {
    fixtures,
    calldata,
    deploy: (name: keyof PreviewChain['fixtures'], args: readonly unknown[] = []) =>
      deployContract(chain.deployer, chain.client, { artifact: fixtures[name], args, mine: true }),
    async send(to: Address, artifact: Artifact, functionName: string, args: readonly unknown[] = []) {
      await sendAndConfirm(chain.deployer, chain.client, {
        to,
        data: calldata(artifact, functionName, args),
        mine: true,
      });
    },
    async newSafe(threshold: number) {
      const owners = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()));
      const safe = await deploySafe(chain, { owners, threshold });
      await chain.rpc('anvil_setBalance', [safe.address, numberToHex(parseEther('5'))]);
      return safe.address;
    },
  });
}
