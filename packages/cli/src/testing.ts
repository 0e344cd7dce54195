import { describeStore, type StoreTestContext } from '@bulwark/store/testing';
import { type Io, main } from './main.ts';

export type CliRun = { code: number; stdout: string; stderr: string };

export type CliTestContext = StoreTestContext & {
  /** Runs `bulwark …args` in-process against the suite's store. */
  run(args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
};

/**
 * Runs a CLI suite twice, on PGlite and on PostgreSQL (see `describeStore`): each command gets
 * the suite's store, so the suite's commands see each other's records as a user's would.
 */
export function describeCli(name: string, fn: (ctx: CliTestContext) => void): void {
  describeStore(name, (ctx) => {
    const run: CliTestContext['run'] = async (args, options = {}) => {
      let stdout = '';
      let stderr = '';
      const io: Io = {
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        stdoutIsTty: false,
        stderrIsTty: false,
        cwd: options.cwd ?? process.cwd(),
        // Commands attribute actions to someone: a test that does not say who acts as `tester`.
        env: {
          ...(options.env?.BULWARK_ACTOR === undefined && options.env?.USER === undefined
            ? { BULWARK_ACTOR: 'tester' }
            : {}),
          ...options.env,
        },
        openStore: async () => ctx.store,
      };
      const code = await main(args, io);
      return { code, stdout, stderr };
    };
    fn(Object.assign(Object.create(ctx) as StoreTestContext, { run }) as CliTestContext);
  });
}
