import { reactive } from 'vue'

/** The state a ProgressPanel shows; `run` drives it through a list of steps and can be cancelled. */
export function useStepProgress() {
  const state = reactive({
    running: false,
    done: 0,
    total: null as number | null,
    detail: '',
    cancelled: false,
  })

  /**
   * Runs `work` for each step in turn, counting them off. Stops between steps when cancelled and then
   * returns null, so a half-finished result is never shown as if it were whole.
   */
  async function run<S, R>(
    steps: S[],
    describe: (step: S) => string,
    work: (step: S) => Promise<R>,
  ): Promise<R[] | null> {
    Object.assign(state, { running: true, done: 0, total: steps.length, detail: '', cancelled: false })
    const results: R[] = []
    try {
      for (const step of steps) {
        if (state.cancelled) return null
        state.detail = describe(step)
        results.push(await work(step))
        state.done++
        // Let the bar paint between steps even when each answers at once.
        await new Promise((r) => setTimeout(r, 0))
      }
      return state.cancelled ? null : results
    } finally {
      state.running = false
    }
  }

  function cancel(): void {
    state.cancelled = true
  }

  return { state, run, cancel }
}
