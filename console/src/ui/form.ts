/** A submitted form's text field, trimmed; empty when absent (a file input never is one here). */
export function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}
