/** The state book: journal records in, studies/trials/counts/results out; no sockets, no timers. */
export {
  isRunning,
  isTerminal,
  refOf,
  resultOf,
  type SchedulerView,
  StateBook,
  type StateBookOptions,
  type StopDecision,
  type StudyState,
  type TrialState,
} from "./book.js";
