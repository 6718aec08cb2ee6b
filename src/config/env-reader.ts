import { parseDurationSeconds } from './duration.js';

/**
 * Typed readers over the raw environment, shared by every namespace schema. A bad value is
 * recorded as a problem (naming the variable) and replaced by the fallback, so validation goes
 * on and reports every bad variable at once.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly raw: Record<string, unknown>) {}

  /** Records a rule broken by one or more variables. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** The trimmed value; `undefined` when unset or blank. */
  string(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    const text = String(value).trim();
    return text === '' ? undefined : text;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    this.problem(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
    return fallback;
  }

  /** Whole seconds from `900`, `15m`, `7d`, ... */
  duration(name: string, fallback: string, minSeconds = 1): number {
    const value = this.string(name) ?? fallback;
    const seconds = parseDurationSeconds(value);
    if (seconds !== undefined && seconds >= minSeconds) return seconds;
    this.problem(`${name} must be a duration such as 900, 15m or 7d, at least ${minSeconds}s (got "${value}")`);
    return parseDurationSeconds(fallback)!;
  }

  /** `on`/`off` words (or 1/0), `true`/`false` unless the variable documents others. */
  bool(name: string, fallback: boolean, on = 'true', off = 'false'): boolean {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === on || value === '1') return true;
    if (value === off || value === '0') return false;
    this.problem(`${name} must be ${on} or ${off} (got "${value}")`);
    return fallback;
  }

  /** The value when it parses as a URL; the value itself is not echoed (it may hold a password). */
  url(name: string): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    try {
      new URL(value);
      return value;
    } catch {
      this.problem(`${name} must be a URL`);
      return undefined;
    }
  }

  /** Non-empty trimmed items. */
  list(name: string, separator = ';'): string[] {
    return (this.string(name) ?? '')
      .split(separator)
      .map((item) => item.trim())
      .filter(Boolean);
  }
}
