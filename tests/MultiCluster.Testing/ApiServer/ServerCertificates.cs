using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MultiCluster.Testing.ApiServer;

/// <summary>
/// One ECDSA P-256 CA and one server certificate (IP SAN 127.0.0.1, DNS localhost) per process,
/// shared by every instance: generating keys per instance would dominate start time.
/// </summary>
public static class ServerCertificates
{
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 Server)> Pair = new(Create);

    /// <summary>The CA certificate (public part only) clients trust.</summary>
    public static X509Certificate2 CertificateAuthority => Pair.Value.Ca;

    /// <summary>The server certificate with its private key, for Kestrel.</summary>
    public static X509Certificate2 Server => Pair.Value.Server;

    /// <summary>The CA in PEM, as kubeconfig's certificate-authority-data wants it (before base64).</summary>
    public static string CertificateAuthorityPem => CertificateAuthority.ExportCertificatePem();

    private static (X509Certificate2, X509Certificate2) Create()
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddYears(1);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=multicluster-emulator-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caWithKey = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var serverPublic = serverRequest.Create(caWithKey, notBefore, notAfter.AddDays(-1), serial);
        using var serverWithKey = serverPublic.CopyWithPrivateKey(serverKey);
        // A PKCS#12 round trip gives a certificate whose key every platform's TLS stack can use.
        var server = X509CertificateLoader.LoadPkcs12(serverWithKey.Export(X509ContentType.Pfx), null);
        var ca = X509CertificateLoader.LoadCertificate(caWithKey.Export(X509ContentType.Cert));
        return (ca, server);
    }
}
