import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../infra/local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    localEnv: Record<string, string>;
  }
}

/** Starts the embedded DynamoDB and S3 once, on free ports, and stops them after the run. */
export default async function setup(project: TestProject) {
  const stack = await startLocalStack({ memory: true, gateway: false });
  project.provide('localEnv', stack.env);
  return () => stack.stop();
}
