/**
 * The layering of src/, checked by `npm test` (npm run lint:layers). Each part may import only the parts named in
 * its rule (and itself); an import against the arrows, an import cycle or an unused module fails the run.
 *
 *   app (composition root) ─▶ http ─▶ services ─▶ storage ports ─▶ domain
 *   cli ─▶ app                storage adapters ─▶ storage ports ─▶ domain
 *   services: audit · ca · iam · kms · secrets · kmip (secrets ─▶ ca, iam, kms; kmip ─▶ kms, iam, audit, secrets; ca ─▶ kms); observability ─▶ domain
 */
const part = (name) => `^src/${name}/`;
const allowed = {
  domain: [],
  'storage-ports': ['domain'],
  observability: ['domain'],
  kms: ['domain', 'storage-ports'],
  iam: ['domain', 'storage-ports'],
  audit: ['domain', 'storage-ports'],
  ca: ['domain', 'storage-ports', 'kms'],
  secrets: ['domain', 'storage-ports', 'ca', 'iam', 'kms'],
  kmip: ['domain', 'storage-ports', 'kms', 'iam', 'audit', 'secrets'],
  'storage-adapters': ['domain', 'storage-ports'],
  http: ['domain', 'storage-ports', 'observability', 'kms', 'iam', 'audit', 'ca', 'secrets', 'kmip'],
  app: ['domain', 'storage-ports', 'observability', 'kms', 'iam', 'audit', 'ca', 'secrets', 'kmip', 'storage-adapters', 'http'],
  cli: ['domain', 'app', 'http', 'ca'],
};
const paths = {
  domain: part('domain'),
  'storage-ports': '^src/storage/(ports|store)\\.ts$',
  'storage-adapters': '^src/storage/(embedded|mongo)/',
  observability: part('observability'),
  kms: part('kms'),
  iam: part('iam'),
  audit: part('audit'),
  ca: part('ca'),
  secrets: part('secrets'),
  kmip: part('kmip'),
  http: part('http'),
  app: part('app'),
  cli: part('cli'),
};
const layerRules = Object.entries(allowed).map(([name, may]) => ({
  name: `layer-${name}`,
  comment: `src/${name} may import only: ${[name, ...may].join(', ')}`,
  severity: 'error',
  from: { path: paths[name] },
  to: { path: '^src/', pathNot: [paths[name], ...may.map((p) => paths[p])] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'whole-store-only-in-root',
      comment: 'services take the repositories they use (storage/ports.ts); the Store aggregate is opened and closed by the root',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/app/', '^src/storage/'] },
      to: { path: '^src/storage/store\\.ts$' },
    },
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    { name: 'no-orphans', severity: 'error', from: { orphan: true, path: '^src/', pathNot: ['\\.d\\.ts$', '-(thread|worker)\\.ts$', '^src/cli/main\\.ts$'] }, to: {} },
    { name: 'src-not-to-tests', severity: 'error', from: { path: '^src/' }, to: { path: '^(test|bench|tools)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
    reporterOptions: {
      archi: { collapsePattern: '^src/(storage/[^/]+|http/[^/]+|[^/]+)' },
    },
  },
};
