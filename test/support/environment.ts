import { inject } from 'vitest';

// Every test worker talks to the run's embedded DynamoDB and S3.
Object.assign(process.env, inject('localEnv'));
