/** The roles an account can hold; tokens carry them and `@Roles()` checks them. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];
