/**
 * Test support for the responder: a manual-mining anvil with the circuit-breaker artifacts, fresh
 * funded guardian keys, and an HTTP proxy that serves the node under a key-bearing URL (like an
 * Infura or Alchemy endpoint) so tests can check that the key never leaks. Not exported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type FakeNode, startFakeNode } from '@bulwark/chain/testing';
import {
  type Anvil,
  type Artifacts,
  compileSources,
  type DeployWalletClient,
  deployContract,
  loadArtifacts,
  sendAndConfirm,
  startAnvil,
} from '@bulwark/contracts';
import { openIncident, type StoreClient } from '@bulwark/store';
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
  keccak256,
  numberToHex,
  type PublicClient,
  parseAbi,
  parseEther,
  zeroAddress,
} from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { type CreatePauseResponderParameters, createPauseResponder, type PauseResponder } from './pauseSender.ts';

export type ResponderTestChain = {
  anvil: Anvil;
  client: PublicClient;
  /** anvil's first dev account: deploys, and is the admin of what it deploys. */
  deployer: DeployWalletClient;
  artifacts: Artifacts;
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** One block (`evm_mine`): the node runs with `--no-mining`, so nothing is mined otherwise. */
  mine(): Promise<void>;
  /** A new random key with 10 ETH. */
  newGuardian(): Promise<{ account: PrivateKeyAccount; privateKey: Hex }>;
  /** Deploys a DemoVault (GuardianPausable) with the deployer as admin. */
  deployPausable(guardian: Address): Promise<Address>;
  paused(address: Address): Promise<boolean>;
  nonce(address: Address): Promise<number>;
  pendingCount(): Promise<number>;
  stop(): Promise<void>;
};

export const pausableReadAbi = parseAbi([
  'function paused() view returns (bool)',
  'function pause()',
  'function unpause()',
  'function requestUnpause()',
]);

export async function startResponderChain(): Promise<ResponderTestChain> {
  const artifacts = await loadArtifacts();
  const anvil = await startAnvil({ noMining: true });
  const transport = http(anvil.rpcUrl);
  const client = createPublicClient({ chain: foundry, transport, pollingInterval: 25 });
  const [first] = await createWalletClient({ chain: foundry, transport }).getAddresses();
  const deployer = createWalletClient({ account: first, chain: foundry, transport, pollingInterval: 25 });
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const response = await fetch(anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  const vault = artifacts.contracts.DemoVault;
  if (!vault) throw new Error('No DemoVault artifact');
  return {
    anvil,
    client,
    deployer: deployer as DeployWalletClient,
    artifacts,
    rpc,
    mine: async () => {
      await rpc('evm_mine');
    },
    async newGuardian() {
      const privateKey = generatePrivateKey();
      const account = privateKeyToAccount(privateKey);
      await rpc('anvil_setBalance', [account.address, numberToHex(parseEther('10'))]);
      return { account, privateKey };
    },
    deployPausable: (guardian) =>
      deployContract(deployer as DeployWalletClient, client, {
        artifact: vault,
        args: [first, guardian, 3600n, 0, 300n, 12n],
        mine: true,
      }),
    paused: (address) => client.readContract({ address, abi: pausableReadAbi, functionName: 'paused' }),
    nonce: (address) => client.getTransactionCount({ address, blockTag: 'pending' }),
    async pendingCount() {
      const status = await rpc<{ pending: Hex; queued: Hex }>('txpool_status');
      return Number(BigInt(status.pending) + BigInt(status.queued));
    },
    stop: () => anvil.stop(),
  };
}

/**
 * A pause responder on the test chain, allowed to pause `vault` only, polling fast; it mines a
 * block after each broadcast (the node does not mine on its own) unless `mineOnBroadcast` is
 * false. `onStep` still sees every step; the other parameters override the defaults.
 */
export function createTestPauseResponder(
  chain: ResponderTestChain,
  options: { vault: Address; mineOnBroadcast?: boolean } & Omit<CreatePauseResponderParameters, 'chainId' | 'allowed'>,
): PauseResponder {
  const { vault, mineOnBroadcast = true, onStep, ...parameters } = options;
  return createPauseResponder({
    client: chain.client,
    chainId: foundry.id,
    allowed: [vault],
    pollingIntervalMs: 20,
    deadlineMs: 20_000,
    ...parameters,
    onStep: (step) => {
      onStep?.(step);
      if (mineOnBroadcast && (step.status === 'sent' || step.status === 'resent')) void chain.mine();
    },
  });
}

/** An incident on the test chain about `address`, in state `detected`. */
export function openTestIncident(store: StoreClient, address: Address, title = 'Vault drain') {
  return openIncident(store, { title, severity: 'critical', chainId: foundry.id, address, actor: 'monitor' });
}

/**
 * Serves `target` (a JSON-RPC node) under `/v3/<key>` only, as hosted providers do; every other
 * path is a 404 whose body repeats the path, as some providers' errors do.
 */
export async function startKeyedProxy(target: string, key: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      if (req.url !== `/v3/${key}`) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`no route for ${req.url}`);
        return;
      }
      try {
        const upstream = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: Buffer.concat(chunks),
        });
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      } catch {
        res.writeHead(502);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}/v3/${key}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A relay on 127.0.0.1 that accepts `eth_sendRawTransaction` and `eth_sendPrivateTransaction` (`[{ tx }]`), answering the hash. */
