import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DemoProtocol, deployContract, deployDemoProtocol, loadArtifacts } from '@bulwark/contracts';
import {
  allRules,
  type BlockReport,
  createMonitorsFromConfig,
  loadMonitorConfig,
  type Monitor,
  type MonitorConfig,
  type Sink,
} from '@bulwark/monitor';
import { listResponderActions, openStore, type Store } from '@bulwark/store';
import { type Address, encodeFunctionData, type Hex, type LocalAccount, parseAbi, parseEther, zeroAddress } from 'viem';
import { blockSeconds, type Call, type DemoChain, deployWallet, devKeys, startDemoChain } from './demoChain.ts';
import { createTraffic } from './traffic.ts';

export type AttackName = 'reentrancy-drain' | 'flash-loan-oracle' | 'compromised-admin' | 'slow-drain';

export type AttackResult = {
  name: AttackName;
  description: string;
  /** Whether the attack needs more than one transaction (where a pause can save funds after the first). */
  multiTransaction: boolean;
  /** `mempool`: the attack was still pending when the monitor judged it. */
  mode: 'block' | 'mempool';
  detected: boolean;
  paused: boolean;
  /** Blocks from the first attack transaction's block to the first alert and to the pause (0: the same block). */
  blocksToAlert: number | undefined;
  blocksToPause: number | undefined;
  /** Milliseconds from the block's arrival (or the pending transaction's) to the alert and to the pause broadcast. */
  msToAlert: number | undefined;
  msToPause: number | undefined;
  rules: string[];
  /** The strongest alert raised on the target: the composite one when it paused, else the first. */
  alert: string | undefined;
  asset: string;
  /** What the attacker could take: the target's holdings when the attack began. */
  atRisk: bigint;
  lost: bigint;
  saved: bigint;
};

export type ScenarioResult = {
  learnedBlocks: number;
  learnedTxs: number;
  benignBlocks: number;
  benignTxs: number;
  /** Alerts and automatic pauses raised while only benign traffic ran (after learning). */
  benignAlerts: number;
  falsePauses: number;
  attacks: AttackResult[];
  reports: BlockReport[];
};

export type ScenarioOptions = {
  users?: number;
  learnBlocks?: number;
  benignBlocks?: number;
  txsPerBlock?: number;
  seed?: number;
  attacks?: readonly AttackName[];
  log?: (line: string) => void;
  /** Default: in-memory PGlite. */
  store?: Store;
  /** Called after each live block the monitor processed. */
  onBlock?: (report: BlockReport) => void;
  /** Runs after the attacks, while the chain is still up (the benchmark measures ingestion on it). */
  beforeStop?: (chain: {
    rpcUrl: string;
    wsUrl: string;
    firstBlock: bigint;
    head: bigint;
    config: MonitorConfig;
  }) => Promise<void>;
};

export const attackNames: readonly AttackName[] = [
  'reentrancy-drain',
  'flash-loan-oracle',
  'compromised-admin',
  'slow-drain',
];

const erc20 = parseAbi(['function balanceOf(address) view returns (uint256)']);

/**
 * The README's main job: anvil from npm, the demo protocol, benign traffic from many accounts,
 * baselines learned by backfill, then the monitor live (the same code path as `bulwark monitor
 * --config`) while four attacks run, each measured: detected, blocks and milliseconds to alert
 * and to pause, funds lost and saved.
 */
