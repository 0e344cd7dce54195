import { type Io, main } from '../../main.ts';

/** Runs `bulwark …args` in-process, without a store (the self-custody commands use none). */
export async function runBulwark(
  args: string[],
  cwd = process.cwd(),
): Promise<{ code: number; stdout: string; stderr: string }> {
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
    cwd,
    env: {},
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
