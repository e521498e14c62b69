import type { Route } from './route';

/** Thread documents: metadata in DynamoDB, content in S3, versions. */
export const documentRoutes: readonly Route[] = [];