export async function runDemoScenario(options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const log = options.log ?? (() => {});
  const users = options.users ?? 16;
  const txsPerBlock = options.txsPerBlock ?? 6;
  const chain = await startDemoChain();
  const workDir = mkdtempSync(path.join(tmpdir(), 'bulwark-demo-'));
  const store = options.store ?? (await openStore({ dataDir: 'memory://' }));
  const monitors: Monitor[] = [];
  const running: Promise<void>[] = [];
  try {
    log(`anvil on ${new URL(chain.anvil.rpcUrl).host}; deploying the demo protocol…`);
    const admin = await chain.account(devKeys.admin);
    const guardian = await chain.account(devKeys.guardian);
    const artifacts = await loadArtifacts();
    const protocol = await deployDemoProtocol(deployWallet(chain, admin), chain.client, {
      guardian: guardian.address,
      mine: true,
      artifacts,
    });
    const traffic = await createTraffic(chain, protocol, { users, seed: options.seed ?? 7 });
    await traffic.setUp(admin);

    const learnBlocks = options.learnBlocks ?? 150;
    log(`Benign traffic: ${learnBlocks} blocks, about ${txsPerBlock} transactions each, from ${users} accounts…`);
    let learnedTxs = 0;
    for (let i = 0; i < learnBlocks; i++) {
      learnedTxs += await traffic.sendBlock(txsPerBlock);
      await chain.mine();
    }

    // The monitor, from a config file as an operator would write it.
    const configFile = path.join(workDir, 'monitor.config.json');
    for (const name of ['DemoVault', 'DemoLendingMarket', 'DemoAmm', 'DemoToken'] as const) {
      writeFileSync(path.join(workDir, `${name}.abi.json`), JSON.stringify(protocol.abis[name]));
    }
    writeFileSync(configFile, JSON.stringify(demoConfig(chain, protocol), null, 2));
    const config = loadMonitorConfig(configFile, { rules: allRules, env: { GUARDIAN_KEY: devKeys.guardian } });
    const alerts: SeenAlert[] = [];
    const memorySink: Sink = {
      name: 'demo',
      send: async (alert) => {
        alerts.push({
          ruleId: alert.ruleId,
          contract: alert.contract,
          blockNumber: BigInt(alert.blockNumber),
          text: `${alert.title}: ${alert.summary}`,
        });
      },
    };
    const reports: BlockReport[] = [];
    const waiters = new Map<bigint, () => void>();
    let lastProcessed = 0n;
    const pendingReports: PendingReport[] = [];
    const pendingSeenAt = new Map<string, number>();
    monitors.push(
      ...(await createMonitorsFromConfig({
        config,
        store,
        rules: allRules,
        env: { GUARDIAN_KEY: devKeys.guardian },
        sinks: [memorySink],
        log: (line) => log(`  monitor: ${line}`),
        onBlock: (report) => {
          reports.push(report);
          options.onBlock?.(report);
          lastProcessed = report.number;
          waiters.get(report.number)?.();
        },
        onPending: (result, pauses) => {
          const seenAt = pendingSeenAt.get(result.tx.hash);
          pendingReports.push({
            hash: result.tx.hash,
            rules: result.signals.map((signal) => ({ ruleId: signal.ruleId, contract: signal.contract })),
            pauses: pauses.map((pause) => ({
              contract: pause.verdict.contract,
              ms: pause.outcome?.broadcastAt && seenAt ? pause.outcome.broadcastAt - seenAt : undefined,
            })),
          });
        },
      })),
    );
    const [monitor] = monitors as [Monitor];
    const head = await monitor.learn();
    const learned = await store.db.selectFrom('baselines').select('address').execute();
    log(
      `Learned ${learned.length} contract baselines from blocks ${protocol.startBlock}–${head} (${learnedTxs} benign transactions).`,
    );
    running.push(monitor.run());

    /** Mines a block and waits until the monitor has evaluated it. */
    const mineAndWatch = async (): Promise<bigint> => {
      const number = await chain.mine();
      if (lastProcessed < number) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`The monitor did not process block ${number} within 30 s.`)),
            30_000,
          );
          waiters.set(number, () => {
            clearTimeout(timer);
            waiters.delete(number);
            resolve();
          });
        });
      }
      return number;
    };

    const benignBlocks = options.benignBlocks ?? 40;
    log(`Monitor live. Benign traffic for ${benignBlocks} more blocks…`);
    let benignTxs = 0;
    const benignStart = alerts.length;
    for (let i = 0; i < benignBlocks; i++) {
      benignTxs += await traffic.sendBlock(txsPerBlock);
      await mineAndWatch();
    }
    const benignAlerts = alerts.length - benignStart;
    const falsePauses = (await listResponderActions(store, {})).length;

    const context: AttackContext = {
      chain,
      protocol,
      admin,
      guardian,
      attacker: await chain.account('attacker'),
      artifacts,
      mineAndWatch,
      alerts,
      reports,
      pendingReports,
      pendingSeenAt,
      traffic,
      txsPerBlock,
      store,
      log,
    };
    const results: AttackResult[] = [];
    for (const name of options.attacks ?? attackNames) {
      log(`Attack: ${name}…`);
      results.push(await attacks[name](context));
      await recover(context);
    }
    await options.beforeStop?.({
      rpcUrl: chain.anvil.rpcUrl,
      wsUrl: chain.anvil.wsUrl,
      firstBlock: protocol.startBlock,
      head: await chain.client.getBlockNumber({ cacheTime: 0 }),
      config,
    });
    return {
      learnedBlocks: learnBlocks,
      learnedTxs,
      benignBlocks,
      benignTxs,
      benignAlerts,
      falsePauses,
      attacks: results,
      reports,
    };
  } finally {
    for (const monitor of monitors) await monitor.stop().catch(() => {});
    await Promise.allSettled(running);
    if (!options.store) await store.close();
    await chain.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function demoConfig(chain: DemoChain, protocol: DemoProtocol) {
  const { addresses } = protocol;
  const breaker = { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } };
  return {
    $schema: '../../packages/monitor/monitor.config.schema.json',
    chains: [
      {
        id: 31337,
        name: 'anvil',
        rpc: [{ http: chain.anvil.rpcUrl, ws: chain.anvil.wsUrl }],
        mempool: true,
        pollingIntervalMs: 200,
      },
    ],
    contracts: [
      {
        chain: 31337,
        address: addresses.vault,
        name: 'DemoVault',
        kind: 'vault',
        assets: ['native', addresses.debtToken],
        breaker,
      },
      {
        chain: 31337,
        address: addresses.lendingMarket,
        name: 'DemoLendingMarket',
        kind: 'market',
        abi: 'DemoLendingMarket.abi.json',
        assets: [addresses.debtToken, addresses.collateralToken],
        breaker,
      },
      {
        chain: 31337,
        address: addresses.amm,
        name: 'DemoAmm',
        kind: 'pool',
        assets: [addresses.debtToken, addresses.collateralToken],
      },
      { chain: 31337, address: addresses.debtToken, name: 'dUSD', kind: 'token' },
    ],
    baseline: { learnBlocks: 100_000 },
    sinks: [],
  };
}

