using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Listo.Orleans.Admin;

/// <summary>
/// <c>reconcile</c>'s progress: a bar redrawn in place on a terminal, or a plain line every few seconds when the
/// output is a file or a pipe. Counts are shared by the parallel refreshes.
/// </summary>
internal sealed class ReconcileProgress(TextWriter writer, bool terminal, long total, long done, Func<long> retries)
{
    public static readonly string[] Outcomes = ["applied", "unchanged", "gone", "skipped", "failed"];

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long _startDone = done;
    private readonly long[] _counts = new long[Outcomes.Length];
    private long _done = done;
    private long _lastDraw;

    public long Total { get; } = total;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Entities finished in this run (not counting those a resumed checkpoint had).</summary>
    public long DoneThisRun => Interlocked.Read(ref _done) - _startDone;

    public void Restore(IReadOnlyDictionary<string, long> counts)
    {
        for (var i = 0; i < Outcomes.Length; i++)
        {
            _counts[i] = counts.GetValueOrDefault(Outcomes[i]);
        }
    }

    public Dictionary<string, long> Counts() => Outcomes.Select((o, i) => (o, i)).ToDictionary(x => x.o, x => Interlocked.Read(ref _counts[x.i]));

    public void Count(string outcome)
    {
        Interlocked.Increment(ref _counts[Array.IndexOf(Outcomes, outcome)]);
        Interlocked.Increment(ref _done);
        var now = _clock.ElapsedMilliseconds;
        var last = Interlocked.Read(ref _lastDraw);
        if (now - last >= (terminal ? 250 : 5000) && Interlocked.CompareExchange(ref _lastDraw, now, last) == last)
        {
            Draw(final: false);
        }
    }

    public void Draw(bool final)
    {
        var done = Interlocked.Read(ref _done);
        var share = Total == 0 ? 1 : Math.Min(1, (double)done / Total);
        var rate = DoneThisRun / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var line = new StringBuilder();
        if (terminal)
        {
            const int width = 30;
            var filled = (int)(share * width);
            line.Append('\r').Append('[').Append('#', filled).Append('-', width - filled).Append("] ");
        }

        line.Append(CultureInfo.InvariantCulture, $"{done:N0}/{Total:N0} {share:P0}  {rate:0.0}/s  ");
        line.AppendJoin(' ', Counts().Select(c => $"{c.Key} {c.Value:N0}"));
        line.Append(CultureInfo.InvariantCulture, $"  retries {retries():N0}");
        if (!final && rate > 0 && done < Total)
        {
            var eta = TimeSpan.FromSeconds((Total - done) / rate);
            line.Append(CultureInfo.InvariantCulture, $"  eta {(int)eta.TotalMinutes}m{eta.Seconds:00}s");
        }

        lock (writer)
        {
            if (terminal)
            {
                writer.Write(line.Append("\u001b[K").ToString());
                if (final)
                {
                    writer.WriteLine();
                }
            }
            else
            {
                writer.WriteLine(line.ToString());
            }

            writer.Flush();
        }
    }
}
