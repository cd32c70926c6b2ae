// The environment for the set-up's `npm ci` (its own module so that a test can check it without
// running the set-up).

/**
 * onnxruntime-node's install script reads ONNXRUNTIME_NODE_INSTALL and with `skip` downloads nothing
 * (otherwise it fetches CUDA libraries on linux/x64: hundreds of MB the CPU evaluator never loads). An
 * environment variable rather than an .npmrc key: npm warns about an unknown .npmrc key on every command.
 *
 * @example
 * spawn("npm", ["ci"], { env: npmCiEnv() });
 */
export function npmCiEnv(env = process.env) {
  return { ...env, ONNXRUNTIME_NODE_INSTALL: "skip" };
}
