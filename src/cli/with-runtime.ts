import { createRuntime, type Runtime } from '../main.ts';

/** Runs a command body with an open, migrated runtime and always closes the database. */
export async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = await createRuntime();
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}
