import { qualifiedName } from '@bulwark/solidity';
import { assemblyCalls } from '../../analysis/assembly.ts';
import { isStateChangingEntry } from '../../analysis/entryPoints.ts';
import { framesOf } from '../../analysis/frames.ts';
import { isGuarded } from '../../analysis/guards.ts';
import { oneTimeGuard } from '../../analysis/oneTimeGuard.ts';
import { sourceText } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

const assemblySelfdestruct = new Set(['selfdestruct', 'suicide']);

export const unprotectedSelfdestruct = defineDetector({
  id: 'unprotected-selfdestruct',
  category: 'access-control',
  title: 'Anyone can destroy the contract',
  impact: 'high',
  confidence: 'high',
  description:
    'A public function without access control reaches selfdestruct (or suicide): any account can remove the code (before Cancun) and send the whole balance to the beneficiary.',
  scenario:
    "An attacker calls the function; the contract's ether goes to the beneficiary and every later call finds no code, as with the Parity multisig library in 2017 (≈514k ether frozen).",
  recommendation:
    'Restrict the function to an authorised role under multi-party control, or remove selfdestruct altogether (EIP-6780 limits it, and a pause is usually what is wanted).',
  swc: ['SWC-106'],
  owasp: ['SC01:2025'],
  control: 'SBD-08',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!isStateChangingEntry(fn)) continue;
      const frames = framesOf(analysis, fn);
      if (isGuarded(analysis, fn)) continue;
      const guard = oneTimeGuard(analysis, frames);
      for (const frame of frames) {
        const sites = [
          ...analysis
            .facts(frame.fn)
            .calls.filter((call) => call.kind === 'selfdestruct')
            .map((call) => call.node),
          ...assemblyCalls(frame.fn, assemblySelfdestruct),
        ];
        for (const site of sites) {
          report({
            node: frame.via ?? site,
            fn,
            message: `${qualifiedName(fn)} can be called by anyone and reaches \`${sourceText(frame.fn, site)}\`${frame.fn !== fn ? ` in ${qualifiedName(frame.fn)}` : ''}; any account can destroy the contract and take its balance to the beneficiary.`,
            related:
              frame.fn !== fn
                ? [
                    {
                      node: site,
                      unit: frame.fn.contract.unit,
                      message: `selfdestruct in ${qualifiedName(frame.fn)}`,
                    },
                  ]
                : [],
            // Once-only paths (an initialiser that may self-destruct) are less likely to be open for long.
            confidence: guard ? 'medium' : 'high',
          });
        }
      }
    }
  },
});
