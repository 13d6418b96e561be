using System.Globalization;

namespace Listo.Bench.LoadGen;

internal sealed class Options
{
    public string Name { get; set; } = "run";
    public Uri Ingress { get; set; } = new("http://127.0.0.1:5080");
    public Uri Reads { get; set; } = new("http://127.0.0.1:5081");
    public string Secret { get; set; } = "";
    public string Key { get; set; } = "";
    public int Clients { get; set; } = 20;
    public int People { get; set; } = 2000;
    public int VersionsPerWorker { get; set; } = 3;
    public double DuplicateShare { get; set; } = 0.10;
    public double StaleShare { get; set; } = 0.10;
    public int ReorderWindow { get; set; } = 50;
    public double ReadShare { get; set; }
    public int ReadCount { get; set; } = 20_000;
    public int Concurrency { get; set; } = 64;
    public double Rate { get; set; }
    public int Seed { get; set; } = 1;
    public string RunTag { get; set; } = "r" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
    public string? Output { get; set; }
    public bool Check { get; set; } = true;
    public string? Hook { get; set; }

    /// <summary>Seconds between interval lines on stderr ("interval &lt;elapsed s&gt; &lt;acks/s&gt; &lt;p99 ms&gt;"); 0: none.</summary>
    public int Interval { get; set; }

    /// <summary>Emit version by version across people instead of person by person (a population known early).</summary>
    public bool Interleave { get; set; }

    /// <summary>Generate the workload, then wait until this URL answers 2xx before sending (a server starting up).</summary>
    public Uri? StartWhen { get; set; }

    /// <summary>Report every second of the schedule: its acks, errors and p99 ack, each delivery in the second it was due.</summary>
    public bool Windows { get; set; }

    public const string Usage = """
        listo-loadgen --name N --ingress URL --reads URL --secret whsec_… --key KEY
                      [--clients 20] [--people 2000] [--versions 3] [--duplicates 0.1] [--stale 0.1] [--reorder 50]
                      [--read-share 0 (reads mixed into ingest)] [--read-count 20000 (read phase after ingest)] [--concurrency 64] [--rate 0 (full speed) | deliveries/s]
                      [--seed 1] [--tag rHHmmss] [--output result.json] [--no-check] [--hook 'CMD' (run as 'CMD start' / 'CMD end' around ingest)]
                      [--interval 0 (seconds between 'interval <elapsed s> <acks/s> <p99 ms>' lines on stderr)] [--interleave] [--start-when URL (wait until it answers 2xx, then start)]
                      [--windows (per second of the schedule: acks, errors, p99 ack, in the result file)]
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            double Number() => double.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--name": o.Name = Next(); break;
                case "--ingress": o.Ingress = new Uri(Next()); break;
                case "--reads": o.Reads = new Uri(Next()); break;
                case "--secret": o.Secret = Next(); break;
                case "--key": o.Key = Next(); break;
                case "--clients": o.Clients = (int)Number(); break;
                case "--people": o.People = (int)Number(); break;
                case "--versions": o.VersionsPerWorker = (int)Number(); break;
                case "--duplicates": o.DuplicateShare = Number(); break;
                case "--stale": o.StaleShare = Number(); break;
                case "--reorder": o.ReorderWindow = (int)Number(); break;
                case "--read-share": o.ReadShare = Number(); break;
                case "--read-count": o.ReadCount = (int)Number(); break;
                case "--concurrency": o.Concurrency = (int)Number(); break;
                case "--rate": o.Rate = Number(); break;
                case "--seed": o.Seed = (int)Number(); break;
                case "--tag": o.RunTag = Next(); break;
                case "--output": o.Output = Next(); break;
                case "--no-check": o.Check = false; break;
                case "--hook": o.Hook = Next(); break;
                case "--interval": o.Interval = (int)Number(); break;
                case "--interleave": o.Interleave = true; break;
                case "--start-when": o.StartWhen = new Uri(Next()); break;
                case "--windows": o.Windows = true; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (o.Secret.Length == 0 || o.Key.Length == 0)
        {
            throw new ArgumentException("--secret and --key are required");
        }

        return o;
    }
}
