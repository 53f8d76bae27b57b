using System.Reflection;
using System.Runtime.Loader;

namespace ImageFactory.Internal;

/// <summary>
/// The private load context holding ImageFactory.Engine and every third-party assembly it needs (Azure.Core,
/// Azure.Identity, MSAL, Azure.ResourceManager, Azure.Storage.Blobs, ...), from the module's <c>Dependencies</c>
/// folder. Az.Accounts and other modules load their own versions of the same assemblies into the default context;
/// keeping ours apart is what lets both work in one session.
/// </summary>
/// <remarks>
/// One instance per process: PowerShell may remove and import the module again, and an assembly can only be loaded
/// once per context, so the context outlives the module and is reused.
/// </remarks>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    internal const string ContextName = "ImageFactory";
    internal const string EngineAssemblyName = "ImageFactory.Engine";
    internal const string DependenciesFolderName = "Dependencies";

    private static readonly object CreationLock = new();
    private static EngineLoadContext? instance;

    private readonly AssemblyDependencyResolver resolver;
    private readonly string dependenciesDirectory;
    private readonly Lazy<Dictionary<string, Version>> platformAssemblyVersions =
        new(ReadPlatformAssemblyVersions, LazyThreadSafetyMode.ExecutionAndPublication);

    private EngineLoadContext(string dependenciesDirectory)
        : base(ContextName, isCollectible: false)
    {
        this.dependenciesDirectory = dependenciesDirectory;
        resolver = new AssemblyDependencyResolver(Path.Combine(dependenciesDirectory, EngineAssemblyName + ".dll"));
    }

    internal static EngineLoadContext GetOrCreate(string dependenciesDirectory)
    {
        lock (CreationLock)
        {
            instance ??= new EngineLoadContext(dependenciesDirectory);
            return instance;
        }
    }

    internal Assembly LoadEngine() => LoadFromAssemblyName(new AssemblyName(EngineAssemblyName));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Framework assemblies (System.Text.Json, System.Memory, ...) come from the host when it has the same or a
        // higher version; loading a second copy here would split types shared with the framework.
        if (IsProvidedByPlatform(assemblyName))
        {
            return null;
        }

        var path = resolver.ResolveAssemblyToPath(assemblyName);
        if (path is not null && path.StartsWith(dependenciesDirectory, StringComparison.Ordinal))
        {
            return LoadFromAssemblyPath(path);
        }

        return null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private bool IsProvidedByPlatform(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null
            || !platformAssemblyVersions.Value.TryGetValue(assemblyName.Name, out var platformVersion))
        {
            return false;
        }

        return assemblyName.Version is null || platformVersion >= assemblyName.Version;
    }

    private static Dictionary<string, Version> ReadPlatformAssemblyVersions()
    {
        var versions = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string platformAssemblies)
        {
            return versions;
        }

        foreach (var path in platformAssemblies.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                var name = AssemblyName.GetAssemblyName(path);
                if (name.Name is not null && name.Version is not null)
                {
                    versions[name.Name] = name.Version;
                }
            }
            catch (BadImageFormatException)
            {
                // Native images listed among platform assemblies have no managed name: not ours to resolve.
            }
        }

        return versions;
    }
}
