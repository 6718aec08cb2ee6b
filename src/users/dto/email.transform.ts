import { Transform } from 'class-transformer';

/** Emails are compared and stored trimmed and lower-cased. */
export const NormaliseEmail = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
