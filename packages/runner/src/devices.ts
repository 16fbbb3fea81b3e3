/**
 * GPU assignment for locally spawned workers: which device each worker process sees. A worker sees one
 * device through `CUDA_VISIBLE_DEVICES`, which CUDA, JAX and PyTorch all honour, so a training script
 * needs no change to use "its" GPU (it appears as device 0 inside the process).
 */
import { spawnSync } from "node:child_process";

/** Environment additions of one worker: its device, and the JAX allocator setting when it shares one. */
export interface DeviceAssignment {
  /** The device id this worker sees (as given to `CUDA_VISIBLE_DEVICES`). */
  device: string;
  env: Record<string, string>;
}

/**
 * Round-robin assignment: worker `i` gets `ids[i % ids.length]`. When there are more workers than devices
 * some processes share a GPU; JAX then must not preallocate, because by default each process grabs 75 %
 * of the device's memory at start-up, so a second process on the same GPU fails with out-of-memory
 * before it trains (`XLA_PYTHON_CLIENT_PREALLOCATE=false` makes JAX allocate on demand). With no ids the
 * workers run unchanged (an empty list).
 *
 * @param workers number of worker processes (integer >= 1)
 * @param ids device ids (non-negative integers as strings, distinct)
 */
export function assignDevices(workers: number, ids: readonly string[]): DeviceAssignment[] {
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`workers must be an integer >= 1, got ${workers}`);
  if (ids.length === 0) return [];
  const shared = workers > ids.length;
  return Array.from({ length: workers }, (_, i) => {
    const device = ids[i % ids.length] as string;
    const env: Record<string, string> = { CUDA_VISIBLE_DEVICES: device };
    if (shared) env.XLA_PYTHON_CLIENT_PREALLOCATE = "false";
    return { device, env };
  });
}

/**
 * Parses an explicit device list such as "0,1,3": non-negative integers, comma-separated, no duplicates.
 * Returns the ids, or throws a RangeError whose message says what is wrong.
 */
export function parseDeviceList(text: string): string[] {
  const parts = text.split(",").map((s) => s.trim());
  const seen = new Set<string>();
  for (const p of parts) {
    if (!/^\d+$/.test(p))
      throw new RangeError(`${JSON.stringify(p)} is not a device id (a non-negative integer)`);
    const id = String(Number(p));
    if (seen.has(id)) throw new RangeError(`device ${id} is listed twice`);
    seen.add(id);
  }
  return [...seen];
}

/**
 * The GPUs `nvidia-smi --query-gpu=index --format=csv,noheader` lists (found on PATH), or an empty list
 * with the reason when the command is missing, fails, or lists none.
 */
export function detectGpus(env: NodeJS.ProcessEnv = process.env): { ids: string[]; reason?: string } {
  const r = spawnSync("nvidia-smi", ["--query-gpu=index", "--format=csv,noheader"], {
    encoding: "utf8",
    env,
    timeout: 10_000,
  });
  if (r.error) return { ids: [], reason: `nvidia-smi could not run (${r.error.message})` };
  if (r.status !== 0)
    return { ids: [], reason: `nvidia-smi exited ${r.status}: ${(r.stderr ?? "").trim().split("\n")[0]}` };
  const ids = (r.stdout ?? "")
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) return { ids: [], reason: "nvidia-smi lists no GPU" };
  try {
    return { ids: parseDeviceList(ids.join(",")) };
  } catch (err) {
    return { ids: [], reason: `nvidia-smi printed an unexpected list: ${(err as Error).message}` };
  }
}
