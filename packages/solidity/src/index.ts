export * from './compile/index.ts';
export {
  Analysis,
  assignedBases,
  assignmentOperators,
  type CallKind,
  type CallSite,
  type FunctionFacts,
  type ReturnUse,
  type StateAccess,
  type TaintSource,
} from './ir/analysis.ts';
export { childrenOf, dottedName, findAll, isNode, type Node, operandsOf, unwrapCallee, walk } from './ir/ast.ts';
export { buildCfg, type Cfg, type CfgNode, reachableFrom } from './ir/cfg.ts';
export { type ConversionContext, convertedValue, withoutConversions } from './ir/conversions.ts';
export { hasUnresolvedGuardModifier, unresolvedModifierGuards } from './ir/modifiers.ts';
export { type ParseOutcome, parseSolidity } from './ir/parse.ts';
export { admitsCompilerBelow, hasCheckedArithmetic, lowestCompilerVersion, type VersionedUnit } from './ir/pragma.ts';
export { printCallgraph, printCfg, printIr } from './ir/print.ts';
export {
  allFunctions,
  allStateVariables,
  buildProgram,
  type Contract,
  type FunctionIR,
  findStateVariable,
  findStruct,
  type Program,
  type ProgramInput,
  qualifiedName,
  resolveFunctions,
  resolveModifier,
  type SourceUnit,
  type StateVariable,
  type Variable,
} from './ir/program.ts';
export { SourceText } from './ir/source.ts';
export {
  integerBits,
  isAddress,
  isInteger,
  isUnsigned,
  type SolType,
  typeFromTypeName,
  typeToString,
} from './ir/types.ts';
export { parseFast } from './parser/index.ts';
