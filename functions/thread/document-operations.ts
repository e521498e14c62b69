import type { Operation } from '../../shared/http/handler';

export const documentOperations: Record<string, Operation> = {};
