"""Prints the comparison table of one bench/run.sh run and writes its summary.json."""
import json, os, platform, subprocess, sys

out = sys.argv[1]
load = lambda name: json.load(open(os.path.join(out, name + ".json")))
base, durable, half, embedded = (load(n) for n in ("baseline", "listo-durable", "listo-durable-half-rate", "listo-embedded"))
nojournal = load("listo-durable-no-journal") if os.path.exists(os.path.join(out, "listo-durable-no-journal.json")) else None

def row(label, b, d, e, fmt, better_low=False):
    ratio = (b / d if better_low else d / b) if b and d else float("nan")
    return f"| {label:<28} | {fmt.format(b):>12} | {fmt.format(d):>14} | {ratio:>7.2f}x | {fmt.format(e):>12} |"

cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
lines = [
    f"workload: {base['deliveries']} deliveries per run ({', '.join(f'{k} {v}' for k, v in sorted(durable['outcomes'].items()))} at Listo), reads {base['reads']}; machine: {os.cpu_count()} cores, {cpu}",
    "",
    "| metric                       |     baseline | Listo durable  |   ratio  | Listo embedded |",
    "|------------------------------|--------------|----------------|----------|--------------|",
    row("deliveries/s (full speed)", base["deliveriesPerSecond"], durable["deliveriesPerSecond"], embedded["deliveriesPerSecond"], "{:.0f}"),
    row("p99 ack ms (full speed)", base["ackLatencyMs"]["p99"], durable["ackLatencyMs"]["p99"], embedded["ackLatencyMs"]["p99"], "{:.1f}", better_low=True),
    row("reads/s (full speed)", base["readsPerSecond"], durable["readsPerSecond"], embedded["readsPerSecond"], "{:.0f}"),
    row("p99 read ms", base["readLatencyMs"]["p99"], durable["readLatencyMs"]["p99"], embedded["readLatencyMs"]["p99"], "{:.1f}", better_low=True),
    "",
    f"Listo durable at half its peak ({half['targetRate']:.0f} deliveries/s): p50 {half['ackLatencyMs']['p50']:.1f} ms, p90 {half['ackLatencyMs']['p90']:.1f} ms, "
    f"p99 {half['ackLatencyMs']['p99']:.1f} ms, max {half['ackLatencyMs']['max']:.0f} ms",
    "final state: " + ", ".join(f"{r['name']} {r['workersChecked'] - r['mismatches']}/{r['workersChecked']} workers, {r['errors']} errors" for r in (base, durable, half, embedded)),
]
if nojournal:
    change = durable["deliveriesPerSecond"] / nojournal["deliveriesPerSecond"] - 1
    lines.append(f"delivery journal: durable {durable['deliveriesPerSecond']:.0f} deliveries/s with it, {nojournal['deliveriesPerSecond']:.0f} without "
                 f"(Journal:Enabled=false, run after it): {change:+.1%} with the journal; p99 ack {durable['ackLatencyMs']['p99']:.1f} ms vs "
                 f"{nojournal['ackLatencyMs']['p99']:.1f} ms. One pair in sequence; bench/journal.sh alternates rounds for the cost.")
print("\n".join(lines))
summary = {"run": os.path.basename(out), "machine": {"cores": os.cpu_count(), "cpu": cpu, "os": platform.platform()},
           "baseline": base, "listoDurable": durable, "listoDurableNoJournal": nojournal, "listoDurableHalfRate": half, "listoEmbedded": embedded,
           "ratios": {"deliveriesPerSecond": durable["deliveriesPerSecond"] / base["deliveriesPerSecond"],
                      "readsPerSecond": durable["readsPerSecond"] / base["readsPerSecond"]}}
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=2)
ok = all(r["mismatches"] == 0 and r["errors"] == 0 for r in (base, durable, half, embedded) + ((nojournal,) if nojournal else ()))
sys.exit(0 if ok else 1)
