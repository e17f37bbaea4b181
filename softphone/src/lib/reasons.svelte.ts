import { api } from './api';
import type { NotReadyReason } from './types';

/**
 * The organization's not-ready reasons (GET /api/not-ready-reasons), loaded once per page and
 * fetched again when an admin changes them (`set`) or the agent opens the picker (`refresh`).
 * Codes the ACD sets by itself (login, manual, no_answer) have labels in the i18n files.
 */
export class NotReadyReasons {
  items = $state<NotReadyReason[]>([]);
  loaded = $state(false);
  #loading: Promise<void> | null = null;
  /** Bumped by every change of `items`: an older answer arriving late does not overwrite a newer list. */
  #version = 0;

  load(): Promise<void> {
    this.#loading ??= this.#fetch().catch(() => {
      /* without the list, reasons show as their codes and "Not ready" needs no pick */
      this.#loading = null;
    });
    return this.#loading;
  }

  /** Fetches the list again; keeps the current one if that fails. */
  refresh(): Promise<void> {
    const fetching = this.#fetch();
    this.#loading = fetching.catch(() => {});
    return fetching.catch(() => {});
  }

  /** Replaces the list with one the API returned (PUT /api/not-ready-reasons answers the whole list). */
  set(items: NotReadyReason[]) {
    this.#version++;
    this.items = items;
    this.loaded = true;
    this.#loading = Promise.resolve();
  }

  async #fetch(): Promise<void> {
    const version = ++this.#version;
    try {
      const items = await api.notReadyReasons();
      if (version === this.#version) this.items = items;
    } finally {
      this.loaded = true;
    }
  }

  /**
   * The label of a reason code in `locale`: the organization's label, else the built-in one
   * (`fallback`, from the i18n files), else the code itself.
   */
  label(code: string, locale: string | null | undefined, fallback: (code: string) => string | null): string {
    const reason = this.items.find((r) => r.code === code);
    if (reason) return (locale ?? '').startsWith('zh') ? reason.labelZh : reason.labelEn;
    return fallback(code) ?? code;
  }
}
