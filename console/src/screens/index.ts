/** Every screen of the console, in the navigation's order, with the permission that opens it. */
import type { ComponentType } from 'react';
import type { Permission } from '../api/session';
import { Breaches } from './Breaches';
import { Overview } from './Overview';
import { Requests } from './Requests';

export interface Screen {
  path: string;
  name: string;
  /** Shown only to roles that have it; undefined: everyone signed in. */
  permission?: Permission;
  Screen: ComponentType;
}

export const screens: readonly Screen[] = [
  { path: '/', name: 'Overview', Screen: Overview },
  { path: '/requests', name: 'Requests', permission: 'requests:read', Screen: Requests },
  { path: '/breaches', name: 'Breaches', permission: 'breaches:read', Screen: Breaches },
];
