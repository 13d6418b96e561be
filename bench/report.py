"""Prints the tables of one bench/run.sh run and writes its summary.json.  report.py OUT_DIR STREAM..."""
import json, os, platform, subprocess, sys

out, streams = sys.argv[1], sys.argv[2:]
load = lambda name: json.load(open(os.path.join(out, name + ".json"))) if os.path.exists(os.path.join(out, name + ".json")) else None
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
build = open(os.path.join(out, "build.txt")).read().strip() if os.path.exists(os.path.join(out, "build.txt")) else ""
fmt = lambda v, f="{:.0f}": "" if v is None else f.format(v)
lines, summary, ok = [f"{build}; machine: {os.cpu_count()} cores, {cpu}"], {"run": os.path.basename(out), "build": build, "streams": {}}, True

for stream in streams:
    r = {k: load(f"{stream}-{k}") for k in ("bare", "baseline", "listo-durable", "listo-durable-half-rate", "listo-embedded")}
    c = {k: load(f"{stream}-{k}.costs") for k in r}
    base, durable, half, embedded = r["baseline"], r["listo-durable"], r["listo-durable-half-rate"], r["listo-embedded"]
    ratio = lambda a, b: f"{a / b:.2f}x" if a and b else ""
    lines += ["", f"stream {stream}: {durable['deliveries']} deliveries in the durable run ({', '.join(f'{k} {v}' for k, v in sorted(durable['outcomes'].items()))}), "
              f"{durable['seconds']:.0f} s; load generator alone (bare endpoint): {r['bare']['deliveriesPerSecond']:.0f} deliveries/s",
              "",
              "| metric | baseline | Listo durable | ratio | Listo embedded | ratio |",
              "|---|---:|---:|---:|---:|---:|",
              f"| deliveries/s (full speed) | {base['deliveriesPerSecond']:.0f} | {durable['deliveriesPerSecond']:.0f} | {ratio(durable['deliveriesPerSecond'], base['deliveriesPerSecond'])} | {embedded['deliveriesPerSecond']:.0f} | {ratio(embedded['deliveriesPerSecond'], base['deliveriesPerSecond'])} |",
              f"| p99 ack ms (full speed) | {base['ackLatencyMs']['p99']:.1f} | {durable['ackLatencyMs']['p99']:.1f} | | {embedded['ackLatencyMs']['p99']:.1f} | |",
              f"| p99 ack ms, open loop at half Listo's durable peak ({half['targetRate']:.0f}/s) | | {half['ackLatencyMs']['p99']:.1f} | | | |",
              f"| reads/s | {base['readsPerSecond']:.0f} | {durable['readsPerSecond']:.0f} | {ratio(durable['readsPerSecond'], base['readsPerSecond'])} | {embedded['readsPerSecond']:.0f} | {ratio(embedded['readsPerSecond'], base['readsPerSecond'])} |",
              "",
              "| per delivery | baseline | Listo durable | Listo durable, half rate | Listo embedded |",
              "|---|---:|---:|---:|---:|"]
    for label, k, f in [("server CPU µs", "serverCpuUsPerDelivery", "{:.0f}"), ("PostgreSQL CPU µs", "postgresCpuUsPerDelivery", "{:.0f}"),
                        ("PostgreSQL commits (all transactions)", "commitsPerDelivery", "{:.3f}"),
                        ("  of them storage flushes (writes)", "flushesPerDelivery", "{:.3f}"),
                        ("  of them batched activation reads", "readBatchesPerDelivery", "{:.3f}"), ("WAL bytes", "walBytesPerDelivery", "{:.0f}"),
                        ("bytes allocated", "allocatedBytesPerDelivery", "{:.0f}"), ("GC pause µs", "gcPauseUsPerDelivery", "{:.1f}"),
                        ("storage flush rows (per flush)", "flushRowsPerFlush", "{:.1f}")]:
        lines.append(f"| {label} | " + " | ".join(fmt((c[s] or {}).get(k), f) for s in ("baseline", "listo-durable", "listo-durable-half-rate", "listo-embedded")) + " |")
    # Machine time per delivery (issue 23): server CPU plus PostgreSQL CPU, whatever core either ran on; efficiency is
    # the baseline's machine time over each system's (above 1: a delivery costs the machine less than the baseline's).
    keys = ("baseline", "listo-durable", "listo-durable-half-rate", "listo-embedded")
    machine = {s: None if not c[s] else (c[s].get("serverCpuUsPerDelivery") or 0) + (c[s].get("postgresCpuUsPerDelivery") or 0) for s in keys}
    lines.append("| machine time µs (server + PostgreSQL) | " + " | ".join(fmt(machine[s]) for s in keys) + " |")
    lines.append("| efficiency vs the baseline (its machine time / this one's) | " + " | ".join(
        fmt(machine["baseline"] / machine[s], "{:.2f}x") if machine[s] and machine["baseline"] else "" for s in keys) + " |")
    summary.setdefault("machineTimeUsPerDelivery", {})[stream] = machine
    checks = [x for x in (base, durable, half, embedded) if x]
    lines.append("final state: " + ", ".join(f"{x['name']} {x['workersChecked'] - x['mismatches']}/{x['workersChecked']} workers, {x['errors']} errors" for x in checks))
    ok = ok and all(x["mismatches"] == 0 and x["errors"] == 0 for x in checks)
    summary["streams"][stream] = {"results": r, "costs": c}

print("\n".join(lines))
summary["machine"] = {"cores": os.cpu_count(), "cpu": cpu, "os": platform.platform()}
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=2)
sys.exit(0 if ok else 1)
