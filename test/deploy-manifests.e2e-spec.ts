import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parse, parseAllDocuments } from 'yaml';
import { EnvValidationError, validateEnv } from '../src/config/env.validation.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';

/**
 * No container engine or cluster runs here, so the Dockerfile, docker-compose.yml and deploy/k8s
 * are checked offline: every YAML parses, the fields a rollout depends on agree with each other
 * and with the service (probe paths, drain time, labels, secrets), and the Dockerfile's
 * healthcheck command runs against a real instance.
 */

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const K8S_FILES = readdirSync(new URL('../deploy/k8s/', import.meta.url)).filter((name) => /\.ya?ml$/.test(name));
const manifests: Doc[] = K8S_FILES.flatMap((name) =>
  parseAllDocuments(read(`deploy/k8s/${name}`)).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`deploy/k8s/${name}: ${doc.errors.map((error) => error.message).join('; ')}`);
    return doc.toJS() as Doc;
  }),
);
const one = (kind: string, name?: string): Doc => {
  const found = manifests.filter((doc) => doc.kind === kind && (!name || doc.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
};

/** The service's shutdown bound after SIGTERM (API.md, "Operations"). */
const SHUTDOWN_SECONDS = 10;

const realSecrets = () => ({
  JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'),
  JWT_REFRESH_SECRET: randomBytes(48).toString('base64url'),
});

/** validateEnv's verdict: the problems it names, or [] when the configuration starts. */
const problemsOf = (env: Record<string, unknown>): string[] => {
  try {
    validateEnv(env);
    return [];
  } catch (error) {
    if (error instanceof EnvValidationError) return error.problems;
    throw error;
  }
};

describe('Kubernetes manifests (deploy/k8s)', () => {
  const deployment = one('Deployment', 'auth-service');
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const secret = one('Secret', 'auth-service');
  const configMap = one('ConfigMap', 'auth-service');

  it('parse, and each has apiVersion, kind and a name', () => {
    expect(K8S_FILES.length).toBeGreaterThanOrEqual(7);
    for (const doc of manifests) expect(doc).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
  });

  it('probe liveness and readiness on the service health endpoints, on the container port', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
  });

  it('leave time for the preStop sleep plus the 10 s drain before SIGKILL', () => {
    const command: string[] = container.lifecycle.preStop.exec.command;
    expect(command[0]).toBe('sleep');
    const preStopSeconds = Number(command[1]);
    expect(preStopSeconds).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + SHUTDOWN_SECONDS);
  });

  it('run a pinned image as a non-root user without privilege escalation, in the Deployment and the Job', () => {
    const job = one('Job');
    for (const spec of [pod, job.spec.template.spec]) {
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.containers[0].image).toMatch(/^[\w.-]+(\/[\w.-]+)+:(?!latest$)[\w.-]+$/);
      expect(spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    expect(job.spec.template.spec.containers[0].image).toBe(container.image);
  });

  it('select the Deployment pods from the Service, the PodDisruptionBudget and the autoscaler', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    expect(podLabels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(podLabels).toMatchObject(one('PodDisruptionBudget').spec.selector.matchLabels);
    const service = one('Service');
    expect(podLabels).toMatchObject(service.spec.selector);
    expect(container.ports.map((port: Doc) => port.name)).toContain(service.spec.ports[0].targetPort);
    // Job pods carry other labels, so they never receive traffic or count for the budget.
    expect(one('Job').spec.template.metadata.labels).not.toMatchObject(service.spec.selector);

    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    // A budget of minAvailable 1 needs two replicas, or it blocks every node drain.
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(one('PodDisruptionBudget').spec.minAvailable + 1);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(container.resources.requests.cpu).toBeDefined(); // utilisation is relative to the request
  });

  it('take DATABASE_URL, the JWT secrets, SMTP_URL and METRICS_TOKEN from keys that exist in the Secret', () => {
    const refs = container.env.filter((entry: Doc) => entry.valueFrom?.secretKeyRef).map((entry: Doc) => entry.valueFrom.secretKeyRef);
    const keys = refs.map((ref: Doc) => ref.key);
    expect(keys).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET', 'SMTP_URL', 'METRICS_TOKEN']));
    for (const ref of refs) {
      expect(ref.name).toBe(secret.metadata.name);
      expect(Object.keys(secret.stringData)).toContain(ref.key);
    }
    for (const spec of [pod, one('Job').spec.template.spec]) {
      for (const source of spec.containers[0].envFrom) {
        const [kind, ref] = source.configMapRef ? ['ConfigMap', source.configMapRef] : ['Secret', source.secretRef];
        expect(one(kind, ref.name)).toBeDefined();
      }
    }
  });

  it('form a production configuration that refuses the placeholder secrets and starts with real ones', () => {
    const env = { NODE_ENV: 'production', ...configMap.data, ...secret.stringData };

    expect(problemsOf(env).sort()).toEqual([
      'JWT_ACCESS_SECRET is the example value from .env.example; generate a real secret',
      'JWT_REFRESH_SECRET is the example value from .env.example; generate a real secret',
    ]);
    expect(problemsOf({ ...env, ...realSecrets() })).toEqual([]);
  });

  it('migrate with the built CLI in a Job that does not restart in place', () => {
    const job = one('Job');
    expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'dist/cli.js', 'migrate']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
  });
});

