/** What a note on an incident is for; the post-mortem puts each in its section. */
export const incidentNoteFields = ['note', 'summary', 'impact', 'root-cause', 'lessons'] as const;
export type IncidentNoteField = (typeof incidentNoteFields)[number];
