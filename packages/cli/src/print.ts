import { readFileSync } from 'node:fs';
import {
  buildProgram,
  createImportResolver,
  detectProject,
  findImports,
  type Node,
  parseSolidity,
  printCallgraph,
  printCfg,
  printIr,
} from '@bulwark/solidity';

/** `bulwark scan --print`: the IR of the scanned files, their imports resolved for inheritance. */
export function printProgram(paths: string[], printer: 'ir' | 'cfg' | 'callgraph'): string {
  const project = detectProject(paths);
  const resolver = createImportResolver({ root: project.root, remappings: project.remappings });
  const inputs = new Map<string, { file: string; content: string; ast: Node }>();
  const queue = [...project.sources];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (inputs.has(file)) continue;
    const content = readFileSync(file, 'utf8');
    const { ast } = parseSolidity(content);
    inputs.set(file, { file, content, ast: ast ?? { type: 'SourceUnit', children: [] } });
    for (const statement of findImports(content)) {
      const resolved = resolver.resolve(statement.path, file);
      if (resolved.found) queue.push(resolved.path);
    }
  }
  const program = buildProgram([...inputs.values()]);
  const targets = new Set(project.sources);
  if (printer === 'cfg') return printCfg(program, targets);
  if (printer === 'callgraph') return printCallgraph(program, targets);
  return printIr(program, targets);
}
