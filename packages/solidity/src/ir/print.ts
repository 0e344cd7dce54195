import { Analysis } from './analysis.ts';
import type { CfgNode } from './cfg.ts';
import { allFunctions, allStateVariables, type FunctionIR, type Program } from './program.ts';
import { typeToString } from './types.ts';

/** What a detector sees of each contract: linearisation, state, functions with their facts. */
export function printIr(program: Program, files?: Set<string>): string {
  const analysis = new Analysis(program);
  const lines: string[] = [];
  for (const contract of program.contracts) {
    if (files && !files.has(contract.unit.file)) continue;
    lines.push(`${contract.kind} ${contract.name}  (${contract.unit.file})`);
    lines.push(`  linearised: ${contract.linearized.map((c) => c.name).join(' -> ')}`);
    if (contract.unresolvedBases.length > 0) lines.push(`  unresolved bases: ${contract.unresolvedBases.join(', ')}`);
    for (const variable of allStateVariables(contract)) {
      const flags = [variable.visibility, variable.constant && 'constant', variable.immutable && 'immutable'].filter(
        Boolean,
      );
      lines.push(
        `  state ${typeToString(variable.type)} ${variable.name} [${flags.join(' ')}]${variable.contract === contract ? '' : ` from ${variable.contract.name}`}`,
      );
    }
    for (const fn of [...allFunctions(contract), ...contract.modifiers]) {
      const facts = analysis.facts(fn);
      const inherited = fn.contract === contract ? '' : ` from ${fn.contract.name}`;
      lines.push(`  ${fn.kind} ${fn.signature} ${fn.visibility} ${fn.mutability}${inherited}`);
      if (fn.modifiers.length > 0)
        lines.push(`    modifiers: ${fn.modifiers.map((m) => m.name + (m.definition ? '' : '?')).join(', ')}`);
      const flags = [
        analysis.isEntryPoint(fn) && 'entry-point',
        analysis.hasSenderCheck(fn) && 'checks-sender',
        analysis.hasReentrancyGuard(fn) && 'reentrancy-guard',
      ].filter(Boolean);
      if (flags.length > 0) lines.push(`    ${flags.join(', ')}`);
      const writes = [...new Set(facts.stateWrites.map((w) => w.variable.name))];
      const reads = [...new Set(facts.stateReads.map((r) => r.variable.name))];
      if (reads.length > 0) lines.push(`    reads: ${reads.join(', ')}`);
      if (writes.length > 0) lines.push(`    writes: ${writes.join(', ')}`);
      for (const call of facts.calls) {
        if (
          call.kind === 'builtin' ||
          call.kind === 'type-conversion' ||
          call.kind === 'event' ||
          call.kind === 'struct'
        )
          continue;
        const source = fn.contract.unit.source;
        const at = source.position(call.node.range?.[0] ?? 0).line;
        const extra = [
          call.value && `value ${source.textOf(call.value)}`,
          `return ${call.returnUse}`,
          call.inLoop && 'in loop',
        ]
          .filter(Boolean)
          .join(', ');
        lines.push(`    call ${call.kind} ${call.name} (line ${at}; ${extra})`);
      }
      for (const [name, sources] of analysis.localTaint(fn)) {
        if (sources.size > 0) lines.push(`    ${name} <- ${[...sources].join(', ')}`);
      }
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** One DOT digraph per function: statements as nodes, control flow as edges. */
export function printCfg(program: Program, files?: Set<string>): string {
  const analysis = new Analysis(program);
  const out: string[] = [];
  for (const fn of functionsOf(program, files)) {
    const { cfg } = analysis.facts(fn);
    const source = fn.contract.unit.source;
    const label = (node: CfgNode) => {
      if (node.kind === 'entry' || node.kind === 'exit') return node.kind.toUpperCase();
      const text = node.ast ? source.textOf(node.ast).split('\n')[0].slice(0, 60) : node.kind;
      return `${node.kind === 'condition' || node.kind === 'loop' ? `${node.kind}: ` : ''}${text}`;
    };
    out.push(`digraph "${fn.contract.name}.${fn.signature}" {`);
    for (const node of cfg.nodes) out.push(`  n${node.id} [label=${JSON.stringify(label(node))}];`);
    for (const node of cfg.nodes) for (const next of node.successors) out.push(`  n${node.id} -> n${next.id};`);
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

/** A DOT digraph of internal, library and external calls between functions. */
export function printCallgraph(program: Program, files?: Set<string>): string {
  const analysis = new Analysis(program);
  const out = ['digraph callgraph {'];
  const name = (fn: FunctionIR) => JSON.stringify(`${fn.contract.name}.${fn.name}`);
  for (const fn of functionsOf(program, files)) {
    out.push(`  ${name(fn)};`);
    for (const call of analysis.facts(fn).calls) {
      if (call.kind === 'internal' || call.kind === 'library') {
        for (const target of call.targets) out.push(`  ${name(fn)} -> ${name(target)};`);
      } else if (['external', 'low-level-call', 'delegatecall', 'staticcall', 'send', 'transfer'].includes(call.kind)) {
        const target = call.targets[0] ? name(call.targets[0]) : JSON.stringify(`${call.kind}:${call.name}`);
        out.push(`  ${name(fn)} -> ${target} [style=dashed, label=${JSON.stringify(call.kind)}];`);
      }
    }
    for (const use of fn.modifiers)
      if (use.definition) out.push(`  ${name(fn)} -> ${name(use.definition)} [style=dotted];`);
  }
  out.push('}');
  return `${[...new Set(out)].join('\n')}\n`;
}

function functionsOf(program: Program, files?: Set<string>): FunctionIR[] {
  return program.contracts
    .filter((c) => !files || files.has(c.unit.file))
    .flatMap((c) => [...c.functions, ...c.modifiers])
    .filter((fn) => fn.body);
}
