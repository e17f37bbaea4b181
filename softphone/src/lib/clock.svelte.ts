/**
 * A reactive "now" that ticks every second while the calling component is mounted.
 * Call it during component initialisation.
 */
export function ticker(intervalMs = 1000): { readonly now: number } {
  let now = $state(Date.now());
  $effect(() => {
    const timer = setInterval(() => (now = Date.now()), intervalMs);
    return () => clearInterval(timer);
  });
  return {
    get now() {
      return now;
    },
  };
}
