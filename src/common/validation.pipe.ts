import { ValidationPipe, type ArgumentMetadata, type PipeTransform, type ValidationError } from '@nestjs/common';
import { ValidationFailedException, type FieldError } from './app.exception.js';

/**
 * A body DTO class that recognises its usual valid shape itself (`static accepts`). Such a body
 * skips class-transformer and class-validator; anything `accepts` refuses is validated in full,
 * so every error answer still comes from the decorators. It must accept nothing they refuse.
 */
export interface QuickCheckedBody {
  new (): object;
  accepts?(body: unknown): boolean;
}

/**
 * The global pipe: whitelist, reject unknown properties, transform; errors as field lists. A
 * property's rules run from the bottom decorator up and the first failure is the answer
 * (`stopAtFirstError`), so DTOs write the type check last: a number where a string belongs is
 * told "must be a string", not "must be shorter than …".
 *
 * It answers without a promise where it has nothing to check: a custom parameter decorator's value
 * (ValidationPipe leaves those alone too) and a body its DTO `accepts`. Nest runs the global pipe on
 * every body and custom parameter; a refresh has three. Performance workaround for the `refresh`
 * benchmark scenario (README, Performance).
 */
export class AppValidationPipe implements PipeTransform {
  constructor(private readonly validation: ValidationPipe) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const dto = metadata.metatype as QuickCheckedBody | undefined;
    if (metadata.type === 'body' && dto?.accepts?.(value)) return Object.assign(new dto(), value);
    return this.validation.transform(value, metadata);
  }
}

export function createValidationPipe(): AppValidationPipe {
  const validation = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedException(flatten(errors)),
  });
  return new AppValidationPipe(validation);
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      message: constraint === 'whitelistValidation' ? `${field} is not allowed` : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
