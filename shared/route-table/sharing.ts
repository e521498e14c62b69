import type { Route } from './route';

export const sharingRoutes: readonly Route[] = [];
