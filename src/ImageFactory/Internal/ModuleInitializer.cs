using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace ImageFactory.Internal;

/// <summary>
/// Runs when the module is imported: routes the one assembly name the cmdlets ask for (ImageFactory.Engine) to the
/// private <see cref="EngineLoadContext"/>. Everything the engine references then resolves inside that context.
/// Only the engine's own name is answered, so other modules' resolution is never affected.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string DependenciesDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? AppContext.BaseDirectory,
        EngineLoadContext.DependenciesFolderName);

    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName assemblyName)
    {
        if (!string.Equals(assemblyName.Name, EngineLoadContext.EngineAssemblyName, StringComparison.Ordinal))
        {
            return null;
        }

        return EngineLoadContext.GetOrCreate(DependenciesDirectory).LoadEngine();
    }
}
