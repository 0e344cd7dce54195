import type { IncidentEvent } from '@bulwark/store';

/** One line of words for a timeline event, whatever wrote it. */
export function describeEvent(event: IncidentEvent): string {
  const d = event.data;
  const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  switch (event.kind) {
    case 'opened': {
      const alerts = Array.isArray(d.alertIds) ? d.alertIds.length : 0;
      const what = d.description ? `: ${str(d.description)}` : '';
      return `Opened (${str(d.severity)}${alerts ? `, ${alerts} alert${alerts === 1 ? '' : 's'}` : ''})${what}`;
    }
    case 'transition':
      return `${str(d.from)} → ${str(d.to)}${d.note ? `: ${str(d.note)}` : ''}`;
    case 'responder-action':
      return `${str(d.kind)}${d.dryRun ? ' (dry run)' : ''} ${str(d.status)}${d.txHash ? ` tx ${str(d.txHash)}` : ''}`;
    case 'manual-action':
      return `Action: ${str(d.description)} (${str(d.status)})`;
    case 'note': {
      const field = str(d.field);
      const label =
        field === 'root-cause'
          ? 'Root cause'
          : field && field !== 'note'
            ? field[0]!.toUpperCase() + field.slice(1)
            : 'Note';
      return `${label}: ${str(d.text)}`;
    }
    case 'alerts-linked': {
      const n = Array.isArray(d.alertIds) ? d.alertIds.length : 0;
      return `${n} alert${n === 1 ? '' : 's'} linked`;
    }
    default:
      return `${event.kind}${Object.keys(d).length ? ` ${JSON.stringify(d)}` : ''}`;
  }
}
