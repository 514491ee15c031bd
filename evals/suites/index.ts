import type { AnySuite } from '../harness/suite.ts';
import { askSuite } from './ask.ts';
import { controlsSuite } from './controls.ts';
import { injectionSuite } from './injection.ts';
import { planSuite } from './plan.ts';
import { summarizeSuite } from './summarize.ts';
import { verifySuite } from './verify.ts';

/** Every suite, in the order `npm run evals` runs them. */
export const SUITES: AnySuite[] = [summarizeSuite, controlsSuite, planSuite, verifySuite, injectionSuite, askSuite];
