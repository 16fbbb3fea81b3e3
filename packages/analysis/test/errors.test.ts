/** Every public function throws the package's one root, AnalysisError, with a code from the closed set. */
import { describe, expect, it } from "vitest";
import {
  ANALYSIS_ERROR_CODES,
  AnalysisError,
  type AnalysisErrorCode,
  confidenceBands,
  dkwEpsilon,
  fitQuadratic,
  IntegrationError,
  InvalidArgumentError,
  integrateAdaptive,
  NumericalError,
  OptimizationError,
} from "../src/index.js";

function thrown(f: () => unknown): AnalysisError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AnalysisError);
    return err as AnalysisError;
  }
  throw new Error("expected a throw");
}

describe("AnalysisError", () => {
  it("has a closed set of codes", () => {
    expect([...ANALYSIS_ERROR_CODES].sort()).toEqual([
      "integration",
      "invalid_argument",
      "numerical",
      "optimization",
    ]);
  });

  it("bad arguments throw InvalidArgumentError (code invalid_argument) naming the argument in path", () => {
    const e = thrown(() => dkwEpsilon(10, 2));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.name).toBe("InvalidArgumentError");
    expect(e.code).toBe<AnalysisErrorCode>("invalid_argument");
    expect(e.path).toBe("confidence");
    const n = thrown(() => dkwEpsilon(0, 0.9));
    expect(n.code).toBe("invalid_argument");
    expect(n.path).toBe("n");
    expect(thrown(() => confidenceBands([1, 2, 3], 1.5)).code).toBe("invalid_argument");
    const o = thrown(() => fitQuadratic([1, 2, 3, 4], { constraints: { o: 0 } }));
    expect(o.code).toBe("invalid_argument");
    expect(o.path).toBe("constraints.o");
  });

  it("a quadrature that misses its tolerance throws IntegrationError (a NumericalError, code integration)", () => {
    const e = thrown(() => integrateAdaptive((x) => (x < 0.3 ? 0 : 1), 0, 1, { maxDepth: 1 }));
    expect(e).toBeInstanceOf(IntegrationError);
    expect(e).toBeInstanceOf(NumericalError);
    expect(e.name).toBe("IntegrationError");
    expect(e.code).toBe("integration");
  });

  it("an empty search box throws OptimizationError (a NumericalError, code optimization)", () => {
    const e = thrown(() => fitQuadratic([0.1, 0.2, 0.3, 0.4, 0.5], { constraints: { a: [1e9, 1e9 + 1] } }));
    expect(e).toBeInstanceOf(OptimizationError);
    expect(e).toBeInstanceOf(NumericalError);
    expect(e.name).toBe("OptimizationError");
    expect(e.code).toBe("optimization");
  });
});
