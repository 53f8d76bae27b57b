namespace ImageFactory.Engine.Configuration;

/// <summary>The operating system of a golden image, as DevTest Labs custom images need it.</summary>
public enum GoldenImageOsType
{
    /// <summary>Windows: the factory generalizes the VM with sysprep.</summary>
    Windows,

    /// <summary>Linux: the factory deprovisions the VM agent.</summary>
    Linux,
}
