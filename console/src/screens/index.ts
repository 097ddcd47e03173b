/** Every screen of the console, in the navigation's order, with the permission that opens it. */
import type { ComponentType } from 'react';
import type { Permission } from '../api/session';
import { Account } from './Account';
import { Audit } from './Audit';
import { Breaches } from './Breaches';
import { Overview } from './Overview';
import { Policy } from './Policy';
import { Recipients } from './Recipients';
import { Records } from './Records';
import { Requests } from './Requests';
import { Site } from './Site';
import { Subjects } from './Subjects';

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
  { path: '/subjects', name: 'Subjects', permission: 'accounts:read', Screen: Subjects },
  { path: '/policy', name: 'Policy', Screen: Policy },
  { path: '/records', name: 'Disclosures and records', permission: 'ropa:read', Screen: Records },
  { path: '/recipients', name: 'Recipients', permission: 'webhooks:manage', Screen: Recipients },
  { path: '/site', name: 'Site', permission: 'policy:read-admin', Screen: Site },
  { path: '/audit', name: 'Audit', permission: 'audit:read', Screen: Audit },
  { path: '/breaches', name: 'Breaches', permission: 'breaches:read', Screen: Breaches },
  { path: '/account', name: 'Your account', Screen: Account },
];
