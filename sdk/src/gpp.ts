/**
 * The IAB Global Privacy Platform string for the US national section (`usnat`, with its
 * Global Privacy Control subsection), through `@iabgpp/cmpapi`: an optional second script,
 * outside the SDK's 10 kB budget, for sites whose ad tags read `__gpp`. Load it after
 * vow.js:
 *
 *   <script src="https://privacy.example.com/sdk/vow.js"></script>
 *   <script src="https://privacy.example.com/sdk/vow-gpp.js"></script>
 *
 * `__gpp` answers at once (`ping`, `addEventListener`, `getField`, `getSection`,
 * `hasSection`); the section is written, and its signal ready, once Vow knows the
 * visitor's choice (or the opt-out model's notice applies), and again with each change.
 * Vow is not a registered CMP: its CMP id is 0. IAB TCF needs a registered CMP and is not
 * offered.
 */
import { CmpApi, CmpDisplayStatus, CmpStatus, SignalStatus } from '@iabgpp/cmpapi';
import type { ConsentChange } from './consent-mode.js';

const USNAT = 'usnat';
/** GPP's 2-bit answers: 1 yes, 2 no. */
const YES = 1;
const NO = 2;

const cmp = new CmpApi(0, 1);
cmp.setCmpStatus(CmpStatus.LOADED);
cmp.setApplicableSections([7]);
cmp.setSupportedAPIs(['7:usnat']);

function write(change: ConsentChange): void {
  const gpc = (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  // The banner and the privacy page give every notice the section asks about.
  for (const notice of ['SharingNotice', 'SaleOptOutNotice', 'SharingOptOutNotice', 'TargetedAdvertisingOptOutNotice']) cmp.setFieldValue(USNAT, notice, YES);
  cmp.setFieldValue(USNAT, 'SaleOptOut', change.optOuts.sale ? YES : NO);
  cmp.setFieldValue(USNAT, 'SharingOptOut', change.optOuts.sharing ? YES : NO);
  cmp.setFieldValue(USNAT, 'TargetedAdvertisingOptOut', change.optOuts.advertising ? YES : NO);
  cmp.setFieldValue(USNAT, 'MspaCoveredTransaction', NO);
  cmp.setFieldValue(USNAT, 'Gpc', gpc);
  cmp.setCmpDisplayStatus(change.reason === 'choice' || change.reason === 'stored' ? CmpDisplayStatus.HIDDEN : CmpDisplayStatus.VISIBLE);
  cmp.setSignalStatus(SignalStatus.READY);
  cmp.fireSectionChange(USNAT);
}

interface VowWindow {
  Vow?: { onConsent(listener: (change: ConsentChange) => void): () => void };
}

const vow = (window as unknown as VowWindow).Vow;
if (vow) vow.onConsent(write);
else console.error('Vow: vow-gpp.js needs vow.js loaded before it');
