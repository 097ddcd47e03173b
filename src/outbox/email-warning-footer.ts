/**
 * The declaration's warning about e-mail (`security.emailWarning`) at the end of a mail
 * to a person: the page's warning reaches them where it applies, in the mail itself.
 */
export function endWithEmailWarning(text: string, warning: string | undefined): string {
  if (warning === undefined) return text;
  return `${text.trimEnd()}\n\n${warning}\n`;
}
