namespace ImageFactory.Engine.Configuration;

/// <summary>How serious a configuration finding is.</summary>
public enum FindingSeverity
{
    /// <summary>The factory cannot run with this configuration; <see cref="FactoryConfigurationLoader.Load"/> throws.</summary>
    Error,

    /// <summary>The factory can run, but the configuration probably does not do what its author meant.</summary>
    Warning,
}
