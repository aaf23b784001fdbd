/**
 * Loading a handler module the way Lambda does: with its environment set before the module's
 * top-level code (which reads it, fail-fast) runs, and with fresh module-scope clients.
 */

/**
 * Sets the given environment variables (undefined removes one) and loads a module in an isolated
 * module registry, so that each call gets its own copy of the module and of its SDK clients.
 *
 * The variables stay set for the rest of the test file (Jest gives every test file its own
 * `process.env`): the SDK reads some of them, such as `AWS_ENDPOINT_URL_DYNAMODB`, only at a
 * client's first request, so restoring them after loading would silently change what the handler
 * talks to. Tests that need a different endpoint therefore live in their own file.
 */
export async function loadWithEnvironment<T>(
  environment: Readonly<Record<string, string | undefined>>,
  load: () => Promise<T>,
): Promise<T> {
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let loaded: { readonly module: T } | undefined;
  await jest.isolateModulesAsync(async () => {
    loaded = { module: await load() };
  });
  if (loaded === undefined) throw new Error('The module did not load');
  return loaded.module;
}
