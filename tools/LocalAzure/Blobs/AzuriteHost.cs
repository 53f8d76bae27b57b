using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LocalAzure.Common;

namespace LocalAzure.Blobs;

/// <summary>
/// Azurite's blob service (only blob) as a child node process: HTTPS with the local Azure's server certificate, on
/// 127.0.0.1 and a free port, in-memory, telemetry off. The process is killed on dispose, on parent exit, and (through
/// a stdin watchdog: the pipe closes when the parent dies, even by SIGKILL) when the parent disappears.
/// </summary>
internal sealed partial class AzuriteHost : IAsyncDisposable
{
    /// <summary>Runs Azurite's blob entry point, exiting when stdin closes (our end of the pipe dies with us).</summary>
    private const string WatchdogScript =
        "process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));"
        + "process.stdin.resume();require(process.argv[1]);";

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<int> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int disposed;

    private AzuriteHost(Process process)
    {
        this.process = process;
    }

    public int Port { get; private set; }

    /// <summary>"127.0.0.1:port", the authority Azurite expects in copy source URLs.</summary>
    public string Authority => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public Uri BaseUri => new("https://" + Authority);

    public static async Task<AzuriteHost> StartAsync(
        string nodeExecutable,
        string nodeModulesDirectory,
        TlsMaterial tls,
        IReadOnlyList<StorageAccountSeed> accounts,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var entryPoint = Path.Combine(nodeModulesDirectory, "azurite", "dist", "src", "blob", "main.js");
        if (!File.Exists(entryPoint))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: '{entryPoint}' does not exist. Run `npm ci --prefix tools/LocalAzure` "
                + "(from the repository root) to install azurite 3.37.0 into tools/LocalAzure/node_modules.");
        }

        var startInfo = new ProcessStartInfo(nodeExecutable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // In-memory persistence writes no files; the temp folder is just a neutral working directory.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[]
                 {
                     "-e", WatchdogScript, entryPoint,
                     "--blobHost", "127.0.0.1",
                     "--blobPort", "0",
                     "--cert", tls.ServerCertificatePath,
                     "--key", tls.ServerKeyPath,
                     "--inMemoryPersistence",
                     "--skipApiVersionCheck",
                     "--loose",
                     "--disableTelemetry",
                     "--silent",
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["AZURITE_ACCOUNTS"] = string.Join(';', accounts.Select(account => account.Name + ":" + account.Base64Key));
        startInfo.Environment["NODE_EXTRA_CA_CERTS"] = tls.CaCertificatePath;
        startInfo.Environment.Remove("NODE_OPTIONS");
        // Azurite validates copy sources with its own HTTPS requests to the front on 127.0.0.1: never via a proxy.
        foreach (var proxy in new[] { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy" })
        {
            startInfo.Environment.Remove(proxy);
        }

        startInfo.Environment["NO_PROXY"] = "127.0.0.1,localhost,::1";
        startInfo.Environment["no_proxy"] = "127.0.0.1,localhost,::1";

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException(
                $"Cannot start '{nodeExecutable}' to run Azurite (is Node.js installed and on PATH?): {exception.Message}",
                exception);
        }

        var host = new AzuriteHost(process);
        AppDomain.CurrentDomain.ProcessExit += host.OnParentExit;
        process.OutputDataReceived += (_, e) => host.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnOutput(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            try
            {
                // Drains the redirected output so the message below holds Azurite's last words.
                process.WaitForExit(TimeSpan.FromSeconds(2));
            }
            catch (InvalidOperationException)
            {
                // Disposed meanwhile.
            }

            host.listening.TrySetException(new InvalidOperationException(
                "Azurite exited before listening. Output:\n" + host.CapturedOutput()));
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                host.Port = await host.listening.Task.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"Azurite did not listen within {timeout.TotalSeconds:0} s. Output:\n" + host.CapturedOutput());
            }

            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public string CapturedOutput()
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnParentExit;
        Kill();
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Best effort: the watchdog ends it when our stdin pipe closes anyway.
        }
        catch (InvalidOperationException)
        {
            // Not started or already reaped.
        }

        process.Dispose();
    }

    [GeneratedRegex(@"successfully listens on https?://[^\s:]+:(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ListeningLine();

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 64 * 1024)
            {
                output.AppendLine(line);
            }
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    private void OnParentExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Raced with its exit.
        }
    }
}
