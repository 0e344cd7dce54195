import { scannedUnits } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

/** Bidirectional controls that reorder how text is displayed (Trojan Source, CVE-2021-42574). */
const bidiControls: Record<number, string> = {
  8234: 'LEFT-TO-RIGHT EMBEDDING',
  8235: 'RIGHT-TO-LEFT EMBEDDING',
  8236: 'POP DIRECTIONAL FORMATTING',
  8237: 'LEFT-TO-RIGHT OVERRIDE',
  8238: 'RIGHT-TO-LEFT OVERRIDE',
  8294: 'LEFT-TO-RIGHT ISOLATE',
  8295: 'RIGHT-TO-LEFT ISOLATE',
  8296: 'FIRST STRONG ISOLATE',
  8297: 'POP DIRECTIONAL ISOLATE',
};

export const rtloCharacter = defineDetector({
  id: 'rtlo-character',
  category: 'misc',
  title: 'Right-to-left override character in source',
  impact: 'high',
  confidence: 'high',
  description:
    'The source contains a Unicode bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE or a related embedding/isolate). Editors and review tools display the text reordered, so what a reviewer reads is not what the compiler sees.',
  scenario:
    'A contract shows `transfer(owner, amount /*‮ ,recipient*/)` to the reviewer, while the compiler reads the arguments in another order: fees go to the attacker while the code looks correct in review.',
  recommendation:
    'Remove every bidirectional control character from the source (comments and strings included) and reject them in CI.',
  swc: ['SWC-130'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ contracts, functions, report }) {
    for (const unit of scannedUnits(contracts, functions)) {
      const text = unit.source.content;
      for (let i = 0; i < text.length; i++) {
        const name = bidiControls[text.charCodeAt(i)];
        if (!name) continue;
        const { line } = unit.source.position(i);
        const contract = unit.contracts.find((c) => c.node.range && c.node.range[0] <= i && i <= c.node.range[1]);
        report({
          node: { type: 'BidiControl', range: [i, i] },
          unit,
          contract,
          message: `${unit.file} line ${line} contains U+${text.charCodeAt(i).toString(16).toUpperCase()} ${name}; the line displays in a different order than the compiler reads it.`,
          impact: text.charCodeAt(i) === 0x202e ? undefined : 'medium',
        });
      }
    }
  },
});
