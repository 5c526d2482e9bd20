// Tests never read the developer's own okmsd environment.
for (const name of Object.keys(process.env)) {
  if (name.startsWith('OKMSD_')) delete process.env[name];
}
