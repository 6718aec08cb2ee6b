// The --scale part of the report: each figure on the seeded database beside the same figure on
// the empty one (same run, same processes' code), sizes, clean-up and hot-path plans.

const SEEDED_MIN_RATIO = { me: 0.9, refresh: 0.9, login: 0.9 };
const CLEANUP_STATEMENT_LIMIT_MS = 1000;

function fmt(x, d = 0) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

const ratio = (a, b) => (a != null && b != null && b > 0 ? a / b : null);
const mb = (bytes) => fmt(bytes / 2 ** 20, 1);

export function scaleMarkdown(result) {
  const { scale, summary: empty, options: opts } = result;
  const seeded = scale.summary;
  const lines = [`## Scale: ${fmt(scale.n)} users seeded`, ''];
  lines.push(
    '| scenario | service req/s empty → seeded | seeded/empty | floor req/s empty → seeded | seeded/empty | service/floor seeded | CPU µs/req service empty → seeded | p99 ms service empty → seeded | SQL stmts/req service seeded | errors seeded service/floor |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of opts.scenarios) {
    const se = empty[s]?.service ?? {};
    const ss = seeded[s]?.service ?? {};
    const fe = empty[s]?.floor ?? {};
    const fs = seeded[s]?.floor ?? {};
    lines.push(
      `| ${s} | ${fmt(se.reqPerSec)} → ${fmt(ss.reqPerSec)} | ${fmt(ratio(ss.reqPerSec, se.reqPerSec), 2)} | ` +
        `${fmt(fe.reqPerSec)} → ${fmt(fs.reqPerSec)} | ${fmt(ratio(fs.reqPerSec, fe.reqPerSec), 2)} | ${fmt(seeded[s]?.ratio, 2)} | ` +
        `${fmt(se.cpuUsPerReq)} → ${fmt(ss.cpuUsPerReq)} | ${fmt(se.p99Ms, 2)} → ${fmt(ss.p99Ms, 2)} | ${fmt(ss.sqlPerReq, 2)} | ${ss.errors ?? '–'} / ${fs.errors ?? '–'} |`,
    );
  }
  lines.push('');
  const sizes = scale.sizes;
  if (sizes.serviceBefore) {
    lines.push('| table (service) | rows | heap MB | indexes MB | bytes per row (total) | rows after clean-up |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [t, v] of Object.entries(sizes.serviceBefore)) {
      lines.push(`| ${t} | ${fmt(v.rows)} | ${mb(v.heapBytes)} | ${mb(v.indexBytes)} | ${fmt(v.bytesPerRow)} | ${fmt(sizes.serviceAfter?.[t]?.rows)} |`);
    }
    lines.push('');
  }
  if (sizes.floor) {
    lines.push(
      `- floor tables: ${Object.entries(sizes.floor)
        .map(([t, v]) => `${t} ${fmt(v.rows)} rows, ${mb(v.totalBytes)} MB (${fmt(v.bytesPerRow)} B/row)`)
        .join('; ')}`,
    );
  }
  const c = scale.cleanup;
  if (c) {
    lines.push(
      `- clean-up (cli.js cleanup): removed ${fmt(c.report.sessions)} sessions and ${fmt(c.report.events)} events in ` +
        `${fmt(c.report.batches)} batches, ${fmt(c.report.durationMs / 1000, 1)} s (process ${fmt(c.wallMs / 1000, 1)} s); ` +
        `longest batch ${fmt(c.report.longestBatchMs)} ms; longest statement (pg_stat_statements) ${fmt(c.longestStatementMs, 1)} ms` +
        (c.statements?.[0] ? ` (\`${c.statements[0].query.slice(0, 60)}…\`)` : '') +
        `; still due afterwards: ${scale.remainingDue?.sessions ?? '–'} sessions, ${scale.remainingDue?.events ?? '–'} events`,
    );
  }
  if (scale.sessionUpdates) {
    const u = scale.sessionUpdates;
    lines.push(`- sessions updates during the seeded rounds: ${fmt(u.updates)}, of which HOT (no index write) ${fmt(u.hot)} (${fmt(ratio(u.hot, u.updates) * 100, 0)} %)`);
  }
  for (const [name, seed] of Object.entries(scale.seed)) {
    const steps = Object.entries(seed.stepsMs).map(([k, ms]) => `${k} ${fmt(ms / 1000, 1)} s`).join(', ');
    lines.push(`- seeding ${name}: ${fmt(seed.totalMs / 1000, 1)} s (${steps})`);
  }
  for (const [name, t] of Object.entries(scale.targets)) {
    lines.push(`- ${name} idle RSS after start-up: ${fmt(result.targets[name]?.idleRssMb, 1)} MB empty, ${fmt(t.idleRssMb, 1)} MB seeded`);
  }
  if (scale.plans) {
    lines.push('', 'Hot-path plans on the seeded database (EXPLAIN ANALYZE, one seeded user):', '');
    for (const [name, p] of Object.entries(scale.plans)) {
      lines.push(`- ${name}: ${p.executionMs} ms, ${fmt(p.sharedBuffers)} buffers — ${p.nodes}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function scaleChecks(result) {
  const { scale, summary: empty } = result;
  const out = [];
  for (const [s, min] of Object.entries(SEEDED_MIN_RATIO)) {
    const r = ratio(scale.summary[s]?.service?.reqPerSec, empty[s]?.service?.reqPerSec);
    out.push({ check: `${s} seeded ≥ ${min}× empty (service)`, value: r === null ? null : Math.round(r * 100) / 100, pass: r === null ? null : r >= min });
  }
  const v = ratio(scale.summary.verify?.service?.reqPerSec, empty.verify?.service?.reqPerSec);
  out.push({ check: 'verify seeded/empty (info: no database)', value: v === null ? null : Math.round(v * 100) / 100, pass: null });
  if (scale.cleanup) {
    const longest = scale.cleanup.longestStatementMs ?? scale.cleanup.report.longestBatchMs;
    out.push({ check: `clean-up: no statement over ${CLEANUP_STATEMENT_LIMIT_MS} ms`, value: longest, pass: longest < CLEANUP_STATEMENT_LIMIT_MS });
    const due = scale.remainingDue;
    out.push({ check: 'clean-up: every due row removed in one cycle', value: due ? `${due.sessions} sessions, ${due.events} events left` : null, pass: due ? due.sessions === 0 && due.events === 0 : null });
  }
  const errors = scale.runs.reduce((a, r) => a + r.errors.total, 0);
  out.push({ check: '0 errors on the seeded database', value: errors, pass: errors === 0 });
  const idleEmpty = result.targets.service?.idleRssMb;
  const idleSeeded = scale.targets.service?.idleRssMb;
  if (idleEmpty && idleSeeded) {
    out.push({ check: 'service idle RSS seeded within 10 % of empty', value: `${fmt(idleEmpty, 1)} → ${fmt(idleSeeded, 1)} MB`, pass: idleSeeded <= idleEmpty * 1.1 });
  }
  return out;
}
