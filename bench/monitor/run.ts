/**
 * npm run bench:monitor — the monitor against an honest adversary, on a local anvil (from npm):
 *  - eight attacks, each on its own victim (`victims.ts`, `attacks.ts`), by attackers paying 10–30
 *    times the typical tip, while benign traffic runs (`traffic.ts`);
 *  - the same attacks on a second copy of each victim guarded by the naive script (`naivePeer.ts`):
 *    the peer, measured in the same run;
 *  - automatic pauses over the benign traffic (target 0 over ≥ 50,000 transactions), with the
 *    naive script's pauses on the same blocks;
 *  - block arrival → pause broadcast, p50 and p99 (target p99 < 100 ms).
 * The monitor runs as a user runs it: a config file (documented keys only) through
 * `createMonitorsFromConfig`, guardian breakers with autoPause, mempool on.
 *
 * Flags: --quick (2,000 benign txs, 12-block attacks: a few minutes), --benign N, --attack NAME
 * (repeatable; default all), --seed N, --no-append (print only).
 * Logs in bench/.out/: monitor-run.log (the monitor's lines and every alert), attack-signals.log
 * (each signal and verdict on an attack's victim, per block and pending transaction). The pauses'
 * phases (fetch, queue, simulation, rules, breaker, broadcast) are printed with the figures.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadArtifacts } from '@bulwark/contracts';
import { createRandom } from '@bulwark/core';
import {
  allRules,
  type BlockReport,
  createMonitorsFromConfig,
  loadMonitorConfig,
  type Monitor,
  type PausePhases,
  type TxResult,
} from '@bulwark/monitor';
import { openStore } from '@bulwark/store';
import { type Address, formatGwei, type Hex, parseAbi, parseGwei, toHex } from 'viem';
import { devKeys, startDemoChain } from '../../packages/cli/src/demo/demoChain.ts';
import { type AttackName, type AttackPlan, attackNames, attackPlans } from './attacks.ts';
import { createSender, type Sent } from './chain.ts';
import { attackerFee, type FeeBid, medianFee, percentile } from './fees.ts';
import { lowerSet, measureLoss } from './measurement.ts';
import { createNaiveWatch } from './naivePeer.ts';
import {
  type AttackOutcome,
  appendRows,
  attackRow,
  latencyRow,
  ms,
  printAttackTable,
  printPhases,
  printSlowestBlocks,
  printTable,
  type Row,
  type SideOutcome,
} from './report.ts';
import { type AdminWork, createBenignTraffic } from './traffic.ts';
import {
  deployKit,
  deployShared,
  encode,
  holdingOf,
  type Kit,
  mirrorHoldings,
  openCast,
  openDesk,
  victimKeys,
} from './victims.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    benign: { type: 'string' },
    attack: { type: 'string', multiple: true },
    seed: { type: 'string', default: '11' },
    'no-append': { type: 'boolean', default: false },
    'pending-wait-ms': { type: 'string', default: '1500' },
  },
});
const quick = flags.quick ?? false;
const benignTarget = Number(flags.benign ?? (quick ? 2_000 : 50_000));
const learnBlocks = quick ? 60 : 250;
const txsPerBlock = 25;
const users = 48;
const attackRounds = quick ? 12 : 40;
const pendingWaitMs = Number(flags['pending-wait-ms']);
const chosen = (flags.attack ?? [...attackNames]).flatMap((name) => name.split(','));
for (const name of chosen) {
  if (!(attackNames as readonly string[]).includes(name)) {
    console.error(`bench:monitor: unknown attack "${name}". Known: ${attackNames.join(', ')}.`);
    process.exit(2);
  }
}

const repo = path.resolve(import.meta.dirname, '../..');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const date = new Date().toISOString().slice(0, 10);
const random = createRandom(Number(flags.seed));
const log = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const started = performance.now();
const pausedAbi = parseAbi(['function paused() view returns (bool)']);

const chain = await startDemoChain();
const workDir = mkdtempSync(path.join(tmpdir(), 'bulwark-bench-'));
const store = await openStore({ dataDir: 'memory://' });
const monitors: Monitor[] = [];
const running: Promise<void>[] = [];
try {
  const artifacts = await loadArtifacts();
  const sender = createSender(chain);
  const { cast, guardian } = await openCast(chain);
  const { admin } = cast;
  const naiveGuardian = await chain.account('naive-guardian');
  const setupFee: FeeBid = { type: 'eip1559', priorityFee: parseGwei('1') };
  await sender.refreshBaseFee();

  log(`anvil ${new URL(chain.anvil.rpcUrl).host}: deploying two kits of eight victims…`);
  const shared = await deployShared(chain, sender, artifacts, admin, setupFee);
  const bulwarkKit = await deployKit(chain, sender, artifacts, shared, cast, 'bulwark', guardian.address, setupFee);
  const naiveKit = await deployKit(chain, sender, artifacts, shared, cast, 'naive', naiveGuardian.address, setupFee);
  const desk = await openDesk(chain, sender, artifacts, shared, admin, setupFee);
  const mirror = await chain.account('mirror-depositor');
  await chain.rpc({ method: 'anvil_setBalance', params: [mirror.address, toHex(10n ** 24n)] });
  await chain.mine();
  const traffic = createBenignTraffic({
    chain,
    sender,
    artifacts,
    shared,
    kit: bulwarkKit,
    cast,
    random,
    users,
    txsPerBlock,
  });
  await traffic.setUp();

  log(`Learning traffic: ${learnBlocks} blocks of about ${txsPerBlock} transactions…`);
  let learnedTxs = 0;
  for (let i = 0; i < learnBlocks; i++) {
    learnedTxs += await traffic.sendBlock();
    await chain.mine();
    await traffic.afterBlock();
  }

  // The monitor, from a config file as an operator writes it.
  const victims = victimKeys.map((key) => bulwarkKit.victims[key]);
  const config = {
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
      ...victims.map((victim) => {
        writeFileSync(path.join(workDir, `${victim.key}.abi.json`), JSON.stringify(victim.abi));
        return {
          chain: 31337,
          address: victim.address,
          name: victim.name,
          kind: victim.kind,
          abi: `${victim.key}.abi.json`,
          assets: victim.assets,
          breaker: { kind: 'guardian', autoPause: true, guardian: { privateKeyEnv: 'GUARDIAN_KEY' } },
        };
      }),
      {
        chain: 31337,
        address: bulwarkKit.pairA,
        name: 'PairA',
        kind: 'pool',
        assets: [shared.stable, shared.collateral],
      },
      {
        chain: 31337,
        address: bulwarkKit.pairB,
        name: 'PairB',
        kind: 'pool',
        assets: [shared.stable, shared.collateral],
      },
      { chain: 31337, address: shared.stable, name: 'bUSD', kind: 'token' },
    ],
    baseline: { learnBlocks: 100_000 },
    sinks: [],
  };
  const configFile = path.join(workDir, 'monitor.config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  // A copy for the reader: the config the monitor ran with (RPC URLs are local, the key is in the environment).
  mkdirSync(path.join(repo, 'bench/.out'), { recursive: true });
  writeFileSync(path.join(repo, 'bench/.out/monitor.config.json'), JSON.stringify(config, null, 2));
  const env = { GUARDIAN_KEY: devKeys.guardian };
  const loaded = loadMonitorConfig(configFile, { rules: allRules, env });

  type PauseSeen = {
    contract: string;
    at: 'block' | 'pending';
    block: bigint;
    ms: number | undefined;
    txHash: string | undefined;
  };
  const reports: BlockReport[] = [];
  /** Where each pause's time went (from the block's arrival, or the pending tx's delivery by the sync). */
  const phases: { at: 'block' | 'pending'; phases: PausePhases }[] = [];
  const pauses: PauseSeen[] = [];
  const pending = new Map<string, TxResult>();
  const waiters = new Map<bigint, () => void>();
  const sentAt = new Map<string, number>();
  let lastProcessed = 0n;
  /** Blocks the monitor had not processed two minutes after they were mined. */
  const lagging: bigint[] = [];
  const monitorLog = path.join(repo, 'bench/.out/monitor-run.log');
  /** During an attack, what the monitor saw on its victim: each signal and verdict, per block and pending tx. */
  const signalsLog = path.join(repo, 'bench/.out/attack-signals.log');
  writeFileSync(signalsLog, '');
  let attackVictim: string | undefined;
  const noteSignals = (where: string, results: readonly TxResult[]) => {
    if (!attackVictim) return;
    for (const result of results) {
      const signals = result.signals.filter((signal) => signal.contract.toLowerCase() === attackVictim);
      if (signals.length === 0) continue;
      const verdicts = result.verdicts
        .filter((verdict) => verdict.contract.toLowerCase() === attackVictim)
        .map((v) => `verdict ${v.score}${v.pause ? ' PAUSE' : ''}${v.heldBack ? ` held back (${v.heldBack})` : ''}`);
      appendFileSync(
        signalsLog,
        `${where} ${result.tx.hash.slice(0, 10)} from ${result.tx.from.slice(0, 10)}: ${signals.map((s) => `${s.ruleId} ${s.score}`).join(', ')}; ${verdicts.join('; ')}\n`,
      );
    }
  };
  mkdirSync(path.dirname(monitorLog), { recursive: true });
  writeFileSync(monitorLog, '');
  let alerts = 0;
  chain.onSent = (hash, at) => sentAt.set(hash, at);
  monitors.push(
    ...(await createMonitorsFromConfig({
      config: loaded,
      store,
      rules: allRules,
      env,
      sinks: [
        {
          name: 'bench',
          send: async (alert) => {
            alerts++;
            appendFileSync(
              monitorLog,
              `alert ${alert.ruleId} (${alert.severity}) on ${nameOf(alert.contract)} in block ${alert.blockNumber}: ${alert.title}\n`,
            );
          },
        },
      ],
      // Everything the monitor says goes to bench/.out/monitor-run.log; learning progress to the terminal too.
      log: (line) => {
        appendFileSync(monitorLog, `${line}\n`);
        if (line.startsWith('Learn')) log(`monitor: ${line}`);
      },
      onBlock: (report) => {
        reports.push(report);
        noteSignals(`block ${report.number}`, report.flagged);
        if (report.phases) phases.push({ at: 'block', phases: report.phases });
        for (const pause of report.pauses) {
          if (pause.outcome?.status !== 'sent' && pause.outcome?.status !== 'verified') continue;
          pauses.push({
            contract: pause.verdict.contract,
            at: 'block',
            block: report.number,
            ms: report.pauseMs,
            txHash: pause.outcome.txHash,
          });
        }
        lastProcessed = report.number;
        waiters.get(report.number)?.();
      },
      onPending: (result, decided, pausePhases) => {
        pending.set(result.tx.hash, result);
        noteSignals(`pending (after block ${lastProcessed})`, [result]);
        if (pausePhases) phases.push({ at: 'pending', phases: pausePhases });
        const seen = sentAt.get(result.tx.hash);
        for (const pause of decided) {
          if (!pause.outcome?.txHash) continue;
          pauses.push({
            contract: pause.verdict.contract,
            at: 'pending',
            block: lastProcessed + 1n,
            ms: pause.outcome.broadcastAt && seen ? pause.outcome.broadcastAt - seen : undefined,
            txHash: pause.outcome.txHash,
          });
        }
      },
    })),
  );
  const [monitor] = monitors as [Monitor];
  // On a loaded machine anvil can take over the monitor's 10 s RPC limit to trace a block while
  // learning, which fails the whole backfill: the bench tries again (a user would restart it).
  let head = 0n;
  for (let attempt = 1; ; attempt++) {
    try {
      head = await monitor.learn();
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      log(`monitor: learning failed (${(error as Error).message.split('\n')[0]}); trying again.`);
    }
  }
  log(`Monitor learned blocks up to ${head} (${learnedTxs} benign transactions after set-up); live from here.`);
  running.push(monitor.run());

  const mineAndWatch = async (): Promise<bigint> => {
    const number = await chain.mine();
    if (lastProcessed < number) {
      // The chain does not wait for a monitor that fell behind: after two minutes the run goes on, and says so.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(number);
          lagging.push(number);
          log(`The monitor has not processed block ${number} after 120 s; the chain goes on.`);
          resolve();
        }, 120_000);
        waiters.set(number, () => {
          clearTimeout(timer);
          waiters.delete(number);
          resolve();
        });
      });
    }
    await traffic.afterBlock();
    return number;
  };
  const isPaused = (address: Address) => chain.client.readContract({ address, abi: pausedAbi, functionName: 'paused' });
  /** Each victim's holdings per asset: what the naive script reads after every block. */
  const holdingsOfKit = async (kit: Kit) =>
    new Map(
      await Promise.all(
        victimKeys.map(async (key) => {
          const victim = kit.victims[key];
          const assets = await Promise.all(
            victim.assets.map(async (asset) => [asset, await holdingOf(chain, victim.address, asset)] as const),
          );
          return [victim.address.toLowerCase(), new Map(assets)] as const;
        }),
      ),
    );
  const nameOf = (address: string) =>
    victims.find((victim) => victim.address.toLowerCase() === address.toLowerCase())?.name ?? address;

  // ---- Benign traffic, live ----
  const liveBlocks = Math.ceil(benignTarget / (txsPerBlock * 1.15));
  const adminAt = new Map<number, AdminWork>([
    [Math.floor(liveBlocks * 0.15), 'set-ltv'],
    [Math.floor(liveBlocks * 0.3), 'maintenance-pause'],
    [Math.floor(liveBlocks * 0.45), 'set-fee'],
    [Math.floor(liveBlocks * 0.6), 'grant-payer'],
    [Math.floor(liveBlocks * 0.75), 'whale-exit-savings'],
    [Math.floor(liveBlocks * 0.85), 'whale-exit-vault'],
  ]);
  log(`Benign traffic live: ${benignTarget} transactions (≈${liveBlocks} blocks, bursts, whales, bots, admin work)…`);
  const naiveBenign = createNaiveWatch();
  naiveBenign.observe(await holdingsOfKit(bulwarkKit));
  const naiveFalse: { contract: string; block: bigint }[] = [];
  let benignTxs = 0;
  let benignBlocks = 0;
  /** Where a live block's time goes (the harness's own share shows it is not the bottleneck). */
  const phaseMs = { send: 0, mine: 0, naive: 0 };
  const alertsBefore = alerts;
  for (let i = 1; benignTxs < benignTarget; i++) {
    const work = adminAt.get(i);
    const t0 = performance.now();
    benignTxs += await traffic.sendBlock(work ? [work] : []);
    const t1 = performance.now();
    const pausesBefore = pauses.length;
    const number = await mineAndWatch();
    const t2 = performance.now();
    benignBlocks++;
    for (const contract of naiveBenign.observe(await holdingsOfKit(bulwarkKit)))
      naiveFalse.push({ contract, block: number });
    phaseMs.send += t1 - t0;
    phaseMs.mine += t2 - t1;
    phaseMs.naive += performance.now() - t2;
    // A false pause: the admin lifts it after the delay, as staff would, and traffic goes on.
    for (const pause of pauses.slice(pausesBefore)) {
      const victim = victims.find((v) => v.address.toLowerCase() === pause.contract.toLowerCase());
      log(`False pause of ${nameOf(pause.contract)} at block ${pause.block}.`);
      if (victim) traffic.scheduleUnpause(victim);
    }
    if (benignBlocks % (quick ? 10 : 100) === 0) {
      const per = (value: number) => (value / benignBlocks).toFixed(0);
      log(
        `  ${benignTxs} benign txs, ${pauses.length} automatic pauses, naive ${naiveFalse.length} (per block: send ${per(phaseMs.send)} ms, mine+monitor ${per(phaseMs.mine)} ms, naive ${per(phaseMs.naive)} ms)`,
      );
    }
  }
  // The last scheduled unpauses go through before the attacks.
  for (let i = 0; i < 8; i++) {
    benignTxs += await traffic.sendBlock();
    await mineAndWatch();
  }
  const falsePauses = pauses.length;
  const benignAlerts = alerts - alertsBefore;
  log(
    `Benign done: ${benignTxs} txs over ${benignBlocks} blocks; ${falsePauses} automatic pauses, ${benignAlerts} alerts; naive: ${naiveFalse.length}.`,
  );

  // ---- Attacks ----
  const typicalTip = medianFee(traffic.fees, parseGwei('1'));
  const userAddresses = traffic.users().map((u) => u.address);
  const plans = attackPlans({ maxRounds: attackRounds });
  const outcomes: AttackOutcome[] = [];
  const attackPauseMs: number[] = [];
  for (const name of chosen as AttackName[]) {
    const plan = plans[name];
    // Seeded by the attack, not by the run: `--attack NAME` meets the same attacker as a full run.
    const multiple = createRandom(Number(flags.seed) * 31 + attackNames.indexOf(name)).between(10, 30);
    const fee = attackerFee(typicalTip, multiple);
    log(`Attack ${name} (tip ${formatGwei(fee.priorityFee)} gwei, ${multiple.toFixed(0)}× typical)…`);
    // Both copies meet the attack with the same holdings: the naive copy is topped up first.
    await mirrorHoldings(
      chain,
      sender,
      artifacts,
      bulwarkKit.victims[plan.victim],
      naiveKit.victims[plan.victim],
      mirror,
      desk,
      setupFee,
    );
    await traffic.sendBlock();
    await mineAndWatch();
    const pausesBefore = pauses.length;
    const bulwark = await runAttack(plan, bulwarkKit, fee, 'bulwark');
    for (const pause of pauses.slice(pausesBefore)) if (pause.ms !== undefined) attackPauseMs.push(pause.ms);
    const naive = await runAttack(plan, naiveKit, fee, 'naive');
    outcomes.push({
      name,
      victim: plan.victim,
      singleTransaction: plan.singleTransaction,
      description: plan.description,
      attackerTipGwei: Number(formatGwei(fee.priorityFee)),
      bulwark,
      naive,
    });
    log(`  Bulwark lost ${bulwark.lost} of ${bulwark.atRisk}; naive lost ${naive.lost} of ${naive.atRisk}.`);
  }

  async function runAttack(plan: AttackPlan, kit: Kit, fee: FeeBid, side: Kit['side']): Promise<SideOutcome> {
    const victim = kit.victims[plan.victim];
    if (side === 'bulwark') {
      attackVictim = victim.address.toLowerCase();
      appendFileSync(signalsLog, `--- ${plan.name} on ${victim.name}\n`);
    }
    const attacker = await chain.account(`attacker-${plan.name}-${side}`);
    const loot = (await chain.account(`loot-${plan.name}-${side}`)).address;
    const prepared = await plan.prepare({
      chain,
      sender,
      artifacts,
      shared,
      kit,
      admin,
      attacker,
      loot,
      fee,
      desk,
      candidates: [...(side === 'bulwark' ? userAddresses : []), ...kit.founders.map((founder) => founder.address)],
    });
    // The attacker's contracts land a few blocks before the strike, among ordinary traffic.
    for (let i = 0; i < 3; i++) {
      await traffic.sendBlock();
      await mineAndWatch();
    }
    const atRisk = await prepared.atRisk();
    const naive = createNaiveWatch();
    if (side === 'naive') naive.observe(await holdingsOfKit(kit));
    const hashes: Hex[] = [];
    let strike: Hex[] = [];
    let strikeBlock: bigint | undefined;
    let pausedAt: bigint | undefined;
    let rounds = 0;
    for (let round = 0; round < prepared.maxRounds; round++) {
      if (round > 0 && (await isPaused(victim.address))) break;
      await traffic.sendBlock();
      const sent: Sent[] = await prepared.step(round);
      if (sent.length === 0) break;
      rounds++;
      hashes.push(...sent.map((s) => s.hash));
      if (round === 0) strike = sent.map((s) => s.hash);
      const unseen = round === 0 && !plan.singleTransaction;
      if (!unseen && side === 'bulwark')
        await judged(
          sent.map((s) => s.hash),
          victim.address,
          plan.singleTransaction ? 5_000 : pendingWaitMs,
        );
      const number = await mineAndWatch();
      strikeBlock ??= number;
      if (pausedAt === undefined && (await isPaused(victim.address))) pausedAt = number;
      if (side === 'naive') {
        for (const contract of naive.observe(await holdingsOfKit(kit))) {
          if (contract !== victim.address.toLowerCase()) continue;
          const tip = BigInt((await chain.rpc({ method: 'eth_maxPriorityFeePerGas' })) as Hex);
          await sender.send(
            naiveGuardian,
            { to: victim.address, data: encode(victim.abi, 'pause') },
            { type: 'eip1559', priorityFee: tip },
            100_000n,
          );
        }
      }
    }
    if (side === 'bulwark') appendFileSync(signalsLog, `strike in block ${strikeBlock}, paused in block ${pausedAt}\n`);
    // One more block: a pause sent after the last round is mined (the attacker has stopped).
    await traffic.sendBlock();
    const last = await mineAndWatch();
    if (pausedAt === undefined && (await isPaused(victim.address))) pausedAt = last;
    const scope = {
      holders: lowerSet(prepared.holders),
      attacker: lowerSet(prepared.attackerSet),
      tokens: lowerSet([shared.stable, shared.collateral]),
    };
    const lost = await measureLoss(chain.client as never, scope, hashes);
    // The attacker's own view: how many of its transactions failed (a pause, or a broken attack).
    let failed = 0;
    for (const hash of hashes) {
      const receipt = await chain.client.getTransactionReceipt({ hash }).catch(() => undefined);
      if (receipt?.status !== 'success') failed++;
    }
    log(`  ${side}: ${hashes.length} attack transactions, ${failed} failed or not mined.`);
    const unavoidable = plan.singleTransaction ? 0n : await measureLoss(chain.client as never, scope, strike);
    // A pause mined before the strike's block (mempool) counts as block 0.
    const blocksToPause =
      pausedAt === undefined || strikeBlock === undefined ? undefined : Math.max(0, Number(pausedAt - strikeBlock));
    if (side === 'bulwark') attackVictim = undefined;
    return { atRisk, lost, unavoidable, paused: pausedAt !== undefined, blocksToPause, rounds };
  }

  /** Until the monitor judged each pending hash (or broadcast a pause for the victim), at most `timeoutMs`: a block interval. */
  async function judged(hashes: readonly Hex[], victim: Address, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const paused = () =>
      pauses.some((p) => p.contract.toLowerCase() === victim.toLowerCase() && p.at === 'pending' && hashes.length > 0);
    while (Date.now() < deadline && !hashes.every((hash) => pending.has(hash)) && !paused()) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  // ---- Rows ----
  const rows: Row[] = [];
  const attackerTips = outcomes.map((o) => o.attackerTipGwei);
  const gw = (fee: bigint) => Number(formatGwei(fee)).toFixed(2);
  const tipsSorted = traffic.fees.map((f) => Number(formatGwei(f)));
  rows.push({
    data: `${benignTxs} benign txs live over ${benignBlocks} blocks (8 victims, ${users} users, bursts ×4, keeper/arbitrage/operator/treasury bots, whales exiting ~30% of TVL, admin: ${traffic.notes.length} routine changes incl. a maintenance pause)`,
    figure: `Bulwark: ${falsePauses} automatic pauses, ${benignAlerts} alerts${lagging.length ? ` (monitor over 120 s behind on ${lagging.length} blocks in the run)` : ''}`,
    peer: `naive 5%/block script on the same blocks: ${naiveFalse.length} pauses (${[...new Set(naiveFalse.map((f) => nameOf(f.contract)))].join(', ') || 'none'}); target 0`,
    ratio: falsePauses === 0 ? '0 (met)' : `${falsePauses} (missed)`,
  });
  const blockPauseMs = pauses.filter((p) => p.at === 'block' && p.ms !== undefined).map((p) => p.ms!);
  rows.push(
    latencyRow(
      'pauses decided on a block (attacks and false pauses)',
      blockPauseMs,
      100,
      `block arrival (newHeads) → pause broadcast, guardian with today's fee policy; target p99 < 100 ms`,
    ),
  );
  const pendingPauseMs = pauses.filter((p) => p.at === 'pending' && p.ms !== undefined).map((p) => p.ms!);
  if (pendingPauseMs.length > 0) {
    rows.push(
      latencyRow(
        'pauses decided on a pending tx',
        pendingPauseMs,
        100,
        'pending tx submitted → pause broadcast; target p99 < 100 ms',
      ),
    );
  }
  const evaluated = reports.flatMap((r) => (r.evaluatedMs === undefined ? [] : [r.evaluatedMs]));
  rows.push(latencyRow('live blocks', evaluated, 50, 'block arrival → rules evaluated; limit p99 < 50 ms (alert)'));
  const pauseTips: number[] = [];
  for (const pause of pauses) {
    if (!pause.txHash) continue;
    const tx = await chain.client.getTransaction({ hash: pause.txHash as Hex }).catch(() => undefined);
    if (tx) pauseTips.push(Number(formatGwei(tx.maxPriorityFeePerGas ?? tx.gasPrice ?? 0n)));
  }
  rows.push({
    data: `${tipsSorted.length} benign tips (seeded, heavy-tailed; 1 in 7 legacy)`,
    figure: `benign tip p50 ${percentile(tipsSorted, 50).toFixed(2)}, p90 ${percentile(tipsSorted, 90).toFixed(2)}, p99 ${percentile(tipsSorted, 99).toFixed(2)} gwei; attackers ${Math.min(...attackerTips).toFixed(1)}–${Math.max(...attackerTips).toFixed(1)} gwei`,
    peer: `Bulwark's pause tips: ${pauseTips.length ? `${Math.min(...pauseTips).toFixed(2)}–${Math.max(...pauseTips).toFixed(2)} gwei` : 'none sent'} (typical ${gw(typicalTip)})`,
    ratio: pauseTips.length
      ? `pause/attacker median ${(percentile(pauseTips, 50) / percentile(attackerTips, 50)).toFixed(2)}`
      : '—',
  });
  for (const outcome of outcomes) rows.push(attackRow(outcome));
  const multi = outcomes.filter((o) => !o.singleTransaction);
  console.log(`\nNotes: ${traffic.notes.join('; ')}`);
  console.log(`Attack pause latencies: ${attackPauseMs.map(ms).join(', ') || 'none'}`);
  printPhases(phases);
  printSlowestBlocks(reports);
  printTable(rows);
  printAttackTable(outcomes);
  console.log(`\n${multi.length} multi-tx attacks; done in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  if (!flags['no-append']) appendRows(repo, date, `${commit}${quick ? ' (quick)' : ''}`, rows);
} finally {
  for (const monitor of monitors) await monitor.stop().catch(() => {});
  await Promise.allSettled(running);
  await store.close();
  await chain.stop();
  rmSync(workDir, { recursive: true, force: true });
}
