using MultiCluster.Testing;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// A management cluster that loaded the real Cluster API, CAPD, CAPA and CAPZ CRDs and runs the
/// simulated controllers (mgmt, role management), and a cluster without them (bare, from a second
/// emulator process with its own kubeconfig). Nothing starts when ../shared/crds is absent; the
/// tests using it are skipped then.
/// </summary>
public sealed class ClusterApiFixture : IAsyncLifetime
{
    public const string ClusterApiCrds = "cluster-api,cluster-api-docker,cluster-api-provider-aws,cluster-api-provider-azure";

    private EmulatorProcess? _management;
    private EmulatorProcess? _bare;
    private string _fleetYaml = "";

    public EmulatorProcess Management => _management ?? throw new InvalidOperationException(SharedFiles.CrdsMissingReason);

    public async Task InitializeAsync()
    {
        if (SharedFiles.Crds is null) return;
        var prefix = "ca" + Guid.NewGuid().ToString("N")[..4];
        _management = await EmulatorProcess.StartAsync(1, prefix + "m", crds: ClusterApiCrds, controllers: "all");
        _bare = await EmulatorProcess.StartAsync(1, prefix + "b");
        _fleetYaml = $"""
            name: lifecycle
            clusters:
              - name: mgmt
                context: {_management.Contexts[0]}
                region: us-east-1
                role: management
              - name: bare
                context: {_bare.Contexts[0]}
                kubeconfig: {_bare.Kubeconfig}
                region: us-east-1
                network: {"{"} podCidr: 10.20.0.0/16, serviceCidr: 10.21.0.0/16 {"}"}
            """;
    }

    /// <summary>A PowerShell session with the module imported and the mgmt/bare fleet current.</summary>
    public PowerShellSession NewSession()
    {
        var session = new PowerShellSession();
        session.Run("Import-Fleet -Content $args[0] -Kubeconfig $args[1]", _fleetYaml, Management.Kubeconfig).ThrowIfFailed();
        return session;
    }

    public async Task DisposeAsync()
    {
        if (_management is not null) await _management.DisposeAsync();
        if (_bare is not null) await _bare.DisposeAsync();
    }
}
