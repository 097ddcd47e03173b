/**
 * The grounds on which section 3 of the policy ("Legal Requirements") lets Vow's operator
 * disclose personal information, (i) to (v). A legal-request disclosure names the one it
 * rests on, so the record says why the law allowed it.
 */
export const legalGrounds = ['legal-obligation', 'protect-rights', 'prevent-fraud', 'urgent-safety', 'legal-liability'] as const;
export type LegalGround = (typeof legalGrounds)[number];

/** The words of the reference policy for each ground, numbered as it numbers them. */
export const legalGroundWords: Readonly<Record<LegalGround, string>> = {
  'legal-obligation': '(i) to comply with a legal obligation, including to meet national security or law enforcement requirements',
  'protect-rights': '(ii) to protect and defend our rights or property',
  'prevent-fraud': '(iii) to prevent fraud',
  'urgent-safety': '(iv) to act in urgent circumstances to protect the personal safety of users of the Services, or the public',
  'legal-liability': '(v) to protect against legal liability',
};

export function isLegalGround(value: string): value is LegalGround {
  return (legalGrounds as readonly string[]).includes(value);
}
