import { api } from './api';
import type { NotReadyReason } from './types';

/**
 * The organization's not-ready reasons (GET /api/not-ready-reasons), loaded once per page.
 * Codes the ACD sets by itself (login, manual, no_answer) have labels in the i18n files.
 */
export class NotReadyReasons {
  items = $state<NotReadyReason[]>([]);
  loaded = $state(false);
  #loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.#loading ??= api
      .notReadyReasons()
      .then((items) => {
        this.items = items;
      })
      .catch(() => {
        /* without the list, reasons show as their codes and "Not ready" needs no pick */
        this.#loading = null;
      })
      .finally(() => (this.loaded = true));
    return this.#loading;
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
