using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace LocalAzure.Common;

/// <summary>
/// The local Azure's TLS material: a private CA and a server certificate for 127.0.0.1, ::1 and localhost, signed by
/// it, as PEM files in one directory. Clients trust the CA through <c>SSL_CERT_FILE</c> pointing at
/// <see cref="TrustBundlePath"/> (the CA followed by the system bundle, so other HTTPS still works) and
/// <c>SSL_CERT_DIR</c> pointing at <see cref="Directory"/>; both must be set before the client process starts.
/// Azurite is given the server pair and trusts the CA through <c>NODE_EXTRA_CA_CERTS</c>.
/// </summary>
public sealed class TlsMaterial
{
    private static readonly string[] SystemBundleCandidates =
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ];

    private TlsMaterial(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string CaCertificatePath => Path.Combine(Directory, "ca.pem");

    public string ServerCertificatePath => Path.Combine(Directory, "server.pem");

    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    public string TrustBundlePath => Path.Combine(Directory, "trust-bundle.pem");

    /// <summary>Reuses the material in <paramref name="directory"/> while it is valid for 30 more days, else makes it anew.</summary>
    public static TlsMaterial EnsureCreated(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var material = new TlsMaterial(Path.GetFullPath(directory));
        if (!material.IsUsable())
        {
            material.Create();
        }

        return material;
    }

    /// <summary>The server certificate with its private key, for Kestrel.</summary>
    public X509Certificate2 LoadServerCertificate()
    {
        using var pem = X509Certificate2.CreateFromPemFile(ServerCertificatePath, ServerKeyPath);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }

    private bool IsUsable()
    {
        if (!File.Exists(CaCertificatePath) || !File.Exists(ServerCertificatePath) || !File.Exists(ServerKeyPath)
            || !File.Exists(TrustBundlePath))
        {
            return false;
        }

        try
        {
            using var server = X509Certificate2.CreateFromPemFile(ServerCertificatePath, ServerKeyPath);
            return server.NotAfter > DateTime.Now.AddDays(30);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private void Create()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest(
            "CN=ImageFactory Local Azure CA, O=ImageFactory", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now, now.AddYears(5));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest(
            "CN=localhost, O=ImageFactory Local Azure", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var server = serverRequest.Create(ca, now, now.AddYears(2), serial);

        var caPem = ca.ExportCertificatePem() + "\n";
        WriteAtomically(CaCertificatePath, caPem);
        WriteAtomically(ServerCertificatePath, server.ExportCertificatePem() + "\n");
        WriteAtomically(ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem() + "\n");

        var bundle = new StringBuilder(caPem);
        var systemBundle = Array.Find(SystemBundleCandidates, File.Exists);
        if (systemBundle is not null)
        {
            bundle.Append(File.ReadAllText(systemBundle));
        }

        WriteAtomically(TrustBundlePath, bundle.ToString());
        // The CA alone, for tools that take one certificate file.
        WriteAtomically(
            Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $"localazure-ca.crt")), caPem);
    }

    private static void WriteAtomically(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
