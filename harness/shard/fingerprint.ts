/**
 * Comparing machines: which fingerprint fields differ, and how their calibrations compare, so a
 * merge can say which shards ran where and reports can keep different machines apart. Pure.
 */
import type { Calibration, MachineFingerprint, MachineRecord } from "../run/shard-record.ts";

const FIELDS = ["cpuModel", "cpus", "memoryBytes", "kernel", "filesystem", "hostHash"] as const;

/** Fingerprint fields whose values differ, in a fixed order. */
export function fingerprintDifferences(a: MachineFingerprint, b: MachineFingerprint): string[] {
  return FIELDS.filter((f) => a[f] !== b[f]);
}

/** Calibration floors of `b` relative to `a` (b ÷ a), for the three measurements. */
export function calibrationRatios(a: Calibration, b: Calibration): { storage: number; memoryCopy: number; loopback: number } {
  return {
    storage: b.storageBytesPerS / a.storageBytesPerS,
    memoryCopy: b.memoryCopyBytesPerS / a.memoryCopyBytesPerS,
    loopback: b.loopbackRoundTripUs / a.loopbackRoundTripUs,
  };
}

const MB = 1e6;

export function describeCalibration(c: Calibration): string {
  return `storage ${(c.storageBytesPerS / MB).toFixed(0)} MB/s${c.storageCold ? "" : " (probe not cold)"}, memory copy ${(c.memoryCopyBytesPerS / MB).toFixed(0)} MB/s, loopback ${c.loopbackRoundTripUs.toFixed(0)} µs`;
}

/**
 * One line per machine after the first naming how it differs from the first, or nothing when every
 * shard ran on one machine.
 */
export function describeMachines(machines: readonly MachineRecord[]): string[] {
  if (machines.length < 2) return [];
  const [first, ...rest] = machines;
  const name = (m: MachineRecord) => `machine ${m.fingerprint.id} (shard${m.shards.length === 1 ? "" : "s"} ${m.shards.join(", ")})`;
  return rest.map((m) => {
    const fields = fingerprintDifferences(first.fingerprint, m.fingerprint);
    const calibration =
      m.calibration && first.calibration ? `; calibration ${describeCalibration(m.calibration)} vs ${describeCalibration(first.calibration)}` : "";
    return `${name(m)} differs from ${name(first)} in ${fields.join(", ")}${calibration}`;
  });
}