export function startRelay(): Promise<FakeNode> {
  return startFakeNode((request, response) => {
    const raw = (
      request.method === 'eth_sendPrivateTransaction'
        ? (request.params[0] as { tx?: Hex } | undefined)?.tx
        : request.params[0]
    ) as Hex | undefined;
    if (raw && /^eth_send(Raw|Private)Transaction$/.test(request.method)) return keccak256(raw);
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: -32601, message: 'method not found' } }),
    );
  });
}

/** An endpoint on 127.0.0.1 that answers everything with HTTP 503. */
export function startDeadEndpoint(): Promise<FakeNode> {
  return startFakeNode((_request, response) => {
    response.statusCode = 503;
    response.end('Service Unavailable');
  });
}

/** Resolves when `predicate` holds; polls every 10 ms, fails after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`until: not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type HardhatArtifact = { contractName: string; sourceName: string; abi: Abi; bytecode: Hex; deployedBytecode: Hex };

/** Safe 1.4.1's compiled singleton and proxy factory, from the `@safe-global/safe-contracts` package; undefined when it is not installed. */
export function safeArtifacts(): { safe: HardhatArtifact; factory: HardhatArtifact } | undefined {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve('@safe-global/safe-contracts/package.json'));
  } catch {
    return undefined;
  }
  const read = (path: string) => {
    const file = join(root, 'build/artifacts/contracts', path);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HardhatArtifact) : undefined;
  };
  const safe = read('Safe.sol/Safe.json');
  const factory = read('proxies/SafeProxyFactory.sol/SafeProxyFactory.json');
  return safe && factory ? { safe, factory } : undefined;
}

export type TestSafe = { address: Address; abi: Abi; owners: PrivateKeyAccount[] };

/** Deploys the Safe 1.4.1 singleton and factory (once per chain) and a proxy with `owners` and `threshold`. */
export async function deploySafe(
  chain: ResponderTestChain,
  parameters: { owners: PrivateKeyAccount[]; threshold: number; saltNonce?: bigint },
): Promise<TestSafe> {
  const artifacts = safeArtifacts();
  if (!artifacts) throw new Error('@safe-global/safe-contracts is not installed');
  const deploy = (artifact: HardhatArtifact) =>
    deployContract(chain.deployer, chain.client, {
      artifact: { ...artifact, bytecode: artifact.bytecode },
      mine: true,
    });
  // One after the other: the deployer's nonces must not race.
  deployments.set(
    chain,
    deployments.get(chain) ??
      deploy(artifacts.safe).then(async (singleton) => [singleton, await deploy(artifacts.factory)]),
  );
  const [singleton, factory] = await deployments.get(chain)!;
  const initializer = encodeFunctionData({
    abi: artifacts.safe.abi,
    functionName: 'setup',
    args: [
      parameters.owners.map((o) => o.address),
      BigInt(parameters.threshold),
      zeroAddress,
      '0x',
      zeroAddress,
      zeroAddress,
      0n,
      zeroAddress,
    ],
  });
  const args = [singleton, initializer, parameters.saltNonce ?? BigInt(Date.now())] as const;
  const { result } = await chain.client.simulateContract({
    address: factory,
    abi: artifacts.factory.abi,
    functionName: 'createProxyWithNonce',
    args,
    account: chain.deployer.account,
  });
  await sendAndConfirm(chain.deployer, chain.client, {
    to: factory,
    data: encodeFunctionData({ abi: artifacts.factory.abi, functionName: 'createProxyWithNonce', args }),
    mine: true,
  });
  return { address: result as Address, abi: artifacts.safe.abi, owners: parameters.owners };
}

const deployments = new WeakMap<ResponderTestChain, Promise<[Address, Address]>>();

/**
 * A pause manager elsewhere: `RegistryPaused.paused()` reads `PauseRegistry`, so flipping the
 * registry changes what the contract reports without any call reaching the contract itself.
 */
const registryPausedSource = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract PauseRegistry {
    mapping(address => bool) public pausedOf;
    function setPaused(address target, bool value) external { pausedOf[target] = value; }
}

contract RegistryPaused {
    PauseRegistry public immutable registry;
    address public immutable guardian;
    constructor(PauseRegistry registry_, address guardian_) { registry = registry_; guardian = guardian_; }
    function paused() external view returns (bool) { return registry.pausedOf(address(this)); }
    function pause() external {
        require(msg.sender == guardian, "not guardian");
        require(!registry.pausedOf(address(this)), "already paused");
        registry.setPaused(address(this), true);
    }
}
`;

export type RegistryPausedContract = {
  /** The contract the guardian pauses; its `paused()` reads the registry. */
  contract: Address;
  registry: Address;
  /** Sets the contract's pause state in the registry, from the deployer (the contract is not called); mined. */
  setPaused(value: boolean): Promise<void>;
};

/** Deploys a PauseRegistry and a RegistryPaused guarded by `guardian` (compiled here with solc-js). */
export async function deployRegistryPaused(
  chain: ResponderTestChain,
  guardian: Address,
): Promise<RegistryPausedContract> {
  const { contracts } = await compileSources(new Map([['RegistryPaused.sol', registryPausedSource]]));
  const registry = await deployContract(chain.deployer, chain.client, {
    artifact: contracts.PauseRegistry!,
    mine: true,
  });
  const contract = await deployContract(chain.deployer, chain.client, {
    artifact: contracts.RegistryPaused!,
    args: [registry, guardian],
    mine: true,
  });
  return {
    contract,
    registry,
    async setPaused(value) {
      await sendAndConfirm(chain.deployer, chain.client, {
        to: registry,
        data: encodeFunctionData({
          abi: parseAbi(['function setPaused(address target, bool value)']),
          functionName: 'setPaused',
          args: [contract, value],
        }),
        mine: true,
      });
    },
  };
}
