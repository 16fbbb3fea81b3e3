// The per-worker device assignment (round-robin, JAX preallocation off when shared) and the device-list
// parser, including property checks over worker and device counts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignDevices, parseDeviceList } from "../src/index.js";

describe("assignDevices", () => {
  it("gives worker i device ids[i % n] and turns JAX preallocation off only when devices are shared", () => {
    expect(assignDevices(3, ["0", "1"])).toEqual([
      { device: "0", env: { CUDA_VISIBLE_DEVICES: "0", XLA_PYTHON_CLIENT_PREALLOCATE: "false" } },
      { device: "1", env: { CUDA_VISIBLE_DEVICES: "1", XLA_PYTHON_CLIENT_PREALLOCATE: "false" } },
      { device: "0", env: { CUDA_VISIBLE_DEVICES: "0", XLA_PYTHON_CLIENT_PREALLOCATE: "false" } },
    ]);
    expect(assignDevices(2, ["3", "5"])).toEqual([
      { device: "3", env: { CUDA_VISIBLE_DEVICES: "3" } },
      { device: "5", env: { CUDA_VISIBLE_DEVICES: "5" } },
    ]);
    expect(assignDevices(4, [])).toEqual([]);
    expect(() => assignDevices(0, ["0"])).toThrow(RangeError);
  });
  it("balances: every device gets floor(w/n) or ceil(w/n) workers", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 16 }), (w, n) => {
        const ids = Array.from({ length: n }, (_, i) => String(i * 2));
        const a = assignDevices(w, ids);
        expect(a).toHaveLength(w);
        const per = new Map<string, number>();
        for (const x of a) per.set(x.device, (per.get(x.device) ?? 0) + 1);
        for (const c of per.values()) expect([Math.floor(w / n), Math.ceil(w / n)]).toContain(c);
        expect(a.every((x) => (x.env.XLA_PYTHON_CLIENT_PREALLOCATE === "false") === w > n)).toBe(true);
      }),
    );
  });
});

describe("parseDeviceList", () => {
  it("accepts distinct non-negative integers and refuses the rest with the reason", () => {
    expect(parseDeviceList("0,1, 3")).toEqual(["0", "1", "3"]);
    expect(() => parseDeviceList("0,0")).toThrow("device 0 is listed twice");
    expect(() => parseDeviceList("0,00")).toThrow("device 0 is listed twice");
    expect(() => parseDeviceList("x")).toThrow('"x" is not a device id');
    expect(() => parseDeviceList("-1")).toThrow('"-1" is not a device id');
    expect(() => parseDeviceList("1.5")).toThrow('"1.5" is not a device id');
    expect(() => parseDeviceList("0,,1")).toThrow('"" is not a device id');
  });
});
