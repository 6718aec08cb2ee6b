// The --scale phase of bench/run.mjs: seed both targets, restart them (fresh plans and caches;
// idle RSS on the seeded database), run the same rounds, then sizes, hot-path plans and one
// clean-up cycle. `driver` carries the run's own helpers (connections, servers, rounds).

import path from 'node:path';
import { explainHotPaths, measureCleanup } from './scale-measure.mjs';
import { seedFloor, seedService, sharedPasswordHash, tableSizes } from './scale-seed.mjs';

export async function scalePhase({ targets, names, users, opts, stats, serviceEntry }, driver) {
  const { log, connect, url, startTarget, stopChild, measureRounds, summarise, round1 } = driver;
  const n = opts.scale;
  const passwordHash = await sharedPasswordHash(driver.password);
  const seed = {};
  for (const name of opts.targets) {
    log(`scale: seeding ${n} users into ${name}`);
    const client = await connect(url(names[name]));
    const t0 = performance.now();
    seed[name] = name === 'service' ? await seedService(client, n, passwordHash, log) : await seedFloor(client, n, passwordHash, log);
    seed[name].totalMs = Math.round(performance.now() - t0);
    log(`scale: ${name} seeded in ${(seed[name].totalMs / 1000).toFixed(1)} s`);
  }
  // The seeding leaves gigabytes of dirty pages: without a checkpoint here, writing them out
  // (and the full-page images the first write of each page then costs) lands in the rounds.
  await (await connect(url(names[opts.targets[0]]))).query('CHECKPOINT');
  const seeded = {};
  for (const name of opts.targets) {
    await stopChild(targets[name].entry);
    seeded[name] = await startTarget(name);
  }
  const runs = await measureRounds({ targets: seeded, users, opts, stats, phase: 'seeded' });

  const out = { n, seed, runs, summary: summarise(runs, opts), targets: {}, sizes: {}, plans: null, cleanup: null, remainingDue: null };
  for (const [name, t] of Object.entries(seeded)) {
    out.targets[name] = { readyMs: t.readyMs, idleRssMb: round1(t.idleRssMb), roundEndRssMb: t.roundEndRssMb.map((x) => round1(x)) };
  }
  if (opts.targets.includes('floor')) {
    const floor = await connect(url(names.floor));
    out.sizes.floor = await tableSizes(floor, ['users', 'sessions']);
  }
  if (opts.targets.includes('service')) {
    const service = await connect(url(names.service));
    out.sizes.serviceBefore = await tableSizes(service, ['users', 'sessions', 'auth_events']);
    // Rotations should stay HOT updates (no index entry written): no index covers what they change.
    out.sessionUpdates = (
      await service.query(`SELECT n_tup_upd::int AS updates, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname = 'sessions'`)
    ).rows[0];
    const sample = (await service.query(`SELECT md5('scale-user-1')::uuid AS id`)).rows[0].id;
    out.plans = await explainHotPaths(service, sample);
    const { now } = (await service.query('SELECT now()')).rows[0];
    log('scale: clean-up cycle (cli.js cleanup)');
    out.cleanup = await measureCleanup({
      cliEntry: path.join(path.dirname(path.resolve(driver.repo, serviceEntry)), 'cli.js'),
      env: { ...seeded.service.env, LOG_LEVEL: 'warn' },
      cwd: driver.repo,
      stats: stats.available ? stats.client : null,
      dbName: names.service,
    });
    log(`  ${out.cleanup.output}`);
    out.sizes.serviceAfter = await tableSizes(service, ['users', 'sessions', 'auth_events']);
    out.remainingDue = (
      await service.query(
        // Due when the clean-up started (rows keep crossing the line while it runs).
        `SELECT (SELECT count(*) FROM sessions WHERE least(absolute_expires_at, coalesce(revoked_at, 'infinity')) < $1::timestamptz - interval '7 days')::int AS sessions,
                (SELECT count(*) FROM auth_events WHERE created_at < $1::timestamptz - interval '90 days')::int AS events`,
        [now],
      )
    ).rows[0];
  }
  return out;
}

