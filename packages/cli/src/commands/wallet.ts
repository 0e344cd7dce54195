import type { Io } from '../main.ts';

type Subcommand = { summary: string; run: (args: string[], io: Io) => Promise<number> };

// Subcommands load on first use, like the top-level commands.
const subcommands: Record<string, Subcommand> = {
  policy: {
    summary: 'Check a policy file; propose and approve policy changes (admin quorum)',
    run: async (args, io) => (await import('./wallet/policy.ts')).policyCommand(args, io),
  },
  decide: {
    summary: 'Decide a request under a policy file and explain why (no key, no store)',
    run: async (args, io) => (await import('./wallet/decide.ts')).decideCommand(args, io),
  },
  request: {
    summary: 'Submit a request to the policy in force: allowed, held or blocked',
    run: async (args, io) => (await import('./wallet/requests.ts')).requestCommand(args, io),
  },
  approve: {
    summary: 'Approve a held request (bound to its digest)',
    run: async (args, io) => (await import('./wallet/requests.ts')).approveCommand(args, io),
  },
  reject: {
    summary: 'Reject a held request',
    run: async (args, io) => (await import('./wallet/requests.ts')).rejectCommand(args, io),
  },
  requests: {
    summary: 'List requests with state, digest and deciding rule',
    run: async (args, io) => (await import('./wallet/requests.ts')).requestsCommand(args, io),
  },
  preview: {
    summary: 'Simulate a transaction before signing: asset changes, SafeTx hash, risky changes',
    run: async (args, io) => (await import('./wallet/preview.ts')).walletPreviewCommand(args, io),
  },
  custody: {
    summary: 'Hot/warm/cold balances per asset, hot-share ceiling alerts, sweep proposals',
    run: async (args, io) => (await import('./wallet/custody.ts')).walletCustodyCommand(args, io),
  },
  'check-signature': {
    summary: 'Decode a signature request and rate what signing it would give away',
    run: async (args, io) => (await import('./wallet/checkSignature.ts')).checkSignatureCommand(args, io),
  },
  approvals: {
    summary: 'List the token approvals an address granted, rated, with revoke transactions',
    run: async (args, io) => (await import('./wallet/approvals.ts')).approvalsCommand(args, io),
  },
  poisoning: {
    summary: 'Find look-alike addresses planted in an address history (address poisoning)',
    run: async (args, io) => (await import('./wallet/poisoning.ts')).poisoningCommand(args, io),
  },
};

export const walletHelp = () => `Usage: bulwark wallet <command> [options]

The wallet guard: policies, approvals and signers for hosted wallets; signature, approval and
address-poisoning checks for self-custody wallets.

Commands:
${Object.entries(subcommands)
  .map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`)
  .join('\n')}

Run \`bulwark wallet <command> --help\` for a command's options.
`;

export async function walletCommand(args: string[], io: Io): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(walletHelp());
    return name ? 0 : 2;
  }
  const subcommand = subcommands[name];
  if (!subcommand) {
    io.stderr(`error: unknown wallet command '${name}'.\n\n${walletHelp()}`);
    return 2;
  }
  return subcommand.run(rest, io);
}
