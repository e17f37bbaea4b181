import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { toDisplayError, type DisplayError } from '../errors';

/** One list loaded from the API, with its loading flag and the last load error. */
export class RemoteList<T> {
  items = $state<T[]>([]);
  loading = $state(false);
  error = $state<DisplayError | null>(null);
  /** Answers of earlier loads that arrive late are dropped (a filter changed meanwhile). */
  #generation = 0;

  constructor(private readonly load: () => Promise<T[]>) {}

  reload = async (): Promise<void> => {
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const items = await this.load();
      if (generation !== this.#generation) return;
      this.items = items;
      this.error = null;
    } catch (err) {
      if (generation === this.#generation) this.error = toDisplayError(err, get(_)('common.networkError'));
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  };
}

/** Copies text to the clipboard; falls back to a selected textarea where the Clipboard API is unavailable (plain http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back below */
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
