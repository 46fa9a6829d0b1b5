/**
 * The demo data set: 90 days of reports for the domains of examples/demo.zone, generated
 * (the same bytes for the same seed and day) and stored through the ingest path.
 */
export {
  DEMO_DAYS,
  DEMO_MAX_DAYS,
  DEMO_SEED,
  type DemoInput,
  type DemoOptions,
  generateDemo,
} from './generate.ts';
export { type DemoCounts, seedDemoStore } from './seed.ts';
export { DEMO_DOMAINS as demoDomains, type DemoDomain } from './story.ts';

/** The zone the demo domains live in, shared with the `sumi check` demo. */
export const DEMO_ZONE_URL = new URL('../../examples/demo.zone', import.meta.url);
