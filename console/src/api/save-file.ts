/** Hands a downloaded answer (an export zip, a CSV) to the browser as a file; a refusal becomes the API's error. */
import { refusal } from './client';

export async function saveFile(call: Promise<{ data?: unknown; error?: unknown; response: Response }>, name: string): Promise<void> {
  const { data, error, response } = await call;
  if (!response.ok || !(data instanceof Blob)) throw refusal(response.status, error);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(data);
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}
