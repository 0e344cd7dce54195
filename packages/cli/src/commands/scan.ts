import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Impact, impactAtLeast, isImpact, UsageError } from '@bulwark/core';
import { formatResult, isFormat, loadBaseline, loadScanConfig, scan } from '@bulwark/scanner';
import { findRepositoryRoot } from '@bulwark/solidity';
import type { Io } from '../main.ts';
import { printProgram } from '../print.ts';
import { createProgressBar } from '../progress.ts';
import { readSourceFrom } from '../readSource.ts';

export const scanHelp = `Usage: bulwark scan [paths...] [options]

Analyse .sol files, folders, Foundry projects (foundry.toml) and Hardhat projects.

Options:
  -f, --format <text|json|sarif|markdown>  Output format (default: text)
  -o, --output <file>        Write the report to a file instead of stdout
      --fail-on <high|medium|low>  Exit 1 when a finding is at or above this impact (default: high)
      --baseline <file>      Report only findings not in this earlier JSON result
      --config <file>        Config file (default: ./bulwark.config.json when present)
      --detectors <ids>      Run only these detectors (comma-separated)
      --exclude <ids>        Skip these detectors (comma-separated)
      --print <ir|cfg|callgraph>  Print the intermediate representation instead of findings
      --jobs <n>             Worker threads (default: one per core; 0 analyses in the main
                             thread, without the limits below)
      --file-memory <MB>     Heap one file's analysis may use before it is reported failed
                             (default: 2048)
      --file-timeout <s>     Time one file's analysis may take before it is reported failed
                             (default: 120)
      --offline              Never fetch a compiler from the npm registry: files whose pragma
                             or project config asks for one not bundled or fetched before run
                             degraded (see \`bulwark compilers\`)
      --sarif-category <name>  SARIF automationDetails.id category (default: bulwark); give
                             each scan of one repository its own, e.g. one per package
      --no-color             No colours in text output
  -h, --help                 Show this help

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or tool error, a file
that could not be analysed at all (the report covers the rest), or no Solidity file found.
Inline suppression: // bulwark-disable-next-line <detector-id>
`;

export async function scanCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      'fail-on': { type: 'string' },
      baseline: { type: 'string' },
      config: { type: 'string' },
      detectors: { type: 'string' },
      exclude: { type: 'string' },
      print: { type: 'string' },
      jobs: { type: 'string' },
      'file-memory': { type: 'string' },
      'file-timeout': { type: 'string' },
      'no-color': { type: 'boolean' },
      offline: { type: 'boolean' },
      'sarif-category': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(scanHelp);
    return 0;
  }
  const format = values.format ?? 'text';
  if (!isFormat(format))
    throw new UsageError(`--format ${format} is not a format.`, {
      metaMessages: ['Use text, json, sarif or markdown.'],
    });
  const config = loadScanConfig(values.config, io.cwd);
  const failOnText = values['fail-on'] ?? config?.failOn ?? 'high';
  if (!isImpact(failOnText) || failOnText === 'optimization')
    throw new UsageError(`--fail-on ${failOnText} is not an impact.`, { metaMessages: ['Use high, medium or low.'] });
  const failOn: Impact = failOnText;
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 0))
    throw new UsageError(`--jobs ${values.jobs} is not a whole number.`);
  const positive = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new UsageError(`--${flag} ${text} is not a positive number.`, {
        metaMessages: [
          flag === 'file-memory'
            ? 'Give megabytes, e.g. --file-memory 4096.'
            : 'Give seconds, e.g. --file-timeout 300.',
        ],
      });
    return value;
  };
  const fileMemoryMb = positive('file-memory', values['file-memory']);
  const fileTimeoutS = positive('file-timeout', values['file-timeout']);
  const list = (text: string | undefined) =>
    text
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const paths = positionals.length > 0 ? positionals : ['.'];

  if (values.print) {
    if (!['ir', 'cfg', 'callgraph'].includes(values.print))
      throw new UsageError(`--print ${values.print} is not a printer.`, {
        metaMessages: ['Use ir, cfg or callgraph.'],
      });
    io.stdout(
      printProgram(
        paths.map((p) => path.resolve(io.cwd, p)),
        values.print as 'ir' | 'cfg' | 'callgraph',
      ),
    );
    return 0;
  }

  const progress = io.stderrIsTty && !values.output?.includes('/dev/stdout') ? createProgressBar(io) : undefined;
  const result = await scan({
    paths: paths.map((p) => path.resolve(io.cwd, p)),
    cwd: io.cwd,
    config,
    detectors: list(values.detectors),
    exclude: list(values.exclude),
    baseline: values.baseline ? loadBaseline(values.baseline, io.cwd) : undefined,
    jobs,
    limits: {
      fileMemoryMb: fileMemoryMb === undefined ? undefined : Math.ceil(fileMemoryMb),
      fileTimeoutMs: fileTimeoutS === undefined ? undefined : Math.ceil(fileTimeoutS * 1000),
    },
    onProgress: progress?.update,
    fetchCompilers: values.offline ? false : undefined,
  });
  progress?.done();
  const color = format === 'text' && !values['no-color'] && !values.output && io.stdoutIsTty && !io.env.NO_COLOR;
  const report = formatResult(result, format, {
    color,
    readSource: readSourceFrom(io.cwd),
    // SARIF locations relative to the repository, even for files above the working directory.
    cwd: io.cwd,
    srcRoot: findRepositoryRoot(io.cwd) ?? io.cwd,
    category: values['sarif-category'],
  });
  if (values.output) {
    writeFileSync(path.resolve(io.cwd, values.output), report);
    io.stderr(`Wrote ${values.output}: ${result.findings.length} findings.\n`);
  } else {
    io.stdout(report);
  }
  // A gate must not pass on work that was not done.
  const failed = result.files.filter((file) => file.status === 'failed');
  const analysed = result.files.filter((file) => file.status !== 'failed' && file.file.endsWith('.sol'));
  if (failed.length > 0) {
    io.stderr(
      `error: ${failed.length} file(s) could not be analysed:\n${failed.map((file) => `  ${file.file}: ${file.reason ?? 'failed'}`).join('\n')}\n`,
    );
    return 2;
  }
  if (analysed.length === 0) {
    io.stderr(
      `error: no Solidity file found in ${paths.join(', ')}; give .sol files, folders or a Foundry/Hardhat project.\n`,
    );
    return 2;
  }
  return result.findings.some((f) => impactAtLeast(f.impact, failOn)) ? 1 : 0;
}