/** Compose's `${VAR:-default}` interpolation, with only the defaults (a fresh checkout). */
const interpolate = (text: string, env: Record<string, string> = {}) =>
  text.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_match, name: string, fallback = '') => env[name] ?? fallback);

describe('docker-compose.yml', () => {
  const compose: Doc = parse(interpolate(read('docker-compose.yml')), { merge: true });
  const instances = Object.entries<Doc>(compose.services).filter(([, service]) => service.image === 'auth-service:local' && !service.command);

  it('runs two instances of the service beside PostgreSQL, Redis, a mail catcher and a one-shot migration', () => {
    expect(instances).toHaveLength(2);
    expect(compose.services.postgres.image).toMatch(/^postgres:/);
    expect(compose.services.redis.image).toMatch(/^redis:/);
    expect(compose.services.mailpit.image).toMatch(/^axllent\/mailpit/);
    expect(compose.services.migrate.command).toEqual(['node', 'dist/cli.js', 'migrate']);
    expect(compose.services.migrate.depends_on.postgres.condition).toBe('service_healthy');
    for (const [, service] of instances) {
      expect(service.depends_on.migrate.condition).toBe('service_completed_successfully');
      expect(service.environment).toMatchObject({
        SMTP_URL: 'smtp://mailpit:1025',
        REDIS_URL: 'redis://redis:6379',
        DATABASE_LISTEN_URL: expect.stringMatching(/@postgres:5432\/auth$/),
      });
      expect(parseInt(service.stop_grace_period, 10)).toBeGreaterThan(SHUTDOWN_SECONDS);
    }
    expect(new Set(instances.map(([, service]) => service.ports[0].split(':')[0])).size).toBe(2);
  });

  it('ships placeholder secrets that production refuses, and a configuration that starts once they are set', () => {
    const [, service] = instances[0];
    const env = { NODE_ENV: 'production', ...service.environment };
    expect(problemsOf(env).sort()).toEqual([
      'JWT_ACCESS_SECRET is the example value from .env.example; generate a real secret',
      'JWT_REFRESH_SECRET is the example value from .env.example; generate a real secret',
    ]);

    const configured: Doc = parse(interpolate(read('docker-compose.yml'), realSecrets()), { merge: true });
    expect(problemsOf({ NODE_ENV: 'production', ...configured.services[instances[0][0]].environment })).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile').replace(/\s*\\\n\s*/g, ' ');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1) ?? '';
  const healthcheck = /^HEALTHCHECK .*CMD (\[.*\])$/m.exec(runtime)?.[1];
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  }, 30_000);

  afterAll(async () => {
    await t?.close();
  });

  it('builds in one stage and runs production dependencies only, as a non-root user, in the last', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^RUN npm ci\b/m);
    expect(stages[0]).toMatch(/^RUN npm run build$/m);
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^ENV NODE_ENV=production HOST=0\.0\.0\.0 PORT=3000$/m);
    const user = /^USER (\S+)$/m.exec(runtime)?.[1] ?? 'root';
    expect(user.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['node_modules', '.env', 'keys', '.git', '*.pem']));
  });

  const runHealthcheck = (port: number) =>
    new Promise<number>((resolve) => {
      const [command, ...args] = JSON.parse(healthcheck ?? '[]') as string[];
      expect(command).toBe('node');
      execFile(process.execPath, args, { env: { PATH: process.env.PATH, PORT: String(port) }, timeout: 10_000 }, (error) =>
        resolve(error ? Number(error.code ?? -1) : 0),
      );
    });

  it('has a HEALTHCHECK on /health/ready that passes against a ready instance and fails without one', async () => {
    expect(healthcheck).toContain('/health/ready');
    const { port } = t.server.address() as AddressInfo;

    await expect(runHealthcheck(port)).resolves.toBe(0);
    await expect(runHealthcheck(1)).resolves.toBe(1);
  }, 30_000);
});
