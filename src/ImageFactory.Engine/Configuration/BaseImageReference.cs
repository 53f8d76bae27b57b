namespace ImageFactory.Engine.Configuration;

/// <summary>
/// The marketplace image a golden VM starts from (<c>properties.galleryImageReference</c> of the lab VM).
/// Members are null when the template leaves them out or sets them to something other than a string.
/// </summary>
/// <param name="Publisher">Marketplace publisher, e.g. <c>MicrosoftWindowsServer</c>.</param>
/// <param name="Offer">Marketplace offer, e.g. <c>WindowsServer</c>.</param>
/// <param name="Sku">Marketplace SKU, e.g. <c>2016-Datacenter</c>.</param>
/// <param name="Version">Image version, usually <c>latest</c>.</param>
public sealed record BaseImageReference(string? Publisher, string? Offer, string? Sku, string? Version);
