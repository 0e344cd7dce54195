/**
 * What a role lets a person do. `admin` may do everything, including registering people. Actions
 * not listed here (recording a risk, an incident note…) need a registered identity, not a role.
 */
export const roles = {
  admin: 'register identities, and everything below',
  'resolve-findings': 'resolve audit findings (audit resolve)',
  'review-dependencies': 'review open-source dependencies (deps review)',
  'accept-exceptions': 'approve exceptions to gate checks and controls',
} as const;

export type Role = keyof typeof roles;

export const roleNames = Object.keys(roles) as Role[];

export function isRole(value: string): value is Role {
  return value in roles;
}
