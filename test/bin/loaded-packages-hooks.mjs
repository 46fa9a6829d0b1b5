// Module hooks of loaded-packages.mjs: records the package of every module resolved.
import { appendFileSync } from 'node:fs';

const PACKAGE = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//;

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const name = PACKAGE.exec(resolved.url)?.[1];
  if (name && process.env.SUMI_TEST_LOADED) appendFileSync(process.env.SUMI_TEST_LOADED, `${name}\n`);
  return resolved;
}
