import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { toDisplayError, type DisplayError } from './errors';

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
