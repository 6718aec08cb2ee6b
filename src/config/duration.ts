const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `900`, `15m`, `7d` (seconds, minutes, hours, days) into whole seconds; `undefined` when malformed. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's'];
}
