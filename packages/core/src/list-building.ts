/**
 * `@nadir/core/lists`: the pieces of list building behind {@link buildList}, for research code that
 * composes them differently. The cost matrix and the list cost C_τ(L) = Π_i min(t_i/T_i, τ)^(1/N) of
 * Medapati et al. 2025 (arXiv:2503.03986, Section 2), the greedy construction (their Algorithm 1) and an
 * exhaustive search for small cases, the stand-alone tie-break costs, the expected best of k random draws
 * E[max of k] = Σ_j x_(j) [(j/n)^k − ((j−1)/n)^k] with the equivalent random-search budget, and the
 * low-level trials table accessors.
 *
 * @module @nadir/core/lists
 */

export {
  type EquivalentBudget,
  equivalentRandomBudget,
  expectedBestOfGroups,
  expectedBestOfK,
  expectedMaxOfK,
  RandomSearchReference,
  sortedForMax,
} from "./expectation.js";
export {
  binomial,
  budgetToJson,
  buildList,
  type CostMatrix,
  costMatrix,
  evaluateOnWorkload,
  exhaustiveList,
  greedyList,
  jsonNumber,
  listCost,
  randomSearchReference,
  standaloneCosts,
} from "./lists.js";
export { cell, TrialsTableBuilder } from "./trials.js";