type SeenAlert = { ruleId: string; contract: string; blockNumber: bigint; text: string };

/** What the monitor made of a pending transaction: the rules it raised and the pauses it sent. */
type PendingReport = {
  hash: string;
  rules: { ruleId: string; contract: string }[];
  /** `ms`: from the transaction's submission to the pause's broadcast, when the demo submitted it. */
  pauses: { contract: string; ms: number | undefined }[];
};

type AttackContext = {
  chain: DemoChain;
  protocol: DemoProtocol;
  admin: LocalAccount;
  guardian: LocalAccount;
  attacker: LocalAccount;
  artifacts: Awaited<ReturnType<typeof loadArtifacts>>;
  mineAndWatch: () => Promise<bigint>;
  alerts: SeenAlert[];
  reports: BlockReport[];
  pendingReports: PendingReport[];
  pendingSeenAt: Map<string, number>;
  traffic: Awaited<ReturnType<typeof createTraffic>>;
  txsPerBlock: number;
  store: Store;
  log: (line: string) => void;
};

const encode = (abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
  encodeFunctionData({ abi, functionName, args } as never) as Hex;

async function holdings(context: AttackContext, target: Address, asset: Address | 'native'): Promise<bigint> {
  if (asset === 'native') return context.chain.balance(target);
  return context.chain.client.readContract({ address: asset, abi: erc20, functionName: 'balanceOf', args: [target] });
}

async function isPaused(context: AttackContext, target: Address): Promise<boolean> {
  return context.chain.client.readContract({
    address: target,
    abi: parseAbi(['function paused() view returns (bool)']),
    functionName: 'paused',
  });
}

/**
 * Runs an attack step by step (one call per block, up to `maxBlocks`, until the target is paused
 * or the step says it is done) and measures it against the target's holdings.
 */
async function measure(
  context: AttackContext,
  spec: {
    name: AttackName;
    description: string;
    target: Address;
    asset: Address | 'native';
    assetName: string;
    multiTransaction: boolean;
    maxBlocks: number;
    /** Sends the block's attack transactions; returns false once the attacker is done. */
    step: (round: number) => Promise<boolean>;
    /** Where the attack began when it began before the first step (the deployment of its contract). */
    since?: AttackStart | undefined;
  },
): Promise<AttackResult> {
  const target = spec.target.toLowerCase();
  const atRisk = await holdings(context, spec.target, spec.asset);
  const start = spec.since ?? (await attackStart(context));
  const alertsBefore = start.alerts;
  const reportsBefore = start.reports;
  const pendingBefore = start.pending;
  let firstBlock: bigint | undefined = spec.since?.block;
  context.chain.onSent = (hash, at) => context.pendingSeenAt.set(hash, at);
  for (let round = 0; round < spec.maxBlocks; round++) {
    const more = await spec.step(round);
    // Benign users keep using the protocol during the attack; their transactions do not touch the target's balance here.
    const number = await context.mineAndWatch();
    firstBlock ??= number;
    if (!more || (await isPaused(context, spec.target))) break;
  }
  context.chain.onSent = undefined;
  const after = await holdings(context, spec.target, spec.asset);
  const lost = atRisk > after ? atRisk - after : 0n;
  const mine = context.alerts.slice(alertsBefore).filter((alert) => alert.contract === target);
  const reports = context.reports.slice(reportsBefore);
  const pending = context.pendingReports.slice(pendingBefore);
  const alertReport = reports.find(
    (report) =>
      report.alertMs !== undefined && report.flagged.some((f) => f.signals.some((s) => s.contract === target)),
  );
  const pauseReport = reports.find((report) => report.pauses.some((pause) => pause.verdict.contract === target));
  // A pause sent while an attack transaction was still pending counts as block 0 of that transaction.
  const pendingPause = pending.flatMap((report) => report.pauses).find((pause) => pause.contract === target);
  const first = firstBlock ?? 0n;
  const rules = new Set([
    ...reports
      .flatMap((report) => report.flagged.flatMap((f) => f.signals))
      .filter((s) => s.contract === target)
      .map((s) => s.ruleId),
    ...pending
      .flatMap((report) => report.rules)
      .filter((rule) => rule.contract === target)
      .map((rule) => rule.ruleId),
  ]);
  return {
    name: spec.name,
    description: spec.description,
    multiTransaction: spec.multiTransaction,
    mode: pendingPause ? 'mempool' : 'block',
    detected: mine.length > 0 || rules.size > 0,
    paused: await isPaused(context, spec.target),
    blocksToAlert: mine[0] ? Math.max(0, Number(mine[0].blockNumber - first)) : undefined,
    blocksToPause: pendingPause ? 0 : pauseReport ? Number(pauseReport.number - first) : undefined,
    msToAlert: alertReport?.alertMs,
    msToPause: pendingPause ? pendingPause.ms : pauseReport?.pauseMs,
    rules: [...rules],
    alert: (mine.find((alert) => alert.ruleId === 'composite-score') ?? mine[0])?.text,
    asset: spec.assetName,
    atRisk,
    lost,
    saved: atRisk - lost,
  };
}

/** What the monitor had raised before an attack, and the block its first transaction goes into. */
type AttackStart = { alerts: number; reports: number; pending: number; block: bigint };

async function attackStart(context: AttackContext): Promise<AttackStart> {
  return {
    alerts: context.alerts.length,
    reports: context.reports.length,
    pending: context.pendingReports.length,
    block: (await context.chain.client.getBlockNumber({ cacheTime: 0 })) + 1n,
  };
}
/** Attackers pay to be first: 30× the typical user's tip (about 1 gwei), as seen in real exploits. */
const attackTipGwei = 30;

const attacks: Record<AttackName, (context: AttackContext) => Promise<AttackResult>> = {
  async 'reentrancy-drain'(context) {
    const { chain, protocol, attacker, artifacts } = context;
    const since = await attackStart(context);
    const contract = await deployContract(deployWallet(chain, attacker), chain.client, {
      artifact: artifacts.contracts.ReentrancyAttacker!,
      args: [protocol.addresses.vault],
      mine: true,
    });
    // A block passes before the first strike (on a real chain, the strike can be in the very next
    // one): the monitor judges the deployment meanwhile, by simulating the new contract.
    await context.mineAndWatch();
    const abi = artifacts.contracts.ReentrancyAttacker!.abi;
    return measure(context, {
      name: 'reentrancy-drain',
      description:
        'A fresh contract re-enters withdrawAll() and drains a few ether per transaction, block after block.',
      since,
      target: protocol.addresses.vault,
      asset: 'native',
      assetName: 'ETH',
      multiTransaction: true,
      maxBlocks: 40,
      step: async () => {
        await chain.send(
          attacker,
          { to: contract, data: encode(abi, 'attack', [4n]), value: parseEther('1') },
          { gas: 2_000_000n, priorityFeeGwei: attackTipGwei },
        );
        return true;
      },
    });
  },

  async 'flash-loan-oracle'(context) {
    const { chain, protocol, attacker, artifacts, admin } = context;
    const { flashLender, amm, lendingMarket, collateralToken, debtToken } = protocol.addresses;
    const contract = await deployContract(deployWallet(chain, attacker), chain.client, {
      artifact: artifacts.contracts.FlashLoanOracleAttacker!,
      args: [flashLender, amm, lendingMarket, collateralToken, debtToken],
      mine: true,
    });
    // The attacker holds a little collateral, bought earlier at the fair price.
    await chain.send(admin, {
      to: collateralToken,
      data: encode(protocol.abis.DemoToken, 'mint', [contract, parseEther('1000')]),
    });
    await context.mineAndWatch();
    const abi = artifacts.contracts.FlashLoanOracleAttacker!.abi;
    const pendingBefore = context.pendingReports.length;
    return measure(context, {
      name: 'flash-loan-oracle',
      description:
        'One transaction: flash-borrow dUSD, pump the pool price of the collateral, borrow the market dry against it.',
      target: lendingMarket,
      asset: debtToken,
      assetName: 'dUSD',
      multiTransaction: false,
      maxBlocks: 1,
      step: async () => {
        const hash = await chain.send(
          attacker,
          { to: contract, data: encode(abi, 'attack', [parseEther('900000'), parseEther('1000')]) },
          { gas: 3_000_000n, priorityFeeGwei: attackTipGwei },
        );
        // The next block comes after the usual gap (12 s on Ethereum); the demo mines as soon as
        // the monitor has acted on the pending attack, or after 5 s.
        await waitFor(
          () =>
            context.pendingReports
              .slice(pendingBefore)
              .some((report) => report.hash === hash && report.pauses.length > 0),
          5_000,
        );
        return false;
      },
    });
  },

  async 'compromised-admin'(context) {
    const { chain, protocol, admin, attacker, artifacts } = context;
    const { vault, debtToken } = protocol.addresses;
    // Whoever holds the admin key deploys a drainer, points the vault at it, then sweeps.
    const drainer = await deployContract(deployWallet(chain, admin), chain.client, {
      artifact: artifacts.contracts.DrainerImplementation!,
      args: [],
      mine: true,
    });
    const drainerAbi = artifacts.contracts.DrainerImplementation!.abi;
    return measure(context, {
      name: 'compromised-admin',
      description:
        'The admin key upgrades the vault to a freshly deployed drainer, then sweeps ether and dUSD through it.',
      target: vault,
      asset: 'native',
      assetName: 'ETH',
      multiTransaction: true,
      maxBlocks: 3,
      step: async (round) => {
        const call: Call =
          round === 0
            ? { to: vault, data: encode(protocol.abis.DemoVault, 'upgradeTo', [drainer]) }
            : { to: vault, data: encode(drainerAbi, 'sweep', [[debtToken], attacker.address]) };
        await chain.send(admin, call, { gas: 1_000_000n, priorityFeeGwei: attackTipGwei });
        return round < 1;
      },
    });
  },

  async 'slow-drain'(context) {
    const { chain, protocol, attacker } = context;
    return measure(context, {
      name: 'slow-drain',
      description:
        'harvest() never records its cooldown: 20 calls a block, each paying 0.1% of the vault, each below any per-transaction threshold.',
      target: protocol.addresses.vault,
      asset: 'native',
      assetName: 'ETH',
      multiTransaction: true,
      maxBlocks: 60,
      step: async () => {
        for (let i = 0; i < 20; i++) {
          await chain.send(
            attacker,
            { to: protocol.addresses.vault, data: encode(protocol.abis.DemoVault, 'harvest') },
            { gas: 200_000n, priorityFeeGwei: attackTipGwei },
          );
        }
        return true;
      },
    });
  },
};

/** After an attack, the admin lifts the pause once its delay has passed (the monitor never unpauses). */
async function recover(context: AttackContext): Promise<void> {
  const { chain, protocol, admin } = context;
  for (const target of [protocol.addresses.vault, protocol.addresses.lendingMarket]) {
    if (!(await isPaused(context, target))) continue;
    // The guardian's responder checks its pause on chain after the receipt; unpausing before that
    // would make it record a pause that did not hold.
    await pauseSettled(context, target);
    const abi = protocol.abis.DemoVault;
    await chain.send(admin, { to: target, data: encode(abi, 'requestUnpause') });
    await context.mineAndWatch();
    // The unpause delay (an hour) passes: the next block is stamped after it.
    const latest = await chain.client.getBlock({ blockTag: 'latest' });
    await chain.rpc({ method: 'evm_setNextBlockTimestamp', params: [Number(latest.timestamp) + 3_600 + blockSeconds] });
    await chain.send(admin, { to: target, data: encode(abi, 'unpause') });
    await context.mineAndWatch();
    if (await isPaused(context, target))
      throw new Error(`Demo: the admin could not unpause ${target} after the delay.`);
  }
  // The drainer installed by the admin attack is removed, and users carry on for a while (longer
  // than the composite score's window, so the next attack is judged on its own).
  await chain.send(admin, {
    to: protocol.addresses.vault,
    data: encode(protocol.abis.DemoVault, 'upgradeTo', [zeroAddress]),
  });
  await context.mineAndWatch();
  for (let i = 0; i < 30; i++) {
    await context.traffic.sendBlock(context.txsPerBlock);
    await context.mineAndWatch();
  }
}

/** Waits (up to a minute) until every pause of `target` the responder recorded has reached a final status. */
async function pauseSettled(context: AttackContext, target: Address): Promise<void> {
  const final = new Set(['verified', 'failed', 'already-paused', 'refused']);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const pauses = (await listResponderActions(context.store, { kind: 'pause' })).filter(
      (action) => action.address?.toLowerCase() === target.toLowerCase(),
    );
    if ((pauses.length > 0 && pauses.every((action) => final.has(action.status))) || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

export const formatUnits18 = (value: bigint) => {
  const whole = value / 10n ** 18n;
  const fraction = ((value % 10n ** 18n) * 100n) / 10n ** 18n;
  return `${whole}.${fraction.toString().padStart(2, '0')}`;
};
