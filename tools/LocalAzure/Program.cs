// The local Azure's command line:
//   tls   --dir <dir>                                  create or reuse the TLS material
//   start --world <file> --state-dir <dir> [options]   run until Ctrl+C / SIGTERM
using System.Globalization;
using System.Runtime.InteropServices;
using LocalAzure.Common;
using LocalAzure.Hosting;
using LocalAzure.World;

const string Usage = """
    usage:
      LocalAzure tls --dir <dir>
      LocalAzure schema                  (prints the world file's JSON Schema)
      LocalAzure start --world <world.json> --state-dir <dir> [--arm-port <n>] [--blob-port <n>] [--time-scale <real ms per modelled minute>]
    """;

if (args.Length == 3 && args[0] == "tls" && args[1] == "--dir")
{
    var material = TlsMaterial.EnsureCreated(args[2]);
    Console.WriteLine(material.TrustBundlePath);
    return 0;
}

if (args.Length == 1 && args[0] == "schema")
{
    Console.Write(WorldFile.JsonSchema());
    return 0;
}

if (args.Length == 0 || args[0] != "start")
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var named = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i < args.Length; i += 2)
{
    if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal))
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    named[args[i][2..]] = args[i + 1];
}

if (!named.TryGetValue("world", out var worldPath) || !named.TryGetValue("state-dir", out var stateDirectory))
{
    Console.Error.WriteLine(Usage);
    return 2;
}

// `dotnet run` starts the program in the project directory; relative paths are meant from the caller's directory,
// which the shell passes in PWD.
var callerDirectory = Environment.GetEnvironmentVariable("PWD") is { Length: > 0 } pwd && Directory.Exists(pwd)
    ? pwd
    : Directory.GetCurrentDirectory();
worldPath = Path.GetFullPath(worldPath, callerDirectory);
stateDirectory = Path.GetFullPath(stateDirectory, callerDirectory);

WorldFile world;
try
{
    world = WorldFile.Load(worldPath);
}
catch (Exception e) when (e is InvalidDataException or IOException)
{
    Console.Error.WriteLine($"LocalAzure: {e.Message}");
    return 3;
}

int? Port(string name) => named.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : null;

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

LocalAzureHost host;
try
{
    host = await LocalAzureHost.StartAsync(new LocalAzureOptions
    {
        World = world,
        StateDirectory = stateDirectory,
        ArmPort = Port("arm-port"),
        BlobPort = Port("blob-port"),
        RealMillisecondsPerModelledMinute = named.TryGetValue("time-scale", out var scale) ? double.Parse(scale, CultureInfo.InvariantCulture) : null,
        Log = message => Console.WriteLine("LocalAzure: " + message),
    }).ConfigureAwait(false);
}
#pragma warning disable CA1031 // Any startup failure ends the program with its message.
catch (Exception e)
#pragma warning restore CA1031
{
    Console.Error.WriteLine($"LocalAzure: could not start: {e.GetType().Name}: {e.Message}");
    return 1;
}

Console.WriteLine($"LocalAzure: ready file {Path.Combine(stateDirectory, "ready.json")}");
Console.WriteLine($"LocalAzure: environment {Path.Combine(stateDirectory, "localazure.env")} (start a new shell with it: env $(grep -v '^#' localazure.env | xargs) pwsh)");
Console.WriteLine("LocalAzure: running; Ctrl+C or SIGTERM stops it.");
await stop.Task.ConfigureAwait(false);
Console.WriteLine("LocalAzure: stopping");
await host.DisposeAsync().ConfigureAwait(false);
return 0;
