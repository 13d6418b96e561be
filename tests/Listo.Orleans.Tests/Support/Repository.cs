using System.Diagnostics;

namespace Listo.Orleans.Tests.Support;

/// <summary>Paths in the repository the tests run from, and a helper to run its scripts.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever the test assembly was built as, so child processes match it.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string Executable(string project, string assembly)
        => Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", assembly + ".dll");

    /// <summary>A tool under <c>tools/</c> (e.g. ListoAdmin, assembly listo-admin).</summary>
    public static string Tool(string project, string assembly)
        => Path.Combine(Root, "tools", project, "bin", Configuration, "net10.0", assembly + ".dll");

    public static async Task<string> RunScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"bash {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        return (await stdout).Trim();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Listo.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Listo.Orleans.sln not found above " + AppContext.BaseDirectory);
    }
}
