import { dictionary } from '@zxcvbn-ts/language-common';
import { registerDecorator, type ValidationOptions } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** The 10,000 most common passwords (zxcvbn's ranked list, most common first). */
const COMMON_PASSWORDS = new Set((dictionary['passwords-common'] as string[]).slice(0, 10_000));

/** Length in Unicode code points, as NIST counts it (an emoji is one character). */
const length = (value: string) => [...value].length;

/**
 * NIST SP 800-63B: 8–128 characters of any Unicode, no composition rules, not a common password.
 * Reports one message per failure so clients can show it beside the field.
 */
export function IsAcceptablePassword(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAcceptablePassword',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          length(value) >= PASSWORD_MIN_LENGTH &&
          length(value) <= PASSWORD_MAX_LENGTH &&
          !COMMON_PASSWORDS.has(value.toLowerCase()),
        defaultMessage: (args) => {
          const { property, value } = args!;
          if (typeof value !== 'string') return `${property} must be a string`;
          if (length(value) < PASSWORD_MIN_LENGTH) return `${property} must be at least ${PASSWORD_MIN_LENGTH} characters`;
          if (length(value) > PASSWORD_MAX_LENGTH) return `${property} must be at most ${PASSWORD_MAX_LENGTH} characters`;
          return `${property} is too common; choose a less guessable password`;
        },
      },
    });
}
